// The PostgreSQL store's own guarantees, beyond the conformance suite: what
// several replicas sharing one database rely on (isolation across
// processes, the change feed, concurrent migrations, last logins and usage
// merged on the server), and what it never tells (the URL's password).
// Every test here needs the CTest fixture "postgres"; "... - Postgres" in a
// name is what registers it with that fixture (tests/CMakeLists.txt).
//
// Two store objects on one database stand for two replicas. Catch2
// assertions are not thread-safe: threads record, the test thread checks.
#include "keymint/store/postgres_store.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <latch>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "keymint/store/change_feed.hpp"
#include "unit/store/postgres_test_server.hpp"
#include "unit/store/store_conformance.hpp"
#include "unit/test_support/store_writes.hpp"

namespace keymint::testing {
namespace {

// Declares `server` (the tests' server URL) or returns when there is none.
#define KEYMINT_REQUIRE_POSTGRES(server)         \
  const auto server##_url = PostgresServerUrl(); \
  if (!server##_url) {                           \
    std::printf("%s\n", kNoPostgres);            \
    return;                                      \
  }                                              \
  const std::string& server = *server##_url

std::unique_ptr<SharedStore> OpenShared(const std::string& url, const PostgresStoreOptions& options = {}) {
  auto opened = OpenPostgresStore(url, options);
  INFO((opened.ok() ? std::string() : opened.error().message));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

// The single value a query returns, as text (test set-up and checks only).
std::string QueryValue(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  INFO(PQerrorMessage(conn.get()));
  REQUIRE((PQresultStatus(result.get()) == PGRES_TUPLES_OK || PQresultStatus(result.get()) == PGRES_COMMAND_OK));
  return PQntuples(result.get()) > 0 ? PQgetvalue(result.get(), 0, 0) : "";
}

const std::string kAdmin = "System administrator";

}  // namespace

TEST_CASE("two replicas deleting different administrators at once: exactly one succeeds - Postgres", "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  const std::string url = FreshDatabase(server, "admins");
  auto a = OpenShared(url);
  auto b = OpenShared(url);
  Store* replicas[] = {a.get(), b.get()};
  for (int round = 0; round < 5; ++round) {
    const UserRecord first = MakeUser(100 + 2 * round, "first" + std::to_string(round) + "@example.com", 1, {kAdmin});
    const UserRecord second = MakeUser(101 + 2 * round, "second" + std::to_string(round) + "@example.com", 2, {kAdmin});
    Create(*a, first);
    Create(*b, second);
    const UserRecord* doomed[] = {&first, &second};
    Status results[2];
    RunConcurrently(2, [&](int i) {
      results[i] = replicas[i]->RunTransaction([&](StoreTransaction& tx) -> Status {
        ASSIGN_OR_RETURN(std::size_t admins, tx.CountUsersWithRole(kAdmin));
        if (admins < 2) return Error::PermissionDenied("the last administrator cannot be deleted");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // let the other replica check too
        return tx.DeleteUser(doomed[i]->id);
      });
    });
    INFO("round " << round);
    CHECK(results[0].ok() != results[1].ok());
    for (const Status& s : results) {
      if (!s.ok()) CHECK(s.error().code == ErrorCode::kPermissionDenied);
    }
    CHECK(a->ListUsers()->size() == 1);
    // Leave none behind for the next round.
    const std::vector<UserRecord> left = a->ListUsers().value();
    for (const auto& user : left) Commit(*a, [&](StoreTransaction& tx) { return tx.DeleteUser(user.id); });
  }
}

TEST_CASE("a name raced by two replicas is taken once and the other gets AlreadyExists - Postgres", "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  const std::string url = FreshDatabase(server, "race");
  auto a = OpenShared(url);
  auto b = OpenShared(url);
  Store* replicas[] = {a.get(), b.get()};
  Status results[2];
  RunConcurrently(2, [&](int i) {
    results[i] = replicas[i]->RunTransaction(
        [&](StoreTransaction& tx) { return tx.CreateUser(MakeUser(1 + i, "same@example.com", 1000)); });
  });
  CHECK(results[0].ok() != results[1].ok());
  for (const Status& s : results) {
    if (!s.ok()) CHECK(s.error().code == ErrorCode::kAlreadyExists);
  }
}

TEST_CASE("the change feed numbers every change once, gap-free, under concurrent writers - Postgres", "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  const std::string url = FreshDatabase(server, "feed");
  auto a = OpenShared(url);
  auto b = OpenShared(url);
  SharedStore* replicas[] = {a.get(), b.get()};
  CHECK(*a->LatestChangeSeq() == 0);
  CHECK(a->ChangesAfter(0, 100)->empty());

  constexpr int kWriters = 4, kEach = 10;
  std::atomic<bool> writing{true};
  std::atomic<int> failed_writes{0};
  std::vector<uint64_t> polled;  // the poller's seqs, in the order it saw them
  std::thread poller([&] {
    uint64_t seen = 0;
    while (true) {
      // Read before the feed: an empty read that began while a writer was
      // still committing does not mean the feed is drained.
      const bool writers_done = !writing;
      auto changes = b->ChangesAfter(seen, 7);
      if (!changes.ok()) break;
      for (const auto& change : *changes) {
        polled.push_back(change.seq);
        seen = change.seq;
      }
      if (writers_done && changes->empty()) break;
    }
  });
  RunConcurrently(kWriters, [&](int w) {
    for (int i = 0; i < kEach; ++i) {
      const int n = 1000 + w * 100 + i;
      const CredentialRecord account = MakeServiceAccount(n, "sa-" + std::to_string(n), n);
      if (!replicas[w % 2]->RunTransaction([&](StoreTransaction& tx) { return tx.CreateCredential(account); }).ok()) {
        ++failed_writes;
      }
    }
  });
  writing = false;
  poller.join();

  CHECK(failed_writes == 0);
  const uint64_t total = kWriters * kEach;
  CHECK(*a->LatestChangeSeq() == total);
  auto changes = a->ChangesAfter(0, 1000);
  REQUIRE(changes.ok());
  REQUIRE(changes->size() == total);
  std::set<std::string> ids;
  for (uint64_t i = 0; i < total; ++i) {
    const Change& change = (*changes)[i];
    CHECK(change.seq == i + 1);
    CHECK(change.table == ChangeTable::kCredential);
    CHECK(change.client_id == "client-" + change.id.substr(change.id.size() - 4));
    ids.insert(change.id);
  }
  CHECK(ids.size() == total);
  // The poller read while they committed, and never saw a later change before an earlier one.
  std::vector<uint64_t> expected;
  for (uint64_t i = 1; i <= total; ++i) expected.push_back(i);
  CHECK(polled == expected);
  CHECK(a->ChangesAfter(total - 2, 1)->size() == 1);
}

TEST_CASE("the change feed records deletes of a user's credentials, revocations, and no aborted write - Postgres",
          "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  auto store = OpenShared(FreshDatabase(server, "feed-kinds"));
  const UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  const CredentialRecord key = MakeKey(10, ada, "ci", 2000);
  Create(*store, ada);
  Create(*store, key);
  CHECK_FALSE(store
                  ->RunTransaction([&](StoreTransaction& tx) -> Status {
                    RETURN_IF_ERROR(tx.CreateUser(MakeUser(2, "lost@example.com", 1)));
                    return Error::InvalidArgument("abort");
                  })
                  .ok());
  Commit(*store, [&](StoreTransaction& tx) -> Status {  // reads only: no change
    ASSIGN_OR_RETURN(auto read, tx.GetUser(ada.id));
    return read ? Status::Ok() : Error::NotFound("ada");
  });
  Delete(*store, ada);
  REQUIRE(store->AddRevokedToken({"jti-1", 5000}).ok());
  auto changes = store->ChangesAfter(0, 100);
  REQUIRE(changes.ok());
  CHECK(*changes == std::vector<Change>{{1, ChangeTable::kUser, ada.id, ""},
                                        {2, ChangeTable::kCredential, key.id, key.client_id},
                                        {3, ChangeTable::kCredential, key.id, key.client_id},
                                        {4, ChangeTable::kUser, ada.id, ""},
                                        {5, ChangeTable::kRevokedToken, "jti-1", ""}});
}

TEST_CASE("pruned changes leave a gap that tells the reader to start again - Postgres", "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  PostgresStoreOptions options;
  options.changes_kept = 5;
  options.prune_every_commits = 1;
  auto store = OpenShared(FreshDatabase(server, "prune"), options);
  for (int n = 1; n <= 10; ++n) Create(*store, MakeUser(n, "u" + std::to_string(n) + "@example.com", n));
  CHECK(*store->LatestChangeSeq() == 10);
  auto changes = store->ChangesAfter(0, 100);
  REQUIRE(changes.ok());
  REQUIRE_FALSE(changes->empty());
  CHECK(changes->front().seq == 6);  // above 0 + 1: the ones between were pruned
  CHECK(changes->back().seq == 10);
  auto tail = store->ChangesAfter(8, 100);
  REQUIRE(tail.ok());
  REQUIRE(tail->size() == 2);
  CHECK((*tail)[0].seq == 9);
}

TEST_CASE("four processes opening one fresh database at once apply the schema once - Postgres", "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  for (int round = 0; round < 3; ++round) {
    const std::string url = FreshDatabase(server, "migrate");
    std::vector<std::unique_ptr<SharedStore>> stores(4);
    std::string errors[4];
    RunConcurrently(4, [&](int i) {
      auto opened = OpenPostgresStore(url);
      if (opened.ok()) {
        stores[static_cast<std::size_t>(i)] = std::move(opened).value();
      } else {
        errors[i] = opened.error().message;
      }
    });
    for (const auto& error : errors) {
      INFO(error);
      CHECK(error.empty());
    }
    CHECK(QueryValue(url, "SELECT COUNT(*) FROM keymint_schema_migrations") == "1");
    CHECK(QueryValue(url, "SELECT MAX(version) FROM keymint_schema_migrations") == "1");
    CHECK(QueryValue(url, "SELECT COUNT(*) FROM keymint_change_counter") == "1");
    if (stores[0]) Create(*stores[0], MakeUser(1, "ada@example.com", 1000));
    if (stores[3]) CHECK(stores[3]->FindUserByEmail("ada@example.com")->has_value());
  }
}

TEST_CASE("a database migrated by a newer keymint is refused: upgrade keymint - Postgres", "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  const std::string url = FreshDatabase(server, "newer");
  OpenShared(url).reset();
  QueryValue(url, "INSERT INTO keymint_schema_migrations (version, applied_ms) VALUES (999, 0)");
  auto opened = OpenPostgresStore(url);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(opened.error().message, Catch::Contains("upgrade keymint") && Catch::Contains("999"));
}

TEST_CASE("a version left half applied (DDL that is not transactional) is completed by the next open - Postgres",
          "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  const std::string url = FreshDatabase(server, "half");
  // What a process that died after V1's first statements leaves on an engine
  // that commits DDL at once: some tables, no version row.
  QueryValue(url, "CREATE TABLE keymint_schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)");
  QueryValue(url,
             "CREATE TABLE keymint_users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, created_ms BIGINT NOT "
             "NULL, record BYTEA NOT NULL)");
  QueryValue(url, "CREATE TABLE keymint_change_counter (singleton BOOLEAN PRIMARY KEY, seq BIGINT NOT NULL)");
  QueryValue(url, "INSERT INTO keymint_change_counter (singleton, seq) VALUES (TRUE, 0)");
  auto store = OpenShared(url);
  CHECK(QueryValue(url, "SELECT MAX(version) FROM keymint_schema_migrations") == "1");
  Create(*store, MakeUser(1, "ada@example.com", 1000));
  CHECK(store->LatestChangeSeq().value() == 1);
}

TEST_CASE("last logins from several replicas keep the later time - Postgres", "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  const std::string url = FreshDatabase(server, "logins");
  auto a = OpenShared(url);
  auto b = OpenShared(url);
  const UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  Create(*a, ada);
  REQUIRE(a->RecordLastLogins({{ada.id, 5000}}).ok());
  REQUIRE(b->RecordLastLogins({{ada.id, 3000}}).ok());  // an older login, reported late
  CHECK((*b->GetUser(ada.id))->last_login_ms == 5000);
  REQUIRE(b->RecordLastLogins({{ada.id, 7000}, {ada.id, 6000}, {"\xff not an id", 1}}).ok());
  CHECK((*a->GetUser(ada.id))->last_login_ms == 7000);
  std::vector<LastLogin> many;
  for (int i = 0; i < 1200; ++i) many.push_back({Uuid(5000 + i), i});  // more than one statement's worth
  many.push_back({ada.id, 9000});
  REQUIRE(a->RecordLastLogins(many).ok());
  CHECK((*a->GetUser(ada.id))->last_login_ms == 9000);
}

TEST_CASE("usage updated from two replicas at once loses no count - Postgres", "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  const std::string url = FreshDatabase(server, "usage");
  auto a = OpenShared(url);
  auto b = OpenShared(url);
  Store* replicas[] = {a.get(), b.get()};
  const UserRecord ada = MakeUser(1, "ada@example.com", 1000);
  const CredentialRecord first = MakeKey(10, ada, "ci", 2000);
  const CredentialRecord second = MakeKey(11, ada, "cd", 2001);
  Create(*a, ada);
  Create(*a, first);
  Create(*a, second);
  const UsageMerge add = [](CredentialUsage& stored, const CredentialUsage& delta) {
    stored.total_tokens += delta.total_tokens;
    stored.last_user_agent = delta.last_user_agent;
  };
  constexpr int kThreads = 4, kUpdates = 15;
  std::atomic<int> failed{0};
  RunConcurrently(kThreads, [&](int t) {
    CredentialUsage one, two;
    one.id = first.id;
    two.id = second.id;
    one.total_tokens = two.total_tokens = 1;
    one.last_user_agent = "curl/8.0";
    for (int i = 0; i < kUpdates; ++i) {
      // Both orders, so that two batches meet in both orders.
      auto batch = (t + i) % 2 == 0 ? std::vector<CredentialUsage>{one, two} : std::vector<CredentialUsage>{two, one};
      if (!replicas[t % 2]->UpdateUsage(batch, add).ok()) ++failed;
    }
  });
  CHECK(failed == 0);
  CHECK((*a->GetUsage(first.id))->total_tokens == kThreads * kUpdates);
  CHECK((*b->GetUsage(second.id))->total_tokens == kThreads * kUpdates);
  CHECK((*b->GetUsage(first.id))->last_user_agent == "curl/8.0");
}

TEST_CASE("the connection URL's password never appears in an error - Postgres", "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  const std::string password = "s3cr3t-Pa55word";
  const std::string host_port = server.substr(server.find('@') + 1, server.rfind('/') - server.find('@') - 1);
  const std::string urls[] = {
      "postgres://keymint:" + password + "@127.0.0.1:1/postgres",                // nothing listens
      "postgres://keymint:" + password + "@" + host_port + "/no_such_database",  // refused by the server
      "postgresql://keymint@" + host_port + "/none?password=" + password,        // in the query
      "postgres://keymint:" + password + "%zz@" + host_port + "/postgres",       // malformed
      "host=127.0.0.1 port=1 password=" + password,                              // key=value form
  };
  for (const auto& url : urls) {
    auto opened = OpenPostgresStore(url);
    INFO(url);
    REQUIRE_FALSE(opened.ok());
    INFO(opened.error().message);
    CHECK(opened.error().code == ErrorCode::kUnavailable);
    CHECK(opened.error().message.find(password) == std::string::npos);
    CHECK(opened.error().message.find("s3cr3t") == std::string::npos);
  }
  auto refused = OpenPostgresStore(urls[1]);
  CHECK_THAT(refused.error().message,
             Catch::Contains("PostgreSQL keymint@127.0.0.1") && Catch::Contains("no_such_database"));
}

TEST_CASE("hostile keys find nothing and cannot be stored, and there are no backups or engine figures - Postgres",
          "[store]") {
  KEYMINT_REQUIRE_POSTGRES(server);
  auto store = OpenShared(FreshDatabase(server, "hostile"));
  const std::string bad("bad\xff\0id", 7);
  CHECK_FALSE(store->FindCredentialByClientId(bad)->has_value());
  CHECK_FALSE(store->GetUser(bad)->has_value());
  CHECK_FALSE(store->FindUserByEmail(bad)->has_value());
  CHECK_FALSE(store->GetCredential(bad)->has_value());
  CHECK_FALSE(store->GetUsage(bad)->has_value());
  CredentialQuery query;
  query.client_id = bad;
  CHECK(store->ListCredentials(query)->empty());
  UserRecord user = MakeUser(1, bad, 1000);
  Status created = store->RunTransaction([&](StoreTransaction& tx) { return tx.CreateUser(user); });
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().code == ErrorCode::kInvalidArgument);
  CHECK(*store->LatestChangeSeq() == 0);

  CHECK(store->CreateBackup("/tmp/nowhere").error().code == ErrorCode::kUnavailable);
  CHECK_THAT(store->ListBackups("/tmp/nowhere").error().message, Catch::Contains("pg_dump"));
  CHECK(store->Statistics().block_cache_hits == 0);
  CHECK(store->Flush().ok());
}

}  // namespace keymint::testing
