// libFuzzer target for the TwiML parser (src/twiml/parser.hpp): any bytes must yield a document
// or a Diagnostic with a Twilio code, never a crash, hang or sanitizer report. Seeds:
// fuzz/corpus/twiml_parser/. Not part of the default build; build with clang, e.g.
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     fuzz/twiml_parser_fuzz.cpp src/twiml/*.cpp -lpugixml -o twiml_parser_fuzz
//   ./twiml_parser_fuzz fuzz/corpus/twiml_parser

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "twiml/parser.hpp"
#include "twiml/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sb::twiml;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  for (const auto policy : {InvalidValuePolicy::Reject, InvalidValuePolicy::WarnAndUseDefault}) {
    const auto result = parse(text, ParseOptions{.invalid_values = policy});
    if (!result) {
      if (twilio_code(result.error().code) == 0 || result.error().message.empty()) std::abort();
      continue;
    }
    if (result->warnings.size() > ParseOptions{}.max_warnings) std::abort();
    (void)validate_screening(*result);
    for (const auto& verb : result->verbs) {
      if (element_name(verb).empty()) std::abort();
      // Redirect bodies are what a caller resolves against the document's URL.
      if (const auto* redirect = std::get_if<Redirect>(&verb)) {
        (void)resolve_url("https://app.example.com/voice/start.xml?x=1", redirect->url);
      }
    }
  }
  // The resolver on its own, with the input as a reference.
  (void)resolve_url("http://a/b/c/d;p?q", text.substr(0, 512));
  return 0;
}
