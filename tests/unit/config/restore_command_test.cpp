// `keymint restore`'s command line, and the backup.dir setting of serve.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "keymint/config/config.hpp"

namespace keymint {
namespace {

using Catch::Matchers::Contains;
using Args = std::vector<std::string>;

RestoreOptions RestoreOf(const Args& args) {
  auto command = ParseCommandLine(args, {});
  if (!command) FAIL("unexpected error: " << command.error().message);
  REQUIRE(command->kind == Command::Kind::kRestore);
  return command->restore;
}

std::string RestoreError(const Args& args) {
  auto command = ParseCommandLine(args, {});
  REQUIRE_FALSE(command.ok());
  CHECK(command.error().code == ErrorCode::kInvalidArgument);
  CHECK(command.error().message.find('\n') == std::string::npos);
  return command.error().message;
}

TEST_CASE("restore reads --from, --data-dir, --backup-id and --force in either spelling", "[config]") {
  const RestoreOptions newest = RestoreOf({"restore", "--from", "/b", "--data-dir", "/d"});
  CHECK(newest.from == "/b");
  CHECK(newest.data_dir == "/d");
  CHECK_FALSE(newest.backup_id.has_value());
  CHECK_FALSE(newest.force);

  const RestoreOptions chosen = RestoreOf({"restore", "--force", "--backup-id=12", "--data-dir=/d", "--from=/b"});
  CHECK(chosen == RestoreOptions{"/b", "/d", 12, true});
  CHECK(RestoreOf({"restore", "--from", "/b", "--data-dir", "/d", "--backup-id", "4294967295"}).backup_id ==
        4294967295u);
}

TEST_CASE("restore reads no environment or config file: what it overwrites is on its command line", "[config]") {
  auto command = ParseCommandLine({"restore", "--from", "/b"}, {{"KEYMINT_DATA_DIR", "/env-data"}});
  REQUIRE_FALSE(command.ok());
  CHECK_THAT(command.error().message, Contains("--data-dir"));
}

TEST_CASE("restore refuses missing, empty, unknown and repeated arguments with one line", "[config]") {
  CHECK_THAT(RestoreError({"restore"}), Contains("--from"));
  CHECK_THAT(RestoreError({"restore", "--from", "/b"}), Contains("--data-dir"));
  CHECK_THAT(RestoreError({"restore", "--data-dir", "/d"}), Contains("--from"));
  CHECK_THAT(RestoreError({"restore", "--from=", "--data-dir", "/d"}), Contains("invalid --from"));
  CHECK_THAT(RestoreError({"restore", "--from", "/b", "--data-dir"}), Contains("missing value for --data-dir"));
  CHECK_THAT(RestoreError({"restore", "--from", "/b", "--data-dir", "/d", "--listen", "x"}),
             Contains("unknown flag \"--listen\" for keymint restore"));
  CHECK_THAT(RestoreError({"restore", "--from", "/b", "--data-dir", "/d", "extra"}),
             Contains("unexpected argument \"extra\""));
  CHECK_THAT(RestoreError({"restore", "--from", "/b", "--from", "/c", "--data-dir", "/d"}),
             Contains("--from is given more than once"));
  CHECK_THAT(RestoreError({"restore", "--from", "/b", "--data-dir", "/d", "--force=yes"}),
             Contains("--force takes no value"));
}

TEST_CASE("restore refuses a --backup-id that cannot name a backup", "[config]") {
  for (const std::string id : {"0", "abc", "-1", "+1", "1.5", "4294967296", " 1", ""}) {
    CAPTURE(id);
    CHECK_THAT(RestoreError({"restore", "--from", "/b", "--data-dir", "/d", "--backup-id=" + id}),
               Contains("invalid --backup-id"));
  }
}

TEST_CASE("restore --help prints the usage, which names restore", "[config]") {
  auto command = ParseCommandLine({"restore", "--from", "/b", "--help"}, {});
  REQUIRE(command.ok());
  CHECK(command->kind == Command::Kind::kHelp);
  CHECK_THAT(UsageText(), Contains("keymint restore --from DIR --data-dir DIR"));
}

TEST_CASE("backup.dir is off by default and set by flag, environment or file", "[config]") {
  auto serve = [](const Args& args, const std::map<std::string, std::string>& env) {
    auto command = ParseCommandLine(args, env);
    if (!command) FAIL("unexpected error: " << command.error().message);
    return command->config.backup_dir;
  };
  CHECK(Config{}.backup_dir.empty());
  CHECK(serve({"serve", "--config", "/dev/null"}, {}).empty());
  CHECK(serve({"serve", "--config", "/dev/null"}, {{"KEYMINT_BACKUP_DIR", "/env"}}) == "/env");
  CHECK(serve({"serve", "--config", "/dev/null", "--backup-dir", "/flag"}, {{"KEYMINT_BACKUP_DIR", "/env"}}) ==
        "/flag");
  auto bad = ParseCommandLine({"serve", "--config", "/dev/null", "--backup-dir", "a\nb"}, {});
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Contains("--backup-dir"));
}

}  // namespace
}  // namespace keymint
