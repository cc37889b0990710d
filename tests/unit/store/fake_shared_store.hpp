// A SharedStore for the caches' tests: the records live in a real store
// (RocksDB in a scratch directory), the change feed in memory. The local
// cache's tests use it for its read counting and hooks alone.
//
// Commits through it (RunTransaction, AddRevokedToken, and CommitElsewhere
// for "another replica") append what they wrote to the feed, as a shared
// store numbers its changes. A test may also append changes itself, prune
// the feed (a gap), take it down, count the point reads the cache lets
// through, and run code in the middle of a read (to interleave an eviction).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keymint/store/change_feed.hpp"
#include "keymint/store/store.hpp"
#include "unit/test_support/store_writes.hpp"

namespace keymint::testing {

// Forwards a transaction and notes the change each successful write makes.
class RecordingTransaction final : public StoreTransaction {
 public:
  RecordingTransaction(StoreTransaction& inner, std::vector<Change>& changes) : inner_(inner), changes_(changes) {}

  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) override {
    return inner_.GetUser(id, field);
  }
  Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) override {
    return inner_.FindUserByEmail(email);
  }
  Result<std::size_t> CountUsers() override { return inner_.CountUsers(); }
  Result<std::size_t> CountUsersWithRole(std::string_view role) override { return inner_.CountUsersWithRole(role); }
  Status CreateUser(const UserRecord& user) override { return Noted(inner_.CreateUser(user), User(user.id)); }
  Status UpdateUser(const UserRecord& user) override { return Noted(inner_.UpdateUser(user), User(user.id)); }
  // The tests delete no user who owns credentials (a shared store would
  // number each of those too).
  Status DeleteUser(std::string_view id) override { return Noted(inner_.DeleteUser(id), User(std::string(id))); }

  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) override {
    return inner_.GetCredential(id);
  }
  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) override {
    return inner_.FindCredentialByClientId(client_id, field);
  }
  Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                               std::string_view name) override {
    return inner_.FindCredentialByName(kind, scope, name);
  }
  Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) override {
    return inner_.CountCredentialsOfOwner(owner_id);
  }
  Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) override {
    return inner_.CountCredentialsOfKind(kind);
  }
  Status CreateCredential(const CredentialRecord& c) override {
    return Noted(inner_.CreateCredential(c), Credential(c.id, c.client_id));
  }
  Status UpdateCredential(const CredentialRecord& c) override {
    return Noted(inner_.UpdateCredential(c), Credential(c.id, c.client_id));
  }
  Status DeleteCredential(std::string_view id) override {
    ASSIGN_OR_RETURN(const auto existing, inner_.GetCredential(id));
    const std::string client_id = existing ? existing->client_id : "";
    return Noted(inner_.DeleteCredential(id), Credential(std::string(id), client_id));
  }
  Status AppendAudit(const AuditRecord& entry) override { return inner_.AppendAudit(entry); }

 private:
  static Change User(std::string id) { return {0, ChangeTable::kUser, std::move(id), ""}; }
  static Change Credential(std::string id, std::string client_id) {
    return {0, ChangeTable::kCredential, std::move(id), std::move(client_id)};
  }
  Status Noted(Status status, Change change) {
    if (status.ok()) changes_.push_back(std::move(change));
    return status;
  }

  StoreTransaction& inner_;
  std::vector<Change>& changes_;
};

class FakeSharedStore final : public SharedStore {
 public:
  // Keeps a reference to `db`, which must outlive this store.
  explicit FakeSharedStore(Store& db) : db_(db) {}

  // --- The test's side ---

  // A transaction committed by another replica: in the store and the feed,
  // without the cache in front of this store seeing the call.
  void CommitElsewhere(const TransactionBody& body) { REQUIRE(CommitAndNumber(body).ok()); }
  // Appends a change to the feed (numbered next), as if committed elsewhere.
  uint64_t Append(ChangeTable table, std::string id, std::string client_id = "") {
    std::lock_guard lock(mutex_);
    feed_.push_back({++latest_seq_, table, std::move(id), std::move(client_id)});
    return latest_seq_;
  }
  // Drops the changes up to `seq` from the feed, as a shared store prunes its
  // change log; a reader still before `seq` then sees a gap.
  void PruneThrough(uint64_t seq) {
    std::lock_guard lock(mutex_);
    std::erase_if(feed_, [&](const Change& change) { return change.seq <= seq; });
  }
  // While down, LatestChangeSeq and ChangesAfter fail with Unavailable.
  void SetFeedDown(bool down) { feed_down_ = down; }
  // Point reads (GetUser, GetCredential, FindCredentialByClientId) that reached this store.
  int point_reads() const { return point_reads_.load(); }
  // Run by FindCredentialByClientId after it has read the store and before it
  // returns; reset to none before it runs, so it runs once.
  void RunOnceAfterNextRead(std::function<void()> hook) {
    std::lock_guard lock(mutex_);
    after_read_ = std::move(hook);
  }

  // --- ChangeFeed ---

  Result<uint64_t> LatestChangeSeq() const override {
    if (feed_down_) return Error::Unavailable("feed down (test)");
    std::lock_guard lock(mutex_);
    return latest_seq_;
  }
  Result<std::vector<Change>> ChangesAfter(uint64_t after, std::size_t limit) const override {
    if (feed_down_) return Error::Unavailable("feed down (test)");
    std::lock_guard lock(mutex_);
    std::vector<Change> changes;
    for (const Change& change : feed_) {
      if (changes.size() == limit) break;
      if (change.seq > after) changes.push_back(change);
    }
    return changes;
  }

  // --- Store: writes number their changes; point reads are counted ---

  Status RunTransaction(const TransactionBody& body) override { return CommitAndNumber(body); }
  Status AddRevokedToken(const RevokedToken& token) override {
    RETURN_IF_ERROR(db_.AddRevokedToken(token));
    Append(ChangeTable::kRevokedToken, token.jti);
    return Status::Ok();
  }
  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) const override {
    ++point_reads_;
    return db_.GetUser(id, field);
  }
  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) const override {
    ++point_reads_;
    return db_.GetCredential(id);
  }
  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) const override {
    ++point_reads_;
    auto found = db_.FindCredentialByClientId(client_id, field);
    std::function<void()> hook;
    {
      std::lock_guard lock(mutex_);
      hook = std::exchange(after_read_, nullptr);
    }
    if (hook) hook();
    return found;
  }

  // --- Store: the rest as the real store does it ---

  Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) const override {
    return db_.FindUserByEmail(email);
  }
  Result<std::vector<UserRecord>> ListUsers() const override { return db_.ListUsers(); }
  Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                               std::string_view name) const override {
    return db_.FindCredentialByName(kind, scope, name);
  }
  Result<std::vector<CredentialRecord>> ListCredentials(const CredentialQuery& query) const override {
    return db_.ListCredentials(query);
  }
  Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) const override {
    return db_.CountCredentialsOfOwner(owner_id);
  }
  Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) const override {
    return db_.CountCredentialsOfKind(kind);
  }
  Status RecordLastLogins(const std::vector<LastLogin>& logins) override { return db_.RecordLastLogins(logins); }
  Status AppendAudit(const AuditRecord& entry) override { return db_.AppendAudit(entry); }
  Result<AuditPage> ListAudit(const AuditQuery& query) const override { return db_.ListAudit(query); }
  Result<std::size_t> PruneAudit(int64_t before_ms, std::size_t max_entries) override {
    return db_.PruneAudit(before_ms, max_entries);
  }
  Result<std::optional<CredentialUsage>> GetUsage(std::string_view credential_id) const override {
    return db_.GetUsage(credential_id);
  }
  Status UpdateUsage(const std::vector<CredentialUsage>& deltas, const UsageMerge& merge) override {
    return db_.UpdateUsage(deltas, merge);
  }
  Result<std::vector<RevokedToken>> ListRevokedTokens() const override { return db_.ListRevokedTokens(); }
  Result<std::size_t> PruneRevokedTokens(int64_t now_ms) override { return db_.PruneRevokedTokens(now_ms); }
  Status Flush() override { return db_.Flush(); }

 private:
  Status CommitAndNumber(const TransactionBody& body) {
    std::vector<Change> changes;
    // A shared store writes the records and their changes in one
    // transaction; here the changes follow the commit, so a test counts a
    // change as committed once it is in the feed. A rerun body starts its
    // list afresh.
    std::lock_guard commit_lock(commit_mutex_);
    RETURN_IF_ERROR(db_.RunTransaction([&](StoreTransaction& tx) {
      changes.clear();
      RecordingTransaction recording(tx, changes);
      return body(recording);
    }));
    for (Change& change : changes) Append(change.table, std::move(change.id), std::move(change.client_id));
    return Status::Ok();
  }

  Store& db_;
  mutable std::mutex mutex_;
  std::mutex commit_mutex_;                   // commits number their changes one at a time
  std::vector<Change> feed_;                  // guarded by mutex_; by seq
  uint64_t latest_seq_ = 0;                   // guarded by mutex_
  mutable std::function<void()> after_read_;  // guarded by mutex_; taken by a const read
  std::atomic<bool> feed_down_{false};
  mutable std::atomic<int> point_reads_{0};
};

}  // namespace keymint::testing
