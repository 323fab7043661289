#include "twiml/document.hpp"

namespace sb::twiml {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

std::string_view to_string(Method m) noexcept { return m == Method::Get ? "GET" : "POST"; }

std::string_view to_string(Trim t) noexcept {
  return t == Trim::TrimSilence ? "trim-silence" : "do-not-trim";
}

std::string_view to_string(RejectReason r) noexcept {
  return r == RejectReason::Busy ? "busy" : "rejected";
}

std::string_view to_string(DialRecord r) noexcept {
  switch (r) {
    case DialRecord::DoNotRecord: return "do-not-record";
    case DialRecord::RecordFromAnswer: return "record-from-answer";
    case DialRecord::RecordFromRinging: return "record-from-ringing";
    case DialRecord::RecordFromAnswerDual: return "record-from-answer-dual";
    case DialRecord::RecordFromRingingDual: return "record-from-ringing-dual";
  }
  return {};
}

std::string_view to_string(RecordingTrack t) noexcept {
  switch (t) {
    case RecordingTrack::Both: return "both";
    case RecordingTrack::Inbound: return "inbound";
    case RecordingTrack::Outbound: return "outbound";
  }
  return {};
}

std::string_view to_string(MachineDetectionMode m) noexcept {
  return m == MachineDetectionMode::Enable ? "Enable" : "DetectMessageEnd";
}

std::string_view element_name(const Verb& verb) noexcept {
  return std::visit(Overloaded{
                        [](const Say&) -> std::string_view { return "Say"; },
                        [](const Play&) -> std::string_view { return "Play"; },
                        [](const Pause&) -> std::string_view { return "Pause"; },
                        [](const Gather&) -> std::string_view { return "Gather"; },
                        [](const Record&) -> std::string_view { return "Record"; },
                        [](const Hangup&) -> std::string_view { return "Hangup"; },
                        [](const Reject&) -> std::string_view { return "Reject"; },
                        [](const Redirect&) -> std::string_view { return "Redirect"; },
                        [](const Dial&) -> std::string_view { return "Dial"; },
                        [](const Refer&) -> std::string_view { return "Refer"; },
                        [](const Unsupported& u) -> std::string_view { return u.name; },
                    },
                    verb);
}

std::string_view element_name(const DialTarget& target) noexcept {
  return std::visit(Overloaded{
                        [](const Number&) -> std::string_view { return "Number"; },
                        [](const Sip&) -> std::string_view { return "Sip"; },
                        [](const Client&) -> std::string_view { return "Client"; },
                        [](const Conference&) -> std::string_view { return "Conference"; },
                        [](const UnsupportedNoun& u) -> std::string_view { return u.name; },
                    },
                    target);
}

}  // namespace sb::twiml
