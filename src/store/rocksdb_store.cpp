// Store on an embedded RocksDB. See key_layout.hpp for the layout and
// keymint/store/store.hpp for the guarantees.
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <charconv>
#include <filesystem>

#include "keymint/store/store.hpp"
#include "store/key_layout.hpp"
#include "store/record_codec.hpp"

namespace keymint {
namespace layout = store_layout;
namespace {

// Translates a RocksDB status into our vocabulary: the one place that does.
Error StoreError(const rocksdb::Status& s, std::string_view what) {
  return Error::Unavailable("store " + std::string(what) + " failed: " + s.ToString());
}

class RocksDbStore final : public Store {
 public:
  explicit RocksDbStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {
    synced_.sync = true;
    unsynced_.sync = false;
  }

  ~RocksDbStore() override { (void)Flush(); }

  Result<std::optional<UserRecord>> GetUser(std::string_view id, LastLoginField field) const override {
    return ReadUser(layout::UserKey(id), field);
  }

  Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) const override {
    auto id = Get(layout::UserEmailKey(email));
    if (!id.ok()) return id.error();
    if (!*id) return std::optional<UserRecord>();
    return GetUser(**id, LastLoginField::kRead);
  }

  Result<std::vector<UserRecord>> ListUsers() const override {
    std::vector<UserRecord> users;
    Status s = ScanIndex(layout::kUserTimePrefix, [&](std::string_view id) -> Result<bool> {
      auto user = GetUser(id, LastLoginField::kRead);
      if (!user.ok()) return user.error();
      if (*user) users.push_back(std::move(**user));
      return true;
    });
    if (!s.ok()) return s.error();
    return users;
  }

  Status CreateUser(const UserRecord& user) override {
    rocksdb::WriteBatch batch;
    batch.Put(layout::UserKey(user.id), store_codec::EncodeUser(user));
    batch.Put(layout::UserEmailKey(user.email), user.id);
    batch.Put(layout::UserTimeKey(user.created_at_ms, user.id), "");
    return Write(batch, "create user");
  }

  Status UpdateUser(const UserRecord& user) override {
    rocksdb::WriteBatch batch;
    batch.Put(layout::UserKey(user.id), store_codec::EncodeUser(user));
    return Write(batch, "update user");
  }

  Status DeleteUser(const UserRecord& user) override {
    CredentialQuery query;
    query.owner_id = user.id;
    auto owned = ListCredentials(query);
    if (!owned.ok()) return owned.error();
    rocksdb::WriteBatch batch;
    for (const auto& credential : *owned) AddCredentialDeletes(batch, credential);
    batch.Delete(layout::UserKey(user.id));
    batch.Delete(layout::UserEmailKey(user.email));
    batch.Delete(layout::UserTimeKey(user.created_at_ms, user.id));
    batch.Delete(layout::LastLoginKey(user.id));
    return Write(batch, "delete user");
  }

  Result<std::optional<CredentialRecord>> GetCredential(std::string_view id) const override {
    return ReadCredential(id, LastLoginField::kRead);
  }

  Result<std::optional<CredentialRecord>> ReadCredential(std::string_view id, LastLoginField field) const {
    auto bytes = Get(layout::CredentialKey(id));
    if (!bytes.ok()) return bytes.error();
    if (!*bytes) return std::optional<CredentialRecord>();
    auto credential = store_codec::DecodeCredential(**bytes);
    if (!credential) return Error::Internal("corrupt credential record " + std::string(id));
    if (field == LastLoginField::kSkip) return credential;
    auto last_login = ReadLastLogin(id);
    if (!last_login.ok()) return last_login.error();
    credential->last_login_ms = *last_login;
    return credential;
  }

  Result<std::optional<CredentialRecord>> FindCredentialByClientId(std::string_view client_id,
                                                                   LastLoginField field) const override {
    return GetByIndex(layout::ClientIdKey(client_id), field);
  }

  Result<std::optional<CredentialRecord>> FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                               std::string_view name) const override {
    return GetByIndex(layout::CredentialNameKey(kind, scope, name), LastLoginField::kRead);
  }

  Result<std::vector<CredentialRecord>> ListCredentials(const CredentialQuery& query) const override {
    std::vector<CredentialRecord> out;
    if (query.client_id) {  // unique: at most one match
      auto found = FindCredentialByClientId(*query.client_id, LastLoginField::kRead);
      if (!found.ok()) return found.error();
      if (*found && Matches(**found, query) && query.offset == 0 && query.limit > 0) out.push_back(std::move(**found));
      return out;
    }
    // Every entry under these prefixes has the query's kind (and owner), so
    // the offset is skipped on index keys alone and the scan stops at the limit.
    std::string prefix =
        query.owner_id ? layout::OwnerIndexPrefix(*query.owner_id) : layout::KindIndexPrefix(query.kind);
    std::size_t position = 0;
    Status s = ScanIndex(prefix, [&](std::string_view id) -> Result<bool> {
      if (out.size() >= query.limit) return false;
      if (position++ < query.offset) return true;
      auto credential = GetCredential(id);
      if (!credential.ok()) return credential.error();
      if (*credential && Matches(**credential, query)) out.push_back(std::move(**credential));
      return true;
    });
    if (!s.ok()) return s.error();
    return out;
  }

  Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) const override {
    return CountIndex(layout::OwnerIndexPrefix(owner_id));
  }

  Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) const override {
    return CountIndex(layout::KindIndexPrefix(kind));
  }

  Status CreateCredential(const CredentialRecord& c) override {
    rocksdb::WriteBatch batch;
    batch.Put(layout::CredentialKey(c.id), store_codec::EncodeCredential(c));
    batch.Put(layout::ClientIdKey(c.client_id), c.id);
    batch.Put(layout::CredentialNameKey(c.kind, c.owner_id, c.name), c.id);
    if (!c.owner_id.empty()) batch.Put(layout::OwnerIndexKey(c.owner_id, c.created_at_ms, c.id), "");
    batch.Put(layout::KindIndexKey(c.kind, c.created_at_ms, c.id), "");
    return Write(batch, "create credential");
  }

  Status UpdateCredential(const CredentialRecord& c) override {
    rocksdb::WriteBatch batch;
    batch.Put(layout::CredentialKey(c.id), store_codec::EncodeCredential(c));
    return Write(batch, "update credential");
  }

  Status DeleteCredential(const CredentialRecord& c) override {
    rocksdb::WriteBatch batch;
    AddCredentialDeletes(batch, c);
    return Write(batch, "delete credential");
  }

  Status RecordLastLogins(const std::vector<LastLogin>& logins) override {
    rocksdb::WriteBatch batch;
    for (const auto& login : logins) batch.Put(layout::LastLoginKey(login.id), std::to_string(login.at_ms));
    rocksdb::Status s = db_->Write(unsynced_, &batch);
    if (!s.ok()) return StoreError(s, "record last login");
    return Status::Ok();
  }

  Status Flush() override {
    rocksdb::Status s = db_->FlushWAL(/*sync=*/true);
    if (!s.ok()) return StoreError(s, "flush");
    return Status::Ok();
  }

 private:
  // The number of entries under an index prefix, read from the keys alone.
  Result<std::size_t> CountIndex(const std::string& prefix) const {
    std::size_t count = 0;
    Status s = ScanIndex(prefix, [&](std::string_view) -> Result<bool> {
      ++count;
      return true;
    });
    if (!s.ok()) return s.error();
    return count;
  }

  static bool Matches(const CredentialRecord& c, const CredentialQuery& q) {
    return c.kind == q.kind && (!q.owner_id || c.owner_id == *q.owner_id);
  }

  static void AddCredentialDeletes(rocksdb::WriteBatch& batch, const CredentialRecord& c) {
    batch.Delete(layout::CredentialKey(c.id));
    batch.Delete(layout::ClientIdKey(c.client_id));
    batch.Delete(layout::CredentialNameKey(c.kind, c.owner_id, c.name));
    if (!c.owner_id.empty()) batch.Delete(layout::OwnerIndexKey(c.owner_id, c.created_at_ms, c.id));
    batch.Delete(layout::KindIndexKey(c.kind, c.created_at_ms, c.id));
    batch.Delete(layout::LastLoginKey(c.id));
  }

  Result<std::optional<std::string>> Get(const std::string& key) const {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return StoreError(s, "read");
    return std::optional<std::string>(std::move(value));
  }

  Result<std::optional<int64_t>> ReadLastLogin(std::string_view id) const {
    auto bytes = Get(layout::LastLoginKey(id));
    if (!bytes.ok()) return bytes.error();
    if (!*bytes) return std::optional<int64_t>();
    int64_t ms = 0;
    const std::string& text = **bytes;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || end != text.data() + text.size()) return std::optional<int64_t>();
    return std::optional<int64_t>(ms);
  }

  Result<std::optional<UserRecord>> ReadUser(const std::string& key, LastLoginField field) const {
    auto bytes = Get(key);
    if (!bytes.ok()) return bytes.error();
    if (!*bytes) return std::optional<UserRecord>();
    auto user = store_codec::DecodeUser(**bytes);
    if (!user) return Error::Internal("corrupt user record " + key);
    if (field == LastLoginField::kSkip) return user;
    auto last_login = ReadLastLogin(user->id);
    if (!last_login.ok()) return last_login.error();
    user->last_login_ms = *last_login;
    return user;
  }

  Result<std::optional<CredentialRecord>> GetByIndex(const std::string& index_key, LastLoginField field) const {
    auto id = Get(index_key);
    if (!id.ok()) return id.error();
    if (!*id) return std::optional<CredentialRecord>();
    return ReadCredential(**id, field);
  }

  // Calls `visit` with the id at the end of every key under `prefix`, in key
  // order, while it returns true.
  template <typename Visit>
  Status ScanIndex(std::string_view prefix, Visit&& visit) const {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (key.substr(0, prefix.size()) != prefix) break;
      Result<bool> more = visit(layout::IdFromIndexKey(key));
      if (!more.ok()) return more.error();
      if (!*more) break;
    }
    if (!it->status().ok()) return StoreError(it->status(), "scan");
    return Status::Ok();
  }

  Status Write(rocksdb::WriteBatch& batch, std::string_view what) {
    rocksdb::Status s = db_->Write(synced_, &batch);
    if (!s.ok()) return StoreError(s, what);
    return Status::Ok();
  }

  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions synced_;
  rocksdb::WriteOptions unsynced_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenRocksDbStore(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error::Unavailable("cannot create data directory " + dir + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);

  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  rocksdb::BlockBasedTableOptions table;
  // Point lookups (client ID, id) dominate: a Bloom filter skips SST files
  // that cannot hold the key.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return Error::Unavailable("cannot open data directory " + dir + ": " + s.ToString());
  return std::unique_ptr<Store>(new RocksDbStore(std::unique_ptr<rocksdb::DB>(raw)));
}

}  // namespace keymint
