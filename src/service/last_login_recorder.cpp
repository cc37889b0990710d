#include "keymint/service/last_login_recorder.hpp"

#include <functional>
#include <vector>

#include "keymint/service/credential_usage.hpp"

namespace keymint {
namespace {

// Notes that `id` logged in at `at_ms` in a shard's pending map (its lock
// held), keeping the later of two times.
template <class PendingMap>
void KeepLaterLogin(PendingMap& pending, std::string_view id, int64_t at_ms) {
  auto it = pending.find(id);
  if (it == pending.end()) {
    pending.emplace(std::string(id), at_ms);
  } else if (it->second < at_ms) {
    it->second = at_ms;
  }
}

}  // namespace

LastLoginRecorder::LastLoginRecorder(Store& store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval), thread_([this] { Run(); }) {}

LastLoginRecorder::~LastLoginRecorder() { Stop(); }

LastLoginRecorder::Shard& LastLoginRecorder::ShardOf(std::string_view id) { return shards_[IdHash{}(id) % kShards]; }

CredentialUsage& LastLoginRecorder::UsageOf(Shard& shard, std::string_view id) {
  auto it = shard.usage.find(id);
  if (it == shard.usage.end()) {
    it = shard.usage.emplace(std::string(id), CredentialUsage{}).first;
    it->second.id = it->first;
  }
  return it->second;
}

void LastLoginRecorder::RecordExchange(std::string_view id, int64_t at_ms, std::string_view source,
                                       std::string_view user_agent) {
  Shard& shard = ShardOf(id);
  std::lock_guard lock(shard.mu);
  KeepLaterLogin(shard.pending, id, at_ms);
  AddExchange(UsageOf(shard, id), at_ms, source, user_agent);
}

void LastLoginRecorder::RecordFailedExchange(std::string_view id, int64_t at_ms) {
  Shard& shard = ShardOf(id);
  std::lock_guard lock(shard.mu);
  AddFailedExchange(UsageOf(shard, id), at_ms);
}

void LastLoginRecorder::Record(std::string_view id, int64_t at_ms) {
  Shard& shard = ShardOf(id);
  std::lock_guard lock(shard.mu);
  KeepLaterLogin(shard.pending, id, at_ms);
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
  Status usage = FlushUsage();
  if (batch.empty()) return usage;
  Status written = store_.RecordLastLogins(batch);
  if (!written.ok()) {
    for (const auto& login : batch) Record(login.id, login.at_ms);  // keeps the later of two times
  }
  return written.ok() ? usage : written;
}

Status LastLoginRecorder::FlushUsage() {
  std::vector<CredentialUsage> deltas;
  for (Shard& shard : shards_) {
    UsageMap taken;
    {
      std::lock_guard lock(shard.mu);
      taken.swap(shard.usage);
    }
    for (auto& [id, usage] : taken) deltas.push_back(std::move(usage));
  }
  Status written = WriteUsage(store_, deltas);
  if (!written.ok()) {
    // Put the deltas back, merged with what arrived meanwhile, for the next flush.
    for (const auto& delta : deltas) {
      Shard& shard = ShardOf(delta.id);
      std::lock_guard lock(shard.mu);
      MergeUsage(UsageOf(shard, delta.id), delta);
    }
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
