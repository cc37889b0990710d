#include "keymint/service/token_introspection.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>

#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/jws.hpp"

namespace keymint {
namespace json = boost::json;
namespace {

// The payload of a compact JWS whose signature has already been verified.
std::optional<std::string> VerifiedPayload(std::string_view token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return std::nullopt;
  return crypto::Base64UrlDecode(token.substr(first + 1, second - first - 1));
}

std::optional<std::string_view> StringClaim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string().data(), v->get_string().size());
}

}  // namespace

TokenIntrospection::TokenIntrospection(const Authenticator& authenticator, const crypto::KeyRing& keys,
                                       TokenDenyList& deny_list, const Clock& clock, std::string issuer)
    : authenticator_(authenticator), keys_(keys), deny_list_(deny_list), clock_(clock), issuer_(std::move(issuer)) {}

Result<std::optional<std::string>> TokenIntrospection::Introspect(std::string_view token) const {
  auto principal = authenticator_.Authenticate(token);
  if (!principal.ok()) {
    // A store that cannot be read says nothing about the token: an error,
    // not "inactive", so that a resource server does not drop a good token.
    if (principal.error().code == ErrorCode::kUnavailable) return std::move(principal).error();
    return std::optional<std::string>();
  }
  return VerifiedPayload(token);
}

Status TokenIntrospection::Revoke(std::string_view token, std::string_view client_id) {
  auto payload = crypto::VerifyJws(token, keys_);
  if (!payload.ok()) return Status::Ok();  // not a token of ours: nothing to revoke (RFC 7009 §2.2)
  json::error_code ec;
  const json::value parsed = json::parse(*payload, ec);
  if (ec || !parsed.is_object()) return Status::Ok();
  const json::object& claims = parsed.get_object();
  const json::value* exp = claims.if_contains("exp");
  const auto jti = StringClaim(claims, "jti");
  if (StringClaim(claims, "iss") != std::optional<std::string_view>(issuer_) || !jti || !exp || !exp->is_int64()) {
    return Status::Ok();
  }
  if (StringClaim(claims, "client_id") != std::optional<std::string_view>(client_id)) {
    return Error::PermissionDenied("the token was not issued to this client");
  }
  // Whole seconds, as the claim is; a token refused from exp on needs no entry from then.
  const int64_t exp_seconds = exp->get_int64();
  if (exp_seconds <= clock_.NowMillis() / 1000) return Status::Ok();
  constexpr int64_t kMaxSeconds = INT64_MAX / 1000;
  return deny_list_.Add(*jti, std::min(exp_seconds, kMaxSeconds) * 1000);
}

}  // namespace keymint
