#pragma once
// Helpers shared by the twiml tests: parse expecting success or a given error, golden files.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "twiml/parser.hpp"

namespace sb::twiml::test {

inline std::string read_data(std::string_view name) {
  const char* dir = std::getenv("SB_TEST_DATA_DIR");
  std::ifstream in(std::string(dir ? dir : SB_TEST_DATA_DIR) + "/twiml/" + std::string(name), std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// `<Response>` + body + `</Response>`.
inline std::string response(std::string_view body) { return "<Response>" + std::string(body) + "</Response>"; }

inline Document parse_ok(std::string_view text, const ParseOptions& options = {}) {
  auto result = parse(text, options);
  if (!result) {
    ADD_FAILURE() << "parse failed: " << result.error().twilio_code() << " " << result.error().message << "\n" << text;
    return {};
  }
  return std::move(*result);
}

inline Diagnostic parse_error(std::string_view text, const ParseOptions& options = {}) {
  auto result = parse(text, options);
  if (result) {
    ADD_FAILURE() << "parse succeeded unexpectedly:\n" << text;
    return {};
  }
  return result.error();
}

// The only verb of a document, as V.
template <class V>
V only_verb(const Document& document) {
  if (document.verbs.size() != 1 || !std::holds_alternative<V>(document.verbs[0])) {
    ADD_FAILURE() << "expected exactly one verb of the requested type, got " << document.verbs.size();
    return V{};
  }
  return std::get<V>(document.verbs[0]);
}

inline bool has_warning(const Document& document, Errc code) {
  for (const auto& w : document.warnings) {
    if (w.code == code) return true;
  }
  return false;
}

}  // namespace sb::twiml::test
