#include "http/form.hpp"

namespace sb::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kDigits[u >> 4];
      out += kDigits[u & 0x0f];
    }
  }
  return out;
}

Result<Form> Form::parse(std::string_view encoded) {
  Form form;
  while (!encoded.empty()) {
    const auto amp = encoded.find('&');
    const std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view{} : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || !value) return std::make_error_code(std::errc::illegal_byte_sequence);
    form.add(std::move(*name), std::move(*value));
  }
  return form;
}

std::optional<std::string> Form::get(std::string_view name) const {
  for (const auto& f : fields_) {
    if (f.name == name) return f.value;
  }
  return std::nullopt;
}

std::vector<std::string> Form::get_all(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& f : fields_) {
    if (f.name == name) values.push_back(f.value);
  }
  return values;
}

void Form::set(std::string_view name, std::string value) {
  std::erase_if(fields_, [&](const Field& f) { return f.name == name; });
  fields_.push_back({std::string(name), std::move(value)});
}

std::string Form::encode() const {
  std::string out;
  for (const auto& f : fields_) {
    if (!out.empty()) out += '&';
    out += percent_encode(f.name);
    out += '=';
    out += percent_encode(f.value);
  }
  return out;
}

}  // namespace sb::http
