#include "keymint/service/last_login_recorder.hpp"

#include <functional>
#include <vector>

namespace keymint {

LastLoginRecorder::LastLoginRecorder(Store& store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval), thread_([this] { Run(); }) {}

LastLoginRecorder::~LastLoginRecorder() { Stop(); }

void LastLoginRecorder::Record(std::string_view id, int64_t at_ms) {
  Shard& shard = shards_[std::hash<std::string_view>{}(id) % kShards];
  std::lock_guard lock(shard.mu);
  auto [it, inserted] = shard.pending.try_emplace(std::string(id), at_ms);
  if (!inserted && it->second < at_ms) it->second = at_ms;
}

Status LastLoginRecorder::FlushPending() {
  std::lock_guard flush_lock(flush_mu_);
  std::vector<LastLogin> batch;
  for (Shard& shard : shards_) {
    std::unordered_map<std::string, int64_t> taken;
    {
      std::lock_guard lock(shard.mu);
      taken.swap(shard.pending);
    }
    for (auto& [id, at_ms] : taken) batch.push_back({id, at_ms});
  }
  if (batch.empty()) return Status::Ok();
  return store_.RecordLastLogins(batch);
}

void LastLoginRecorder::Run() {
  std::unique_lock lock(run_mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    lock.unlock();
    (void)FlushPending();  // a failed write is retried with the next login's time
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

}  // namespace keymint
