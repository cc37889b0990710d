#include "store/record_cache.hpp"

#include <functional>
#include <utility>

namespace keymint::store_cache {

std::size_t RecordCache::KeyHash::operator()(const Key& key) const {
  // Mixed so that the kinds of one id land in unrelated buckets and shards.
  return std::hash<std::string_view>{}(key.id) ^ (static_cast<std::size_t>(key.kind) * 0x9e3779b97f4a7c15ULL);
}

RecordCache::RecordCache(std::size_t max_entries) {
  // Shares that add up to max_entries exactly, so the bound is the one asked for.
  for (std::size_t i = 0; i < kShards; ++i) {
    shards_[i].capacity = max_entries / kShards + (i < max_entries % kShards ? 1 : 0);
  }
}

RecordCache::Shard& RecordCache::ShardOf(std::size_t hash) {
  // The top bits: the map inside the shard buckets by the low ones.
  return shards_[(hash >> 56) % kShards];
}

RecordCache::Lookup RecordCache::Find(const Key& key) {
  Shard& shard = ShardOf(KeyHash{}(key));
  std::lock_guard lock(shard.mutex);
  Lookup lookup;
  lookup.generation = shard.generation;
  const auto found = shard.index.find(key);
  if (found == shard.index.end()) return lookup;
  shard.entries.splice(shard.entries.begin(), shard.entries, found->second);
  lookup.answer = found->second->answer;
  return lookup;
}

void RecordCache::Fill(const Key& key, CachedAnswer answer, uint64_t generation) {
  Shard& shard = ShardOf(KeyHash{}(key));
  std::lock_guard lock(shard.mutex);
  if (shard.generation != generation || shard.capacity == 0) return;
  if (const auto found = shard.index.find(key); found != shard.index.end()) {
    // Two misses of one key filled in turn: both read the store after the
    // same generation, so either answer will do; keep the later.
    found->second->answer = std::move(answer);
    shard.entries.splice(shard.entries.begin(), shard.entries, found->second);
    return;
  }
  if (shard.entries.size() >= shard.capacity) {
    const Entry& oldest = shard.entries.back();
    shard.index.erase(Key{oldest.kind, oldest.id});
    shard.entries.pop_back();
    size_.fetch_sub(1, std::memory_order_relaxed);
  }
  shard.entries.push_front(Entry{key.kind, std::string(key.id), std::move(answer)});
  shard.index.emplace(Key{key.kind, shard.entries.front().id}, shard.entries.begin());
  size_.fetch_add(1, std::memory_order_relaxed);
}

void RecordCache::Evict(const Key& key) {
  Shard& shard = ShardOf(KeyHash{}(key));
  std::lock_guard lock(shard.mutex);
  ++shard.generation;
  const auto found = shard.index.find(key);
  if (found == shard.index.end()) return;
  const auto entry = found->second;
  shard.index.erase(found);  // first: its key views the entry's id
  shard.entries.erase(entry);
  size_.fetch_sub(1, std::memory_order_relaxed);
}

void RecordCache::Clear() {
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    ++shard.generation;
    size_.fetch_sub(shard.entries.size(), std::memory_order_relaxed);
    shard.index.clear();
    shard.entries.clear();
  }
}

}  // namespace keymint::store_cache
