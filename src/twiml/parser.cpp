#include "twiml/parser.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "twiml/element_reader.hpp"
#include "twiml/verb_parsers.hpp"

namespace sb::twiml {
namespace {

using detail::Context;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

// Length of a well-formed reference at text[0] == '&' ("&amp;", "&#10;", "&#x41;"), else 0.
// Without a DOCTYPE only the five predefined entities exist (XML 1.0 4.1, 4.6).
std::size_t reference_length(std::string_view text, bool has_doctype) {
  std::size_t i = 1;
  if (i < text.size() && text[i] == '#') {
    ++i;
    const bool is_hex = i < text.size() && text[i] == 'x';
    if (is_hex) ++i;
    const auto digits_start = i;
    while (i < text.size() && (is_hex ? std::isxdigit(static_cast<unsigned char>(text[i])) != 0
                                      : (text[i] >= '0' && text[i] <= '9'))) {
      ++i;
    }
    return (i > digits_start && i < text.size() && text[i] == ';') ? i + 1 : 0;
  }
  if (i >= text.size() || !is_name_start(text[i])) return 0;
  while (i < text.size() && is_name_char(text[i])) ++i;
  if (i >= text.size() || text[i] != ';') return 0;
  const auto name = text.substr(1, i - 1);
  const bool is_predefined = name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos";
  return (is_predefined || has_doctype) ? i + 1 : 0;
}

// Well-formedness pugixml lets pass, checked on the bytes: every '&' outside comments, CDATA and
// processing instructions starts a reference (a bare '&' in a URL is the classic TwiML mistake,
// refused by Twilio as 12100), and `<?xml ...?>` appears only at the very start. Returns an
// error message, or empty.
std::string check_markup(std::string_view text, std::size_t start, std::size_t& offset) {
  bool has_doctype = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto next = text.find_first_of("<&", i);
    if (next == std::string_view::npos) break;
    i = next;
    const auto rest = text.substr(i);
    if (rest[0] == '&') {
      const auto length = reference_length(rest, has_doctype);
      if (length == 0) {
        offset = i;
        return "'&' that does not start an entity or character reference (write &amp;)";
      }
      i += length;
      continue;
    }
    // Skip the constructs whose content may hold a bare '&'. Unterminated ones are left to
    // pugixml, which reports them.
    const auto skip_to = [&](std::string_view end) {
      const auto found = text.find(end, i);
      i = found == std::string_view::npos ? text.size() : found + end.size();
    };
    if (rest.starts_with("<!--")) {
      skip_to("-->");
    } else if (rest.starts_with("<![CDATA[")) {
      skip_to("]]>");
    } else if (rest.starts_with("<?")) {
      const auto target = rest.substr(2, 4);
      const bool is_declaration = (target.size() == 4 && (target[0] == 'x' || target[0] == 'X') &&
                                   (target[1] == 'm' || target[1] == 'M') && (target[2] == 'l' || target[2] == 'L') &&
                                   (is_blank_char(target[3]) || target[3] == '?'));
      if (is_declaration && i != start) {
        offset = i;
        return "the XML declaration <?xml must come first";
      }
      skip_to("?>");
    } else if (rest.starts_with("<!DOCTYPE")) {
      has_doctype = true;
      const auto bracket = rest.find_first_of("[>");
      if (bracket != std::string_view::npos && rest[bracket] == '[') {
        skip_to("]");
      }
      skip_to(">");
    } else {
      // A tag: scan to its '>'. In quoted attribute values '<' is not allowed and '&' must start
      // a reference (XML 1.0 3.1 AttValue). Anything else malformed is left to pugixml.
      char quote = 0;
      for (++i; i < text.size(); ++i) {
        const char c = text[i];
        if (quote != 0) {
          if (c == quote) {
            quote = 0;
          } else if (c == '<') {
            offset = i;
            return "'<' in an attribute value (write &lt;)";
          } else if (c == '&') {
            const auto length = reference_length(text.substr(i), has_doctype);
            if (length == 0) {
              offset = i;
              return "'&' that does not start an entity or character reference (write &amp;)";
            }
            i += length - 1;
          }
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '>') {
          ++i;
          break;
        } else if (c == '<' || c == '&') {
          break;  // the outer loop looks at it
        }
      }
    }
  }
  return {};
}

// Checks on the raw bytes that pugixml would let pass. Returns an error message, or empty.
std::string check_bytes(std::string_view text, std::size_t& offset) {
  // Twilio: leading whitespace before `<?xml` is a parse failure (12100); XML 1.0 2.8 agrees:
  // the declaration, if any, starts the document.
  std::string_view rest = text;
  std::size_t base = 0;
  if (rest.starts_with(kUtf8Bom)) {
    rest.remove_prefix(kUtf8Bom.size());
    base = kUtf8Bom.size();
  }
  std::size_t blanks = 0;
  while (blanks < rest.size() && is_blank_char(rest[blanks])) ++blanks;
  const auto after = rest.substr(blanks);
  if (blanks > 0 && after.starts_with("<?xml") && (after.size() == 5 || is_blank_char(after[5]) || after[5] == '?')) {
    offset = base + blanks;
    return "whitespace before the XML declaration <?xml";
  }
  // UTF-16 and UTF-32 (with or without a BOM) hold NUL bytes; pugixml detects and converts them,
  // and the markup checks below, which read bytes, are skipped for them.
  const bool is_wide = text.size() >= 2 && (text[0] == '\0' || text[1] == '\0' || text.starts_with("\xFE\xFF") ||
                                            text.starts_with("\xFF\xFE"));
  if (is_wide) return {};
  // In any 8-bit encoding a NUL is not XML and would end pugixml's parse early.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    offset = nul;
    return "NUL byte in the document";
  }
  return check_markup(text, base, offset);
}

// XML 1.0 2.2 Char, on pugixml's UTF-8 output: well-formed UTF-8 (no overlong forms, surrogates
// or code points above U+10FFFF) and no C0 controls other than tab, CR and LF, whether written
// raw or as character references (&#1;). Returns the offset of the first bad byte, or npos.
std::size_t find_invalid_char(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
      code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      code = c & 0x07;
    } else {
      return i;
    }
    if (i + length > s.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      code = (code << 6) | (next & 0x3F);
    }
    const bool is_overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
    if (is_overlong || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return i;
    i += length;
  }
  return std::string_view::npos;
}

// Well-formedness pugixml does not check, and the depth limit: one root element, nothing but
// blanks, comments and processing instructions around it, the declaration first, no duplicate
// attribute names. Iterative, so any depth is safe to walk.
bool check_tree(Context& context, const pugi::xml_document& document, pugi::xml_node& root) {
  std::size_t elements = 0;
  bool is_first = true;
  for (const auto child : document.children()) {
    switch (child.type()) {
      case pugi::node_element:
        if (++elements > 1) {
          context.fail(Errc::MalformedXml, child, "more than one root element");
          return false;
        }
        root = child;
        break;
      case pugi::node_pcdata:
      case pugi::node_cdata:
        if (!detail::is_blank(child.value())) {
          context.fail(Errc::MalformedXml, child, "text outside the root element");
          return false;
        }
        break;
      case pugi::node_declaration:
        if (!is_first) {
          context.fail(Errc::MalformedXml, child, "the XML declaration must come first");
          return false;
        }
        break;
      default: break;
    }
    is_first = false;
  }
  if (!root) {
    context.fail(Errc::MalformedXml, document, "no root element");
    return false;
  }

  std::vector<std::string_view> names;
  std::size_t depth = 1;
  pugi::xml_node node = root;
  while (node) {
    if (node.type() == pugi::node_declaration) {
      context.fail(Errc::MalformedXml, node, "the XML declaration must come first");
      return false;
    }
    if (node.type() == pugi::node_element) {
      if (depth > context.options().max_depth) {
        context.fail(Errc::MalformedXml, node,
                     "elements nested deeper than " + std::to_string(context.options().max_depth));
        return false;
      }
      names.clear();
      for (const auto attribute : node.attributes()) {
        names.emplace_back(attribute.name());
        if (find_invalid_char(attribute.value()) != std::string_view::npos) {
          context.fail(Errc::MalformedXml, node,
                       "attribute " + std::string(attribute.name()) + " holds invalid UTF-8 or a control character");
          return false;
        }
      }
      std::sort(names.begin(), names.end());
      if (const auto twin = std::adjacent_find(names.begin(), names.end()); twin != names.end()) {
        context.fail(Errc::MalformedXml, node, "duplicate attribute " + std::string(*twin));
        return false;
      }
    }
    if ((node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) &&
        find_invalid_char(node.value()) != std::string_view::npos) {
      context.fail(Errc::MalformedXml, node.parent(), "text holds invalid UTF-8 or a control character");
      return false;
    }
    // Next node in document order, within root.
    if (node.first_child()) {
      node = node.first_child();
      ++depth;
      continue;
    }
    while (node != root && !node.next_sibling()) {
      node = node.parent();
      --depth;
    }
    node = node == root ? pugi::xml_node() : node.next_sibling();
  }
  return true;
}

}  // namespace

ParseResult parse(std::string_view text, const ParseOptions& options) {
  Context context(text, options);
  if (text.size() > options.max_document_size) {
    return context.make_at(Errc::DocumentTooLarge, 0,
                           "the document has " + std::to_string(text.size()) + " bytes, more than the limit of " +
                               std::to_string(options.max_document_size));
  }
  std::size_t offset = 0;
  if (auto problem = check_bytes(text, offset); !problem.empty()) {
    return context.make_at(Errc::MalformedXml, offset, problem);
  }

  pugi::xml_document document;
  // parse_fragment lets check_tree() see text and extra elements outside the root, which
  // pugixml otherwise drops silently; parse_ws_pcdata keeps the blanks between SSML elements.
  constexpr unsigned kFlags = pugi::parse_default | pugi::parse_declaration | pugi::parse_fragment | pugi::parse_ws_pcdata;
  const auto loaded = document.load_buffer(text.data(), text.size(), kFlags, pugi::encoding_auto);
  if (!loaded) {
    const auto at = loaded.offset < 0 ? 0 : static_cast<std::size_t>(loaded.offset);
    return context.make_at(Errc::MalformedXml, at,
                           std::string("XML parse error: ") + loaded.description() + " (offset " + std::to_string(at) + ")");
  }
  pugi::xml_node root;
  if (!check_tree(context, document, root)) return context.take_error();

  if (std::strcmp(root.name(), "Response") != 0) {
    context.fail(Errc::RootNotResponse, root, "the root element must be <Response>");
    return context.take_error();
  }
  detail::ElementReader reader(context, root);
  if (const auto version = reader.raw("version")) {
    const auto value = detail::ElementReader::trim(*version);
    if (value != "2008-08-01" && value != "2010-04-01") {
      context.fail(Errc::InvalidVersion, root, "version must be 2008-08-01 or 2010-04-01");
      return context.take_error();
    }
  }
  reader.warn_unknown_attributes();

  Document result;
  for (const auto child : root.children()) {
    if (context.has_failed()) break;
    switch (child.type()) {
      case pugi::node_element:
        if (auto verb = detail::parse_verb(context, child)) result.verbs.push_back(std::move(*verb));
        break;
      case pugi::node_pcdata:
      case pugi::node_cdata:
        if (!detail::is_blank(child.value())) context.warn(Errc::UnexpectedText, root, "text between verbs is ignored");
        break;
      default: break;
    }
  }
  if (context.has_failed()) return context.take_error();
  result.warnings = context.take_warnings();
  result.suppressed_warnings = context.suppressed_warnings();
  return result;
}

Result<void> validate_screening(const Document& document) {
  const bool has_dial = std::any_of(document.verbs.begin(), document.verbs.end(),
                                    [](const Verb& verb) { return std::holds_alternative<Dial>(verb); });
  if (has_dial) return make_error_code(Errc::DialInScreeningDocument);
  return {};
}

void throw_exception_from_error(const Diagnostic& error, const boost::source_location&) {
  throw std::system_error(error.error_code(), error.message);
}

}  // namespace sb::twiml
