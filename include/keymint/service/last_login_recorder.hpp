// Records last-login times off the token path.
//
// Record() is called on every successful exchange. It only stores the time in
// an in-memory shard (a short per-shard lock, shards picked by id, so the I/O
// threads do not contend); a background thread writes the pending times to the
// store every `interval` as one unsynced batch. Repeated logins of the same key
// within an interval cost one write. Stop() writes what is pending and flushes
// the store, so a clean stop loses nothing. A login recorded just before its
// key or user is deleted may be written after the delete; that leaves a
// last-login entry nothing reads (ids are random and never reused), which is
// cheaper than making every exchange check for a racing delete.
//
// It also queues credential usage (README "Credential usage"): RecordExchange notes a
// client-credentials exchange's last login and its usage under the same
// shard lock, and the background thread folds the queued usage into the
// stored records (credential_usage.hpp: WriteUsage) after the last logins,
// with the same durability. Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "keymint/store/store.hpp"

namespace keymint {

class LastLoginRecorder {
 public:
  // Keeps references to everything it is given; all must outlive it.
  LastLoginRecorder(Store& store, std::chrono::milliseconds interval);
  ~LastLoginRecorder();  // calls Stop()

  void Record(std::string_view id, int64_t at_ms);
  // A client-credentials exchange of credential `id`: its last login and its
  // usage (one token, the caller's address and User-Agent), in one lock.
  void RecordExchange(std::string_view id, int64_t at_ms, std::string_view source, std::string_view user_agent);
  // A refused exchange naming credential `id`'s client ID (its usage's last
  // failed attempt).
  void RecordFailedExchange(std::string_view id, int64_t at_ms);
  // Writes everything pending now (also used by Stop and by tests). On a store
  // failure the times are put back, to be written with the next flush.
  Status FlushPending();
  void Stop();
  // Logins recorded and not yet written (the queue's depth), for the
  // metrics. Takes each shard's lock in turn: call it per scrape, not per
  // request.
  std::size_t pending() const;

 private:
  static constexpr std::size_t kShards = 16;
  // Lets Record look an id up by string_view, allocating only for a new id.
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  using PendingMap = std::unordered_map<std::string, int64_t, IdHash, std::equal_to<>>;
  using UsageMap = std::unordered_map<std::string, CredentialUsage, IdHash, std::equal_to<>>;
  struct Shard {
    mutable std::mutex mu;
    PendingMap pending;
    UsageMap usage;  // usage deltas since the last flush
  };
  Shard& ShardOf(std::string_view id);
  static CredentialUsage& UsageOf(Shard& shard, std::string_view id);  // caller holds shard.mu
  Status FlushUsage();                                                 // caller holds flush_mu_
  void Run();

  Store& store_;
  const std::chrono::milliseconds interval_;
  std::array<Shard, kShards> shards_;
  std::mutex flush_mu_;  // one flush at a time, so times are written in order
  std::mutex run_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keymint
