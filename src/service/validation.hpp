// Input rules shared by the services. Each returns an InvalidArgument error
// whose message names the field, or OK.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"
#include "keymint/service/roles.hpp"

namespace keymint {

// 2–255 characters matching ^[a-z][-_a-z0-9]*[a-z0-9]$ (seeds 000, 001, 004).
Status ValidateCredentialName(std::string_view name);
// keymint::IsPlausibleEmail (common/account_rules.hpp), as an error naming the field.
Status ValidateEmail(std::string_view email);
// The form an email is stored and looked up in: ASCII-lowercased, so that
// "Ada@Example.com" and "ada@example.com" are one user.
std::string NormalizeEmail(std::string_view email);
// keymint::HasPasswordLength (common/account_rules.hpp), as an error naming `field`.
Status ValidateNewPassword(std::string_view field, std::string_view password);
// Every name is in the catalog; no duplicates.
Status ValidateRoles(const RoleCatalog& catalog, const std::vector<std::string>& roles);

}  // namespace keymint
