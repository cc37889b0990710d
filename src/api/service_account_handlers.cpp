// Service accounts (API.md §6) and their deprecated name, applications
// (seed 001): the same records and operations, spelled per dialect. The
// route table gives every route to System administrators only.
#include "api/handlers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

// Applications call the secret "secret" in create and regenerate answers.
const char* SecretMember(Dialect dialect) { return dialect == Dialect::kApplications ? "secret" : "clientSecret"; }

// The seed's Application (API.md §6 lists the same members for a service account).
json::object AccountJson(const ServiceAccount& account, const std::string& tenant_id) {
  return {{"name", account.name},
          {"createdBy", account.created_by},
          {"createdAt", TimestampOrNull(account.created_at_ms)},
          {"updatedAt", TimestampOrNull(account.updated_at_ms)},
          {"enabled", account.enabled},
          {"tenantId", tenant_id},
          {"lastLogin", TimestampOrNull(account.last_login_ms)},
          {"id", account.id},
          {"clientId", account.client_id}};
}

}  // namespace

Result<Response> ListServiceAccounts(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto listed, c.services.service_accounts.List());
  json::array items;
  items.reserve(listed.size());
  for (const auto& account : listed) items.push_back(AccountJson(account, c.services.tenant_id));
  return JsonResponse(200, items);
}

Result<Response> CreateServiceAccount(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto body, ParseJsonObject(c.request));
  ASSIGN_OR_RETURN(auto name, RequireString(body, "name"));
  ASSIGN_OR_RETURN(auto roles, OptionalStringArray(body, "roles"));         // extension: the roles its tokens carry
  ASSIGN_OR_RETURN(auto expires_at, OptionalTimestamp(body, "expiresAt"));  // extension: README "Credential lifecycle"
  ASSIGN_OR_RETURN(auto created,
                   c.services.service_accounts.Create(
                       c.principal->name, name, roles.value_or(std::vector<std::string>()), ActorOf(c), expires_at));
  const ServiceAccount& account = created.value;
  return SecretResponse(201, json::object{{"id", account.id},
                                          {"name", account.name},
                                          {SecretMember(c.dialect), created.secret},
                                          {"clientId", account.client_id}});
}

Result<Response> GetServiceAccount(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto account, c.services.service_accounts.Get(c.params[0]));
  return JsonResponse(200, AccountJson(account, c.services.tenant_id));
}

// The seed's ApplicationPatchRequest requires `enabled`, and /api/v1/apps
// keeps that rule; /api/v1/service-accounts merges: only the members sent
// change. `roles` is our extension.
Result<Response> UpdateServiceAccount(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto body, ParseJsonObject(c.request));
  std::optional<bool> enabled;
  if (c.dialect == Dialect::kApplications) {
    ASSIGN_OR_RETURN(enabled, RequireBool(body, "enabled"));
  } else {
    ASSIGN_OR_RETURN(enabled, OptionalBool(body, "enabled"));
  }
  ASSIGN_OR_RETURN(auto roles, OptionalStringArray(body, "roles"));
  ASSIGN_OR_RETURN(auto updated,
                   c.services.service_accounts.Update(c.params[0], {enabled, std::move(roles)}, ActorOf(c)));
  // The seed gives this 200 no body schema; the updated record is the useful answer.
  return JsonResponse(200, AccountJson(updated, c.services.tenant_id));
}

Result<Response> DeleteServiceAccount(const RequestContext& c) {
  RETURN_IF_ERROR(c.services.service_accounts.Delete(c.params[0], ActorOf(c)));
  return NoContent();
}

// ?graceSeconds=N (extension, both paths) keeps the old secret working N seconds more.
Result<Response> RegenerateServiceAccount(const RequestContext& c) {
  const auto max_grace = static_cast<std::size_t>(c.services.service_accounts.policy().max_grace_seconds);
  ASSIGN_OR_RETURN(const std::size_t grace, SizeParam(c, "graceSeconds", 0, 0, max_grace));
  ASSIGN_OR_RETURN(auto secret,
                   c.services.service_accounts.RegenerateSecret(c.params[0], ActorOf(c), static_cast<int64_t>(grace)));
  return SecretResponse(200, json::object{{SecretMember(c.dialect), secret}});
}

Result<Response> GetServiceAccountDetails(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto details, c.services.service_accounts.GetDetails(c.params[0]));
  json::object object = AccountJson(details.value, c.services.tenant_id);
  // A service account's roles are already its own member; there is no scope.
  AddCredentialState(object, details.state, false);
  return JsonResponse(200, object);
}

}  // namespace keymint::api
