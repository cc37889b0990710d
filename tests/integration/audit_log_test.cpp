// The audit log (README "Audit log"): GET /api/v1/audit-logs over HTTP
// against the real keymint binary and a real RocksDB directory.
#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"
#include "support/service_accounts.hpp"

namespace {

namespace json = boost::json;
namespace kt = keymint::testing;

constexpr const char* kAuditLogs = "/api/v1/audit-logs";
const std::vector<std::string> kEntryMembers =
    kt::Sorted({"id", "time", "actor", "actorId", "action", "target", "sourceAddress", "outcome", "detail"});

struct Entry {
  std::string id, time, actor, actor_id, action, target, source, outcome, detail;
};

struct Page {
  std::vector<Entry> entries;
  std::string next;  // "" when nextCursor is null
};

Entry ParseEntry(const json::object& object) {
  INFO(json::serialize(object));
  CHECK(kt::Keys(object) == kEntryMembers);
  Entry e{kt::StringField(object, "id"),
          kt::StringField(object, "time"),
          kt::StringField(object, "actor"),
          kt::StringField(object, "actorId"),
          kt::StringField(object, "action"),
          kt::StringField(object, "target"),
          kt::StringField(object, "sourceAddress"),
          kt::StringField(object, "outcome"),
          kt::StringField(object, "detail")};
  CHECK(kt::IsTimestamp(e.time));
  CHECK((e.outcome == "success" || e.outcome == "failure"));
  CHECK(e.detail.empty() == (e.outcome == "success"));
  return e;
}

// GET /api/v1/audit-logs<query> as `token`; REQUIREs 200 and the list shape.
Page FetchPage(uint16_t port, const std::string& token, const std::string& query = "") {
  const kt::HttpResponse response = kt::Get(port, std::string(kAuditLogs) + query, token);
  INFO(response.body);
  const json::object body = kt::CheckJsonObject(response, 200, {"auditLogs", "nextCursor"});
  Page page;
  for (const auto& item : kt::AsArray(body.at("auditLogs"))) page.entries.push_back(ParseEntry(kt::AsObject(item)));
  const json::value& next = body.at("nextCursor");
  REQUIRE((next.is_null() || next.is_string()));
  if (next.is_string()) {
    page.next = std::string(next.get_string());
    CHECK(kt::IsUrlSafe(page.next));
  }
  return page;
}

// Every entry, following cursors from the newest.
std::vector<Entry> FetchAll(uint16_t port, const std::string& token, const std::string& filters = "") {
  std::vector<Entry> all;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    std::string query = "?limit=100" + filters;
    if (!cursor.empty()) query += "&cursor=" + cursor;
    Page page = FetchPage(port, token, query);
    all.insert(all.end(), page.entries.begin(), page.entries.end());
    if (page.next.empty()) return all;
    cursor = page.next;
  }
  FAIL("the audit log did not end within 100 pages");
  return all;
}

const Entry* Find(const std::vector<Entry>& entries, const std::string& action, const std::string& target,
                  const std::string& outcome = "success") {
  for (const auto& e : entries) {
    if (e.action == action && e.target == target && e.outcome == outcome) return &e;
  }
  return nullptr;
}

void CheckNewestFirst(const std::vector<Entry>& entries) {
  for (std::size_t i = 1; i < entries.size(); ++i) {
    INFO(entries[i - 1].time << " then " << entries[i].time);
    CHECK(entries[i - 1].time >= entries[i].time);  // RFC 3339 in UTC with ms sorts as text
  }
}

std::string AdminId(uint16_t port, const std::string& admin) { return kt::UserIdByEmail(port, admin, kt::kAdminEmail); }

}  // namespace

TEST_CASE("Every audited change is recorded once with its actor, target, source address and outcome", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const std::string admin_id = AdminId(port, admin);

  kt::CreatedUser ada = kt::CreateUser(port, admin, "ada@example.com", {"Viewer"});
  REQUIRE(kt::PutJson(port, "/api/v1/users/" + ada.id + "/roles", json::object{{"roles", json::array{"Editor"}}}, admin)
              .status == 200);
  const kt::HttpResponse reset = kt::PostJson(port, "/api/v1/users/" + ada.id + "/password", json::object{}, admin);
  REQUIRE(reset.status == 200);
  const std::string temp = kt::StringField(reset.Json().as_object(), "tempPassword");
  const std::string ada_token = kt::PasswordToken(port, ada.email, temp);
  REQUIRE(kt::PostJson(port, "/api/v1/me/password",
                       json::object{{"currentPassword", temp}, {"newPassword", "ada-new-password"}}, ada_token)
              .status == 200);
  const std::string ada_token2 = kt::PasswordToken(port, ada.email, "ada-new-password");

  const kt::CreatedKey key = kt::CreateAccessKey(port, ada_token2, "ci");
  REQUIRE(kt::PostJson(port, "/api/v1/access-keys/" + key.id + "/secret", json::object{}, ada_token2).status == 200);
  REQUIRE(kt::Delete(port, "/api/v1/access-keys/" + key.id, ada_token2).status == 204);

  const kt::HttpResponse created =
      kt::PostJson(port, kt::kServiceAccountsPath, kt::ServiceAccountBody("pipeline", {{"Viewer"}}), admin);
  REQUIRE(created.status == 201);
  const std::string account = kt::StringField(created.Json().as_object(), "id");
  const std::string account_path = kt::JoinPath(kt::kServiceAccountsPath, account);
  REQUIRE(kt::PatchJson(port, account_path, kt::EnabledBody(false), admin).status == 200);
  REQUIRE(kt::PatchJson(port, account_path, kt::EnabledBody(true, {{"Editor"}}), admin).status == 200);
  REQUIRE(kt::PostJson(port, account_path + "/secret", json::object{}, admin).status == 200);
  REQUIRE(kt::Delete(port, account_path, admin).status == 204);
  REQUIRE(kt::Delete(port, "/api/v1/users/" + ada.id, admin).status == 204);

  const std::vector<Entry> entries = FetchAll(port, admin);
  CheckNewestFirst(entries);
  struct Expected {
    const char* action;
    std::string target, actor, actor_id;
  };
  const std::vector<Expected> expected = {
      {"user.create", ada.id, kt::kAdminEmail, admin_id},
      {"user.roles", ada.id, kt::kAdminEmail, admin_id},
      {"user.password_reset", ada.id, kt::kAdminEmail, admin_id},
      {"user.password_change", ada.id, ada.email, ada.id},
      {"access_key.create", key.id, ada.email, ada.id},
      {"access_key.regenerate", key.id, ada.email, ada.id},
      {"access_key.delete", key.id, ada.email, ada.id},
      {"service_account.create", account, kt::kAdminEmail, admin_id},
      {"service_account.disable", account, kt::kAdminEmail, admin_id},
      {"service_account.enable", account, kt::kAdminEmail, admin_id},
      {"service_account.roles", account, kt::kAdminEmail, admin_id},
      {"service_account.regenerate", account, kt::kAdminEmail, admin_id},
      {"service_account.delete", account, kt::kAdminEmail, admin_id},
      {"user.delete", ada.id, kt::kAdminEmail, admin_id},
      {"user.create", admin_id, "keymint", ""},  // the first admin, at first start
  };
  for (const auto& want : expected) {
    INFO(want.action << " on " << want.target);
    const Entry* found = Find(entries, want.action, want.target);
    REQUIRE(found != nullptr);
    CHECK(found->actor == want.actor);
    CHECK(found->actor_id == want.actor_id);
    CHECK(found->source == (want.actor == "keymint" ? "" : "127.0.0.1"));
  }
  // Nothing else was recorded: the entries above, once each, and no failure.
  CHECK(entries.size() == expected.size());
  CHECK(entries.front().action == "user.delete");
  CHECK(entries.back().action == "user.create");
  CHECK(entries.back().target == admin_id);
}

TEST_CASE("Failed password sign-ins and refused management actions are recorded as failures", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const std::string admin_id = AdminId(port, admin);
  kt::CreatedUser bob = kt::CreateUser(port, admin, "bob@example.com", {"Viewer"});

  // A wrong password from another address, and a username nobody has.
  const std::string wrong = json::serialize(kt::PasswordBody(bob.email, "not-bobs-password"));
  REQUIRE(
      kt::SendFrom("127.0.0.2", port, "POST", "/api/v1/token", wrong, {{"Content-Type", "application/json"}}).status ==
      401);
  REQUIRE(kt::PasswordLogin(port, "nobody@example.com", "whatever-password").status == 401);
  // A name already taken (409) and a user that does not exist (404).
  kt::CreateAccessKey(port, bob.token, "taken");
  REQUIRE(kt::PostJson(port, "/api/v1/access-keys", kt::NameBody("taken"), bob.token).status == 409);
  REQUIRE(kt::Delete(port, "/api/v1/users/" + kt::kUnknownUuid, admin).status == 404);
  // A client-credentials failure is not recorded (see README "Audit log").
  kt::CheckKeyRefused(port, "no-such-client", "no-such-secret");

  const std::vector<Entry> failures = FetchAll(port, admin, "&action=signin.password");
  REQUIRE(failures.size() == 2);
  CHECK(failures[0].actor.empty());  // the unknown name is not written
  CHECK(failures[0].target.empty());
  CHECK(failures[0].source == "127.0.0.1");
  CHECK(failures[1].actor == bob.email);
  CHECK(failures[1].actor_id == bob.id);
  CHECK(failures[1].target == bob.id);
  CHECK(failures[1].source == "127.0.0.2");
  for (const auto& e : failures) {
    CHECK(e.outcome == "failure");
    CHECK(e.detail.find("not-bobs-password") == std::string::npos);
  }

  const std::vector<Entry> all = FetchAll(port, admin);
  const Entry* taken = Find(all, "access_key.create", "taken", "failure");
  REQUIRE(taken != nullptr);
  CHECK(taken->actor == bob.email);
  CHECK(taken->detail.find("already exists") != std::string::npos);
  const Entry* missing = Find(all, "user.delete", kt::kUnknownUuid, "failure");
  REQUIRE(missing != nullptr);
  CHECK(missing->actor_id == admin_id);
  CHECK(all.size() == 7);  // 2 user.create, access_key.create, and the 4 failures
}

TEST_CASE("A signed-in caller refused a route for want of a role is recorded as access.denied", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  kt::CreatedUser bob = kt::CreateUser(port, admin, "bob@example.com", {"Viewer"});
  REQUIRE(kt::Get(port, "/api/v1/users", bob.token).status == 403);
  REQUIRE(kt::SendFrom("127.0.0.2", port, "DELETE", "/api/v1/users/" + kt::kUnknownUuid, "",
                       {{"Authorization", "Bearer " + bob.token}})
              .status == 403);
  // No token, or a bad one, is not an entry: it names nobody.
  REQUIRE(kt::Get(port, "/api/v1/users").status == 401);
  REQUIRE(kt::Get(port, "/api/v1/users", "not-a-token").status == 401);

  const std::vector<Entry> denied = FetchAll(port, admin, "&action=access.denied");
  REQUIRE(denied.size() == 2);
  CHECK(denied[0].actor == bob.email);
  CHECK(denied[0].actor_id == bob.id);
  CHECK(denied[0].source == "127.0.0.2");
  CHECK(denied[0].outcome == "failure");
  CHECK(denied[0].target.empty());
  CHECK(denied[0].detail.find("DELETE /api/v1/users/{id}") != std::string::npos);
  CHECK(denied[1].source == "127.0.0.1");
  CHECK(denied[1].detail.find("GET /api/v1/users") != std::string::npos);
  CHECK(denied[1].detail.find("System administrator") != std::string::npos);
  CHECK(FetchAll(port, admin).size() == 4);  // two user.create (the first admin, bob) and the two refusals
}

TEST_CASE("The audit log filters by action, actor, target and time range", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const std::string admin_id = AdminId(port, admin);
  kt::CreatedUser cy = kt::CreateUser(port, admin, "cy@example.com", {"Viewer"});
  const kt::CreatedKey one = kt::CreateAccessKey(port, cy.token, "one");
  const kt::CreatedKey two = kt::CreateAccessKey(port, cy.token, "two");
  REQUIRE(kt::Delete(port, "/api/v1/access-keys/" + one.id, cy.token).status == 204);

  const std::vector<Entry> creates = FetchAll(port, admin, "&action=access_key.create");
  REQUIRE(creates.size() == 2);
  CHECK(creates[0].target == two.id);
  CHECK(creates[1].target == one.id);

  for (const std::string& actor : {cy.email, cy.id}) {
    const std::vector<Entry> by_cy = FetchAll(port, admin, "&actor=" + kt::FormEncode(actor));
    REQUIRE(by_cy.size() == 3);
    for (const auto& e : by_cy) CHECK(e.actor_id == cy.id);
  }
  const std::vector<Entry> on_one = FetchAll(port, admin, "&target=" + one.id);
  REQUIRE(on_one.size() == 2);
  CHECK(on_one[0].action == "access_key.delete");
  CHECK(on_one[1].action == "access_key.create");
  CHECK(FetchAll(port, admin, "&target=" + one.id + "&action=access_key.delete").size() == 1);

  // Time range: both ends inclusive.
  const std::vector<Entry> all = FetchAll(port, admin);
  REQUIRE(all.size() == 5);
  const std::string middle = all[2].time;
  const std::vector<Entry> until = FetchAll(port, admin, "&to=" + kt::FormEncode(middle));
  REQUIRE_FALSE(until.empty());
  for (const auto& e : until) CHECK(e.time <= middle);
  CHECK(until.front().time == middle);
  const std::vector<Entry> since = FetchAll(port, admin, "&from=" + kt::FormEncode(middle));
  for (const auto& e : since) CHECK(e.time >= middle);
  CHECK(since.back().time == middle);
  CHECK(until.size() + since.size() >= all.size() + 1);
  CHECK(FetchAll(port, admin, "&from=2999-01-01T00:00:00Z").empty());
  CHECK(FetchAll(port, admin, "&to=2000-01-01T00:00:00%2B02:00").empty());
  CHECK(FetchAll(port, admin, "&actor=" + admin_id).size() == 1);
}

TEST_CASE("The audit log pages newest first with an opaque cursor", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  for (int i = 0; i < 6; ++i) kt::CreateAccessKey(port, admin, "key-" + std::to_string(i));
  const std::vector<Entry> all = FetchAll(port, admin);
  REQUIRE(all.size() == 7);  // the first admin, then six keys

  std::vector<Entry> paged;
  std::string cursor;
  int pages = 0;
  do {
    const Page page = FetchPage(port, admin, "?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    CHECK(page.entries.size() <= 3);
    paged.insert(paged.end(), page.entries.begin(), page.entries.end());
    cursor = page.next;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  CHECK(pages == 3);  // 3 + 3 + 1, and the last page says there is no more
  REQUIRE(paged.size() == all.size());
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(paged[i].id == all[i].id);

  // A full last page does not promise a page that would be empty.
  const Page first_six = FetchPage(port, admin, "?limit=6");
  CHECK_FALSE(first_six.next.empty());
  const Page rest = FetchPage(port, admin, "?limit=6&cursor=" + first_six.next);
  CHECK(rest.entries.size() == 1);
  CHECK(rest.next.empty());
  CHECK(FetchPage(port, admin, "?limit=7").next.empty());
  CHECK(FetchPage(port, admin).entries.size() == 7);  // the default limit is 100
}

TEST_CASE("Only System administrators read the audit log", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  kt::CreatedUser viewer = kt::CreateUser(port, admin, "viewer@example.com", {"Viewer"});
  kt::CheckError(kt::Get(port, kAuditLogs), 401);
  kt::CheckError(kt::Get(port, kAuditLogs, "not-a-jwt"), 401);
  kt::CheckError(kt::Get(port, kAuditLogs, viewer.token), 403);
  kt::CheckError(kt::Send(port, "POST", kAuditLogs, "{}", {{"Authorization", "Bearer " + admin}}), 405);
}

TEST_CASE("Bad cursors, limits, times and filters are 400 in the Error shape", "[integration]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  kt::CreateAccessKey(port, admin, "a-key");
  const std::string real_cursor = FetchPage(port, admin, "?limit=1").next;
  REQUIRE_FALSE(real_cursor.empty());

  const std::vector<std::string> bad = {
      "?cursor=",
      "?cursor=not%20base64",
      "?cursor=" + kt::Base64UrlEncode("something else"),
      "?cursor=" + kt::Base64UrlEncode("audit.v1:"),
      "?cursor=" + kt::Base64UrlEncode("audit.v1:12:ab"),
      "?cursor=" + kt::Base64UrlEncode("audit.v1:99999999999999999:ab"),
      "?cursor=" + kt::Base64UrlEncode("audit.v1:0000000000000000:a/b"),
      "?cursor=" + kt::Base64UrlEncode(std::string("audit.v1:0000000000000000:a\0b", 29)),
      "?cursor=" + std::string(300, 'A'),
      "?cursor=" + real_cursor + "%00",
      "?cursor=" + real_cursor + "!",
      "?limit=0",
      "?limit=101",
      "?limit=-1",
      "?limit=ten",
      "?limit=",
      "?limit=99999999999999999999999",
      "?from=yesterday",
      "?from=2026-02-30T00:00:00Z",
      "?to=2026-12-01T25:00:00Z",
      "?to=2026-12-01",
      "?from=1969-12-31T23:59:59Z",
      "?from=2026-12-01T00:00:00Z&to=2026-11-30T00:00:00Z",
      "?action=access_key.explode",
      "?action=",
      "?actor=",
      "?target=" + std::string(400, 'x'),
  };
  for (const auto& query : bad) {
    INFO(query);
    kt::CheckError(kt::Get(port, std::string(kAuditLogs) + query, admin), 400);
  }
  CHECK(FetchPage(port, admin, "?cursor=" + real_cursor).entries.size() == 1);
}

TEST_CASE("Audit entries survive a crash and a restart", "[integration]") {
  const kt::ScopedTempDir data_dir, keys_dir;
  kt::ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  std::string key_id, admin_id;
  {
    kt::KeymintProcess server(options);
    const uint16_t port = server.port();
    const std::string admin = kt::AdminToken(port);
    admin_id = AdminId(port, admin);
    key_id = kt::CreateAccessKey(port, admin, "durable").id;
    REQUIRE(kt::PasswordLogin(port, kt::kAdminEmail, "wrong-password-here").status == 401);
    CHECK(server.StopWith(SIGKILL) == -SIGKILL);
  }
  kt::KeymintProcess server(options);
  const uint16_t port = server.port();
  const std::vector<Entry> entries = FetchAll(port, kt::AdminToken(port));
  CHECK(Find(entries, "access_key.create", key_id) != nullptr);
  // Written without a sync, but a killed process loses nothing RocksDB wrote.
  CHECK(Find(entries, "signin.password", admin_id, "failure") != nullptr);
  CHECK(Find(entries, "user.create", admin_id) != nullptr);
}

TEST_CASE("Failure entries beyond audit.failures_per_minute are not kept", "[integration]") {
  kt::KeymintProcess server(kt::WithEnv({{"KEYMINT_AUDIT_FAILURES_PER_MINUTE", "2"}}));
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  for (int i = 0; i < 6; ++i) {
    REQUIRE(kt::PasswordLogin(port, kt::kAdminEmail, "wrong-password-" + std::to_string(i)).status == 401);
  }
  const std::vector<Entry> failures = FetchAll(port, admin, "&action=signin.password");
  // Two a minute; the six may straddle one minute boundary, never two.
  CHECK(failures.size() >= 2);
  CHECK(failures.size() <= 4);
  // The ones not kept are counted in /metrics.
  const kt::HttpResponse metrics = kt::Get(port, "/metrics");
  REQUIRE(metrics.status == 200);
  const std::string sample = "\nkeymint_audit_failures_dropped_total ";
  const auto at = metrics.body.find(sample);
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(metrics.body.substr(at + sample.size())) == static_cast<double>(6 - failures.size()));
  // Changes that succeed are never capped.
  for (int i = 0; i < 3; ++i) kt::CreateAccessKey(port, admin, "capped-" + std::to_string(i));
  CHECK(FetchAll(port, admin, "&action=access_key.create").size() == 3);
}
