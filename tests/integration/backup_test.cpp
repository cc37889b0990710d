// Online backups (POST and GET /api/v1/backups) and `keymint restore`, with
// the real binary: a backup taken while tokens are being minted restores into
// a fresh directory where every key mints and every user logs in; backups
// are incremental and listed; only admins may use them; the refusals.
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Catch::Matchers::Contains;

constexpr int kExitUsage = 2;
const std::vector<std::string> kBackupMembers = {"createdAt", "fileCount", "id", "sizeBytes", "verified"};

ProcessOptions WithBackupDir(const std::string& backup_dir, const std::string& data_dir = "",
                             const std::string& keys_dir = "") {
  ProcessOptions options;
  options.extra_args = {"--backup-dir", backup_dir};
  options.data_dir = data_dir;
  options.keys_dir = keys_dir;
  return options;
}

// POST /api/v1/backups as the admin; CHECKs the record and returns it.
json::object CreateBackup(uint16_t port, const std::string& admin_token) {
  const json::object backup =
      CheckJsonObject(PostJson(port, "/api/v1/backups", json::object{}, admin_token), 201, kBackupMembers);
  CHECK(backup.at("id").is_number());
  CHECK(backup.at("verified") == true);
  CHECK(backup.at("fileCount").to_number<int64_t>() > 0);
  CHECK(backup.at("sizeBytes").to_number<int64_t>() > 0);
  CHECK(IsTimestamp(StringField(backup, "createdAt")));
  return backup;
}

json::array ListBackups(uint16_t port, const std::string& admin_token) {
  const HttpResponse listed = Get(port, "/api/v1/backups", admin_token);
  REQUIRE(listed.status == 200);
  const json::value body = listed.Json();
  REQUIRE(body.is_array());
  return body.as_array();
}

// The backed-up files in a backup directory: shared table files and each
// backup's private ones (not the engine's metadata).
std::size_t BackedUpFiles(const std::string& backup_dir) {
  std::size_t files = 0;
  for (const char* part : {"/shared_checksum", "/private"}) {
    for (const auto& entry : fs::recursive_directory_iterator(backup_dir + part)) {
      files += entry.is_regular_file() ? 1 : 0;
    }
  }
  return files;
}

CommandResult Restore(const std::vector<std::string>& more) {
  std::vector<std::string> args = {"restore"};
  args.insert(args.end(), more.begin(), more.end());
  return RunKeymint(args);
}

TEST_CASE("A backup taken while tokens are minted restores: every key mints and every user logs in",
          "[backup][rocksdb]") {
  ScopedTempDir data, keys, backups;
  std::vector<CreatedUser> users;
  std::vector<CreatedKey> keys_made;
  {
    KeymintProcess server(WithBackupDir(backups.path, data.path, keys.path));
    const uint16_t port = server.port();
    const std::string admin = AdminToken(port);
    for (int u = 0; u < 3; ++u) {
      users.push_back(CreateUser(port, admin, "user" + std::to_string(u) + "@example.com"));
      for (int k = 0; k < 2; ++k) {
        keys_made.push_back(CreateAccessKey(port, users.back().token, "key-" + std::to_string(k)));
      }
    }

    // A steady stream of exchanges with every key while the backup runs.
    std::atomic<bool> stop{false};
    std::atomic<int> minted{0}, failed{0};
    std::thread load([&] {
      for (std::size_t i = 0; !stop.load(); ++i) {
        const CreatedKey& key = keys_made[i % keys_made.size()];
        const int status = ClientCredentialsExchange(port, key.client_id, key.client_secret).status;
        (status == 200 ? minted : failed).fetch_add(1);
      }
    });
    PollUntilNonEmpty([&] { return minted.load() >= 5 ? std::string("going") : std::string(); });
    const json::object backup = CreateBackup(port, admin);
    const int minted_before = minted.load();
    PollUntilNonEmpty([&] { return minted.load() > minted_before + 5 ? std::string("on") : std::string(); });
    stop = true;
    load.join();
    CHECK(failed.load() == 0);
    CHECK(minted.load() > minted_before);  // serving went on after the backup
    CHECK(backup.at("id").to_number<int64_t>() == 1);

    // Made after the backup: not in it.
    const CreatedKey later = CreateAccessKey(port, users[0].token, "after-backup");
    REQUIRE(server.Stop() == 0);
    keys_made.push_back(later);
  }

  ScopedTempDir fresh;
  const std::string restored_dir = fresh.path + "/data";
  const CommandResult restored = Restore({"--from", backups.path, "--data-dir", restored_dir});
  INFO(restored.output);
  REQUIRE(restored.exit_code == 0);
  CHECK_THAT(restored.output, Contains("restored backup 1") && Contains("secret-hash.key"));
  // What the backup does not hold, as README "Backup and restore" says.
  fs::copy_file(data.path + "/secret-hash.key", restored_dir + "/secret-hash.key");

  KeymintProcess server(ProcessOptions{.env = {}, .extra_args = {}, .data_dir = restored_dir, .keys_dir = keys.path});
  const uint16_t port = server.port();
  for (std::size_t i = 0; i + 1 < keys_made.size(); ++i) {
    CheckKeyMints(port, keys_made[i].client_id, keys_made[i].client_secret);
  }
  CheckKeyRefused(port, keys_made.back().client_id, keys_made.back().client_secret);
  for (const CreatedUser& user : users) PasswordToken(port, user.email, user.password);
  PasswordToken(port, kAdminEmail, kAdminPassword);
}

TEST_CASE("Backups are incremental and listed oldest first for an admin", "[backup][rocksdb]") {
  ScopedTempDir backups;
  KeymintProcess server(WithBackupDir(backups.path));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  CHECK(ListBackups(port, admin).empty());

  CreateAccessKey(port, admin, "first");
  const json::object first = CreateBackup(port, admin);
  CreateAccessKey(port, admin, "second");
  const json::object second = CreateBackup(port, admin);
  CHECK(second.at("id").to_number<int64_t>() == first.at("id").to_number<int64_t>() + 1);

  const json::array listed = ListBackups(port, admin);
  REQUIRE(listed.size() == 2);
  CHECK(listed[0] == first);
  CHECK(listed[1] == second);
  // The second shares the first one's table files instead of copying them again.
  CHECK(BackedUpFiles(backups.path) < static_cast<std::size_t>(first.at("fileCount").to_number<int64_t>() +
                                                               second.at("fileCount").to_number<int64_t>()));
}

TEST_CASE("Only an admin may back up or list backups", "[backup][rocksdb]") {
  ScopedTempDir backups;
  KeymintProcess server(WithBackupDir(backups.path));
  const uint16_t port = server.port();
  const CreatedUser user = CreateUser(port, AdminToken(port), "viewer@example.com");
  CheckError(Get(port, "/api/v1/backups"), 401);
  CheckError(PostJson(port, "/api/v1/backups", json::object{}), 401);
  CheckError(Get(port, "/api/v1/backups", user.token), 403);
  CheckError(PostJson(port, "/api/v1/backups", json::object{}, user.token), 403);
  CheckError(Send(port, "DELETE", "/api/v1/backups"), 405);
  CHECK_FALSE(fs::exists(backups.path + "/meta"));  // nothing was written
}

TEST_CASE("Without a backup directory both endpoints answer 404 naming the setting", "[backup]") {
  KeymintProcess server;
  const std::string admin = AdminToken(server.port());
  CHECK_THAT(CheckError(PostJson(server.port(), "/api/v1/backups", json::object{}, admin), 404),
             Contains("backup.dir"));
  CHECK_THAT(CheckError(Get(server.port(), "/api/v1/backups", admin), 404), Contains("KEYMINT_BACKUP_DIR"));
}

TEST_CASE("Backups requested at once each succeed or get 409, and every success is listed", "[backup][rocksdb]") {
  ScopedTempDir backups;
  KeymintProcess server(WithBackupDir(backups.path));
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const auto answers = Concurrently(4, [&](int) { return PostJson(port, "/api/v1/backups", json::object{}, admin); });
  const int created = CountStatus(answers, 201);
  CHECK(created >= 1);
  CHECK(created + CountStatus(answers, 409) == 4);
  for (const HttpResponse& answer : answers) {
    if (answer.status == 409) CHECK_THAT(CheckError(answer, 409), Contains("already running"));
  }
  const json::array listed = ListBackups(port, admin);
  CHECK(listed.size() == static_cast<std::size_t>(created));
  for (const json::value& backup : listed) CHECK(backup.at("verified") == true);
}

TEST_CASE("keymint restore refuses a data directory that is not empty unless --force", "[backup][rocksdb]") {
  ScopedTempDir backups, target;
  {
    KeymintProcess server(WithBackupDir(backups.path));
    CreateBackup(server.port(), AdminToken(server.port()));
  }
  // Another deployment's data directory, with a user the backup does not hold.
  std::string stranger_password;
  {
    KeymintProcess other(ProcessOptions{.env = {}, .extra_args = {}, .data_dir = target.path, .keys_dir = ""});
    stranger_password = CreateUser(other.port(), AdminToken(other.port()), "stranger@example.com").password;
  }
  const CommandResult refused = Restore({"--from", backups.path, "--data-dir", target.path});
  CHECK(refused.exit_code == kExitUsage);
  CHECK_THAT(refused.output, Contains("not empty") && Contains("--force"));
  {
    KeymintProcess other(ProcessOptions{.env = {}, .extra_args = {}, .data_dir = target.path, .keys_dir = ""});
    CHECK(PasswordLogin(other.port(), "stranger@example.com", stranger_password).status == 200);
  }

  const CommandResult forced = Restore({"--from", backups.path, "--data-dir", target.path, "--force"});
  INFO(forced.output);
  REQUIRE(forced.exit_code == 0);
  KeymintProcess restored(ProcessOptions{.env = {}, .extra_args = {}, .data_dir = target.path, .keys_dir = ""});
  CHECK(PasswordLogin(restored.port(), "stranger@example.com", stranger_password).status == 401);
  PasswordToken(restored.port(), kAdminEmail, kAdminPassword);
}

TEST_CASE("keymint restore with a bad --backup-id exits 2 and writes nothing", "[backup][rocksdb]") {
  ScopedTempDir backups, target;
  {
    KeymintProcess server(WithBackupDir(backups.path));
    CreateBackup(server.port(), AdminToken(server.port()));
  }
  const std::string data_dir = target.path + "/data";
  const CommandResult missing = Restore({"--from", backups.path, "--data-dir", data_dir, "--backup-id", "9"});
  CHECK(missing.exit_code == kExitUsage);
  CHECK_THAT(missing.output, Contains("no backup 9") && Contains("it holds 1"));
  const CommandResult malformed = Restore({"--from", backups.path, "--data-dir", data_dir, "--backup-id", "one"});
  CHECK(malformed.exit_code == kExitUsage);
  CHECK_THAT(malformed.output, Contains("invalid --backup-id"));
  const CommandResult nowhere = Restore({"--from", target.path + "/nowhere", "--data-dir", data_dir});
  CHECK(nowhere.exit_code == kExitUsage);
  CHECK_FALSE(fs::exists(data_dir + "/db"));

  const CommandResult chosen = Restore({"--from", backups.path, "--data-dir", data_dir, "--backup-id", "1"});
  CHECK(chosen.exit_code == 0);
  CHECK_THAT(chosen.output, Contains("restored backup 1"));
}

}  // namespace
}  // namespace keymint::testing
