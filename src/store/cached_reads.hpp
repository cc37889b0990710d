// The token path's three reads answered from a RecordCache: what ReplicaCache
// and LocalStoreCache share. Each cache decides when the memory may answer
// (`fresh`) and what to evict; this decides what is kept and counts hits.
//
// What is cached: FindCredentialByClientId and GetUser with
// LastLoginField::kSkip, found or not found; GetCredential only when it finds
// nothing (the token path reads a never-existing id to even out timing; a
// found credential carries its last login, which changes with every token).
// "Not found" for a key longer than kMaxMissingKeyBytes is not kept: an
// unknown key is the caller's choice of bytes, and the bound is on entries.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "keymint/store/store.hpp"
#include "store/record_cache.hpp"

namespace keymint::store_cache {

class CachedReads {
 public:
  static constexpr std::size_t kMaxMissingKeyBytes = 128;

  explicit CachedReads(std::size_t max_entries) : records_(max_entries) {}

  // Each reads `store` when the memory may not answer (`fresh` false) or does
  // not hold the answer; only in the second case is the answer kept.
  Result<std::optional<CredentialRecord>> FindCredentialByClientId(const Store& store, std::string_view client_id,
                                                                   LastLoginField field, bool fresh);
  Result<std::optional<UserRecord>> GetUser(const Store& store, std::string_view id, LastLoginField field, bool fresh);
  Result<std::optional<CredentialRecord>> GetCredential(const Store& store, std::string_view id, bool fresh);

  // What the owner evicts from.
  RecordCache& records() { return records_; }
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  std::size_t entries() const { return records_.Size(); }

 private:
  template <typename Record, typename ReadStore, typename Keep>
  Result<std::optional<Record>> CachedRead(KeyKind kind, std::string_view key, bool fresh, const ReadStore& read,
                                           const Keep& keep);

  RecordCache records_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace keymint::store_cache
