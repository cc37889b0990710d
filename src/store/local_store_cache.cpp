#include "keymint/store/local_store_cache.hpp"

#include <utility>

#include "store/cached_reads.hpp"

namespace keymint {

// ForwardingStore keeps a reference to *inner, which owned_ then owns: the
// object does not move, so the reference stays good.
LocalStoreCache::LocalStoreCache(std::unique_ptr<Store> inner, std::size_t max_entries)
    : ForwardingStore(*inner),
      owned_(std::move(inner)),
      reads_(std::make_unique<store_cache::CachedReads>(max_entries)) {}

LocalStoreCache::~LocalStoreCache() = default;

Result<std::optional<UserRecord>> LocalStoreCache::GetUser(std::string_view id, LastLoginField field) const {
  return reads_->GetUser(inner(), id, field, /*fresh=*/true);
}

Result<std::optional<CredentialRecord>> LocalStoreCache::GetCredential(std::string_view id) const {
  return reads_->GetCredential(inner(), id, /*fresh=*/true);
}

Result<std::optional<CredentialRecord>> LocalStoreCache::FindCredentialByClientId(std::string_view client_id,
                                                                                  LastLoginField field) const {
  return reads_->FindCredentialByClientId(inner(), client_id, field, /*fresh=*/true);
}

Status LocalStoreCache::RunTransaction(const TransactionBody& body) {
  Status committed = ForwardingStore::RunTransaction(body);
  // Also after a failure: an error reported after the write reached the
  // store (a failed sync, say) must not leave the old answers behind.
  reads_->records().Clear();
  return committed;
}

StoreCacheStatistics LocalStoreCache::CacheStatistics() const {
  return {.hits = reads_->hits(), .misses = reads_->misses(), .entries = reads_->entries()};
}

}  // namespace keymint
