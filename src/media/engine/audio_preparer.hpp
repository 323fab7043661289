#pragma once
// The engine's preparation thread: decodes audio files and synthesises speech (blocking, CPU and
// disk work) off the media threads, one job at a time, which also serialises every espeak-ng
// call in the process. Jobs are submitted from media threads; a job posts its result back to
// the session's media thread itself. stop() drops jobs not yet started and joins.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace sb::media {

class AudioPreparer {
 public:
  AudioPreparer();
  ~AudioPreparer();
  AudioPreparer(const AudioPreparer&) = delete;
  AudioPreparer& operator=(const AudioPreparer&) = delete;

  // Any thread. Ignored after stop().
  void submit(std::function<void()> job);
  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool is_stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::media
