// keymint_seed (bench/seed.cpp) run as a program into fresh directories,
// which the real keymint binary then serves: the seeded credentials mint
// tokens that carry their owners, the owners' key lists hold what was seeded,
// and the seeded users log in with the one shared password.
#ifdef KEYMINT_SEED_BINARY
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "keymint/crypto/client_secret.hpp"
#include "support/fixtures.hpp"
#include "support/keymint_process.hpp"
#include "support/token_forms.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

constexpr const char* kSeedPassword = "seeded-users-password";

struct Credential {
  std::string client_id, secret;
};

// Runs keymint_seed with `args` after the directories and the password, and
// REQUIREs success. PBKDF2 and an RSA key make it take a second or two.
ProgramResult Seed(const std::string& data_dir, const std::string& keys_dir, std::vector<std::string> args) {
  std::vector<std::string> all = {"--data-dir", data_dir, "--keys-dir", keys_dir, "--password", kSeedPassword};
  all.insert(all.end(), args.begin(), args.end());
  ProgramResult run = RunProgram(KEYMINT_SEED_BINARY, all, {}, std::chrono::seconds(120));
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  REQUIRE(run.exit_code == 0);
  return run;
}

std::vector<Credential> ReadCredentials(const std::string& path) {
  std::vector<Credential> credentials;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto comma = line.find(',');
    REQUIRE(comma != std::string::npos);
    credentials.push_back({line.substr(0, comma), line.substr(comma + 1)});
  }
  return credentials;
}

// A client-credentials exchange at /api/v2/token; REQUIREs 200 and returns the
// token's claims.
json::object MintV2(uint16_t port, TokenForm form, const Credential& credential) {
  const HttpResponse response = ExchangeAs(form, port, credential.client_id, credential.secret);
  INFO(Describe(form) << " for " << credential.client_id << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return JwtClaims(StringField(AsObject(response.Json()), "access_token"));
}

// The administration list of one owner's keys, as `admin_token`.
json::array KeysCreatedBy(uint16_t port, const std::string& admin_token, const std::string& email) {
  const HttpResponse response = Get(port, "/api/v1/administration/access-keys?createdBy=" + email, admin_token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  return AsArray(AsObject(response.Json()).at("accessKeys"));
}

TEST_CASE("keymint serves what keymint_seed writes into fresh directories: the seeded keys mint tokens",
          "[bench][rocksdb]") {
  const ScopedTempDir data_dir, keys_dir, work;
  const std::string out = work.path + "/credentials.txt";
  const ProgramResult seeded = Seed(data_dir.path, keys_dir.path, {"--keys", "50", "--out", out});
  CHECK(seeded.err.find("50 keys and 3 users") != std::string::npos);  // 20 + 20 + 10 keys

  const std::vector<Credential> credentials = ReadCredentials(out);
  REQUIRE(credentials.size() == 50);
  std::set<std::string> client_ids;
  for (const Credential& c : credentials) {
    client_ids.insert(c.client_id);
    CHECK(crypto::IsWellFormedClientSecret(c.secret));
  }
  CHECK(client_ids.size() == 50);

  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  KeymintProcess server(options);
  const uint16_t port = server.port();
  // The store already holds users: no first admin is made.
  CHECK(server.StderrText().find("first admin") == std::string::npos);

  // One key of each seeded user, by both client authentication methods.
  const json::object first = MintV2(port, TokenForm::kV2Basic, credentials[0]);
  CHECK(StringField(first, "client_id") == credentials[0].client_id);
  CHECK(StringField(first, "preferred_username") == "seed-000000@bench.local");
  CHECK(StringArrayField(first, "roles") == std::vector<std::string>{"System administrator"});
  CHECK(StringField(MintV2(port, TokenForm::kV2Post, credentials[25]), "preferred_username") ==
        "seed-000001@bench.local");
  CHECK(StringField(MintV2(port, TokenForm::kV2Basic, credentials[49]), "preferred_username") ==
        "seed-000002@bench.local");
  // A wrong secret for a seeded client ID is refused like any other.
  CHECK(ExchangeAs(TokenForm::kV2Post, port, credentials[1].client_id, credentials[2].secret).status == 401);

  // The seeded users are administrators with the shared password; each owns
  // its keys in the store's owner index, listed by the administration API.
  const std::string admin = PasswordToken(port, "seed-000000@bench.local", kSeedPassword);
  const std::vector<std::string> listed =
      StringFields(KeysCreatedBy(port, admin, "seed-000002@bench.local"), "clientId");
  std::vector<std::string> seeded_for_third;
  for (std::size_t i = 40; i < 50; ++i) seeded_for_third.push_back(credentials[i].client_id);
  CHECK(Sorted(listed) == Sorted(seeded_for_third));
  CHECK(KeysCreatedBy(port, admin, "seed-000000@bench.local").size() == 20);
  // The owner's own list, and the per-user limit counts the seeded keys.
  const std::string second_user = PasswordToken(port, "seed-000001@bench.local", kSeedPassword);
  CHECK(ListAccessKeys(port, second_user).size() == 20);
  CheckError(PostJson(port, "/api/v1/access-keys", NameBody("one-more"), second_user), 400);
}

TEST_CASE("keymint_seed gives its users the roles it is told, and their tokens carry them", "[bench][rocksdb]") {
  const ScopedTempDir data_dir, keys_dir, work;
  const std::string out = work.path + "/credentials.txt";
  Seed(data_dir.path, keys_dir.path,
       {"--keys", "3", "--keys-per-user", "2", "--roles", "Viewer,ML engineer", "--out", out});
  const std::vector<Credential> credentials = ReadCredentials(out);
  REQUIRE(credentials.size() == 3);

  ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  KeymintProcess server(options);
  const json::object claims = MintV2(server.port(), TokenForm::kV2Post, credentials[2]);
  CHECK(StringField(claims, "preferred_username") == "seed-000001@bench.local");
  CHECK(StringArrayField(claims, "roles") == std::vector<std::string>{"Viewer", "ML engineer"});
}

TEST_CASE("keymint_seed refuses bad arguments with exit status 2 and writes nothing", "[bench]") {
  const ScopedTempDir dir;
  const std::string data_dir = dir.path + "/data";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--data-dir", data_dir, "--keys-dir", dir.path + "/keys"},                  // no --keys
           {"--data-dir", data_dir, "--keys-dir", dir.path + "/keys", "--keys", "0"},   // not positive
           {"--data-dir", data_dir, "--keys-dir", dir.path + "/keys", "--keys", "1x"},  // not a number
           {"--data-dir", data_dir, "--keys-dir", dir.path + "/keys", "--keys", "5", "--roles", "Overlord"},
           {"--data-dir", data_dir, "--keys-dir", dir.path + "/keys", "--keys", "5", "--keys-per-user", "101"},
           {"--data-dir", data_dir, "--keys-dir", dir.path + "/keys", "--keys", "5", "--colour", "blue"},
       }) {
    const ProgramResult run = RunProgram(KEYMINT_SEED_BINARY, args, {}, std::chrono::seconds(30));
    INFO("args ending " << args.back() << "\nstderr: " << run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("usage: keymint_seed") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(data_dir));
}

}  // namespace
}  // namespace keymint::testing
#endif  // KEYMINT_SEED_BINARY
