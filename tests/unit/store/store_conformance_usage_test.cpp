// Store conformance: credential usage and the revoked-token deny list, as
// every backend must keep them (keymint/store/store.hpp).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "keymint/store/store.hpp"
#include "unit/store/store_conformance.hpp"
#include "unit/test_support/store_writes.hpp"

namespace keymint::testing {
namespace {

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

TEMPLATE_TEST_CASE("usage is kept by credential id, replaced on write, and deleted with its credential", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  ScratchStore store(TestType::Open);
  const UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  const CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  Create(*store, ada);
  Create(*store, key);

  auto none = store->GetUsage(key.id);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  CredentialUsage usage = SampleUsage(key.id);
  REQUIRE(store->RecordUsage({usage}).ok());
  CHECK(**store->GetUsage(key.id) == usage);
  usage.total_tokens = 8;
  REQUIRE(store->RecordUsage({usage}).ok());
  CHECK((*store->GetUsage(key.id))->total_tokens == 8);
  store.Reopen();
  CHECK(**store->GetUsage(key.id) == usage);

  Delete(*store, key);
  CHECK_FALSE(store->GetUsage(key.id)->has_value());
}

TEMPLATE_TEST_CASE("deleting a user deletes the usage of the keys they own", "[store]", KEYMINT_STORE_BACKENDS) {
  ScratchStore store(TestType::Open);
  const UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  const CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  Create(*store, ada);
  Create(*store, key);
  REQUIRE(store->RecordUsage({SampleUsage(key.id)}).ok());
  Delete(*store, ada);
  CHECK_FALSE(store->GetUsage(key.id)->has_value());
}

TEMPLATE_TEST_CASE("revoked tokens are listed, pruned once expired, and survive a reopen", "[store]",
                   KEYMINT_STORE_BACKENDS) {
  ScratchStore store(TestType::Open);
  REQUIRE(store->AddRevokedToken({"jti-a", 1000}).ok());
  REQUIRE(store->AddRevokedToken({"jti-b", 5000}).ok());
  REQUIRE(store->AddRevokedToken({"jti-b", 6000}).ok());  // replaces the expiry
  auto listed = store->ListRevokedTokens();
  REQUIRE(listed.ok());
  CHECK(*listed == std::vector<RevokedToken>{{"jti-a", 1000}, {"jti-b", 6000}});

  store.Reopen();
  CHECK(store->ListRevokedTokens()->size() == 2);
  auto pruned = store->PruneRevokedTokens(1000);  // those expiring at or before now
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(*store->ListRevokedTokens() == std::vector<RevokedToken>{{"jti-b", 6000}});
  CHECK(*store->PruneRevokedTokens(1000) == 0);
}

}  // namespace keymint::testing
