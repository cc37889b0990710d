// Service accounts (API.md §6) and their deprecated name, applications
// (seed 001): the same records and operations, rendered in two dialects.
// Every route needs a System administrator.
#include <variant>

#include "api/json_body.hpp"
#include "api/route_table.hpp"
#include "keymint/api/api.hpp"
#include "keymint/api/http_error.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

// How one family of paths names the secret in create and regenerate answers.
struct Dialect {
  const char* secret;
};
constexpr Dialect kServiceAccounts{"clientSecret"};
constexpr Dialect kApplications{"secret"};

// The seed's Application (API.md §6 lists the same members for a service account).
json::object AccountJson(const CredentialRecord& account, const std::string& tenant_id) {
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

Response List(const ApiServices& s) {
  auto listed = s.service_accounts.List();
  if (!listed.ok()) return ErrorResponse(listed.error());
  json::array items;
  items.reserve(listed->size());
  for (const auto& account : *listed) items.push_back(AccountJson(account, s.tenant_id));
  return JsonResponse(200, items);
}

Response Create(const ApiServices& s, const Dialect& dialect, const RequestContext& c) {
  auto parsed = ParseJsonObject(c.request);
  if (auto* error = std::get_if<Response>(&parsed)) return std::move(*error);
  const json::object& body = std::get<json::object>(parsed);
  auto name = RequireString(body, "name");
  if (!name.ok()) return ErrorResponse(name.error());
  auto roles = OptionalStringArray(body, "roles");  // extension: the roles its tokens carry
  if (!roles.ok()) return ErrorResponse(roles.error());
  auto created = s.service_accounts.Create(c.principal->name(), *name, roles->value_or(std::vector<std::string>()));
  if (!created.ok()) return ErrorResponse(created.error());
  const CredentialRecord& account = created->record;
  return SecretResponse(201, json::object{{"id", account.id},
                                          {"name", account.name},
                                          {dialect.secret, created->secret},
                                          {"clientId", account.client_id}});
}

Response Get(const ApiServices& s, const RequestContext& c) {
  auto account = s.service_accounts.Get(c.params[0]);
  if (!account.ok()) return ErrorResponse(account.error());
  return JsonResponse(200, AccountJson(*account, s.tenant_id));
}

// The seed's ApplicationPatchRequest requires `enabled`; `roles` is our extension.
Response Update(const ApiServices& s, const RequestContext& c) {
  auto parsed = ParseJsonObject(c.request);
  if (auto* error = std::get_if<Response>(&parsed)) return std::move(*error);
  const json::object& body = std::get<json::object>(parsed);
  auto enabled = RequireBool(body, "enabled");
  if (!enabled.ok()) return ErrorResponse(enabled.error());
  auto roles = OptionalStringArray(body, "roles");
  if (!roles.ok()) return ErrorResponse(roles.error());
  auto updated = s.service_accounts.Update(c.params[0], {*enabled, std::move(*roles)});
  if (!updated.ok()) return ErrorResponse(updated.error());
  // The seed gives this 200 no body schema; the updated record is the useful answer.
  return JsonResponse(200, AccountJson(*updated, s.tenant_id));
}

Response Delete(const ApiServices& s, const RequestContext& c) {
  if (Status status = s.service_accounts.Delete(c.params[0]); !status.ok()) return ErrorResponse(status.error());
  return NoContent();
}

Response Regenerate(const ApiServices& s, const Dialect& dialect, const RequestContext& c) {
  auto secret = s.service_accounts.RegenerateSecret(c.params[0]);
  if (!secret.ok()) return ErrorResponse(secret.error());
  return SecretResponse(200, json::object{{dialect.secret, *secret}});
}

// The six operations under one path family.
void AddFamily(std::vector<Route>& routes, const ApiServices& services, const Dialect& dialect, const std::string& base,
               const std::string& successor) {
  const ApiServices* s = &services;
  const Dialect* d = &dialect;
  auto add = [&](const char* method, std::string pattern, Handler handler) {
    routes.push_back({method, std::move(pattern), Access::kAdmin, Placement::kPool, std::move(handler), successor});
  };
  add("GET", base, [s](const RequestContext&) -> Reply { return List(*s); });
  add("POST", base, [s, d](const RequestContext& c) -> Reply { return Create(*s, *d, c); });
  add("GET", base + "/{id}", [s](const RequestContext& c) -> Reply { return Get(*s, c); });
  add("PATCH", base + "/{id}", [s](const RequestContext& c) -> Reply { return Update(*s, c); });
  add("DELETE", base + "/{id}", [s](const RequestContext& c) -> Reply { return Delete(*s, c); });
  add("POST", base + "/{id}/secret", [s, d](const RequestContext& c) -> Reply { return Regenerate(*s, *d, c); });
}

}  // namespace

std::vector<Route> ServiceAccountRoutes(const ApiServices& services) {
  std::vector<Route> routes;
  AddFamily(routes, services, kServiceAccounts, "/api/v1/service-accounts", "");
  AddFamily(routes, services, kApplications, "/api/v1/apps", "/api/v1/service-accounts");
  return routes;
}

}  // namespace keymint::api
