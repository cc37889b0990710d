// Credential usage: day buckets over a rolling 30-day window, the bounded
// User-Agent, merging, the recorder's queue and the UsageService's reads.
#include "keymint/service/credential_usage.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "keymint/service/usage_service.hpp"
#include "unit/test_support/service_env.hpp"

namespace keymint {
namespace {

using testing::ServiceEnv;

constexpr int64_t kDay = 86'400'000;
// 2026-12-01T00:00:00Z.
constexpr int64_t kDecemberFirst = 1'796'083'200'000;

}  // namespace

TEST_CASE("UtcDay counts whole UTC days since the epoch", "[service]") {
  CHECK(UtcDay(0) == 0);
  CHECK(UtcDay(kDay - 1) == 0);
  CHECK(UtcDay(kDay) == 1);
  CHECK(UtcDay(-1) == -1);
  CHECK(UtcDay(kDecemberFirst) * kDay == kDecemberFirst);
}

TEST_CASE("exchanges count per day; the window keeps the 30 days ending on the latest", "[service]") {
  CredentialUsage usage;
  AddExchange(usage, kDecemberFirst + 5, "10.0.0.1", "a");
  AddExchange(usage, kDecemberFirst + 6, "10.0.0.2", "b");
  AddExchange(usage, kDecemberFirst + kDay, "10.0.0.3", "c");
  CHECK(usage.total_tokens == 3);
  REQUIRE(usage.days.size() == 2);
  CHECK(usage.days[0] == DailyTokenCount{UtcDay(kDecemberFirst), 2});
  CHECK(usage.days[1] == DailyTokenCount{UtcDay(kDecemberFirst) + 1, 1});
  CHECK(usage.last_source == "10.0.0.3");
  CHECK(usage.last_user_agent == "c");
  CHECK(*usage.last_used_ms == kDecemberFirst + kDay);

  // One exchange a day for 40 more days: never more than 30 buckets.
  for (int n = 2; n < 42; ++n) AddExchange(usage, kDecemberFirst + n * kDay, "10.0.0.4", "d");
  CHECK(usage.total_tokens == 43);  // the total keeps counting
  CHECK(usage.days.size() == CredentialUsage::kUsageDays);
  CHECK(usage.days.front().day == UtcDay(kDecemberFirst) + 12);
  CHECK(usage.days.back().day == UtcDay(kDecemberFirst) + 41);
}

TEST_CASE("an exchange dated before the latest day (the clock stepped back) keeps the days ordered", "[service]") {
  CredentialUsage usage;
  AddExchange(usage, kDecemberFirst + 5 * kDay, "10.0.0.1", "later");
  AddExchange(usage, kDecemberFirst + 3 * kDay, "10.0.0.2", "earlier");
  AddExchange(usage, kDecemberFirst + 5 * kDay + 1, "10.0.0.3", "latest");
  CHECK(usage.total_tokens == 3);
  REQUIRE(usage.days.size() == 2);
  CHECK(usage.days[0] == DailyTokenCount{UtcDay(kDecemberFirst) + 3, 1});
  CHECK(usage.days[1] == DailyTokenCount{UtcDay(kDecemberFirst) + 5, 2});
  CHECK(usage.last_source == "10.0.0.3");  // the latest use, not the latest call
  // An exchange older than the 30-day window is counted in the total only.
  AddExchange(usage, kDecemberFirst - 40 * kDay, "10.0.0.4", "ancient");
  CHECK(usage.total_tokens == 4);
  CHECK(usage.days.size() == 2);
}

TEST_CASE("a reader sees only the 30 days ending today, on an injected clock", "[service]") {
  CredentialUsage usage;
  AddExchange(usage, kDecemberFirst, "", "");
  AddExchange(usage, kDecemberFirst + 10 * kDay, "", "");
  CHECK(RecentDays(usage, kDecemberFirst + 10 * kDay).size() == 2);
  CHECK(RecentDays(usage, kDecemberFirst + 29 * kDay).size() == 2);  // day 0 is the 30th day back
  CHECK(RecentDays(usage, kDecemberFirst + 30 * kDay).size() == 1);  // rolled out
  CHECK(RecentDays(usage, kDecemberFirst + 40 * kDay).empty());
  CHECK(RecentDays(usage, kDecemberFirst + 5 * kDay).size() == 1);  // a later day is not "recent" yet
}

TEST_CASE("the User-Agent is truncated and made printable ASCII", "[service]") {
  CHECK(BoundedUserAgent(std::string(1000, 'x')).size() == CredentialUsage::kUsageUserAgentBytes);
  CHECK(BoundedUserAgent("curl/8.0") == "curl/8.0");
  CHECK(BoundedUserAgent("a\nb\x01\xc3\xa9") == "a?b???");
  CredentialUsage usage;
  AddExchange(usage, kDecemberFirst, "127.0.0.1", std::string(300, 'y'));
  CHECK(usage.last_user_agent == std::string(256, 'y'));
}

TEST_CASE("merging adds counts, keeps the later use and the later failure", "[service]") {
  CredentialUsage stored;
  AddExchange(stored, kDecemberFirst + 100, "old", "old-agent");
  AddFailedExchange(stored, kDecemberFirst + 50);
  CredentialUsage delta;
  AddExchange(delta, kDecemberFirst + 200, "new", "new-agent");
  AddExchange(delta, kDecemberFirst + kDay, "newest", "newest-agent");
  AddFailedExchange(delta, kDecemberFirst + 20);  // older than the stored failure
  MergeUsage(stored, delta);
  CHECK(stored.total_tokens == 3);
  REQUIRE(stored.days.size() == 2);
  CHECK(stored.days[0].tokens == 2);
  CHECK(stored.last_source == "newest");
  CHECK(stored.last_user_agent == "newest-agent");
  CHECK(*stored.last_failed_ms == kDecemberFirst + 50);
}

TEST_CASE("the recorder queues exchanges and failures and writes them on flush", "[service]") {
  ServiceEnv env;
  const UserRecord ada = env.AddUser("ada@example.com", {"Viewer"});
  const auto key = env.AddAccessKey(ada, "ci");
  env.clock.Set(kDecemberFirst + kDay / 2);
  UsageService usage(*env.store, env.clock);

  env.recorder.RecordExchange(key.record.id, kDecemberFirst + 1, "127.0.0.1", "agent/1");
  env.recorder.RecordExchange(key.record.id, kDecemberFirst + 2, "127.0.0.2", "agent/2");
  CHECK(usage.OfOwnAccessKey(Principal::OfUser(ada), key.record.id)->total_tokens == 0);  // queued only
  REQUIRE(env.recorder.FlushPending().ok());
  env.recorder.RecordExchange(key.record.id, kDecemberFirst + 3, "127.0.0.3", "agent/3");
  env.recorder.RecordFailedExchange(key.record.id, kDecemberFirst + 4);
  REQUIRE(env.recorder.FlushPending().ok());

  auto read = usage.OfOwnAccessKey(Principal::OfUser(ada), key.record.id);
  REQUIRE(read.ok());
  CHECK(read->total_tokens == 3);
  CHECK(read->days == std::vector<DailyTokenCount>{{UtcDay(kDecemberFirst), 3}});
  CHECK(read->last_source == "127.0.0.3");
  CHECK(read->last_user_agent == "agent/3");
  CHECK(*read->last_failed_ms == kDecemberFirst + 4);
  // The last login moved along with it.
  CHECK(*env.store->GetCredential(key.record.id).value()->last_login_ms == kDecemberFirst + 3);
}

TEST_CASE("usage is the owner's to read; administrators and service accounts by kind", "[service]") {
  ServiceEnv env;
  const UserRecord ada = env.AddUser("ada@example.com", {"Viewer"});
  const UserRecord bob = env.AddUser("bob@example.com", {"Viewer"});
  const auto key = env.AddAccessKey(ada, "ci");
  const auto account = env.AddServiceAccount("robot", {"Viewer"});
  UsageService usage(*env.store, env.clock);

  CHECK(usage.OfOwnAccessKey(Principal::OfUser(bob), key.record.id).error().code == ErrorCode::kNotFound);
  CHECK(usage.OfOwnAccessKey(Principal::OfUser(ada), "no-such-id").error().code == ErrorCode::kNotFound);
  CHECK(usage.OfAccessKey(key.record.id).ok());
  CHECK(usage.OfAccessKey(account.record.id).error().code == ErrorCode::kNotFound);
  CHECK(usage.OfServiceAccount(key.record.id).error().code == ErrorCode::kNotFound);
  auto never_used = usage.OfServiceAccount(account.record.id);
  REQUIRE(never_used.ok());
  CHECK(never_used->id == account.record.id);
  CHECK(never_used->total_tokens == 0);
  CHECK_FALSE(never_used->last_used_ms);
}

}  // namespace keymint
