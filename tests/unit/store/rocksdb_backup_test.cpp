// Backups through the store interface (Store::CreateBackup, ListBackups) and
// RestoreRocksDbBackup: what a backup holds, incremental ids, verification,
// and the restore's choices and refusals.
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "keymint/store/store.hpp"
#include "unit/store/store_conformance.hpp"
#include "unit/test_support/store_writes.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace {

using keymint::BackupRecord;
using keymint::ErrorCode;
using keymint::Store;
using keymint::testing::TempDir;
namespace fs = std::filesystem;

std::unique_ptr<Store> Open(const std::string& dir) {
  auto opened = keymint::OpenRocksDbStore(dir);
  INFO((opened.ok() ? std::string() : opened.error().message));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

BackupRecord Backup(Store& store, const std::string& backup_dir) {
  auto created = store.CreateBackup(backup_dir);
  INFO((created.ok() ? std::string() : created.error().message));
  REQUIRE(created.ok());
  return *created;
}

BackupRecord Restore(const std::string& backup_dir, std::optional<uint32_t> id, const std::string& db_dir) {
  auto restored = keymint::RestoreRocksDbBackup(backup_dir, id, db_dir);
  INFO((restored.ok() ? std::string() : restored.error().message));
  REQUIRE(restored.ok());
  return *restored;
}

bool HoldsUser(const Store& store, const std::string& email) {
  auto found = store.FindUserByEmail(email);
  REQUIRE(found.ok());
  return found->has_value();
}

}  // namespace

TEST_CASE("A backup restores into a fresh directory with every record and last login", "[store]") {
  using namespace keymint::testing;
  TempDir dir("backup");
  const keymint::UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  const keymint::CredentialRecord key = MakeKey(2, ada, "ci", 2000);
  {
    auto store = Open(dir.Sub("db"));
    Create(*store, ada);
    Create(*store, key);
    // Unsynced and outside transactions, yet in the backup: it flushes first.
    REQUIRE(store->RecordLastLogins({{key.id, 5000}}).ok());
    const BackupRecord backup = Backup(*store, dir.Sub("backups"));
    CHECK(backup.id == 1);
    CHECK(backup.verified);
    CHECK(backup.file_count > 0);
    CHECK(backup.size_bytes > 0);
    REQUIRE(backup.created_at_ms.has_value());
    CHECK(*backup.created_at_ms > 0);
    CHECK(*backup.created_at_ms % 1000 == 0);
  }
  const BackupRecord restored = Restore(dir.Sub("backups"), std::nullopt, dir.Sub("restored/db"));
  CHECK(restored.id == 1);
  auto store = Open(dir.Sub("restored/db"));
  CHECK(HoldsUser(*store, "ada@example.com"));
  auto found = store->FindCredentialByClientId(key.client_id);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->secret_hash == key.secret_hash);
  CHECK((*found)->last_login_ms == 5000);
}

TEST_CASE("Backups are numbered, listed oldest first, and each restores as it was", "[store]") {
  using namespace keymint::testing;
  TempDir dir("backup");
  const std::string backups = dir.Sub("backups");
  auto store = Open(dir.Sub("db"));
  CHECK(store->ListBackups(backups)->empty());  // no directory yet: nothing backed up
  Create(*store, MakeUser(1, "ada@example.com", 1000));
  const BackupRecord first = Backup(*store, backups);
  Create(*store, MakeUser(2, "bob@example.com", 2000));
  const BackupRecord second = Backup(*store, backups);
  CHECK(second.id == first.id + 1);

  auto listed = store->ListBackups(backups);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].id == first.id);
  CHECK((*listed)[1].id == second.id);
  CHECK((*listed)[0].size_bytes == first.size_bytes);
  CHECK((*listed)[1].file_count == second.file_count);
  CHECK((*listed)[0].verified);
  CHECK((*listed)[1].verified);

  Restore(backups, first.id, dir.Sub("first/db"));
  auto old = Open(dir.Sub("first/db"));
  CHECK(HoldsUser(*old, "ada@example.com"));
  CHECK_FALSE(HoldsUser(*old, "bob@example.com"));
  Restore(backups, std::nullopt, dir.Sub("latest/db"));
  auto latest = Open(dir.Sub("latest/db"));
  CHECK(HoldsUser(*latest, "bob@example.com"));
}

TEST_CASE("A restore replaces a database that is already there, only once complete", "[store]") {
  using namespace keymint::testing;
  TempDir dir("backup");
  {
    auto store = Open(dir.Sub("db"));
    Create(*store, MakeUser(1, "ada@example.com", 1000));
    Backup(*store, dir.Sub("backups"));
  }
  {
    auto other = Open(dir.Sub("target/db"));
    Create(*other, MakeUser(2, "eve@example.com", 2000));
  }
  // A failed restore (no such backup) leaves the target as it was.
  auto missing = keymint::RestoreRocksDbBackup(dir.Sub("backups"), 9, dir.Sub("target/db"));
  REQUIRE_FALSE(missing.ok());
  {
    auto other = Open(dir.Sub("target/db"));
    CHECK(HoldsUser(*other, "eve@example.com"));
  }
  Restore(dir.Sub("backups"), std::nullopt, dir.Sub("target/db"));
  auto restored = Open(dir.Sub("target/db"));
  CHECK(HoldsUser(*restored, "ada@example.com"));
  CHECK_FALSE(HoldsUser(*restored, "eve@example.com"));
  CHECK_FALSE(fs::exists(dir.Sub("target/.db.restoring")));
}

TEST_CASE("A restore names what is missing: the directory, any backup, or the id asked for", "[store]") {
  using namespace keymint::testing;
  TempDir dir("backup");
  auto no_dir = keymint::RestoreRocksDbBackup(dir.Sub("nowhere"), std::nullopt, dir.Sub("out/db"));
  REQUIRE_FALSE(no_dir.ok());
  CHECK(no_dir.error().code == ErrorCode::kNotFound);
  CHECK_THAT(no_dir.error().message, Catch::Contains(dir.Sub("nowhere")));

  fs::create_directories(dir.Sub("empty"));
  auto empty = keymint::RestoreRocksDbBackup(dir.Sub("empty"), std::nullopt, dir.Sub("out/db"));
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == ErrorCode::kNotFound);
  CHECK_THAT(empty.error().message, Catch::Contains("no backups"));

  {
    auto store = Open(dir.Sub("db"));
    Backup(*store, dir.Sub("backups"));
  }
  auto wrong_id = keymint::RestoreRocksDbBackup(dir.Sub("backups"), 2, dir.Sub("out/db"));
  REQUIRE_FALSE(wrong_id.ok());
  CHECK(wrong_id.error().code == ErrorCode::kNotFound);
  CHECK_THAT(wrong_id.error().message, Catch::Contains("no backup 2") && Catch::Contains("it holds 1"));
  CHECK_FALSE(fs::exists(dir.Sub("out/db")));
}

TEST_CASE("A restore refuses a database that a store has open", "[store]") {
  using namespace keymint::testing;
  TempDir dir("backup");
  auto store = Open(dir.Sub("db"));
  Create(*store, MakeUser(1, "ada@example.com", 1000));
  Backup(*store, dir.Sub("backups"));
  auto refused = keymint::RestoreRocksDbBackup(dir.Sub("backups"), std::nullopt, dir.Sub("db"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnavailable);
  CHECK(HoldsUser(*store, "ada@example.com"));
}

TEST_CASE("A damaged backup is listed as not verified and is not restored", "[store]") {
  using namespace keymint::testing;
  TempDir dir("backup");
  {
    auto store = Open(dir.Sub("db"));
    Create(*store, MakeUser(1, "ada@example.com", 1000));
    Backup(*store, dir.Sub("backups"));
  }
  // Lose one of the backup's table files.
  bool damaged = false;
  for (const auto& entry : fs::recursive_directory_iterator(dir.Sub("backups"))) {
    if (entry.path().extension() == ".sst") {
      fs::remove(entry.path());
      damaged = true;
      break;
    }
  }
  REQUIRE(damaged);
  auto store = Open(dir.Sub("db2"));
  auto listed = store->ListBackups(dir.Sub("backups"));
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK_FALSE((*listed)[0].verified);
  CHECK((*listed)[0].id == 1);
  auto restored = keymint::RestoreRocksDbBackup(dir.Sub("backups"), std::nullopt, dir.Sub("out/db"));
  REQUIRE_FALSE(restored.ok());
  CHECK(restored.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(restored.error().message, Catch::Contains("damaged"));
}
