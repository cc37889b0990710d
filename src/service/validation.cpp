#include "service/validation.hpp"

#include <algorithm>

#include "keymint/common/account_rules.hpp"

namespace keymint {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

Status ValidateCredentialName(std::string_view name) {
  constexpr const char* kRule =
      "name must be 2-255 characters of lowercase letters, digits, '-' and '_', start with a letter and end with a "
      "letter or digit";
  if (name.size() < 2 || name.size() > 255) return Error::InvalidArgument(kRule);
  if (name.front() < 'a' || name.front() > 'z') return Error::InvalidArgument(kRule);
  if (!IsLowerAlnum(name.back())) return Error::InvalidArgument(kRule);
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '-' && c != '_') return Error::InvalidArgument(kRule);
  }
  return Status::Ok();
}

Status ValidateEmail(std::string_view email) {
  if (!IsPlausibleEmail(email)) return Error::InvalidArgument("email must be a valid email address");
  return Status::Ok();
}

std::string NormalizeEmail(std::string_view email) {
  std::string normalized(email);
  for (char& c : normalized) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return normalized;
}

Status ValidateNewPassword(std::string_view field, std::string_view password) {
  if (!HasPasswordLength(password)) {
    return Error::InvalidArgument(std::string(field) + " must be " + std::to_string(kMinPasswordBytes) + " to " +
                                  std::to_string(kMaxPasswordBytes) + " characters long");
  }
  return Status::Ok();
}

Status ValidateRoles(const RoleCatalog& catalog, const std::vector<std::string>& roles) {
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (!catalog.Contains(roles[i])) return Error::InvalidArgument("roles: unknown role \"" + roles[i] + "\"");
    if (std::find(roles.begin(), roles.begin() + static_cast<std::ptrdiff_t>(i), roles[i]) !=
        roles.begin() + static_cast<std::ptrdiff_t>(i))
      return Error::InvalidArgument("roles: \"" + roles[i] + "\" is listed twice");
  }
  return Status::Ok();
}

}  // namespace keymint
