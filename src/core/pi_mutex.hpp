#pragma once
// A mutex with priority inheritance (PTHREAD_PRIO_INHERIT), for a lock the signalling thread
// shares with a thread of lower priority. With realtime_priority the signalling thread is
// SCHED_RR; if the other thread were preempted while holding a plain mutex, the signalling thread
// would wait for the rest of some other process's time slice. Here the holder runs at the
// waiter's priority until it unlocks. Uncontended, it costs what a plain mutex does (no system
// call). Satisfies Lockable: std::lock_guard, std::unique_lock, std::condition_variable_any.

#include <pthread.h>

#include <cerrno>
#include <system_error>

namespace sb {

class PiMutex {
 public:
  PiMutex() {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_setprotocol(&attributes, PTHREAD_PRIO_INHERIT);
    const int e = pthread_mutex_init(&mutex_, &attributes);
    pthread_mutexattr_destroy(&attributes);
    if (e != 0) throw std::system_error(e, std::generic_category(), "pthread_mutex_init");
  }
  PiMutex(const PiMutex&) = delete;
  PiMutex& operator=(const PiMutex&) = delete;
  ~PiMutex() { pthread_mutex_destroy(&mutex_); }

  void lock() {
    if (const int e = pthread_mutex_lock(&mutex_); e != 0) throw std::system_error(e, std::generic_category(), "pthread_mutex_lock");
  }
  bool try_lock() noexcept { return pthread_mutex_trylock(&mutex_) == 0; }
  void unlock() noexcept { pthread_mutex_unlock(&mutex_); }

 private:
  pthread_mutex_t mutex_;
};

}  // namespace sb
