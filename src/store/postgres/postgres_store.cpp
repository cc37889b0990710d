// Store and change feed on a PostgreSQL-protocol server. See
// keymint/store/postgres_store.hpp for what differs from store.hpp,
// schema.cpp for the tables and change_log.hpp for the feed's ordering.
#include "keymint/store/postgres_store.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "store/postgres/audit_log.hpp"
#include "store/postgres/change_log.hpp"
#include "store/postgres/connection_pool.hpp"
#include "store/postgres/pg_records.hpp"
#include "store/postgres/pg_transaction.hpp"
#include "store/postgres/schema.hpp"

namespace keymint {
namespace {

using store_postgres::ConnectionPool;
using store_postgres::PgConnection;
using store_postgres::PgParams;
using store_postgres::PgTransaction;

// Serialisation failures retried before giving up with Unavailable. Writers
// serialise on the change counter, so a burst of N concurrent writers makes
// the last one run up to N times.
constexpr int kTransactionAttempts = 30;
// Last logins per upsert statement.
constexpr std::size_t kLoginsPerStatement = 500;

// A short random sleep, growing with the attempt, so that transactions that
// conflicted do not collide again in lockstep.
void BackOff(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int ceiling_us = std::min(500 + attempt * 2000, 50'000);
  std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(100, ceiling_us)(random)));
}

class PostgresStore final : public SharedStore {
 public:
  PostgresStore(std::unique_ptr<ConnectionPool> pool, const PostgresStoreOptions& options)
      : pool_(std::move(pool)), options_(options) {}

  Status RunTransaction(const TransactionBody& body) override {
    return RunSerializable([&](PgTransaction& tx) { return body(tx); });
  }

  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadUser(conn, id, field); });
  }

  Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadUserByEmail(conn, email); });
  }

  Result<std::vector<UserRecord>> ListUsers() const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadUsers(conn); });
  }

  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadCredential(conn, id, LastLoginField::kRead); });
  }

  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadCredentialByClientId(conn, client_id, field); });
  }

  Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                               std::string_view name) const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadCredentialByName(conn, kind, scope, name); });
  }

  Result<std::vector<CredentialRecord>> ListCredentials(const CredentialQuery& query) const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadCredentials(conn, query); });
  }

  Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) const override {
    return Read([&](PgConnection& conn) { return store_postgres::CountCredentialsOfOwner(conn, owner_id); });
  }

  Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) const override {
    return Read([&](PgConnection& conn) { return store_postgres::CountCredentialsOfKind(conn, kind); });
  }

  Status RecordLastLogins(const std::vector<LastLogin>& logins) override {
    // Several replicas write last logins: each row keeps the later time.
    // One id at most once per statement (ON CONFLICT cannot touch a row
    // twice), and ids in order, so that two replicas' batches lock rows in
    // the same order and cannot deadlock.
    std::map<std::string_view, int64_t> latest;
    for (const auto& login : logins) {
      if (!store_postgres::IsStorableText(login.id)) continue;  // no record has such an id
      auto [it, inserted] = latest.emplace(login.id, login.at_ms);
      if (!inserted) it->second = std::max(it->second, login.at_ms);
    }
    if (latest.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
    auto it = latest.begin();
    while (it != latest.end()) {
      std::string sql = "INSERT INTO keymint_last_logins (id, at_ms) VALUES ";
      PgParams params;
      for (std::size_t n = 0; n < kLoginsPerStatement && it != latest.end(); ++n, ++it) {
        sql += (n == 0 ? "($" : ", ($") + std::to_string(2 * n + 1) + ", $" + std::to_string(2 * n + 2) + ")";
        params.Text(it->first).Int(it->second);
      }
      sql += " ON CONFLICT (id) DO UPDATE SET at_ms = GREATEST(keymint_last_logins.at_ms, EXCLUDED.at_ms)";
      RETURN_IF_ERROR(conn->Exec(sql, params));
    }
    return Status::Ok();
  }

  Status AppendAudit(const AuditRecord& entry) override {
    ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
    return store_postgres::UpsertAudit(*conn, entry);
  }

  Result<AuditPage> ListAudit(const AuditQuery& query) const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadAuditPage(conn, query); });
  }

  Result<std::size_t> PruneAudit(int64_t before_ms, std::size_t max_entries) override {
    return Read([&](PgConnection& conn) { return store_postgres::PruneAuditLog(conn, before_ms, max_entries); });
  }

  // Every write is the server's to make durable once committed.
  Status Flush() override { return Status::Ok(); }

  Result<BackupRecord> CreateBackup(const std::string& /*backup_dir*/) override { return NoBackups(); }
  Result<std::vector<BackupRecord>> ListBackups(const std::string& /*backup_dir*/) const override {
    return NoBackups();
  }

  Result<std::optional<CredentialUsage>> GetUsage(std::string_view credential_id) const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadUsage(conn, credential_id); });
  }

  Status UpdateUsage(const std::vector<CredentialUsage>& deltas, const UsageMerge& merge) override {
    if (deltas.empty()) return Status::Ok();
    // In id order, so that two replicas' batches lock rows in the same order.
    std::vector<const CredentialUsage*> ordered;
    ordered.reserve(deltas.size());
    for (const auto& delta : deltas) ordered.push_back(&delta);
    std::sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->id < b->id; });
    return RunSerializable([&](PgTransaction& tx) -> Status {
      for (const CredentialUsage* delta : ordered) RETURN_IF_ERROR(tx.MergeUsage(*delta, merge));
      return Status::Ok();
    });
  }

  Status AddRevokedToken(const RevokedToken& token) override {
    return RunSerializable([&](PgTransaction& tx) { return tx.AddRevokedToken(token); });
  }

  Result<std::vector<RevokedToken>> ListRevokedTokens() const override {
    return Read([&](PgConnection& conn) -> Result<std::vector<RevokedToken>> {
      ASSIGN_OR_RETURN(auto rows, conn.Exec("SELECT jti, expires_ms FROM keymint_revoked_tokens ORDER BY jti"));
      std::vector<RevokedToken> tokens;
      tokens.reserve(static_cast<std::size_t>(rows.rows()));
      for (int row = 0; row < rows.rows(); ++row) tokens.push_back({std::string(rows.Text(row, 0)), rows.Int(row, 1)});
      return tokens;
    });
  }

  Result<std::size_t> PruneRevokedTokens(int64_t now_ms) override {
    // Not in the change feed: a replica drops an expired jti on its own.
    return Read([&](PgConnection& conn) -> Result<std::size_t> {
      ASSIGN_OR_RETURN(auto deleted,
                       conn.Exec("DELETE FROM keymint_revoked_tokens WHERE expires_ms <= $1", PgParams().Int(now_ms)));
      return static_cast<std::size_t>(deleted.Affected());
    });
  }

  Result<uint64_t> LatestChangeSeq() const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadLatestChangeSeq(conn); });
  }

  Result<std::vector<Change>> ChangesAfter(uint64_t after, std::size_t limit) const override {
    return Read([&](PgConnection& conn) { return store_postgres::ReadChangesAfter(conn, after, limit); });
  }

 private:
  static Error NoBackups() { return Error::Unavailable("the PostgreSQL store makes no backups: use pg_dump"); }

  // Runs `read` on a pooled connection in autocommit.
  template <typename ReadFn>
  auto Read(ReadFn&& read) const -> decltype(read(std::declval<PgConnection&>())) {
    ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
    return read(*conn);
  }

  // Runs `body` in a SERIALIZABLE transaction on one connection, again when
  // it conflicts with a concurrent one (store.hpp lets a body run more than
  // once), numbering its changes just before COMMIT (change_log.hpp).
  template <typename Body>
  Status RunSerializable(Body&& body) {
    for (int attempt = 0;; ++attempt) {
      ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
      bool conflicted = false;
      std::size_t changes = 0;
      Status status = Attempt(*conn, body, conflicted, changes);
      if (status.ok()) {
        if (changes > 0) MaybePruneChanges(*conn);
        return status;
      }
      if (!conflicted) return status;
      if (attempt + 1 == kTransactionAttempts) {
        return Error::Unavailable("store: the transaction kept conflicting with others (" + pool_->server() +
                                  "): " + status.error().message);
      }
      BackOff(attempt);
    }
  }

  template <typename Body>
  Status Attempt(PgConnection& conn, Body& body, bool& conflicted, std::size_t& changes) {
    auto abort = [&](Status status) {
      (void)conn.Exec("ROLLBACK");  // a failed rollback leaves the connection unusable: the pool drops it
      return status;
    };
    RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL SERIALIZABLE"));
    PgTransaction tx(conn);
    Status status = body(tx);
    if (status.ok()) status = tx.failure();
    if (!status.ok()) {
      conflicted = tx.conflicted();
      return abort(std::move(status));
    }
    // A body that wrote nothing still commits, writing nothing: SERIALIZABLE
    // vouches for what a transaction read only at its commit.
    if (Status numbered = store_postgres::NumberChanges(conn, tx.changes()); !numbered.ok()) {
      conflicted = IsConflict(conn.last_sqlstate());
      return abort(std::move(numbered));
    }
    if (auto committed = conn.Exec("COMMIT"); !committed.ok()) {
      conflicted = IsConflict(conn.last_sqlstate());
      return Error::Unavailable("store commit failed: " + committed.error().message);
    }
    changes = tx.changes().size();
    return Status::Ok();
  }

  static bool IsConflict(const std::string& sqlstate) {
    return sqlstate == store_postgres::kSerializationFailure || sqlstate == store_postgres::kDeadlockDetected;
  }

  // Every prune_every_commits-th commit of this process that made changes
  // prunes the feed down to the newest changes_kept: no thread of its own,
  // and with several replicas the feed is pruned about as often as it grows.
  // A failed prune is left to the next one.
  void MaybePruneChanges(PgConnection& conn) {
    const uint64_t every = std::max<uint64_t>(options_.prune_every_commits, 1);
    if (++commits_ % every != 0) return;
    (void)store_postgres::PruneChanges(conn, options_.changes_kept);
  }

  std::unique_ptr<ConnectionPool> pool_;
  const PostgresStoreOptions options_;
  std::atomic<uint64_t> commits_{0};
};

}  // namespace

Result<std::unique_ptr<SharedStore>> OpenPostgresStore(const std::string& url, const PostgresStoreOptions& options) {
  std::string password;
  std::optional<std::string> server = store_postgres::ServerName(url, password);
  if (!server) return Error::Unavailable("cannot parse the PostgreSQL connection URL");
  auto pool = std::make_unique<ConnectionPool>(url, *server, password, options.connections);
  RETURN_IF_ERROR(store_postgres::Migrate(*pool));
  return std::unique_ptr<SharedStore>(new PostgresStore(std::move(pool), options));
}

}  // namespace keymint
