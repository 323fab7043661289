#include "media/engine/media_worker.hpp"

#include "media/player/audio_file.hpp"
#include "media/tts/speech_synthesizer.hpp"

#include <boost/asio/post.hpp>

#include <pthread.h>
#include <sys/epoll.h>

#include <array>
#include <cerrno>
#include <system_error>
#include <variant>

namespace sb::media {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
// Epoll events handed over per epoll_wait(), and rounds per wake-up before the worker lets its
// other handlers (commands, the tick) run.
constexpr int kEpollEvents = 128;
constexpr int kEpollRounds = 4;

int make_epoll() {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "media: epoll_create1");
  return fd;
}
}  // namespace

MediaWorker::MediaWorker(std::size_t index, const MediaSession::EventSink* sink, AudioPreparer& preparer)
    : index_(index),
      sink_(sink),
      preparer_(preparer),
      work_(io_.get_executor()),
      tick_(io_),
      batch_(std::make_unique<ReceiveBatch>()),
      epoll_(io_, make_epoll()) {}

MediaWorker::~MediaWorker() { stop(); }

void MediaWorker::start() {
  thread_ = std::thread([this] {
    // Named for top -H, perf and the benchmarks' per-thread CPU (at most 15 characters).
    const std::string name = "sb-media-" + std::to_string(index_);
    pthread_setname_np(pthread_self(), name.c_str());
    next_tick_ = Clock::now() + kTickInterval;
    schedule_tick();
    watch_sockets();
    io_.run();
  });
}

void MediaWorker::stop() {
  if (!thread_.joinable()) return;
  post([this] {
    while (!slots_.empty()) close(slots_.begin()->first);
    incoming_.clear();
    tick_.cancel();
    epoll_.cancel();
    io_.stop();
  });
  thread_.join();
}

void MediaWorker::schedule_tick() {
  tick_.expires_at(next_tick_);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    on_tick();
  });
}

void MediaWorker::on_tick() {
  // Datagrams already waiting are relayed before the sessions tick: a session that is behind
  // (a loaded machine) must not take its late packets for a pause and fill it with silence.
  // This also catches a wake-up that raced with re-arming the watch.
  on_sockets_ready();
  const auto now = Clock::now();
  for (auto& [id, slot] : slots_) {
    slot->session->on_tick(now);
    // A session the flood bound stopped is read again from here.
    for (int which = 0; which < 2; ++which)
      if (!slot->is_waiting[which]) read(*slot, which);
  }
  if (++ticks_ % 50 == 0 && !moved_.empty())
    std::erase_if(moved_, [&](const auto& entry) { return now - entry.second.at > kMovedMemory; });
  next_tick_ += kTickInterval;
  // Fell far behind (a stalled machine, a debugger): resume the cadence from now rather than
  // firing a burst of late ticks.
  if (next_tick_ < now - 5 * kTickInterval) next_tick_ = now + kTickInterval;
  schedule_tick();
}

void MediaWorker::read(Slot& slot, int which) noexcept {
  MediaSession& session = *slot.session;
  UdpSocket& socket = which == 0 ? session.rtp_socket() : session.rtcp_socket();
  slot.is_waiting[which] = false;
  for (;;) {
    const std::size_t budget = session.read_budget();
    if (budget == 0) return;  // throttled until the next tick
    const std::size_t wanted = std::min(budget, kReceiveBatchSize);
    const std::size_t count = socket.receive(*batch_, wanted);
    session.count_read(count);
    const auto now = Clock::now();
    send_queue_.is_collecting = true;
    for (std::size_t i = 0; i < count; ++i) {
      if (which == 0)
        session.on_rtp_datagram(batch_->datagrams[i], now);
      else
        session.on_rtcp_datagram(batch_->datagrams[i], now);
    }
    flush_sends();  // before the next receive reuses the buffers
    if (count < wanted) break;  // drained: the next datagram brings an epoll event
  }
  slot.is_waiting[which] = true;
}

void MediaWorker::flush_sends() noexcept {
  send_queue_.is_collecting = false;
  std::size_t first = 0;
  while (first < send_queue_.size) {
    MediaSession* sender = send_queue_.senders[first];
    std::size_t end = first + 1;
    while (end < send_queue_.size && send_queue_.senders[end] == sender) ++end;
    const std::size_t sent =
        sender->rtp_socket().send_many(std::span(send_queue_.datagrams).subspan(first, end - first));
    for (std::size_t i = first; i < end; ++i) sender->count_sent(i - first < sent, send_queue_.plain_sizes[i]);
    first = end;
  }
  send_queue_.size = 0;
}

void MediaWorker::on_sockets_ready() noexcept {
  std::array<epoll_event, kEpollEvents> events;
  int round = 0;
  for (; round < kEpollRounds; ++round) {
    const int count = ::epoll_wait(epoll_.native_handle(), events.data(), kEpollEvents, 0);
    for (int i = 0; i < count; ++i) {
      const std::uint64_t key = events[static_cast<std::size_t>(i)].data.u64;
      auto it = slots_.find(SessionId{key >> 1});
      if (it != slots_.end()) read(*it->second, static_cast<int>(key & 1));
    }
    if (count < kEpollEvents) break;
  }
  if (round == kEpollRounds) {
    // Still busy: let commands and the tick run, then come back without waiting.
    post([this] { on_sockets_ready(); });
  }
}

void MediaWorker::watch_sockets() {
  epoll_.async_wait(asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;
    on_sockets_ready();
    watch_sockets();
  });
}

void MediaWorker::add_to_epoll(SessionId id, MediaSession& session) noexcept {
  for (int which = 0; which < 2; ++which) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLET;
    event.data.u64 = (static_cast<std::uint64_t>(id) << 1) | static_cast<std::uint64_t>(which);
    const int fd = which == 0 ? session.rtp_socket().native_handle() : session.rtcp_socket().native_handle();
    ::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_ADD, fd, &event);
  }
}

void MediaWorker::remove_from_epoll(MediaSession& session) noexcept {
  // The sockets stay open (a session moving to another worker keeps them): unregister explicitly.
  ::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_DEL, session.rtp_socket().native_handle(), nullptr);
  ::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_DEL, session.rtcp_socket().native_handle(), nullptr);
}

MediaSession* MediaWorker::find(SessionId id) noexcept {
  auto it = slots_.find(id);
  return it == slots_.end() ? nullptr : it->second->session.get();
}

void MediaWorker::adopt(std::unique_ptr<MediaSession> session) {
  const SessionId id = session->id();
  session->set_event_sink(sink_);
  session->set_send_queue(&send_queue_);
  auto slot = std::make_unique<Slot>();
  slot->session = std::move(session);
  Slot& ref = *slot;
  slots_[id] = std::move(slot);
  moved_.erase(id);
  add_to_epoll(id, *ref.session);
  read(ref, 0);  // what arrived before it was registered brings no event
  read(ref, 1);
  if (auto it = incoming_.find(id); it != incoming_.end()) {
    auto commands = std::move(it->second);
    incoming_.erase(it);
    for (auto& command : commands) with_session(id, std::move(command));
  }
}

void MediaWorker::with_session(SessionId id, SessionCommand command) {
  if (MediaSession* session = find(id)) {
    command(*session);
  } else if (auto in = incoming_.find(id); in != incoming_.end()) {
    in->second.push_back(std::move(command));
  } else if (auto moved = moved_.find(id); moved != moved_.end()) {
    MediaWorker* to = moved->second.to;
    to->post([to, id, command = std::move(command)]() mutable { to->with_session(id, std::move(command)); });
  }
}

void MediaWorker::expect(SessionId id) {
  if (!find(id)) incoming_[id];
}

void MediaWorker::migrate(SessionId id, MediaWorker& to) {
  auto it = slots_.find(id);
  if (it == slots_.end()) {
    // Closed meanwhile, or not here yet: pass on whatever arrives.
    to.post([&to, id] { to.incoming_.erase(id); });
    return;
  }
  MediaSession& session = *it->second->session;
  if (MediaSession* peer = session.peer()) {
    peer->attach_peer(nullptr);
    session.attach_peer(nullptr);
  }
  auto moving = std::move(it->second->session);
  slots_.erase(it);
  remove_from_epoll(*moving);  // the sockets stay open inside the session
  moving->set_event_sink(nullptr);
  moving->set_send_queue(nullptr);
  moved_[id] = {&to, Clock::now()};
  to.post([&to, s = std::move(moving)]() mutable { to.adopt(std::move(s)); });
}

void MediaWorker::close(SessionId id) {
  if (auto in = incoming_.find(id); in != incoming_.end()) {  // close it when it arrives
    in->second.push_back([this, id](MediaSession&) { close(id); });
    return;
  }
  auto it = slots_.find(id);
  if (it == slots_.end()) {
    if (auto moved = moved_.find(id); moved != moved_.end()) {
      MediaWorker* to = moved->second.to;
      to->post([to, id] { to->close(id); });
    }
    return;
  }
  it->second->session->close();
  remove_from_epoll(*it->second->session);
  slots_.erase(it);
}

void MediaWorker::play(SessionId id, PlayId play, PlayRequest request) {
  with_session(id, [this, id, play, request = std::move(request)](MediaSession& session) {
    session.expect_play(play);
    const std::uint32_t loop = request.loop;
    if (const auto* silence = std::get_if<Silence>(&request.source)) {
      session.start_play(play, Player::silence(*silence, loop));
      return;
    }
    if (const auto* tone = std::get_if<Tone>(&request.source)) {
      session.start_play(play, Player::tone(*tone, loop));
      return;
    }
    // Files and speech: prepared off the media threads, then handed back.
    preparer_.submit([this, id, play, loop, source = request.source] {
      Result<std::vector<std::int16_t>> pcm = std::make_error_code(std::errc::invalid_argument);
      std::string what;
      if (const auto* file = std::get_if<AudioFile>(&source)) {
        pcm = load_audio_file(file->path);
        what = "cannot play " + file->path;
      } else if (const auto* speech = std::get_if<Speech>(&source)) {
        pcm = synthesize_speech(speech->text, speech->voice, speech->is_female);
        what = "cannot synthesise speech with voice " + speech->voice;
      }
      if (pcm) {
        auto buffer = std::make_shared<const std::vector<std::int16_t>>(std::move(*pcm));
        post([this, id, play, loop, buffer] {
          with_session(id, [&](MediaSession& s) { s.start_play(play, Player::pcm(buffer, loop)); });
        });
      } else {
        post([this, id, play, reason = what + ": " + pcm.error().message()] {
          with_session(id, [&](MediaSession& s) { s.fail_play(play, reason); });
        });
      }
    });
  });
}

void MediaWorker::bridge(SessionId a, SessionId b) {
  // `b` may still be on its way here: run when it is.
  with_session(b, [this, a](MediaSession& second) {
    MediaSession* first = find(a);
    if (!first || first == &second) {
      if (sink_ && *sink_)
        (*sink_)(MediaEvent{a, MediaError{MediaError::Kind::bridge_failed, "session to bridge is gone"}});
      return;
    }
    for (MediaSession* s : {first, &second}) {
      if (MediaSession* old = s->peer()) {
        old->attach_peer(nullptr);
        s->attach_peer(nullptr);
      }
    }
    first->attach_peer(&second);
    second.attach_peer(first);
  });
}

void MediaWorker::unbridge(SessionId id) {
  with_session(id, [](MediaSession& session) {
    if (MediaSession* peer = session.peer()) peer->attach_peer(nullptr);
    session.attach_peer(nullptr);
  });
}

}  // namespace sb::media
