// The loader's worker threads. One process-wide pool, created on first use and
// grown (never shrunk) to the largest thread count a caller asked for, so a
// training loop pays thread start-up once, not once per batch.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace xfer {

class ThreadPool {
 public:
  // Deliberately leaked: joining at static-destruction time would make process
  // exit wait for (or deadlock on) a batch still running when Node exits.
  static ThreadPool& Shared();

  // Runs body(worker_slot) for worker_slot = 0..workers-1 as pool tasks,
  // growing the pool to `workers` threads so they can run concurrently, and
  // returns when all have finished. `body` should not throw; anything that
  // escapes is swallowed so a bug cannot terminate the process. Throws only
  // if no thread can be started or the tasks cannot be queued.
  void ParallelRun(size_t workers, const std::function<void(size_t)>& body);

 private:
  ThreadPool() = default;
  void EnsureThreads(size_t n);  // requires mutex_ held
  void WorkerLoop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
};

// Default worker count: the hardware concurrency, or 1 when unknown.
size_t DefaultThreadCount();

}  // namespace xfer
