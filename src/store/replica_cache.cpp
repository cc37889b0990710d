// ReplicaCache's reads and writes. The feed's side (Start, the polls) is in
// replica_cache_poll.cpp; the methods it only forwards in
// replica_cache_forwarding.cpp.
#include "keymint/store/replica_cache.hpp"

#include <utility>

#include "store/record_cache.hpp"

namespace keymint {

using store_cache::KeyKind;

ReplicaCache::ReplicaCache(std::unique_ptr<SharedStore> shared, const Clock& clock, ReplicaCacheOptions options)
    : shared_(std::move(shared)),
      clock_(clock),
      options_(options),
      cache_(std::make_unique<store_cache::RecordCache>(options.max_entries)) {}

ReplicaCache::~ReplicaCache() { Stop(); }

bool ReplicaCache::Fresh() const {
  const int64_t started_ms = last_poll_started_ms_.load(std::memory_order_acquire);
  if (started_ms == kNever) return false;
  const int64_t age_ms = clock_.NowMillis() - started_ms;
  // A negative age is a clock that went back: nothing then says how old the
  // answers are, so the store answers until a poll succeeds again.
  return age_ms >= 0 && age_ms <= options_.max_staleness.count();
}

template <typename Record, typename ReadStore, typename Keep>
Result<std::optional<Record>> ReplicaCache::CachedRead(KeyKind kind, std::string_view key, const ReadStore& read,
                                                       const Keep& keep) const {
  if (!Fresh()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return read();
  }
  const store_cache::Key cache_key{kind, key};
  store_cache::RecordCache::Lookup lookup = cache_->Find(cache_key);
  if (lookup.answer) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return std::get<std::optional<Record>>(std::move(*lookup.answer));
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  Result<std::optional<Record>> answer = read();
  // The generation taken before the read: a change evicted while the store
  // was being read makes the fill a no-op, so what the store said before
  // that change is never kept.
  if (answer.ok() && keep(*answer)) cache_->Fill(cache_key, *answer, lookup.generation);
  return answer;
}

namespace {

// "Not found" for a key of the caller's choosing is kept only when short
// (ReplicaCache::kMaxMissingKeyBytes).
template <typename Record>
bool KeepFoundOrShortKey(const std::optional<Record>& answer, std::string_view key) {
  return answer.has_value() || key.size() <= ReplicaCache::kMaxMissingKeyBytes;
}

}  // namespace

Result<std::optional<CredentialRecord>> ReplicaCache::FindCredentialByClientId(std::string_view client_id,
                                                                               LastLoginField field) const {
  // Last logins change with every token and are not in the feed.
  if (field == LastLoginField::kRead) return shared_->FindCredentialByClientId(client_id, field);
  return CachedRead<CredentialRecord>(
      KeyKind::kCredentialByClientId, client_id,
      [&] { return shared_->FindCredentialByClientId(client_id, LastLoginField::kSkip); },
      [&](const std::optional<CredentialRecord>& answer) { return KeepFoundOrShortKey(answer, client_id); });
}

Result<std::optional<UserRecord>> ReplicaCache::GetUser(std::string_view id, LastLoginField field) const {
  if (field == LastLoginField::kRead) return shared_->GetUser(id, field);
  return CachedRead<UserRecord>(
      KeyKind::kUserById, id, [&] { return shared_->GetUser(id, LastLoginField::kSkip); },
      [&](const std::optional<UserRecord>& answer) { return KeepFoundOrShortKey(answer, id); });
}

Result<std::optional<CredentialRecord>> ReplicaCache::GetCredential(std::string_view id) const {
  // A found credential carries its last login, which is not in the feed:
  // only "not found" is kept.
  return CachedRead<CredentialRecord>(
      KeyKind::kMissingCredentialId, id, [&] { return shared_->GetCredential(id); },
      [&](const std::optional<CredentialRecord>& answer) { return !answer && id.size() <= kMaxMissingKeyBytes; });
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
  statistics.hits = hits_.load(std::memory_order_relaxed);
  statistics.misses = misses_.load(std::memory_order_relaxed);
  statistics.entries = cache_->Size();
  const int64_t started_ms = last_poll_started_ms_.load(std::memory_order_acquire);
  if (started_ms != kNever) statistics.freshness_age_ms = clock_.NowMillis() - started_ms;
  statistics.failed_polls = failed_polls_.load(std::memory_order_relaxed);
  statistics.resets = resets_.load(std::memory_order_relaxed);
  return statistics;
}

}  // namespace keymint
