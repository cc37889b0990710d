// Client authentication on the form-encoded OAuth endpoints (/api/v2/token,
// /oauth2/introspect, /oauth2/revoke): the client's credentials from HTTP
// Basic or from the body (RFC 6749 §2.3.1), not both.
#pragma once

#include <map>
#include <string>

#include "keymint/api/http.hpp"
#include "keymint/common/result.hpp"

namespace keymint::api {

struct ClientCredentials {
  std::string id;
  std::string secret;
};

// A form parameter; null when absent.
const std::string* Param(const std::map<std::string, std::string>& form, const std::string& name);

// The credentials `request` authenticates its client with: Basic
// (client_secret_basic) or client_id and client_secret in `form`
// (client_secret_post). InvalidArgument when neither or both are used.
Result<ClientCredentials> V2ClientAuthentication(const Request& request,
                                                 const std::map<std::string, std::string>& form);

}  // namespace keymint::api
