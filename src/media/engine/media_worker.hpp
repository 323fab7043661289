#pragma once
// One media thread (DESIGN.md): an io_context on its own std::thread, the RTP sessions it owns
// and the one 20 ms tick that drives them all. The sessions' sockets are registered (edge
// triggered) in the worker's own epoll set, and the io_context watches only that one descriptor:
// one wake-up hands over every socket that became readable, each is read in batches (recvmmsg)
// up to its session's flood bound, and the packets relayed from one batch leave with one
// sendmmsg(). Everything but post() and the lifetime calls runs on this worker's thread, inside
// closures the engine posts. Internal to media/engine (it includes Asio); MediaEngine is the
// public face.

#include "media/engine/audio_preparer.hpp"
#include "media/engine/media_engine.hpp"
#include "media/engine/media_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sb::media {

struct SessionIdHash {
  std::size_t operator()(SessionId id) const noexcept { return std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(id)); }
};

class MediaWorker {
 public:
  using SessionCommand = std::function<void(MediaSession&)>;

  MediaWorker(std::size_t index, const MediaSession::EventSink* sink, AudioPreparer& preparer);
  ~MediaWorker();
  MediaWorker(const MediaWorker&) = delete;
  MediaWorker& operator=(const MediaWorker&) = delete;

  // Lifetime, from the engine's thread.
  void start();
  // Closes every session (SessionClosed for each), then ends the thread and joins it.
  void stop();

  // Any thread: runs `f` on this worker's thread.
  template <class F>
  void post(F&& f) {
    boost::asio::post(io_, std::forward<F>(f));
  }

  // ---- on this worker's thread ----
  void adopt(std::unique_ptr<MediaSession> session);
  // Runs `command` on the session: now if it is here, later if it is on its way here, on the
  // new owner if it moved away; dropped if it was closed.
  void with_session(SessionId id, SessionCommand command);
  // A session is about to arrive (bridge() moves it): hold its commands until then.
  void expect(SessionId id);
  // Hands the session over to `to` (which was told to expect it).
  void migrate(SessionId id, MediaWorker& to);
  void close(SessionId id);
  void play(SessionId id, PlayId play, PlayRequest request);
  void bridge(SessionId a, SessionId b);
  void unbridge(SessionId id);

  std::size_t index() const noexcept { return index_; }

 private:
  struct Slot {
    std::unique_ptr<MediaSession> session;
    // Drained to EAGAIN, so the next datagram brings an epoll event; false while the flood bound
    // holds the socket back (the tick reads it then). RTP, RTCP.
    bool is_waiting[2] = {false, false};
  };

  void schedule_tick();
  void on_tick();
  void read(Slot& slot, int which) noexcept;
  // Sends what the last received batch relayed (one sendmmsg per sending session).
  void flush_sends() noexcept;
  // Handles the sockets the epoll set reports ready (a bounded number of rounds), then waits again.
  void on_sockets_ready() noexcept;
  void watch_sockets();
  void add_to_epoll(SessionId id, MediaSession& session) noexcept;
  void remove_from_epoll(MediaSession& session) noexcept;
  MediaSession* find(SessionId id) noexcept;

  std::size_t index_;
  const MediaSession::EventSink* sink_;
  AudioPreparer& preparer_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer tick_;
  std::chrono::steady_clock::time_point next_tick_{};
  std::unordered_map<SessionId, std::unique_ptr<Slot>, SessionIdHash> slots_;
  std::unordered_map<SessionId, std::vector<SessionCommand>, SessionIdHash> incoming_;
  // Sessions that moved away, for results still in flight (file/speech preparation); pruned
  // after kMovedMemory.
  struct Moved {
    MediaWorker* to;
    std::chrono::steady_clock::time_point at;
  };
  static constexpr std::chrono::seconds kMovedMemory{120};
  std::unordered_map<SessionId, Moved, SessionIdHash> moved_;
  std::uint32_t ticks_ = 0;
  std::unique_ptr<ReceiveBatch> batch_;
  SendQueue send_queue_;
  boost::asio::posix::stream_descriptor epoll_;  // owns the worker's epoll descriptor
  bool is_watching_ = false;
  std::thread thread_;
};

}  // namespace sb::media
