#pragma once
// Test helpers for audio: tones, DTMF tone pairs, speech-like sound and noise generated here,
// Goertzel measurements, and a WAV reader, so media tests check what they hear with their own
// arithmetic.

#include <sndfile.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sb::media::test {

// `count` samples of a sine at `frequency` (8 kHz), starting at sample `first` (so consecutive
// frames join without a phase jump).
inline std::vector<std::int16_t> sine(double frequency, std::size_t count, std::size_t first = 0, double amplitude = 8000) {
  std::vector<std::int16_t> out(count);
  for (std::size_t i = 0; i < count; ++i)
    out[i] = static_cast<std::int16_t>(amplitude * std::sin(2 * std::numbers::pi * frequency * static_cast<double>(first + i) / 8000.0));
  return out;
}

// Speech-like audio (a stand-in for a voice, deterministic for a seed): syllables of 120-280 ms
// under a half-sine envelope, each a voiced sound (the harmonics of a pitch gliding within
// 100-275 Hz, shaped by two formants) mixed with noise, and a pause of 60-250 ms every 2-4
// syllables. `amplitude` is the peak of the envelope (RMS about a third of it).
inline std::vector<std::int16_t> speech_like(std::chrono::milliseconds duration, unsigned seed = 1, double amplitude = 8000) {
  std::mt19937 rng(seed);
  auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(rng()) / 4294967296.0); };
  const auto total = static_cast<std::size_t>(duration.count() * 8);
  std::vector<std::int16_t> out;
  out.reserve(total + 4000);
  std::vector<double> phase(40, 0.0);
  int until_pause = 2 + static_cast<int>(rng() % 3);
  while (out.size() < total) {
    const auto n = static_cast<std::size_t>(uniform(120, 280) * 8);
    const double f0_start = uniform(100, 220), f0_end = f0_start * uniform(0.8, 1.25);
    const double formant1 = uniform(300, 900), formant2 = uniform(1000, 2500);
    for (std::size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / static_cast<double>(n);
      const double f0 = f0_start + (f0_end - f0_start) * t;
      double voiced = 0;
      for (std::size_t h = 1; h <= phase.size() && static_cast<double>(h) * f0 < 3400; ++h) {
        const double f = static_cast<double>(h) * f0;
        phase[h - 1] += 2 * std::numbers::pi * f / 8000.0;
        const double d1 = (f - formant1) / 150, d2 = (f - formant2) / 200;
        voiced += (1 / (1 + d1 * d1) + 0.6 / (1 + d2 * d2) + 0.1) * std::sin(phase[h - 1]);
      }
      const double value = amplitude * std::sin(std::numbers::pi * t) * (voiced / 3 + 0.3 * uniform(-1, 1));
      out.push_back(static_cast<std::int16_t>(std::clamp(value, -32767.0, 32767.0)));
    }
    if (--until_pause == 0) {
      out.insert(out.end(), static_cast<std::size_t>(uniform(60, 250) * 8), std::int16_t{0});
      until_pause = 2 + static_cast<int>(rng() % 3);
    }
  }
  out.resize(total);
  return out;
}

// White noise of the given RMS (a line's background), deterministic for a seed.
inline std::vector<std::int16_t> noise(std::chrono::milliseconds duration, double rms, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::vector<std::int16_t> out(static_cast<std::size_t>(duration.count() * 8));
  // Uniform in [-a, a] has RMS a / sqrt(3).
  const double a = rms * std::sqrt(3.0);
  for (auto& x : out) x = static_cast<std::int16_t>(a * (2 * (static_cast<double>(rng()) / 4294967296.0) - 1));
  return out;
}

inline std::vector<std::int16_t> silence(std::chrono::milliseconds duration) {
  return std::vector<std::int16_t>(static_cast<std::size_t>(duration.count() * 8), 0);
}

// ITU-T Q.23: the row and column frequencies of a key of "0123456789*#ABCD".
inline std::pair<double, double> dtmf_frequencies(char key) {
  constexpr std::string_view kLayout = "123A456B789C*0#D";
  constexpr double kRows[] = {697, 770, 852, 941};
  constexpr double kColumns[] = {1209, 1336, 1477, 1633};
  const auto at = kLayout.find(key);
  return {kRows[at / 4], kColumns[at % 4]};
}

// Each key as `on` of its tone pair (each tone about -10 dBm0) followed by `off` of silence.
inline std::vector<std::int16_t> dtmf_audio(std::string_view keys, std::chrono::milliseconds on, std::chrono::milliseconds off) {
  std::vector<std::int16_t> out;
  const auto on_samples = static_cast<std::size_t>(on.count() * 8);
  const auto off_samples = static_cast<std::size_t>(off.count() * 8);
  for (char key : keys) {
    const auto [low, high] = dtmf_frequencies(key);
    const auto a = sine(low, on_samples, 0, 5000);
    const auto b = sine(high, on_samples, 0, 5000);
    for (std::size_t i = 0; i < on_samples; ++i) out.push_back(static_cast<std::int16_t>(a[i] + b[i]));
    out.insert(out.end(), off_samples, std::int16_t{0});
  }
  return out;
}

// Power at `frequency` relative to the total power (Goertzel); about 1 for a pure tone there.
inline double tone_ratio(const std::vector<std::int16_t>& pcm, double frequency) {
  const double w = 2 * std::numbers::pi * frequency / 8000.0;
  double s1 = 0, s2 = 0, total = 0;
  for (auto x : pcm) {
    const double s = x + 2 * std::cos(w) * s1 - s2;
    s2 = s1;
    s1 = s;
    total += static_cast<double>(x) * x;
  }
  const double power = s1 * s1 + s2 * s2 - 2 * std::cos(w) * s1 * s2;
  return total == 0 ? 0 : 2 * power / (static_cast<double>(pcm.size()) * total);
}

inline double mean_square(const std::int16_t* samples, std::size_t count) {
  double total = 0;
  for (std::size_t i = 0; i < count; ++i) total += static_cast<double>(samples[i]) * samples[i];
  return count == 0 ? 0 : total / static_cast<double>(count);
}

struct Wav {
  int channels = 0;
  int sample_rate = 0;
  std::vector<std::vector<std::int16_t>> channel;  // de-interleaved
  std::size_t frames() const { return channel.empty() ? 0 : channel[0].size(); }
};

inline std::optional<Wav> read_wav(const std::string& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file) return std::nullopt;
  std::vector<short> interleaved(static_cast<std::size_t>(info.frames * info.channels));
  const auto read = sf_readf_short(file, interleaved.data(), info.frames);
  sf_close(file);
  Wav wav{info.channels, info.samplerate, std::vector<std::vector<std::int16_t>>(static_cast<std::size_t>(info.channels))};
  for (sf_count_t i = 0; i < read; ++i)
    for (int c = 0; c < info.channels; ++c)
      wav.channel[static_cast<std::size_t>(c)].push_back(interleaved[static_cast<std::size_t>(i * info.channels + c)]);
  return wav;
}

}  // namespace sb::media::test
