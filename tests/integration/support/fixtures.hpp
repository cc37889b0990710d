// Shared steps of the integration tests, expressed over HTTP only.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"
#include "json_checks.hpp"
#include "keymint_process.hpp"

namespace keymint::testing {

// Well-formed ids that name nothing, for 404 probes.
inline const std::string kUnknownUuid = "3f0c2a9e-8b1d-4c6e-9a7f-0d2e4b6c8a10";
inline const std::string kNotAUuid = "not-a-uuid";

// `base` + "/" + `segment`, e.g. JoinPath("/api/v1/users", id).
std::string JoinPath(const std::string& base, const std::string& segment);

// The POST /api/v1/token bodies of the password and client_credentials grants.
boost::json::object PasswordBody(const std::string& username, const std::string& password);
boost::json::object ClientCredentialsBody(const std::string& client_id, const std::string& secret);
// POST /api/v1/token with those bodies; the raw answer, nothing checked.
HttpResponse PasswordLogin(uint16_t port, const std::string& username, const std::string& password);
HttpResponse ClientCredentialsExchange(uint16_t port, const std::string& client_id, const std::string& secret);

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

// POST /api/v1/token client_credentials; returns the accessToken ("" unless 200).
std::string ClientCredentialsToken(uint16_t port, const std::string& client_id, const std::string& secret);
// A client_credentials exchange on POST /api/v1/token: CheckKeyMints REQUIREs 200 and
// a non-empty string accessToken; CheckKeyRefused CHECKs a 401 Error (CheckError).
void CheckKeyMints(uint16_t port, const std::string& client_id, const std::string& secret);
void CheckKeyRefused(uint16_t port, const std::string& client_id, const std::string& secret);

// The {"name": name} body that creates an access key (or user application).
boost::json::object NameBody(const std::string& name);
// Names that break the one rule access keys and service accounts share
// (2-255 characters matching ^[a-z][-_a-z0-9]*[a-z0-9]$): each must be a 400.
const std::vector<std::string>& InvalidCredentialNames();
// GET /api/v1/access-keys as `token`; REQUIREs 200, CHECKs the body is exactly
// {"accessKeys": [...]} and returns the array.
boost::json::array ListAccessKeys(uint16_t port, const std::string& token);
// Members of an access key (AccessKey1, also a UserApp) and of an administration
// list entry (which adds createdBy), sorted as Keys() returns them.
inline const std::vector<std::string> kAccessKeyMembers = {"clientId", "createdAt", "id", "lastLogin", "name"};
inline const std::vector<std::string> kAdminAccessKeyMembers = {"clientId", "createdAt", "createdBy",
                                                                "id",       "lastLogin", "name"};
// CHECKs one access key record: exactly kAccessKeyMembers, the given id, name and
// clientId, a timestamp createdAt and a null or timestamp lastLogin. Returns
// lastLogin, or "" when it is null.
std::string CheckAccessKey(const boost::json::object& key, const std::string& id, const std::string& name,
                           const std::string& client_id);
std::string CheckAccessKey(const boost::json::object& key, const CreatedKey& created);
// CHECKs one administration list entry: exactly kAdminAccessKeyMembers, a UUID v4 id,
// a URL-safe clientId, non-empty name and createdBy, a timestamp createdAt and a
// null or timestamp lastLogin.
void CheckAdminAccessKey(const boost::json::object& key);

// Decodes a JWT's payload (no verification) as a JSON object.
boost::json::object JwtClaims(const std::string& jwt);
// Decodes a JWT's header as a JSON object.
boost::json::object JwtHeader(const std::string& jwt);

// --- Added for the token/discovery/auth/errors/lifecycle suites. ---

// base64url without padding (RFC 7515 §2) and back; decoding fails the test on bad input.
std::string Base64UrlEncode(const std::string& bytes);
std::string Base64UrlDecode(const std::string& text);
// Standard base64 with padding (for HTTP Basic).
std::string Base64Encode(const std::string& bytes);
// application/x-www-form-urlencoded encoding of one name or value.
std::string FormEncode(const std::string& text);

// REQUIREs `status` and a JSON object body, CHECKs a JSON Content-Type and that the
// object's members are exactly `members` (sorted, as Keys() returns them); returns it.
boost::json::object CheckJsonObject(const HttpResponse& response, int status, const std::vector<std::string>& members);

// CHECKs an Error-shaped answer: the status, a JSON Content-Type, {"code": status,
// "message": non-empty string} and at most an extra string "details". Returns the message.
std::string CheckError(const HttpResponse& response, int status);
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

// GET /.well-known/jwks.json; REQUIREs 200 and a JSON object.
boost::json::object FetchJwks(uint16_t port);
// The one key of the JWKS; REQUIREs "keys" to be an array of exactly one.
boost::json::object OnlyJwk(uint16_t port);
// The id of the user whose username is `email`, from GET /api/v1/users ("" when absent).
std::string UserIdByEmail(uint16_t port, const std::string& admin_token, const std::string& email);
// GETs `target` (a single record with a "lastLogin" member) as `token` until lastLogin
// is non-null or `timeout_ms` pass; returns it, or "" if it stayed null.
std::string WaitForLastLogin(uint16_t port, const std::string& token, const std::string& target, int timeout_ms = 2000);
// Reads a whole file as bytes ("" if unreadable).
std::string ReadFileBytes(const std::string& path);
// The paths of the *.pem files directly in `dir`, sorted.
std::vector<std::string> PemFiles(const std::string& dir);

// Runs `count` copies of `request(i)` released together, each on its own thread and
// connection; returns the responses by index. No assertions run off the calling thread.
template <typename Request>
std::vector<HttpResponse> Concurrently(int count, Request request) {
  std::vector<HttpResponse> responses(static_cast<std::size_t>(count));
  std::latch start(count);
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      responses[static_cast<std::size_t>(i)] = request(i);
    });
  }
  for (auto& thread : threads) thread.join();
  return responses;
}
// Calls `poll` (returning std::string) every `interval` until it returns a non-empty
// string or `timeout` has passed since the first call; returns the last result.
template <typename Poll>
std::string PollUntilNonEmpty(Poll poll, std::chrono::milliseconds timeout = std::chrono::seconds(3),
                              std::chrono::milliseconds interval = std::chrono::milliseconds(100)) {
  const auto start = std::chrono::steady_clock::now();
  std::string result;
  while (std::chrono::steady_clock::now() - start < timeout) {
    result = poll();
    if (!result.empty()) break;
    std::this_thread::sleep_for(interval);
  }
  return result;
}
// How many of `responses` have `status`.
int CountStatus(const std::vector<HttpResponse>& responses, int status);

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
// RFC 7638 thumbprints of an EC P-256 JWK and (RFC 8037 §2) of an OKP Ed25519 JWK.
std::string EcThumbprint(const std::string& x, const std::string& y);
std::string OkpThumbprint(const std::string& x);
// Verifies a JWS signature (raw bytes, as the compact form carries it) over
// `input` with the public key of one JWKS entry, the way a stock verifier
// does: the key type and "alg" of the JWK pick the algorithm (RSA + RS256,
// EC P-256 + ES256 with R || S, OKP Ed25519 + EdDSA); false for anything else.
bool VerifyWithJwk(const boost::json::object& jwk, const std::string& input, const std::string& signature);
// base64url(header) + "." + base64url(claims): the JWS signing input; append "." + base64url(signature).
std::string JwtSigningInput(const boost::json::object& header, const boost::json::object& claims);
// `jwt` with one character of its signature changed (the 10th after the last '.').
std::string TamperSignature(const std::string& jwt);

}  // namespace keymint::testing
