#pragma once
// application/x-www-form-urlencoded bodies and query strings (Twilio's request format), and
// percent-encoding for the URIs switchboard renders.

#include "core/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::http {

// Name/value pairs in the order received; a repeated name (StatusCallbackEvent) appears repeatedly.
class Form {
 public:
  struct Field {
    std::string name;
    std::string value;
  };

  // Fails with std::errc::illegal_byte_sequence on a bad percent escape.
  static Result<Form> parse(std::string_view encoded);

  // The first value of `name`, or nullopt.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> get_all(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  const std::vector<Field>& fields() const { return fields_; }
  void add(std::string name, std::string value) { fields_.push_back({std::move(name), std::move(value)}); }
  // Replaces every value of `name` with one value (appended when absent).
  void set(std::string_view name, std::string value);

  // Encodes back, in order: "A=1&B=x%20y".
  std::string encode() const;

 private:
  std::vector<Field> fields_;
};

// Decodes %XX and '+' (as space); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);
// Encodes all but unreserved characters (RFC 3986 section 2.3).
std::string percent_encode(std::string_view text);

}  // namespace sb::http
