#pragma once
// Internal to src/twiml: the state of one parse() (Context: options, warnings, the first error)
// and typed reading of one element's attributes (ElementReader). Not for use outside twiml/.

#include <pugixml.hpp>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "twiml/document.hpp"
#include "twiml/parser.hpp"

namespace sb::twiml::detail {

// Collects what one parse finds. Messages name the place: "line 3, column 5: <Dial>: ...".
class Context {
 public:
  Context(std::string_view input, const ParseOptions& options) : input_(input), options_(options) {}

  const ParseOptions& options() const { return options_; }

  // Records a warning about `where` (counted only beyond ParseOptions::max_warnings).
  void warn(Errc code, pugi::xml_node where, std::string_view what);
  // An invalid value or structure: refuses the document under InvalidValuePolicy::Reject (the
  // first one is kept), a warning under WarnAndUseDefault.
  void invalid(Errc code, pugi::xml_node where, std::string_view what);
  // Refuses the document whatever the policy (the first error is kept).
  void fail(Errc code, pugi::xml_node where, std::string_view what);

  bool has_failed() const { return error_.has_value(); }
  Diagnostic take_error() { return std::move(*error_); }
  std::vector<Diagnostic> take_warnings() { return std::move(warnings_); }
  std::size_t suppressed_warnings() const { return suppressed_; }

  // A diagnostic at byte `offset`: "line L, column C: what".
  Diagnostic make_at(Errc code, std::size_t offset, std::string_view what) const;

 private:
  Diagnostic make(Errc code, pugi::xml_node where, std::string_view what) const;

  std::string_view input_;
  const ParseOptions& options_;
  std::optional<Diagnostic> error_;
  std::vector<Diagnostic> warnings_;
  std::size_t suppressed_ = 0;
};

// Integer attribute bounds. Values below `lowest` or above `highest` are invalid; values in
// [lowest, clamp_low) or (clamp_high, highest] are clamped with a warning.
struct IntRange {
  std::int64_t lowest;
  std::int64_t clamp_low;
  std::int64_t clamp_high;
  std::int64_t highest;

  static constexpr std::int64_t kUnbounded = std::numeric_limits<std::int64_t>::max();
  static constexpr IntRange at_least(std::int64_t min) { return {min, min, kUnbounded, kUnbounded}; }
  static constexpr IntRange between(std::int64_t min, std::int64_t max) { return {min, min, max, max}; }
  static constexpr IntRange clamped(std::int64_t lowest, std::int64_t low, std::int64_t high) {
    return {lowest, low, high, kUnbounded};
  }
};

template <class E>
using KeywordTable = std::initializer_list<std::pair<std::string_view, E>>;

// Reads one element's attributes, each typed and defaulted; remembers which names it was asked
// about so warn_unknown_attributes() can flag the rest (12200).
class ElementReader {
 public:
  ElementReader(Context& context, pugi::xml_node node) : context_(context), node_(node) {}

  Context& context() { return context_; }
  pugi::xml_node node() const { return node_; }

  // The value as written, or none when absent. Marks `name` as known.
  std::optional<std::string_view> raw(const char* name);
  // The value trimmed of blanks; none when absent.
  std::optional<std::string> string(const char* name);
  // A URL (trimmed); none when absent or empty. Control characters or a scheme other than http
  // or https make it invalid (`invalid`, default 11100).
  std::optional<std::string> url(const char* name, Errc invalid = Errc::InvalidUrl);
  Method method(const char* name, Errc invalid, Method fallback = Method::Post);
  bool boolean(const char* name, bool fallback, Errc invalid = Errc::InvalidAttributeValue);
  std::int64_t integer(const char* name, std::int64_t fallback, IntRange range, Errc invalid);
  // An integer, or none when absent or invalid.
  std::optional<std::int64_t> optional_integer(const char* name, IntRange range, Errc invalid);

  template <class E>
  E keyword(const char* name, KeywordTable<E> table, E fallback, Errc invalid) {
    const auto value = raw(name);
    if (!value) return fallback;
    for (const auto& [word, e] : table) {
      if (equals_ignoring_case(trim(*value), word)) return e;
    }
    report_invalid(invalid, name, *value, "is not one of the allowed values");
    return fallback;
  }

  CallProgressEvents call_progress_events(const char* name);
  RecordingStatusEvents recording_status_events(const char* name);
  StatusCallback status_callback(Errc invalid_method);
  MachineDetection machine_detection(Errc invalid_method);

  // Marks `name` known without reading it.
  void ignore(const char* name) { known_.push_back(name); }
  // Warns (12200) about every attribute not named so far, except xmlns declarations.
  void warn_unknown_attributes();

  // An invalid value of attribute `name`: `<El>: name="value" why`.
  void report_invalid(Errc code, const char* name, std::string_view value, std::string_view why);
  void report_clamped(Errc code, const char* name, std::string_view value, std::int64_t to);

  static std::string_view trim(std::string_view s);
  static bool equals_ignoring_case(std::string_view a, std::string_view b);

 private:
  Context& context_;
  pugi::xml_node node_;
  std::vector<const char*> known_;
};

// --- Text helpers shared by the verb parsers ---------------------------------------------------

bool is_blank(std::string_view s);
// The direct text and CDATA children of `node`, concatenated and trimmed.
std::string direct_text(pugi::xml_node node);
// Collapses runs of blanks into one space and trims.
std::string collapse_blanks(std::string_view s);
// True for element names TwiML defines anywhere (verbs, nouns, Parameter, Identity, ...), so a
// misplaced one is "invalid nesting" rather than "unknown element".
bool is_twiml_element(std::string_view name);
// Warns about child elements of a verb or noun that takes none (except those named in
// `allowed`), and about non-blank text when `takes_text` is false.
void check_leaf_content(Context& context, pugi::xml_node node, bool takes_text,
                        std::initializer_list<std::string_view> allowed = {});
// `<Parameter name value>` children of `node`.
std::vector<Parameter> read_parameters(Context& context, pugi::xml_node node);
// 0-9 A-D # * w W (Play digits, Number sendDigits).
bool is_dtmf_sequence(std::string_view s);

}  // namespace sb::twiml::detail
