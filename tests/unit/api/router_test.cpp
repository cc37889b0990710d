// The router built by api::MakeRouter over real services (store and keys in a
// scratch directory), driven with plain Request values: no socket.
#include "keymint/api/router.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "keymint/api/api.hpp"
#include "keymint/api/http_error.hpp"
#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/jws.hpp"
#include "keymint/service/access_key_service.hpp"
#include "keymint/service/authenticator.hpp"
#include "keymint/service/user_service.hpp"
#include "unit/test_support/jwt.hpp"
#include "unit/test_support/service_env.hpp"

namespace api = keymint::api;
namespace json = boost::json;
using keymint::AccessKeyService;
using keymint::Authenticator;
using keymint::RoleCatalog;
using keymint::ServiceAccountService;
using keymint::TokenService;
using keymint::UserRecord;
using keymint::UserService;
using keymint::testing::DefaultTokenSettings;
using keymint::testing::ServiceEnv;

namespace {

constexpr const char* kIssuer = "https://keymint.test";
constexpr const char* kJson = "application/json";
constexpr const char* kForm = "application/x-www-form-urlencoded";
const std::string kLink = "</api/v1/access-keys>; rel=\"successor-version\"";

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The value of the one header called `name` (case-insensitive); nullopt when absent.
std::optional<std::string> Header(const api::Response& response, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [key, value] : response.headers) {
    if (Lower(key) != Lower(name)) continue;
    REQUIRE_FALSE(found.has_value());  // sent once
    found = value;
  }
  return found;
}

json::value BodyOf(const api::Response& response) {
  json::error_code ec;
  json::value value = json::parse(response.body, ec);
  INFO(response.body);
  REQUIRE_FALSE(ec);
  return value;
}

// The Error shape {"code": status, "message": "..."} and nothing else.
void CheckErrorShape(const api::Response& response, int status) {
  INFO(response.body);
  CHECK(response.status == status);
  CHECK(response.content_type == "application/json");
  json::value body = BodyOf(response);
  REQUIRE(body.is_object());
  CHECK(body.as_object().size() == 2);
  CHECK(body.at("code").as_int64() == status);
  CHECK_FALSE(body.at("message").as_string().empty());
}

// `link` is the successor's; the migration guide's follows it in the same header.
void CheckDeprecated(const api::Response& response, const std::string& link = kLink) {
  CHECK(Header(response, "Deprecation") == "@1735689600");
  CHECK(Header(response, "Link") == link + ", </docs/migration>; rel=\"deprecation\"; type=\"text/markdown\"");
  CHECK_FALSE(Header(response, "Sunset").has_value());
}

std::vector<std::string> AllowList(const api::Response& response) {
  auto allow = Header(response, "Allow");
  REQUIRE(allow.has_value());
  std::vector<std::string> methods;
  std::size_t start = 0;
  while (start <= allow->size()) {
    std::size_t comma = allow->find(',', start);
    if (comma == std::string::npos) comma = allow->size();
    std::string method = allow->substr(start, comma - start);
    while (!method.empty() && method.front() == ' ') method.erase(0, 1);
    methods.push_back(method);
    start = comma + 1;
  }
  std::sort(methods.begin(), methods.end());
  return methods;
}

// One request's strings, kept alive while the router's views point at them.
struct Call {
  Call(std::string m, std::string t, std::string b = "", std::string type = "", std::string auth = "")
      : method(std::move(m)),
        target(std::move(t)),
        body(std::move(b)),
        content_type(std::move(type)),
        authorization(std::move(auth)) {}

  std::string method;
  std::string target;
  std::string body;
  std::string content_type;
  std::string authorization;

  api::Request AsRequest() const {
    api::Request request;
    request.method = method;
    request.target = target;
    request.content_type = content_type;
    request.authorization = authorization;
    request.body = body;
    return request;
  }
};

struct RouterFixture : ServiceEnv {
  RoleCatalog catalog;
  std::unique_ptr<TokenService> tokens = MakeTokens();
  Authenticator authenticator{*store, keys, clock, DefaultTokenSettings().issuer, DefaultTokenSettings().audience};
  AccessKeyService access_keys{*store, hasher, clock, 20};
  UserService users{*store, catalog, clock, limiter};
  ServiceAccountService service_accounts{*store, hasher, catalog, clock};
  std::unique_ptr<api::Router> router = api::MakeRouter(api::ApiServices{
      *tokens, authenticator, access_keys, users, service_accounts, keys, kIssuer, "1", 1735689600, std::nullopt});
  UserRecord admin = AddUser("admin@example.com", {"System administrator"}, "admin-password");
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "ada-password");

  // Dispatches and, when the outcome is deferred, runs it as the pool would.
  // `was_ready` tells which of the two the router chose.
  api::Response Send(const Call& call, bool* was_ready = nullptr) {
    api::Request request = call.AsRequest();
    api::Outcome outcome = router->Dispatch(request);
    REQUIRE(outcome.ready.has_value() != static_cast<bool>(outcome.deferred));  // exactly one
    if (was_ready) *was_ready = outcome.ready.has_value();
    if (outcome.ready) return std::move(*outcome.ready);
    return outcome.deferred();
  }

  std::string Bearer(const UserRecord& user, const std::string& password) {
    auto issued = tokens->ExchangePassword(user.email, password);
    REQUIRE(issued.ok());
    return "Bearer " + issued->jwt;
  }
  std::string AdaBearer() { return Bearer(ada, "ada-password"); }
  std::string AdminBearer() { return Bearer(admin, "admin-password"); }
};

// The answer of a router other than the fixture's, which must be ready (the
// operations routes and 404s all run inline).
api::Response SendTo(const api::Router& router, const Call& call) {
  const api::Request request = call.AsRequest();
  api::Outcome outcome = router.Dispatch(request);
  REQUIRE(outcome.ready.has_value());
  return std::move(*outcome.ready);
}

TEST_CASE_METHOD(RouterFixture, "readyz answers 503 in the Error shape naming the failing check; healthz stays 200",
                 "[api]") {
  api::Readiness readiness;
  bool draining = false;
  readiness.Add("store", [] { return keymint::Status::Ok(); });
  readiness.Add("draining", [&draining]() -> keymint::Status {
    return draining ? keymint::Status(keymint::Error::Unavailable("keymint is shutting down")) : keymint::Status::Ok();
  });
  const auto ops = api::MakeRouter(api::ApiServices{*tokens, authenticator, access_keys, users, service_accounts, keys,
                                                    kIssuer, "1", 1735689600, std::nullopt, &readiness, nullptr});
  CHECK(SendTo(*ops, {"GET", "/readyz"}).body == R"({"status":"ready"})");
  draining = true;
  const api::Response response = SendTo(*ops, {"GET", "/readyz"});
  CheckErrorShape(response, 503);
  CHECK(response.body.find("not ready: draining: keymint is shutting down") != std::string::npos);
  CHECK(Header(response, "Retry-After") == "1");
  CHECK(Header(response, "Cache-Control") == "no-store");
  CHECK(SendTo(*ops, {"GET", "/healthz"}).status == 200);
}

TEST_CASE_METHOD(RouterFixture, "each route set serves its own routes and answers the others 404", "[api]") {
  const api::ApiServices services{*tokens, authenticator, access_keys, users, service_accounts, keys, kIssuer, "1"};
  const auto main_router = api::MakeRouter(services, api::RouteSet::kApi);
  const auto admin_router = api::MakeRouter(services, api::RouteSet::kOperations);
  for (const char* target : {"/healthz", "/readyz", "/metrics"}) {
    INFO(target);
    CheckErrorShape(SendTo(*main_router, {"GET", target}), 404);
    CHECK(SendTo(*admin_router, {"GET", target}).status == 200);
    CHECK(Send({"GET", target}).status == 200);  // RouteSet::kAll, the default
  }
  CHECK(SendTo(*main_router, {"GET", "/.well-known/jwks.json"}).status == 200);
  CheckErrorShape(SendTo(*admin_router, {"GET", "/.well-known/jwks.json"}), 404);
  CheckErrorShape(SendTo(*admin_router, {"POST", "/api/v1/token", "{}", "application/json"}), 404);
  CheckErrorShape(SendTo(*admin_router, {"GET", "/api/v1/users"}), 404);
}

}  // namespace

TEST_CASE_METHOD(RouterFixture, "an unknown path is a ready 404 in the Error shape", "[api]") {
  for (const char* target : {"/index.html", "/api", "/api/v1/nothing", "/api/v1/access-keys/x/y/z",
                             "/api/v1/access-keys/", "/.well-known/other"}) {
    INFO(target);
    bool ready = false;
    api::Response response = Send({"GET", target}, &ready);
    CHECK(ready);
    CheckErrorShape(response, 404);
  }
}

TEST_CASE_METHOD(RouterFixture, "a known path with the wrong method is a ready 405 listing the allowed methods",
                 "[api]") {
  bool ready = false;
  api::Response response = Send({"DELETE", "/api/v1/access-keys"}, &ready);
  CHECK(ready);
  CheckErrorShape(response, 405);
  CHECK(AllowList(response) == std::vector<std::string>{"GET", "POST"});

  response = Send({"GET", "/api/v1/token"});
  CheckErrorShape(response, 405);
  CHECK(AllowList(response) == std::vector<std::string>{"POST"});

  response = Send({"PATCH", "/api/v1/users/" + ada.id});
  CheckErrorShape(response, 405);
  CHECK(AllowList(response) == std::vector<std::string>{"DELETE", "GET"});

  response = Send({"POST", "/.well-known/jwks.json"});
  CheckErrorShape(response, 405);
  CHECK(AllowList(response) == std::vector<std::string>{"GET"});
  CHECK_FALSE(Header(response, "Deprecation").has_value());
}

TEST_CASE_METHOD(RouterFixture, "a management route is deferred and answers 401 with WWW-Authenticate without a token",
                 "[api]") {
  for (const char* target :
       {"/api/v1/access-keys", "/api/v1/users", "/api/v1/authorization/roles", "/api/v1/administration/access-keys"}) {
    INFO(target);
    bool ready = true;
    api::Response response = Send({"GET", target}, &ready);
    CHECK_FALSE(ready);
    CheckErrorShape(response, 401);
    CHECK(Header(response, "WWW-Authenticate") == "Bearer realm=\"keymint\"");
    CHECK_FALSE(Header(response, "Deprecation").has_value());
  }
}

TEST_CASE_METHOD(RouterFixture, "a management route answers 401 for a bad or foreign token", "[api]") {
  for (std::string authorization : {std::string("Bearer not-a-token"), std::string("Basic YTpi"), AdaBearer() + "x"}) {
    INFO(authorization);
    api::Response response = Send({"GET", "/api/v1/access-keys", "", "", authorization});
    CheckErrorShape(response, 401);
    CHECK(Header(response, "WWW-Authenticate") == "Bearer realm=\"keymint\"");
  }
}

TEST_CASE_METHOD(RouterFixture, "management routes take the Bearer scheme in any case and refuse other schemes",
                 "[api]") {
  const std::string jwt = AdaBearer().substr(std::string("Bearer ").size());
  for (std::string authorization : {"Bearer " + jwt, "bearer " + jwt, "BEARER " + jwt, "Bearer   " + jwt + " "}) {
    INFO(authorization.substr(0, 12));
    CHECK(Send({"GET", "/api/v1/access-keys", "", "", authorization}).status == 200);
  }
  for (std::string authorization :
       {"Basic " + jwt, jwt, "Token " + jwt, std::string("Bearer"), std::string("Bearer "), "Bearer" + jwt}) {
    INFO(authorization.substr(0, 12));
    api::Response response = Send({"GET", "/api/v1/access-keys", "", "", authorization});
    CheckErrorShape(response, 401);
    CHECK(Header(response, "WWW-Authenticate") == "Bearer realm=\"keymint\"");
  }
}

TEST_CASE_METHOD(RouterFixture, "an admin route answers 403 to a non-admin and 200 to an admin", "[api]") {
  api::Response denied = Send({"GET", "/api/v1/users", "", "", AdaBearer()});
  CheckErrorShape(denied, 403);
  CHECK_FALSE(Header(denied, "WWW-Authenticate").has_value());

  api::Response allowed = Send({"GET", "/api/v1/users", "", "", AdminBearer()});
  CHECK(allowed.status == 200);
  json::value users_json = BodyOf(allowed);
  REQUIRE(users_json.is_array());
  CHECK(users_json.as_array().size() == 2);
}

TEST_CASE_METHOD(RouterFixture, "deprecated user-applications paths carry Deprecation and Link even on 401 and 405",
                 "[api]") {
  api::Response unauthenticated = Send({"GET", "/api/v1/user-applications"});
  CheckErrorShape(unauthenticated, 401);
  CheckDeprecated(unauthenticated);

  api::Response admin_unauthenticated = Send({"GET", "/api/v1/administration/user-applications"});
  CheckErrorShape(admin_unauthenticated, 401);
  CheckDeprecated(admin_unauthenticated);

  api::Response wrong_method = Send({"PUT", "/api/v1/user-applications"});
  CheckErrorShape(wrong_method, 405);
  CheckDeprecated(wrong_method);
  CHECK(AllowList(wrong_method) == std::vector<std::string>{"GET", "POST"});

  api::Response wrong_method_on_item = Send({"PATCH", "/api/v1/user-applications/some-id"});
  CheckErrorShape(wrong_method_on_item, 405);
  CheckDeprecated(wrong_method_on_item);
  CHECK(AllowList(wrong_method_on_item) == std::vector<std::string>{"DELETE", "GET"});

  api::Response forbidden = Send({"GET", "/api/v1/administration/user-applications", "", "", AdaBearer()});
  CheckErrorShape(forbidden, 403);
  CheckDeprecated(forbidden);

  api::Response listed = Send({"GET", "/api/v1/user-applications", "", "", AdaBearer()});
  CHECK(listed.status == 200);
  CheckDeprecated(listed);
  CHECK(BodyOf(listed).is_array());  // bare array, not wrapped
}

TEST_CASE_METHOD(RouterFixture, "an access key created over the API is visible under both names and mints tokens",
                 "[api]") {
  const std::string bearer = AdaBearer();
  api::Response created = Send({"POST", "/api/v1/access-keys", R"({"name":"ci"})", kJson, bearer});
  REQUIRE(created.status == 201);
  json::value key = BodyOf(created);
  const std::string id(key.at("id").as_string());
  const std::string client_id(key.at("clientId").as_string());
  const std::string secret(key.at("clientSecret").as_string());
  CHECK(key.at("name").as_string() == "ci");

  api::Response listed = Send({"GET", "/api/v1/access-keys", "", "", bearer});
  REQUIRE(listed.status == 200);
  CHECK_FALSE(Header(listed, "Deprecation").has_value());
  json::value wrapped = BodyOf(listed);
  REQUIRE(wrapped.at("accessKeys").as_array().size() == 1);
  CHECK(wrapped.at("accessKeys").as_array()[0].at("id").as_string() == id);

  api::Response legacy = Send({"GET", "/api/v1/user-applications/" + id, "", "", bearer});
  CHECK(legacy.status == 200);
  CheckDeprecated(legacy);
  CHECK(BodyOf(legacy).at("clientId").as_string() == client_id);

  api::Response token = Send(
      {"POST", "/api/v1/token",
       R"({"grantType":"client_credentials","clientId":")" + client_id + R"(","clientSecret":")" + secret + R"("})",
       kJson});
  CHECK(token.status == 200);

  // Another user sees it as missing.
  api::Response foreign = Send({"GET", "/api/v1/access-keys/" + id, "", "", AdminBearer()});
  CheckErrorShape(foreign, 404);

  api::Response deleted = Send({"DELETE", "/api/v1/user-applications/" + id, "", "", bearer});
  CHECK(deleted.status == 204);
  CheckDeprecated(deleted);
  CheckErrorShape(Send({"GET", "/api/v1/access-keys/" + id, "", "", bearer}), 404);
}

TEST_CASE_METHOD(RouterFixture, "the v1 token route answers a client-credentials grant at once", "[api]") {
  auto key = AddAccessKey(ada, "ci");
  for (const char* id_field : {"clientId", "clientID"}) {
    INFO(id_field);
    json::object request{
        {"grantType", "client_credentials"}, {id_field, key.record.client_id}, {"clientSecret", key.secret}};
    bool ready = false;
    api::Response response = Send({"POST", "/api/v1/token", json::serialize(request), kJson}, &ready);
    CHECK(ready);
    REQUIRE(response.status == 200);
    json::value body = BodyOf(response);
    CHECK(body.at("expiresIn").as_int64() == 600);
    auto verified = keymint::crypto::VerifyJws(body.at("accessToken").as_string(), keys);
    CHECK(verified.ok());
    CHECK(Header(response, "Cache-Control") == "no-store");
    CHECK(Header(response, "Pragma") == "no-cache");
  }

  json::object legacy{{"grantType", "app_token"}, {"appID", key.record.client_id}, {"appSecret", key.secret}};
  CHECK(Send({"POST", "/api/v1/token", json::serialize(legacy), kJson}).status == 200);
}

TEST_CASE_METHOD(RouterFixture, "the v1 token route answers bad client credentials with 401 in the Error shape",
                 "[api]") {
  auto key = AddAccessKey(ada, "ci");
  json::object request{
      {"grantType", "client_credentials"}, {"clientId", key.record.client_id}, {"clientSecret", "wrong"}};
  bool ready = false;
  api::Response response = Send({"POST", "/api/v1/token", json::serialize(request), kJson}, &ready);
  CHECK(ready);
  CheckErrorShape(response, 401);
  CHECK(Header(response, "Cache-Control") == "no-store");
}

TEST_CASE_METHOD(RouterFixture, "the v1 token route defers a password grant to the pool", "[api]") {
  bool ready = true;
  api::Response response =
      Send({"POST", "/api/v1/token",
            R"({"grantType":"password","username":"ada@example.com","password":"ada-password"})", kJson},
           &ready);
  CHECK_FALSE(ready);
  REQUIRE(response.status == 200);
  json::value body = BodyOf(response);
  CHECK(keymint::testing::JwtClaims(body.at("accessToken").as_string()).at("sub").as_string() == ada.id);

  api::Response wrong = Send(
      {"POST", "/api/v1/token", R"({"grantType":"password","username":"ada@example.com","password":"nope"})", kJson});
  CheckErrorShape(wrong, 401);
}

TEST_CASE_METHOD(RouterFixture, "a password grant goes to the pool however its grant type is spelled", "[api]") {
  // The KDF must never run on an I/O thread: placement reads the grant the way
  // the handler does, escapes included.
  const std::string v1_escaped =
      R"({"grantType":"\u0070assword","username":"ada@example.com","password":"ada-password"})";
  bool ready = true;
  CHECK(Send({"POST", "/api/v1/token", v1_escaped, kJson}, &ready).status == 200);
  CHECK_FALSE(ready);

  for (const char* form : {"grant_type=password&username=ada%40example.com&password=ada-password",
                           "gr%61nt_type=pass%77ord&username=ada%40example.com&password=ada-password"}) {
    INFO(form);
    ready = true;
    CHECK(Send({"POST", "/api/v2/token", form, kForm}, &ready).status == 200);
    CHECK_FALSE(ready);
  }

  // Everything else on a token route is answered inline, errors included.
  for (const auto& [body, type] :
       std::vector<std::pair<std::string, const char*>>{{R"({"grantType":"client_credentials"})", kJson},
                                                        {"{not json", kJson},
                                                        {R"({"grantType":"password"})", kForm},
                                                        {"grant_type=client_credentials", kForm},
                                                        {"grant_type=password", kJson},
                                                        {"grant_type=pass%zzword", kForm}}) {
    INFO(body << " as " << type);
    for (const char* target : {"/api/v1/token", "/api/v2/token"}) {
      ready = false;
      (void)Send({"POST", target, body, type}, &ready);
      CHECK(ready);
    }
  }
}

TEST_CASE_METHOD(RouterFixture, "the v1 token route refuses malformed requests", "[api]") {
  const std::string valid = R"({"grantType":"client_credentials","clientId":"x","clientSecret":"y"})";
  CheckErrorShape(Send({"POST", "/api/v1/token", "{not json", kJson}), 400);
  CheckErrorShape(Send({"POST", "/api/v1/token", "[]", kJson}), 400);
  CheckErrorShape(Send({"POST", "/api/v1/token", valid, "text/plain"}), 415);
  CheckErrorShape(Send({"POST", "/api/v1/token", valid, kForm}), 415);
  CheckErrorShape(Send({"POST", "/api/v1/token", valid, ""}), 415);

  api::Response unsupported = Send({"POST", "/api/v1/token", R"({"grantType":"implicit"})", kJson});
  CheckErrorShape(unsupported, 400);
  CHECK_THAT(std::string(BodyOf(unsupported).at("message").as_string()), Catch::Contains("grantType"));

  api::Response missing =
      Send({"POST", "/api/v1/token", R"({"grantType":"client_credentials","clientId":"x"})", kJson});
  CheckErrorShape(missing, 400);
  CHECK_THAT(std::string(BodyOf(missing).at("message").as_string()), Catch::Contains("clientSecret"));

  CheckErrorShape(Send({"POST", "/api/v1/token", R"({"clientId":"x","clientSecret":"y"})", kJson}), 400);
}

TEST_CASE_METHOD(RouterFixture, "the v2 token route takes client credentials in the body or by Basic", "[api]") {
  auto key = AddAccessKey(ada, "ci");
  const std::string form_creds = "client_id=" + key.record.client_id + "&client_secret=" + key.secret;

  bool ready = false;
  api::Response post = Send({"POST", "/api/v2/token", "grant_type=client_credentials&" + form_creds, kForm}, &ready);
  CHECK(ready);
  REQUIRE(post.status == 200);
  json::value body = BodyOf(post);
  CHECK(body.at("token_type").as_string() == "Bearer");
  CHECK(body.at("expires_in").as_int64() == 600);
  CHECK(keymint::crypto::VerifyJws(body.at("access_token").as_string(), keys).ok());
  CHECK(Header(post, "Cache-Control") == "no-store");
  CHECK(Header(post, "Pragma") == "no-cache");

  const std::string basic = "Basic " + keymint::crypto::Base64Encode(key.record.client_id + ":" + key.secret);
  api::Response by_basic = Send({"POST", "/api/v2/token", "grant_type=client_credentials", kForm, basic});
  CHECK(by_basic.status == 200);

  api::Response both = Send({"POST", "/api/v2/token", "grant_type=client_credentials&" + form_creds, kForm, basic});
  CHECK(both.status == 400);
  CHECK(BodyOf(both).at("error").as_string() == "invalid_request");
}

TEST_CASE_METHOD(RouterFixture, "the v2 token route answers bad client credentials with invalid_client", "[api]") {
  auto key = AddAccessKey(ada, "ci");
  const std::string basic = "Basic " + keymint::crypto::Base64Encode(key.record.client_id + ":wrong");
  api::Response by_basic = Send({"POST", "/api/v2/token", "grant_type=client_credentials", kForm, basic});
  CHECK(by_basic.status == 401);
  CHECK(BodyOf(by_basic).at("error").as_string() == "invalid_client");
  CHECK(Header(by_basic, "WWW-Authenticate") == "Basic realm=\"keymint\"");

  api::Response in_body =
      Send({"POST", "/api/v2/token",
            "grant_type=client_credentials&client_id=" + key.record.client_id + "&client_secret=wrong", kForm});
  CHECK(in_body.status == 401);
  CHECK(BodyOf(in_body).at("error").as_string() == "invalid_client");
  CHECK_FALSE(Header(in_body, "WWW-Authenticate").has_value());
}

TEST_CASE_METHOD(RouterFixture, "the v2 token route defers a password grant and refuses bad requests", "[api]") {
  bool ready = true;
  api::Response ok = Send(
      {"POST", "/api/v2/token", "grant_type=password&username=ada%40example.com&password=ada-password", kForm}, &ready);
  CHECK_FALSE(ready);
  CHECK(ok.status == 200);

  api::Response wrong =
      Send({"POST", "/api/v2/token", "grant_type=password&username=ada%40example.com&password=nope", kForm});
  CHECK(wrong.status == 400);
  CHECK(BodyOf(wrong).at("error").as_string() == "invalid_grant");

  api::Response unsupported = Send({"POST", "/api/v2/token", "grant_type=implicit", kForm});
  CHECK(unsupported.status == 400);
  CHECK(BodyOf(unsupported).at("error").as_string() == "unsupported_grant_type");

  for (auto [body, type] : {std::pair<std::string, std::string>{"", kForm},
                            std::pair<std::string, std::string>{"grant_type=client_credentials", kForm},
                            std::pair<std::string, std::string>{"grant_type=a&grant_type=b", kForm},
                            std::pair<std::string, std::string>{"grant_type=client_credentials", kJson}}) {
    INFO(type << ": " << body);
    api::Response bad = Send({"POST", "/api/v2/token", body, type});
    CHECK(bad.status == 400);
    CHECK(BodyOf(bad).at("error").as_string() == "invalid_request");
  }
}

// Found by the router fuzz target (tests/fuzz/regressions/router/): error
// messages quoted request bytes as they were, and bytes that are not UTF-8
// made the answer invalid JSON.
TEST_CASE_METHOD(RouterFixture, "errors that quote request bytes stay valid JSON", "[api]") {
  api::Response repeated = Send({"POST", "/api/v2/token", "%FF%0A=1&%ff%0a=2", kForm});
  CHECK(repeated.status == 400);
  CHECK(BodyOf(repeated).at("error_description").as_string() == "parameter %FF%0A is repeated");

  api::Response method = Send({"P\xffST", "/api/v1/token"});
  CheckErrorShape(method, 405);
  CHECK(BodyOf(method).at("message").as_string() == "method P%FFST is not allowed here");
}

TEST_CASE_METHOD(RouterFixture, "the JWKS publishes the active key", "[api]") {
  bool ready = false;
  api::Response response = Send({"GET", "/.well-known/jwks.json"}, &ready);
  CHECK(ready);
  REQUIRE(response.status == 200);
  CHECK(response.content_type == "application/json");
  json::value body = BodyOf(response);
  const json::array& published = body.at("keys").as_array();
  REQUIRE(published.size() == 1);
  const json::object& jwk = published[0].as_object();
  CHECK(jwk.at("kty").as_string() == "RSA");
  CHECK(jwk.at("use").as_string() == "sig");
  CHECK(jwk.at("alg").as_string() == "RS256");
  CHECK(jwk.at("kid").as_string() == keys.active().kid());
  CHECK(jwk == json::parse(keys.active().public_jwk()).as_object());  // with its n and e
}

TEST_CASE_METHOD(RouterFixture, "both metadata documents describe the issuer, endpoints and algorithms", "[api]") {
  for (const char* target : {"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server",
                             "/.well-known/openid-configuration?unused=1"}) {
    INFO(target);
    api::Response response = Send({"GET", target});
    REQUIRE(response.status == 200);
    json::value doc = BodyOf(response);
    auto strings = [&](const char* field) {
      std::vector<std::string> out;
      for (const auto& v : doc.at(field).as_array()) out.emplace_back(v.as_string());
      return out;
    };
    auto has = [&](const char* field, const char* value) {
      auto values = strings(field);
      return std::find(values.begin(), values.end(), value) != values.end();
    };
    CHECK(doc.at("issuer").as_string() == kIssuer);
    CHECK(doc.at("token_endpoint").as_string() == std::string(kIssuer) + "/api/v2/token");
    CHECK(doc.at("jwks_uri").as_string() == std::string(kIssuer) + "/.well-known/jwks.json");
    CHECK(has("grant_types_supported", "client_credentials"));
    CHECK(has("grant_types_supported", "password"));
    CHECK(has("token_endpoint_auth_methods_supported", "client_secret_basic"));
    CHECK(has("token_endpoint_auth_methods_supported", "client_secret_post"));
    CHECK_FALSE(strings("response_types_supported").empty());
    CHECK_FALSE(strings("subject_types_supported").empty());
    CHECK(strings("id_token_signing_alg_values_supported") == std::vector<std::string>{"RS256"});
  }
}

TEST_CASE_METHOD(
    RouterFixture,
    "switched to ES256 with the RSA key still there: both published, ES256 advertised first, both accepted", "[api]") {
  namespace crypto = keymint::crypto;
  std::filesystem::create_directories(dir.Sub("mixed-keys"));
  {
    std::ofstream out(dir.Sub("mixed-keys") + "/signing-20200101T000000.pem", std::ios::binary);
    out << keys.active().PrivatePem();  // the RSA key the fixture's tokens are signed with
  }
  auto ring = crypto::KeyRing::Open(dir.Sub("mixed-keys"), crypto::SigningAlgorithm::kEs256);
  REQUIRE(ring.ok());
  std::unique_ptr<TokenService> es_tokens = MakeTokens(DefaultTokenSettings(), &*ring);
  Authenticator es_authenticator{*store, *ring, clock, DefaultTokenSettings().issuer, DefaultTokenSettings().audience};
  const auto es_router =
      api::MakeRouter(api::ApiServices{*es_tokens, es_authenticator, access_keys, users, service_accounts, *ring,
                                       kIssuer, "1", 1735689600, std::nullopt});
  auto send = [&](const Call& call) {
    const api::Request request = call.AsRequest();
    api::Outcome outcome = es_router->Dispatch(request);
    return outcome.ready ? std::move(*outcome.ready) : outcome.deferred();
  };

  for (const char* target : {"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"}) {
    INFO(target);
    json::value doc = BodyOf(send({"GET", target}));
    std::vector<std::string> algs;
    for (const auto& v : doc.at("id_token_signing_alg_values_supported").as_array()) algs.emplace_back(v.as_string());
    CHECK(algs == std::vector<std::string>{"ES256", "RS256"});
  }
  json::value jwks = BodyOf(send({"GET", "/.well-known/jwks.json"}));
  const json::array& published = jwks.at("keys").as_array();
  REQUIRE(published.size() == 2);
  CHECK(published[0].at("kty").as_string() == "RSA");
  CHECK(published[0].at("kid").as_string() == keys.active().kid());
  CHECK(published[1].at("kty").as_string() == "EC");
  CHECK(published[1].at("kid").as_string() == ring->active().kid());

  // A token the RS256 deployment minted before the switch is still accepted ...
  const std::string rsa_bearer = AdaBearer();
  CHECK(keymint::testing::JwtHeader(rsa_bearer.substr(7)).at("alg").as_string() == "RS256");
  CHECK(send({"GET", "/api/v1/access-keys", "", "", rsa_bearer}).status == 200);
  // ... and new ones are ES256 and accepted too.
  auto issued = es_tokens->ExchangePassword("ada@example.com", "ada-password");
  REQUIRE(issued.ok());
  CHECK(keymint::testing::JwtHeader(issued->jwt).at("alg").as_string() == "ES256");
  CHECK(send({"GET", "/api/v1/access-keys", "", "", "Bearer " + issued->jwt}).status == 200);
}

TEST_CASE_METHOD(RouterFixture, "service-account paths need an administrator and /apps names its successor", "[api]") {
  const std::string apps_link = "</api/v1/service-accounts>; rel=\"successor-version\"";
  for (const char* base : {"/api/v1/service-accounts", "/api/v1/apps"}) {
    INFO(base);
    const bool deprecated = std::string(base) == "/api/v1/apps";
    api::Response unauthenticated = Send({"GET", base});
    CheckErrorShape(unauthenticated, 401);
    api::Response forbidden = Send({"GET", base, "", "", AdaBearer()});
    CheckErrorShape(forbidden, 403);
    api::Response wrong_method = Send({"PUT", std::string(base) + "/some-id"});
    CheckErrorShape(wrong_method, 405);
    CHECK(AllowList(wrong_method) == std::vector<std::string>{"DELETE", "GET", "PATCH"});
    api::Response listed = Send({"GET", base, "", "", AdminBearer()});
    CHECK(listed.status == 200);
    CHECK(BodyOf(listed).is_array());
    for (const api::Response* response : {&unauthenticated, &forbidden, &wrong_method, &listed}) {
      if (deprecated) {
        CheckDeprecated(*response, apps_link);
      } else {
        CHECK_FALSE(Header(*response, "Deprecation").has_value());
        CHECK_FALSE(Header(*response, "Link").has_value());
      }
    }
  }
}

TEST_CASE_METHOD(RouterFixture, "a service account's token reaches admin routes by its roles but not user-only routes",
                 "[api]") {
  api::Response created = Send({"POST", "/api/v1/service-accounts",
                                R"({"name":"deployer","roles":["System administrator"]})", kJson, AdminBearer()});
  REQUIRE(created.status == 201);
  json::value account = BodyOf(created);
  api::Response token =
      Send({"POST", "/api/v1/token",
            R"({"grantType":"client_credentials","clientId":")" + std::string(account.at("clientId").as_string()) +
                R"(","clientSecret":")" + std::string(account.at("clientSecret").as_string()) + R"("})",
            kJson});
  REQUIRE(token.status == 200);
  const std::string bearer = "Bearer " + std::string(BodyOf(token).at("accessToken").as_string());

  CHECK(Send({"GET", "/api/v1/service-accounts", "", "", bearer}).status == 200);
  CHECK(Send({"GET", "/api/v1/users", "", "", bearer}).status == 200);
  CheckErrorShape(Send({"GET", "/api/v1/access-keys", "", "", bearer}), 403);
  CheckErrorShape(Send({"POST", "/api/v1/access-keys", R"({"name":"mine"})", kJson, bearer}), 403);
  CheckErrorShape(Send({"GET", "/api/v1/user-applications", "", "", bearer}), 403);
  CheckErrorShape(
      Send({"POST", "/api/v1/me/password", R"({"currentPassword":"x","newPassword":"yyyyyyyyyy"})", kJson, bearer}),
      403);
}

TEST_CASE_METHOD(RouterFixture, "AddPathHeaders marks answers made before routing on deprecated paths only", "[api]") {
  auto headers_for = [&](const std::string& target) {
    api::Response response = api::ErrorResponse(413, "too large");
    router->AddPathHeaders(target, response);
    return response;
  };
  CheckDeprecated(headers_for("/api/v1/apps"), "</api/v1/service-accounts>; rel=\"successor-version\"");
  CheckDeprecated(headers_for("/api/v1/apps/some-id?x=1"), "</api/v1/service-accounts>; rel=\"successor-version\"");
  CheckDeprecated(headers_for("/api/v1/user-applications/some-id/secret"));
  CheckDeprecated(headers_for("/api/v1/administration/user-applications"));
  for (const char* target : {"/api/v1/service-accounts", "/api/v1/access-keys", "/api/v1/token", "/api/v1/apps/a/b/c",
                             "/nope", "", "not a target", "//"}) {
    INFO(target);
    api::Response response = headers_for(target);
    CHECK_FALSE(Header(response, "Deprecation").has_value());
    CHECK(response.status == 413);
  }
}
