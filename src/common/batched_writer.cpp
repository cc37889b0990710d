#include "common/batched_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace keymint::log::internal {

BatchedWriter::BatchedWriter(Options options) : options_(options) {
  thread_ = std::thread([this] { Run(); });
}

BatchedWriter::~BatchedWriter() { Stop(); }

void BatchedWriter::Append(std::string_view line) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    const std::size_t before = pending_.size();
    if (before + line.size() > options_.max_pending_bytes) {
      ++dropped_;
      return;
    }
    pending_.append(line);
    // The writer sleeps until the first line of a batch arrives, then lets
    // more collect; only those two moments need it woken.
    wake = before == 0 || (before < options_.wake_bytes && pending_.size() >= options_.wake_bytes);
  }
  if (wake) wake_.notify_one();
}

void BatchedWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t BatchedWriter::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void BatchedWriter::Run() {
  std::string batch;
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    wake_.wait_for(lock, options_.interval, [this] { return stopping_ || pending_.size() >= options_.wake_bytes; });
    batch.swap(pending_);  // pending_ keeps the last batch's capacity, cleared
    const bool stop = stopping_;
    lock.unlock();
    if (!batch.empty()) WriteOut(batch);
    batch.clear();
    lock.lock();
    if (stop && pending_.empty()) return;
  }
}

void BatchedWriter::WriteOut(const std::string& batch) {
  std::size_t done = 0;
  while (done < batch.size()) {
    const ssize_t n = ::write(options_.fd, batch.data() + done, batch.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      // A closed or broken descriptor: the rest of this batch is lost.
      const auto lost = std::count(batch.begin() + static_cast<std::ptrdiff_t>(done), batch.end(), '\n');
      std::lock_guard lock(mu_);
      dropped_ += static_cast<std::uint64_t>(lost);
      return;
    }
  }
}

}  // namespace keymint::log::internal
