#include "media/player/audio_file.hpp"

#include <mpg123.h>
#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

namespace sb::media {

Result<std::vector<std::int16_t>> resample_to_8k(std::span<const float> samples, double input_rate) {
  if (!(input_rate > 0)) return std::make_error_code(std::errc::invalid_argument);
  constexpr double kOutputRate = 8000;
  std::vector<std::int16_t> out(static_cast<std::size_t>(std::ceil(samples.size() * kOutputRate / input_rate)) + 16);
  if (samples.empty()) return std::vector<std::int16_t>{};
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_INT16_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  std::size_t done_in = 0;
  std::size_t done_out = 0;
  const soxr_error_t error = soxr_oneshot(input_rate, kOutputRate, 1, samples.data(), samples.size(), &done_in,
                                          out.data(), out.size(), &done_out, &io, &quality, nullptr);
  if (error) return std::make_error_code(std::errc::invalid_argument);
  out.resize(done_out);
  return out;
}

namespace {

Result<std::vector<std::int16_t>> to_8k(std::span<const float> mono, double rate) {
  if (rate == 8000) {
    std::vector<std::int16_t> out(mono.size());
    for (std::size_t i = 0; i < mono.size(); ++i)
      out[i] = static_cast<std::int16_t>(std::lround(std::clamp(mono[i] * 32768.0f, -32768.0f, 32767.0f)));
    return out;
  }
  return resample_to_8k(mono, rate);
}

struct Mpg123Deleter {
  void operator()(mpg123_handle* handle) const noexcept {
    mpg123_close(handle);
    mpg123_delete(handle);
  }
};

// libmpg123, float output at the file's own rate; mono or stereo, mixed down here.
Result<std::vector<std::int16_t>> load_mpeg_audio(const std::string& path) {
  static std::once_flag initialised;
  std::call_once(initialised, [] { mpg123_init(); });  // a no-op since 1.27, required before
  const auto bad_file = std::make_error_code(std::errc::illegal_byte_sequence);
  int error = MPG123_OK;
  std::unique_ptr<mpg123_handle, Mpg123Deleter> handle(mpg123_new(nullptr, &error));
  if (!handle) return bad_file;
  mpg123_param(handle.get(), MPG123_ADD_FLAGS, MPG123_QUIET, 0);
  mpg123_format_none(handle.get());
  for (const long rate : {8000L, 11025L, 12000L, 16000L, 22050L, 24000L, 32000L, 44100L, 48000L})
    mpg123_format(handle.get(), rate, MPG123_MONO | MPG123_STEREO, MPG123_ENC_FLOAT_32);
  if (mpg123_open(handle.get(), path.c_str()) != MPG123_OK) return bad_file;
  long rate = 0;
  int channels = 0;
  int encoding = 0;
  if (mpg123_getformat(handle.get(), &rate, &channels, &encoding) != MPG123_OK || rate <= 0 || channels < 1 ||
      channels > 2 || encoding != MPG123_ENC_FLOAT_32)
    return bad_file;
  std::vector<float> mono;
  std::array<float, 4608> block;
  for (;;) {
    std::size_t done = 0;
    const int result = mpg123_read(handle.get(), block.data(), sizeof(block), &done);
    const std::size_t count = done / sizeof(float);
    const auto width = static_cast<std::size_t>(channels);
    for (std::size_t i = 0; i + width <= count; i += width)
      mono.push_back(width == 1 ? block[i] : (block[i] + block[i + 1]) / 2);
    if (result == MPG123_DONE) break;
    if (result == MPG123_NEW_FORMAT) {
      // A stream whose format changes midway: keep decoding only if it did not.
      long new_rate = 0;
      int new_channels = 0;
      int new_encoding = 0;
      mpg123_getformat(handle.get(), &new_rate, &new_channels, &new_encoding);
      if (new_rate != rate || new_channels != channels) return bad_file;
      continue;
    }
    if (result != MPG123_OK) {
      if (mono.empty()) return bad_file;
      break;  // a damaged tail: play what decoded
    }
  }
  if (mono.empty()) return bad_file;
  return to_8k(mono, static_cast<double>(rate));
}

bool is_mpeg_file(const std::string& path) {
  std::array<unsigned char, 4> head{};
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
  return in.gcount() == static_cast<std::streamsize>(head.size()) && looks_like_mpeg_audio(head);
}

}  // namespace

bool looks_like_mpeg_audio(std::span<const unsigned char> head) noexcept {
  if (head.size() >= 3 && head[0] == 'I' && head[1] == 'D' && head[2] == '3') return true;  // ID3v2
  if (head.size() < 4) return false;
  // ISO 11172-3 2.4.1.3: 11 sync bits, then version (01 reserved), layer (00 reserved), and a
  // bitrate index (1111 invalid) and sampling frequency (11 reserved) that mean something.
  const bool has_sync = head[0] == 0xFF && (head[1] & 0xE0) == 0xE0;
  const unsigned version = (head[1] >> 3) & 0x3;
  const unsigned layer = (head[1] >> 1) & 0x3;
  const unsigned bitrate = (head[2] >> 4) & 0xF;
  const unsigned frequency = (head[2] >> 2) & 0x3;
  return has_sync && version != 1 && layer != 0 && bitrate != 0xF && frequency != 3;
}

Result<std::vector<std::int16_t>> load_audio_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::make_error_code(std::errc::no_such_file_or_directory);
  if (is_mpeg_file(path)) return load_mpeg_audio(path);
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file) return std::make_error_code(std::errc::illegal_byte_sequence);
  std::vector<float> mono;
  if (info.channels > 0 && info.frames > 0 && info.samplerate > 0) {
    const auto channels = static_cast<std::size_t>(info.channels);
    std::vector<float> block(4096 * channels);
    mono.reserve(static_cast<std::size_t>(info.frames));
    for (;;) {
      const sf_count_t frames = sf_readf_float(file, block.data(), 4096);
      if (frames <= 0) break;
      for (sf_count_t f = 0; f < frames; ++f) {
        float sum = 0;
        for (std::size_t c = 0; c < channels; ++c) sum += block[static_cast<std::size_t>(f) * channels + c];
        mono.push_back(sum / static_cast<float>(channels));
      }
    }
  }
  const int rate = info.samplerate;
  sf_close(file);
  if (rate <= 0) return std::make_error_code(std::errc::illegal_byte_sequence);
  return to_8k(mono, rate);
}

}  // namespace sb::media
