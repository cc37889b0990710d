#include "keymint/service/last_login_recorder.hpp"

#include <functional>
#include <vector>

namespace keymint {

LastLoginRecorder::LastLoginRecorder(Store& store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval), thread_([this] { Run(); }) {}

LastLoginRecorder::~LastLoginRecorder() { Stop(); }

void LastLoginRecorder::Record(std::string_view id, int64_t at_ms) {
  Shard& shard = shards_[IdHash{}(id) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.pending.find(id);
  if (it == shard.pending.end()) {
    shard.pending.emplace(std::string(id), at_ms);
  } else if (it->second < at_ms) {
    it->second = at_ms;
  }
}

Status LastLoginRecorder::FlushPending() {
  std::lock_guard flush_lock(flush_mu_);
  std::vector<LastLogin> batch;
  for (Shard& shard : shards_) {
    PendingMap taken;
    {
      std::lock_guard lock(shard.mu);
      taken.swap(shard.pending);
    }
    for (auto& [id, at_ms] : taken) batch.push_back({id, at_ms});
  }
  if (batch.empty()) return Status::Ok();
  Status written = store_.RecordLastLogins(batch);
  if (!written.ok()) {
    for (const auto& login : batch) Record(login.id, login.at_ms);  // keeps the later of two times
  }
  return written;
}

void LastLoginRecorder::Run() {
  std::unique_lock lock(run_mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    lock.unlock();
    (void)FlushPending();  // a failed write stays pending and is retried next time
    lock.lock();
  }
}

void LastLoginRecorder::Stop() {
  {
    std::lock_guard lock(run_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  (void)FlushPending();
  (void)store_.Flush();
}

std::size_t LastLoginRecorder::pending() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.pending.size();
  }
  return total;
}

}  // namespace keymint
