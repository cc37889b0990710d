// A background thread that writes text to a file descriptor in batches.
//
// The request log writes one line per request. Handing each line to a writer
// thread on its own costs a wake-up, two context switches and a write(2) per
// request, on the core that signs tokens; here lines collect in memory and the
// writer takes them all at once, every `interval` or as soon as `wake_bytes`
// are waiting, so the cost per line is a copy under an uncontended mutex.
//
// Append never blocks on I/O: while the descriptor is stalled (a full pipe, a
// slow terminal) lines collect up to `max_pending_bytes`, and lines beyond that
// are dropped and counted, never a caller delayed.
//
// Thread-safety: Append and dropped may be called from any thread; Stop (and
// the destructor) once no thread appends any more.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace keymint::log::internal {

class BatchedWriter {
 public:
  struct Options {
    int fd = 2;                               // not owned
    std::size_t max_pending_bytes = 4 << 20;  // beyond this, lines are dropped
    std::size_t wake_bytes = 64 << 10;        // this much waiting wakes the writer early
    std::chrono::milliseconds interval{50};   // a line waits at most about this long
  };

  explicit BatchedWriter(Options options);
  ~BatchedWriter();
  BatchedWriter(const BatchedWriter&) = delete;
  BatchedWriter& operator=(const BatchedWriter&) = delete;

  // Queues `line` (which should end with '\n') as one unit: it is written
  // whole or dropped whole.
  void Append(std::string_view line);
  // Writes everything queued and stops the thread. Waits while the descriptor
  // is stalled.
  void Stop();
  // Lines dropped since construction: queued beyond the bound, or lost to a
  // failed write.
  std::uint64_t dropped() const;

 private:
  void Run();
  void WriteOut(const std::string& batch);

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::string pending_;        // guarded by mu_
  std::uint64_t dropped_ = 0;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::thread thread_;
};

}  // namespace keymint::log::internal
