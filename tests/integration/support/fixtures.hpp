// Shared steps of the integration tests, expressed over HTTP only.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "http_client.hpp"
#include "keymint_process.hpp"

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

// --- Added for the token/discovery/auth/errors/lifecycle suites. ---

// base64url without padding (RFC 7515 §2) and back; decoding fails the test on bad input.
std::string Base64UrlEncode(const std::string& bytes);
std::string Base64UrlDecode(const std::string& text);
// Standard base64 with padding (for HTTP Basic).
std::string Base64Encode(const std::string& bytes);
// application/x-www-form-urlencoded encoding of one name or value.
std::string FormEncode(const std::string& text);

// CHECKs an Error-shaped answer: the status, {"code": status, "message": non-empty
// string} and at most an extra string "details".
void CheckError(const HttpResponse& response, int status);
// CHECKs an RFC 6749 §5.2 answer as the contract writes it: the status, exactly
// {"error": error, "error_description": string}, and the no-store cache headers.
void CheckOAuthError(const HttpResponse& response, int status, const std::string& error);
// CHECKs `Cache-Control: no-store` and `Pragma: no-cache`.
void CheckNoStore(const HttpResponse& response);

// A temporary directory removed when the object goes out of scope (for tests
// that restart keymint on the same data and keys directories).
struct ScopedTempDir {
  ScopedTempDir() : path(MakeTempDir()) {}
  ~ScopedTempDir() { RemoveTree(path); }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  std::string path;
};

// REQUIREs `object[name]` to be a string and returns it.
std::string StringField(const boost::json::object& object, const std::string& name);
// GET /.well-known/jwks.json; REQUIREs 200 and a JSON object.
boost::json::object FetchJwks(uint16_t port);
// The id of the user whose username is `email`, from GET /api/v1/users ("" when absent).
std::string UserIdByEmail(uint16_t port, const std::string& admin_token, const std::string& email);
// GETs `target` (a single record with a "lastLogin" member) as `token` until lastLogin
// is non-null or `timeout_ms` pass; returns it, or "" if it stayed null.
std::string WaitForLastLogin(uint16_t port, const std::string& token, const std::string& target, int timeout_ms = 2000);
// Reads a whole file as bytes ("" if unreadable).
std::string ReadFileBytes(const std::string& path);

// JOSE helpers over OpenSSL (support/jose.cpp), all on raw byte strings.
std::string Sha256(const std::string& bytes);
std::string HmacSha256(const std::string& key, const std::string& bytes);
// A fresh RSA private key as PEM (PKCS#8).
std::string GenerateRsaPrivateKeyPem(int bits = 2048);
// The public modulus and exponent of a private key PEM, base64url (JWK "n", "e").
void RsaPublicNumbers(const std::string& private_key_pem, std::string* n, std::string* e);
// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature of `input` with a private key PEM.
std::string SignRs256(const std::string& private_key_pem, const std::string& input);
// Verifies an RS256 signature with the public key given as JWK base64url n and e.
bool VerifyRs256(const std::string& n, const std::string& e, const std::string& input, const std::string& signature);
// RFC 7638 thumbprint (base64url SHA-256) of an RSA JWK.
std::string RsaThumbprint(const std::string& n, const std::string& e);
// base64url(header) + "." + base64url(claims): the JWS signing input; append "." + base64url(signature).
std::string JwtSigningInput(const boost::json::object& header, const boost::json::object& claims);

}  // namespace keymint::testing
