// AuditTrail and AuditPruner on a real RocksDB store and a FakeClock: entry
// ids and order, the three durabilities' semantics, the failure cap, and
// retention.
#include "keymint/service/audit_trail.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "keymint/service/access_key_service.hpp"
#include "keymint/service/audit_pruner.hpp"
#include "unit/test_support/service_env.hpp"

using keymint::AuditActor;
using keymint::AuditLimits;
using keymint::AuditPage;
using keymint::AuditPruner;
using keymint::AuditQuery;
using keymint::AuditTrail;
using keymint::Error;
using keymint::Status;
using keymint::StoreTransaction;
using keymint::testing::ServiceEnv;
namespace action = keymint::audit_action;

namespace {

constexpr int64_t kDayMs = 86'400'000;
const AuditActor kAnn{"ann-id", "ann@example.com", "192.0.2.7"};

AuditPage All(const AuditTrail& trail, AuditQuery query = {}) {
  query.limit = 1000;
  auto page = trail.List(query);
  REQUIRE(page.ok());
  return std::move(page).value();
}

std::vector<std::string> ActionsOf(const AuditPage& page) {
  std::vector<std::string> actions;
  for (const auto& e : page.entries) actions.push_back(e.action);
  return actions;
}

}  // namespace

TEST_CASE("entries of one millisecond list the later one first", "[service]") {
  ServiceEnv env;
  AuditTrail trail(*env.store, env.clock, {});
  for (std::string_view a : {action::kUserCreate, action::kUserRoles, action::kUserDelete}) {
    REQUIRE(trail.Commit(kAnn, a, "u1").ok());
  }
  const AuditPage page = All(trail);
  CHECK(ActionsOf(page) == std::vector<std::string>{"user.delete", "user.roles", "user.create"});
  for (const auto& e : page.entries) {
    CHECK(e.at_ms == env.clock.NowMillis());
    CHECK(e.id.size() == 24);
    CHECK(e.actor == kAnn.name);
    CHECK(e.actor_id == kAnn.id);
    CHECK(e.source == kAnn.source);
    CHECK(e.target == "u1");
    CHECK(e.success);
  }
}

TEST_CASE("a staged entry commits with its transaction and vanishes with an aborted one", "[service]") {
  ServiceEnv env;
  AuditTrail trail(*env.store, env.clock, {});
  REQUIRE(
      env.store->RunTransaction([&](StoreTransaction& tx) { return trail.Stage(tx, kAnn, action::kUserCreate, "a"); })
          .ok());
  const Status aborted = env.store->RunTransaction([&](StoreTransaction& tx) -> Status {
    (void)trail.Stage(tx, kAnn, action::kUserDelete, "a");
    return Error::InvalidArgument("no");
  });
  CHECK_FALSE(aborted.ok());
  CHECK(ActionsOf(All(trail)) == std::vector<std::string>{"user.create"});
}

TEST_CASE("services record a change in its transaction and a refused change as a failure", "[service]") {
  ServiceEnv env;
  AuditTrail trail(*env.store, env.clock, {});
  keymint::AccessKeyService keys(*env.store, env.hasher, env.clock, 1, &trail);
  const auto owner = keymint::Principal::OfUser(env.AddUser("ann@example.com", {"Viewer"}));
  const AuditActor actor = AuditActor::Of(owner, "192.0.2.7");
  auto created = keys.Create(owner, "ci", actor);
  REQUIRE(created.ok());
  CHECK_FALSE(keys.Create(owner, "second", actor).ok());  // over the limit of one
  CHECK_FALSE(keys.DeleteOwn(owner, "no-such-key", actor).ok());

  const AuditPage page = All(trail);
  REQUIRE(page.entries.size() == 3);
  CHECK(page.entries[2].action == "access_key.create");
  CHECK(page.entries[2].target == created->value.id);
  CHECK(page.entries[2].success);
  CHECK(page.entries[1].action == "access_key.create");
  CHECK(page.entries[1].target == "second");
  CHECK_FALSE(page.entries[1].success);
  CHECK_THAT(page.entries[1].detail, Catch::Contains("at most 1"));
  CHECK(page.entries[0].action == "access_key.delete");
  CHECK(page.entries[0].target == "no-such-key");
  CHECK_FALSE(page.entries[0].success);
  for (const auto& e : page.entries) CHECK(e.actor_id == owner.id);
}

TEST_CASE("failures over the per-minute cap are counted and reported in the next minute", "[service]") {
  ServiceEnv env;
  env.clock.Set(10 * 60'000);  // the start of a minute
  AuditTrail trail(*env.store, env.clock, AuditLimits{.retention_days = 90, .failures_per_minute = 2});
  for (int i = 0; i < 5; ++i) trail.RecordFailure(kAnn, action::kSignIn, "u", Error::Unauthenticated("wrong password"));
  CHECK(trail.dropped() == 3);
  CHECK(All(trail).entries.size() == 2);

  env.clock.Advance(60'000);
  trail.RecordFailure(kAnn, action::kSignIn, "u", Error::Unauthenticated("wrong password"));
  const AuditPage page = All(trail);
  REQUIRE(page.entries.size() == 4);
  CHECK(page.entries[0].action == "signin.password");
  CHECK(page.entries[1].action == "audit.dropped");
  CHECK_THAT(page.entries[1].detail, Catch::StartsWith("3 failure entries"));
  CHECK_FALSE(page.entries[1].success);
  CHECK(trail.dropped() == 3);

  // Successes are never capped.
  for (int i = 0; i < 5; ++i) REQUIRE(trail.Commit(kAnn, action::kUserCreate, "u").ok());
  CHECK(All(trail).entries.size() == 9);
}

TEST_CASE("pruning drops exactly the entries older than the retention", "[service]") {
  ServiceEnv env;
  const int64_t start = env.clock.NowMillis();
  AuditTrail trail(*env.store, env.clock, AuditLimits{.retention_days = 2, .failures_per_minute = 600});
  REQUIRE(trail.Commit(kAnn, action::kUserCreate, "old").ok());
  env.clock.Advance(kDayMs);
  REQUIRE(trail.Commit(kAnn, action::kUserCreate, "newer").ok());
  env.clock.Set(start + 2 * kDayMs);  // "old" is exactly 2 days old: kept
  auto pruned = trail.Prune();
  REQUIRE(pruned.ok());
  CHECK(*pruned == 0);
  env.clock.Advance(1);
  pruned = trail.Prune();
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  const AuditPage page = All(trail);
  REQUIRE(page.entries.size() == 1);
  CHECK(page.entries[0].target == "newer");
}

TEST_CASE("pruning removes more entries than one batch holds", "[service]") {
  ServiceEnv env;
  AuditTrail trail(*env.store, env.clock, AuditLimits{.retention_days = 1, .failures_per_minute = 600});
  REQUIRE(env.store
              ->RunTransaction([&](StoreTransaction& tx) -> Status {
                for (int i = 0; i < 2500; ++i) {
                  if (Status s = trail.Stage(tx, kAnn, action::kUserCreate, "bulk"); !s.ok()) return s;
                }
                return Status::Ok();
              })
              .ok());
  env.clock.Advance(kDayMs + 1);
  auto pruned = trail.Prune();
  REQUIRE(pruned.ok());
  CHECK(*pruned == 2500);
  CHECK(All(trail).entries.empty());
}

TEST_CASE("the pruner prunes at start and stops promptly", "[service]") {
  ServiceEnv env;
  AuditTrail trail(*env.store, env.clock, AuditLimits{.retention_days = 1, .failures_per_minute = 600});
  REQUIRE(trail.Commit(kAnn, action::kUserCreate, "expired").ok());
  env.clock.Advance(kDayMs + 1);
  const auto began = std::chrono::steady_clock::now();
  {
    AuditPruner pruner(trail, std::chrono::hours(1));
    for (int i = 0; i < 200 && pruner.passes() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(pruner.passes() >= 1);
  }  // the destructor wakes it from its hour-long wait
  CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(5));
  CHECK(All(trail).entries.empty());
}
