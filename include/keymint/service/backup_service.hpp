// Online backups (README "Backup and restore"): POST and GET /api/v1/backups.
//
// Backups go into the one directory keymint was configured with
// (Config::backup_dir), never a path from a request. With none configured,
// backups are off: Create and List fail with NotFound, saying how to turn
// them on. One backup runs at a time: a Create while another runs fails at
// once with AlreadyExists (409) instead of queueing behind it. The store does
// the work (Store::CreateBackup: incremental, verified), while keymint goes
// on serving. Thread-safe.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

class BackupService {
 public:
  // Keeps a reference to `store`, which must outlive it. `backup_dir` "" = off.
  BackupService(Store& store, std::string backup_dir);

  // Writes, verifies and returns a new backup. Slow (it copies what changed
  // since the last backup): call it off the I/O threads.
  Result<BackupRecord> Create();
  // The backups in the directory, oldest first.
  Result<std::vector<BackupRecord>> List() const;

 private:
  Status CheckEnabled() const;

  Store& store_;
  const std::string backup_dir_;
  std::atomic<bool> running_{false};
};

}  // namespace keymint
