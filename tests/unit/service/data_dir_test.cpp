#include "keymint/service/data_dir.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "unit/test_support/files.hpp"
#include "unit/test_support/service_env.hpp"
#include "unit/test_support/temp_dir.hpp"

using keymint::ErrorCode;
using keymint::OpenSecretHasher;
using keymint::StoreDirectory;
using keymint::testing::OpenStoreOrFail;
using keymint::testing::ReadAll;
using keymint::testing::ServiceEnv;
using keymint::testing::TempDir;

TEST_CASE("StoreDirectory is db/ inside the data directory", "[service]") {
  CHECK(StoreDirectory("/var/lib/keymint") == "/var/lib/keymint/db");
}

TEST_CASE("OpenSecretHasher creates a 32-byte key on first use and reads the same key later", "[service]") {
  TempDir dir("data-dir");
  auto store = OpenStoreOrFail(StoreDirectory(dir.path()));
  auto first = OpenSecretHasher(*store, dir.path());
  REQUIRE(first.ok());
  const std::string key_file = dir.Sub("secret-hash.key");
  CHECK(ReadAll(key_file).size() == 32);

  auto second = OpenSecretHasher(*store, dir.path());
  REQUIRE(second.ok());
  CHECK(second->Hash("kmsec_x") == first->Hash("kmsec_x"));
}

TEST_CASE("OpenSecretHasher refuses to replace a missing key while the store holds credentials", "[service]") {
  ServiceEnv env;  // its store lives in env.dir.Sub("data"), not under StoreDirectory: only the key's path matters
  const auto owner = env.AddUser("ada@example.com", {"Viewer"});
  env.AddAccessKey(owner, "ci");

  auto refused = OpenSecretHasher(*env.store, env.dir.path());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnavailable);
  CHECK(refused.error().message.find(env.dir.Sub("secret-hash.key")) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(env.dir.Sub("secret-hash.key")));
}

TEST_CASE("OpenSecretHasher refuses for a service account too", "[service]") {
  ServiceEnv env;
  env.AddServiceAccount("pipeline", {"Viewer"});
  CHECK_FALSE(OpenSecretHasher(*env.store, env.dir.path()).ok());
}

TEST_CASE("CopySecretHashKey gives another directory the same key, and a hasher there hashes alike", "[service]") {
  TempDir data("data-dir");
  TempDir keys("keys-dir");
  auto store = OpenStoreOrFail(StoreDirectory(data.path()));
  auto original = OpenSecretHasher(*store, data.path());
  REQUIRE(original.ok());
  REQUIRE(keymint::CopySecretHashKey(data.path(), keys.path()).ok());
  CHECK(ReadAll(keys.Sub("secret-hash.key")) == ReadAll(data.Sub("secret-hash.key")));
  auto copy = OpenSecretHasher(*store, keys.path());
  REQUIRE(copy.ok());
  CHECK(copy->Hash("a client secret") == original->Hash("a client secret"));
}

TEST_CASE("CopySecretHashKey without a key in the data directory is NotFound", "[service]") {
  TempDir data("data-dir");
  TempDir keys("keys-dir");
  auto copied = keymint::CopySecretHashKey(data.path(), keys.path());
  REQUIRE_FALSE(copied.ok());
  CHECK(copied.error().code == ErrorCode::kNotFound);
}
