// The audit log's table on PostgreSQL (keymint_audit): pages newest first
// with the filters applied while reading, as the RocksDB store does, and
// pruning. Page positions have the RocksDB store's shape (key_layout.hpp:
// an audit key without its prefix), so a cursor means the same on both.
#pragma once

#include <cstddef>
#include <cstdint>

#include "keymint/common/result.hpp"
#include "keymint/store/store.hpp"
#include "store/postgres/pg_connection.hpp"

namespace keymint::store_postgres {

// See Store::ListAudit.
Result<AuditPage> ReadAuditPage(PgConnection& conn, const AuditQuery& query);
// See Store::PruneAudit: the newest of the entries older than `before_ms`
// first, as the RocksDB store.
Result<std::size_t> PruneAuditLog(PgConnection& conn, int64_t before_ms, std::size_t max_entries);

}  // namespace keymint::store_postgres
