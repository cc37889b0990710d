#include "keymint/service/validation.hpp"

#include <algorithm>

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
  const Error invalid = Error::InvalidArgument("email must be a valid email address");
  if (email.empty() || email.size() > 254) return invalid;
  for (char c : email) {
    if (c <= ' ' || c >= 0x7f || c == ':' || c == '"' || c == '<' || c == '>' || c == '\\' || c == ',') return invalid;
  }
  auto at = email.find('@');
  if (at == 0 || at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) return invalid;
  std::string_view domain = email.substr(at + 1);
  auto dot = domain.rfind('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size()) return invalid;
  if (domain.find("..") != std::string_view::npos) return invalid;
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
  if (password.size() < 8 || password.size() > 1024)
    return Error::InvalidArgument(std::string(field) + " must be 8 to 1024 characters long");
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
