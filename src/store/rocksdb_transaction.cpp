#include "store/rocksdb_transaction.hpp"

#include "store/key_layout.hpp"
#include "store/record_codec.hpp"
#include "store/rocksdb_error.hpp"
#include "store/update_rules.hpp"

namespace keymint::store_rocksdb {
namespace layout = store_layout;

Result<std::optional<std::string>> RocksDbTransaction::StagedSource::Get(const std::string& key) const {
  std::string value;
  rocksdb::Status s = staged_.GetFromBatchAndDB(&db_, rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return StoreError(s, "read");
  return std::optional<std::string>(std::move(value));
}

std::unique_ptr<rocksdb::Iterator> RocksDbTransaction::StagedSource::NewIterator(std::string_view) const {
  return std::unique_ptr<rocksdb::Iterator>(staged_.NewIteratorWithBase(db_.NewIterator(rocksdb::ReadOptions())));
}

RocksDbTransaction::RocksDbTransaction(rocksdb::DB& db) : db_(db) {}

template <typename R>
R RocksDbTransaction::Noted(R result) {
  if (!result.ok() && failure_.ok()) failure_ = result.error();
  return result;
}

Result<std::optional<UserRecord>> RocksDbTransaction::GetUser(std::string_view id, LastLoginField field) {
  return Noted(reader_.GetUser(id, field));
}

Result<std::optional<UserRecord>> RocksDbTransaction::FindUserByEmail(std::string_view email) {
  return Noted(reader_.FindUserByEmail(email));
}

Result<std::size_t> RocksDbTransaction::CountUsers() { return Noted(reader_.CountUsers()); }

Result<std::size_t> RocksDbTransaction::CountUsersWithRole(std::string_view role) {
  return Noted(reader_.CountUsersWithRole(role));
}

Status RocksDbTransaction::CreateUser(const UserRecord& user) {
  return Noted([&]() -> Status {
    RETURN_IF_ERROR(CheckUnique(layout::UserKey(user.id), "a user with id " + user.id));
    RETURN_IF_ERROR(CheckUnique(layout::UserEmailKey(user.email), "a user with email " + user.email));
    staged_.Put(layout::UserKey(user.id), store_codec::EncodeUser(user));
    staged_.Put(layout::UserEmailKey(user.email), user.id);
    staged_.Put(layout::UserTimeKey(user.created_at_ms, user.id), "");
    return Status::Ok();
  }());
}

Status RocksDbTransaction::UpdateUser(const UserRecord& user) {
  return Noted([&]() -> Status {
    ASSIGN_OR_RETURN(auto stored, reader_.GetUser(user.id, LastLoginField::kSkip));
    if (!stored) return Error::NotFound("store: no user with id " + user.id);
    RETURN_IF_ERROR(store_rules::CheckUserUpdate(*stored, user));
    staged_.Put(layout::UserKey(user.id), store_codec::EncodeUser(user));
    return Status::Ok();
  }());
}

Status RocksDbTransaction::DeleteUser(std::string_view id) {
  return Noted([&]() -> Status {
    ASSIGN_OR_RETURN(auto user, reader_.GetUser(id, LastLoginField::kSkip));
    if (!user) return Error::NotFound("store: no user with id " + std::string(id));
    CredentialQuery owned_query;
    owned_query.owner_id = user->id;
    ASSIGN_OR_RETURN(auto owned, reader_.ListCredentials(owned_query));
    for (const auto& credential : owned) StageCredentialDeletes(credential);
    staged_.Delete(layout::UserKey(user->id));
    staged_.Delete(layout::UserEmailKey(user->email));
    staged_.Delete(layout::UserTimeKey(user->created_at_ms, user->id));
    staged_.Delete(layout::LastLoginKey(user->id));
    return Status::Ok();
  }());
}

Result<std::optional<CredentialRecord>> RocksDbTransaction::GetCredential(std::string_view id) {
  return Noted(reader_.GetCredential(id, LastLoginField::kRead));
}

Result<std::optional<CredentialRecord>> RocksDbTransaction::FindCredentialByClientId(std::string_view client_id,
                                                                                     LastLoginField field) {
  return Noted(reader_.FindCredentialByClientId(client_id, field));
}

Result<std::optional<CredentialRecord>> RocksDbTransaction::FindCredentialByName(CredentialKind kind,
                                                                                 std::string_view scope,
                                                                                 std::string_view name) {
  return Noted(reader_.FindCredentialByName(kind, scope, name));
}

Result<std::size_t> RocksDbTransaction::CountCredentialsOfOwner(std::string_view owner_id) {
  return Noted(reader_.CountCredentialsOfOwner(owner_id));
}

Result<std::size_t> RocksDbTransaction::CountCredentialsOfKind(CredentialKind kind) {
  return Noted(reader_.CountCredentialsOfKind(kind));
}

Status RocksDbTransaction::CreateCredential(const CredentialRecord& c) {
  return Noted([&]() -> Status {
    RETURN_IF_ERROR(CheckUnique(layout::CredentialKey(c.id), "a credential with id " + c.id));
    RETURN_IF_ERROR(CheckUnique(layout::ClientIdKey(c.client_id), "a credential with client ID " + c.client_id));
    RETURN_IF_ERROR(CheckUnique(layout::CredentialNameKey(c.kind, c.owner_id, c.name),
                                "a credential named " + c.name + " in its scope"));
    staged_.Put(layout::CredentialKey(c.id), store_codec::EncodeCredential(c));
    staged_.Put(layout::ClientIdKey(c.client_id), c.id);
    staged_.Put(layout::CredentialNameKey(c.kind, c.owner_id, c.name), c.id);
    if (!c.owner_id.empty()) staged_.Put(layout::OwnerIndexKey(c.owner_id, c.created_at_ms, c.id), "");
    staged_.Put(layout::KindIndexKey(c.kind, c.created_at_ms, c.id), "");
    return Status::Ok();
  }());
}

Status RocksDbTransaction::UpdateCredential(const CredentialRecord& c) {
  return Noted([&]() -> Status {
    ASSIGN_OR_RETURN(auto stored, reader_.GetCredential(c.id, LastLoginField::kSkip));
    if (!stored) return Error::NotFound("store: no credential with id " + c.id);
    RETURN_IF_ERROR(store_rules::CheckCredentialUpdate(*stored, c));
    staged_.Put(layout::CredentialKey(c.id), store_codec::EncodeCredential(c));
    return Status::Ok();
  }());
}

Status RocksDbTransaction::DeleteCredential(std::string_view id) {
  return Noted([&]() -> Status {
    ASSIGN_OR_RETURN(auto credential, reader_.GetCredential(id, LastLoginField::kSkip));
    if (!credential) return Error::NotFound("store: no credential with id " + std::string(id));
    StageCredentialDeletes(*credential);
    return Status::Ok();
  }());
}

Status RocksDbTransaction::AppendAudit(const AuditRecord& entry) {
  staged_.Put(layout::AuditKey(entry.at_ms, entry.id), store_codec::EncodeAudit(entry));
  return Status::Ok();
}

Status RocksDbTransaction::Commit() {
  rocksdb::WriteBatch* batch = staged_.GetWriteBatch();
  if (batch->Count() == 0) return Status::Ok();
  rocksdb::WriteOptions synced;
  synced.sync = true;
  rocksdb::Status s = db_.Write(synced, batch);
  if (!s.ok()) return StoreError(s, "commit");
  return Status::Ok();
}

Status RocksDbTransaction::CheckUnique(const std::string& key, std::string_view what) {
  ASSIGN_OR_RETURN(bool taken, reader_.Has(key));
  if (taken) return Error::AlreadyExists("store: " + std::string(what) + " already exists");
  return Status::Ok();
}

void RocksDbTransaction::StageCredentialDeletes(const CredentialRecord& c) {
  staged_.Delete(layout::CredentialKey(c.id));
  staged_.Delete(layout::ClientIdKey(c.client_id));
  staged_.Delete(layout::CredentialNameKey(c.kind, c.owner_id, c.name));
  if (!c.owner_id.empty()) staged_.Delete(layout::OwnerIndexKey(c.owner_id, c.created_at_ms, c.id));
  staged_.Delete(layout::KindIndexKey(c.kind, c.created_at_ms, c.id));
  staged_.Delete(layout::LastLoginKey(c.id));
  staged_.Delete(layout::UsageKey(c.id));
}

}  // namespace keymint::store_rocksdb
