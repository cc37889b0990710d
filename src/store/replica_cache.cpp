// ReplicaCache's reads and writes. The feed's side (Start, the polls) is in
// replica_cache_poll.cpp; the methods it only forwards are ForwardingStore's.
#include "keymint/store/replica_cache.hpp"

#include <utility>

#include "store/cached_reads.hpp"

namespace keymint {

static_assert(ReplicaCache::kMaxMissingKeyBytes == store_cache::CachedReads::kMaxMissingKeyBytes);

ReplicaCache::ReplicaCache(std::unique_ptr<SharedStore> shared, const Clock& clock, ReplicaCacheOptions options)
    : ForwardingStore(*shared),  // shared_ then owns it; the object does not move
      shared_(std::move(shared)),
      clock_(clock),
      options_(options),
      reads_(std::make_unique<store_cache::CachedReads>(options.max_entries)) {}

ReplicaCache::~ReplicaCache() { Stop(); }

bool ReplicaCache::Fresh() const {
  const int64_t started_ms = last_poll_started_ms_.load(std::memory_order_acquire);
  if (started_ms == kNever) return false;
  const int64_t age_ms = clock_.NowMillis() - started_ms;
  // A negative age is a clock that went back: nothing then says how old the
  // answers are, so the store answers until a poll succeeds again.
  return age_ms >= 0 && age_ms <= options_.max_staleness.count();
}

Result<std::optional<CredentialRecord>> ReplicaCache::FindCredentialByClientId(std::string_view client_id,
                                                                               LastLoginField field) const {
  return reads_->FindCredentialByClientId(*shared_, client_id, field, Fresh());
}

Result<std::optional<UserRecord>> ReplicaCache::GetUser(std::string_view id, LastLoginField field) const {
  return reads_->GetUser(*shared_, id, field, Fresh());
}

Result<std::optional<CredentialRecord>> ReplicaCache::GetCredential(std::string_view id) const {
  return reads_->GetCredential(*shared_, id, Fresh());
}

Status ReplicaCache::RunTransaction(const TransactionBody& body) {
  Status committed = shared_->RunTransaction(body);
  if (committed.ok()) CatchUpWithOwnWrite();
  return committed;
}

Status ReplicaCache::AddRevokedToken(const RevokedToken& token) {
  Status added = shared_->AddRevokedToken(token);
  if (added.ok()) CatchUpWithOwnWrite();
  return added;
}

ReplicaCacheStatistics ReplicaCache::CacheStatistics() const {
  ReplicaCacheStatistics statistics;
  statistics.hits = reads_->hits();
  statistics.misses = reads_->misses();
  statistics.entries = reads_->entries();
  const int64_t started_ms = last_poll_started_ms_.load(std::memory_order_acquire);
  if (started_ms != kNever) statistics.freshness_age_ms = clock_.NowMillis() - started_ms;
  statistics.failed_polls = failed_polls_.load(std::memory_order_relaxed);
  statistics.resets = resets_.load(std::memory_order_relaxed);
  return statistics;
}

}  // namespace keymint
