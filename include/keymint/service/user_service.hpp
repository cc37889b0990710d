// Users and their roles (API.md §7), and the first admin.
//
// Passwords are stored only under the slow KDF (crypto::HashPassword);
// temporary passwords are random and returned once. The organisation always
// keeps at least one System administrator: deleting or demoting the last one
// is refused. Each change, with the checks it depends on, is one store
// transaction, synced before it returns. Password hashing is slow by design:
// call these off the I/O threads. Every KDF run goes through the LoginLimiter's
// gate (Unavailable when it is full), and a wrong current password counts as
// a failed login of that user. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/clock.hpp"
#include "keymint/common/result.hpp"
#include "keymint/crypto/password_hash.hpp"
#include "keymint/service/audit_trail.hpp"
#include "keymint/service/login_limiter.hpp"
#include "keymint/service/model.hpp"
#include "keymint/service/roles.hpp"
#include "keymint/store/store.hpp"

namespace keymint {

// A user just created, with the temporary password shown once (only here).
struct NewUser {
  User user;
  std::string temp_password;
};

class UserService {
 public:
  // Keeps references to everything it is given; all must outlive it. With an
  // `audit` trail, every change is recorded in its transaction and every
  // refused change as a failure, with `actor` (for a password change, the
  // caller from `source`) as who asked. Passwords it sets are hashed with
  // `password_iterations` PBKDF2 rounds (Config::password_iterations); each
  // hash records its own count, so existing hashes keep verifying when the
  // setting changes.
  UserService(Store& store, const RoleCatalog& catalog, const Clock& clock, LoginLimiter& limiter,
              AuditTrail* audit = nullptr, int password_iterations = crypto::kPasswordIterations);

  // On first start (no user with `email` and no users at all) creates the
  // first admin with `password`, or a generated one. Returns the generated
  // password when one was made, nullopt otherwise (including on later starts).
  Result<std::optional<std::string>> EnsureFirstAdmin(std::string_view email,
                                                      const std::optional<std::string>& password);

  // `created_by` is what the record will show as its creator (the caller's name).
  Result<NewUser> Create(std::string_view created_by, std::string_view email, const std::vector<std::string>& roles,
                         const AuditActor& actor = {});
  Result<std::vector<User>> List() const;
  Result<User> Get(std::string_view id) const;
  // Deletes the user and every access key they own, in one write.
  Status Delete(std::string_view id, const AuditActor& actor = {});
  // Taking System administrator away also ends the user's password sessions
  // (UserRecord::generation).
  Result<User> SetRoles(std::string_view id, const std::vector<std::string>& roles, const AuditActor& actor = {});
  // A new random temporary password, replacing the old one; ends the user's
  // password sessions.
  Result<std::string> ResetPassword(std::string_view id, const AuditActor& actor = {});
  // InvalidArgument when `current` is wrong or `replacement` too weak;
  // ResourceExhausted while the user or `source` (the caller's address) is
  // throttled for failed password checks. Ends the user's password sessions,
  // the caller's own token included.
  Status ChangeOwnPassword(const Principal& caller, std::string_view current, std::string_view replacement,
                           std::string_view source = {});

  const RoleCatalog& catalog() const { return catalog_; }

 private:
  Store& store_;
  const RoleCatalog& catalog_;
  const Clock& clock_;
  LoginLimiter& limiter_;
  AuditTrail* const audit_;  // null: nothing audited
  const int password_iterations_;
};

}  // namespace keymint
