#include "store/rocksdb_options.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>

namespace keymint::store_rocksdb {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

}  // namespace

rocksdb::Options StoreOptions() {
  rocksdb::Options options;
  options.create_if_missing = true;
  // Flushes and compactions share two background threads.
  options.IncreaseParallelism(2);

  // Memtables: 8 MiB, at most two (one taking writes, one being flushed), so
  // at most 16 MiB (RocksDB's default is 2 x 64 MiB). Between management
  // writes the memtable fills only with last logins (~100 bytes per token
  // exchange), so a larger one would only hold more of them in memory; it
  // also bounds what is replayed from the write-ahead log at start-up. The
  // cost is more frequent flushes and compactions, on the background threads.
  options.write_buffer_size = 8 * kMiB;
  options.max_write_buffer_number = 2;
  // A Bloom filter over the whole keys in each memtable (2% of its size,
  // 160 KiB): nearly every read is of a record that lives in a table file,
  // not in the memtable, and the filter answers "not here" without searching
  // the memtable's skip list. Measured: a quarter less CPU per key written by
  // keymint_seed, whose transactions read before every write.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  // Every table file stays open (RocksDB's default, said here because the
  // index and filter memory below depends on it): with 64 MiB files a
  // million keys make about ten, and a lookup never waits to open one.
  options.max_open_files = -1;

  rocksdb::BlockBasedTableOptions table;
  // Point lookups (client ID, id) dominate: a Bloom filter (10 bits a key,
  // ~1% false positives) skips table files that cannot hold the key.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks stay with the open table files, outside the block
  // cache (RocksDB's default, said here because it is the memory trade-off):
  // a lookup reaches them without a cache lookup or a read, and a data block
  // read can never evict them. They cost about 11 bytes per access key (10.8
  // MiB with a million keys: rocksdb.estimate-table-readers-mem) and grow with
  // the store. Charging them to the cache instead bounds that memory, but needs
  // partitioned index and filters (the whole filter of a 64 MiB file is larger
  // than a cache shard, so it would be read again on every lookup); measured
  // with a million keys, partitions in the cache took ~1.5x the CPU per
  // exchange's reads. Past a few million keys they become the better choice.
  table.cache_index_and_filter_blocks = false;
  // The block cache holds data blocks (4 KiB, uncompressed): 16 MiB, twice
  // RocksDB's default. Exchanges of the same credentials in a row (the usual
  // traffic: a few busy clients) find their three blocks (client-ID index,
  // record, owner) here. Uniformly random lookups over a million keys (~435
  // MiB of table files) miss it whatever its size within the memory budget,
  // and then read from the operating system's page cache, which is not
  // keymint's resident memory.
  table.block_cache = rocksdb::NewLRUCache(16 * kMiB);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  // Counters only (cache hits and misses for the metrics): no histograms and
  // no timers, which would read the clock around every operation. The
  // counters are per-core, so the token path's reads add to them without
  // contending.
  options.statistics = rocksdb::CreateDBStatistics();
  options.statistics->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  return options;
}

}  // namespace keymint::store_rocksdb
