#include "keymint/service/access_key_service.hpp"

#include <algorithm>

#include "service/validation.hpp"

namespace keymint {
namespace {

Error KeyNotFound(std::string_view id) { return Error::NotFound("access key " + std::string(id) + " not found"); }

// `found` (the credential with `id`, if any) when it is one of `owner`'s
// access keys. Someone else's key looks exactly like a missing one.
Result<CredentialRecord> OwnKey(std::optional<CredentialRecord> found, const Principal& owner, std::string_view id) {
  if (!found || found->kind != CredentialKind::kAccessKey || found->owner_id != owner.id) return KeyNotFound(id);
  return std::move(*found);
}

// A scope is a non-empty subset of the roles the owner holds now: a key can
// narrow its owner's permissions, never widen them. An empty scope would
// mint tokens that can do nothing, which is a mistake rather than a wish.
Status ValidateScope(const std::vector<std::string>& scope, const std::vector<std::string>& owner_roles) {
  if (scope.empty()) return Error::InvalidArgument("roles: name at least one role, or leave roles out");
  for (std::size_t i = 0; i < scope.size(); ++i) {
    if (std::find(owner_roles.begin(), owner_roles.end(), scope[i]) == owner_roles.end()) {
      return Error::InvalidArgument("roles: the owner does not hold the role \"" + scope[i] + "\"");
    }
    if (std::find(scope.begin(), scope.begin() + static_cast<std::ptrdiff_t>(i), scope[i]) !=
        scope.begin() + static_cast<std::ptrdiff_t>(i)) {
      return Error::InvalidArgument("roles: \"" + scope[i] + "\" is listed twice");
    }
  }
  return Status::Ok();
}

}  // namespace

AccessKeyService::AccessKeyService(Store& store, const crypto::SecretHasher& hasher, const Clock& clock,
                                   int max_per_user, AuditTrail* audit, CredentialPolicy policy)
    : store_(store),
      hasher_(hasher),
      clock_(clock),
      max_per_user_(static_cast<std::size_t>(max_per_user)),
      audit_(audit),
      policy_(policy) {}

Result<WithSecret<AccessKey>> AccessKeyService::Create(const Principal& owner, std::string_view name,
                                                       const AuditActor& actor, const AccessKeyOptions& options) {
  using Created = Result<WithSecret<AccessKey>>;
  return Audited<Created>(audit_, actor, audit_action::kAccessKeyCreate, name, [&]() -> Created {
    RETURN_IF_ERROR(ValidateCredentialName(name));
    const int64_t now_ms = clock_.NowMillis();
    ASSIGN_OR_RETURN(const auto expires_at_ms, NewCredentialExpiry(policy_, options.expires_at_ms, now_ms));
    IssuedCredential issued;
    const Status committed = store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      // The owner may have been deleted since the request was authenticated; a
      // key written now would outlive them.
      ASSIGN_OR_RETURN(auto still_there, tx.GetUser(owner.id, LastLoginField::kSkip));
      if (!still_there) return Error::NotFound("user " + owner.id + " no longer exists");
      // Against the roles in the store, not those the request was authenticated with.
      if (options.scope) RETURN_IF_ERROR(ValidateScope(*options.scope, still_there->roles));
      ASSIGN_OR_RETURN(auto existing, tx.FindCredentialByName(CredentialKind::kAccessKey, owner.id, name));
      if (existing) return Error::AlreadyExists("an access key named \"" + std::string(name) + "\" already exists");
      ASSIGN_OR_RETURN(std::size_t count, tx.CountCredentialsOfOwner(owner.id));
      if (count >= max_per_user_) {
        return Error::InvalidArgument("a user can have at most " + std::to_string(max_per_user_) +
                                      " access keys; delete one first");
      }
      ASSIGN_OR_RETURN(issued,
                       NewCredential(tx, hasher_, CredentialKind::kAccessKey, name, owner.id, owner.name, now_ms));
      issued.record.expires_at_ms = expires_at_ms;
      issued.record.scope = options.scope;
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kAccessKeyCreate, issued.record.id,
                                 LifecycleAuditDetail(expires_at_ms, options.scope)));
      return tx.CreateCredential(issued.record);
    });
    if (!committed.ok()) return committed.error();
    return WithSecret<AccessKey>{AccessKey::From(issued.record), std::move(issued.secret)};
  });
}

Result<std::vector<AccessKey>> AccessKeyService::ListOwn(const Principal& owner) const {
  CredentialQuery query;
  query.owner_id = owner.id;
  return ViewsOf<AccessKey>(store_.ListCredentials(query));
}

Result<AccessKey> AccessKeyService::GetOwn(const Principal& owner, std::string_view id) const {
  ASSIGN_OR_RETURN(auto found, store_.GetCredential(id));
  ASSIGN_OR_RETURN(auto key, OwnKey(std::move(found), owner, id));
  return AccessKey::From(key);
}

Status AccessKeyService::DeleteOwn(const Principal& owner, std::string_view id, const AuditActor& actor) {
  return Audited<Status>(audit_, actor, audit_action::kAccessKeyDelete, id, [&] {
    return store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto found, tx.GetCredential(id));
      ASSIGN_OR_RETURN(auto key, OwnKey(std::move(found), owner, id));
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kAccessKeyDelete, key.id));
      return tx.DeleteCredential(key.id);
    });
  });
}

Result<std::string> AccessKeyService::RegenerateOwn(const Principal& owner, std::string_view id,
                                                    const AuditActor& actor, int64_t grace_seconds) {
  return Audited<Result<std::string>>(
      audit_, actor, audit_action::kAccessKeyRegenerate, id, [&]() -> Result<std::string> {
        std::string secret;
        const Status committed = store_.RunTransaction([&](StoreTransaction& tx) -> Status {
          ASSIGN_OR_RETURN(auto found, tx.GetCredential(id));
          ASSIGN_OR_RETURN(auto key, OwnKey(std::move(found), owner, id));
          const int64_t now_ms = clock_.NowMillis();
          ASSIGN_OR_RETURN(secret, ReplaceSecretWithGrace(key, hasher_, policy_, grace_seconds, now_ms));
          key.updated_at_ms = now_ms;
          RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kAccessKeyRegenerate, key.id,
                                     LifecycleAuditDetail(std::nullopt, std::nullopt, grace_seconds)));
          return tx.UpdateCredential(key);
        });
        if (!committed.ok()) return committed.error();
        return secret;
      });
}

Result<Detailed<AccessKey>> AccessKeyService::GetOwnDetails(const Principal& owner, std::string_view id) const {
  ASSIGN_OR_RETURN(auto found, store_.GetCredential(id));
  ASSIGN_OR_RETURN(auto key, OwnKey(std::move(found), owner, id));
  return Detailed<AccessKey>{AccessKey::From(key), CredentialState::From(key, clock_.NowMillis())};
}

Result<Detailed<AccessKey>> AccessKeyService::GetAnyDetails(std::string_view id) const {
  ASSIGN_OR_RETURN(auto found, store_.GetCredential(id));
  if (!found || found->kind != CredentialKind::kAccessKey) return KeyNotFound(id);
  return Detailed<AccessKey>{AccessKey::From(*found), CredentialState::From(*found, clock_.NowMillis())};
}

Result<std::vector<AccessKey>> AccessKeyService::ListAll(const AccessKeyFilter& filter) const {
  CredentialQuery query;
  query.kind = CredentialKind::kAccessKey;
  query.client_id = filter.client_id;
  query.offset = filter.offset;
  query.limit = filter.limit;
  if (filter.created_by) {
    ASSIGN_OR_RETURN(auto owner, store_.FindUserByEmail(NormalizeEmail(*filter.created_by)));
    if (!owner) return std::vector<AccessKey>();
    query.owner_id = owner->id;
  }
  return ViewsOf<AccessKey>(store_.ListCredentials(query));
}

Status AccessKeyService::DeleteAny(std::string_view id, const AuditActor& actor) {
  return Audited<Status>(audit_, actor, audit_action::kAccessKeyDelete, id, [&] {
    return store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto found, tx.GetCredential(id));
      if (!found || found->kind != CredentialKind::kAccessKey) return KeyNotFound(id);
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kAccessKeyDelete, found->id));
      return tx.DeleteCredential(found->id);
    });
  });
}

}  // namespace keymint
