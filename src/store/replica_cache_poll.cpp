// ReplicaCache's side of the change feed: where it starts reading, the poll
// thread, and what a poll evicts.
#include <string>
#include <utility>

#include "keymint/common/log.hpp"
#include "keymint/store/replica_cache.hpp"
#include "store/cached_reads.hpp"

namespace keymint {

using store_cache::Key;
using store_cache::KeyKind;

void ReplicaCache::OnChanges(ChangeObserver observer) { observer_ = std::move(observer); }

Status ReplicaCache::Start() {
  {
    std::lock_guard lock(poll_mutex_);
    if (started_) return Error::Internal("the replica cache is already started");
    // Taken before the read, as a poll's start is: nothing is cached yet, so
    // whatever is filled from now on is read after it.
    const int64_t started_ms = clock_.NowMillis();
    ASSIGN_OR_RETURN(cursor_, shared_->LatestChangeSeq());
    started_ = true;
    last_poll_started_ms_.store(started_ms, std::memory_order_release);
  }
  thread_ = std::thread([this] { RunPollThread(); });
  return Status::Ok();
}

void ReplicaCache::Stop() {
  {
    std::lock_guard lock(thread_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReplicaCache::RunPollThread() {
  std::unique_lock lock(thread_mutex_);
  while (!stopping_) {
    if (wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; })) return;
    lock.unlock();
    // A failure is counted and logged by the poll; the next one retries.
    (void)PollNow();
    lock.lock();
  }
}

Status ReplicaCache::PollNow() {
  std::lock_guard lock(poll_mutex_);
  if (!started_) return Error::Internal("the replica cache is not started");
  Status polled = PollLocked();
  if (!polled.ok()) {
    failed_polls_.fetch_add(1, std::memory_order_relaxed);
    if (!std::exchange(feed_failing_, true)) {
      log::Message(log::Level::kWarn, "replica cache: cannot read the change feed (" + polled.error().message +
                                          "); reads go to the store once the cache is older than max_staleness");
    }
  } else if (std::exchange(feed_failing_, false)) {
    log::Message(log::Level::kInfo, "replica cache: the change feed is readable again");
  }
  return polled;
}

Status ReplicaCache::PollLocked() {
  // Taken before the first read: every change committed before this instant
  // is in what the reads below return (the freshness rule, replica_cache.hpp).
  const int64_t started_ms = clock_.NowMillis();
  for (;;) {
    ASSIGN_OR_RETURN(const std::vector<Change> changes, shared_->ChangesAfter(cursor_, kChangesPerRead));
    if (changes.empty()) break;
    // A feed that answers changes already read breaks its contract; reading
    // on would loop forever on the same batch with polls held off.
    if (changes.back().seq <= cursor_) return Error::Internal("the change feed answered changes already read");
    // Seqs are gap-free in commit order: a first one beyond the next means
    // the ones between were pruned before this replica read them.
    const bool reset = changes.front().seq > cursor_ + 1;
    RETURN_IF_ERROR(Apply(changes, reset));
    // Applied batches stay applied when a later read fails: the cursor
    // follows what has been evicted and observed, no further.
    cursor_ = changes.back().seq;
    if (changes.size() < kChangesPerRead) break;
  }
  last_poll_started_ms_.store(started_ms, std::memory_order_release);
  return Status::Ok();
}

Status ReplicaCache::Apply(const std::vector<Change>& changes, bool reset) {
  if (reset) {
    resets_.fetch_add(1, std::memory_order_relaxed);
    reads_->records().Clear();
  } else {
    for (const Change& change : changes) {
      switch (change.table) {
        case ChangeTable::kUser:
          reads_->records().Evict(Key{KeyKind::kUserById, change.id});
          break;
        case ChangeTable::kCredential:
          reads_->records().Evict(Key{KeyKind::kCredentialByClientId, change.client_id});
          // A credential created under an id someone looked up before.
          reads_->records().Evict(Key{KeyKind::kMissingCredentialId, change.id});
          break;
        case ChangeTable::kRevokedToken:  // not cached here: the observer's
          break;
      }
    }
  }
  return observer_ ? observer_(changes, reset) : Status::Ok();
}

void ReplicaCache::CatchUpWithOwnWrite() {
  {
    std::lock_guard lock(poll_mutex_);
    if (!started_) return;  // nothing is cached before Start
  }
  // When the feed cannot tell what the write touched, forgetting everything
  // still shows it: every read after this refills from the store.
  if (!PollNow().ok()) reads_->records().Clear();
}

}  // namespace keymint
