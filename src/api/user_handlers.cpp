// Users and roles (API.md §7, an extension after Run:ai's Users API).
#include <variant>

#include "api/json_body.hpp"
#include "api/route_table.hpp"
#include "keymint/api/api.hpp"
#include "keymint/api/http_error.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

json::object UserJson(const UserRecord& user) {
  return {{"id", user.id},
          {"username", user.email},
          {"createdBy", user.created_by},
          {"createdAt", TimestampOrNull(user.created_at_ms)},
          {"updatedAt", TimestampOrNull(user.updated_at_ms)},
          {"lastLogin", TimestampOrNull(user.last_login_ms)},
          {"isLocal", true},
          {"roles", ToJsonArray(user.roles)}};
}

// Parses the JSON body and reads one field with `read`; returns the error
// response to send instead when either step fails.
template <typename T, typename Read>
std::variant<T, Response> ReadField(const Request& request, Read read) {
  auto parsed = ParseJsonObject(request);
  if (auto* error = std::get_if<Response>(&parsed)) return std::move(*error);
  Result<T> value = read(std::get<json::object>(parsed));
  if (!value.ok()) return ErrorResponse(value.error());
  return std::move(*value);
}

Response Roles(const UserService& users) {
  json::array roles;
  for (const auto& role : users.catalog().roles()) {
    roles.push_back(json::object{{"id", role.id}, {"name", role.name}, {"description", role.description}});
  }
  return JsonResponse(200, roles);
}

Response ListUsers(const UserService& users) {
  auto listed = users.List();
  if (!listed.ok()) return ErrorResponse(listed.error());
  json::array items;
  for (const auto& user : *listed) items.push_back(UserJson(user));
  return JsonResponse(200, items);
}

Response CreateUser(UserService& users, const RequestContext& c) {
  struct Fields {
    std::string email;
    std::vector<std::string> roles;
  };
  auto fields = ReadField<Fields>(c.request, [](const json::object& body) -> Result<Fields> {
    auto email = RequireString(body, "email");
    if (!email.ok()) return email.error();
    auto roles = RequireStringArray(body, "roles");
    if (!roles.ok()) return roles.error();
    return Fields{std::string(*email), std::move(*roles)};
  });
  if (auto* error = std::get_if<Response>(&fields)) return std::move(*error);
  auto& [email, roles] = std::get<Fields>(fields);
  auto created = users.Create(c.principal->name(), email, roles);
  if (!created.ok()) return ErrorResponse(created.error());
  return SecretResponse(201, json::object{{"id", created->record.id},
                                          {"username", created->record.email},
                                          {"tempPassword", created->temp_password}});
}

Response GetUser(const UserService& users, const RequestContext& c) {
  auto user = users.Get(c.params[0]);
  if (!user.ok()) return ErrorResponse(user.error());
  return JsonResponse(200, UserJson(*user));
}

Response DeleteUser(UserService& users, const RequestContext& c) {
  if (Status s = users.Delete(c.params[0]); !s.ok()) return ErrorResponse(s.error());
  return NoContent();
}

Response SetRoles(UserService& users, const RequestContext& c) {
  auto roles = ReadField<std::vector<std::string>>(
      c.request, [](const json::object& body) { return RequireStringArray(body, "roles"); });
  if (auto* error = std::get_if<Response>(&roles)) return std::move(*error);
  auto user = users.SetRoles(c.params[0], std::get<std::vector<std::string>>(roles));
  if (!user.ok()) return ErrorResponse(user.error());
  return JsonResponse(200, UserJson(*user));
}

Response ResetPassword(UserService& users, const RequestContext& c) {
  auto temp = users.ResetPassword(c.params[0]);
  if (!temp.ok()) return ErrorResponse(temp.error());
  return SecretResponse(200, json::object{{"tempPassword", *temp}});
}

Response ChangeOwnPassword(UserService& users, const RequestContext& c) {
  using Pair = std::pair<std::string, std::string>;
  auto fields = ReadField<Pair>(c.request, [](const json::object& body) -> Result<Pair> {
    auto current = RequireString(body, "currentPassword");
    if (!current.ok()) return current.error();
    auto replacement = RequireString(body, "newPassword");
    if (!replacement.ok()) return replacement.error();
    return Pair{std::string(*current), std::string(*replacement)};
  });
  if (auto* error = std::get_if<Response>(&fields)) return std::move(*error);
  const auto& [current, replacement] = std::get<Pair>(fields);
  if (Status s = users.ChangeOwnPassword(*c.principal->user(), current, replacement, c.request.remote_address);
      !s.ok()) {
    return ErrorResponse(s.error());
  }
  return JsonResponse(200, json::object{});
}

}  // namespace

std::vector<Route> UserRoutes(const ApiServices& services) {
  UserService* u = &services.users;
  auto route = [](const char* method, const char* pattern, Access access, Handler handler) {
    return Route{method, pattern, access, Placement::kPool, std::move(handler)};
  };
  return {
      route("GET", "/api/v1/authorization/roles", Access::kAuthenticated,
            [u](const RequestContext&) -> Reply { return Roles(*u); }),
      route("GET", "/api/v1/users", Access::kAdmin, [u](const RequestContext&) -> Reply { return ListUsers(*u); }),
      route("POST", "/api/v1/users", Access::kAdmin,
            [u](const RequestContext& c) -> Reply { return CreateUser(*u, c); }),
      route("GET", "/api/v1/users/{id}", Access::kAdmin,
            [u](const RequestContext& c) -> Reply { return GetUser(*u, c); }),
      route("DELETE", "/api/v1/users/{id}", Access::kAdmin,
            [u](const RequestContext& c) -> Reply { return DeleteUser(*u, c); }),
      route("PUT", "/api/v1/users/{id}/roles", Access::kAdmin,
            [u](const RequestContext& c) -> Reply { return SetRoles(*u, c); }),
      route("POST", "/api/v1/users/{id}/password", Access::kAdmin,
            [u](const RequestContext& c) -> Reply { return ResetPassword(*u, c); }),
      route("POST", "/api/v1/me/password", Access::kUser,
            [u](const RequestContext& c) -> Reply { return ChangeOwnPassword(*u, c); }),
  };
}

}  // namespace keymint::api
