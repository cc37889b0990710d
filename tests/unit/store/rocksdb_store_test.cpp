// What only the RocksDB store does: its data directory. Everything every
// backend must do is in the conformance suite (store_conformance_*_test.cpp).
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "keymint/store/store.hpp"
#include "unit/store/store_conformance.hpp"
#include "unit/test_support/store_writes.hpp"
#include "unit/test_support/temp_dir.hpp"

using keymint::ErrorCode;
using keymint::Store;
using keymint::testing::TempDir;

namespace {

std::unique_ptr<Store> Open(const std::string& dir) {
  auto opened = keymint::OpenRocksDbStore(dir);
  INFO((opened.ok() ? std::string() : opened.error().message));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

}  // namespace

TEST_CASE("opening a directory already open fails with a message naming it", "[store]") {
  TempDir dir("store");
  const std::string path = dir.Sub("db");
  auto first = Open(path);
  auto second = keymint::OpenRocksDbStore(path);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(second.error().message, Catch::Contains(path));
}

TEST_CASE("opening creates a missing data directory", "[store]") {
  TempDir dir("store");
  const std::string path = dir.Sub("nested/deeper/db");
  auto store = Open(path);
  CHECK(std::filesystem::is_directory(path));
}

TEST_CASE("Compact leaves one settled table file that a reopened store reads", "[store]") {
  using namespace keymint::testing;
  TempDir dir("store");
  const std::string path = dir.Sub("db");
  const auto count_tables = [&] {
    int tables = 0;
    for (const auto& entry : std::filesystem::directory_iterator(path)) tables += entry.path().extension() == ".sst";
    return tables;
  };
  const keymint::UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  {
    auto store = Open(path);
    for (int n = 0; n < 3; ++n) {
      const keymint::CredentialRecord key = MakeKey(10 + n, ada, "key-" + std::to_string(n), 2000 + n);
      REQUIRE(store
                  ->RunTransaction([&](keymint::StoreTransaction& tx) -> keymint::Status {
                    if (n == 0) RETURN_IF_ERROR(tx.CreateUser(ada));
                    return tx.CreateCredential(key);
                  })
                  .ok());
    }
    REQUIRE(store->RecordLastLogins({{Uuid(10), 5000}}).ok());
    CHECK(count_tables() == 0);  // all of it still in the memtable and the write-ahead log
    REQUIRE(store->Compact().ok());
    CHECK(count_tables() == 1);
  }
  auto reopened = Open(path);
  CHECK(List(*reopened, OwnerQuery(ada)).size() == 3);
  auto key = reopened->GetCredential(Uuid(10));
  REQUIRE(key.ok());
  REQUIRE(key->has_value());
  CHECK((*key)->last_login_ms == 5000);
}

TEST_CASE("Statistics count block cache misses, then hits, for reads of flushed records", "[store]") {
  TempDir dir("store");
  const std::string path = dir.Sub("db");
  keymint::UserRecord ada;
  ada.id = "0b6f5c1e-4d2a-4f3b-9c8d-7e6f5a4b3c2d";
  ada.email = "ada@example.com";
  ada.created_by = "keymint";
  {
    auto store = Open(path);
    keymint::testing::Create(*store, ada);
  }
  auto store = Open(path);  // reopening moves the log's records into a table file
  const keymint::StoreStatistics before = store->Statistics();
  CHECK(before.background_errors == 0);
  // Reading the record goes through the table file's data block: a miss, then hits.
  for (int i = 0; i < 3; ++i) {
    auto read = store->GetUser(ada.id);
    REQUIRE(read.ok());
    CHECK(read->has_value());
  }
  const keymint::StoreStatistics after = store->Statistics();
  CHECK(after.block_cache_misses > before.block_cache_misses);
  CHECK(after.block_cache_hits > before.block_cache_hits);
  CHECK(after.block_cache_bytes > 0);
}
