// A StoreTransaction on RocksDB: writes are staged in an indexed write batch
// that the transaction's own reads see on top of the database, and committed
// as one synced write. Isolation is the caller's: RocksDbStore runs one
// transaction at a time. Not thread-safe (one body uses it).
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include "keymint/store/store.hpp"
#include "store/record_reader.hpp"

namespace keymint::store_rocksdb {

class RocksDbTransaction final : public StoreTransaction {
 public:
  // `db` must outlive the transaction.
  explicit RocksDbTransaction(rocksdb::DB& db);

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

  // The error of the first operation that failed, or OK.
  const Status& failure() const { return failure_; }
  // Writes what is staged as one batch, synced; writes nothing when nothing
  // is staged.
  Status Commit();

 private:
  // The database as committed, overlaid with the staged writes.
  class StagedSource final : public KeySource {
   public:
    StagedSource(rocksdb::DB& db, rocksdb::WriteBatchWithIndex& staged) : db_(db), staged_(staged) {}
    Result<std::optional<std::string>> Get(const std::string& key) const override;
    std::unique_ptr<rocksdb::Iterator> NewIterator(std::string_view prefix) const override;

   private:
    rocksdb::DB& db_;
    rocksdb::WriteBatchWithIndex& staged_;
  };

  Status CheckUnique(const std::string& key, std::string_view what);
  void StageCredentialDeletes(const CredentialRecord& credential);
  // Passes `result` through, keeping the first error in failure_.
  template <typename R>
  R Noted(R result);

  rocksdb::DB& db_;
  // overwrite_key: the latest staged write of a key replaces earlier ones,
  // which iterating with the database underneath requires. With no size limit
  // and no per-key protection its Put and Delete cannot fail, so their
  // statuses go unchecked.
  rocksdb::WriteBatchWithIndex staged_{rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true};
  StagedSource source_{db_, staged_};
  RecordReader reader_{source_};
  Status failure_;
};

}  // namespace keymint::store_rocksdb
