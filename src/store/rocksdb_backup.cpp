#include "store/rocksdb_backup.hpp"

#include <rocksdb/env.h>
#include <rocksdb/utilities/backup_engine.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "store/rocksdb_error.hpp"

namespace keymint {
namespace fs = std::filesystem;
namespace {

using store_rocksdb::StoreError;

rocksdb::BackupEngineOptions EngineOptions(const std::string& backup_dir) {
  // The defaults are what we want: table files shared between backups and
  // named by checksum (incremental), every file and the metadata synced.
  rocksdb::BackupEngineOptions options(backup_dir);
  // One copying thread, so that a backup leaves the other cores to the token path.
  options.max_background_operations = 1;
  return options;
}

BackupRecord RecordOf(const rocksdb::BackupInfo& info, bool verified) {
  BackupRecord record;
  record.id = info.backup_id;
  record.created_at_ms = info.timestamp * 1000;
  record.size_bytes = info.size;
  record.file_count = info.number_files;
  record.verified = verified;
  return record;
}

// Whether `backup_dir` has ever held a backup (the engine's metadata directory).
bool HasBackups(const std::string& backup_dir) {
  std::error_code ec;
  return fs::is_directory(fs::path(backup_dir) / "meta", ec);
}

Result<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenReadOnly(const std::string& backup_dir) {
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(EngineOptions(backup_dir), rocksdb::Env::Default(), &raw);
  if (!s.ok()) return StoreError(s, "open of backup directory " + backup_dir);
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

// The engine's backups, oldest (lowest id) first.
std::vector<rocksdb::BackupInfo> BackupsOf(const rocksdb::BackupEngineReadOnlyBase& engine) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  std::sort(infos.begin(), infos.end(), [](const auto& a, const auto& b) { return a.backup_id < b.backup_id; });
  return infos;
}

std::string IdList(const std::vector<rocksdb::BackupInfo>& infos) {
  std::string ids;
  for (const auto& info : infos) ids += (ids.empty() ? "" : ", ") + std::to_string(info.backup_id);
  return ids;
}

// The backup to restore: `backup_id`, or the newest. A damaged one (which
// the engine leaves out of its listing) is refused rather than passed over
// for an older one the operator did not ask for.
Result<rocksdb::BackupInfo> ChooseBackup(const rocksdb::BackupEngineReadOnlyBase& engine, const std::string& backup_dir,
                                         std::optional<uint32_t> backup_id) {
  const std::vector<rocksdb::BackupInfo> infos = BackupsOf(engine);
  std::vector<rocksdb::BackupID> damaged;
  engine.GetCorruptedBackups(&damaged);
  if (infos.empty() && damaged.empty()) return Error::NotFound("no backups in " + backup_dir);
  rocksdb::BackupID wanted = infos.empty() ? 0 : infos.back().backup_id;
  for (const rocksdb::BackupID id : damaged) wanted = std::max(wanted, id);
  if (backup_id) wanted = *backup_id;
  if (std::find(damaged.begin(), damaged.end(), wanted) != damaged.end()) {
    return Error::Unavailable("backup " + std::to_string(wanted) + " in " + backup_dir +
                              " is damaged (a file is missing or unreadable)");
  }
  for (const auto& info : infos) {
    if (info.backup_id == wanted) return info;
  }
  return Error::NotFound("no backup " + std::to_string(wanted) + " in " + backup_dir + " (it holds " + IdList(infos) +
                         ")");
}

// Holds RocksDB's lock of the database in `db_dir`, if there is one, so that
// a restore cannot replace a database a running keymint has open.
class DatabaseLock {
 public:
  DatabaseLock() = default;
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  ~DatabaseLock() { Release(); }

  Status Take(const std::string& db_dir) {
    std::error_code ec;
    if (!fs::exists(fs::path(db_dir) / "LOCK", ec)) return Status::Ok();
    rocksdb::Status s = rocksdb::Env::Default()->LockFile((fs::path(db_dir) / "LOCK").string(), &lock_);
    if (!s.ok()) return Error::Unavailable(db_dir + " is in use (is keymint running on it?): " + s.ToString());
    return Status::Ok();
  }

  void Release() {
    if (lock_ != nullptr) (void)rocksdb::Env::Default()->UnlockFile(lock_);
    lock_ = nullptr;
  }

 private:
  rocksdb::FileLock* lock_ = nullptr;
};

}  // namespace

namespace store_rocksdb {

Result<BackupRecord> CreateBackup(rocksdb::DB& db, const std::string& backup_dir) {
  std::error_code ec;
  // Owner-only, as the data directory: the backup holds the same hashes.
  if (fs::create_directories(backup_dir, ec)) fs::permissions(backup_dir, fs::perms::owner_all, ec);
  if (ec) return Error::Unavailable("cannot create backup directory " + backup_dir + ": " + ec.message());

  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngine::Open(EngineOptions(backup_dir), rocksdb::Env::Default(), &raw);
  if (!s.ok()) return StoreError(s, "open of backup directory " + backup_dir);
  const std::unique_ptr<rocksdb::BackupEngine> engine(raw);

  // Flushing first puts everything committed, last logins included, into
  // table files, which later backups share instead of copying again.
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  s = engine->CreateNewBackup(options, &db, &id);
  if (!s.ok()) return StoreError(s, "backup into " + backup_dir);
  // Read every file back: a backup that cannot be restored is worse than
  // none, and this is the moment to find out.
  s = engine->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!s.ok()) return StoreError(s, "verification of backup " + std::to_string(id) + " in " + backup_dir);
  rocksdb::BackupInfo info;
  if (rocksdb::Status got = engine->GetBackupInfo(id, &info); !got.ok()) return StoreError(got, "backup listing");
  return RecordOf(info, /*verified=*/true);
}

Result<std::vector<BackupRecord>> ListBackups(const std::string& backup_dir) {
  if (!HasBackups(backup_dir)) return std::vector<BackupRecord>();
  ASSIGN_OR_RETURN(auto engine, OpenReadOnly(backup_dir));
  std::vector<BackupRecord> records;
  for (const auto& info : BackupsOf(*engine)) {
    records.push_back(RecordOf(info, engine->VerifyBackup(info.backup_id, /*verify_with_checksum=*/false).ok()));
  }
  // Those the engine found damaged on opening (a file missing) are left out
  // of its listing; an operator needs to see them all the more.
  std::vector<rocksdb::BackupID> damaged;
  engine->GetCorruptedBackups(&damaged);
  for (const rocksdb::BackupID id : damaged) {
    BackupRecord record;
    record.id = id;
    records.push_back(record);
  }
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return records;
}

}  // namespace store_rocksdb

Result<BackupRecord> RestoreRocksDbBackup(const std::string& backup_dir, std::optional<uint32_t> backup_id,
                                          const std::string& db_dir) {
  std::error_code ec;
  if (!fs::is_directory(backup_dir, ec)) return Error::NotFound("no backup directory " + backup_dir);
  if (!HasBackups(backup_dir)) return Error::NotFound("no backups in " + backup_dir);
  ASSIGN_OR_RETURN(auto engine, OpenReadOnly(backup_dir));
  ASSIGN_OR_RETURN(const rocksdb::BackupInfo chosen, ChooseBackup(*engine, backup_dir, backup_id));
  const std::string id = std::to_string(chosen.backup_id);
  rocksdb::IOStatus s = engine->VerifyBackup(chosen.backup_id, /*verify_with_checksum=*/true);
  if (!s.ok()) return Error::Unavailable("backup " + id + " in " + backup_dir + " is damaged: " + s.ToString());

  // Restored beside the target and moved into place only once complete, so
  // that a failure (disk full) leaves the target as it was.
  DatabaseLock lock;
  RETURN_IF_ERROR(lock.Take(db_dir));
  const fs::path target(db_dir);
  const fs::path staging = target.parent_path() / ("." + target.filename().string() + ".restoring");
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (!ec) fs::permissions(staging, fs::perms::owner_all, fs::perm_options::replace, ec);  // as OpenRocksDbStore
  if (ec) return Error::Unavailable("cannot create " + staging.string() + ": " + ec.message());
  s = engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), chosen.backup_id, staging.string(), staging.string());
  if (!s.ok()) {
    fs::remove_all(staging, ec);
    return StoreError(s, "restore of backup " + id + " into " + db_dir);
  }
  lock.Release();
  fs::remove_all(target, ec);
  if (!ec) fs::rename(staging, target, ec);
  if (ec) return Error::Unavailable("cannot move the restored database into " + db_dir + ": " + ec.message());
  return RecordOf(chosen, /*verified=*/true);
}

}  // namespace keymint
