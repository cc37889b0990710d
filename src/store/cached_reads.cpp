#include "store/cached_reads.hpp"

namespace keymint::store_cache {

template <typename Record, typename ReadStore, typename Keep>
Result<std::optional<Record>> CachedReads::CachedRead(KeyKind kind, std::string_view key, bool fresh,
                                                      const ReadStore& read, const Keep& keep) {
  if (!fresh) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return read();
  }
  const Key cache_key{kind, key};
  RecordCache::Lookup lookup = records_.Find(cache_key);
  if (lookup.answer) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return std::get<std::optional<Record>>(std::move(*lookup.answer));
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  Result<std::optional<Record>> answer = read();
  // The generation taken before the read: a change evicted while the store
  // was being read makes the fill a no-op, so what the store said before
  // that change is never kept.
  if (answer.ok() && keep(*answer)) records_.Fill(cache_key, *answer, lookup.generation);
  return answer;
}

namespace {

template <typename Record>
bool KeepFoundOrShortKey(const std::optional<Record>& answer, std::string_view key) {
  return answer.has_value() || key.size() <= CachedReads::kMaxMissingKeyBytes;
}

}  // namespace

Result<std::optional<CredentialRecord>> CachedReads::FindCredentialByClientId(const Store& store,
                                                                              std::string_view client_id,
                                                                              LastLoginField field, bool fresh) {
  // Last logins change with every token: never kept.
  if (field == LastLoginField::kRead) return store.FindCredentialByClientId(client_id, field);
  return CachedRead<CredentialRecord>(
      KeyKind::kCredentialByClientId, client_id, fresh,
      [&] { return store.FindCredentialByClientId(client_id, LastLoginField::kSkip); },
      [&](const std::optional<CredentialRecord>& answer) { return KeepFoundOrShortKey(answer, client_id); });
}

Result<std::optional<UserRecord>> CachedReads::GetUser(const Store& store, std::string_view id, LastLoginField field,
                                                       bool fresh) {
  if (field == LastLoginField::kRead) return store.GetUser(id, field);
  return CachedRead<UserRecord>(
      KeyKind::kUserById, id, fresh, [&] { return store.GetUser(id, LastLoginField::kSkip); },
      [&](const std::optional<UserRecord>& answer) { return KeepFoundOrShortKey(answer, id); });
}

Result<std::optional<CredentialRecord>> CachedReads::GetCredential(const Store& store, std::string_view id,
                                                                   bool fresh) {
  // A found credential carries its last login: only "not found" is kept.
  return CachedRead<CredentialRecord>(
      KeyKind::kMissingCredentialId, id, fresh, [&] { return store.GetCredential(id); },
      [&](const std::optional<CredentialRecord>& answer) { return !answer && id.size() <= kMaxMissingKeyBytes; });
}

}  // namespace keymint::store_cache
