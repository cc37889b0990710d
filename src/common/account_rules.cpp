#include "keymint/common/account_rules.hpp"

namespace keymint {
namespace {

bool IsAllowedEmailByte(char c) {
  return c > ' ' && c < 0x7f && c != ':' && c != '"' && c != '<' && c != '>' && c != '\\' && c != ',';
}

}  // namespace

bool IsPlausibleEmail(std::string_view email) {
  if (email.empty() || email.size() > kMaxEmailBytes) return false;
  for (const char c : email) {
    if (!IsAllowedEmailByte(c)) return false;
  }
  const auto at = email.find('@');
  if (at == 0 || at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = email.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (domain.empty() || dot == std::string_view::npos || domain.front() == '.' || dot + 1 == domain.size()) {
    return false;
  }
  return domain.find("..") == std::string_view::npos;
}

bool HasPasswordLength(std::string_view password) {
  return password.size() >= kMinPasswordBytes && password.size() <= kMaxPasswordBytes;
}

}  // namespace keymint
