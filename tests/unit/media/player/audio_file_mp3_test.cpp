#include "media/player/audio_file.hpp"

#include "media/recorder/mp3_encoder.hpp"
#include "test_audio.hpp"

#include <gtest/gtest.h>
#include <lame/lame.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>

namespace sb::media {
namespace {

using namespace std::chrono_literals;

class AudioFileMp3Test : public ::testing::Test {
 protected:
  // A tone as a WAV at `rate`, encoded to MP3 by the project's LAME encoder, stored under a
  // name without extension (as the call layer's download cache does).
  std::filesystem::path make_mp3(int rate, double frequency, std::chrono::milliseconds duration) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* file = sf_open(wav_.c_str(), SFM_WRITE, &info);
    EXPECT_NE(file, nullptr);
    const auto count = static_cast<std::size_t>(duration.count() * rate / 1000);
    std::vector<std::int16_t> pcm(count);
    for (std::size_t i = 0; i < count; ++i)
      pcm[i] = static_cast<std::int16_t>(8000 * std::sin(2 * std::numbers::pi * frequency * static_cast<double>(i) / rate));
    sf_write_short(file, pcm.data(), static_cast<sf_count_t>(pcm.size()));
    sf_close(file);
    EXPECT_TRUE(encode_mp3(wav_, mp3_).has_value());
    return mp3_;
  }
  // A stereo tone at 44.1 kHz and 128 kbit/s (a typical MP3 found on the web), encoded with LAME
  // here, with its Info tag (encoder delay and padding) in the first frame.
  std::filesystem::path make_stereo_mp3(double frequency, std::chrono::milliseconds duration) {
    lame_global_flags* lame = lame_init();
    lame_set_in_samplerate(lame, 44100);
    lame_set_num_channels(lame, 2);
    lame_set_brate(lame, 128);
    lame_set_write_id3tag_automatic(lame, 0);
    EXPECT_GE(lame_init_params(lame), 0);
    const auto count = static_cast<std::size_t>(duration.count() * 44100 / 1000);
    std::vector<short> left(count), right(count);
    for (std::size_t i = 0; i < count; ++i) {
      left[i] = static_cast<short>(8000 * std::sin(2 * std::numbers::pi * frequency * static_cast<double>(i) / 44100));
      right[i] = left[i];
    }
    std::vector<unsigned char> mp3(count * 2 + 7200);
    int size = lame_encode_buffer(lame, left.data(), right.data(), static_cast<int>(count), mp3.data(), static_cast<int>(mp3.size()));
    size += lame_encode_flush(lame, mp3.data() + size, static_cast<int>(mp3.size()) - size);
    std::array<unsigned char, 2880> tag{};
    const std::size_t tag_size = lame_get_lametag_frame(lame, tag.data(), tag.size());
    lame_close(lame);
    EXPECT_GT(tag_size, 0u);
    std::copy_n(tag.begin(), tag_size, mp3.begin());
    std::ofstream(mp3_, std::ios::binary).write(reinterpret_cast<const char*>(mp3.data()), size);
    return mp3_;
  }
  void TearDown() override {
    std::filesystem::remove(wav_);
    std::filesystem::remove(mp3_);
  }

  std::string base_ = (std::filesystem::temp_directory_path() /
                       ("sb_mp3_" + std::to_string(::getpid()) + "_" +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                          .string();
  std::filesystem::path wav_ = base_ + ".wav";
  std::filesystem::path mp3_ = base_ + "_cached";  // no extension
};

TEST_F(AudioFileMp3Test, DecodesAnEightKilohertzMp3ToItsDurationAndTone) {
  const auto pcm = load_audio_file(make_mp3(8000, 1000, 2000ms).string());
  ASSERT_TRUE(pcm.has_value()) << pcm.error().message();
  EXPECT_NEAR(static_cast<double>(pcm->size()) / 8, 2000, 50);
  const std::vector<std::int16_t> middle(pcm->begin() + 4000, pcm->begin() + 12000);
  EXPECT_GT(test::tone_ratio(middle, 1000), 0.9);
  EXPECT_GT(test::mean_square(middle.data(), middle.size()), 0.5 * 0.5 * 8000 * 8000 / 2);
}

TEST_F(AudioFileMp3Test, MixesAndResamplesAStereoMp3) {
  const auto pcm = load_audio_file(make_stereo_mp3(440, 1500ms).string());
  ASSERT_TRUE(pcm.has_value()) << pcm.error().message();
  EXPECT_NEAR(static_cast<double>(pcm->size()) / 8, 1500, 50);
  const std::vector<std::int16_t> middle(pcm->begin() + 2000, pcm->begin() + 10000);
  EXPECT_GT(test::tone_ratio(middle, 440), 0.9);
}

TEST_F(AudioFileMp3Test, RecognisesMpegAudioByContent) {
  const unsigned char id3[] = {'I', 'D', '3', 4, 0};
  const unsigned char frame[] = {0xFF, 0xFB, 0x90, 0x64};  // MPEG-1 layer III, 128 kbit/s, 44.1 kHz
  const unsigned char riff[] = {'R', 'I', 'F', 'F'};
  const unsigned char bad_rate[] = {0xFF, 0xFB, 0x9C, 0x64};  // sampling frequency 11: reserved
  EXPECT_TRUE(looks_like_mpeg_audio(id3));
  EXPECT_TRUE(looks_like_mpeg_audio(frame));
  EXPECT_FALSE(looks_like_mpeg_audio(riff));
  EXPECT_FALSE(looks_like_mpeg_audio(bad_rate));
}

TEST_F(AudioFileMp3Test, RejectsATruncatedMpegHeader) {
  std::ofstream(mp3_, std::ios::binary).write("\xFF\xFB\x90\x64garbage", 11);
  EXPECT_EQ(load_audio_file(mp3_.string()).error(), std::errc::illegal_byte_sequence);
}

}  // namespace
}  // namespace sb::media
