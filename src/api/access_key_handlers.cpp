// Access keys (seed 004) and their deprecated name, user applications
// (seed 000): the same records and operations, spelled per dialect.
#include <charconv>

#include "api/handlers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

// User applications answer lists as a bare array and call the secret "secret".
bool WrapsLists(Dialect dialect) { return dialect != Dialect::kUserApplications; }
const char* CreatedSecretMember(Dialect dialect) {
  return dialect == Dialect::kUserApplications ? "secret" : "clientSecret";
}

json::object KeyJson(const AccessKey& key) {
  return {{"name", key.name},
          {"clientId", key.client_id},
          {"id", key.id},
          {"createdAt", TimestampOrNull(key.created_at_ms)},
          {"lastLogin", TimestampOrNull(key.last_login_ms)}};
}

json::object AdminKeyJson(const AccessKey& key) {
  json::object object = KeyJson(key);
  object["createdBy"] = key.created_by;
  return object;
}

Response ListResponse(Dialect dialect, json::array items) {
  if (WrapsLists(dialect)) return JsonResponse(200, json::object{{"accessKeys", std::move(items)}});
  return JsonResponse(200, items);
}

}  // namespace

Result<std::size_t> SizeParam(const RequestContext& c, std::string_view name, std::size_t fallback, std::size_t min,
                              std::size_t max) {
  auto text = c.Query(name);
  if (!text) return fallback;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return Error::InvalidArgument(std::string(name) + " must be an integer between " + std::to_string(min) + " and " +
                                  std::to_string(max));
  }
  return value;
}

Result<Response> ListOwnAccessKeys(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto listed, c.services.access_keys.ListOwn(*c.principal));
  json::array items;
  for (const auto& key : listed) items.push_back(KeyJson(key));
  return ListResponse(c.dialect, std::move(items));
}

Result<Response> CreateAccessKey(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto body, ParseJsonObject(c.request));
  ASSIGN_OR_RETURN(auto name, RequireString(body, "name"));
  // Extensions (README "Credential lifecycle"); the answer stays the seed's.
  AccessKeyOptions options;
  ASSIGN_OR_RETURN(options.expires_at_ms, OptionalTimestamp(body, "expiresAt"));
  ASSIGN_OR_RETURN(options.scope, OptionalStringArray(body, "roles"));
  ASSIGN_OR_RETURN(auto created, c.services.access_keys.Create(*c.principal, name, ActorOf(c), options));
  const AccessKey& key = created.value;
  return SecretResponse(201, json::object{{"id", key.id},
                                          {"name", key.name},
                                          {"clientId", key.client_id},
                                          {CreatedSecretMember(c.dialect), created.secret},
                                          {"createdAt", TimestampOrNull(key.created_at_ms)}});
}

Result<Response> GetOwnAccessKey(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto key, c.services.access_keys.GetOwn(*c.principal, c.params[0]));
  return JsonResponse(200, KeyJson(key));
}

Result<Response> DeleteOwnAccessKey(const RequestContext& c) {
  RETURN_IF_ERROR(c.services.access_keys.DeleteOwn(*c.principal, c.params[0], ActorOf(c)));
  return NoContent();
}

// Both dialects name the regenerated secret "clientSecret" (seeds 000, 004).
// ?graceSeconds=N (extension) keeps the old secret working N seconds more.
Result<Response> RegenerateOwnAccessKey(const RequestContext& c) {
  const auto max_grace = static_cast<std::size_t>(c.services.access_keys.policy().max_grace_seconds);
  ASSIGN_OR_RETURN(const std::size_t grace, SizeParam(c, "graceSeconds", 0, 0, max_grace));
  ASSIGN_OR_RETURN(auto secret, c.services.access_keys.RegenerateOwn(*c.principal, c.params[0], ActorOf(c),
                                                                     static_cast<int64_t>(grace)));
  return SecretResponse(200, json::object{{"clientSecret", secret}});
}

Result<Response> GetOwnAccessKeyDetails(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto details, c.services.access_keys.GetOwnDetails(*c.principal, c.params[0]));
  json::object object = KeyJson(details.value);
  AddCredentialState(object, details.state, true);
  return JsonResponse(200, object);
}

Result<Response> GetAnyAccessKeyDetails(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto details, c.services.access_keys.GetAnyDetails(c.params[0]));
  json::object object = AdminKeyJson(details.value);
  AddCredentialState(object, details.state, true);
  return JsonResponse(200, object);
}

Result<Response> ListAllAccessKeys(const RequestContext& c) {
  AccessKeyFilter filter;
  filter.client_id = c.Query("clientId");
  filter.created_by = c.Query("createdBy");
  ASSIGN_OR_RETURN(filter.offset, SizeParam(c, "offset", 0, 0, SIZE_MAX / 2));
  ASSIGN_OR_RETURN(filter.limit, SizeParam(c, "limit", 100, 1, 100));
  ASSIGN_OR_RETURN(auto listed, c.services.access_keys.ListAll(filter));
  json::array items;
  for (const auto& key : listed) items.push_back(AdminKeyJson(key));
  return ListResponse(c.dialect, std::move(items));
}

Result<Response> DeleteAnyAccessKey(const RequestContext& c) {
  RETURN_IF_ERROR(c.services.access_keys.DeleteAny(c.params[0], ActorOf(c)));
  return NoContent();
}

}  // namespace keymint::api
