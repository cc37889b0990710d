// The RocksDB settings keymint's store runs with, chosen for its workload:
// point lookups on the token path, rare synced management writes, a stream of
// unsynced last-login writes, and a resident-memory budget (bench/README.md,
// "Seeding a data directory", has the figures behind each choice).
#pragma once

#include <rocksdb/options.h>

namespace keymint::store_rocksdb {

// The options for DB::Open (create_if_missing included).
rocksdb::Options StoreOptions();

}  // namespace keymint::store_rocksdb
