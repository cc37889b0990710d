// The store's tables and the versioned migrations that create them.
//
// Every statement is in the SQL that PostgreSQL, CockroachDB and YugabyteDB
// all accept: TEXT, BIGINT, BOOLEAN and BYTEA columns (BYTEA for record
// bodies: record_codec's bytes, read back exactly as written, where TEXT
// would refuse any byte sequence that is not UTF-8), PRIMARY KEY and UNIQUE constraints,
// secondary indexes. Ids and other keys that lists are ordered by use the
// "C" collation, so that they sort byte-wise as in the RocksDB store.
#pragma once

#include <cstdint>

#include "keymint/common/result.hpp"
#include "store/postgres/connection_pool.hpp"

namespace keymint::store_postgres {

// The newest schema version this build knows.
int64_t LatestSchemaVersion();

// Brings the database up to LatestSchemaVersion(), applying each missing
// version in a transaction of its own that first claims the version by
// inserting it into keymint_schema_migrations. Safe when several processes
// open the same (even empty) database at once: a process that finds another
// applying a version (a unique violation, an existing table or type, a
// serialisation failure) rolls back, waits a little and looks again. Unavailable when the
// database holds a newer version than this build knows ("upgrade keymint"),
// or when it cannot be read or written.
Status Migrate(ConnectionPool& pool);

}  // namespace keymint::store_postgres
