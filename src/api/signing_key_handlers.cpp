// Signing keys (README "Signing-key rotation"): the keys with their states,
// and a rotation. Admin only (the route table says so).
#include "api/handlers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"
#include "keymint/common/clock.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

json::object SigningKeyJson(const crypto::KeyEntry& entry) {
  return {{"kid", entry.kid},
          {"alg", crypto::AlgorithmName(entry.algorithm)},
          {"createdAt", FormatTimestamp(entry.created_at)},
          {"state", crypto::KeyStateName(entry.state)}};
}

Result<SigningKeyService*> Keys(const RequestContext& c) {
  if (c.services.signing_keys == nullptr) return Error::Unavailable("signing-key rotation is not available");
  return c.services.signing_keys;
}

}  // namespace

Result<Response> ListSigningKeys(const RequestContext& c) {
  ASSIGN_OR_RETURN(SigningKeyService * keys, Keys(c));
  json::array items;
  for (const crypto::KeyEntry& entry : keys->List()) items.push_back(SigningKeyJson(entry));
  return JsonResponse(200, json::object{{"signingKeys", std::move(items)}});
}

Result<Response> RotateSigningKey(const RequestContext& c) {
  ASSIGN_OR_RETURN(SigningKeyService * keys, Keys(c));
  ASSIGN_OR_RETURN(const crypto::KeyEntry created, keys->Rotate(ActorOf(c)));
  return JsonResponse(201, SigningKeyJson(created));
}

}  // namespace keymint::api
