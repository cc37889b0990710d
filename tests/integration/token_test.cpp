// The token endpoints, driven over HTTP against the real keymint binary:
// POST /api/v1/token (Run:ai JSON) and POST /api/v2/token (RFC 6749 form).
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <set>
#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

HttpResponse V1(uint16_t port, const json::value& body) { return PostJson(port, "/api/v1/token", body); }

HttpResponse V1Raw(uint16_t port, const std::string& body, const std::string& content_type = "application/json") {
  Headers headers;
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  return Send(port, "POST", "/api/v1/token", body, headers);
}

HttpResponse V2(uint16_t port, const std::string& form, const Headers& headers = {}) {
  return PostForm(port, "/api/v2/token", form, headers);
}

std::string BasicHeader(const std::string& encoded_id, const std::string& encoded_secret) {
  return "Basic " + Base64Encode(encoded_id + ":" + encoded_secret);
}

// Percent-encodes every byte, so that a server which skips form-decoding of
// the Basic credentials cannot accidentally match.
std::string PercentEncodeAll(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[u >> 4];
    out += kHex[u & 0xF];
  }
  return out;
}

// CHECKs what both token endpoints answer on success: 200, JSON, no-store, a body of
// exactly `members` whose `expires_member` is the integer `ttl` and whose
// `token_member` is a three-part JWT. Returns that token.
std::string CheckTokenSuccess(const HttpResponse& response, const std::vector<std::string>& members,
                              const std::string& expires_member, const std::string& token_member, int64_t ttl) {
  const json::object object = CheckJsonObject(response, 200, members);
  CheckNoStore(response);
  REQUIRE(object.contains(expires_member));
  CHECK(object.at(expires_member).is_int64());
  if (object.at(expires_member).is_int64()) CHECK(object.at(expires_member).as_int64() == ttl);
  const std::string token = StringField(object, token_member);
  CHECK(std::count(token.begin(), token.end(), '.') == 2);
  return token;
}

// CHECKs the exact v1 success shape and returns the access token.
std::string CheckV1Success(const HttpResponse& response, int64_t ttl) {
  INFO("v1 response: " << response.status << " " << response.body);
  return CheckTokenSuccess(response, {"accessToken", "expiresIn"}, "expiresIn", "accessToken", ttl);
}

// CHECKs the exact RFC 6749 §5.1 success shape and returns the access token.
std::string CheckV2Success(const HttpResponse& response, int64_t ttl) {
  INFO("v2 response: " << response.status << " " << response.body);
  const std::string token =
      CheckTokenSuccess(response, {"access_token", "expires_in", "token_type"}, "expires_in", "access_token", ttl);
  CHECK(StringField(AsObject(response.Json()), "token_type") == "Bearer");
  return token;
}

std::string CheckV1Error(const HttpResponse& response, int status) {
  CheckError(response, status);
  CheckNoStore(response);
  return response.body;
}

int64_t IntClaim(const json::object& claims, const char* name) {
  INFO("claim " << name);
  const json::value* value = claims.if_contains(name);
  REQUIRE(value != nullptr);
  REQUIRE(value->is_int64());
  return value->as_int64();
}

}  // namespace

TEST_CASE("v1 token endpoint exchanges an access key under every accepted field spelling", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();

  // The password grant, checked for shape here rather than through AdminToken().
  const std::string admin = CheckV1Success(V1(port, PasswordBody(kAdminEmail, kAdminPassword)), 3600);
  const CreatedKey key = CreateAccessKey(port, admin, "ci-key");

  {
    INFO("clientId");
    CheckV1Success(V1(port, ClientCredentialsBody(key.client_id, key.client_secret)), 3600);
  }
  {
    INFO("clientID");
    CheckV1Success(V1(port, json::object{{"grantType", "client_credentials"},
                                         {"clientID", key.client_id},
                                         {"clientSecret", key.client_secret}}),
                   3600);
  }
  {
    INFO("app_token with appID");
    CheckV1Success(
        V1(port, json::object{{"grantType", "app_token"}, {"appID", key.client_id}, {"appSecret", key.client_secret}}),
        3600);
  }
  {
    INFO("app_token with appId");
    CheckV1Success(
        V1(port, json::object{{"grantType", "app_token"}, {"appId", key.client_id}, {"appSecret", key.client_secret}}),
        3600);
  }
  {
    INFO("a charset parameter on application/json");
    CheckV1Success(V1Raw(port, json::serialize(ClientCredentialsBody(key.client_id, key.client_secret)),
                         "application/json; charset=utf-8"),
                   3600);
  }
}

TEST_CASE("v1 token endpoint rejects malformed, incomplete and mistyped requests with 400", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();

  const std::vector<std::string> bodies = {
      R"()",
      R"({"grantType":"client_credentials","clientId":"abc")",
      R"({"grantType":"client_credentials","clientId":"abc","clientSecret":"def"} trailing)",
      R"({"grantType":"client_credentials",})",
      R"([])",
      R"(["client_credentials"])",
      R"("client_credentials")",
      R"(42)",
      R"(null)",
      R"({})",
      R"({"clientId":"abc","clientSecret":"def"})",
      R"({"grantType":null,"clientId":"abc","clientSecret":"def"})",
      R"({"grantType":5,"clientId":"abc","clientSecret":"def"})",
      R"({"grantType":["client_credentials"],"clientId":"abc","clientSecret":"def"})",
      R"({"grantType":"client_credentials","clientSecret":"def"})",
      R"({"grantType":"client_credentials","clientId":"abc"})",
      R"({"grantType":"client_credentials","clientId":5,"clientSecret":"def"})",
      R"({"grantType":"client_credentials","clientId":null,"clientSecret":"def"})",
      R"({"grantType":"client_credentials","clientId":"abc","clientSecret":["def"]})",
      R"({"grantType":"client_credentials","clientId":"abc","clientSecret":{"v":"def"}})",
      R"({"grantType":"client_credentials","clientId":"abc","clientSecret":true})",
      R"({"grantType":"app_token","appID":"abc"})",
      R"({"grantType":"app_token","appSecret":"def"})",
      R"({"grantType":"app_token","appId":7,"appSecret":"def"})",
      R"({"grantType":"password","username":"admin@example.com"})",
      R"({"grantType":"password","password":"x"})",
      R"({"grantType":"password","username":1,"password":"x"})",
      R"({"grantType":"password","username":"admin@example.com","password":null})",
      R"({"grantType":"authorization_code","clientId":"abc","clientSecret":"def"})",
      R"({"grantType":"refresh_token","refreshToken":"abc"})",
      R"({"grantType":"","clientId":"abc","clientSecret":"def"})",
  };
  for (const std::string& body : bodies) {
    INFO("body: " << body);
    CheckV1Error(V1Raw(port, body), 400);
  }
}

TEST_CASE("v1 token endpoint answers 401 with one message whichever credential part is wrong", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "ci-key");

  const std::string wrong_secret =
      CheckV1Error(V1(port, ClientCredentialsBody(key.client_id, key.client_secret + "x")), 401);
  const std::string unknown_id =
      CheckV1Error(V1(port, ClientCredentialsBody("no-such-client-id", key.client_secret)), 401);
  const std::string swapped = CheckV1Error(V1(port, ClientCredentialsBody(key.client_secret, key.client_id)), 401);
  const std::string app_wrong = CheckV1Error(
      V1(port, json::object{{"grantType", "app_token"}, {"appID", key.client_id}, {"appSecret", "nope"}}), 401);
  CHECK(wrong_secret == unknown_id);
  CHECK(wrong_secret == swapped);
  CHECK(wrong_secret == app_wrong);

  // Password logins: the same answer for an unknown user as for a wrong
  // password. (That both cost one KDF run is measured in bench/, not timed here.)
  const std::string wrong_password = CheckV1Error(V1(port, PasswordBody(kAdminEmail, "wrong-password")), 401);
  const std::string unknown_user = CheckV1Error(V1(port, PasswordBody("nobody@example.com", kAdminPassword)), 401);
  CHECK(wrong_password == unknown_user);
}

TEST_CASE("v1 token endpoint answers 415 when the body is not declared as JSON", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string body = R"({"grantType":"client_credentials","clientId":"abc","clientSecret":"def"})";
  for (const std::string content_type :
       {"text/plain", "application/x-www-form-urlencoded", "", "application/jsonx", "text/json"}) {
    INFO("Content-Type: '" << content_type << "'");
    CheckV1Error(V1Raw(port, body, content_type), 415);
  }
}

TEST_CASE("v2 token endpoint accepts client_secret_basic with form-urlencoded credentials", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "basic-key");
  const std::string form = "grant_type=client_credentials";

  {
    INFO("credentials form-encoded (unreserved characters stay as they are)");
    CheckV2Success(
        V2(port, form, {{"Authorization", BasicHeader(FormEncode(key.client_id), FormEncode(key.client_secret))}}),
        3600);
  }
  {
    INFO("every byte percent-encoded, so the server must form-decode before comparing");
    CheckV2Success(
        V2(port, form,
           {{"Authorization", BasicHeader(PercentEncodeAll(key.client_id), PercentEncodeAll(key.client_secret))}}),
        3600);
  }
  {
    INFO("an encoded '-' or '_' (%2D / %5F) in the secret");
    std::string secret = key.client_secret;
    std::string encoded;
    for (const char c : secret) {
      if (c == '-') {
        encoded += "%2D";
      } else if (c == '_') {
        encoded += "%5F";
      } else {
        encoded += c;
      }
    }
    CheckV2Success(V2(port, form, {{"Authorization", BasicHeader(key.client_id, encoded)}}), 3600);
  }
  {
    INFO("the scheme name is case-insensitive (RFC 7235 §2.1)");
    CheckV2Success(
        V2(port, form, {{"Authorization", "basic " + Base64Encode(key.client_id + ":" + key.client_secret)}}), 3600);
  }
  {
    INFO("a Basic secret that decodes to something else is invalid_client");
    const HttpResponse response =
        V2(port, form, {{"Authorization", BasicHeader(key.client_id, PercentEncodeAll(key.client_secret) + "%41")}});
    CheckOAuthError(response, 401, "invalid_client");
    CHECK(response.Header("WWW-Authenticate") == R"(Basic realm="keymint")");
  }
}

TEST_CASE("v2 token endpoint supports client_secret_post and the password grant", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();

  const std::string admin = CheckV2Success(
      V2(port, "grant_type=password&username=" + FormEncode(kAdminEmail) + "&password=" + FormEncode(kAdminPassword)),
      3600);
  const json::object admin_claims = JwtClaims(admin);
  CHECK_FALSE(admin_claims.contains("client_id"));
  CHECK(StringField(admin_claims, "preferred_username") == kAdminEmail);

  const CreatedKey key = CreateAccessKey(port, admin, "post-key");
  const std::string token =
      CheckV2Success(V2(port, "grant_type=client_credentials&client_id=" + FormEncode(key.client_id) +
                                  "&client_secret=" + FormEncode(key.client_secret)),
                     3600);
  CHECK(StringField(JwtClaims(token), "client_id") == key.client_id);

  // Parameter order does not matter, and encoded names are decoded too.
  CheckV2Success(V2(port, "client_secret=" + PercentEncodeAll(key.client_secret) +
                              "&client_id=" + PercentEncodeAll(key.client_id) + "&grant_type=client_credentials"),
                 3600);
  // A form Content-Type with a charset parameter is still a form.
  CheckV2Success(
      V2(port, "grant_type=client_credentials&client_id=" + key.client_id + "&client_secret=" + key.client_secret,
         {{"Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"}}),
      3600);
}

TEST_CASE("v2 token endpoint answers every RFC 6749 error with the right code", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "errors-key");
  const std::string id = key.client_id, secret = key.client_secret;
  const std::string post_credentials = "&client_id=" + id + "&client_secret=" + secret;
  const std::string basic = BasicHeader(id, secret);

  {
    INFO("a JSON body is not a form");
    CheckOAuthError(
        V2(port,
           R"({"grant_type":"client_credentials","client_id":")" + id + R"(","client_secret":")" + secret + R"("})",
           {{"Content-Type", "application/json"}}),
        400, "invalid_request");
  }
  {
    INFO("a form body declared as text/plain");
    CheckOAuthError(V2(port, "grant_type=client_credentials" + post_credentials, {{"Content-Type", "text/plain"}}), 400,
                    "invalid_request");
  }
  {
    INFO("no Content-Type");
    CheckOAuthError(Send(port, "POST", "/api/v2/token", "grant_type=client_credentials" + post_credentials), 400,
                    "invalid_request");
  }
  {
    INFO("missing grant_type");
    CheckOAuthError(V2(port, post_credentials.substr(1)), 400, "invalid_request");
  }
  {
    INFO("empty body");
    CheckOAuthError(V2(port, ""), 400, "invalid_request");
  }
  {
    INFO("unknown grant_type");
    CheckOAuthError(V2(port, "grant_type=authorization_code" + post_credentials), 400, "unsupported_grant_type");
    CheckOAuthError(V2(port, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" + post_credentials),
                    400, "unsupported_grant_type");
  }
  {
    INFO("repeated grant_type");
    CheckOAuthError(V2(port, "grant_type=client_credentials&grant_type=client_credentials" + post_credentials), 400,
                    "invalid_request");
  }
  {
    INFO("repeated client_id");
    CheckOAuthError(V2(port, "grant_type=client_credentials&client_id=" + id + post_credentials), 400,
                    "invalid_request");
  }
  {
    INFO("Basic and body credentials together");
    CheckOAuthError(V2(port, "grant_type=client_credentials" + post_credentials, {{"Authorization", basic}}), 400,
                    "invalid_request");
  }

  std::string post_wrong_body;
  {
    INFO("client_secret_post with a wrong secret: invalid_client without a Basic challenge");
    const HttpResponse response =
        V2(port, "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret + "x");
    CheckOAuthError(response, 401, "invalid_client");
    CHECK(response.Header("WWW-Authenticate").empty());
    post_wrong_body = response.body;
  }
  {
    INFO("client_secret_post with an unknown client: the same answer");
    const HttpResponse response =
        V2(port, "grant_type=client_credentials&client_id=no-such-client&client_secret=" + secret);
    CheckOAuthError(response, 401, "invalid_client");
    CHECK(response.Header("WWW-Authenticate").empty());
    CHECK(response.body == post_wrong_body);
  }
  {
    INFO("client_secret_basic with a wrong secret: invalid_client with a Basic challenge");
    const HttpResponse response =
        V2(port, "grant_type=client_credentials", {{"Authorization", BasicHeader(id, secret + "x")}});
    CheckOAuthError(response, 401, "invalid_client");
    CHECK(response.Header("WWW-Authenticate") == R"(Basic realm="keymint")");
  }
  {
    INFO("client_secret_basic with an unknown client");
    const HttpResponse response =
        V2(port, "grant_type=client_credentials", {{"Authorization", BasicHeader("no-such-client", secret)}});
    CheckOAuthError(response, 401, "invalid_client");
    CHECK(response.Header("WWW-Authenticate") == R"(Basic realm="keymint")");
  }
  {
    INFO("client_credentials with no client authentication at all");
    const HttpResponse response = V2(port, "grant_type=client_credentials");
    INFO(response.status << " " << response.body);
    CHECK((response.status == 400 || response.status == 401));
    CheckOAuthError(response, response.status, response.status == 400 ? "invalid_request" : "invalid_client");
  }
  {
    INFO("client_secret_post without the secret");
    const HttpResponse response = V2(port, "grant_type=client_credentials&client_id=" + id);
    CHECK((response.status == 400 || response.status == 401));
    CheckOAuthError(response, response.status, response.status == 400 ? "invalid_request" : "invalid_client");
  }
  {
    INFO("a Basic header that is not base64 of id:secret");
    for (const std::string& header :
         std::vector<std::string>{"Basic !!!not-base64!!!", "Basic " + Base64Encode("no-colon-here"), "Basic "}) {
      INFO("Authorization: " << header);
      const HttpResponse response = V2(port, "grant_type=client_credentials", {{"Authorization", header}});
      CHECK((response.status == 400 || response.status == 401));
      CheckOAuthError(response, response.status, response.status == 400 ? "invalid_request" : "invalid_client");
    }
  }

  std::string wrong_password_body;
  {
    INFO("password grant with a wrong password");
    const HttpResponse response =
        V2(port, "grant_type=password&username=" + FormEncode(kAdminEmail) + "&password=wrong-password");
    CheckOAuthError(response, 400, "invalid_grant");
    wrong_password_body = response.body;
  }
  {
    INFO("password grant for an unknown user: the same answer");
    const HttpResponse response =
        V2(port, "grant_type=password&username=nobody%40example.com&password=" + FormEncode(kAdminPassword));
    CheckOAuthError(response, 400, "invalid_grant");
    CHECK(response.body == wrong_password_body);
  }
  {
    INFO("password grant without a password");
    CheckOAuthError(V2(port, "grant_type=password&username=" + FormEncode(kAdminEmail)), 400, "invalid_request");
  }
  {
    INFO("password grant without a username");
    CheckOAuthError(V2(port, "grant_type=password&password=x"), 400, "invalid_request");
  }
}

TEST_CASE("client-credentials tokens carry the owner's identity, roles, lifetime and a unique jti", "[integration]") {
  ProcessOptions options;
  options.env["KEYMINT_TOKEN_TTL"] = "900";
  KeymintProcess server(options);
  const uint16_t port = server.port();
  const std::string issuer = "http://127.0.0.1:" + std::to_string(port);

  const std::string admin = AdminToken(port);
  const CreatedUser user = CreateUser(port, admin, "alice@example.com", {"ML engineer", "Viewer"});
  const CreatedKey key = CreateAccessKey(port, user.token, "alice-ci");

  const auto before = std::time(nullptr);
  const std::string first = CheckV1Success(V1(port, ClientCredentialsBody(key.client_id, key.client_secret)), 900);
  const std::string second = CheckV2Success(
      V2(port, "grant_type=client_credentials", {{"Authorization", BasicHeader(key.client_id, key.client_secret)}}),
      900);
  const auto after = std::time(nullptr);

  const json::object jwks = FetchJwks(port);
  REQUIRE(jwks.contains("keys"));
  REQUIRE(jwks.at("keys").is_array());
  REQUIRE(jwks.at("keys").as_array().size() == 1);
  const std::string server_kid = StringField(jwks.at("keys").as_array()[0].as_object(), "kid");

  std::set<std::string> jtis;
  for (const std::string& token : {first, second}) {
    INFO("token " << token);
    const json::object header = JwtHeader(token);
    CHECK(Keys(header) == std::vector<std::string>{"alg", "kid", "typ"});
    CHECK(StringField(header, "alg") == "RS256");
    CHECK(StringField(header, "typ") == "JWT");
    CHECK(StringField(header, "kid") == server_kid);

    const json::object claims = JwtClaims(token);
    CHECK(Keys(claims) == std::vector<std::string>{"aud", "client_id", "exp", "gen", "iat", "iss", "jti", "nbf",
                                                   "preferred_username", "roles", "sub"});
    CHECK(IntClaim(claims, "gen") == 0);  // the key's generation: never regenerated
    CHECK(StringField(claims, "iss") == issuer);
    CHECK(StringField(claims, "aud") == issuer);
    CHECK(StringField(claims, "sub") == user.id);
    CHECK(StringField(claims, "client_id") == key.client_id);
    CHECK(StringField(claims, "preferred_username") == "alice@example.com");
    CHECK(StringSetField(claims, "roles") == std::set<std::string>{"ML engineer", "Viewer"});
    const int64_t iat = IntClaim(claims, "iat"), nbf = IntClaim(claims, "nbf"), exp = IntClaim(claims, "exp");
    CHECK(iat >= before - 1);
    CHECK(iat <= after + 1);
    CHECK(nbf <= iat);
    CHECK(nbf >= iat - 300);
    CHECK(exp == iat + 900);
    const std::string jti = StringField(claims, "jti");
    CHECK_FALSE(jti.empty());
    jtis.insert(jti);
  }
  CHECK(jtis.size() == 2);

  {
    INFO("a password-grant token names the user and has no client_id");
    const json::object claims = JwtClaims(user.token);
    CHECK(Keys(claims) == std::vector<std::string>{"aud", "exp", "gen", "iat", "iss", "jti", "nbf",
                                                   "preferred_username", "roles", "sub"});
    CHECK(IntClaim(claims, "gen") == 0);  // the user's generation
    CHECK(StringField(claims, "sub") == user.id);
    CHECK(StringField(claims, "preferred_username") == "alice@example.com");
    CHECK(StringSetField(claims, "roles") == std::set<std::string>{"ML engineer", "Viewer"});
    CHECK(IntClaim(claims, "exp") == IntClaim(claims, "iat") + 900);
    CHECK(StringField(claims, "jti") != StringField(JwtClaims(first), "jti"));
  }
  {
    INFO("the first admin's token carries System administrator");
    const json::object claims = JwtClaims(admin);
    CHECK(StringSetField(claims, "roles").count("System administrator") == 1);
    CHECK(StringField(claims, "sub") == UserIdByEmail(port, admin, kAdminEmail));
  }
}

TEST_CASE("a role change through PUT /api/v1/users/{id}/roles shows in the next token", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedUser user = CreateUser(port, admin, "bob@example.com", {"Viewer"});
  const CreatedKey key = CreateAccessKey(port, user.token, "bob-key");

  const std::string before = ClientCredentialsToken(port, key.client_id, key.client_secret);
  REQUIRE_FALSE(before.empty());
  CHECK(StringSetField(JwtClaims(before), "roles") == std::set<std::string>{"Viewer"});

  const HttpResponse put = PutJson(port, "/api/v1/users/" + user.id + "/roles",
                                   json::object{{"roles", json::array{"Editor", "L1 researcher"}}}, admin);
  INFO("PUT roles: " << put.status << " " << put.body);
  const json::object updated = CheckJsonObject(
      put, 200, {"createdAt", "createdBy", "id", "isLocal", "lastLogin", "roles", "updatedAt", "username"});
  CHECK(StringField(updated, "id") == user.id);
  CHECK(StringSetField(updated, "roles") == std::set<std::string>{"Editor", "L1 researcher"});

  const std::string after = ClientCredentialsToken(port, key.client_id, key.client_secret);
  REQUIRE_FALSE(after.empty());
  CHECK(StringSetField(JwtClaims(after), "roles") == std::set<std::string>{"Editor", "L1 researcher"});

  {
    INFO("an unknown role name is 400 and changes nothing");
    const HttpResponse bad = PutJson(port, "/api/v1/users/" + user.id + "/roles",
                                     json::object{{"roles", json::array{"Editor", "Overlord"}}}, admin);
    CheckError(bad, 400);
    const std::string unchanged = ClientCredentialsToken(port, key.client_id, key.client_secret);
    REQUIRE_FALSE(unchanged.empty());
    CHECK(StringSetField(JwtClaims(unchanged), "roles") == std::set<std::string>{"Editor", "L1 researcher"});
  }
}

TEST_CASE("a regenerated secret replaces the old one at once", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "rotating");
  REQUIRE_FALSE(ClientCredentialsToken(port, key.client_id, key.client_secret).empty());

  const HttpResponse regenerated =
      Send(port, "POST", "/api/v1/access-keys/" + key.id + "/secret", "", {{"Authorization", "Bearer " + admin}});
  INFO("regenerate: " << regenerated.status << " " << regenerated.body);
  const std::string new_secret = StringField(CheckJsonObject(regenerated, 200, {"clientSecret"}), "clientSecret");
  CHECK(new_secret != key.client_secret);

  CheckV1Error(V1(port, ClientCredentialsBody(key.client_id, key.client_secret)), 401);
  CheckOAuthError(
      V2(port, "grant_type=client_credentials&client_id=" + key.client_id + "&client_secret=" + key.client_secret), 401,
      "invalid_client");
  CheckV1Success(V1(port, ClientCredentialsBody(key.client_id, new_secret)), 3600);
  CheckV2Success(V2(port, "grant_type=client_credentials", {{"Authorization", BasicHeader(key.client_id, new_secret)}}),
                 3600);
}

TEST_CASE("a deleted access key no longer mints tokens", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "short-lived");
  const CreatedKey other = CreateAccessKey(port, admin, "survivor");
  REQUIRE_FALSE(ClientCredentialsToken(port, key.client_id, key.client_secret).empty());

  const HttpResponse deleted = Delete(port, "/api/v1/access-keys/" + key.id, admin);
  INFO("delete: " << deleted.status << " " << deleted.body);
  REQUIRE(deleted.status == 204);

  CheckV1Error(V1(port, ClientCredentialsBody(key.client_id, key.client_secret)), 401);
  CheckOAuthError(
      V2(port, "grant_type=client_credentials", {{"Authorization", BasicHeader(key.client_id, key.client_secret)}}),
      401, "invalid_client");
  CHECK_FALSE(ClientCredentialsToken(port, other.client_id, other.client_secret).empty());
}

TEST_CASE("deleting a user revokes their access keys and their bearer tokens", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedUser user = CreateUser(port, admin, "carol@example.com", {"Viewer"});
  const CreatedKey key = CreateAccessKey(port, user.token, "carol-key");
  const std::string key_token = ClientCredentialsToken(port, key.client_id, key.client_secret);
  REQUIRE_FALSE(key_token.empty());
  REQUIRE(Get(port, "/api/v1/access-keys", user.token).status == 200);
  REQUIRE(Get(port, "/api/v1/access-keys", key_token).status == 200);

  const HttpResponse deleted = Delete(port, "/api/v1/users/" + user.id, admin);
  INFO("delete user: " << deleted.status << " " << deleted.body);
  REQUIRE(deleted.status == 204);

  CheckV1Error(V1(port, ClientCredentialsBody(key.client_id, key.client_secret)), 401);
  for (const std::string& token : {user.token, key_token}) {
    const HttpResponse response = Get(port, "/api/v1/access-keys", token);
    CheckError(response, 401);
    CHECK(response.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
  }
  CHECK(Get(port, "/api/v1/users/" + user.id, admin).status == 404);
}

TEST_CASE("an exchange sets lastLogin on the key and a password login on the user", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "watched");
  const std::string target = "/api/v1/access-keys/" + key.id;

  const HttpResponse fresh = Get(port, target, admin);
  REQUIRE(fresh.status == 200);
  const json::value fresh_body = fresh.Json();
  REQUIRE(fresh_body.is_object());
  REQUIRE(fresh_body.as_object().contains("lastLogin"));
  CHECK(fresh_body.as_object().at("lastLogin").is_null());
  const std::string created_at = StringField(fresh_body.as_object(), "createdAt");

  REQUIRE_FALSE(ClientCredentialsToken(port, key.client_id, key.client_secret).empty());
  const auto start = std::chrono::steady_clock::now();
  // The contract says visible within 1 s; polling up to 2 s leaves room for a loaded machine.
  const std::string last_login = WaitForLastLogin(port, admin, target, 2000);
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  INFO("lastLogin appeared after " << waited.count() << " ms");
  REQUIRE_FALSE(last_login.empty());
  CHECK(IsTimestamp(last_login));
  CHECK(last_login >= created_at);

  const std::string admin_id = UserIdByEmail(port, admin, kAdminEmail);
  REQUIRE_FALSE(admin_id.empty());
  const std::string user_login = WaitForLastLogin(port, admin, "/api/v1/users/" + admin_id, 2000);
  CHECK(IsTimestamp(user_login));
}

}  // namespace keymint::testing
