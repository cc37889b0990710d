// What only the RocksDB store does: its data directory. Everything every
// backend must do is in the conformance suite (store_conformance_*_test.cpp).
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "keymint/store/store.hpp"
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
