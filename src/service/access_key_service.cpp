#include "keymint/service/access_key_service.hpp"

#include "keymint/service/validation.hpp"

namespace keymint {
namespace {

Error KeyNotFound(std::string_view id) { return Error::NotFound("access key " + std::string(id) + " not found"); }

}  // namespace

AccessKeyService::AccessKeyService(Store& store, const crypto::SecretHasher& hasher, const Clock& clock,
                                   std::mutex& write_mu, int max_per_user)
    : store_(store),
      hasher_(hasher),
      clock_(clock),
      write_mu_(write_mu),
      max_per_user_(static_cast<std::size_t>(max_per_user)) {}

Result<IssuedCredential> AccessKeyService::Create(const UserRecord& owner, std::string_view name) {
  if (Status s = ValidateCredentialName(name); !s.ok()) return std::move(s).error();
  std::lock_guard lock(write_mu_);
  // The owner may have been deleted since the request was authenticated; a key
  // written now would outlive them.
  auto still_there = store_.GetUser(owner.id, LastLoginField::kSkip);
  if (!still_there.ok()) return still_there.error();
  if (!*still_there) return Error::NotFound("user " + owner.id + " no longer exists");
  auto existing = store_.FindCredentialByName(CredentialKind::kAccessKey, owner.id, name);
  if (!existing.ok()) return existing.error();
  if (*existing) return Error::AlreadyExists("an access key named \"" + std::string(name) + "\" already exists");
  auto count = store_.CountCredentialsOfOwner(owner.id);
  if (!count.ok()) return count.error();
  if (*count >= max_per_user_) {
    return Error::InvalidArgument("a user can have at most " + std::to_string(max_per_user_) +
                                  " access keys; delete one first");
  }
  auto issued =
      NewCredential(store_, hasher_, CredentialKind::kAccessKey, name, owner.id, owner.email, clock_.NowMillis());
  if (!issued.ok()) return issued.error();
  if (Status s = store_.CreateCredential(issued->record); !s.ok()) return std::move(s).error();
  return issued;
}

Result<std::vector<CredentialRecord>> AccessKeyService::ListOwn(const UserRecord& owner) const {
  CredentialQuery query;
  query.owner_id = owner.id;
  return store_.ListCredentials(query);
}

Result<CredentialRecord> AccessKeyService::FindOwn(const UserRecord& owner, std::string_view id) const {
  auto found = store_.GetCredential(id);
  if (!found.ok()) return found.error();
  // Someone else's key looks exactly like a missing one.
  if (!*found || (*found)->kind != CredentialKind::kAccessKey || (*found)->owner_id != owner.id) return KeyNotFound(id);
  return std::move(**found);
}

Result<CredentialRecord> AccessKeyService::GetOwn(const UserRecord& owner, std::string_view id) const {
  return FindOwn(owner, id);
}

Status AccessKeyService::DeleteOwn(const UserRecord& owner, std::string_view id) {
  std::lock_guard lock(write_mu_);
  auto key = FindOwn(owner, id);
  if (!key.ok()) return key.error();
  return store_.DeleteCredential(*key);
}

Result<std::string> AccessKeyService::RegenerateOwn(const UserRecord& owner, std::string_view id) {
  std::lock_guard lock(write_mu_);
  auto key = FindOwn(owner, id);
  if (!key.ok()) return key.error();
  const int64_t now = clock_.NowMillis();
  std::string secret = ReplaceSecret(*key, hasher_);
  key->updated_at_ms = now;
  if (Status s = store_.UpdateCredential(*key); !s.ok()) return std::move(s).error();
  return secret;
}

Result<std::vector<CredentialRecord>> AccessKeyService::ListAll(const AccessKeyFilter& filter) const {
  CredentialQuery query;
  query.kind = CredentialKind::kAccessKey;
  query.client_id = filter.client_id;
  query.offset = filter.offset;
  query.limit = filter.limit;
  if (filter.created_by) {
    auto owner = store_.FindUserByEmail(NormalizeEmail(*filter.created_by));
    if (!owner.ok()) return owner.error();
    if (!*owner) return std::vector<CredentialRecord>();
    query.owner_id = (*owner)->id;
  }
  return store_.ListCredentials(query);
}

Status AccessKeyService::DeleteAny(std::string_view id) {
  std::lock_guard lock(write_mu_);
  auto found = store_.GetCredential(id);
  if (!found.ok()) return found.error();
  if (!*found || (*found)->kind != CredentialKind::kAccessKey) return KeyNotFound(id);
  return store_.DeleteCredential(**found);
}

}  // namespace keymint
