#include "api/headers.hpp"

#include <cctype>

namespace keymint::api {
namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EqualsLowercase(std::string_view text, std::string_view lowercase) {
  if (text.size() != lowercase.size()) return false;
  for (std::size_t i = 0; i < lowercase.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lowercase[i]) return false;
  }
  return true;
}

}  // namespace

bool HasMediaType(std::string_view content_type, std::string_view expected) {
  return EqualsLowercase(TrimSpaces(content_type.substr(0, content_type.find(';'))), expected);
}

std::optional<std::string_view> CredentialsForScheme(std::string_view authorization, std::string_view scheme) {
  authorization = TrimSpaces(authorization);
  auto space = authorization.find(' ');
  if (!EqualsLowercase(authorization.substr(0, space), scheme)) return std::nullopt;
  if (space == std::string_view::npos) return std::string_view();  // the scheme alone: present, but empty
  return TrimSpaces(authorization.substr(space + 1));
}

}  // namespace keymint::api
