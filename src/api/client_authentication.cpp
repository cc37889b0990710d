#include "api/client_authentication.hpp"

#include "api/form.hpp"

namespace keymint::api {

const std::string* Param(const std::map<std::string, std::string>& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? nullptr : &it->second;
}

Result<ClientCredentials> V2ClientAuthentication(const Request& request,
                                                 const std::map<std::string, std::string>& form) {
  const std::string* body_id = Param(form, "client_id");
  const std::string* body_secret = Param(form, "client_secret");
  auto basic = ParseBasicAuthorization(request.authorization);
  if (!basic) {
    if (!body_id || !body_secret) return Error::InvalidArgument("client_id and client_secret are required");
    return ClientCredentials{*body_id, *body_secret};
  }
  ASSIGN_OR_RETURN(auto credentials, std::move(*basic));
  // Some clients repeat client_id in the body alongside Basic; that is one
  // method as long as it names the same client. A body secret is a second one.
  if (body_secret || (body_id && *body_id != credentials.client_id)) {
    return Error::InvalidArgument("use one client authentication method, not Basic and the body");
  }
  return ClientCredentials{std::move(credentials.client_id), std::move(credentials.client_secret)};
}

}  // namespace keymint::api
