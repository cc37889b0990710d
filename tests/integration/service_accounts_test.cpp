// Service accounts (API.md §6, seed 001): organisation-wide credentials managed
// by System administrators on /api/v1/service-accounts, driven over HTTP
// against the real keymint binary.
#include "support/service_accounts.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace {

namespace json = boost::json;
namespace kt = keymint::testing;

constexpr const char* kAccounts = kt::kServiceAccountsPath;
constexpr const char* kApps = kt::kAppsPath;
constexpr const char* kKeys = "/api/v1/access-keys";
constexpr const char* kAdminKeys = "/api/v1/administration/access-keys";
constexpr const char* kSysAdmin = "System administrator";

const std::vector<std::string> kCreateMembers = kt::Sorted({"id", "name", "clientId", "clientSecret"});

using Account = kt::ServiceAccountView;
using kt::CheckSameIdentity;
using kt::EnabledBody;

struct CreatedAccount {
  std::string id, name, client_id, secret;
};

kt::HttpResponse SendJsonText(uint16_t port, const std::string& method, const std::string& target,
                              const std::string& body, const std::string& token,
                              const std::string& content_type = "application/json") {
  kt::Headers headers{{"Authorization", "Bearer " + token}};
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  return kt::Send(port, method, target, body, headers);
}

kt::HttpResponse Create(uint16_t port, const std::string& token, const std::string& name,
                        const std::optional<std::vector<std::string>>& roles = std::nullopt) {
  return kt::PostJson(port, kAccounts, kt::ServiceAccountBody(name, roles), token);
}

CreatedAccount CreateAccount(uint16_t port, const std::string& token, const std::string& name,
                             const std::optional<std::vector<std::string>>& roles = std::nullopt) {
  const kt::HttpResponse response = Create(port, token, name, roles);
  INFO("create service account " << name << ": " << response.status << " " << response.body);
  const json::object created = kt::CheckJsonObject(response, 201, kCreateMembers);
  CHECK(kt::StringField(created, "name") == name);
  return {kt::StringField(created, "id"), kt::StringField(created, "name"), kt::StringField(created, "clientId"),
          kt::StringField(created, "clientSecret")};
}

Account GetAccount(uint16_t port, const std::string& token, const std::string& id) {
  const kt::HttpResponse response = kt::Get(port, kt::JoinPath(kAccounts, id), token);
  INFO("get service account " << id << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  return kt::CheckServiceAccount(kt::AsObject(response.Json()));
}

std::vector<Account> ListAccounts(uint16_t port, const std::string& token) {
  const kt::HttpResponse response = kt::Get(port, kAccounts, token);
  INFO("list service accounts: " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  const json::value body = response.Json();
  std::vector<Account> accounts;
  for (const auto& item : kt::AsArray(body)) accounts.push_back(kt::CheckServiceAccount(kt::AsObject(item)));
  return accounts;
}

std::vector<std::string> AccountIds(const std::vector<Account>& accounts) {
  std::vector<std::string> ids;
  for (const auto& account : accounts) ids.push_back(account.id);
  return ids;
}

kt::HttpResponse Patch(uint16_t port, const std::string& token, const std::string& id, const json::value& body) {
  return kt::PatchJson(port, kt::JoinPath(kAccounts, id), body, token);
}

// PATCH that must succeed; CHECKs the answer is the record GET then shows.
Account PatchAccount(uint16_t port, const std::string& token, const std::string& id, const json::value& body) {
  const kt::HttpResponse response = Patch(port, token, id, body);
  INFO("patch " << json::serialize(body) << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  const Account answered = kt::CheckServiceAccount(kt::AsObject(response.Json()));
  // lastLogin is left out: an exchange just before may still be on its way to the store.
  const Account got = GetAccount(port, token, id);
  CheckSameIdentity(answered, got);
  CHECK(got.enabled == answered.enabled);
  CHECK(got.updated_at == answered.updated_at);
  return answered;
}

kt::HttpResponse Regenerate(uint16_t port, const std::string& token, const std::string& id) {
  return kt::PostJson(port, kt::JoinPath(kAccounts, id) + "/secret", json::object{}, token);
}

// A management 401: the Error shape and a Bearer challenge.
void CheckUnauthorized(const kt::HttpResponse& response) {
  kt::CheckError(response, 401);
  INFO("WWW-Authenticate: " << response.Header("WWW-Authenticate"));
  CHECK(response.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
}

// --- Token exchanges ---

kt::HttpResponse AppTokenExchange(uint16_t port, const std::string& app_id, const std::string& secret) {
  return kt::PostJson(port, "/api/v1/token",
                      json::object{{"grantType", "app_token"}, {"appID", app_id}, {"appSecret", secret}});
}

std::string BasicAuthorization(const std::string& client_id, const std::string& secret) {
  return "Basic " + kt::Base64Encode(kt::FormEncode(client_id) + ":" + kt::FormEncode(secret));
}

kt::HttpResponse V2Basic(uint16_t port, const std::string& client_id, const std::string& secret) {
  return kt::PostForm(port, "/api/v2/token", "grant_type=client_credentials",
                      {{"Authorization", BasicAuthorization(client_id, secret)}});
}

kt::HttpResponse V2Post(uint16_t port, const std::string& client_id, const std::string& secret) {
  return kt::PostForm(port, "/api/v2/token",
                      "grant_type=client_credentials&client_id=" + kt::FormEncode(client_id) +
                          "&client_secret=" + kt::FormEncode(secret));
}

std::string TokenFrom(const kt::HttpResponse& response, const char* member) {
  INFO("token exchange: " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  const std::string token = kt::StringField(kt::AsObject(response.Json()), member);
  REQUIRE_FALSE(token.empty());
  return token;
}

std::string MintV1(uint16_t port, const std::string& client_id, const std::string& secret) {
  return TokenFrom(kt::ClientCredentialsExchange(port, client_id, secret), "accessToken");
}

// Exchanges the credentials through every route a service account may use:
// v1 client_credentials, v1 app_token, v2 client_secret_basic, v2 client_secret_post.
std::vector<std::string> MintEverywhere(uint16_t port, const std::string& client_id, const std::string& secret) {
  std::vector<std::string> tokens;
  {
    INFO("v1 client_credentials");
    tokens.push_back(TokenFrom(kt::ClientCredentialsExchange(port, client_id, secret), "accessToken"));
  }
  {
    INFO("v1 app_token");
    tokens.push_back(TokenFrom(AppTokenExchange(port, client_id, secret), "accessToken"));
  }
  {
    INFO("v2 client_secret_basic");
    tokens.push_back(TokenFrom(V2Basic(port, client_id, secret), "access_token"));
  }
  {
    INFO("v2 client_secret_post");
    tokens.push_back(TokenFrom(V2Post(port, client_id, secret), "access_token"));
  }
  return tokens;
}

// CHECKs that every route refuses the credentials: 401 Error on v1, 401 invalid_client on v2.
void CheckRefusedEverywhere(uint16_t port, const std::string& client_id, const std::string& secret) {
  {
    INFO("v1 client_credentials");
    kt::CheckError(kt::ClientCredentialsExchange(port, client_id, secret), 401);
  }
  {
    INFO("v1 app_token");
    kt::CheckError(AppTokenExchange(port, client_id, secret), 401);
  }
  {
    INFO("v2 client_secret_basic");
    const kt::HttpResponse basic = V2Basic(port, client_id, secret);
    kt::CheckOAuthError(basic, 401, "invalid_client");
    CHECK(basic.Header("WWW-Authenticate") == R"(Basic realm="keymint")");
  }
  {
    INFO("v2 client_secret_post");
    kt::CheckOAuthError(V2Post(port, client_id, secret), 401, "invalid_client");
  }
}

// CHECKs the identity claims a service account's token carries.
void CheckAccountClaims(const std::string& jwt, const CreatedAccount& account, const std::vector<std::string>& roles) {
  const json::object claims = kt::JwtClaims(jwt);
  INFO("claims " << json::serialize(claims));
  CHECK(kt::StringField(claims, "sub") == account.id);
  CHECK(kt::StringField(claims, "preferred_username") == account.name);
  CHECK(kt::StringField(claims, "client_id") == account.client_id);
  CHECK(kt::Sorted(kt::StringArrayField(claims, "roles")) == kt::Sorted(roles));
}

// Polls GET until the account's lastLogin differs from `previous` (bounded); returns it.
std::string WaitForNewLastLogin(uint16_t port, const std::string& token, const std::string& id,
                                const std::string& previous) {
  return kt::PollUntilNonEmpty([&]() -> std::string {
    const std::string last_login = GetAccount(port, token, id).last_login;
    return last_login == previous ? std::string() : last_login;
  });
}

}  // namespace

TEST_CASE("Creating a service account answers 201 with exactly id, name, clientId and clientSecret, not cacheable",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::HttpResponse response = Create(port, admin, "ci-robot_1");
  INFO(response.body);
  const json::object created = kt::CheckJsonObject(response, 201, kCreateMembers);
  CHECK(response.Header("Cache-Control") == "no-store");
  CHECK(response.Header("Deprecation").empty());
  CHECK(response.Header("Link").empty());
  CHECK(kt::IsUuidV4(kt::StringField(created, "id")));
  CHECK(kt::StringField(created, "name") == "ci-robot_1");
  const std::string client_id = kt::StringField(created, "clientId");
  CHECK(kt::IsUrlSafe(client_id));
  const std::string secret = kt::StringField(created, "clientSecret");
  CHECK(secret.size() >= 43);
  CHECK(kt::IsUrlSafe(secret));
  CHECK(secret != client_id);

  // The credentials work right away.
  CHECK_FALSE(MintV1(port, client_id, secret).empty());

  // A second account gets distinct id, client ID and secret, and the secrets are not interchangeable.
  const CreatedAccount other = CreateAccount(port, admin, "ci-robot-2");
  CHECK(other.id != kt::StringField(created, "id"));
  CHECK(other.client_id != client_id);
  CHECK(other.secret != secret);
  kt::CheckKeyRefused(port, client_id, other.secret);
  kt::CheckKeyRefused(port, other.client_id, secret);
}

TEST_CASE("A service account record has exactly nine members, the creator, tenant 1, enabled and a null lastLogin",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount created = CreateAccount(port, admin, "reporter", std::vector<std::string>{"Viewer"});

  const kt::HttpResponse response = kt::Get(port, kt::JoinPath(kAccounts, created.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Deprecation").empty());
  CHECK(response.body.find(created.secret) == std::string::npos);
  CHECK(response.body.find("ecret") == std::string::npos);
  // roles are not part of the record.
  CHECK(response.body.find("roles") == std::string::npos);
  const Account account = kt::CheckServiceAccount(kt::AsObject(response.Json()));
  CHECK(account.id == created.id);
  CHECK(account.name == "reporter");
  CHECK(account.client_id == created.client_id);
  CHECK(account.created_by == kt::kAdminEmail);
  CHECK(account.tenant_id == "1");
  CHECK(account.enabled);
  CHECK(account.last_login.empty());
  CHECK(account.updated_at >= account.created_at);
  {
    INFO("lastLogin is JSON null, not absent or a string");
    const json::value body = response.Json();
    REQUIRE(body.as_object().contains("lastLogin"));
    CHECK(body.as_object().at("lastLogin").is_null());
  }

  // The list shows the same record.
  const std::vector<Account> listed = ListAccounts(port, admin);
  REQUIRE(listed.size() == 1);
  kt::CheckSameServiceAccount(account, listed[0]);
}

TEST_CASE("createdBy names the administrator who created the service account", "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser deputy = kt::CreateUser(port, admin, "deputy@example.com", {kSysAdmin});

  const CreatedAccount mine = CreateAccount(port, admin, "from-admin");
  const CreatedAccount theirs = CreateAccount(port, deputy.token, "from-deputy");

  // Both administrators see and manage the organisation's accounts, not only their own.
  for (const std::string& token : {admin, deputy.token}) {
    const std::vector<Account> accounts = ListAccounts(port, token);
    REQUIRE(accounts.size() == 2);
    CHECK(accounts[0].id == mine.id);
    CHECK(accounts[0].created_by == kt::kAdminEmail);
    CHECK(accounts[1].id == theirs.id);
    CHECK(accounts[1].created_by == "deputy@example.com");
  }
  CHECK(GetAccount(port, deputy.token, mine.id).created_by == kt::kAdminEmail);
  CHECK(GetAccount(port, admin, theirs.id).created_by == "deputy@example.com");

  // Names are unique across the organisation, not per creator.
  kt::CheckError(Create(port, deputy.token, "from-admin"), 409);
  kt::CheckError(Create(port, admin, "from-deputy"), 409);
  CHECK(ListAccounts(port, admin).size() == 2);
}

TEST_CASE("KEYMINT_TENANT_ID sets the tenantId of every service account", "[integration][service-accounts]") {
  kt::ProcessOptions options;
  options.env.emplace("KEYMINT_TENANT_ID", "acme-prod-7");
  kt::KeymintProcess server(options);
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount first = CreateAccount(port, admin, "tenant-one");
  const CreatedAccount second = CreateAccount(port, admin, "tenant-two");

  CHECK(GetAccount(port, admin, first.id).tenant_id == "acme-prod-7");
  const std::vector<Account> accounts = ListAccounts(port, admin);
  REQUIRE(accounts.size() == 2);
  for (const auto& account : accounts) CHECK(account.tenant_id == "acme-prod-7");
  CHECK(PatchAccount(port, admin, second.id, EnabledBody(false)).tenant_id == "acme-prod-7");
}

TEST_CASE("Listing service accounts answers a bare array in creation order without secrets",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const kt::HttpResponse empty = kt::Get(port, kAccounts, admin);
  INFO(empty.body);
  REQUIRE(empty.status == 200);
  REQUIRE(empty.Json().is_array());
  CHECK(empty.Json().as_array().empty());

  std::vector<CreatedAccount> created;
  for (const std::string name : {"zulu", "alpha", "mike", "bravo"}) {
    created.push_back(CreateAccount(port, admin, name));
  }
  // A patch does not reorder the list (it is ordered by createdAt, not updatedAt).
  PatchAccount(port, admin, created[0].id, EnabledBody(false));

  const kt::HttpResponse raw = kt::Get(port, kAccounts, admin);
  REQUIRE(raw.status == 200);
  CHECK(raw.body.find("ecret") == std::string::npos);
  for (const auto& account : created) CHECK(raw.body.find(account.secret) == std::string::npos);

  const std::vector<Account> accounts = ListAccounts(port, admin);
  REQUIRE(accounts.size() == created.size());
  // Ordered by createdAt, then id: two accounts created in the same
  // millisecond may list in either order, any others in creation order.
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    INFO("index " << i);
    const bool tied_with_neighbour = (i > 0 && accounts[i - 1].created_at == accounts[i].created_at) ||
                                     (i + 1 < accounts.size() && accounts[i + 1].created_at == accounts[i].created_at);
    if (i > 0) {
      CHECK(accounts[i - 1].created_at <= accounts[i].created_at);
      if (accounts[i - 1].created_at == accounts[i].created_at) CHECK(accounts[i - 1].id < accounts[i].id);
    }
    const auto match =
        std::find_if(created.begin(), created.end(), [&](const CreatedAccount& c) { return c.id == accounts[i].id; });
    REQUIRE(match != created.end());
    if (!tied_with_neighbour) CHECK(match - created.begin() == static_cast<std::ptrdiff_t>(i));
    CHECK(accounts[i].name == match->name);
    CHECK(accounts[i].client_id == match->client_id);
    CHECK(accounts[i].enabled == (match != created.begin()));  // the first one was disabled
  }
}

TEST_CASE("Service account names that break the length or pattern rules are 400 naming the field",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  for (const auto& name : kt::InvalidCredentialNames()) {
    INFO("name \"" << name << "\" (" << name.size() << " chars)");
    const std::string message = kt::CheckError(Create(port, admin, name), 400);
    CHECK(kt::Lower(message).find("name") != std::string::npos);
  }
  CHECK(ListAccounts(port, admin).empty());
}

TEST_CASE("Service account names at the edges of the rules are accepted", "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<std::string> good_names = {"ab", "a1", "a-b", "a_b", "x0-y_z", std::string(255, 'z')};
  for (const auto& name : good_names) {
    INFO("name of " << name.size() << " chars: " << name.substr(0, 20));
    const CreatedAccount account = CreateAccount(port, admin, name);
    CHECK(GetAccount(port, admin, account.id).name == name);
  }
  CHECK(ListAccounts(port, admin).size() == good_names.size());
}

TEST_CASE("Creating a service account without a string name, with bad roles or a malformed body is 400",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<json::value> bad_names = {
      json::object{},
      json::object{{"name", nullptr}},
      json::object{{"name", 42}},
      json::object{{"name", true}},
      json::object{{"name", json::array{"robot"}}},
      json::object{{"Name", "robot"}},
      json::object{{"roles", json::array{"Viewer"}}},
  };
  for (const auto& body : bad_names) {
    INFO("body " << json::serialize(body));
    const std::string message = kt::CheckError(kt::PostJson(port, kAccounts, body, admin), 400);
    CHECK(kt::Lower(message).find("name") != std::string::npos);
  }

  const std::vector<json::value> bad_roles = {
      json::object{{"name", "robot"}, {"roles", "Viewer"}},
      json::object{{"name", "robot"}, {"roles", 1}},
      json::object{{"name", "robot"}, {"roles", json::object{{"Viewer", true}}}},
      json::object{{"name", "robot"}, {"roles", json::array{1}}},
      json::object{{"name", "robot"}, {"roles", json::array{nullptr}}},
      json::object{{"name", "robot"}, {"roles", json::array{"Viewer", json::array{"Editor"}}}},
      json::object{{"name", "robot"}, {"roles", json::array{"No such role"}}},
      json::object{{"name", "robot"}, {"roles", json::array{"Viewer", "Overlord"}}},
      json::object{{"name", "robot"}, {"roles", json::array{"viewer"}}},
  };
  for (const auto& body : bad_roles) {
    INFO("body " << json::serialize(body));
    const std::string message = kt::CheckError(kt::PostJson(port, kAccounts, body, admin), 400);
    CHECK(kt::Lower(message).find("role") != std::string::npos);
  }

  for (const json::value& body :
       {json::value(json::array{json::object{{"name", "robot"}}}), json::value("robot"), json::value(nullptr)}) {
    INFO("body " << json::serialize(body));
    kt::CheckError(kt::PostJson(port, kAccounts, body, admin), 400);
  }
  for (const std::string raw : {"", "{", "{\"name\":", "{\"name\":\"robot\"", "name=robot", "{\"name\":\"robot\",}"}) {
    INFO("raw body '" << raw << "'");
    kt::CheckError(SendJsonText(port, "POST", kAccounts, raw, admin), 400);
  }
  // Nothing was created by the rejected requests, so the name is still free.
  CHECK(ListAccounts(port, admin).empty());
  CreateAccount(port, admin, "robot", std::vector<std::string>{"Viewer"});
}

TEST_CASE("Creating a service account with a non-JSON content type is 415", "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  kt::CheckError(SendJsonText(port, "POST", kAccounts, "{\"name\":\"robot\"}", admin, "text/plain"), 415);
  kt::CheckError(SendJsonText(port, "POST", kAccounts, "name=robot", admin, "application/x-www-form-urlencoded"), 415);
  CHECK(ListAccounts(port, admin).empty());
  const kt::HttpResponse response =
      SendJsonText(port, "POST", kAccounts, "{\"name\":\"robot\"}", admin, "application/json; charset=utf-8");
  INFO(response.body);
  CHECK(response.status == 201);
}

TEST_CASE("A duplicate service account name is 409 on either path and is free again after a delete",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const CreatedAccount original = CreateAccount(port, admin, "deployer");
  kt::CheckError(Create(port, admin, "deployer"), 409);
  // A different role set does not make it another account.
  kt::CheckError(Create(port, admin, "deployer", std::vector<std::string>{"Editor"}), 409);

  // A name taken through the deprecated path is taken here too.
  const kt::HttpResponse legacy = kt::PostJson(port, kApps, kt::NameBody("legacy-app"), admin);
  INFO(legacy.body);
  REQUIRE(legacy.status == 201);
  kt::CheckError(Create(port, admin, "legacy-app"), 409);
  CHECK(ListAccounts(port, admin).size() == 2);

  // The rejected duplicates left the original untouched.
  CHECK_FALSE(MintV1(port, original.client_id, original.secret).empty());

  REQUIRE(kt::Delete(port, kt::JoinPath(kAccounts, original.id), admin).status == 204);
  const CreatedAccount again = CreateAccount(port, admin, "deployer");
  CHECK(again.id != original.id);
  CHECK(again.client_id != original.client_id);
  kt::CheckKeyRefused(port, original.client_id, original.secret);
  CHECK_FALSE(MintV1(port, again.client_id, again.secret).empty());
}

TEST_CASE("Concurrent creates of one service account name leave exactly one account",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);

  const std::vector<kt::HttpResponse> responses =
      kt::Concurrently(8, [&](int) { return Create(port, admin, "racer"); });
  CHECK(kt::CountStatus(responses, 201) == 1);
  CHECK(kt::CountStatus(responses, 409) == 7);
  const std::vector<Account> accounts = ListAccounts(port, admin);
  REQUIRE(accounts.size() == 1);
  for (const auto& response : responses) {
    if (response.status != 201) continue;
    const json::value body = response.Json();
    CHECK(kt::StringField(kt::AsObject(body), "id") == accounts[0].id);
    CHECK_FALSE(MintV1(port, accounts[0].client_id, kt::StringField(kt::AsObject(body), "clientSecret")).empty());
  }
}

TEST_CASE("An unknown id, a non-UUID id and an access key's id are 404 on every service-account operation",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount account = CreateAccount(port, admin, "bystander");
  const kt::CreatedKey key = kt::CreateAccessKey(port, admin, "admins-key");

  for (const std::string& id : {kt::kUnknownUuid, kt::kNotAUuid, key.id}) {
    INFO("id " << id);
    kt::CheckError(kt::Get(port, kt::JoinPath(kAccounts, id), admin), 404);
    kt::CheckError(Patch(port, admin, id, EnabledBody(false)), 404);
    kt::CheckError(Regenerate(port, admin, id), 404);
    kt::CheckError(kt::Delete(port, kt::JoinPath(kAccounts, id), admin), 404);
  }
  // And the other way round: a service account is not an access key.
  kt::CheckError(kt::Get(port, kt::JoinPath(kKeys, account.id), admin), 404);
  kt::CheckError(kt::PostJson(port, kt::JoinPath(kKeys, account.id) + "/secret", json::object{}, admin), 404);
  kt::CheckError(kt::Delete(port, kt::JoinPath(kKeys, account.id), admin), 404);
  kt::CheckError(kt::Delete(port, kt::JoinPath(kAdminKeys, account.id), admin), 404);
  kt::CheckError(kt::Get(port, kt::JoinPath("/api/v1/user-applications", account.id), admin), 404);

  // Nothing happened to either.
  CHECK(GetAccount(port, admin, account.id).enabled);
  CHECK_FALSE(MintV1(port, account.client_id, account.secret).empty());
  kt::CheckKeyMints(port, key.client_id, key.client_secret);
  CHECK(kt::ListAccessKeys(port, admin).size() == 1);
}

TEST_CASE("Patching enabled answers the updated record and a real change moves only enabled and updatedAt",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount created = CreateAccount(port, admin, "toggled", std::vector<std::string>{"Editor"});
  const Account original = GetAccount(port, admin, created.id);
  REQUIRE(original.enabled);

  const Account disabled = PatchAccount(port, admin, created.id, EnabledBody(false));
  CheckSameIdentity(original, disabled);
  CHECK_FALSE(disabled.enabled);
  CHECK(disabled.updated_at > original.updated_at);
  CHECK(disabled.last_login == original.last_login);

  const Account enabled = PatchAccount(port, admin, created.id, EnabledBody(true));
  CheckSameIdentity(original, enabled);
  CHECK(enabled.enabled);
  CHECK(enabled.updated_at > disabled.updated_at);

  // A patch that sets the value it already has succeeds but changes nothing,
  // so updatedAt stays where the last real change put it.
  const Account again = PatchAccount(port, admin, created.id, EnabledBody(true));
  CheckSameIdentity(original, again);
  CHECK(again.enabled);
  CHECK(again.updated_at == enabled.updated_at);
  CHECK(GetAccount(port, admin, created.id).updated_at == enabled.updated_at);

  // The roles were not touched by patches without "roles".
  CheckAccountClaims(MintV1(port, created.client_id, created.secret), created, {"Editor"});
}

TEST_CASE("Patching with a mistyped enabled, bad roles or a malformed body is 400 and changes nothing",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount created = CreateAccount(port, admin, "steady", std::vector<std::string>{"Viewer"});
  const Account before = GetAccount(port, admin, created.id);

  // A missing enabled is no longer an error here: PATCH merges (only the
  // members sent change; credential_lifecycle_test.cpp). /api/v1/apps keeps
  // the seed's rule (apps_test.cpp).
  const std::vector<json::value> bad_enabled = {
      json::object{{"enabled", "false"}},
      json::object{{"enabled", 0}},
      json::object{{"enabled", 1}},
      json::object{{"enabled", json::array{false}}},
  };
  for (const auto& body : bad_enabled) {
    INFO("body " << json::serialize(body));
    const std::string message = kt::CheckError(Patch(port, admin, created.id, body), 400);
    CHECK(kt::Lower(message).find("enabled") != std::string::npos);
  }
  const std::vector<json::value> bad_roles = {
      json::object{{"enabled", false}, {"roles", "Editor"}},
      json::object{{"enabled", false}, {"roles", json::array{7}}},
      json::object{{"enabled", false}, {"roles", json::array{"No such role"}}},
      json::object{{"enabled", false}, {"roles", json::array{"Editor", "Overlord"}}},
  };
  for (const auto& body : bad_roles) {
    INFO("body " << json::serialize(body));
    const std::string message = kt::CheckError(Patch(port, admin, created.id, body), 400);
    CHECK(kt::Lower(message).find("role") != std::string::npos);
  }
  for (const std::string raw : {"", "{", "{\"enabled\":", "{\"enabled\":fals}", "enabled=false"}) {
    INFO("raw body '" << raw << "'");
    kt::CheckError(SendJsonText(port, "PATCH", kt::JoinPath(kAccounts, created.id), raw, admin), 400);
  }
  kt::CheckError(
      SendJsonText(port, "PATCH", kt::JoinPath(kAccounts, created.id), "{\"enabled\":false}", admin, "text/plain"),
      415);

  // Nothing changed: not the record, not its roles, and it still mints.
  kt::CheckSameServiceAccount(before, GetAccount(port, admin, created.id));
  CheckAccountClaims(MintV1(port, created.client_id, created.secret), created, {"Viewer"});
}

TEST_CASE("Service account credentials mint at both token endpoints under every client-credentials form",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount account =
      CreateAccount(port, admin, "pipeline", std::vector<std::string>{"ML engineer", "Viewer"});

  const std::vector<std::string> tokens = MintEverywhere(port, account.client_id, account.secret);
  REQUIRE(tokens.size() == 4);
  std::vector<std::string> jtis;
  for (const auto& token : tokens) {
    CheckAccountClaims(token, account, {"ML engineer", "Viewer"});
    jtis.push_back(kt::StringField(kt::JwtClaims(token), "jti"));
  }
  // Each exchange minted a distinct token.
  for (std::size_t i = 0; i < jtis.size(); ++i) {
    for (std::size_t j = i + 1; j < jtis.size(); ++j) CHECK(jtis[i] != jtis[j]);
  }
  // A wrong secret is refused everywhere.
  CheckRefusedEverywhere(port, account.client_id, account.secret + "x");
  CheckRefusedEverywhere(port, account.client_id, account.secret.substr(1));
}

TEST_CASE("A service account created without roles mints tokens with an empty roles array",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount bare = CreateAccount(port, admin, "no-roles");
  const CreatedAccount empty = CreateAccount(port, admin, "empty-roles", std::vector<std::string>{});

  for (const CreatedAccount& account : {bare, empty}) {
    INFO("account " << account.name);
    const std::string token = MintV1(port, account.client_id, account.secret);
    const json::object claims = kt::JwtClaims(token);
    INFO(json::serialize(claims));
    REQUIRE(claims.contains("roles"));
    REQUIRE(claims.at("roles").is_array());
    CHECK(claims.at("roles").as_array().empty());
    CheckAccountClaims(token, account, {});
  }
}

TEST_CASE("Patching roles changes the roles in the next token and leaves the record's identity alone",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount created = CreateAccount(port, admin, "promoted", std::vector<std::string>{"Viewer"});
  const Account original = GetAccount(port, admin, created.id);
  const std::string first = MintV1(port, created.client_id, created.secret);
  CheckAccountClaims(first, created, {"Viewer"});

  const Account patched =
      PatchAccount(port, admin, created.id, EnabledBody(true, std::vector<std::string>{"Editor", "Research manager"}));
  CheckSameIdentity(original, patched);
  CHECK(patched.enabled);
  CHECK(patched.updated_at > original.updated_at);

  const std::vector<std::string> tokens = MintEverywhere(port, created.client_id, created.secret);
  for (const auto& token : tokens) CheckAccountClaims(token, created, {"Editor", "Research manager"});
  // The token issued before the change keeps the roles it was minted with.
  CheckAccountClaims(first, created, {"Viewer"});

  // An empty list removes every role.
  const Account emptied = PatchAccount(port, admin, created.id, EnabledBody(true, std::vector<std::string>{}));
  CHECK(emptied.updated_at > patched.updated_at);
  CheckAccountClaims(MintV1(port, created.client_id, created.secret), created, {});

  // Roles given together with a disable take effect once re-enabled.
  PatchAccount(port, admin, created.id, EnabledBody(false, std::vector<std::string>{"L1 researcher"}));
  kt::CheckKeyRefused(port, created.client_id, created.secret);
  PatchAccount(port, admin, created.id, EnabledBody(true));
  CheckAccountClaims(MintV1(port, created.client_id, created.secret), created, {"L1 researcher"});
}

TEST_CASE("A disabled service account is refused at both token endpoints until it is enabled again",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount account = CreateAccount(port, admin, "switchable", std::vector<std::string>{"Editor"});
  const CreatedAccount other = CreateAccount(port, admin, "unaffected");
  MintEverywhere(port, account.client_id, account.secret);

  const Account disabled = PatchAccount(port, admin, account.id, EnabledBody(false));
  REQUIRE_FALSE(disabled.enabled);
  CheckRefusedEverywhere(port, account.client_id, account.secret);
  // Refused exchanges of a disabled account keep refusing; the other account is not affected.
  CheckRefusedEverywhere(port, account.client_id, account.secret);
  MintEverywhere(port, other.client_id, other.secret);
  // The disabled account is still listed and still manageable.
  const std::vector<Account> listed = ListAccounts(port, admin);
  REQUIRE(listed.size() == 2);
  CHECK_FALSE(listed[0].enabled);
  CHECK(listed[1].enabled);

  const Account enabled = PatchAccount(port, admin, account.id, EnabledBody(true));
  REQUIRE(enabled.enabled);
  for (const auto& token : MintEverywhere(port, account.client_id, account.secret)) {
    CheckAccountClaims(token, account, {"Editor"});
  }
}

TEST_CASE("Regenerating a service account secret answers only clientSecret, revokes the old one and bumps updatedAt",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount account = CreateAccount(port, admin, "rotating", std::vector<std::string>{"Viewer"});
  const Account before = GetAccount(port, admin, account.id);
  MintV1(port, account.client_id, account.secret);

  const kt::HttpResponse response = Regenerate(port, admin, account.id);
  INFO(response.body);
  const json::object regenerated = kt::CheckJsonObject(response, 200, {"clientSecret"});
  CHECK(response.Header("Cache-Control") == "no-store");
  CHECK(response.Header("Deprecation").empty());
  const std::string second = kt::StringField(regenerated, "clientSecret");
  CHECK(second.size() >= 43);
  CHECK(kt::IsUrlSafe(second));
  CHECK(second != account.secret);

  CheckRefusedEverywhere(port, account.client_id, account.secret);
  for (const auto& token : MintEverywhere(port, account.client_id, second)) {
    CheckAccountClaims(token, account, {"Viewer"});
  }

  const Account after = GetAccount(port, admin, account.id);
  CheckSameIdentity(before, after);
  CHECK(after.enabled);
  CHECK(after.updated_at > before.updated_at);

  // Regenerating again revokes the second secret too.
  const kt::HttpResponse again = Regenerate(port, admin, account.id);
  REQUIRE(again.status == 200);
  const std::string third = kt::StringField(kt::AsObject(again.Json()), "clientSecret");
  CHECK(third != second);
  kt::CheckKeyRefused(port, account.client_id, second);
  kt::CheckKeyRefused(port, account.client_id, account.secret);
  CHECK_FALSE(MintV1(port, account.client_id, third).empty());
  CHECK(GetAccount(port, admin, account.id).updated_at > after.updated_at);
}

TEST_CASE("Deleting a service account answers 204 with no body and its credentials never mint again",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount doomed = CreateAccount(port, admin, "doomed");
  const CreatedAccount kept = CreateAccount(port, admin, "kept");
  MintV1(port, doomed.client_id, doomed.secret);

  const kt::HttpResponse response = kt::Delete(port, kt::JoinPath(kAccounts, doomed.id), admin);
  INFO(response.body);
  REQUIRE(response.status == 204);
  CHECK(response.body.empty());

  CheckRefusedEverywhere(port, doomed.client_id, doomed.secret);
  kt::CheckError(kt::Get(port, kt::JoinPath(kAccounts, doomed.id), admin), 404);
  kt::CheckError(kt::Delete(port, kt::JoinPath(kAccounts, doomed.id), admin), 404);
  kt::CheckError(Patch(port, admin, doomed.id, EnabledBody(true)), 404);
  kt::CheckError(Regenerate(port, admin, doomed.id), 404);
  CHECK(AccountIds(ListAccounts(port, admin)) == std::vector<std::string>{kept.id});
  CHECK_FALSE(MintV1(port, kept.client_id, kept.secret).empty());
}

TEST_CASE("Each token exchange sets the service account's lastLogin, visible within a bounded poll",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount v1 = CreateAccount(port, admin, "via-v1");
  const CreatedAccount legacy = CreateAccount(port, admin, "via-app-token");
  const CreatedAccount v2 = CreateAccount(port, admin, "via-v2");
  const CreatedAccount idle = CreateAccount(port, admin, "idle");
  const std::string created_at = GetAccount(port, admin, v1.id).created_at;

  MintV1(port, v1.client_id, v1.secret);
  TokenFrom(AppTokenExchange(port, legacy.client_id, legacy.secret), "accessToken");
  TokenFrom(V2Basic(port, v2.client_id, v2.secret), "access_token");

  std::string v1_login;
  for (const CreatedAccount* account : {&v1, &legacy, &v2}) {
    INFO("account " << account->name);
    const std::string last_login = WaitForNewLastLogin(port, admin, account->id, "");
    REQUIRE_FALSE(last_login.empty());  // the poll is bounded
    CHECK(kt::IsTimestamp(last_login));
    CHECK(last_login >= created_at);
    if (account == &v1) v1_login = last_login;
  }

  // The list agrees; an unused account stays null and a failed exchange is not a login.
  kt::CheckKeyRefused(port, idle.client_id, idle.secret + "x");
  const std::vector<Account> listed = ListAccounts(port, admin);
  CHECK(listed.size() == 4);
  for (const Account& account : listed) {
    INFO("listed " << account.name);
    if (account.id == v1.id) CHECK(account.last_login == v1_login);
    if (account.id == idle.id) CHECK(account.last_login.empty());
  }

  // A later exchange moves lastLogin forward.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  TokenFrom(V2Post(port, v1.client_id, v1.secret), "access_token");
  const std::string later = WaitForNewLastLogin(port, admin, v1.id, v1_login);
  REQUIRE_FALSE(later.empty());
  CHECK(later > v1_login);
  CHECK(GetAccount(port, admin, idle.id).last_login.empty());
}

TEST_CASE("A wrong method on a known service-account path is 405 with Allow", "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount account = CreateAccount(port, admin, "methods");
  const std::string item = kt::JoinPath(kAccounts, account.id);

  struct Probe {
    std::string method, target;
    std::vector<std::string> allowed;
  };
  const std::vector<Probe> probes = {
      {"PUT", kAccounts, {"GET", "POST"}},        {"DELETE", kAccounts, {"GET", "POST"}},
      {"PATCH", kAccounts, {"GET", "POST"}},      {"PUT", item, {"GET", "PATCH", "DELETE"}},
      {"POST", item, {"GET", "PATCH", "DELETE"}}, {"GET", item + "/secret", {"POST"}},
      {"DELETE", item + "/secret", {"POST"}},
  };
  for (const auto& probe : probes) {
    INFO(probe.method << " " << probe.target);
    const kt::HttpResponse response = SendJsonText(port, probe.method, probe.target, "{\"enabled\":false}", admin);
    kt::CheckError(response, 405);
    const std::string allow = response.Header("Allow");
    INFO("Allow: " << allow);
    for (const auto& method : probe.allowed) CHECK(allow.find(method) != std::string::npos);
    CHECK(allow.find(probe.method) == std::string::npos);
  }
  // Nothing changed.
  const Account after = GetAccount(port, admin, account.id);
  CHECK(after.enabled);
  CHECK(after.name == "methods");
  CHECK_FALSE(MintV1(port, account.client_id, account.secret).empty());
}

TEST_CASE("Service account endpoints answer 401 without a valid bearer token", "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount account = CreateAccount(port, admin, "guarded");
  const Account before = GetAccount(port, admin, account.id);
  const std::string item = kt::JoinPath(kAccounts, account.id);

  for (const auto& token :
       {std::string(), std::string("garbage"), std::string("a.b.c"), account.secret, kt::TamperSignature(admin)}) {
    INFO("token '" << token << "'");
    CheckUnauthorized(kt::Get(port, kAccounts, token));
    CheckUnauthorized(Create(port, token, "intruder"));
    CheckUnauthorized(kt::Get(port, item, token));
    CheckUnauthorized(Patch(port, token, account.id, EnabledBody(false)));
    CheckUnauthorized(Regenerate(port, token, account.id));
    CheckUnauthorized(kt::Delete(port, item, token));
  }
  CheckUnauthorized(kt::Send(port, "GET", kAccounts, "", {{"Authorization", "Basic " + admin}}));

  // Nothing changed.
  kt::CheckSameServiceAccount(before, GetAccount(port, admin, account.id));
  CHECK(ListAccounts(port, admin).size() == 1);
  CHECK_FALSE(MintV1(port, account.client_id, account.secret).empty());
}

TEST_CASE("Service account endpoints are 403 for users without System administrator",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount account = CreateAccount(port, admin, "protected");
  const Account before = GetAccount(port, admin, account.id);
  const std::string item = kt::JoinPath(kAccounts, account.id);
  const kt::CreatedUser viewer = kt::CreateUser(port, admin, "viewer@example.com", {"Viewer"});
  const kt::CreatedUser manager =
      kt::CreateUser(port, admin, "manager@example.com", {"Department administrator", "Research manager", "Editor"});

  for (const kt::CreatedUser* user : {&viewer, &manager}) {
    INFO("user " << user->email);
    kt::CheckError(kt::Get(port, kAccounts, user->token), 403);
    kt::CheckError(Create(port, user->token, "intruder"), 403);
    kt::CheckError(kt::Get(port, item, user->token), 403);
    kt::CheckError(Patch(port, user->token, account.id, EnabledBody(false)), 403);
    kt::CheckError(Regenerate(port, user->token, account.id), 403);
    kt::CheckError(kt::Delete(port, item, user->token), 403);
    // Their access keys' tokens carry no more rights than they do.
    const kt::CreatedKey key = kt::CreateAccessKey(port, user->token, "my-key");
    const std::string key_token = kt::ClientCredentialsToken(port, key.client_id, key.client_secret);
    REQUIRE_FALSE(key_token.empty());
    kt::CheckError(kt::Get(port, kAccounts, key_token), 403);
  }

  // Nothing changed.
  kt::CheckSameServiceAccount(before, GetAccount(port, admin, account.id));
  CHECK(ListAccounts(port, admin).size() == 1);
  CHECK_FALSE(MintV1(port, account.client_id, account.secret).empty());

  // Permissions follow the user's current roles: promoted, the same token gets in.
  const kt::HttpResponse promote = kt::PutJson(port, kt::JoinPath("/api/v1/users", viewer.id) + "/roles",
                                               json::object{{"roles", json::array{kSysAdmin}}}, admin);
  INFO(promote.body);
  REQUIRE(promote.status == 200);
  CHECK(AccountIds(ListAccounts(port, viewer.token)) == std::vector<std::string>{account.id});
}

TEST_CASE(
    "A service account token with System administrator manages service accounts and users but not user-only "
    "endpoints",
    "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount robot = CreateAccount(port, admin, "robot-admin", std::vector<std::string>{kSysAdmin});
  const std::string token = MintV1(port, robot.client_id, robot.secret);

  const std::vector<Account> accounts = ListAccounts(port, token);
  CHECK(AccountIds(accounts) == std::vector<std::string>{robot.id});
  CHECK(GetAccount(port, token, robot.id).name == "robot-admin");

  const kt::HttpResponse user =
      kt::PostJson(port, "/api/v1/users",
                   json::object{{"email", "made-by-robot@example.com"}, {"roles", json::array{"Viewer"}}}, token);
  INFO("create user: " << user.body);
  REQUIRE(user.status == 201);
  CHECK_FALSE(kt::UserIdByEmail(port, admin, "made-by-robot@example.com").empty());

  // The v2 token works the same way.
  const std::string v2_token = TokenFrom(V2Post(port, robot.client_id, robot.secret), "access_token");
  CHECK(kt::Get(port, kAccounts, v2_token).status == 200);

  // A service account is not a user: it has no access keys and no password.
  kt::CheckError(kt::Get(port, kKeys, token), 403);
  kt::CheckError(kt::PostJson(port, kKeys, kt::NameBody("robot-key"), token), 403);
  kt::CheckError(
      kt::PostJson(port, "/api/v1/me/password",
                   json::object{{"currentPassword", robot.secret}, {"newPassword", "a-new-password-123"}}, token),
      403);
}

TEST_CASE("A service account token without System administrator is 403 on service accounts and user-only endpoints",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount robot = CreateAccount(port, admin, "robot-viewer", std::vector<std::string>{"Viewer", "Editor"});
  const std::string token = MintV1(port, robot.client_id, robot.secret);

  kt::CheckError(kt::Get(port, kAccounts, token), 403);
  kt::CheckError(kt::Get(port, kt::JoinPath(kAccounts, robot.id), token), 403);
  kt::CheckError(Create(port, token, "robot-child"), 403);
  kt::CheckError(Patch(port, token, robot.id, EnabledBody(true, std::vector<std::string>{kSysAdmin})), 403);
  kt::CheckError(Regenerate(port, token, robot.id), 403);
  kt::CheckError(kt::Delete(port, kt::JoinPath(kAccounts, robot.id), token), 403);
  kt::CheckError(kt::Get(port, "/api/v1/users", token), 403);
  kt::CheckError(kt::Get(port, kKeys, token), 403);
  kt::CheckError(
      kt::PostJson(port, "/api/v1/me/password",
                   json::object{{"currentPassword", robot.secret}, {"newPassword", "a-new-password-123"}}, token),
      403);

  // It could not escalate itself, and it still exists and mints.
  CHECK(ListAccounts(port, admin).size() == 1);
  CheckAccountClaims(MintV1(port, robot.client_id, robot.secret), robot, {"Viewer", "Editor"});

  // Its permissions follow its current roles: granted System administrator, the same token gets in.
  PatchAccount(port, admin, robot.id, EnabledBody(true, std::vector<std::string>{kSysAdmin}));
  CHECK(AccountIds(ListAccounts(port, token)) == std::vector<std::string>{robot.id});
}

TEST_CASE("A service account's issued token is refused once the account is disabled or deleted",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const CreatedAccount disabled = CreateAccount(port, admin, "robot-disabled", std::vector<std::string>{kSysAdmin});
  const CreatedAccount deleted = CreateAccount(port, admin, "robot-deleted", std::vector<std::string>{kSysAdmin});
  const std::string disabled_token = MintV1(port, disabled.client_id, disabled.secret);
  const std::string deleted_token = TokenFrom(V2Basic(port, deleted.client_id, deleted.secret), "access_token");
  REQUIRE(kt::Get(port, kAccounts, disabled_token).status == 200);
  REQUIRE(kt::Get(port, "/api/v1/users", deleted_token).status == 200);

  PatchAccount(port, admin, disabled.id, EnabledBody(false));
  CheckUnauthorized(kt::Get(port, kAccounts, disabled_token));
  CheckUnauthorized(kt::Get(port, "/api/v1/users", disabled_token));
  CheckUnauthorized(kt::PostJson(port, "/api/v1/users",
                                 json::object{{"email", "sneaky@example.com"}, {"roles", json::array{kSysAdmin}}},
                                 disabled_token));
  CheckUnauthorized(Patch(port, disabled_token, disabled.id, EnabledBody(true)));
  CHECK_FALSE(GetAccount(port, admin, disabled.id).enabled);

  REQUIRE(kt::Delete(port, kt::JoinPath(kAccounts, deleted.id), admin).status == 204);
  CheckUnauthorized(kt::Get(port, kAccounts, deleted_token));
  CheckUnauthorized(kt::Get(port, "/api/v1/users", deleted_token));
  CheckUnauthorized(Create(port, deleted_token, "robot-deleted"));

  CHECK(kt::UserIdByEmail(port, admin, "sneaky@example.com").empty());
  CHECK(AccountIds(ListAccounts(port, admin)) == std::vector<std::string>{disabled.id});
}

TEST_CASE("An access key and a service account with the same name coexist with their own client IDs",
          "[integration][service-accounts]") {
  kt::KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = kt::AdminToken(port);
  const kt::CreatedUser user = kt::CreateUser(port, admin, "dev@example.com", {"Editor"});

  const kt::CreatedKey key = kt::CreateAccessKey(port, user.token, "ci");
  const CreatedAccount account = CreateAccount(port, admin, "ci", std::vector<std::string>{"Viewer"});
  CHECK(account.id != key.id);
  CHECK(account.client_id != key.client_id);

  const std::string key_token = kt::ClientCredentialsToken(port, key.client_id, key.client_secret);
  REQUIRE_FALSE(key_token.empty());
  const json::object key_claims = kt::JwtClaims(key_token);
  CHECK(kt::StringField(key_claims, "client_id") == key.client_id);
  CHECK(kt::StringField(key_claims, "sub") == user.id);
  CHECK(kt::StringField(key_claims, "preferred_username") == "dev@example.com");
  CHECK(kt::StringArrayField(key_claims, "roles") == std::vector<std::string>{"Editor"});

  const std::string account_token = MintV1(port, account.client_id, account.secret);
  CheckAccountClaims(account_token, account, {"Viewer"});

  // The secrets are not interchangeable.
  kt::CheckKeyRefused(port, key.client_id, account.secret);
  kt::CheckKeyRefused(port, account.client_id, key.client_secret);

  // An administrator's own access key may share the name too.
  const kt::CreatedKey admin_key = kt::CreateAccessKey(port, admin, "ci");
  kt::CheckKeyMints(port, admin_key.client_id, admin_key.client_secret);

  // Each list shows only its own kind.
  CHECK(AccountIds(ListAccounts(port, admin)) == std::vector<std::string>{account.id});
  CHECK(kt::Ids(kt::ListAccessKeys(port, user.token)) == std::vector<std::string>{key.id});
  CHECK(kt::Ids(kt::ListAccessKeys(port, admin)) == std::vector<std::string>{admin_key.id});
  const kt::HttpResponse administered = kt::Get(port, kAdminKeys, admin);
  INFO(administered.body);
  REQUIRE(administered.status == 200);
  CHECK(administered.body.find(account.id) == std::string::npos);
  CHECK(administered.body.find(account.client_id) == std::string::npos);

  // Deleting one leaves the other working.
  REQUIRE(kt::Delete(port, kt::JoinPath(kKeys, key.id), user.token).status == 204);
  CHECK_FALSE(MintV1(port, account.client_id, account.secret).empty());
  REQUIRE(kt::Delete(port, kt::JoinPath(kAccounts, account.id), admin).status == 204);
  kt::CheckKeyMints(port, admin_key.client_id, admin_key.client_secret);
}

TEST_CASE("Service accounts, their state, lastLogin and roles survive a restart on the same directories",
          "[integration][service-accounts]") {
  const kt::ScopedTempDir data_dir, keys_dir;
  kt::ProcessOptions options;
  options.data_dir = data_dir.path;
  options.keys_dir = keys_dir.path;
  CreatedAccount active, sleeper, gone;
  std::vector<Account> before;
  {
    kt::KeymintProcess server(options);
    const uint16_t port = server.port();
    const std::string admin = kt::AdminToken(port);
    active = CreateAccount(port, admin, "durable", std::vector<std::string>{"Editor", "Viewer"});
    sleeper = CreateAccount(port, admin, "sleeper", std::vector<std::string>{"Viewer"});
    gone = CreateAccount(port, admin, "gone");
    PatchAccount(port, admin, sleeper.id, EnabledBody(false));
    REQUIRE(kt::Delete(port, kt::JoinPath(kAccounts, gone.id), admin).status == 204);
    MintV1(port, active.client_id, active.secret);
    REQUIRE_FALSE(WaitForNewLastLogin(port, admin, active.id, "").empty());
    before = ListAccounts(port, admin);
    REQUIRE(before.size() == 2);
    CHECK(server.Stop() == 0);
  }
  {
    kt::KeymintProcess server(options);
    const uint16_t port = server.port();
    const std::string admin = kt::AdminToken(port);
    const std::vector<Account> after = ListAccounts(port, admin);
    REQUIRE(after.size() == 2);
    for (std::size_t i = 0; i < after.size(); ++i) {
      INFO("index " << i);
      kt::CheckSameServiceAccount(before[i], after[i]);
    }
    CHECK(after[0].id == active.id);
    CHECK(after[0].enabled);
    CHECK_FALSE(after[0].last_login.empty());
    CHECK(after[1].id == sleeper.id);
    CHECK_FALSE(after[1].enabled);
    CHECK(after[1].last_login.empty());

    for (const auto& token : MintEverywhere(port, active.client_id, active.secret)) {
      CheckAccountClaims(token, active, {"Editor", "Viewer"});
    }
    CheckRefusedEverywhere(port, sleeper.client_id, sleeper.secret);
    CheckRefusedEverywhere(port, gone.client_id, gone.secret);
    kt::CheckError(kt::Get(port, kt::JoinPath(kAccounts, gone.id), admin), 404);

    // The disabled one keeps its roles for when it is enabled again.
    PatchAccount(port, admin, sleeper.id, EnabledBody(true));
    CheckAccountClaims(MintV1(port, sleeper.client_id, sleeper.secret), sleeper, {"Viewer"});
    CHECK(server.Stop() == 0);
  }
}
