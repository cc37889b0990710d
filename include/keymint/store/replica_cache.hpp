// A Store in front of a store several replicas share (change_feed.hpp), that
// answers the token path's reads from memory and learns from the change feed
// what other replicas changed (README "Deployment: several replicas").
//
// What it caches
//   FindCredentialByClientId and GetUser with LastLoginField::kSkip (what the
//   token path and bearer authentication read), found or not found; and
//   GetCredential when it finds nothing (the token path reads a never-existing
//   id to even out timing; a found credential carries its last login, which
//   is not in the feed, so it is always read from the store). Reads with
//   LastLoginField::kRead, and every other method, go to the store. The
//   cached values are copies: a caller gets a record of its own.
//
// How fresh (the bound)
//   The cache answers only while the last successful poll of the feed
//   STARTED at most max_staleness ago (by the Clock); otherwise reads go to
//   the store and fill nothing. A change committed before a poll starts is
//   seen by that poll, which evicts what it touched before it counts as
//   successful (and a read that raced with the eviction keeps nothing). So
//   an answer that misses a change committed at time c is given while the
//   last successful poll started no later than c, hence at most
//   max_staleness after c: whatever the cache answers is at most
//   max_staleness old. A credential regenerated, disabled or deleted on any
//   replica stops minting here within max_staleness (1 s by default).
//   When the feed cannot be read, the cache keeps answering until
//   max_staleness has passed, then every read goes to the store until a
//   poll succeeds again. A clock that goes back makes the cache stale too.
//
// This replica's own writes
//   After RunTransaction or AddRevokedToken returns OK, the cache polls at
//   once on the caller's thread, so that this replica reads its own writes
//   (a key regenerated here stops minting here at once). When that poll
//   fails the cache forgets everything instead.
//
// Bounded: at most max_entries answers, sharded, the least recently used
// answer of a full shard making room. "Not found" answers for keys longer
// than kMaxMissingKeyBytes are not kept: an unknown key is the caller's
// choice of bytes, and the bound is on entries, not on bytes.
//
// Thread-safe, as a Store is; OnChanges is called once, before Start.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "keymint/common/clock.hpp"
#include "keymint/store/change_feed.hpp"
#include "keymint/store/forwarding_store.hpp"
#include "keymint/store/local_store_cache.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

namespace store_cache {
class CachedReads;
}  // namespace store_cache

struct ReplicaCacheOptions {
  // Answers kept at most, across all shards. 0 keeps none (every read goes
  // to the store). Default: 100000 (a few hundred bytes each).
  std::size_t max_entries = 100000;
  // How old an answer may be: the cache answers only while the last
  // successful poll started at most this long ago. Default: 1 s.
  std::chrono::milliseconds max_staleness{1000};
  // How often the poll thread reads the feed. Well under max_staleness, so
  // that a poll or two may fail (or be slow) without reads going to the
  // store. Default: 250 ms.
  std::chrono::milliseconds poll_interval{250};
};

// Figures for /metrics. Counts run from construction. hits, misses and
// entries: StoreCacheStatistics; misses include reads while the cache was stale.
struct ReplicaCacheStatistics : StoreCacheStatistics {
  // Milliseconds since the last successful poll started; nullopt before the
  // first (Start). Above max_staleness (or negative: the clock went back),
  // every read goes to the store.
  std::optional<int64_t> freshness_age_ms;
  uint64_t failed_polls = 0;  // polls that could not read the feed
  uint64_t resets = 0;        // gaps in the feed (pruned changes), after each of which everything was forgotten
};

class ReplicaCache final : public ForwardingStore {
 public:
  // Called after each batch of changes has been evicted, on the thread that
  // polled (the poll thread, or a writer after its own write; never two at
  // once); `reset` is true when the feed had a gap and everything was
  // forgotten, so that whoever keeps state from the store reloads it all.
  // It runs with polls held off: it may read through the cache but must not
  // write through it (a write polls, and would wait for itself). An error
  // fails the poll without moving past the batch: the next poll reads it
  // again (evicting is idempotent) and calls the observer again, and the
  // cache goes stale after max_staleness meanwhile, as when the feed is down.
  using ChangeObserver = std::function<Status(const std::vector<Change>& changes, bool reset)>;

  // "Not found" answers for longer keys are not kept (see the top of the file).
  static constexpr std::size_t kMaxMissingKeyBytes = 128;
  // Changes read per query of the feed.
  static constexpr std::size_t kChangesPerRead = 1000;

  // Owns `shared`. `clock` must outlive the cache. Nothing is cached, and
  // nothing polled, before Start.
  ReplicaCache(std::unique_ptr<SharedStore> shared, const Clock& clock, ReplicaCacheOptions options = {});
  // Stops the poll thread, then closes the shared store.
  ~ReplicaCache() override;
  ReplicaCache(const ReplicaCache&) = delete;
  ReplicaCache& operator=(const ReplicaCache&) = delete;

  // Sets the observer of changes. Call before Start, at most once.
  void OnChanges(ChangeObserver observer);
  // Reads where the feed is now (LatestChangeSeq), which counts as a first
  // successful poll, then starts the poll thread. The error of the feed when
  // it cannot be read (nothing is started; Start may be called again);
  // Internal when already started.
  Status Start();
  // Stops and joins the poll thread. Idempotent. The cache then goes stale
  // after max_staleness, as when the feed is down.
  void Stop();
  // Polls now, on the caller's thread, after any poll in progress: reads the
  // feed until it is drained, evicting what each change touched. The feed's
  // error when it cannot be read; Internal before Start.
  Status PollNow();
  ReplicaCacheStatistics CacheStatistics() const;

  // Store: the cached reads (see the top of the file).
  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) const override;
  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) const override;
  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) const override;
  // Store: writes that change the feed, followed by a poll.
  Status RunTransaction(const TransactionBody& body) override;
  Status AddRevokedToken(const RevokedToken& token) override;
  // Every other method is ForwardingStore's: to the shared store as it is
  // (PruneRevokedTokens too: it drops only expired revocations, which refuse
  // nothing any more, so there is no change to learn of).

 private:
  // Whether the cache may answer now (the freshness rule above).
  bool Fresh() const;
  // The poll itself; poll_mutex_ held.
  Status PollLocked();
  // Evicts what one batch touched (everything, after a gap) and tells the observer.
  Status Apply(const std::vector<Change>& changes, bool reset);
  // After a write of this replica's own: poll, or forget everything.
  void CatchUpWithOwnWrite();
  void RunPollThread();

  const std::unique_ptr<SharedStore> shared_;
  const Clock& clock_;
  const ReplicaCacheOptions options_;
  const std::unique_ptr<store_cache::CachedReads> reads_;
  ChangeObserver observer_;  // set before Start, then only read

  // Polls run one at a time: the thread's and writers' own.
  std::mutex poll_mutex_;
  bool started_ = false;       // guarded by poll_mutex_
  uint64_t cursor_ = 0;        // guarded by poll_mutex_: the last change applied
  bool feed_failing_ = false;  // guarded by poll_mutex_: to log the first failure and the recovery only
  // When the last successful poll started (Clock ms); kNever before Start.
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::min();
  std::atomic<int64_t> last_poll_started_ms_{kNever};

  std::atomic<uint64_t> failed_polls_{0};
  std::atomic<uint64_t> resets_{0};

  std::mutex thread_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by thread_mutex_
  std::thread thread_;     // started by Start, joined by Stop
};

}  // namespace keymint
