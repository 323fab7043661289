// Replays the libFuzzer seed corpus (fuzz/corpus/sip_parser/, crash reproducers included) through
// the parser, so `ctest` (and the sanitizer build) re-checks every input that ever mattered.
#include "sip/parser/parser.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "sip/message/serializer.hpp"
#include "sip/parser/message_builder.hpp"

namespace sb::sip {
namespace {

const std::filesystem::path kCorpus = std::filesystem::path(SB_TEST_DATA_DIR) / "../../fuzz/corpus/sip_parser";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(FuzzCorpus, EveryInputParsesOrFailsCleanlyAndRoundTrips) {
  ASSERT_TRUE(std::filesystem::is_directory(kCorpus)) << kCorpus;
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    const std::string data = read_file(entry.path());
    ++count;
    for (bool is_stream : {false, true}) {
      ParseOptions options;
      options.is_stream = is_stream;
      auto result = parse_message(data, options);
      if (result.has_message()) {
        (void)validate(result.message());
        (void)result.message().contacts();
        (void)result.message().vias();
      }
      if (result.ok()) {
        const auto once = serialize(result.message());
        auto again = parse_message(once);
        ASSERT_TRUE(again.ok()) << entry.path();
        EXPECT_EQ(serialize(again.message()), once) << entry.path();
      }
      if (result.can_answer()) {
        EXPECT_TRUE(make_error_response(result)->build()) << entry.path();
      }
    }
    (void)frame_stream(data);
  }
  EXPECT_GT(count, 40);
}

}  // namespace
}  // namespace sb::sip
