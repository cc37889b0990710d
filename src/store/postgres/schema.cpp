#include "store/postgres/schema.hpp"

#include <chrono>
#include <random>
#include <string_view>
#include <thread>
#include <vector>

namespace keymint::store_postgres {
namespace {

struct Migration {
  int64_t version;
  std::vector<std::string_view> statements;
};

// V1: the tables of store.hpp and change_feed.hpp.
//   keymint_changes and keymint_change_counter: the change feed (see
//   change_log.hpp for how the single counter row keeps it gap-free).
//
// Every statement may run again without harm (IF NOT EXISTS, ON CONFLICT DO
// NOTHING): on engines whose DDL is not transactional (YugabyteDB by
// default) a process that died half way through a version leaves tables
// without the version's row, and the next one completes it.
//
// Columns use the database's default collation: CockroachDB refuses a
// column collated "C". Lists are ordered by (created_ms, id) where ids are
// UUIDs, whose lowercase hex and dashes at fixed places sort alike under
// any collation; the audit log's paging compares and orders ids under one
// collation, so its pages are consistent whatever that is.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       {
           "CREATE TABLE IF NOT EXISTS keymint_users ("
           " id TEXT PRIMARY KEY,"
           " email TEXT NOT NULL UNIQUE,"
           " created_ms BIGINT NOT NULL,"
           " record BYTEA NOT NULL)",
           "CREATE INDEX IF NOT EXISTS keymint_users_created ON keymint_users (created_ms, id)",
           "CREATE TABLE IF NOT EXISTS keymint_credentials ("
           " id TEXT PRIMARY KEY,"
           " client_id TEXT NOT NULL UNIQUE,"
           " kind TEXT NOT NULL,"
           " scope TEXT NOT NULL,"
           " name TEXT NOT NULL,"
           " owner_id TEXT NOT NULL,"
           " created_ms BIGINT NOT NULL,"
           " record BYTEA NOT NULL,"
           " UNIQUE (kind, scope, name))",
           "CREATE INDEX IF NOT EXISTS keymint_credentials_owner ON keymint_credentials (owner_id, created_ms, id)",
           "CREATE INDEX IF NOT EXISTS keymint_credentials_kind ON keymint_credentials (kind, created_ms, id)",
           "CREATE TABLE IF NOT EXISTS keymint_last_logins (id TEXT PRIMARY KEY, at_ms BIGINT NOT NULL)",
           "CREATE TABLE IF NOT EXISTS keymint_usage (credential_id TEXT PRIMARY KEY, record BYTEA NOT NULL)",
           "CREATE TABLE IF NOT EXISTS keymint_audit ("
           " at_ms BIGINT NOT NULL,"
           " id TEXT NOT NULL,"
           " record BYTEA NOT NULL,"
           " PRIMARY KEY (at_ms, id))",
           "CREATE TABLE IF NOT EXISTS keymint_revoked_tokens (jti TEXT PRIMARY KEY, expires_ms BIGINT NOT NULL)",
           "CREATE TABLE IF NOT EXISTS keymint_changes ("
           " seq BIGINT PRIMARY KEY,"
           " table_name TEXT NOT NULL,"
           " id TEXT NOT NULL,"
           " client_id TEXT NOT NULL)",
           "CREATE TABLE IF NOT EXISTS keymint_change_counter (singleton BOOLEAN PRIMARY KEY, seq BIGINT NOT NULL)",
           "INSERT INTO keymint_change_counter (singleton, seq) VALUES (TRUE, 0) ON CONFLICT (singleton) DO NOTHING",
       }},
  };
  return kMigrations;
}

// Another process is creating or migrating the same database.
bool SomeoneElseIsMigrating(const std::string& sqlstate) {
  return sqlstate == kUniqueViolation || sqlstate == kDuplicateTable || sqlstate == kDuplicateObject ||
         sqlstate == kSerializationFailure || sqlstate == kDeadlockDetected;
}

void BackOff(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int ceiling_ms = std::min(5 + attempt * 10, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(1, ceiling_ms)(random)));
}

// The newest applied version, 0 for a database keymint never touched.
Result<int64_t> AppliedVersion(PgConnection& conn) {
  ASSIGN_OR_RETURN(auto result, conn.Exec("SELECT COALESCE(MAX(version), 0) FROM keymint_schema_migrations"));
  return result.Int(0, 0);
}

// Applies `migration` in one transaction. Returns the SQLSTATE of a failure
// that means "someone else is doing it" through `contended`.
Status Apply(PgConnection& conn, const Migration& migration, bool& contended) {
  auto fail = [&](Error error) -> Status {
    contended = SomeoneElseIsMigrating(conn.last_sqlstate());
    (void)conn.Exec("ROLLBACK");
    return error;
  };
  RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL SERIALIZABLE"));
  auto claimed = conn.Exec("INSERT INTO keymint_schema_migrations (version, applied_ms) VALUES ($1, $2)",
                           PgParams()
                               .Int(migration.version)
                               .Int(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count()));
  if (!claimed.ok()) return fail(std::move(claimed).error());
  for (std::string_view statement : migration.statements) {
    auto done = conn.Exec(statement);
    if (!done.ok()) return fail(std::move(done).error());
  }
  auto committed = conn.Exec("COMMIT");
  if (!committed.ok()) return fail(std::move(committed).error());
  return Status::Ok();
}

}  // namespace

int64_t LatestSchemaVersion() { return Migrations().back().version; }

Status Migrate(ConnectionPool& pool) {
  ASSIGN_OR_RETURN(auto conn, pool.Acquire());
  constexpr int kAttempts = 50;
  for (int attempt = 0;; ++attempt) {
    Error last = Error::Unavailable("");
    bool contended = false;
    auto created = conn->Exec(
        "CREATE TABLE IF NOT EXISTS keymint_schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT "
        "NULL)");
    if (!created.ok()) {
      contended = SomeoneElseIsMigrating(conn->last_sqlstate());
      last = std::move(created).error();
    } else {
      ASSIGN_OR_RETURN(int64_t applied, AppliedVersion(*conn));
      if (applied > LatestSchemaVersion()) {
        return Error::Unavailable(pool.server() + " holds schema version " + std::to_string(applied) +
                                  ", newer than this keymint knows (" + std::to_string(LatestSchemaVersion()) +
                                  "): upgrade keymint");
      }
      Status status = Status::Ok();
      for (const Migration& migration : Migrations()) {
        if (migration.version <= applied) continue;
        status = Apply(*conn, migration, contended);
        if (!status.ok()) break;
      }
      if (status.ok()) return Status::Ok();
      last = std::move(status).error();
    }
    if (!contended || attempt + 1 == kAttempts) {
      return Error::Unavailable("cannot migrate the schema: " + last.message);  // the message names the server
    }
    BackOff(attempt);
  }
}

}  // namespace keymint::store_postgres
