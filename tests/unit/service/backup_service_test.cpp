// BackupService: off without a directory, the configured directory only, and
// one backup at a time.
#include "keymint/service/backup_service.hpp"

#include <catch2/catch.hpp>
#include <latch>
#include <memory>
#include <string>
#include <thread>

#include "unit/test_support/forwarding_store.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace keymint {
namespace {

using Catch::Matchers::Contains;
using testing::TempDir;

std::unique_ptr<Store> OpenStore(const TempDir& dir) {
  auto opened = OpenRocksDbStore(dir.Sub("db"));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

// A store whose backups wait until the test lets them finish.
class HeldBackupStore : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  Result<BackupRecord> CreateBackup(const std::string& backup_dir) override {
    directory = backup_dir;
    started.count_down();
    release.wait();
    BackupRecord record;
    record.id = 7;
    record.verified = true;
    return record;
  }
  Result<std::vector<BackupRecord>> ListBackups(const std::string& backup_dir) const override {
    directory = backup_dir;
    return std::vector<BackupRecord>{};
  }

  mutable std::string directory;
  std::latch started{1};
  std::latch release{1};
};

TEST_CASE("Without a backup directory backups are off, and the error says how to turn them on", "[service]") {
  TempDir dir("backup-service");
  auto store = OpenStore(dir);
  BackupService backups(*store, "");
  auto created = backups.Create();
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().code == ErrorCode::kNotFound);
  CHECK_THAT(created.error().message, Contains("backup.dir") && Contains("KEYMINT_BACKUP_DIR"));
  auto listed = backups.List();
  REQUIRE_FALSE(listed.ok());
  CHECK(listed.error().code == ErrorCode::kNotFound);
}

TEST_CASE("Backups go into the configured directory and nowhere else", "[service]") {
  TempDir dir("backup-service");
  auto inner = OpenStore(dir);
  HeldBackupStore store(*inner);
  BackupService backups(store, dir.Sub("backups"));
  store.release.count_down();
  auto created = backups.Create();
  REQUIRE(created.ok());
  CHECK(created->id == 7);
  CHECK(store.directory == dir.Sub("backups"));
  store.directory.clear();
  REQUIRE(backups.List().ok());
  CHECK(store.directory == dir.Sub("backups"));
}

TEST_CASE("A backup while another runs is refused at once with AlreadyExists, and the next one runs", "[service]") {
  TempDir dir("backup-service");
  auto inner = OpenStore(dir);
  HeldBackupStore store(*inner);
  BackupService backups(store, dir.Sub("backups"));
  Result<BackupRecord> first = Error::Internal("not run");
  std::thread running([&] { first = backups.Create(); });
  store.started.wait();
  auto second = backups.Create();
  store.release.count_down();
  running.join();
  REQUIRE(first.ok());
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::kAlreadyExists);
  CHECK_THAT(second.error().message, Contains("already running"));
  // Listing does not wait for or refuse because of a running backup.
  CHECK(backups.List().ok());
  CHECK(backups.Create().ok());  // the first finished, so the next one runs
}

}  // namespace
}  // namespace keymint
