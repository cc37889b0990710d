// The RocksDB store's credential usage and revoked-token tables: round trips,
// deletes that take usage along, pruning, and persistence across a reopen.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "keymint/store/store.hpp"
#include "store/record_codec.hpp"
#include "unit/store/store_conformance.hpp"
#include "unit/test_support/store_writes.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace keymint {
namespace {

using testing::TempDir;

std::unique_ptr<Store> Open(const std::string& dir) {
  auto opened = OpenRocksDbStore(dir);
  INFO((opened.ok() ? std::string() : opened.error().message));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

CredentialUsage SampleUsage(const std::string& id) {
  CredentialUsage usage;
  usage.id = id;
  usage.total_tokens = 7;
  usage.days = {{20000, 3}, {20001, 4}};
  usage.last_used_ms = 1'728'000'123'456;
  usage.last_source = "127.0.0.1";
  usage.last_user_agent = "curl/8.0";
  usage.last_failed_ms = 1'728'000'000'000;
  return usage;
}

}  // namespace

TEST_CASE("usage codec round-trips every member, absent times included", "[store]") {
  CredentialUsage usage = SampleUsage("c1");
  auto decoded = store_codec::DecodeUsage(store_codec::EncodeUsage(usage));
  REQUIRE(decoded);
  CHECK(*decoded == usage);
  usage.last_used_ms.reset();
  usage.last_failed_ms.reset();
  usage.days.clear();
  decoded = store_codec::DecodeUsage(store_codec::EncodeUsage(usage));
  REQUIRE(decoded);
  CHECK(*decoded == usage);
  CHECK_FALSE(store_codec::DecodeUsage("{\"id\":\"c1\",\"days\":[[1,-2]],\"source\":\"\",\"userAgent\":\"\"}"));
  CHECK_FALSE(store_codec::DecodeUsage("not json"));
}

TEST_CASE("usage is stored by credential id, replaced on write, and deleted with its credential", "[store]") {
  TempDir dir("store");
  auto store = Open(dir.Sub("db"));
  const UserRecord ada = testing::MakeUser(1, "ada@example.com", 1000);
  const CredentialRecord key = testing::MakeKey(10, ada, "ci", 2000);
  testing::Create(*store, ada);
  testing::Create(*store, key);

  auto none = store->GetUsage(key.id);
  REQUIRE(none.ok());
  CHECK_FALSE(*none);

  CredentialUsage usage = SampleUsage(key.id);
  REQUIRE(store->RecordUsage({usage}).ok());
  CHECK(**store->GetUsage(key.id) == usage);
  usage.total_tokens = 8;
  REQUIRE(store->RecordUsage({usage}).ok());
  CHECK((*store->GetUsage(key.id))->total_tokens == 8);

  testing::Delete(*store, key);
  CHECK_FALSE(*store->GetUsage(key.id));
}

TEST_CASE("deleting a user deletes the usage of the keys they own", "[store]") {
  TempDir dir("store");
  auto store = Open(dir.Sub("db"));
  const UserRecord ada = testing::MakeUser(1, "ada@example.com", 1000);
  const CredentialRecord key = testing::MakeKey(10, ada, "ci", 2000);
  testing::Create(*store, ada);
  testing::Create(*store, key);
  REQUIRE(store->RecordUsage({SampleUsage(key.id)}).ok());
  testing::Delete(*store, ada);
  CHECK_FALSE(*store->GetUsage(key.id));
}

TEST_CASE("revoked tokens are listed, pruned once expired, and survive a reopen", "[store]") {
  TempDir dir("store");
  const std::string path = dir.Sub("db");
  {
    auto store = Open(path);
    REQUIRE(store->AddRevokedToken({"jti-a", 1000}).ok());
    REQUIRE(store->AddRevokedToken({"jti-b", 5000}).ok());
    REQUIRE(store->AddRevokedToken({"jti-b", 6000}).ok());  // replaces the expiry
    auto listed = store->ListRevokedTokens();
    REQUIRE(listed.ok());
    CHECK(*listed == std::vector<RevokedToken>{{"jti-a", 1000}, {"jti-b", 6000}});
  }
  auto store = Open(path);
  CHECK(store->ListRevokedTokens()->size() == 2);
  auto pruned = store->PruneRevokedTokens(1000);  // expiring at or before now
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(*store->ListRevokedTokens() == std::vector<RevokedToken>{{"jti-b", 6000}});
  CHECK(*store->PruneRevokedTokens(1000) == 0);
}

}  // namespace keymint
