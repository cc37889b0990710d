#include "keymint/service/user_service.hpp"

#include <algorithm>

#include "keymint/crypto/password_hash.hpp"
#include "keymint/crypto/random.hpp"
#include "keymint/service/validation.hpp"

namespace keymint {
namespace {

constexpr std::size_t kTempPasswordBytes = 18;  // 24 URL-safe characters

bool HasAdminRole(const std::vector<std::string>& roles) {
  return std::find(roles.begin(), roles.end(), kSystemAdministrator) != roles.end();
}

Error UserNotFound(std::string_view id) { return Error::NotFound("user " + std::string(id) + " not found"); }

// Once the record is stored, the user's password-grant tokens minted so far
// are refused (see UserRecord::generation). Their access keys' tokens are
// not: those are credentials of their own, and act with the owner's current
// roles anyway.
void EndPasswordSessions(UserRecord& user) { ++user.generation; }

}  // namespace

UserService::UserService(Store& store, const RoleCatalog& catalog, const Clock& clock, std::mutex& write_mu,
                         LoginLimiter& limiter)
    : store_(store), catalog_(catalog), clock_(clock), write_mu_(write_mu), limiter_(limiter) {}

Result<std::optional<std::string>> UserService::EnsureFirstAdmin(std::string_view email,
                                                                 const std::optional<std::string>& password) {
  std::lock_guard lock(write_mu_);
  auto users = store_.ListUsers();
  if (!users.ok()) return users.error();
  if (!users->empty()) return std::optional<std::string>();
  if (Status s = ValidateEmail(email); !s.ok()) {
    return Error::InvalidArgument("invalid first admin email (KEYMINT_ADMIN_EMAIL / admin.email): " +
                                  s.error().message);
  }

  std::optional<std::string> generated;
  std::string chosen = password ? *password : *(generated = crypto::RandomUrlSafe(kTempPasswordBytes));
  if (Status s = ValidateNewPassword("KEYMINT_ADMIN_PASSWORD", chosen); !s.ok()) return std::move(s).error();
  UserRecord admin;
  admin.id = crypto::NewUuidV4();
  admin.email = NormalizeEmail(email);
  admin.password_hash = crypto::HashPassword(chosen);
  admin.roles = {std::string(kSystemAdministrator)};
  admin.created_by = "keymint";
  admin.created_at_ms = admin.updated_at_ms = clock_.NowMillis();
  if (Status s = store_.CreateUser(admin); !s.ok()) return std::move(s).error();
  return generated;
}

Result<NewUser> UserService::Create(std::string_view created_by, std::string_view email,
                                    const std::vector<std::string>& roles) {
  if (Status s = ValidateEmail(email); !s.ok()) return std::move(s).error();
  if (Status s = ValidateRoles(catalog_, roles); !s.ok()) return std::move(s).error();
  NewUser created;
  created.temp_password = crypto::RandomUrlSafe(kTempPasswordBytes);
  UserRecord& user = created.record;
  user.id = crypto::NewUuidV4();
  user.email = NormalizeEmail(email);
  {
    auto ticket = limiter_.EnterPasswordCheck();
    if (!ticket.ok()) return std::move(ticket).error();
    user.password_hash = crypto::HashPassword(created.temp_password);  // slow: outside the lock
  }
  user.roles = roles;
  user.created_by = std::string(created_by);

  std::lock_guard lock(write_mu_);
  auto existing = store_.FindUserByEmail(user.email);
  if (!existing.ok()) return existing.error();
  if (*existing) return Error::AlreadyExists("a user with email \"" + user.email + "\" already exists");
  user.created_at_ms = user.updated_at_ms = clock_.NowMillis();
  if (Status s = store_.CreateUser(user); !s.ok()) return std::move(s).error();
  return created;
}

Result<std::vector<UserRecord>> UserService::List() const { return store_.ListUsers(); }

Result<UserRecord> UserService::Find(std::string_view id) const {
  auto found = store_.GetUser(id);
  if (!found.ok()) return found.error();
  if (!*found) return UserNotFound(id);
  return std::move(**found);
}

Result<UserRecord> UserService::Get(std::string_view id) const { return Find(id); }

Result<bool> UserService::AnotherAdminExists(std::string_view except_id) const {
  auto users = store_.ListUsers();
  if (!users.ok()) return users.error();
  return std::any_of(users->begin(), users->end(),
                     [&](const UserRecord& u) { return u.id != except_id && HasAdminRole(u.roles); });
}

Status UserService::Delete(std::string_view id) {
  std::lock_guard lock(write_mu_);
  auto user = Find(id);
  if (!user.ok()) return user.error();
  if (HasAdminRole(user->roles)) {
    auto other = AnotherAdminExists(id);
    if (!other.ok()) return other.error();
    if (!*other) return Error::InvalidArgument("cannot delete the last System administrator");
  }
  return store_.DeleteUser(*user);
}

Result<UserRecord> UserService::SetRoles(std::string_view id, const std::vector<std::string>& roles) {
  if (Status s = ValidateRoles(catalog_, roles); !s.ok()) return std::move(s).error();
  std::lock_guard lock(write_mu_);
  auto user = Find(id);
  if (!user.ok()) return user.error();
  if (HasAdminRole(user->roles) && !HasAdminRole(roles)) {
    auto other = AnotherAdminExists(id);
    if (!other.ok()) return other.error();
    if (!*other) return Error::InvalidArgument("roles: cannot remove the last System administrator");
  }
  // Losing System administrator ends the sessions that had it; other role
  // changes take effect on the next request without ending anything.
  if (HasAdminRole(user->roles) && !HasAdminRole(roles)) EndPasswordSessions(*user);
  user->roles = roles;
  user->updated_at_ms = clock_.NowMillis();
  if (Status s = store_.UpdateUser(*user); !s.ok()) return std::move(s).error();
  return user;
}

Result<std::string> UserService::ResetPassword(std::string_view id) {
  std::string temp = crypto::RandomUrlSafe(kTempPasswordBytes);
  std::string hash;
  {
    auto ticket = limiter_.EnterPasswordCheck();
    if (!ticket.ok()) return std::move(ticket).error();
    hash = crypto::HashPassword(temp);  // slow: outside the lock
  }
  std::lock_guard lock(write_mu_);
  auto user = Find(id);
  if (!user.ok()) return user.error();
  user->password_hash = std::move(hash);
  EndPasswordSessions(*user);
  user->updated_at_ms = clock_.NowMillis();
  if (Status s = store_.UpdateUser(*user); !s.ok()) return std::move(s).error();
  return temp;
}

Status UserService::ChangeOwnPassword(const UserRecord& user, std::string_view current, std::string_view replacement,
                                      std::string_view source) {
  if (Status s = ValidateNewPassword("newPassword", replacement); !s.ok()) return s;
  // A stolen session must not become a password oracle: wrong current
  // passwords are throttled exactly like failed logins of this user.
  if (Status allowed = limiter_.BeginPasswordAttempt(user.email, source); !allowed.ok()) return allowed;
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
    hash = crypto::HashPassword(replacement);
  }
  std::lock_guard lock(write_mu_);
  auto fresh = Find(user.id);
  if (!fresh.ok()) return fresh.error();
  fresh->password_hash = std::move(hash);
  EndPasswordSessions(*fresh);  // the caller's own token included
  fresh->updated_at_ms = clock_.NowMillis();
  return store_.UpdateUser(*fresh);
}

}  // namespace keymint
