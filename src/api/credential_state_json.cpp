// The members a credential's /details answer adds to the seed's record
// (README "Credential lifecycle"), shared by access keys and service accounts.
#include "api/handlers.hpp"
#include "api/json_body.hpp"

namespace keymint::api {
namespace json = boost::json;

void AddCredentialState(json::object& object, const CredentialState& state, bool with_scope) {
  object["enabled"] = state.enabled;
  object["expiresAt"] = TimestampOrNull(state.expires_at_ms);
  if (with_scope) object["roles"] = state.scope ? json::value(ToJsonArray(*state.scope)) : json::value(nullptr);
  object["secretGraceEndsAt"] = TimestampOrNull(state.secret_grace_ends_at_ms);
}

}  // namespace keymint::api
