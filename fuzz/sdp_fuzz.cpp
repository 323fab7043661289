// libFuzzer target for SDP (src/media/sdp/session_description.hpp) and offer/answer
// (src/media/sdp/offer_answer.hpp): any text must parse or fail with an error code; what parses
// must write out and parse again, and answering it as an offer (and reading it as an answer to
// our offer) must return a result or an error, never crash. Seeds: fuzz/corpus/sdp/.
// Not part of the default build; with clang:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc fuzz/sdp_fuzz.cpp \
//     src/media/sdp/*.cpp src/media/error.cpp src/media/codec/g711.cpp \
//     src/core/crypto.cpp -lcrypto -o sdp_fuzz
//   ./sdp_fuzz fuzz/corpus/sdp

#include "media/sdp/offer_answer.hpp"
#include "media/sdp/session_description.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sb::media;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  SdpParseError where;
  auto parsed = SessionDescription::parse(text, &where);
  if (!parsed) {
    if (!parsed.error()) std::abort();
    return 0;
  }
  // Round trip: what we write, we read.
  const std::string written = parsed->to_string();
  auto reparsed = SessionDescription::parse(written);
  if (!reparsed) std::abort();
  if (reparsed->media.size() != parsed->media.size()) std::abort();

  const KeyGenerator keys = [] { return SrtpMasterKey{}; };
  for (const SrtpPolicy policy : {SrtpPolicy::none, SrtpPolicy::optional, SrtpPolicy::required}) {
    LocalMedia local{.address = "192.0.2.1", .port = 20000, .srtp = policy};
    if (auto answer = answer_offer(*parsed, local, keys)) {
      (void)answer->answer.to_string();
      if (answer->media.media_index >= parsed->media.size()) std::abort();
    }
    const SessionDescription offer = make_offer(local, keys);
    (void)process_answer(offer, *parsed, policy);
  }
  return 0;
}
