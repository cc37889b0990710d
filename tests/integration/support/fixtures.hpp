// Shared steps of the integration tests, expressed over HTTP only.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace keymint::testing {

// POST /api/v1/token grantType=password; REQUIREs 200 and returns accessToken.
std::string PasswordToken(uint16_t port, const std::string& email, const std::string& password);
// The first admin's token (kAdminEmail / kAdminPassword).
std::string AdminToken(uint16_t port);

struct CreatedUser {
  std::string id, email, password, token;  // token: a fresh password-grant token
};
// Creates a user through POST /api/v1/users as `admin_token` and logs in.
CreatedUser CreateUser(uint16_t port, const std::string& admin_token, const std::string& email,
                       const std::vector<std::string>& roles = {"Viewer"});

struct CreatedKey {
  std::string id, name, client_id, client_secret;
};
// POST /api/v1/access-keys {"name"} as `token`; REQUIREs 201.
CreatedKey CreateAccessKey(uint16_t port, const std::string& token, const std::string& name);

// POST /api/v1/token client_credentials; returns the HTTP response status and the accessToken ("" unless 200).
std::string ClientCredentialsToken(uint16_t port, const std::string& client_id, const std::string& secret);

// Decodes a JWT's payload (no verification) as a JSON object.
boost::json::object JwtClaims(const std::string& jwt);
// Decodes a JWT's header as a JSON object.
boost::json::object JwtHeader(const std::string& jwt);

// True when `text` is RFC 3339 UTC with milliseconds: YYYY-MM-DDTHH:MM:SS.mmmZ
bool IsTimestamp(const std::string& text);
// True when `text` is a lowercase canonical UUID v4.
bool IsUuidV4(const std::string& text);

// The exact set of member names of a JSON object, for schema-exact checks.
std::vector<std::string> Keys(const boost::json::object& object);  // sorted

}  // namespace keymint::testing
