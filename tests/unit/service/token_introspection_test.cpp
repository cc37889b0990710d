// Introspection and revocation in the service layer: which tokens are active,
// who may revoke what, and that the authenticator refuses what was revoked.
#include "keymint/service/token_introspection.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "keymint/crypto/jws.hpp"
#include "unit/test_support/service_env.hpp"

namespace keymint {
namespace {

namespace json = boost::json;
using testing::DefaultTokenSettings;
using testing::ServiceEnv;
using testing::StoredCredential;

struct IntrospectionFixture : ServiceEnv {
  std::unique_ptr<TokenService> tokens = MakeTokens();
  TokenDenyList deny_list{*store, clock, 100};
  Authenticator authenticator{*store,    keys, clock, DefaultTokenSettings().issuer, DefaultTokenSettings().audience,
                              &deny_list};
  TokenIntrospection introspection{authenticator, keys, deny_list, clock, DefaultTokenSettings().issuer};
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "correct horse battery");
  StoredCredential key = AddAccessKey(ada, "ci");
  StoredCredential other = AddAccessKey(ada, "other");

  std::string Mint(const StoredCredential& credential) {
    auto issued = tokens->ExchangeClientCredentials(credential.record.client_id, credential.secret);
    REQUIRE(issued.ok());
    return issued->jwt;
  }

  bool Active(const std::string& token) {
    auto answer = introspection.Introspect(token);
    REQUIRE(answer.ok());
    return answer->has_value();
  }
};

}  // namespace

TEST_CASE_METHOD(IntrospectionFixture, "an active token introspects to its own claims", "[service]") {
  const std::string token = Mint(key);
  auto answer = introspection.Introspect(token);
  REQUIRE(answer.ok());
  REQUIRE(answer->has_value());
  const json::object claims = json::parse(**answer).as_object();
  CHECK(claims.at("client_id") == key.record.client_id.c_str());
  CHECK(claims.at("sub") == ada.id.c_str());
  CHECK_FALSE(Active("not-a-token"));
  CHECK_FALSE(Active(""));
}

TEST_CASE_METHOD(IntrospectionFixture, "a token of another issuer is inactive even when signed by our key",
                 "[service]") {
  json::object claims = json::parse(*crypto::VerifyJws(Mint(key), keys)).as_object();
  claims["iss"] = "https://elsewhere.example";
  auto foreign = crypto::SignJws(keys.active(), keys.active_header(), json::serialize(claims));
  REQUIRE(foreign.ok());
  CHECK_FALSE(Active(*foreign));
  // Nor is it revocable: it is not a token of this issuer.
  CHECK(introspection.Revoke(*foreign, key.record.client_id).ok());
  CHECK(deny_list.size() == 0);
}

TEST_CASE_METHOD(IntrospectionFixture, "a revoked token is inactive and refused by the authenticator", "[service]") {
  const std::string token = Mint(key);
  const std::string kept = Mint(key);
  REQUIRE(authenticator.Authenticate(token).ok());
  REQUIRE(introspection.Revoke(token, key.record.client_id).ok());
  CHECK_FALSE(Active(token));
  auto refused = authenticator.Authenticate(token);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnauthenticated);
  CHECK(Active(kept));  // the deny list names one jti, not the client
  CHECK(deny_list.size() == 1);
}

TEST_CASE_METHOD(IntrospectionFixture, "a client revokes only its own tokens", "[service]") {
  const std::string token = Mint(key);
  Status refused = introspection.Revoke(token, other.record.client_id);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kPermissionDenied);
  CHECK(Active(token));
  // A password token belongs to no client.
  auto password = tokens->ExchangePassword("ada@example.com", "correct horse battery");
  REQUIRE(password.ok());
  CHECK(introspection.Revoke(password->jwt, key.record.client_id).error().code == ErrorCode::kPermissionDenied);
  CHECK(deny_list.size() == 0);
}

TEST_CASE_METHOD(IntrospectionFixture, "revoking what is not a live keymint token is OK and lists nothing",
                 "[service]") {
  CHECK(introspection.Revoke("not-a-token", key.record.client_id).ok());
  const std::string token = Mint(key);
  clock.Advance(int64_t{601} * 1000);  // past the 600 s lifetime of the test settings
  CHECK_FALSE(Active(token));
  CHECK(introspection.Revoke(token, key.record.client_id).ok());
  CHECK(deny_list.size() == 0);
}

TEST_CASE_METHOD(IntrospectionFixture, "the deny list keeps a revoked token until its exp", "[service]") {
  const std::string token = Mint(key);
  REQUIRE(introspection.Revoke(token, key.record.client_id).ok());
  auto listed = store->ListRevokedTokens();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  const json::object claims = json::parse(*crypto::VerifyJws(token, keys)).as_object();
  CHECK(listed->front().jti == std::string(claims.at("jti").as_string()));
  CHECK(listed->front().expires_at_ms == claims.at("exp").as_int64() * 1000);
}

}  // namespace keymint
