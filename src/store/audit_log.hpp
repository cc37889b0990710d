// The audit log's table on RocksDB (key_layout.hpp: "al:"): reading a page
// newest first with the filters applied while scanning, and pruning what the
// retention setting no longer keeps. Neither takes a lock of the store's.
#pragma once

#include <rocksdb/db.h>

#include <cstddef>
#include <cstdint>

#include "keymint/common/result.hpp"
#include "keymint/store/store.hpp"

namespace keymint::store_rocksdb {

// See Store::ListAudit. A page position ("after", "next") is an entry's key
// without the table prefix.
Result<AuditPage> ReadAuditPage(rocksdb::DB& db, const AuditQuery& query);

// See Store::PruneAudit: one unsynced batch of point deletes (a lost one is
// redone by the next pass). Point deletes rather than a range tombstone:
// those would be consulted by every point read, the token path's included.
Result<std::size_t> PruneAuditLog(rocksdb::DB& db, int64_t before_ms, std::size_t max_entries);

}  // namespace keymint::store_rocksdb
