// CopyStore (keymint migrate): everything a store holds arrives in the other,
// unchanged, and only into an empty one. Both stores are RocksDB here; the
// integration tests copy into PostgreSQL.
#include "keymint/service/store_migration.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "unit/test_support/store_writes.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace keymint {
namespace {

using Catch::Matchers::Contains;
using testing::TempDir;

std::unique_ptr<Store> OpenStore(const TempDir& dir, const std::string& name) {
  auto opened = OpenRocksDbStore(dir.Sub(name));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

std::string Id(int n) {
  return "00000000-0000-4000-8000-" + std::string(12 - std::to_string(n).size(), '0') + std::to_string(n);
}

UserRecord User(int n, int64_t created_ms) {
  UserRecord user;
  user.id = Id(n);
  user.email = "user" + std::to_string(n) + "@example.com";
  user.password_hash = "pbkdf2-sha256$1000$c2FsdA$aGFzaA" + std::to_string(n);
  user.roles = {n == 1 ? "System administrator" : "Viewer"};
  user.created_by = "keymint";
  user.created_at_ms = user.updated_at_ms = created_ms;
  user.generation = static_cast<uint64_t>(n);
  return user;
}

CredentialRecord Key(int n, const UserRecord& owner, int64_t created_ms) {
  CredentialRecord key;
  key.id = Id(1000 + n);
  key.kind = CredentialKind::kAccessKey;
  key.name = "key-" + std::to_string(n);
  key.client_id = "client-" + std::to_string(n);
  key.secret_hash = std::string(32, static_cast<char>(n));
  key.secret_hash[31] = '\xff';
  key.owner_id = owner.id;
  key.created_by = owner.email;
  key.created_at_ms = key.updated_at_ms = created_ms;
  key.generation = 3;
  key.expires_at_ms = 4102444800000;
  return key;
}

CredentialRecord ServiceAccount(int n, int64_t created_ms) {
  CredentialRecord account = Key(n, User(0, 0), created_ms);
  account.id = Id(9000 + n);
  account.kind = CredentialKind::kServiceAccount;
  account.name = "robot-" + std::to_string(n);
  account.client_id = "robot-client-" + std::to_string(n);
  account.owner_id = "";
  account.roles = {"Editor"};
  account.enabled = false;
  return account;
}

// A source with every kind of thing a store keeps.
struct Source {
  std::vector<UserRecord> users;
  std::vector<CredentialRecord> credentials;
  std::vector<AuditRecord> audit;
  std::vector<RevokedToken> revoked;
  CredentialUsage usage;
};

Source Fill(Store& store) {
  Source source;
  for (int n = 1; n <= 3; ++n) source.users.push_back(User(n, 1000 + n));
  for (const auto& user : source.users) testing::Create(store, user);
  // More access keys than one transaction batch holds, spread over the users.
  for (int n = 1; n <= 1203; ++n) source.credentials.push_back(Key(n, source.users[n % 3], 5000 + n));
  for (int n = 1; n <= 2; ++n) source.credentials.push_back(ServiceAccount(n, 9000 + n));
  testing::Commit(store, [&](StoreTransaction& tx) -> Status {
    for (const auto& c : source.credentials) RETURN_IF_ERROR(tx.CreateCredential(c));
    return Status::Ok();
  });
  REQUIRE(store.RecordLastLogins({{source.users[0].id, 7000}, {source.credentials[5].id, 7100}}).ok());
  source.users[0].last_login_ms = 7000;
  source.credentials[5].last_login_ms = 7100;

  source.usage.id = source.credentials[5].id;
  source.usage.total_tokens = 42;
  source.usage.days = {{20000, 40}, {20001, 2}};
  source.usage.last_used_ms = 7100;
  source.usage.last_source = "10.0.0.7";
  source.usage.last_user_agent = "curl/8.0";
  source.usage.last_failed_ms = 7050;
  REQUIRE(
      store.UpdateUsage({source.usage}, [](CredentialUsage& stored, const CredentialUsage& delta) { stored = delta; })
          .ok());

  for (int n = 0; n < 1502; ++n) {
    AuditRecord entry;
    entry.id = "entry" + std::to_string(n);
    entry.at_ms = 10000 + n / 2;  // two entries per millisecond
    entry.actor = "user1@example.com";
    entry.action = n % 2 ? "access_key.create" : "user.login";
    entry.target = Id(n % 7);
    entry.success = n % 3 != 0;
    entry.source = "127.0.0.1";
    entry.detail = "n=" + std::to_string(n);
    source.audit.push_back(entry);
  }
  testing::Commit(store, [&](StoreTransaction& tx) -> Status {
    for (const auto& e : source.audit) RETURN_IF_ERROR(tx.AppendAudit(e));
    return Status::Ok();
  });
  source.revoked = {{"jti-1", 4102444800000}, {"jti-2", 4102444800001}};
  for (const auto& token : source.revoked) REQUIRE(store.AddRevokedToken(token).ok());
  return source;
}

std::vector<AuditRecord> AllAudit(const Store& store) {
  std::vector<AuditRecord> entries;
  AuditQuery query;
  query.limit = 100000;
  query.scan_budget = 100000;
  auto page = store.ListAudit(query);
  REQUIRE(page.ok());
  return page->entries;
}

TEST_CASE("CopyStore copies users, keys, service accounts, last logins, usage, audit and revoked tokens",
          "[migration]") {
  TempDir dir("migration");
  auto from = OpenStore(dir, "from");
  auto to = OpenStore(dir, "to");
  const Source source = Fill(*from);

  std::vector<std::string> lines;
  auto report = CopyStore(*from, *to, [&](std::string_view line) { lines.emplace_back(line); });
  INFO((report.ok() ? std::string() : report.error().message));
  REQUIRE(report.ok());
  CHECK(*report == MigrationReport{3, 1203, 2, 2, 1, 1502, 2});
  CHECK(lines.size() == 5);
  CHECK_THAT(lines[1], Contains("1203 access keys"));

  for (const UserRecord& user : source.users) {
    auto copied = to->GetUser(user.id);
    REQUIRE(copied.ok());
    REQUIRE(copied->has_value());
    CHECK((*copied)->email == user.email);
    CHECK((*copied)->password_hash == user.password_hash);
    CHECK((*copied)->roles == user.roles);
    CHECK((*copied)->created_at_ms == user.created_at_ms);
    CHECK((*copied)->generation == user.generation);
    CHECK((*copied)->last_login_ms == user.last_login_ms);
  }
  for (const CredentialRecord& credential : source.credentials) {
    auto copied = to->FindCredentialByClientId(credential.client_id);
    REQUIRE(copied.ok());
    REQUIRE(copied->has_value());
    const CredentialRecord& c = **copied;
    CHECK(c.id == credential.id);
    CHECK(c.kind == credential.kind);
    CHECK(c.name == credential.name);
    CHECK(c.secret_hash == credential.secret_hash);
    CHECK(c.owner_id == credential.owner_id);
    CHECK(c.enabled == credential.enabled);
    CHECK(c.generation == credential.generation);
    CHECK(c.roles == credential.roles);
    CHECK(c.expires_at_ms == credential.expires_at_ms);
    CHECK(c.last_login_ms == credential.last_login_ms);
  }
  // Listing order (creation time) survives.
  CredentialQuery owned;
  owned.owner_id = source.users[1].id;
  auto before = from->ListCredentials(owned);
  auto after = to->ListCredentials(owned);
  REQUIRE(before.ok());
  REQUIRE(after.ok());
  REQUIRE(before->size() == after->size());
  for (std::size_t i = 0; i < before->size(); ++i) CHECK((*before)[i].id == (*after)[i].id);

  auto usage = to->GetUsage(source.usage.id);
  REQUIRE(usage.ok());
  REQUIRE(usage->has_value());
  CHECK(**usage == source.usage);

  const auto audit_from = AllAudit(*from);
  const auto audit_to = AllAudit(*to);
  REQUIRE(audit_to.size() == 1502);
  for (std::size_t i = 0; i < audit_from.size(); ++i) {
    CHECK(audit_to[i].id == audit_from[i].id);
    CHECK(audit_to[i].at_ms == audit_from[i].at_ms);
    CHECK(audit_to[i].detail == audit_from[i].detail);
    CHECK(audit_to[i].success == audit_from[i].success);
  }

  auto revoked = to->ListRevokedTokens();
  REQUIRE(revoked.ok());
  CHECK(*revoked == source.revoked);
}

TEST_CASE("CopyStore refuses a destination that already holds a user, and writes nothing", "[migration]") {
  TempDir dir("migration");
  auto from = OpenStore(dir, "from");
  auto to = OpenStore(dir, "to");
  Fill(*from);
  testing::Create(*to, User(99, 1));

  auto report = CopyStore(*from, *to);
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().code == ErrorCode::kAlreadyExists);
  CHECK_THAT(report.error().message, Contains("empty"));
  auto users = to->ListUsers();
  REQUIRE(users.ok());
  CHECK(users->size() == 1);
  CHECK(to->CountCredentialsOfKind(CredentialKind::kAccessKey).value() == 0);
}

TEST_CASE("CopyStore of an empty store writes nothing and succeeds", "[migration]") {
  TempDir dir("migration");
  auto from = OpenStore(dir, "from");
  auto to = OpenStore(dir, "to");
  auto report = CopyStore(*from, *to);
  REQUIRE(report.ok());
  CHECK(*report == MigrationReport{});
}

}  // namespace
}  // namespace keymint
