#include "keymint/service/backup_service.hpp"

#include <utility>

namespace keymint {

BackupService::BackupService(Store& store, std::string backup_dir)
    : store_(store), backup_dir_(std::move(backup_dir)) {}

Status BackupService::CheckEnabled() const {
  // NotFound: with no directory there are no backups to list or to add to.
  if (backup_dir_.empty()) {
    return Error::NotFound(
        "backups are off: no backup directory is configured (backup.dir, --backup-dir, "
        "KEYMINT_BACKUP_DIR; a shared store is backed up with the database's own tools)");
  }
  return Status::Ok();
}

Result<BackupRecord> BackupService::Create() {
  RETURN_IF_ERROR(CheckEnabled());
  // A second request is told at once rather than holding a pool thread for
  // as long as the first one copies.
  if (running_.exchange(true, std::memory_order_acquire)) {
    return Error::AlreadyExists("a backup is already running; list the backups once it has finished");
  }
  Result<BackupRecord> created = store_.CreateBackup(backup_dir_);
  running_.store(false, std::memory_order_release);
  return created;
}

Result<std::vector<BackupRecord>> BackupService::List() const {
  RETURN_IF_ERROR(CheckEnabled());
  return store_.ListBackups(backup_dir_);
}

}  // namespace keymint
