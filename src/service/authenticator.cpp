#include "keymint/service/authenticator.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <optional>

#include "keymint/crypto/jws.hpp"
#include "keymint/service/client_credentials.hpp"
#include "keymint/service/roles.hpp"

namespace keymint {
namespace json = boost::json;

namespace {

constexpr int64_t kLeewayMillis = 1000;

// For t >= 0 and any whole second s: t >= s * 1000 exactly when
// FloorSeconds(t) >= s, with no multiplication to overflow.
int64_t FloorSeconds(int64_t unix_millis) { return unix_millis / 1000; }

const json::string* StringClaim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

std::optional<int64_t> IntClaim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (!v || !v->is_int64()) return std::nullopt;
  return v->get_int64();
}

// The `gen` claim; absent reads as 0, so that tokens minted before
// generations existed match records that have never moved on. nullopt when it
// is not a non-negative integer.
std::optional<uint64_t> GenerationClaim(const json::object& claims) {
  const json::value* v = claims.if_contains("gen");
  if (!v) return 0;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
  return std::nullopt;
}

}  // namespace

Authenticator::Authenticator(const Store& store, const crypto::KeyRing& keys, const Clock& clock, std::string issuer,
                             std::string audience, const TokenDenyList* revoked)
    : store_(store),
      keys_(keys),
      clock_(clock),
      issuer_(std::move(issuer)),
      audience_(std::move(audience)),
      revoked_(revoked) {}

Result<Principal> Authenticator::Authenticate(std::string_view token) const {
  if (token.empty()) return Error::Unauthenticated("missing bearer token");
  ASSIGN_OR_RETURN(const auto payload, crypto::VerifyJws(token, keys_));
  json::error_code ec;
  json::value parsed = json::parse(payload, ec);
  if (ec || !parsed.is_object()) return Error::Unauthenticated("invalid token payload");
  const json::object& claims = parsed.get_object();

  const json::string* iss = StringClaim(claims, "iss");
  const json::string* aud = StringClaim(claims, "aud");
  const json::string* sub = StringClaim(claims, "sub");
  std::optional<int64_t> exp = IntClaim(claims, "exp");
  std::optional<int64_t> nbf = IntClaim(claims, "nbf");
  if (!iss || *iss != issuer_) return Error::Unauthenticated("token issuer mismatch");
  if (!aud || *aud != audience_) return Error::Unauthenticated("token audience mismatch");
  if (!sub || !exp) return Error::Unauthenticated("token lacks required claims");
  const std::optional<uint64_t> generation = GenerationClaim(claims);
  if (!generation) return Error::Unauthenticated("invalid token generation");
  // Refused from the exp instant on; nbf gets the 1 s of leeway for clock
  // granularity (iat and nbf are whole seconds, rounded down). Compared in
  // whole seconds, as the claims are: a claim times 1000 could overflow.
  const int64_t now_ms = clock_.NowMillis();
  if (FloorSeconds(now_ms) >= *exp) return Error::Unauthenticated("token expired");
  if (nbf && FloorSeconds(now_ms + kLeewayMillis) < *nbf) return Error::Unauthenticated("token not yet valid");

  if (revoked_ != nullptr) {
    const json::string* jti = StringClaim(claims, "jti");
    if (jti && revoked_->Contains(std::string_view(jti->data(), jti->size()))) {
      return Error::Unauthenticated("token revoked");
    }
  }

  const std::string_view subject(sub->data(), sub->size());
  const json::string* client_id = StringClaim(claims, "client_id");
  std::optional<std::vector<std::string>> scope;  // a scoped access key's
  if (client_id) {
    ASSIGN_OR_RETURN(
        auto credential,
        store_.FindCredentialByClientId(std::string_view(client_id->data(), client_id->size()), LastLoginField::kSkip));
    if (!credential || !credential->enabled) {
      return Error::Unauthenticated("the client credentials behind this token were revoked or disabled");
    }
    if (IsExpired(*credential, now_ms)) {
      return Error::Unauthenticated("the client credentials behind this token expired");
    }
    if (!IsCurrentGeneration(*credential, *generation, now_ms)) {
      return Error::Unauthenticated("this token predates its client's current secret or a disable");
    }
    if (credential->kind == CredentialKind::kServiceAccount) {
      if (credential->id != subject) return Error::Unauthenticated("token subject does not match its client");
      return Principal::OfServiceAccount(*credential);
    }
    if (credential->owner_id != subject) return Error::Unauthenticated("token subject does not match its client");
    scope = std::move(credential->scope);
  }
  ASSIGN_OR_RETURN(auto user, store_.GetUser(subject, LastLoginField::kSkip));
  if (!user) return Error::Unauthenticated("token subject no longer exists");
  // Only a password token answers to the user's generation. An access key's
  // token was checked against the key above: a password change does not end
  // it (the key is a credential of its own, and its permissions are the
  // owner's current roles in any case).
  if (!client_id && user->generation != *generation) {
    return Error::Unauthenticated("this session ended with a password or role change");
  }
  Principal principal = Principal::OfUser(*user);
  // A scoped key's token may do what its tokens' roles allow, never more.
  if (scope) principal.roles = ScopedRoles(*scope, principal.roles);
  return principal;
}

}  // namespace keymint
