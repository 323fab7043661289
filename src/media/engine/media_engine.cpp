#include "media/engine/media_engine.hpp"

#include "media/engine/audio_preparer.hpp"
#include "media/engine/media_worker.hpp"

#include <algorithm>
#include <cassert>
#include <random>
#include <stdexcept>
#include <unordered_map>

namespace sb::media {

struct MediaEngine::Impl {
  Impl(const MediaEngineOptions& o, EventHandler handler)
      : options(o), on_event(std::move(handler)), ports(o.rtp_port_min, o.rtp_port_max), rng(std::random_device{}()) {}

  bool is_owner_thread() const noexcept { return std::this_thread::get_id() == owner_thread; }

  // The worker that owns `id` now, or nullptr for an unknown (closed) session.
  MediaWorker* worker_of(SessionId id) {
    assert(is_owner_thread());
    auto it = owners.find(id);
    return it == owners.end() || is_stopped ? nullptr : workers[it->second.worker].get();
  }
  template <class Command>
  void on_session(SessionId id, Command command) {
    if (MediaWorker* worker = worker_of(id))
      send(worker, [worker, id, command = std::move(command)]() mutable { worker->with_session(id, std::move(command)); });
  }

  // Hands `f` to `worker`. With a defer (the signalling loop's), what one turn of the loop sends
  // goes after that turn, in one wake per worker: a worker woken at once would preempt the loop
  // in the middle of a request (an INVITE, a webhook) on a busy machine. Order is kept: the
  // queue is posted in runs, one per stretch of commands for the same worker.
  template <class F>
  void send(MediaWorker* worker, F&& f) {
    if (!options.defer) return worker->post(std::forward<F>(f));
    auto shared = std::make_shared<std::decay_t<F>>(std::forward<F>(f));
    pending.emplace_back(worker, [shared] { (*shared)(); });
    if (is_flush_deferred) return;
    is_flush_deferred = true;
    options.defer([this] { flush(); });
  }
  void flush() {
    is_flush_deferred = false;
    auto queue = std::exchange(pending, {});
    if (is_stopped) return;
    for (std::size_t i = 0; i < queue.size();) {
      MediaWorker* worker = queue[i].first;
      std::vector<std::function<void()>> run;
      for (; i < queue.size() && queue[i].first == worker; ++i) run.push_back(std::move(queue[i].second));
      worker->post([run = std::move(run)] {
        for (const auto& f : run) f();
      });
    }
  }

  MediaEngineOptions options;
  EventHandler on_event;
  RtpPortAllocator ports;
  std::mt19937_64 rng;
  std::thread::id owner_thread = std::this_thread::get_id();
  AudioPreparer preparer;
  std::vector<std::unique_ptr<MediaWorker>> workers;
  std::vector<std::size_t> load;  // sessions per worker
  // Where each open session is: its worker, and its RTP port (released to `ports` on close).
  struct Owner {
    std::size_t worker;
    std::uint16_t rtp_port;
  };
  std::unordered_map<SessionId, Owner, SessionIdHash> owners;
  std::uint64_t next_session = 1;
  std::uint64_t next_play = 1;
  bool is_stopped = false;
  bool is_preparing = false;  // a prepare() is deferred already
  std::vector<std::pair<MediaWorker*, std::function<void()>>> pending;  // send() with a defer
  bool is_flush_deferred = false;
};

namespace {
// Pairs kept bound ahead of need: a burst of this many calls in one turn of the loop binds none
// on its way to the INVITE.
constexpr std::size_t kPreparedPortPairs = 8;
}  // namespace

MediaEngine::MediaEngine(const MediaEngineOptions& options, EventHandler on_event)
    : impl_(std::make_unique<Impl>(options, std::move(on_event))) {
  if (options.rtp_port_max < options.rtp_port_min + 1u) throw std::invalid_argument("media: empty RTP port range");
  std::size_t count = options.thread_count;
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < count; ++i) {
    impl_->workers.push_back(std::make_unique<MediaWorker>(i, &impl_->on_event, impl_->preparer));
    impl_->load.push_back(0);
  }
  for (auto& worker : impl_->workers) worker->start();
}

MediaEngine::~MediaEngine() { stop(); }

std::size_t MediaEngine::thread_count() const noexcept { return impl_->workers.size(); }

Result<SessionInfo> MediaEngine::open_session(const SessionOptions& options) {
  assert(impl_->is_owner_thread());
  if (impl_->is_stopped) return std::make_error_code(std::errc::operation_canceled);
  auto pair = impl_->ports.allocate(options.local_address);
  if (!pair) return pair.error();
  if (impl_->options.defer && !impl_->is_preparing) {
    impl_->is_preparing = true;
    impl_->options.defer([impl = impl_.get(), address = options.local_address] {
      impl->is_preparing = false;
      if (!impl->is_stopped) impl->ports.prepare(address, kPreparedPortPairs);
    });
  }
  auto local = pair->rtp.local_endpoint();
  if (!local) return local.error();

  std::size_t index = 0;
  if (options.colocate_with) {
    if (auto it = impl_->owners.find(*options.colocate_with); it != impl_->owners.end()) index = it->second.worker;
  } else {
    index = static_cast<std::size_t>(std::min_element(impl_->load.begin(), impl_->load.end()) - impl_->load.begin());
  }
  const SessionId id{impl_->next_session++};
  auto& rng = impl_->rng;
  MediaSession::Config config{
      .id = id,
      .rtp_timeout = options.rtp_timeout.value_or(impl_->options.rtp_timeout),
      .rtcp_interval = impl_->options.rtcp_interval,
      .dtmf_quiet = impl_->options.dtmf_quiet,
      .sends_silence_when_idle = options.sends_silence_when_idle,
      .max_packets_per_tick = impl_->options.max_packets_per_tick,
      .ssrc = Ssrc{static_cast<std::uint32_t>(rng())},
      .first_sequence = static_cast<std::uint16_t>(rng() & 0x7FFF),  // low half: no early wrap
      .first_timestamp = static_cast<std::uint32_t>(rng()),
      .cname = "",
  };
  char cname[17];
  std::snprintf(cname, sizeof cname, "%016llx", static_cast<unsigned long long>(rng()));  // RFC 7022 random CNAME
  config.cname = cname;

  SessionInfo info{id, local->address(), local->port(), static_cast<std::uint16_t>(local->port() + 1), index};
  MediaWorker* worker = impl_->workers[index].get();
  auto session = std::make_unique<MediaSession>(std::move(config), std::move(pair->rtp), std::move(pair->rtcp),
                                                &impl_->on_event, std::chrono::steady_clock::now());
  impl_->send(worker, [worker, s = std::move(session)]() mutable { worker->adopt(std::move(s)); });
  impl_->owners[id] = {index, local->port()};
  ++impl_->load[index];
  return info;
}

void MediaEngine::set_remote(SessionId session, const NegotiatedMedia& media) {
  impl_->on_session(session, [media](MediaSession& s) { s.set_remote(media, std::chrono::steady_clock::now()); });
}

PlayId MediaEngine::play(SessionId session, PlayRequest request) {
  const PlayId id{impl_->next_play++};
  if (MediaWorker* worker = impl_->worker_of(session))
    impl_->send(worker, [worker, session, id, request = std::move(request)]() mutable {
      worker->play(session, id, std::move(request));
    });
  return id;
}

void MediaEngine::stop_playing(SessionId session) {
  impl_->on_session(session, [](MediaSession& s) { s.stop_playing(); });
}

void MediaEngine::send_digits(SessionId session, std::string digits) {
  impl_->on_session(session, [digits = std::move(digits)](MediaSession& s) { s.send_digits(digits); });
}

void MediaEngine::start_recording(SessionId session, RecordRequest request) {
  impl_->on_session(session, [request = std::move(request)](MediaSession& s) { s.start_recording(request); });
}

void MediaEngine::run_blocking(std::function<void()> job) { impl_->preparer.submit(std::move(job)); }

void MediaEngine::stop_recording(SessionId session) {
  impl_->on_session(session, [](MediaSession& s) { s.stop_recording(); });
}

void MediaEngine::start_machine_detection(SessionId session, MachineDetectionRequest request) {
  impl_->on_session(session, [request](MediaSession& s) { s.start_machine_detection(request); });
}

void MediaEngine::stop_machine_detection(SessionId session) {
  impl_->on_session(session, [](MediaSession& s) { s.stop_machine_detection(); });
}

void MediaEngine::bridge(SessionId a, SessionId b) {
  MediaWorker* first = impl_->worker_of(a);
  MediaWorker* second = impl_->worker_of(b);
  if (!first || !second || a == b) {
    if (impl_->on_event)
      impl_->on_event(MediaEvent{a, MediaError{MediaError::Kind::bridge_failed, "unknown session to bridge"}});
    return;
  }
  if (first != second) {
    // Move `b` to `a`'s thread: `first` holds b's commands until it arrives (posted before any
    // later command for b), `second` hands it over after the commands already queued there.
    impl_->send(first, [first, b] { first->expect(b); });
    impl_->send(second, [second, first, b] { second->migrate(b, *first); });
    --impl_->load[second->index()];
    ++impl_->load[first->index()];
    impl_->owners[b].worker = first->index();
  }
  impl_->send(first, [first, a, b] { first->bridge(a, b); });
}

void MediaEngine::unbridge(SessionId session) {
  if (MediaWorker* worker = impl_->worker_of(session)) impl_->send(worker, [worker, session] { worker->unbridge(session); });
}

void MediaEngine::request_stats(SessionId session) {
  impl_->on_session(session, [](MediaSession& s) {
    // Reported through the session so the event carries its id.
    const SessionStats stats = s.stats();
    s.report(stats);
  });
}

void MediaEngine::close_session(SessionId session) {
  assert(impl_->is_owner_thread());
  auto it = impl_->owners.find(session);
  if (it == impl_->owners.end() || impl_->is_stopped) return;
  MediaWorker* worker = impl_->workers[it->second.worker].get();
  impl_->send(worker, [worker, session] { worker->close(session); });
  --impl_->load[worker->index()];
  // The sockets close on the worker a moment later; a bind() refused meanwhile just moves on.
  impl_->ports.release(it->second.rtp_port);
  impl_->owners.erase(it);
}

void MediaEngine::stop() {
  if (impl_->is_stopped) return;
  impl_->is_stopped = true;
  impl_->preparer.stop();  // first: no job may post to a worker that is gone
  for (auto& worker : impl_->workers) worker->stop();
  impl_->owners.clear();
}

}  // namespace sb::media
