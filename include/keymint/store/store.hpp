// The persistent store: users, credentials, their indexes and last logins.
//
// This header is the contract every backend meets (RocksDB, see
// OpenRocksDbStore; PostgreSQL, see postgres_store.hpp for what it does
// differently; tests/unit/store/store_conformance_*_test.cpp check it
// against each backend). API.md §8 is what it serves.
//
// Records and indexes
//   A user is found by id and by email; a credential by id, by client ID and
//   by name within its kind and scope (the owner's id for access keys, "" for
//   service accounts), and listed by owner or by kind. Ids, emails, client IDs
//   (across both kinds) and names within a kind and scope are unique: the
//   store refuses a second record with the same one. Lists are ordered by
//   creation time, then id. Lookups are indexed point or prefix reads: their
//   cost does not grow with the number of records. The store checks no
//   business rules (name syntax, limits, roles, permissions): callers check
//   them inside a transaction.
//
// Writes: transactions
//   Every change to users and credentials is made in a transaction
//   (Store::RunTransaction), which guarantees:
//   - Atomicity: its writes are committed all together or not at all. A crash
//     never leaves half a transaction, a record without its index entries or
//     an index entry without its record.
//   - Durability: RunTransaction returns OK only once the commit is synced to
//     disk; a crash after that loses none of it.
//   - Isolation: transactions are serialisable. Concurrent transactions end
//     as if they had run one at a time in some order, each reading what the
//     ones before it committed plus its own staged writes. So a check made in
//     a body (the name is free, the owner has fewer than 20 keys, another
//     administrator remains) still holds when its writes commit.
//   - Abort on error: when the body returns an error, or any operation on the
//     transaction fails, nothing is written and RunTransaction returns that
//     error.
//
// Reads outside transactions
//   The Store's own read methods take no lock and are never blocked by a
//   transaction in progress: the token path reads this way. They see only
//   committed transactions. A read of one record sees it as some commit left
//   it; a read of many (ListUsers, ListCredentials, the counts) is not a
//   snapshot and may see a transaction that commits while it runs in some of
//   the records it reads and not in others.
//
// Last logins
//   Last-login times live beside the records, keyed by record id, and are
//   written outside transactions (RecordLastLogins): never blocked by one, not
//   synced, and not isolated (a transaction reading a record reads its current
//   last login). Deleting a record deletes its last login. Flush() syncs them;
//   so does destroying the store.
//
// Usage and revoked tokens
//   Credential usage lives beside the records like last logins (and goes
//   with its credential); revoked tokens' ids live in a table of their own
//   until their expiry (see the methods).
//
// Thread-safe: any number of threads may call any method at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/store/records.hpp"

namespace keymint {

// Filters for listing credentials of one kind across owners.
struct CredentialQuery {
  CredentialKind kind = CredentialKind::kAccessKey;
  std::optional<std::string> owner_id;   // only this owner's
  std::optional<std::string> client_id;  // only this client ID
  std::size_t offset = 0;
  std::size_t limit = SIZE_MAX;
};

// A page of the audit log (Store::ListAudit): entries newest first, filtered.
struct AuditQuery {
  std::optional<int64_t> from_ms;     // only entries at or after this time
  std::optional<int64_t> to_ms;       // only entries at or before this time
  std::optional<std::string> actor;   // only this actor (name or id)
  std::optional<std::string> action;  // only this action
  std::optional<std::string> target;  // only this target
  // Where the previous page stopped (its AuditPage::next); "" for the newest.
  std::string after;
  std::size_t limit = 100;
  // At most this many entries are read for one page, matching or not, so
  // that a filter that matches little costs a bounded read per request; a
  // page may then hold fewer than `limit` entries and still have a `next`.
  std::size_t scan_budget = 1000;
};

struct AuditPage {
  std::vector<AuditRecord> entries;
  // Where to continue (AuditQuery::after); "" when nothing older is left to read.
  std::string next;
};

// Whether a read fills in last_login_ms. Last logins live in a table of their
// own; the token path and bearer authentication do not need them and skip the
// extra point read.
enum class LastLoginField { kRead, kSkip };

// One transaction in progress: the reads a check-then-write needs and the
// writes it stages. Valid only inside the body it is passed to, and only on
// the thread running that body.
//
// Reads see the state the transaction is serialised after plus its own staged
// writes, and fill in last logins as Store reads do. A read that finds nothing
// returns nullopt or 0, not an error. Writes are staged: nothing is visible
// outside the transaction before it commits. A write ignores last_login_ms.
// Once any operation has failed (returned an error), the transaction will not
// commit.
class StoreTransaction {
 public:
  virtual ~StoreTransaction() = default;

  // Users.

  virtual Result<std::optional<UserRecord>> GetUser(std::string_view id,
                                                    LastLoginField field = LastLoginField::kRead) = 0;
  // The user whose email is exactly `email`.
  virtual Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) = 0;
  virtual Result<std::size_t> CountUsers() = 0;
  // The number of users whose roles include `role`.
  virtual Result<std::size_t> CountUsersWithRole(std::string_view role) = 0;
  // Stages a new user. AlreadyExists if a user has its id or email.
  virtual Status CreateUser(const UserRecord& user) = 0;
  // Stages a user's new record. NotFound if no user has its id; Internal (a
  // caller's bug) if its email or creation time differs from the stored
  // record's: both are immutable.
  virtual Status UpdateUser(const UserRecord& user) = 0;
  // Stages deleting the user with `id`, every credential they own and the
  // last logins of all of them. NotFound if there is no such user.
  virtual Status DeleteUser(std::string_view id) = 0;

  // Credentials.

  virtual Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) = 0;
  virtual Result<std::optional<CredentialRecord>> FindCredentialByClientId(
      std::string_view client_id, LastLoginField field = LastLoginField::kRead) = 0;
  // `scope` is the owner's id for access keys, "" for service accounts.
  virtual Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                                       std::string_view name) = 0;
  virtual Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) = 0;
  virtual Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) = 0;
  // Stages a new credential. AlreadyExists if a credential has its id, its
  // client ID, or its name in its kind and scope.
  virtual Status CreateCredential(const CredentialRecord& credential) = 0;
  // Stages a credential's new record. NotFound if no credential has its id;
  // Internal (a caller's bug) if its kind, name, owner, client ID or creation
  // time differs from the stored record's: all are immutable.
  virtual Status UpdateCredential(const CredentialRecord& credential) = 0;
  // Stages deleting the credential with `id` and its last login. NotFound if
  // there is no such credential.
  virtual Status DeleteCredential(std::string_view id) = 0;

  // Audit log: stages an entry, committed (and synced) with the change it
  // records. An entry whose time and id are both taken replaces it.
  virtual Status AppendAudit(const AuditRecord& entry) = 0;
};

// How Store::UpdateUsage folds a delta into a stored usage record: the
// service layer's rules (MergeUsage), passed in so that the store knows none.
using UsageMerge = std::function<void(CredentialUsage& stored, const CredentialUsage& delta)>;

// The body of a transaction: reads and stages writes through the transaction,
// then returns OK to commit them or an error to abort.
//
// A backend may run the body more than once (when a concurrent transaction
// conflicts with it) and commits only the last run. So the body acts only
// through the transaction: it may draw random values and assign its results
// to the caller's variables, but every run must assign them afresh, and the
// caller reads them only once RunTransaction has returned OK. The body must
// not call the Store (that may deadlock) and should not do slow work (such as
// hashing a password): other transactions may be waiting for it.
using TransactionBody = std::function<Status(StoreTransaction&)>;

// Figures about the storage engine, for the metrics and the readiness
// probe. Counts run from when the store was opened; a store without such
// figures reports zeros.
struct StoreStatistics {
  uint64_t block_cache_hits = 0;    // block reads served from the block cache
  uint64_t block_cache_misses = 0;  // block reads that went to the table files
  uint64_t block_cache_bytes = 0;   // memory the block cache holds now
  // RocksDB's estimate of the bytes compaction must rewrite before the tree
  // is in shape; growing without bound means writes outpace compaction and
  // will be slowed, then stopped.
  uint64_t pending_compaction_bytes = 0;
  // Background flushes or compactions that failed. After one the engine
  // refuses writes (management writes and last logins fail) until restarted.
  uint64_t background_errors = 0;
};

// One backup of the store in a backup directory, as the backup engine
// numbers and describes it (RocksDB's BackupEngine: ids count up from 1).
struct BackupRecord {
  uint32_t id = 0;
  // Whole seconds (the engine records no finer time); nullopt, with size and
  // count 0, for a backup the engine found damaged when opening the directory.
  std::optional<int64_t> created_at_ms;
  uint64_t size_bytes = 0;  // the backup's files, including those shared with earlier backups
  uint32_t file_count = 0;
  // CreateBackup and restores: every file's checksum was read back and
  // matches. Listing: every file is present (checksums are not re-read).
  bool verified = false;
};

class Store {
 public:
  // Destroying the store syncs unsynced writes (as Flush does).
  virtual ~Store() = default;

  // Runs `body` in a transaction (see the top of this file). Returns OK once
  // the staged writes are committed and synced; a body that staged nothing
  // writes nothing. Otherwise nothing is written and the result is the body's
  // error, the error of the first failed operation on the transaction if the
  // body returned OK anyway, or Unavailable when the commit itself failed
  // (disk full, I/O error).
  virtual Status RunTransaction(const TransactionBody& body) = 0;

  // Reads outside transactions: lock-free, each record as some commit left it
  // (see the top of this file). A read that finds nothing returns nullopt, an
  // empty list or 0; an error means the store could not be read.

  // Users.
  virtual Result<std::optional<UserRecord>> GetUser(std::string_view id,
                                                    LastLoginField field = LastLoginField::kRead) const = 0;
  virtual Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) const = 0;
  virtual Result<std::vector<UserRecord>> ListUsers() const = 0;  // by creation time, then id

  // Credentials.
  virtual Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) const = 0;
  virtual Result<std::optional<CredentialRecord>> FindCredentialByClientId(
      std::string_view client_id, LastLoginField field = LastLoginField::kRead) const = 0;
  // `scope` is the owner's id for access keys, "" for service accounts.
  virtual Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                                       std::string_view name) const = 0;
  // Matching credentials ordered by creation time, then id.
  virtual Result<std::vector<CredentialRecord>> ListCredentials(const CredentialQuery& query) const = 0;
  virtual Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) const = 0;
  virtual Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) const = 0;

  // Sets the last logins of users and credentials (by record id), replacing
  // earlier times (a store several processes share keeps the later of the
  // stored time and the new one). Outside transactions and not synced: a
  // crash may lose the latest ones.
  virtual Status RecordLastLogins(const std::vector<LastLogin>& logins) = 0;

  // Audit log (README "Audit log"). AppendAudit writes one entry on its own,
  // outside transactions and not synced (as last logins: a crash may lose
  // it, the next synced commit or Flush makes it durable): for entries that
  // record no change, such as a failed sign-in. ListAudit reads a page
  // (InvalidArgument for an `after` that is not a position it returned).
  // PruneAudit deletes up to `max_entries` of the entries older than
  // `before_ms` and returns how many it deleted. A store that
  // keeps no audit log answers Internal.
  virtual Status AppendAudit(const AuditRecord& /*entry*/) { return NoAuditLog(); }
  virtual Result<AuditPage> ListAudit(const AuditQuery& /*query*/) const { return NoAuditLog(); }
  virtual Result<std::size_t> PruneAudit(int64_t /*before_ms*/, std::size_t /*max_entries*/) { return NoAuditLog(); }

  // Syncs every write made so far (last logins included) to disk. Unavailable
  // when the sync fails.
  virtual Status Flush() = 0;

  // After a bulk load (keymint_seed, a restore): rewrites the store's files
  // into their settled shape and returns when done, so that the next process
  // to open the store neither pays for that work nor reads an unsettled
  // layout. RocksDB otherwise leaves it to the next open, where it competes
  // with serving (measured with a million keys: ~15 s of compaction, half the
  // tokens/s meanwhile). A store with nothing to settle does nothing.
  virtual Status Compact() { return Status::Ok(); }
  // The engine's figures now. Thread-safe; cheap enough for every scrape or
  // probe, not meant for every request.
  virtual StoreStatistics Statistics() const { return {}; }

  // Online backups (README "Backup and restore"). CreateBackup writes a
  // consistent backup of everything committed so far into `backup_dir`
  // (created if missing), incremental over the backups already there, while
  // reads, transactions and last logins go on; then verifies it (checksums)
  // and returns its record. Backups run one at a time: a second caller waits.
  // Unavailable when the store cannot back up (I/O error, or a backend without
  // backups: the default). ListBackups returns the backups in `backup_dir` by
  // id, empty when it does not exist; it does not wait for a running backup
  // (which it may not list yet).
  virtual Result<BackupRecord> CreateBackup(const std::string& /*backup_dir*/) {
    return Error::Unavailable("this store does not support backups");
  }
  virtual Result<std::vector<BackupRecord>> ListBackups(const std::string& /*backup_dir*/) const {
    return Error::Unavailable("this store does not support backups");
  }

  // Credential usage (README "Credential usage"), keyed by credential id like last
  // logins and like them written outside transactions and not synced
  // (Flush syncs them). UpdateUsage folds each delta into its credential's
  // stored record with `merge` (into a record holding only the delta's id
  // when there is none) and writes the results back: atomically against
  // every other UpdateUsage, in this process or in another sharing the
  // store, so that no count is lost between the read and the write. `merge`
  // may run more than once for a delta (a backend retries a conflict); it
  // must only fold the delta into the record it is given.
  // Deleting a credential, or its owner, deletes its usage. GetUsage answers
  // nullopt for a credential never used. A store that keeps no usage answers
  // Internal.
  virtual Result<std::optional<CredentialUsage>> GetUsage(std::string_view /*credential_id*/) const {
    return NoUsage();
  }
  virtual Status UpdateUsage(const std::vector<CredentialUsage>& /*deltas*/, const UsageMerge& /*merge*/) {
    return NoUsage();
  }

  // The deny list of revoked tokens (README "Introspection and revocation").
  // AddRevokedToken is synced before it returns OK (a revocation survives a
  // crash, as a management write does); adding a jti again replaces its
  // expiry. ListRevokedTokens reads them all (the list is bounded by the
  // caller). PruneRevokedTokens deletes those that expire at or before
  // `now_ms` and returns how many. A store without a deny list answers
  // Internal.
  virtual Status AddRevokedToken(const RevokedToken& /*token*/) { return NoDenyList(); }
  virtual Result<std::vector<RevokedToken>> ListRevokedTokens() const { return NoDenyList(); }
  virtual Result<std::size_t> PruneRevokedTokens(int64_t /*now_ms*/) { return NoDenyList(); }

 private:
  static Error NoAuditLog() { return Error::Internal("this store keeps no audit log"); }
  static Error NoUsage() { return Error::Internal("this store keeps no credential usage"); }
  static Error NoDenyList() { return Error::Internal("this store keeps no revoked tokens"); }
};

// Opens (creating if needed) the RocksDB store in `dir`. Fails with
// Unavailable and a message naming the directory, e.g. when another keymint
// holds its lock.
Result<std::unique_ptr<Store>> OpenRocksDbStore(const std::string& dir);

// Restores backup `backup_id` (the newest when nullopt) from `backup_dir`,
// written by a RocksDB store's CreateBackup, into `db_dir` (created if
// missing; files already there are replaced), after verifying its checksums.
// Run it with no store open on `db_dir`. Returns the restored backup's record.
// NotFound (naming what is there) when `backup_dir` holds no backups or no
// backup `backup_id`; Unavailable when the backup is damaged or a file cannot
// be read or written.
Result<BackupRecord> RestoreRocksDbBackup(const std::string& backup_dir, std::optional<uint32_t> backup_id,
                                          const std::string& db_dir);

}  // namespace keymint
