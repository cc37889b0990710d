// Shared steps of the service-account and applications suites (API.md §6,
// seed 001): the two paths show the same records, so they read them alike.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

namespace keymint::testing {

inline constexpr const char* kServiceAccountsPath = "/api/v1/service-accounts";
inline constexpr const char* kAppsPath = "/api/v1/apps";

// The members of a service account (the seed's Application), sorted as Keys() returns them.
extern const std::vector<std::string> kServiceAccountMembers;

// One service account as GET shows it on either path; last_login is "" while null.
struct ServiceAccountView {
  std::string id, name, client_id, created_by, created_at, updated_at, tenant_id, last_login;
  bool enabled = false;
};

// CHECKs one record: exactly kServiceAccountMembers, a UUID v4 id, a URL-safe
// clientId, timestamps (updatedAt not before createdAt), a boolean enabled and a
// null or timestamp lastLogin; returns its values.
ServiceAccountView CheckServiceAccount(const boost::json::object& record);
// CHECKs that `after` is `before` apart from enabled, updatedAt and lastLogin.
void CheckSameIdentity(const ServiceAccountView& before, const ServiceAccountView& after);
// CHECKs that nothing at all changed.
void CheckSameServiceAccount(const ServiceAccountView& before, const ServiceAccountView& after);

boost::json::array RoleArray(const std::vector<std::string>& roles);
// {"name"} plus "roles" when given: a create body on either path.
boost::json::object ServiceAccountBody(const std::string& name,
                                       const std::optional<std::vector<std::string>>& roles = std::nullopt);
// {"enabled"} plus "roles" when given: a PATCH body on either path.
boost::json::object EnabledBody(bool enabled, const std::optional<std::vector<std::string>>& roles = std::nullopt);

}  // namespace keymint::testing
