#include "crypto/thread_contexts.hpp"

#include <atomic>
#include <vector>

namespace keymint::crypto::internal {
namespace {

std::atomic<std::uint64_t> next_key_id{1};

// A process holds a handful of keys; the bound only stops a thread that has
// seen many short-lived keys (tests, rotations) from holding them all.
constexpr std::size_t kMaxCachedKeys = 8;

}  // namespace

std::uint64_t NewKeyId() { return next_key_id.fetch_add(1, std::memory_order_relaxed); }

ThreadContexts* ContextsFor(std::uint64_t key_id, EVP_PKEY* shared_key) {
  thread_local std::vector<ThreadContexts> cache;
  for (ThreadContexts& entry : cache) {
    if (entry.key_id == key_id) return &entry;
  }
  PkeyPtr copy(EVP_PKEY_dup(shared_key));
  if (!copy) return nullptr;
  if (cache.size() >= kMaxCachedKeys) cache.erase(cache.begin());
  cache.push_back(ThreadContexts{key_id, std::move(copy), nullptr, nullptr, nullptr, nullptr});
  return &cache.back();
}

}  // namespace keymint::crypto::internal
