#pragma once
// What a record command asks for (TwiML <Record>, <Dial record>): plain values built on the
// signalling loop and posted to the media engine.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sb::media {

// Which audio of the session goes into the file (Twilio's RecordingTrack and RecordingChannels).
enum class RecordTrack : std::uint8_t {
  inbound,   // mono: what the session receives from its peer (TwiML <Record>)
  outbound,  // mono: what the session sends to its peer (players, tones, audio relayed from a bridge)
  both,      // mono: inbound + outbound, summed with saturation
  dual,      // stereo: channel 1 = inbound, channel 2 = outbound. On the parent leg of a <Dial>
             // that is Twilio's dual-channel rule: ch1 the caller, ch2 the callee.
};

struct RecordRequest {
  std::string path;  // the WAV file to write (8 kHz, 16-bit PCM); its directory must exist
  std::optional<std::chrono::milliseconds> max_duration;  // <Record maxLength>; none = until stopped
  // inbound places packets by their RTP timestamps (a lost packet becomes silence of its length).
  // The other tracks are clocked by the 20 ms tick: one frame per tick per direction, silence
  // where nothing was received or sent, so both directions stay aligned.
  RecordTrack track = RecordTrack::inbound;
  // <Record timeout>: end the recording after this much silence, counted from the end of the
  // last speech, or from the start while nobody has spoken (RecordFinished::is_ended_by_silence).
  // None or zero: no silence timeout (Twilio's timeout="0"; its TwiML default is 5 s).
  std::optional<std::chrono::milliseconds> silence_timeout;
  // <Record trim="trim-silence">: when the recording finishes, remove the silence before the
  // first speech and after the last, keeping RecordingFile::kTrimMargin (200 ms) on either side.
  // Judged on the combined energy of the channels; both channels of dual lose the same amount.
  // A recording in which no speech was heard becomes empty (0 samples, has_speech false).
  bool trim_silence = false;
};

constexpr int channel_count(RecordTrack track) noexcept { return track == RecordTrack::dual ? 2 : 1; }

}  // namespace sb::media
