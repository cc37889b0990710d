#include "service/token_claims.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace keymint {
namespace {

namespace json = boost::json;

// What the claims were before TokenClaimsJson: a Boost.JSON object with the
// members in this order, serialised. The oracle for every case below.
json::object Oracle(const TokenClaims& c) {
  json::object claims;
  claims.emplace("iss", c.issuer);
  claims.emplace("sub", c.subject);
  claims.emplace("aud", c.audience);
  claims.emplace("iat", c.issued_at);
  claims.emplace("nbf", c.issued_at);
  claims.emplace("exp", c.expires_at);
  claims.emplace("jti", c.token_id);
  if (c.client_id) claims.emplace("client_id", *c.client_id);
  json::array roles;
  if (c.roles) {
    for (const auto& role : *c.roles) roles.emplace_back(role);
  }
  claims.emplace("roles", std::move(roles));
  claims.emplace("preferred_username", c.username);
  claims.emplace("gen", c.generation);
  return claims;
}

std::vector<std::string> Keys(const json::object& object) {
  std::vector<std::string> keys;
  for (const auto& member : object) keys.emplace_back(member.key());
  return keys;
}

TEST_CASE("TokenClaimsJson writes the same JSON as the Boost.JSON object it replaces", "[service]") {
  const std::string client_id = "kmq8Xb3v0Jw5cF2nT9rLhA";
  const std::vector<std::string> roles = {"System administrator", "L1 researcher"};
  const TokenClaims claims{.issuer = "https://keymint.test",
                           .subject = "6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f",
                           .audience = "https://keymint.test/api",
                           .issued_at = 1796000000,
                           .expires_at = 1796003600,
                           .token_id = "Q2xpZW50Q3JlZGVudGlhbHM",
                           .client_id = &client_id,
                           .roles = &roles,
                           .username = "ada@example.com",
                           .generation = 18446744073709551615ULL};

  const std::string written = TokenClaimsJson(claims);

  // Printable ASCII: byte for byte what the serialiser wrote.
  CHECK(written == json::serialize(Oracle(claims)));
  CHECK(Keys(json::parse(written).as_object()) == std::vector<std::string>{"iss", "sub", "aud", "iat", "nbf", "exp",
                                                                           "jti", "client_id", "roles",
                                                                           "preferred_username", "gen"});
}

TEST_CASE("TokenClaimsJson leaves out client_id for a password login and writes no roles as []", "[service]") {
  const TokenClaims claims{.issuer = "i", .subject = "s", .audience = "a", .token_id = "t", .username = "u"};

  const std::string written = TokenClaimsJson(claims);

  CHECK(written == R"({"iss":"i","sub":"s","aud":"a","iat":0,"nbf":0,"exp":0,"jti":"t","roles":[],)"
                   R"("preferred_username":"u","gen":0})");
  CHECK(json::parse(written) == json::value(Oracle(claims)));
}

TEST_CASE("TokenClaimsJson escapes every string so the claims parse to what was given", "[service]") {
  const std::string client_id = "id\"with\\quote";
  const std::vector<std::string> roles = {
      "a\"b", "back\\slash", "tab\tnew\nline", "caf\xC3\xA9 \xE2\x82\xAC", "", std::string("nul\0byte", 8)};
  const TokenClaims claims{.issuer = "https://issuer.test/\"x\"",
                           .subject = "sub\x01\x1f",
                           .audience = "</script>",
                           .issued_at = -5,
                           .expires_at = 7,
                           .token_id = "jti",
                           .client_id = &client_id,
                           .roles = &roles,
                           .username = "\xF0\x9F\x94\x91 key\x7f",
                           .generation = 3};

  const std::string written = TokenClaimsJson(claims);

  json::error_code ec;
  const json::value parsed = json::parse(written, ec);
  REQUIRE_FALSE(ec);
  CHECK(parsed == json::value(Oracle(claims)));
}

}  // namespace
}  // namespace keymint
