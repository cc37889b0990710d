// Backups of the RocksDB store with RocksDB's BackupEngine: incremental (table
// files are shared between the backups of one directory, named by checksum),
// synced, and verified after writing. RocksDbStore::CreateBackup and
// ListBackups call these; RestoreRocksDbBackup (store.hpp) is the third use.
#pragma once

#include <rocksdb/db.h>

#include <string>
#include <vector>

#include "keymint/store/store.hpp"

namespace keymint::store_rocksdb {

// Writes a backup of `db` into `backup_dir` (created, owner-only, if missing)
// and verifies its checksums. The caller runs one at a time per directory:
// two writers on one backup directory may damage it.
Result<BackupRecord> CreateBackup(rocksdb::DB& db, const std::string& backup_dir);

// The backups in `backup_dir` by id (empty when it does not exist), each
// checked for its files' presence and sizes. Safe while CreateBackup runs
// on the same directory: it then lists the backups from before it.
Result<std::vector<BackupRecord>> ListBackups(const std::string& backup_dir);

}  // namespace keymint::store_rocksdb
