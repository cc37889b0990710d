// Access keys (seed 004) and their deprecated name, user applications
// (seed 000): the same records and operations, rendered in two dialects.
#include <charconv>
#include <variant>

#include "api/json_body.hpp"
#include "api/route_table.hpp"
#include "keymint/api/api.hpp"
#include "keymint/api/http_error.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

// How one family of paths spells its bodies.
struct Dialect {
  bool wrap_lists;            // {"accessKeys":[...]} rather than a bare array
  const char* create_secret;  // the secret's member name in the create response
};
constexpr Dialect kAccessKeys{true, "clientSecret"};
constexpr Dialect kUserApplications{false, "secret"};

json::object KeyJson(const CredentialRecord& key) {
  return {{"name", key.name},
          {"clientId", key.client_id},
          {"id", key.id},
          {"createdAt", TimestampOrNull(key.created_at_ms)},
          {"lastLogin", TimestampOrNull(key.last_login_ms)}};
}

json::object AdminKeyJson(const CredentialRecord& key) {
  json::object object = KeyJson(key);
  object["createdBy"] = key.created_by;
  return object;
}

Response ListResponse(const Dialect& dialect, json::array items) {
  if (dialect.wrap_lists) return JsonResponse(200, json::object{{"accessKeys", std::move(items)}});
  return JsonResponse(200, items);
}

Response List(AccessKeyService& keys, const Dialect& dialect, const RequestContext& c) {
  auto listed = keys.ListOwn(*c.principal->user());
  if (!listed.ok()) return ErrorResponse(listed.error());
  json::array items;
  for (const auto& key : *listed) items.push_back(KeyJson(key));
  return ListResponse(dialect, std::move(items));
}

Response Create(AccessKeyService& keys, const Dialect& dialect, const RequestContext& c) {
  auto parsed = ParseJsonObject(c.request);
  if (auto* error = std::get_if<Response>(&parsed)) return std::move(*error);
  auto name = RequireString(std::get<json::object>(parsed), "name");
  if (!name.ok()) return ErrorResponse(name.error());
  auto created = keys.Create(*c.principal->user(), *name);
  if (!created.ok()) return ErrorResponse(created.error());
  const CredentialRecord& key = created->record;
  return SecretResponse(201, json::object{{"id", key.id},
                                          {"name", key.name},
                                          {"clientId", key.client_id},
                                          {dialect.create_secret, created->secret},
                                          {"createdAt", TimestampOrNull(key.created_at_ms)}});
}

Response Get(AccessKeyService& keys, const RequestContext& c) {
  auto key = keys.GetOwn(*c.principal->user(), c.params[0]);
  if (!key.ok()) return ErrorResponse(key.error());
  return JsonResponse(200, KeyJson(*key));
}

Response Delete(AccessKeyService& keys, const RequestContext& c) {
  if (Status s = keys.DeleteOwn(*c.principal->user(), c.params[0]); !s.ok()) return ErrorResponse(s.error());
  return NoContent();
}

Response Regenerate(AccessKeyService& keys, const RequestContext& c) {
  auto secret = keys.RegenerateOwn(*c.principal->user(), c.params[0]);
  if (!secret.ok()) return ErrorResponse(secret.error());
  return SecretResponse(200, json::object{{"clientSecret", *secret}});
}

// A non-negative decimal query parameter within [min, max], or an error naming it.
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

Response AdminList(AccessKeyService& keys, const Dialect& dialect, const RequestContext& c) {
  AccessKeyFilter filter;
  filter.client_id = c.Query("clientId");
  filter.created_by = c.Query("createdBy");
  auto offset = SizeParam(c, "offset", 0, 0, SIZE_MAX / 2);
  if (!offset.ok()) return ErrorResponse(offset.error());
  auto limit = SizeParam(c, "limit", 100, 1, 100);
  if (!limit.ok()) return ErrorResponse(limit.error());
  filter.offset = *offset;
  filter.limit = *limit;
  auto listed = keys.ListAll(filter);
  if (!listed.ok()) return ErrorResponse(listed.error());
  json::array items;
  for (const auto& key : *listed) items.push_back(AdminKeyJson(key));
  return ListResponse(dialect, std::move(items));
}

Response AdminDelete(AccessKeyService& keys, const RequestContext& c) {
  if (Status s = keys.DeleteAny(c.params[0]); !s.ok()) return ErrorResponse(s.error());
  return NoContent();
}

// The seven operations under one path family.
void AddFamily(std::vector<Route>& routes, AccessKeyService& keys, const Dialect& dialect, const std::string& own,
               const std::string& admin, const std::string& successor) {
  AccessKeyService* k = &keys;
  const Dialect* d = &dialect;
  auto add = [&](const char* method, std::string pattern, Access access, Handler handler) {
    routes.push_back({method, std::move(pattern), access, Placement::kPool, std::move(handler), successor});
  };
  add("GET", own, Access::kUser, [k, d](const RequestContext& c) -> Reply { return List(*k, *d, c); });
  add("POST", own, Access::kUser, [k, d](const RequestContext& c) -> Reply { return Create(*k, *d, c); });
  add("GET", own + "/{id}", Access::kUser, [k](const RequestContext& c) -> Reply { return Get(*k, c); });
  add("DELETE", own + "/{id}", Access::kUser, [k](const RequestContext& c) -> Reply { return Delete(*k, c); });
  add("POST", own + "/{id}/secret", Access::kUser, [k](const RequestContext& c) -> Reply { return Regenerate(*k, c); });
  add("GET", admin, Access::kAdmin, [k, d](const RequestContext& c) -> Reply { return AdminList(*k, *d, c); });
  add("DELETE", admin + "/{id}", Access::kAdmin, [k](const RequestContext& c) -> Reply { return AdminDelete(*k, c); });
}

}  // namespace

std::vector<Route> AccessKeyRoutes(const ApiServices& services) {
  std::vector<Route> routes;
  AddFamily(routes, services.access_keys, kAccessKeys, "/api/v1/access-keys", "/api/v1/administration/access-keys", "");
  AddFamily(routes, services.access_keys, kUserApplications, "/api/v1/user-applications",
            "/api/v1/administration/user-applications", "/api/v1/access-keys");
  return routes;
}

}  // namespace keymint::api
