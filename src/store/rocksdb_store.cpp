// Store on an embedded RocksDB. See key_layout.hpp for the layout and
// keymint/store/store.hpp for the guarantees.
#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "keymint/store/store.hpp"
#include "store/audit_log.hpp"
#include "store/key_layout.hpp"
#include "store/record_codec.hpp"
#include "store/record_reader.hpp"
#include "store/revoked_tokens.hpp"
#include "store/rocksdb_backup.hpp"
#include "store/rocksdb_error.hpp"
#include "store/rocksdb_options.hpp"
#include "store/rocksdb_transaction.hpp"

namespace keymint {
namespace layout = store_layout;
namespace {

using store_rocksdb::RecordReader;
using store_rocksdb::RocksDbTransaction;
using store_rocksdb::StoreError;

// The database as committed. RocksDB reads take no lock of ours.
class CommittedSource final : public store_rocksdb::KeySource {
 public:
  explicit CommittedSource(rocksdb::DB& db) : db_(db) {}

  Result<std::optional<std::string>> Get(const std::string& key) const override {
    std::string value;
    rocksdb::Status s = db_.Get(rocksdb::ReadOptions(), key, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return StoreError(s, "read");
    return std::optional<std::string>(std::move(value));
  }

  std::unique_ptr<rocksdb::Iterator> NewIterator(std::string_view) const override {
    return std::unique_ptr<rocksdb::Iterator>(db_.NewIterator(rocksdb::ReadOptions()));
  }

 private:
  rocksdb::DB& db_;
};

class RocksDbStore final : public Store {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, std::shared_ptr<rocksdb::Statistics> statistics)
      : db_(std::move(db)), statistics_(std::move(statistics)) {}

  ~RocksDbStore() override { (void)Flush(); }

  Status RunTransaction(const TransactionBody& body) override {
    // One transaction at a time, from its first read to its synced commit:
    // that makes transactions serialisable. Reads outside transactions and
    // last logins never take this lock.
    std::lock_guard lock(transaction_mu_);
    RocksDbTransaction tx(*db_);
    RETURN_IF_ERROR(body(tx));
    RETURN_IF_ERROR(tx.failure());
    return tx.Commit();
  }

  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) const override {
    return committed_.GetUser(id, field);
  }

  Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) const override {
    return committed_.FindUserByEmail(email);
  }

  Result<std::vector<UserRecord>> ListUsers() const override { return committed_.ListUsers(); }

  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) const override {
    return committed_.GetCredential(id, LastLoginField::kRead);
  }

  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) const override {
    return committed_.FindCredentialByClientId(client_id, field);
  }

  Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                               std::string_view name) const override {
    return committed_.FindCredentialByName(kind, scope, name);
  }

  Result<std::vector<CredentialRecord>> ListCredentials(const CredentialQuery& query) const override {
    return committed_.ListCredentials(query);
  }

  Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) const override {
    return committed_.CountCredentialsOfOwner(owner_id);
  }

  Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) const override {
    return committed_.CountCredentialsOfKind(kind);
  }

  Status RecordLastLogins(const std::vector<LastLogin>& logins) override {
    rocksdb::WriteBatch batch;
    for (const auto& login : logins) batch.Put(layout::LastLoginKey(login.id), std::to_string(login.at_ms));
    rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);  // not synced
    if (!s.ok()) return StoreError(s, "record last login");
    return Status::Ok();
  }

  Status AppendAudit(const AuditRecord& entry) override {
    rocksdb::WriteOptions unsynced;  // see Store::AppendAudit
    rocksdb::Status s = db_->Put(unsynced, layout::AuditKey(entry.at_ms, entry.id), store_codec::EncodeAudit(entry));
    if (!s.ok()) return StoreError(s, "append audit entry");
    return Status::Ok();
  }

  Result<AuditPage> ListAudit(const AuditQuery& query) const override {
    return store_rocksdb::ReadAuditPage(*db_, query);
  }

  Result<std::size_t> PruneAudit(int64_t before_ms, std::size_t max_entries) override {
    return store_rocksdb::PruneAuditLog(*db_, before_ms, max_entries);
  }

  Status Flush() override {
    rocksdb::Status s = db_->FlushWAL(/*sync=*/true);
    if (!s.ok()) return StoreError(s, "flush");
    return Status::Ok();
  }

  Status Compact() override {
    // Every level down to the last, so that no L0 file is left for a reader
    // to check and no compaction is left for the next open.
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    rocksdb::Status s = db_->CompactRange(options, nullptr, nullptr);
    if (!s.ok()) return StoreError(s, "compact");
    return Status::Ok();
  }

  StoreStatistics Statistics() const override {
    StoreStatistics figures;
    if (statistics_) {
      figures.block_cache_hits = statistics_->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
      figures.block_cache_misses = statistics_->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
    }
    figures.block_cache_bytes = IntProperty(rocksdb::DB::Properties::kBlockCacheUsage);
    figures.pending_compaction_bytes = IntProperty(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
    figures.background_errors = IntProperty(rocksdb::DB::Properties::kBackgroundErrors);
    return figures;
  }

  Result<BackupRecord> CreateBackup(const std::string& backup_dir) override {
    // Two backup engines writing one directory may damage it; transactions
    // and reads never take this lock.
    std::lock_guard lock(backup_mu_);
    return store_rocksdb::CreateBackup(*db_, backup_dir);
  }

  Result<std::vector<BackupRecord>> ListBackups(const std::string& backup_dir) const override {
    return store_rocksdb::ListBackups(backup_dir);
  }

  Result<std::optional<CredentialUsage>> GetUsage(std::string_view credential_id) const override {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), layout::UsageKey(credential_id), &value);
    if (s.IsNotFound()) return std::optional<CredentialUsage>();
    if (!s.ok()) return StoreError(s, "read usage");
    auto usage = store_codec::DecodeUsage(value);
    if (!usage) return Error::Internal("corrupt usage record of credential " + std::string(credential_id));
    return usage;
  }

  Status UpdateUsage(const std::vector<CredentialUsage>& deltas, const UsageMerge& merge) override {
    // One process owns the database: a lock of the store's makes each
    // read-merge-write atomic against the others. Transactions, reads and
    // last logins never take it.
    std::lock_guard lock(usage_mu_);
    // Merged records by id: a batch may hold several deltas for one credential.
    std::map<std::string, CredentialUsage> merged;
    for (const auto& delta : deltas) {
      auto it = merged.find(delta.id);
      if (it == merged.end()) {
        ASSIGN_OR_RETURN(auto stored, GetUsage(delta.id));
        it = merged.emplace(delta.id, stored ? std::move(*stored) : CredentialUsage()).first;
        it->second.id = delta.id;
      }
      merge(it->second, delta);
    }
    rocksdb::WriteBatch batch;
    for (const auto& [id, record] : merged) batch.Put(layout::UsageKey(id), store_codec::EncodeUsage(record));
    rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);  // not synced, as last logins
    if (!s.ok()) return StoreError(s, "record usage");
    return Status::Ok();
  }

  Status AddRevokedToken(const RevokedToken& token) override { return store_rocksdb::PutRevokedToken(*db_, token); }

  Result<std::vector<RevokedToken>> ListRevokedTokens() const override {
    return store_rocksdb::ReadRevokedTokens(*db_);
  }

  Result<std::size_t> PruneRevokedTokens(int64_t now_ms) override {
    return store_rocksdb::PruneRevokedTokens(*db_, now_ms);
  }

 private:
  uint64_t IntProperty(const rocksdb::Slice& name) const {
    uint64_t value = 0;
    return db_->GetIntProperty(name, &value) ? value : 0;
  }

  std::unique_ptr<rocksdb::DB> db_;
  const std::shared_ptr<rocksdb::Statistics> statistics_;  // null when the options had none
  CommittedSource source_{*db_};
  RecordReader committed_{source_};
  std::mutex transaction_mu_;
  std::mutex backup_mu_;
  std::mutex usage_mu_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenRocksDbStore(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error::Unavailable("cannot create data directory " + dir + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);

  rocksdb::DB* raw = nullptr;
  const rocksdb::Options options = store_rocksdb::StoreOptions();
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return Error::Unavailable("cannot open data directory " + dir + ": " + s.ToString());
  return std::unique_ptr<Store>(new RocksDbStore(std::unique_ptr<rocksdb::DB>(raw), options.statistics));
}

}  // namespace keymint
