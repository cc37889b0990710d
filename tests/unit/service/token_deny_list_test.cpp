// The deny list: add, contains, expiry, prune, the bound, and persistence
// through the store.
#include "keymint/service/token_deny_list.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <future>

#include "unit/test_support/forwarding_store.hpp"
#include "unit/test_support/service_env.hpp"

namespace keymint {
namespace {

using testing::ServiceEnv;

constexpr int64_t kMinute = 60'000;

// A shared store's replica cache: after its own write it polls the change
// feed, whose observer reloads the deny list, on the writer's thread.
class ReloadingStore final : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::function<void()> after_add;

  Status AddRevokedToken(const RevokedToken& token) override {
    RETURN_IF_ERROR(ForwardingStore::AddRevokedToken(token));
    if (after_add) after_add();
    return Status::Ok();
  }
};

}  // namespace

TEST_CASE("a revoked jti is denied until its expiry, then forgotten", "[service]") {
  ServiceEnv env;
  TokenDenyList list(*env.store, env.clock, 10);
  REQUIRE(list.Load().ok());
  CHECK_FALSE(list.Contains("jti-1"));
  const int64_t expiry = env.clock.NowMillis() + kMinute;
  REQUIRE(list.Add("jti-1", expiry).ok());
  CHECK(list.Contains("jti-1"));
  CHECK_FALSE(list.Contains("jti-2"));
  CHECK(list.Add("jti-1", expiry).ok());  // again: no error, no second entry
  CHECK(list.size() == 1);

  env.clock.Set(expiry);  // a token is refused from exp on: no entry needed
  CHECK_FALSE(list.Contains("jti-1"));
  auto pruned = list.Prune();
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(list.size() == 0);
  CHECK(env.store->ListRevokedTokens()->empty());
}

TEST_CASE("revocations survive a restart: a new list loads them from the store", "[service]") {
  ServiceEnv env;
  const int64_t now = env.clock.NowMillis();
  {
    TokenDenyList list(*env.store, env.clock, 10);
    REQUIRE(list.Load().ok());
    REQUIRE(list.Add("long", now + 10 * kMinute).ok());
    REQUIRE(list.Add("short", now + kMinute).ok());
  }
  env.clock.Advance(2 * kMinute);
  TokenDenyList reloaded(*env.store, env.clock, 10);
  REQUIRE(reloaded.Load().ok());
  CHECK(reloaded.Contains("long"));
  CHECK_FALSE(reloaded.Contains("short"));
  CHECK(reloaded.size() == 1);
  // Loading pruned the expired one from the store too.
  CHECK(*env.store->ListRevokedTokens() == std::vector<RevokedToken>{{"long", now + 10 * kMinute}});
}

TEST_CASE("a full list refuses with Unavailable and evicts nothing, unless entries have expired", "[service]") {
  ServiceEnv env;
  TokenDenyList list(*env.store, env.clock, 2);
  REQUIRE(list.Load().ok());
  const int64_t now = env.clock.NowMillis();
  REQUIRE(list.Add("a", now + kMinute).ok());
  REQUIRE(list.Add("b", now + 5 * kMinute).ok());

  Status full = list.Add("c", now + kMinute);
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(full.error().message, Catch::Contains("revocation.max_entries"));
  CHECK(list.Contains("a"));
  CHECK(list.Contains("b"));
  CHECK_FALSE(list.Contains("c"));

  env.clock.Advance(kMinute);  // "a" expires: its slot is pruned for the next one
  REQUIRE(list.Add("c", now + 3 * kMinute).ok());
  CHECK(list.Contains("c"));
  CHECK(list.size() == 2);
  CHECK(env.store->ListRevokedTokens()->size() == 2);
}

TEST_CASE("Load may run inside Add, as a replica's own revocation reloads the list", "[service]") {
  ServiceEnv env;
  ReloadingStore store(*env.store);
  TokenDenyList list(store, env.clock, 10);
  REQUIRE(list.Load().ok());
  // Another replica's revocation, already in the store.
  REQUIRE(env.store->AddRevokedToken({"elsewhere", env.clock.NowMillis() + kMinute}).ok());
  store.after_add = [&list] { REQUIRE(list.Load().ok()); };
  auto added = std::async(std::launch::async, [&] { return list.Add("here", env.clock.NowMillis() + kMinute); });
  REQUIRE(added.wait_for(std::chrono::seconds(10)) == std::future_status::ready);  // no deadlock
  REQUIRE(added.get().ok());
  CHECK(list.Contains("here"));
  CHECK(list.Contains("elsewhere"));
  CHECK(list.size() == 2);
}

TEST_CASE("Load merges the store into the list: an entry only memory holds stays until it expires", "[service]") {
  ServiceEnv env;
  TokenDenyList list(*env.store, env.clock, 10);
  REQUIRE(list.Add("kept", env.clock.NowMillis() + kMinute).ok());
  REQUIRE(env.store->PruneRevokedTokens(env.clock.NowMillis() + 2 * kMinute).ok());  // gone from the store
  REQUIRE(list.Load().ok());
  CHECK(list.Contains("kept"));
  env.clock.Set(env.clock.NowMillis() + kMinute);
  REQUIRE(list.Load().ok());
  CHECK(list.size() == 0);
}

}  // namespace keymint
