// `keymint migrate`'s command line.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "keymint/config/config.hpp"

namespace keymint {
namespace {

using Catch::Matchers::Contains;
using Args = std::vector<std::string>;
using Env = std::map<std::string, std::string>;

MigrateOptions MigrateOf(const Args& args, const Env& env = {}) {
  auto command = ParseCommandLine(args, env);
  if (!command) FAIL("unexpected error: " << command.error().message);
  REQUIRE(command->kind == Command::Kind::kMigrate);
  return command->migrate;
}

std::string MigrateError(const Args& args, const Env& env = {}) {
  auto command = ParseCommandLine(args, env);
  REQUIRE_FALSE(command.ok());
  CHECK(command.error().code == ErrorCode::kInvalidArgument);
  CHECK(command.error().message.find('\n') == std::string::npos);
  return command.error().message;
}

TEST_CASE("migrate reads --from-data-dir, --to and --keys-dir in either spelling", "[config]") {
  CHECK(MigrateOf({"migrate", "--from-data-dir", "/d", "--to", "postgres://k@db/keymint"}) ==
        MigrateOptions{"/d", "postgres://k@db/keymint", ""});
  CHECK(MigrateOf({"migrate", "--keys-dir=/k", "--to=postgresql://db/x", "--from-data-dir=/d"}) ==
        MigrateOptions{"/d", "postgresql://db/x", "/k"});
}

TEST_CASE("migrate takes the destination from KEYMINT_STORE when --to is not given", "[config]") {
  const Env env{{"KEYMINT_STORE", "postgres://k:pw@db/keymint"}};
  CHECK(MigrateOf({"migrate", "--from-data-dir", "/d"}, env).to_url == "postgres://k:pw@db/keymint");
  CHECK(MigrateOf({"migrate", "--from-data-dir", "/d", "--to", "postgres://other/x"}, env).to_url ==
        "postgres://other/x");
}

TEST_CASE("migrate refuses missing, empty, unknown and repeated arguments with one line", "[config]") {
  CHECK_THAT(MigrateError({"migrate"}), Contains("--from-data-dir"));
  CHECK_THAT(MigrateError({"migrate", "--from-data-dir", "/d"}), Contains("--to"));
  CHECK_THAT(MigrateError({"migrate", "--from-data-dir", "", "--to", "postgres://db/x"}), Contains("--from-data-dir"));
  CHECK_THAT(MigrateError({"migrate", "--from-data-dir", "/d", "--to", "postgres://db/x", "--force"}),
             Contains("--force"));
  CHECK_THAT(MigrateError({"migrate", "--from-data-dir", "/d", "--from-data-dir", "/e", "--to", "postgres://db/x"}),
             Contains("more than once"));
  CHECK_THAT(MigrateError({"migrate", "stray", "--from-data-dir", "/d"}), Contains("stray"));
  CHECK_THAT(MigrateError({"migrate", "--from-data-dir", "/d", "--to"}), Contains("--to"));
}

TEST_CASE("migrate refuses a destination that is not postgres without quoting it", "[config]") {
  const std::string error = MigrateError({"migrate", "--from-data-dir", "/d", "--to", "mysql://root:hunter2@db/k"});
  CHECK_THAT(error, Contains("postgres://"));
  CHECK(error.find("hunter2") == std::string::npos);
  const std::string from_env = MigrateError({"migrate", "--from-data-dir", "/d"}, {{"KEYMINT_STORE", "hunter2"}});
  CHECK_THAT(from_env, Contains("KEYMINT_STORE"));
  CHECK(from_env.find("hunter2") == std::string::npos);
}

TEST_CASE("migrate --help is help, and --help lists migrate", "[config]") {
  auto command = ParseCommandLine({"migrate", "--help"}, {});
  REQUIRE(command.ok());
  CHECK(command->kind == Command::Kind::kHelp);
  CHECK_THAT(UsageText(), Contains("keymint migrate --from-data-dir DIR --to URL"));
}

}  // namespace
}  // namespace keymint
