// A StoreTransaction inside a PostgreSQL SERIALIZABLE transaction on one
// connection. Writes execute at once (inside the server's transaction, so
// the body's own reads see them); the transaction notes the change-feed
// entries they make, for the store to number at commit.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/store/change_feed.hpp"
#include "keymint/store/store.hpp"
#include "store/postgres/pg_connection.hpp"

namespace keymint::store_postgres {

class PgTransaction final : public StoreTransaction {
 public:
  explicit PgTransaction(PgConnection& conn) : conn_(conn) {}

  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) override;
  Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) override;
  Result<std::size_t> CountUsers() override;
  Result<std::size_t> CountUsersWithRole(std::string_view role) override;
  Status CreateUser(const UserRecord& user) override;
  Status UpdateUser(const UserRecord& user) override;
  Status DeleteUser(std::string_view id) override;

  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) override;
  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) override;
  Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                               std::string_view name) override;
  Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) override;
  Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) override;
  Status CreateCredential(const CredentialRecord& credential) override;
  Status UpdateCredential(const CredentialRecord& credential) override;
  Status DeleteCredential(std::string_view id) override;

  Status AppendAudit(const AuditRecord& entry) override;

  // The store's own writes that are not StoreTransaction's.
  Status AddRevokedToken(const RevokedToken& token);
  Status MergeUsage(const CredentialUsage& delta, const UsageMerge& merge);

  // The first failed operation's error; OK when none failed.
  const Status& failure() const { return failure_; }
  // Whether a failure was a serialisation failure or deadlock: the whole
  // transaction should run again.
  bool conflicted() const { return conflicted_; }
  // One entry per record created, updated or deleted, in the order of the
  // writes; their seq is 0 until the store numbers them.
  const std::vector<Change>& changes() const { return changes_; }

 private:
  template <typename R>
  R Noted(R result);
  static Status CheckUnique(bool taken, std::string_view what);
  void Wrote(ChangeTable table, std::string_view id, std::string_view client_id = {});

  PgConnection& conn_;
  Status failure_;
  bool conflicted_ = false;
  std::vector<Change> changes_;
};

}  // namespace keymint::store_postgres
