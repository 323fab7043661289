// Load generator for the relay comparison (bench/relay_compare.sh): N bridged G.711 calls, each
// two legs sending 20 ms PCMU packets (50 packets/s each way per leg) through a relay, set up and
// torn down with rtpengine's ng protocol (offer / answer / delete over UDP), or sent straight
// from one leg's socket to the other's (--direct: the loopback ceiling of this same generator).
//
// One thread. The caller legs share one socket and the callee legs another (each with an RTCP
// sink on port + 1): the relay sends every call's packets to them and the payload says which
// call and direction a packet belongs to, so loss is counted per stream without a socket per
// leg, and both directions are sent and received in batches (sendmmsg / recvmmsg). Calls are
// spread over 20 phases of 1 ms so the load is even, not a burst every 20 ms.
//
// Timeline: set up --calls calls; --warmup seconds; a measuring window of --seconds; then
// 1 s more for stragglers (a packet later than that counts as lost), delete every call, print one line of key=value. Only packets sent
// inside the window count, and the relay's CPU (utime + stime of /proc/PID/stat) is read at the
// window's edges. --churn-rate R adds calls created and deleted continuously (R per second,
// each sending for --churn-life seconds) on top of the steady calls, from the start of the
// warm-up to the end of the window; their packets are counted apart.
//
// Usage: relay_load (--ng HOST:PORT --pid PID | --direct) --calls N [--warmup S] [--seconds S]
//                   [--churn-rate R] [--churn-life S] [--gen-port P]
#include "ng_bencode.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::uint32_t kMagic = 0x53424C47;  // "SBLG"
constexpr std::size_t kPacketSize = 12 + 160;
constexpr std::size_t kPhases = 20;  // 1 ms each
constexpr std::size_t kBatch = 256;
constexpr std::size_t kMaxInFlight = 32;  // ng commands awaiting a reply

struct Options {
  std::string ng;
  int pid = 0;
  bool is_direct = false;
  std::size_t calls = 100;
  double warmup = 2;
  double seconds = 10;
  double churn_rate = 0;
  double churn_life = 2;
  int gen_port = 46000;
};

enum class State : std::uint8_t { queued, offering, answering, active, stopping, deleting, done, failed };

struct Call {
  State state = State::queued;
  bool is_churn = false;
  sockaddr_in to[2]{};  // [0]: where the caller sends (relay, caller side); [1]: where the callee sends
  std::uint16_t sequence[2]{};
  std::uint32_t timestamp[2]{};
  Clock::time_point stop_at{};
  Clock::time_point delete_at{};
  std::uint64_t sent[2]{};      // inside the window
  std::uint64_t received[2]{};  // of those
};

struct Pending {
  std::uint32_t call;
  std::string command;
  std::string message;
  Clock::time_point sent_at;
  int tries = 1;
};

double seconds_since(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

// utime + stime of a process (all its threads), in seconds; `user` gets utime alone.
double process_cpu_seconds(int pid, double* user = nullptr) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  if (user) *user = static_cast<double>(utime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double self_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

// The kernel's UDP receive-buffer drops (all sockets): a full socket, the generator's or the
// relay's, shows here and nowhere else.
unsigned long long udp_receive_buffer_errors() {
  std::ifstream in("/proc/net/snmp");
  std::string header, values;
  while (std::getline(in, header) && std::getline(in, values)) {
    if (header.rfind("Udp:", 0) != 0) continue;
    std::istringstream names(header), numbers(values);
    std::string name, number;
    while (names >> name && numbers >> number)
      if (name == "RcvbufErrors") return std::stoull(number);
  }
  return 0;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one;
}

sockaddr_in make_address(const std::string& host, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &a.sin_addr);
  return a;
}

int bind_udp(int port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const sockaddr_in a = make_address("127.0.0.1", port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  const int size = 32 << 20;  // root: past rmem_max; otherwise capped, still fine at 1 ms drains
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
  return fd;
}

void put32(std::byte* p, std::uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<std::byte>(v & 0xFF);
}
void put16(std::byte* p, std::uint16_t v) {
  p[0] = static_cast<std::byte>(v >> 8);
  p[1] = static_cast<std::byte>(v & 0xFF);
}
std::uint32_t get32(const std::byte* p) {
  return (std::to_integer<std::uint32_t>(p[0]) << 24) | (std::to_integer<std::uint32_t>(p[1]) << 16) |
         (std::to_integer<std::uint32_t>(p[2]) << 8) | std::to_integer<std::uint32_t>(p[3]);
}

// The m= port and c= address of an SDP body.
std::optional<sockaddr_in> media_address(const std::string& sdp) {
  std::string host;
  int port = 0;
  std::istringstream lines(sdp);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("c=IN IP4 ", 0) == 0) host = line.substr(9);
    if (line.rfind("m=audio ", 0) == 0) port = std::atoi(line.c_str() + 8);
  }
  if (host.empty() || port == 0) return std::nullopt;
  return make_address(host, port);
}

std::string make_sdp(std::uint32_t call, int port) {
  return "v=0\r\no=- " + std::to_string(1000 + call) + " 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio " + std::to_string(port) + " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";
}

// Latency histogram in 10 µs buckets up to 200 ms.
struct Histogram {
  std::vector<std::uint64_t> buckets = std::vector<std::uint64_t>(20001, 0);
  std::uint64_t count = 0;
  void add(std::uint64_t ns) {
    ++buckets[std::min<std::uint64_t>(ns / 10000, buckets.size() - 1)];
    ++count;
  }
  double percentile_us(double p) const {
    if (count == 0) return 0;
    const auto wanted = static_cast<std::uint64_t>(p * static_cast<double>(count));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      seen += buckets[i];
      if (seen > wanted) return static_cast<double>(i) * 10.0 + 5.0;
    }
    return static_cast<double>(buckets.size()) * 10.0;
  }
};

class Generator {
 public:
  explicit Generator(Options options) : o_(std::move(options)) {}

  int run() {
    if (!open_sockets()) return 1;
    calls_.reserve(o_.calls + static_cast<std::size_t>(o_.churn_rate * (o_.warmup + o_.seconds + 2)) + 16);
    for (std::size_t i = 0; i < o_.calls; ++i) add_call(false);

    // Set-up of the steady calls.
    const auto setup_start = Clock::now();
    while (count(State::active) + count(State::failed) < o_.calls) {
      step(Clock::now() + 1ms, false);
      if (Clock::now() - setup_start > 120s) break;
    }
    const double setup_seconds = seconds_since(setup_start, Clock::now());
    const std::size_t setup_failed = count(State::failed);

    // Media: warm-up, window, stragglers.
    const auto start = Clock::now();
    window_start_ = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.warmup));
    window_end_ = window_start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.seconds));
    window_start_ns_ = ns_of(window_start_);
    window_end_ns_ = ns_of(window_end_);
    next_slot_ = start;
    next_churn_ = start;
    bool in_window = false;
    double server_cpu_start = 0, server_user_start = 0, self_cpu_start = 0;
    unsigned long long rcvbuf_errors_start = 0;
    std::string load_start;
    while (!window_closed_ || Clock::now() < window_end_ + 1s) {
      const auto now = Clock::now();
      if (!in_window && now >= window_start_) {
        in_window = true;
        server_cpu_start = o_.pid ? process_cpu_seconds(o_.pid, &server_user_start) : 0;
        self_cpu_start = self_cpu_seconds();
        load_start = load_average();
        rcvbuf_errors_start = udp_receive_buffer_errors();
      }
      if (in_window && !window_closed_ && now >= window_end_) {
        window_closed_ = true;
        double user = 0;
        server_cpu_ = (o_.pid ? process_cpu_seconds(o_.pid, &user) : 0) - server_cpu_start;
        server_user_ = user - server_user_start;
        self_cpu_ = self_cpu_seconds() - self_cpu_start;
        load_end_ = load_average();
        rcvbuf_errors_ = udp_receive_buffer_errors() - rcvbuf_errors_start;
      }
      if (o_.churn_rate > 0 && now < window_end_) {
        while (now >= next_churn_) {
          add_call(true);
          next_churn_ += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o_.churn_rate));
        }
      }
      step(next_slot_, true);
    }
    sending_ = false;

    // Tear-down.
    for (std::uint32_t i = 0; i < calls_.size(); ++i)
      if (calls_[i].state == State::active || calls_[i].state == State::stopping) queue_delete(i);
    const auto teardown_start = Clock::now();
    while ((!to_send_.empty() || !pending_.empty()) && Clock::now() - teardown_start < 30s) step(Clock::now() + 1ms, false);

    print(setup_seconds, setup_failed, load_start);
    return 0;
  }

 private:
  static std::uint64_t ns_of(Clock::time_point t) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
  }

  bool open_sockets() {
    for (int port = o_.gen_port; port < o_.gen_port + 400; port += 4) {
      int fds[4];
      bool ok = true;
      for (int i = 0; i < 4; ++i) {
        fds[i] = bind_udp(port + i);
        if (fds[i] < 0) ok = false;
      }
      if (ok) {
        rtp_[0] = fds[0];  // caller legs
        rtcp_[0] = fds[1];
        rtp_[1] = fds[2];  // callee legs
        rtcp_[1] = fds[3];
        port_[0] = port;
        port_[1] = port + 2;
        break;
      }
      for (int fd : fds)
        if (fd >= 0) ::close(fd);
    }
    if (rtp_[0] < 0) {
      std::fprintf(stderr, "relay_load: no free generator ports\n");
      return false;
    }
    if (!o_.is_direct) {
      const auto colon = o_.ng.rfind(':');
      const sockaddr_in server = make_address(o_.ng.substr(0, colon), std::atoi(o_.ng.c_str() + colon + 1));
      control_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (::connect(control_, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) return false;
    }
    return true;
  }

  void add_call(bool is_churn) {
    const auto index = static_cast<std::uint32_t>(calls_.size());
    Call& call = calls_.emplace_back();
    call.is_churn = is_churn;
    call.sequence[0] = static_cast<std::uint16_t>(index * 7);
    call.sequence[1] = static_cast<std::uint16_t>(index * 13);
    phases_[(index * 7) % kPhases].push_back(index * 2);
    phases_[(index * 7 + kPhases / 2) % kPhases].push_back(index * 2 + 1);
    if (o_.is_direct) {
      call.to[0] = make_address("127.0.0.1", port_[1]);
      call.to[1] = make_address("127.0.0.1", port_[0]);
      activate(index);
    } else {
      queue(index, "offer");
    }
  }

  void activate(std::uint32_t index) {
    Call& call = calls_[index];
    call.state = State::active;
    if (call.is_churn)
      call.stop_at = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.churn_life));
  }

  std::size_t count(State state) const {
    return static_cast<std::size_t>(std::count_if(calls_.begin(), calls_.end(), [&](const Call& c) { return c.state == state; }));
  }

  // ---- ng ----
  void queue(std::uint32_t call, std::string command) { to_send_.push_back({call, std::move(command)}); }
  void queue_delete(std::uint32_t call) {
    calls_[call].state = State::deleting;
    queue(call, "delete");
  }

  void send_commands(Clock::time_point now) {
    while (!to_send_.empty() && pending_.size() < kMaxInFlight) {
      auto [index, command] = to_send_.front();
      to_send_.pop_front();
      sb::bench::BencodeDict dict;
      dict.set("command", command).set("call-id", "relay-load-" + std::to_string(index)).set("from-tag", "caller");
      if (command == "offer") {
        calls_[index].state = State::offering;
        dict.set("sdp", make_sdp(index, port_[0]));
      } else if (command == "answer") {
        dict.set("to-tag", "callee").set("sdp", make_sdp(index, port_[1]));
      }
      const std::string cookie = std::to_string(++cookies_);
      Pending pending{index, command, cookie + " " + dict.encode(), now};
      ::send(control_, pending.message.data(), pending.message.size(), 0);
      pending_.emplace(cookie, std::move(pending));
    }
    // Retransmit after 2 s (ng replies are cached by cookie), give up after three tries.
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (now - it->second.sent_at < 2s) {
        ++it;
        continue;
      }
      if (it->second.tries >= 3) {
        ++command_failures_;
        if (it->second.command != "delete") calls_[it->second.call].state = State::failed;
        else calls_[it->second.call].state = State::done;
        it = pending_.erase(it);
        continue;
      }
      ++it->second.tries;
      it->second.sent_at = now;
      ::send(control_, it->second.message.data(), it->second.message.size(), 0);
      ++it;
    }
  }

  void read_control() {
    std::array<char, 65536> buffer;
    for (;;) {
      const auto n = ::recv(control_, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n <= 0) return;
      const auto message = sb::bench::split_cookie(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      if (!message) continue;
      auto it = pending_.find(std::string(message->first));
      if (it == pending_.end()) continue;
      const Pending pending = std::move(it->second);
      pending_.erase(it);
      const auto reply = sb::bench::decode_dict(message->second);
      Call& call = calls_[pending.call];
      const bool ok = reply && reply->count("result") && reply->at("result") == "ok";
      if (pending.command == "delete") {
        call.state = State::done;
        if (!ok) ++command_failures_;
        continue;
      }
      std::optional<sockaddr_in> address;
      if (ok && reply->count("sdp")) address = media_address(reply->at("sdp"));
      if (!address) {
        ++command_failures_;
        if (command_failures_ <= 3)
          std::fprintf(stderr, "relay_load: %s failed: %.*s\n", pending.command.c_str(), static_cast<int>(message->second.size()),
                       message->second.data());
        call.state = State::failed;
        continue;
      }
      if (pending.command == "offer") {  // the relay's callee-facing port: where the callee sends
        call.to[1] = *address;
        call.state = State::answering;
        queue(pending.call, "answer");
      } else {  // answer: the caller-facing port
        call.to[0] = *address;
        activate(pending.call);
      }
    }
  }

  // ---- media ----
  void send_slot(std::size_t phase) {
    const std::uint64_t now = now_ns();
    const bool counts = now >= window_start_ns_ && now < window_end_ns_;
    std::size_t used[2] = {0, 0};
    for (std::uint32_t stream : phases_[phase]) {
      Call& call = calls_[stream / 2];
      const int direction = static_cast<int>(stream % 2);
      if (call.state != State::active) continue;
      const int side = direction;  // direction 0 leaves the caller socket, 1 the callee socket
      std::byte* packet = out_[side][used[side]].data();
      packet[0] = std::byte{0x80};
      packet[1] = std::byte{0};  // PCMU
      put16(packet + 2, call.sequence[direction]++);
      put32(packet + 4, call.timestamp[direction] += 160);
      put32(packet + 8, 0x10000u + stream);
      put32(packet + 12, kMagic);
      put32(packet + 16, stream);
      put32(packet + 20, static_cast<std::uint32_t>(now >> 32));
      put32(packet + 24, static_cast<std::uint32_t>(now & 0xFFFFFFFF));
      out_vec_[side][used[side]] = {packet, kPacketSize};
      auto& header = out_msg_[side][used[side]].msg_hdr;
      header = {};
      header.msg_name = &call.to[direction];
      header.msg_namelen = sizeof(sockaddr_in);
      header.msg_iov = &out_vec_[side][used[side]];
      header.msg_iovlen = 1;
      if (counts) {
        ++call.sent[direction];
        ++(call.is_churn ? churn_sent_ : steady_sent_);
      }
      if (++used[side] == kBatch) flush(side, used[side]);
    }
    for (int side = 0; side < 2; ++side) flush(side, used[side]);
  }

  void flush(int side, std::size_t& used) {
    std::size_t done = 0;
    while (done < used) {
      const int n = ::sendmmsg(rtp_[side], &out_msg_[side][done], static_cast<unsigned>(used - done), MSG_DONTWAIT);
      if (n <= 0) {
        send_failures_ += used - done;
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    used = 0;
  }

  void receive(int side) {
    for (;;) {
      for (std::size_t i = 0; i < kBatch; ++i) {
        in_vec_[i] = {in_[i].data(), in_[i].size()};
        in_msg_[i].msg_hdr = {};
        in_msg_[i].msg_hdr.msg_iov = &in_vec_[i];
        in_msg_[i].msg_hdr.msg_iovlen = 1;
      }
      const int n = ::recvmmsg(rtp_[side], in_msg_.data(), kBatch, MSG_DONTWAIT, nullptr);
      if (n <= 0) return;
      const std::uint64_t now = now_ns();
      for (int i = 0; i < n; ++i) count_received(side, in_[static_cast<std::size_t>(i)].data(), in_msg_[static_cast<std::size_t>(i)].msg_len, now);
      if (n < static_cast<int>(kBatch)) return;
    }
  }

  void count_received(int side, const std::byte* packet, std::size_t size, std::uint64_t now) {
    if (size < 12) return ++other_, void();
    std::size_t header = 12 + 4 * (std::to_integer<std::size_t>(packet[0]) & 0x0F);
    if ((std::to_integer<unsigned>(packet[0]) & 0x10) && size >= header + 4)
      header += 4 + 4 * ((std::to_integer<std::size_t>(packet[header + 2]) << 8) | std::to_integer<std::size_t>(packet[header + 3]));
    if (size < header + 16 || get32(packet + header) != kMagic) return ++other_, void();
    const std::uint32_t stream = get32(packet + header + 4);
    const std::uint64_t sent_at = (static_cast<std::uint64_t>(get32(packet + header + 8)) << 32) | get32(packet + header + 12);
    if (stream / 2 >= calls_.size()) return ++other_, void();
    const int direction = static_cast<int>(stream % 2);
    if (side != 1 - direction) return ++misrouted_, void();  // direction 0 arrives at the callee socket
    if (sent_at < window_start_ns_ || sent_at >= window_end_ns_) return;
    Call& call = calls_[stream / 2];
    ++call.received[direction];
    ++(call.is_churn ? churn_received_ : steady_received_);
    latency_.add(now - sent_at);
  }

  void drain_rtcp() {
    std::array<std::byte, 2048> scratch;
    for (int fd : rtcp_)
      while (::recv(fd, scratch.data(), scratch.size(), MSG_DONTWAIT) > 0) ++rtcp_seen_;
  }

  void churn(Clock::time_point now) {
    for (std::uint32_t i = 0; i < calls_.size(); ++i) {
      Call& call = calls_[i];
      if (!call.is_churn) continue;
      if (call.state == State::active && now >= call.stop_at) {
        call.state = State::stopping;  // quiet for 100 ms before the delete: no packet in flight dies with it
        call.delete_at = now + 100ms;
      } else if (call.state == State::stopping && now >= call.delete_at) {
        queue_delete(i);
        ++churned_;
      }
    }
  }

  // Runs until `until`: sends the slots that are due, the ng commands, and reads everything.
  void step(Clock::time_point until, bool sends_media) {
    for (;;) {
      const auto now = Clock::now();
      if (sends_media && sending_) {
        while (now >= next_slot_) {
          const auto lag = now - next_slot_;
          if (now >= window_start_ && now < window_end_) max_lag_ = std::max(max_lag_, lag);
          if (lag > 100ms) {
            ++skipped_slots_;  // the generator cannot keep up: the run is not valid
          } else {
            send_slot(slot_ % kPhases);
          }
          ++slot_;
          next_slot_ += 1ms;
        }
      }
      if (!o_.is_direct) {
        if (now - last_churn_check_ >= 1ms) {
          last_churn_check_ = now;
          churn(now);
        }
        send_commands(now);
      }
      if (now >= until) return;
      pollfd fds[5] = {{rtp_[0], POLLIN, 0}, {rtp_[1], POLLIN, 0}, {rtcp_[0], POLLIN, 0}, {rtcp_[1], POLLIN, 0}, {control_, POLLIN, 0}};
      const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(until - now);
      timespec timeout{static_cast<time_t>(wait.count() / 1000000000), static_cast<long>(wait.count() % 1000000000)};
      const int ready = ::ppoll(fds, o_.is_direct ? 4 : 5, &timeout, nullptr);
      if (ready <= 0) continue;
      if (fds[0].revents) receive(0);
      if (fds[1].revents) receive(1);
      if (fds[2].revents || fds[3].revents) drain_rtcp();
      if (!o_.is_direct && fds[4].revents) read_control();
    }
  }

  void print(double setup_seconds, std::size_t setup_failed, const std::string& load_start) {
    const std::uint64_t received = steady_received_ + churn_received_;
    const std::uint64_t sent = steady_sent_ + churn_sent_;
    const auto loss = [](std::uint64_t s, std::uint64_t r) { return s == 0 ? 0.0 : 100.0 * (static_cast<double>(s) - static_cast<double>(r)) / static_cast<double>(s); };
    std::printf(
        "calls=%zu churn_rate=%.1f setup_s=%.2f setup_failed=%zu command_failures=%llu steady_sent=%llu "
        "steady_received=%llu steady_loss_pct=%.4f churn_sent=%llu churn_received=%llu churn_loss_pct=%.4f "
        "churned=%llu relayed_pps=%.0f server_cpu_s=%.3f server_us_per_pkt=%.3f server_user_us_per_pkt=%.3f server_core_pct=%.1f "
        "gen_us_per_pkt=%.3f lat_p50_us=%.0f lat_p99_us=%.0f lat_max_bucket_us=%.0f gen_max_lag_ms=%.2f "
        "gen_skipped_slots=%llu udp_rcvbuf_errors=%llu send_failures=%llu misrouted=%llu other=%llu load_start=%s load_end=%s\n",
        o_.calls, o_.churn_rate, setup_seconds, setup_failed, static_cast<unsigned long long>(command_failures_),
        static_cast<unsigned long long>(steady_sent_), static_cast<unsigned long long>(steady_received_),
        loss(steady_sent_, steady_received_), static_cast<unsigned long long>(churn_sent_),
        static_cast<unsigned long long>(churn_received_), loss(churn_sent_, churn_received_),
        static_cast<unsigned long long>(churned_), static_cast<double>(received) / o_.seconds, server_cpu_,
        received ? server_cpu_ * 1e6 / static_cast<double>(received) : 0.0,
        received ? server_user_ * 1e6 / static_cast<double>(received) : 0.0, 100.0 * server_cpu_ / o_.seconds,
        sent + received ? self_cpu_ * 1e6 / static_cast<double>(received) : 0.0, latency_.percentile_us(0.5),
        latency_.percentile_us(0.99), latency_.percentile_us(0.99999),
        std::chrono::duration<double, std::milli>(max_lag_).count(), static_cast<unsigned long long>(skipped_slots_), rcvbuf_errors_,
        static_cast<unsigned long long>(send_failures_),
        static_cast<unsigned long long>(misrouted_), static_cast<unsigned long long>(other_), load_start.c_str(),
        load_end_.c_str());
  }

  Options o_;
  int rtp_[2] = {-1, -1};
  int rtcp_[2] = {-1, -1};
  int port_[2] = {0, 0};
  int control_ = -1;
  std::vector<Call> calls_;
  std::array<std::vector<std::uint32_t>, kPhases> phases_;
  std::deque<std::pair<std::uint32_t, std::string>> to_send_;
  std::unordered_map<std::string, Pending> pending_;
  std::uint64_t cookies_ = 0;

  Clock::time_point window_start_{}, window_end_{}, next_slot_{}, next_churn_{}, last_churn_check_{};
  std::uint64_t window_start_ns_ = ~0ull, window_end_ns_ = 0;
  bool window_closed_ = false;
  bool sending_ = true;
  std::uint64_t slot_ = 0;
  Clock::duration max_lag_{};

  std::array<std::array<std::array<std::byte, kPacketSize>, kBatch>, 2> out_{};
  std::array<std::array<iovec, kBatch>, 2> out_vec_{};
  std::array<std::array<mmsghdr, kBatch>, 2> out_msg_{};
  std::array<std::array<std::byte, 2048>, kBatch> in_{};
  std::array<iovec, kBatch> in_vec_{};
  std::array<mmsghdr, kBatch> in_msg_{};

  std::uint64_t steady_sent_ = 0, steady_received_ = 0, churn_sent_ = 0, churn_received_ = 0;
  std::uint64_t skipped_slots_ = 0;
  std::uint64_t command_failures_ = 0, send_failures_ = 0, misrouted_ = 0, other_ = 0, rtcp_seen_ = 0, churned_ = 0;
  double server_cpu_ = 0, server_user_ = 0, self_cpu_ = 0;
  unsigned long long rcvbuf_errors_ = 0;
  std::string load_end_;
  Histogram latency_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", flag.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--ng") o.ng = value();
    else if (flag == "--pid") o.pid = std::atoi(value().c_str());
    else if (flag == "--direct") o.is_direct = true;
    else if (flag == "--calls") o.calls = std::strtoul(value().c_str(), nullptr, 10);
    else if (flag == "--warmup") o.warmup = std::atof(value().c_str());
    else if (flag == "--seconds") o.seconds = std::atof(value().c_str());
    else if (flag == "--churn-rate") o.churn_rate = std::atof(value().c_str());
    else if (flag == "--churn-life") o.churn_life = std::atof(value().c_str());
    else if (flag == "--gen-port") o.gen_port = std::atoi(value().c_str());
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (!o.is_direct && o.ng.empty()) {
    std::fprintf(stderr, "relay_load: --ng HOST:PORT or --direct\n");
    return 2;
  }
  auto generator = std::make_unique<Generator>(o);
  return generator->run();
}
