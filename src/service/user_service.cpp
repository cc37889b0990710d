#include "keymint/service/user_service.hpp"

#include <algorithm>

#include "keymint/crypto/password_hash.hpp"
#include "keymint/crypto/random.hpp"
#include "service/validation.hpp"

namespace keymint {
namespace {

constexpr std::size_t kTempPasswordBytes = 18;  // 24 URL-safe characters

bool HasAdminRole(const std::vector<std::string>& roles) {
  return std::find(roles.begin(), roles.end(), kSystemAdministrator) != roles.end();
}

Error UserNotFound(std::string_view id) { return Error::NotFound("user " + std::string(id) + " not found"); }

Result<UserRecord> UserOrNotFound(std::optional<UserRecord> found, std::string_view id) {
  if (!found) return UserNotFound(id);
  return std::move(*found);
}

// Whether `user` is the only System administrator, read in `tx` so that the
// answer still holds when the transaction commits.
Result<bool> IsLastAdmin(StoreTransaction& tx, const UserRecord& user) {
  if (!HasAdminRole(user.roles)) return false;
  ASSIGN_OR_RETURN(std::size_t admins, tx.CountUsersWithRole(kSystemAdministrator));
  return admins <= 1;
}

// Once the record is stored, the user's password-grant tokens minted so far
// are refused (see UserRecord::generation). Their access keys' tokens are
// not: those are credentials of their own, and act with the owner's current
// roles anyway.
void EndPasswordSessions(UserRecord& user) { ++user.generation; }

}  // namespace

UserService::UserService(Store& store, const RoleCatalog& catalog, const Clock& clock, LoginLimiter& limiter,
                         AuditTrail* audit, int password_iterations)
    : store_(store),
      catalog_(catalog),
      clock_(clock),
      limiter_(limiter),
      audit_(audit),
      password_iterations_(password_iterations) {}

Result<std::optional<std::string>> UserService::EnsureFirstAdmin(std::string_view email,
                                                                 const std::optional<std::string>& password) {
  // Checked again in the transaction that creates the admin; this count only
  // spares later starts the slow hash below. It counts index keys, where
  // ListUsers would read and decode every user (50,000 of them in a store
  // seeded with a million keys) at every start.
  std::size_t users = 0;
  RETURN_IF_ERROR(store_.RunTransaction([&](StoreTransaction& tx) -> Status {
    ASSIGN_OR_RETURN(users, tx.CountUsers());
    return Status::Ok();
  }));
  if (users > 0) return std::optional<std::string>();
  if (Status s = ValidateEmail(email); !s.ok()) {
    return Error::InvalidArgument("invalid first admin email (KEYMINT_ADMIN_EMAIL / admin.email): " +
                                  s.error().message);
  }

  std::optional<std::string> generated;
  std::string chosen = password ? *password : *(generated = crypto::RandomUrlSafe(kTempPasswordBytes));
  RETURN_IF_ERROR(ValidateNewPassword("KEYMINT_ADMIN_PASSWORD", chosen));
  UserRecord admin;
  admin.id = crypto::NewUuidV4();
  admin.email = NormalizeEmail(email);
  admin.password_hash = crypto::HashPassword(chosen, password_iterations_);
  admin.roles = {std::string(kSystemAdministrator)};
  admin.created_by = "keymint";
  bool created = false;
  RETURN_IF_ERROR(store_.RunTransaction([&](StoreTransaction& tx) -> Status {
    ASSIGN_OR_RETURN(std::size_t count, tx.CountUsers());
    created = count == 0;
    if (!created) return Status::Ok();
    admin.created_at_ms = admin.updated_at_ms = clock_.NowMillis();
    const Status staged = StageAudit(audit_, tx, {"", admin.created_by, ""}, audit_action::kUserCreate, admin.id);
    return staged.ok() ? tx.CreateUser(admin) : staged;
  }));
  return created ? generated : std::nullopt;
}

Result<NewUser> UserService::Create(std::string_view created_by, std::string_view email,
                                    const std::vector<std::string>& roles, const AuditActor& actor) {
  return Audited<Result<NewUser>>(audit_, actor, audit_action::kUserCreate, email, [&]() -> Result<NewUser> {
    RETURN_IF_ERROR(ValidateEmail(email));
    RETURN_IF_ERROR(ValidateRoles(catalog_, roles));
    const std::string temp_password = crypto::RandomUrlSafe(kTempPasswordBytes);
    UserRecord user;
    user.id = crypto::NewUuidV4();
    user.email = NormalizeEmail(email);
    {
      ASSIGN_OR_RETURN(auto ticket, limiter_.EnterPasswordCheck());
      user.password_hash = crypto::HashPassword(temp_password, password_iterations_);  // slow: outside the transaction
    }
    user.roles = roles;
    user.created_by = std::string(created_by);

    const Status committed = store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto existing, tx.FindUserByEmail(user.email));
      if (existing) return Error::AlreadyExists("a user with email \"" + user.email + "\" already exists");
      user.created_at_ms = user.updated_at_ms = clock_.NowMillis();
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kUserCreate, user.id));
      return tx.CreateUser(user);
    });
    if (!committed.ok()) return committed.error();
    return NewUser{User::From(user), temp_password};
  });
}

Result<std::vector<User>> UserService::List() const { return ViewsOf<User>(store_.ListUsers()); }

Result<User> UserService::Get(std::string_view id) const {
  ASSIGN_OR_RETURN(auto found, store_.GetUser(id));
  ASSIGN_OR_RETURN(auto user, UserOrNotFound(std::move(found), id));
  return User::From(user);
}

Status UserService::Delete(std::string_view id, const AuditActor& actor) {
  return Audited<Status>(audit_, actor, audit_action::kUserDelete, id, [&] {
    return store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto found, tx.GetUser(id, LastLoginField::kSkip));
      ASSIGN_OR_RETURN(auto user, UserOrNotFound(std::move(found), id));
      ASSIGN_OR_RETURN(bool last_admin, IsLastAdmin(tx, user));
      if (last_admin) return Error::InvalidArgument("cannot delete the last System administrator");
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kUserDelete, user.id));
      return tx.DeleteUser(user.id);
    });
  });
}

Result<User> UserService::SetRoles(std::string_view id, const std::vector<std::string>& roles,
                                   const AuditActor& actor) {
  return Audited<Result<User>>(audit_, actor, audit_action::kUserRoles, id, [&]() -> Result<User> {
    RETURN_IF_ERROR(ValidateRoles(catalog_, roles));
    UserRecord user;
    const Status committed = store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto found, tx.GetUser(id));
      ASSIGN_OR_RETURN(user, UserOrNotFound(std::move(found), id));
      const bool loses_admin = HasAdminRole(user.roles) && !HasAdminRole(roles);
      if (loses_admin) {
        ASSIGN_OR_RETURN(bool last_admin, IsLastAdmin(tx, user));
        if (last_admin) return Error::InvalidArgument("roles: cannot remove the last System administrator");
        // Losing System administrator ends the sessions that had it; other
        // role changes take effect on the next request without ending anything.
        EndPasswordSessions(user);
      }
      user.roles = roles;
      user.updated_at_ms = clock_.NowMillis();
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kUserRoles, user.id));
      return tx.UpdateUser(user);
    });
    if (!committed.ok()) return committed.error();
    return User::From(user);
  });
}

Result<std::string> UserService::ResetPassword(std::string_view id, const AuditActor& actor) {
  using Reset = Result<std::string>;
  return Audited<Reset>(audit_, actor, audit_action::kUserPasswordReset, id, [&]() -> Reset {
    std::string temp = crypto::RandomUrlSafe(kTempPasswordBytes);
    std::string hash;
    {
      ASSIGN_OR_RETURN(auto ticket, limiter_.EnterPasswordCheck());
      hash = crypto::HashPassword(temp, password_iterations_);  // slow: outside the transaction
    }
    const Status committed = store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto found, tx.GetUser(id, LastLoginField::kSkip));
      ASSIGN_OR_RETURN(auto user, UserOrNotFound(std::move(found), id));
      user.password_hash = hash;
      EndPasswordSessions(user);
      user.updated_at_ms = clock_.NowMillis();
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kUserPasswordReset, user.id));
      return tx.UpdateUser(user);
    });
    if (!committed.ok()) return committed.error();
    return temp;
  });
}

Status UserService::ChangeOwnPassword(const Principal& caller, std::string_view current, std::string_view replacement,
                                      std::string_view source) {
  const AuditActor actor = AuditActor::Of(caller, source);
  return Audited<Status>(audit_, actor, audit_action::kUserPasswordChange, caller.id, [&]() -> Status {
    RETURN_IF_ERROR(ValidateNewPassword("newPassword", replacement));
    if (!caller.IsUser()) return Error::PermissionDenied("a service account has no password");
    // The principal carries no hash: read the one to check against.
    ASSIGN_OR_RETURN(auto stored, store_.GetUser(caller.id, LastLoginField::kSkip));
    ASSIGN_OR_RETURN(const auto user, UserOrNotFound(std::move(stored), caller.id));
    // A stolen session must not become a password oracle: wrong current
    // passwords are throttled exactly like failed logins of this user.
    RETURN_IF_ERROR(limiter_.BeginPasswordAttempt(user.email, source));
    std::string hash;
    {
      auto ticket = limiter_.EnterPasswordCheck();
      if (!ticket.ok()) {
        limiter_.RefundPasswordAttempt(user.email, source);
        return std::move(ticket).error();
      }
      if (!crypto::VerifyPassword(current, user.password_hash)) {
        return Error::InvalidArgument("currentPassword is incorrect");
      }
      limiter_.RefundPasswordAttempt(user.email, source);
      hash = crypto::HashPassword(replacement, password_iterations_);
    }
    return store_.RunTransaction([&](StoreTransaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto found, tx.GetUser(user.id, LastLoginField::kSkip));
      ASSIGN_OR_RETURN(auto fresh, UserOrNotFound(std::move(found), user.id));
      fresh.password_hash = hash;
      EndPasswordSessions(fresh);  // the caller's own token included
      fresh.updated_at_ms = clock_.NowMillis();
      RETURN_IF_ERROR(StageAudit(audit_, tx, actor, audit_action::kUserPasswordChange, fresh.id));
      return tx.UpdateUser(fresh);
    });
  });
}

}  // namespace keymint
