// The memory behind ReplicaCache (keymint/store/replica_cache.hpp): copies of
// records, and of "not found" answers, keyed by how they were looked up;
// bounded, sharded, and with a generation per shard that tells a fill whether
// an eviction ran while it was reading the store.
//
// It knows nothing of freshness or of the change feed: ReplicaCache decides
// when to ask it, when to fill it and what to evict.
//
// Thread-safe. Each shard has a mutex of its own, so that token requests on
// different cores do not queue on one lock; an operation takes one shard's
// lock, except Clear, which takes them one after the other.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "keymint/store/records.hpp"

namespace keymint::store_cache {

// What a key names. The same string may be a client ID and an id, so the
// kind is part of the key.
enum class KeyKind : uint8_t {
  kCredentialByClientId,  // FindCredentialByClientId(kSkip): the record or nullopt
  kUserById,              // GetUser(kSkip): the record or nullopt
  kMissingCredentialId,   // GetCredential: only nullopt is ever kept
};

struct Key {
  KeyKind kind = KeyKind::kUserById;
  std::string_view id;

  friend bool operator==(const Key&, const Key&) = default;
};

// A cached answer: the record found, or nullopt for "there is none".
using CachedAnswer = std::variant<std::optional<CredentialRecord>, std::optional<UserRecord>>;

class RecordCache {
 public:
  static constexpr std::size_t kShards = 16;

  // Holds at most `max_entries` answers in all (0: holds none).
  explicit RecordCache(std::size_t max_entries);
  RecordCache(const RecordCache&) = delete;
  RecordCache& operator=(const RecordCache&) = delete;

  // What Find saw: the answer when cached; otherwise the generation of the
  // key's shard, which a Fill of what the store answers must hand back.
  struct Lookup {
    std::optional<CachedAnswer> answer;
    uint64_t generation = 0;
  };
  // Copies the cached answer out (and marks it recently used).
  Lookup Find(const Key& key);
  // Keeps `answer` for `key` unless the key's shard has seen an eviction or
  // a clear since the Find that returned `generation`: the store may have
  // answered before the change that eviction was for, and keeping that
  // answer would undo the eviction. When the shard is full, the least
  // recently used answer in it makes room.
  void Fill(const Key& key, CachedAnswer answer, uint64_t generation);
  // Forgets the key's answer, if any, and moves its shard's generation on
  // even when there was none: a fill of that key may be on its way.
  void Evict(const Key& key);
  // Forgets everything and moves every generation on.
  void Clear();
  // Answers held now.
  std::size_t Size() const { return size_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    KeyKind kind;
    std::string id;  // the map's key views it: std::list nodes do not move
    CachedAnswer answer;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  // Most recently used first. Least recently used is what a full shard drops
  // rather than clearing itself: a burst of unknown client IDs (a scan, or
  // one misconfigured caller) then costs the keys in use nothing as long as
  // they keep being read, and keeping the order is one splice under a lock
  // the lookup holds anyway.
  struct Shard {
    std::mutex mutex;
    std::list<Entry> entries;                                            // guarded by mutex
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index;  // guarded by mutex
    uint64_t generation = 0;                                             // guarded by mutex
    std::size_t capacity = 0;                                            // constant after construction
  };

  Shard& ShardOf(std::size_t hash);

  std::array<Shard, kShards> shards_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace keymint::store_cache
