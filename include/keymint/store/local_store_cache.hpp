// A Store in front of a store that only this process writes (the embedded
// RocksDB store), answering the token path's reads from memory: the owner's
// record and the credential's, which otherwise cost two RocksDB lookups and
// two decodes per token (about a tenth of an ES256 token's time; README
// "Performance").
//
// What it caches is what ReplicaCache caches (replica_cache.hpp): credentials
// by client ID and users by id as read with LastLoginField::kSkip, found or
// not found, and "not found" for a credential id; every other read, and
// every read with LastLoginField::kRead, goes to the store.
//
// Exact, not merely fresh: the users and credentials it caches change only
// through RunTransaction, and only through this store, since the embedded
// store belongs to one process. Every RunTransaction, whatever its outcome,
// forgets everything before it returns (management writes are rare, and a
// refill is a read per key in use); a read that raced with the write keeps
// nothing (the shard generations of store/record_cache.hpp). So once a write
// has returned, no read answers what it replaced: a secret regenerated or a
// key deleted stops minting at once. Last logins, usage, the audit log and
// revoked tokens are not cached and go to the store as they are.
//
// Bounded: at most max_entries answers, sharded, least recently used out.
// Thread-safe, as a Store is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "keymint/store/forwarding_store.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

namespace store_cache {
class CachedReads;
}  // namespace store_cache

// What /metrics shows of a cache in front of the store. Counts run from
// construction.
struct StoreCacheStatistics {
  uint64_t hits = 0;     // cacheable reads answered from memory
  uint64_t misses = 0;   // cacheable reads the store answered
  uint64_t entries = 0;  // answers held now
};

class LocalStoreCache final : public ForwardingStore {
 public:
  // Owns `inner`. Holds at most `max_entries` answers (0: none, every read
  // goes to the store).
  LocalStoreCache(std::unique_ptr<Store> inner, std::size_t max_entries);
  ~LocalStoreCache() override;
  LocalStoreCache(const LocalStoreCache&) = delete;
  LocalStoreCache& operator=(const LocalStoreCache&) = delete;

  StoreCacheStatistics CacheStatistics() const;

  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) const override;
  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) const override;
  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) const override;
  Status RunTransaction(const TransactionBody& body) override;

 private:
  const std::unique_ptr<Store> owned_;  // what ForwardingStore forwards to
  const std::unique_ptr<store_cache::CachedReads> reads_;
};

}  // namespace keymint
