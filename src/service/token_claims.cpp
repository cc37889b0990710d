#include "service/token_claims.hpp"

#include "keymint/common/json_string.hpp"

namespace keymint {
namespace {

// `,"name":` then the escaped string.
void AppendStringMember(std::string& out, std::string_view name, std::string_view value) {
  out.append(",\"").append(name).append("\":");
  AppendJsonString(out, value);
}

template <class Integer>
void AppendIntegerMember(std::string& out, std::string_view name, Integer value) {
  out.append(",\"").append(name).append("\":");
  AppendJsonInteger(out, value);
}

}  // namespace

std::string TokenClaimsJson(const TokenClaims& claims) {
  std::string out;
  out.reserve(256 + claims.issuer.size() + claims.audience.size() + claims.username.size());
  out.append("{\"iss\":");
  AppendJsonString(out, claims.issuer);
  AppendStringMember(out, "sub", claims.subject);
  AppendStringMember(out, "aud", claims.audience);
  AppendIntegerMember(out, "iat", claims.issued_at);
  AppendIntegerMember(out, "nbf", claims.issued_at);
  AppendIntegerMember(out, "exp", claims.expires_at);
  AppendStringMember(out, "jti", claims.token_id);
  if (claims.client_id != nullptr) AppendStringMember(out, "client_id", *claims.client_id);
  out.append(",\"roles\":[");
  if (claims.roles != nullptr) {
    for (std::size_t i = 0; i < claims.roles->size(); ++i) {
      if (i != 0) out.push_back(',');
      AppendJsonString(out, (*claims.roles)[i]);
    }
  }
  out.push_back(']');
  AppendStringMember(out, "preferred_username", claims.username);
  AppendIntegerMember(out, "gen", claims.generation);
  out.push_back('}');
  return out;
}

}  // namespace keymint
