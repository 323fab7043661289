#include "media/recorder/mp3_encoder.hpp"

#include <lame/lame.h>
#include <sndfile.h>

#include <array>
#include <fstream>
#include <memory>
#include <vector>

namespace sb::media {

Result<void> encode_mp3(const std::filesystem::path& wav, const std::filesystem::path& mp3) {
  SF_INFO info{};
  std::unique_ptr<SNDFILE, int (*)(SNDFILE*)> in(sf_open(wav.c_str(), SFM_READ, &info), sf_close);
  if (!in || info.channels < 1 || info.samplerate <= 0) return std::make_error_code(std::errc::invalid_argument);

  std::unique_ptr<lame_global_flags, int (*)(lame_global_flags*)> lame(lame_init(), lame_close);
  if (!lame) return std::make_error_code(std::errc::not_enough_memory);
  lame_set_in_samplerate(lame.get(), info.samplerate);
  lame_set_out_samplerate(lame.get(), info.samplerate);
  lame_set_num_channels(lame.get(), 1);
  lame_set_mode(lame.get(), MONO);
  lame_set_brate(lame.get(), 32);  // kbit/s: plenty for 8 kHz telephone audio
  // No ID3 tag: the first frame is LAME's Info tag, rewritten below with the encoder delay and
  // padding, so that gapless decoders (mpg123, browsers) play exactly the recorded duration.
  lame_set_write_id3tag_automatic(lame.get(), 0);
  lame_set_bWriteVbrTag(lame.get(), 1);
  if (lame_init_params(lame.get()) < 0) return std::make_error_code(std::errc::invalid_argument);

  const auto partial = std::filesystem::path(mp3.string() + ".part");
  std::ofstream out(partial, std::ios::binary);
  if (!out) return std::make_error_code(std::errc::permission_denied);
  constexpr int kFrames = 4096;
  std::vector<short> frames(static_cast<std::size_t>(kFrames * info.channels));
  std::vector<short> mono(kFrames);
  std::vector<unsigned char> encoded(static_cast<std::size_t>(1.25 * kFrames + 7200));
  for (;;) {
    const auto read = sf_readf_short(in.get(), frames.data(), kFrames);
    if (read <= 0) break;
    for (sf_count_t i = 0; i < read; ++i) {
      int sum = 0;
      for (int c = 0; c < info.channels; ++c) sum += frames[static_cast<std::size_t>(i * info.channels + c)];
      mono[static_cast<std::size_t>(i)] = static_cast<short>(sum / info.channels);
    }
    const int bytes = lame_encode_buffer(lame.get(), mono.data(), nullptr, static_cast<int>(read), encoded.data(),
                                         static_cast<int>(encoded.size()));
    if (bytes < 0) return std::make_error_code(std::errc::io_error);
    out.write(reinterpret_cast<const char*>(encoded.data()), bytes);
  }
  const int bytes = lame_encode_flush(lame.get(), encoded.data(), static_cast<int>(encoded.size()));
  if (bytes < 0) return std::make_error_code(std::errc::io_error);
  out.write(reinterpret_cast<const char*>(encoded.data()), bytes);
  std::array<unsigned char, 2880> tag{};  // the largest MPEG frame
  const std::size_t tag_size = lame_get_lametag_frame(lame.get(), tag.data(), tag.size());
  if (tag_size > 0 && tag_size <= tag.size()) {
    out.seekp(0);
    out.write(reinterpret_cast<const char*>(tag.data()), static_cast<std::streamsize>(tag_size));
  }
  out.close();
  if (!out) return std::make_error_code(std::errc::io_error);
  std::error_code ec;
  std::filesystem::rename(partial, mp3, ec);
  if (ec) return ec;
  return {};
}

}  // namespace sb::media
