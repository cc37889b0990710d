// The deny list's table on RocksDB (key_layout.hpp: "rt:"): revoked tokens'
// ids and expiries. None of these takes a lock of the store's.
#pragma once

#include <rocksdb/db.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/store/records.hpp"

namespace keymint::store_rocksdb {

// See Store::AddRevokedToken: one synced put.
Status PutRevokedToken(rocksdb::DB& db, const RevokedToken& token);
// See Store::ListRevokedTokens. Entries whose value is not a decimal time
// (damaged) are skipped: a lost revocation of a short-lived token is better
// than refusing to start.
Result<std::vector<RevokedToken>> ReadRevokedTokens(rocksdb::DB& db);
// See Store::PruneRevokedTokens: one unsynced batch of point deletes (an
// entry whose delete is lost is pruned again next time).
Result<std::size_t> PruneRevokedTokens(rocksdb::DB& db, int64_t now_ms);

}  // namespace keymint::store_rocksdb
