// switchboard's media engine as a stand-alone relay for bench/relay_compare.sh: the same
// MediaEngine, MediaSession, bridge and media threads that `switchboard serve` runs (one media
// thread per core, the server's default options, sessions opened as a <Dial> opens them: the
// second leg colocated with the first, silence sent while nothing is relayed), driven by the
// subset of rtpengine's ng protocol that the load generator speaks, so both relays are set up by
// the same commands. There is no SIP here: this replaces the signalling, not the media path.
//
//   offer  (call-id, from-tag, sdp): session A answers the caller's SDP (media::answer_offer, as
//          the B2BUA answers an inbound INVITE) and session B makes the offer to the callee
//          (media::make_offer); the reply carries B's offer.
//   answer (call-id, to-tag, sdp):   B reads the callee's answer (media::process_answer), A and B
//          are bridged; the reply carries A's answer.
//   delete (call-id):                both sessions closed.
//   ping:                            pong.
//
// Usage: media_relay_server --ng 127.0.0.1:PORT [--rtp-ports LO-HI] [--threads N]
// Runs until SIGTERM/SIGINT.
#include "ng_bencode.hpp"
#include "media/engine/media_engine.hpp"
#include "media/sdp/offer_answer.hpp"
#include "media/sdp/session_description.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>

namespace {

using namespace sb::media;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Call {
  SessionId a{};
  SessionId b{};
  SessionDescription offer_to_callee;
  std::string answer_to_caller;
  bool is_bridged = false;
};

SrtpMasterKey no_key() { return {}; }

LocalMedia local_media(std::uint16_t port) {
  LocalMedia local;
  local.address = "127.0.0.1";
  local.port = port;
  return local;
}

}  // namespace

int main(int argc, char** argv) {
  std::string ng = "127.0.0.1:2223";
  unsigned port_min = 20000, port_max = 29999;
  std::size_t threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--ng") ng = argv[i + 1];
    else if (flag == "--rtp-ports") std::sscanf(argv[i + 1], "%u-%u", &port_min, &port_max);
    else if (flag == "--threads") threads = std::strtoul(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  const auto colon = ng.rfind(':');
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::atoi(ng.c_str() + colon + 1)));
  inet_pton(AF_INET, ng.substr(0, colon).c_str(), &address.sin_addr);
  const int control = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (control < 0 || ::bind(control, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("bind ng");
    return 1;
  }
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);

  MediaEngine engine({.thread_count = threads, .rtp_port_min = static_cast<std::uint16_t>(port_min),
                      .rtp_port_max = static_cast<std::uint16_t>(port_max)},
                     [](MediaEvent) {});
  std::unordered_map<std::string, Call> calls;
  std::fprintf(stderr, "media_relay_server: ng on %s, %zu media threads\n", ng.c_str(), engine.thread_count());

  std::string buffer(65536, '\0');
  while (!g_stop) {
    pollfd fd{control, POLLIN, 0};
    if (::poll(&fd, 1, 200) <= 0) continue;
    sockaddr_in from{};
    socklen_t from_size = sizeof from;
    const auto n = ::recvfrom(control, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_size);
    if (n <= 0) continue;
    const auto message = sb::bench::split_cookie(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    if (!message) continue;
    const auto request = sb::bench::decode_dict(message->second);
    sb::bench::BencodeDict reply;
    const auto fail = [&](const std::string& reason) { reply.set("result", "error").set("error-reason", reason); };
    if (!request) {
      fail("malformed");
    } else {
      const auto get = [&](const char* key) {
        auto it = request->find(key);
        return it == request->end() ? std::string{} : it->second;
      };
      const std::string command = get("command");
      const std::string call_id = get("call-id");
      if (command == "ping") {
        reply.set("result", "pong");
      } else if (command == "offer") {
        auto sdp = SessionDescription::parse(get("sdp"));
        auto a = engine.open_session({.local_address = "127.0.0.1"});
        if (!sdp || !a) {
          fail(!sdp ? "bad sdp" : "no ports: " + a.error().message());
        } else {
          auto b = engine.open_session({.local_address = "127.0.0.1", .colocate_with = a->id});
          auto answered = answer_offer(*sdp, local_media(a->rtp_port), no_key);
          if (!b || !answered) {
            engine.close_session(a->id);
            if (b) engine.close_session(b->id);
            fail(!b ? "no ports for the second leg: " + b.error().message()
                    : "cannot answer the offer: " + answered.error().message());
          } else {
            engine.set_remote(a->id, answered->media);
            Call call{a->id, b->id, make_offer(local_media(b->rtp_port), no_key), answered->answer.to_string(), false};
            reply.set("result", "ok").set("sdp", call.offer_to_callee.to_string());
            if (auto old = calls.find(call_id); old != calls.end()) {
              engine.close_session(old->second.a);
              engine.close_session(old->second.b);
            }
            calls[call_id] = std::move(call);
          }
        }
      } else if (command == "answer") {
        auto it = calls.find(call_id);
        auto sdp = SessionDescription::parse(get("sdp"));
        if (it == calls.end() || !sdp) {
          fail(it == calls.end() ? "unknown call" : "bad sdp");
        } else if (auto media = process_answer(it->second.offer_to_callee, *sdp, SrtpPolicy::none); !media) {
          fail("cannot use the answer");
        } else {
          engine.set_remote(it->second.b, *media);
          if (!it->second.is_bridged) engine.bridge(it->second.a, it->second.b);
          it->second.is_bridged = true;
          reply.set("result", "ok").set("sdp", it->second.answer_to_caller);
        }
      } else if (command == "delete") {
        auto it = calls.find(call_id);
        if (it == calls.end()) {
          fail("unknown call");
        } else {
          engine.close_session(it->second.a);
          engine.close_session(it->second.b);
          calls.erase(it);
          reply.set("result", "ok");
        }
      } else {
        fail("unsupported command");
      }
    }
    const std::string out = std::string(message->first) + " " + reply.encode();
    ::sendto(control, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), from_size);
  }
  engine.stop();
  ::close(control);
  return 0;
}
