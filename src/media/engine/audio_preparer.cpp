#include "media/engine/audio_preparer.hpp"

#include <pthread.h>

namespace sb::media {

AudioPreparer::AudioPreparer()
    : thread_([this] {
        pthread_setname_np(pthread_self(), "sb-audio");
        run();
      }) {}

AudioPreparer::~AudioPreparer() { stop(); }

void AudioPreparer::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (is_stopping_) return;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void AudioPreparer::stop() {
  {
    std::lock_guard lock(mutex_);
    is_stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void AudioPreparer::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return is_stopping_ || !jobs_.empty(); });
      if (is_stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (...) {  // a job reports its own errors; nothing escapes the thread
    }
  }
}

}  // namespace sb::media
