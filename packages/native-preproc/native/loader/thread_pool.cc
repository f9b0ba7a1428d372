#include "thread_pool.h"

#include <exception>

namespace xfer {

ThreadPool& ThreadPool::Shared() {
  static ThreadPool* pool = new ThreadPool();
  return *pool;
}

size_t DefaultThreadCount() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

void ThreadPool::EnsureThreads(size_t n) {
  while (threads_.size() < n) threads_.emplace_back([this] { WorkerLoop(); });
}

void ThreadPool::WorkerLoop() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return !queue_.empty(); });
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();
    } catch (...) {
      // Tasks report their own errors; an escaping exception would call
      // std::terminate and take Node down with it.
    }
  }
}

void ThreadPool::ParallelRun(size_t workers, const std::function<void(size_t)>& body) {
  if (workers == 0) return;
  std::mutex done_mutex;
  std::condition_variable done_cv;
  size_t remaining = 0;
  std::exception_ptr enqueue_error;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      EnsureThreads(workers);
    } catch (...) {
      // Could not start every thread (e.g. RLIMIT_NPROC): carry on with the
      // ones we have, as long as there is one. Results do not depend on it.
      if (threads_.empty()) throw;
    }
    // The tasks point at this stack frame, so every task that made it into
    // the queue must finish before we return, even if queuing fails midway.
    // No worker can pop one before `mutex_` is released below.
    try {
      for (size_t slot = 0; slot < workers; ++slot) {
        queue_.emplace_back([&, slot] {
          try {
            body(slot);
          } catch (...) {
          }
          std::lock_guard<std::mutex> done_lock(done_mutex);
          if (--remaining == 0) done_cv.notify_one();
        });
        ++remaining;
      }
    } catch (...) {
      enqueue_error = std::current_exception();
    }
  }
  wake_.notify_all();
  {
    std::unique_lock<std::mutex> lock(done_mutex);
    done_cv.wait(lock, [&] { return remaining == 0; });
  }
  if (enqueue_error) std::rethrow_exception(enqueue_error);
}

}  // namespace xfer
