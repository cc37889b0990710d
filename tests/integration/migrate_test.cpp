// keymint migrate: an embedded store copied into a shared one serves the same
// users, keys and secrets (README "Moving from the embedded store"). Runs in
// the shared-store pass of the suite; without a PostgreSQL server it says so
// and passes.
#include <catch2/catch.hpp>
#include <string>

#include "support/fixtures.hpp"
#include "support/shared_store.hpp"

namespace kt = keymint::testing;
using Catch::Matchers::Contains;

namespace {

constexpr const char* kKeys = "/api/v1/access-keys";
// One issuer before and after the move, as behind one load balancer.
constexpr const char* kIssuer = "http://keymint.migrate.test";

// A keymint on the embedded store, even in the shared-store pass of the suite.
kt::ProcessOptions Embedded(const std::string& data_dir, const std::string& keys_dir) {
  kt::ProcessOptions options;
  options.data_dir = data_dir;
  options.keys_dir = keys_dir;
  options.extra_args = {"--store", "", "--issuer", kIssuer};
  return options;
}

}  // namespace

TEST_CASE("keymint migrate copies the embedded store into an empty shared one, secrets and all",
          "[postgres][migrate]") {
  const auto server = kt::TestPostgresUrl();
  if (!server) {
    WARN("PostgreSQL is not installed: skipping the migration test (scripts/test installs it)");
    return;
  }
  kt::ScopedTempDir data, keys, replica_data;
  kt::CreatedUser user;
  kt::CreatedKey key;
  std::string before;
  {
    kt::KeymintProcess embedded(Embedded(data.path, keys.path));
    const std::string admin = kt::AdminToken(embedded.port());
    user = kt::CreateUser(embedded.port(), admin, "migrating@example.com");
    key = kt::CreateAccessKey(embedded.port(), user.token, "migrating");
    kt::CheckKeyMints(embedded.port(), key.client_id, key.client_secret);
    before = kt::WaitForLastLogin(embedded.port(), user.token, kt::JoinPath(kKeys, key.id));
    REQUIRE_FALSE(before.empty());
    REQUIRE(embedded.Stop() == 0);
  }

  const std::string url = kt::DatabaseFor(*server, data.path + "/migrated");
  const kt::CommandResult migrated =
      kt::RunKeymint({"migrate", "--from-data-dir", data.path, "--keys-dir", keys.path}, {{"KEYMINT_STORE", url}});
  INFO(migrated.output);
  REQUIRE(migrated.exit_code == 0);
  CHECK_THAT(migrated.output, Contains("migrated 2 users, 1 access keys and 0 service accounts"));
  CHECK_THAT(migrated.output, Contains("copied secret-hash.key"));

  // A replica on the shared store and the same keys directory: the same
  // password, the same secret, the same lastLogin.
  kt::ProcessOptions options;
  options.data_dir = replica_data.path;
  options.keys_dir = keys.path;
  options.extra_args = {"--store", url, "--issuer", kIssuer};
  kt::KeymintProcess replica(options);
  const std::string token = kt::PasswordToken(replica.port(), user.email, user.password);
  const kt::HttpResponse got = kt::Get(replica.port(), kt::JoinPath(kKeys, key.id), token);
  REQUIRE(got.status == 200);
  CHECK(kt::CheckAccessKey(got.Json().as_object(), key) == before);
  kt::CheckKeyMints(replica.port(), key.client_id, key.client_secret);
  // The token minted before the move still verifies (same keys directory).
  CHECK(kt::Get(replica.port(), kKeys, user.token).status == 200);

  // Again, onto a database that is no longer empty: refused, exit 2.
  const kt::CommandResult again = kt::RunKeymint({"migrate", "--from-data-dir", data.path, "--to", url}, {});
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.output, Contains("empty"));
}

TEST_CASE("keymint migrate refuses a data directory without a store and a URL that is not postgres", "[migrate]") {
  kt::ScopedTempDir empty;
  const kt::CommandResult nothing =
      kt::RunKeymint({"migrate", "--from-data-dir", empty.path, "--to", "postgres://127.0.0.1:1/none"}, {});
  CHECK(nothing.exit_code == 2);
  CHECK_THAT(nothing.output, Contains("holds no keymint store"));
  const kt::CommandResult wrong =
      kt::RunKeymint({"migrate", "--from-data-dir", empty.path, "--to", "mysql://root:hunter2@db/k"}, {});
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.output.find("hunter2") == std::string::npos);
}
