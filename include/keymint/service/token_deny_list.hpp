// The deny list of revoked tokens (README "Introspection and revocation"):
// a revoked token's `jti` is refused by the bearer authenticator and by
// introspection until its `exp`, after which the token is refused anyway.
//
// Kept twice: in the store (AddRevokedToken is synced, so a revocation
// survives a restart or a crash) and in memory, loaded from the store at
// start-up. Only bearer verification consults it (management API,
// introspection), never the token endpoints. Contains() is the hot read: an
// atomic count lets the common case (nothing revoked) skip the set, and
// otherwise it takes a shared (reader) lock that readers never contend on;
// writers (Add, Prune) are rare and serialised among themselves.
//
// Bounded: at most `max_entries` tokens (revocation.max_entries). When full,
// Add first prunes the expired ones; if none has expired it refuses with
// Unavailable (503 / temporarily_unavailable) and evicts nothing: evicting a
// live entry would silently un-revoke a token. Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

class TokenDenyList {
 public:
  // Keeps references to `store` and `clock`, which must outlive it. Empty
  // until Load().
  TokenDenyList(Store& store, const Clock& clock, std::size_t max_entries);

  // Reads the revoked tokens from the store into the list, dropping (and
  // pruning from the store) those already expired. Call it before serving,
  // and again whenever another process sharing the store revoked a token (a
  // replica learns of it from the change feed); it may run while an Add is
  // in progress on the same thread.
  Status Load();

  // Puts `jti` on the list until `expires_at_ms`: written (synced) to the
  // store first, then visible to Contains(). A jti already listed is OK.
  // Unavailable when the list is full of unexpired tokens or the store
  // cannot write.
  Status Add(std::string_view jti, int64_t expires_at_ms);

  // Whether `jti` is revoked and not yet expired.
  bool Contains(std::string_view jti) const;

  // Removes the expired entries from memory and from the store; returns how
  // many left memory.
  Result<std::size_t> Prune();

  std::size_t size() const { return count_.load(std::memory_order_acquire); }
  std::size_t max_entries() const { return max_entries_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view jti) const { return std::hash<std::string_view>{}(jti); }
  };
  using Entries = std::unordered_map<std::string, int64_t, Hash, std::equal_to<>>;  // jti -> expiry, ms
  std::size_t PruneMemory(int64_t now_ms);                                          // caller holds write_mu_

  Store& store_;
  const Clock& clock_;
  const std::size_t max_entries_;
  std::mutex write_mu_;  // one writer at a time: store write, then memory
  mutable std::shared_mutex entries_mu_;
  Entries entries_;                    // guarded by entries_mu_
  std::atomic<std::size_t> count_{0};  // entries_.size(), readable without the lock
};

}  // namespace keymint
