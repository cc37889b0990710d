// Users and roles (API.md §7, an extension after Run:ai's Users API).
#include "api/handlers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

json::object UserJson(const User& user) {
  return {{"id", user.id},
          {"username", user.email},
          {"createdBy", user.created_by},
          {"createdAt", TimestampOrNull(user.created_at_ms)},
          {"updatedAt", TimestampOrNull(user.updated_at_ms)},
          {"lastLogin", TimestampOrNull(user.last_login_ms)},
          {"isLocal", true},
          {"roles", ToJsonArray(user.roles)}};
}

}  // namespace

Result<Response> ListRoles(const RequestContext& c) {
  json::array roles;
  for (const auto& role : c.services.users.catalog().roles()) {
    roles.push_back(json::object{{"id", role.id}, {"name", role.name}, {"description", role.description}});
  }
  return JsonResponse(200, roles);
}

Result<Response> ListUsers(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto listed, c.services.users.List());
  json::array items;
  for (const auto& user : listed) items.push_back(UserJson(user));
  return JsonResponse(200, items);
}

Result<Response> CreateUser(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto body, ParseJsonObject(c.request));
  ASSIGN_OR_RETURN(auto email, RequireString(body, "email"));
  ASSIGN_OR_RETURN(auto roles, RequireStringArray(body, "roles"));
  ASSIGN_OR_RETURN(auto created, c.services.users.Create(c.principal->name, email, roles, ActorOf(c)));
  return SecretResponse(
      201,
      json::object{{"id", created.user.id}, {"username", created.user.email}, {"tempPassword", created.temp_password}});
}

Result<Response> GetUser(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto user, c.services.users.Get(c.params[0]));
  return JsonResponse(200, UserJson(user));
}

Result<Response> DeleteUser(const RequestContext& c) {
  RETURN_IF_ERROR(c.services.users.Delete(c.params[0], ActorOf(c)));
  return NoContent();
}

Result<Response> SetUserRoles(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto body, ParseJsonObject(c.request));
  ASSIGN_OR_RETURN(auto roles, RequireStringArray(body, "roles"));
  ASSIGN_OR_RETURN(auto user, c.services.users.SetRoles(c.params[0], roles, ActorOf(c)));
  return JsonResponse(200, UserJson(user));
}

Result<Response> ResetUserPassword(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto temp, c.services.users.ResetPassword(c.params[0], ActorOf(c)));
  return SecretResponse(200, json::object{{"tempPassword", temp}});
}

Result<Response> ChangeOwnPassword(const RequestContext& c) {
  ASSIGN_OR_RETURN(auto body, ParseJsonObject(c.request));
  ASSIGN_OR_RETURN(auto current, RequireString(body, "currentPassword"));
  ASSIGN_OR_RETURN(auto replacement, RequireString(body, "newPassword"));
  RETURN_IF_ERROR(c.services.users.ChangeOwnPassword(*c.principal, current, replacement, c.request.remote_address));
  return JsonResponse(200, json::object{});
}

}  // namespace keymint::api
