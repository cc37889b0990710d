#include "store/record_reader.hpp"

#include <algorithm>
#include <charconv>

#include "store/key_layout.hpp"
#include "store/record_codec.hpp"
#include "store/rocksdb_error.hpp"

namespace keymint::store_rocksdb {
namespace layout = store_layout;
namespace {

bool Matches(const CredentialRecord& c, const CredentialQuery& q) {
  return c.kind == q.kind && (!q.owner_id || c.owner_id == *q.owner_id);
}

}  // namespace

Result<std::optional<UserRecord>> RecordReader::GetUser(std::string_view id, LastLoginField field) const {
  ASSIGN_OR_RETURN(auto bytes, source_.Get(layout::UserKey(id)));
  if (!bytes) return std::optional<UserRecord>();
  auto user = store_codec::DecodeUser(*bytes);
  if (!user) return Error::Internal("corrupt user record " + std::string(id));
  if (field == LastLoginField::kRead) {
    ASSIGN_OR_RETURN(user->last_login_ms, ReadLastLogin(user->id));
  }
  return user;
}

Result<std::optional<UserRecord>> RecordReader::FindUserByEmail(std::string_view email) const {
  ASSIGN_OR_RETURN(auto id, source_.Get(layout::UserEmailKey(email)));
  if (!id) return std::optional<UserRecord>();
  return GetUser(*id, LastLoginField::kRead);
}

Result<std::vector<UserRecord>> RecordReader::ListUsers() const {
  std::vector<UserRecord> users;
  RETURN_IF_ERROR(ScanIndex(layout::kUserTimePrefix, [&](std::string_view id) -> Result<bool> {
    ASSIGN_OR_RETURN(auto user, GetUser(id, LastLoginField::kRead));
    if (user) users.push_back(std::move(*user));
    return true;
  }));
  return users;
}

Result<std::size_t> RecordReader::CountUsers() const { return CountIndex(layout::kUserTimePrefix); }

Result<std::size_t> RecordReader::CountUsersWithRole(std::string_view role) const {
  std::size_t count = 0;
  RETURN_IF_ERROR(ScanIndex(layout::kUserTimePrefix, [&](std::string_view id) -> Result<bool> {
    ASSIGN_OR_RETURN(auto user, GetUser(id, LastLoginField::kSkip));
    if (user && std::find(user->roles.begin(), user->roles.end(), role) != user->roles.end()) ++count;
    return true;
  }));
  return count;
}

Result<std::optional<CredentialRecord>> RecordReader::GetCredential(std::string_view id, LastLoginField field) const {
  ASSIGN_OR_RETURN(auto bytes, source_.Get(layout::CredentialKey(id)));
  if (!bytes) return std::optional<CredentialRecord>();
  auto credential = store_codec::DecodeCredential(*bytes);
  if (!credential) return Error::Internal("corrupt credential record " + std::string(id));
  if (field == LastLoginField::kRead) {
    ASSIGN_OR_RETURN(credential->last_login_ms, ReadLastLogin(id));
  }
  return credential;
}

Result<std::optional<CredentialRecord>> RecordReader::FindCredentialByClientId(std::string_view client_id,
                                                                               LastLoginField field) const {
  return GetByIndex(layout::ClientIdKey(client_id), field);
}

Result<std::optional<CredentialRecord>> RecordReader::FindCredentialByName(CredentialKind kind, std::string_view scope,
                                                                           std::string_view name) const {
  return GetByIndex(layout::CredentialNameKey(kind, scope, name), LastLoginField::kRead);
}

Result<std::vector<CredentialRecord>> RecordReader::ListCredentials(const CredentialQuery& query) const {
  std::vector<CredentialRecord> out;
  if (query.client_id) {  // unique: at most one match
    ASSIGN_OR_RETURN(auto found, FindCredentialByClientId(*query.client_id, LastLoginField::kRead));
    if (found && Matches(*found, query) && query.offset == 0 && query.limit > 0) out.push_back(std::move(*found));
    return out;
  }
  // Every entry under these prefixes has the query's kind (and owner), so
  // the offset is skipped on index keys alone and the scan stops at the limit.
  std::string prefix = query.owner_id ? layout::OwnerIndexPrefix(*query.owner_id) : layout::KindIndexPrefix(query.kind);
  std::size_t position = 0;
  RETURN_IF_ERROR(ScanIndex(prefix, [&](std::string_view id) -> Result<bool> {
    if (out.size() >= query.limit) return false;
    if (position++ < query.offset) return true;
    ASSIGN_OR_RETURN(auto credential, GetCredential(id, LastLoginField::kRead));
    if (credential && Matches(*credential, query)) out.push_back(std::move(*credential));
    return true;
  }));
  return out;
}

Result<std::size_t> RecordReader::CountCredentialsOfOwner(std::string_view owner_id) const {
  return CountIndex(layout::OwnerIndexPrefix(owner_id));
}

Result<std::size_t> RecordReader::CountCredentialsOfKind(CredentialKind kind) const {
  return CountIndex(layout::KindIndexPrefix(kind));
}

Result<bool> RecordReader::Has(const std::string& key) const {
  ASSIGN_OR_RETURN(auto value, source_.Get(key));
  return value.has_value();
}

Result<std::optional<int64_t>> RecordReader::ReadLastLogin(std::string_view id) const {
  ASSIGN_OR_RETURN(auto bytes, source_.Get(layout::LastLoginKey(id)));
  if (!bytes) return std::optional<int64_t>();
  int64_t ms = 0;
  const std::string& text = *bytes;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || end != text.data() + text.size()) return std::optional<int64_t>();
  return std::optional<int64_t>(ms);
}

Result<std::optional<CredentialRecord>> RecordReader::GetByIndex(const std::string& index_key,
                                                                 LastLoginField field) const {
  ASSIGN_OR_RETURN(auto id, source_.Get(index_key));
  if (!id) return std::optional<CredentialRecord>();
  return GetCredential(*id, field);
}

template <typename Visit>
Status RecordReader::ScanIndex(std::string_view prefix, Visit&& visit) const {
  std::unique_ptr<rocksdb::Iterator> it = source_.NewIterator(prefix);
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.substr(0, prefix.size()) != prefix) break;
    ASSIGN_OR_RETURN(bool more, visit(layout::IdFromIndexKey(key)));
    if (!more) break;
  }
  if (!it->status().ok()) return StoreError(it->status(), "scan");
  return Status::Ok();
}

Result<std::size_t> RecordReader::CountIndex(std::string_view prefix) const {
  std::size_t count = 0;
  RETURN_IF_ERROR(ScanIndex(prefix, [&](std::string_view) -> Result<bool> {
    ++count;
    return true;
  }));
  return count;
}

}  // namespace keymint::store_rocksdb
