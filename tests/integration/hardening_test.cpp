// Hostile clients against the real binary: framing tricks, credential
// guessing and password floods get clear 4xx answers and leave everyone else
// served.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/fixtures.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

HttpResponse V2ClientPost(uint16_t port, const std::string& id, const std::string& secret,
                          const std::string& source = "127.0.0.1") {
  return SendFrom(source, port, "POST", "/api/v2/token",
                  "grant_type=client_credentials&client_id=" + FormEncode(id) + "&client_secret=" + FormEncode(secret),
                  {{"Content-Type", "application/x-www-form-urlencoded"}});
}

HttpResponse V1ClientPost(uint16_t port, const std::string& id, const std::string& secret,
                          const std::string& source = "127.0.0.1") {
  return SendFrom(source, port, "POST", "/api/v1/token", json::serialize(ClientCredentialsBody(id, secret)),
                  {{"Content-Type", "application/json"}});
}

HttpResponse V1PasswordPost(uint16_t port, const std::string& username, const std::string& password,
                            const std::string& source = "127.0.0.1") {
  return SendFrom(source, port, "POST", "/api/v1/token", json::serialize(PasswordBody(username, password)),
                  {{"Content-Type", "application/json"}});
}

void CheckRetryAfter(const HttpResponse& response) {
  const std::string value = response.Header("Retry-After");
  INFO("Retry-After: " << value);
  REQUIRE_FALSE(value.empty());
  CHECK(value.find_first_not_of("0123456789") == std::string::npos);
  CHECK(std::stol(value) >= 1);
}

TEST_CASE("a bearer token sent as a chunked trailer is not honoured", "[integration][hardening]") {
  KeymintProcess keymint;
  const std::string admin = AdminToken(keymint.port());
  const std::string body = json::serialize(NameBody("smuggled"));
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());

  const std::string answer =
      SendRaw(keymint.port(),
              "POST /api/v1/access-keys HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
              "Connection: close\r\n\r\n" +
                  std::string(size) + "\r\n" + body + "\r\n0\r\nAuthorization: Bearer " + admin + "\r\n\r\n");

  INFO(answer);
  CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
  CHECK(ListAccessKeys(keymint.port(), admin).empty());
}

TEST_CASE("a chunked body with its Authorization in the header still works", "[integration][hardening]") {
  KeymintProcess keymint;
  const std::string admin = AdminToken(keymint.port());
  const std::string body = json::serialize(NameBody("chunked"));
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());

  const std::string answer =
      SendRaw(keymint.port(), "POST /api/v1/access-keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin +
                                  "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                                  "Connection: close\r\n\r\n" +
                                  std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n");

  INFO(answer);
  CHECK(answer.rfind("HTTP/1.1 201", 0) == 0);
}

TEST_CASE("Transfer-Encoding other than chunked is 400 on a real endpoint", "[integration][hardening]") {
  KeymintProcess keymint;
  const std::string answer = SendRaw(keymint.port(),
                                     "POST /api/v2/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Content-Type: application/x-www-form-urlencoded\r\n"
                                     "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n");
  INFO(answer);
  CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
}

TEST_CASE("Expect: 100-continue is answered so curl-style clients do not stall", "[integration][hardening]") {
  KeymintProcess keymint;
  // The whole request is sent at once, as a client that does not wait would;
  // the interim 100 must still come first, then the real answer.
  const std::string form = "grant_type=client_credentials&client_id=x&client_secret=y";
  const std::string answer = SendRaw(keymint.port(),
                                     "POST /api/v2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                                     "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
                                     "Content-Length: " +
                                         std::to_string(form.size()) + "\r\n\r\n" + form);
  INFO(answer);
  CHECK(answer.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401", 0) == 0);
}

// The throttle tests set a small burst and a refill of one a minute, so that
// 429 comes at once and never lifts by itself during the test.
TEST_CASE("repeated wrong secrets for one client ID are throttled with 429 at both endpoints",
          "[integration][hardening]") {
  KeymintProcess keymint(
      WithEnv({{"KEYMINT_THROTTLE_CLIENT_ID_BURST", "3"}, {"KEYMINT_THROTTLE_CLIENT_ID_PER_MINUTE", "1"}}));
  const uint16_t port = keymint.port();
  const std::string admin = AdminToken(port);
  const CreatedKey attacked = CreateAccessKey(port, admin, "attacked");
  const CreatedKey bystander = CreateAccessKey(port, admin, "bystander");

  for (int i = 0; i < 3; ++i) CheckError(V1ClientPost(port, attacked.client_id, "wrong-" + std::to_string(i)), 401);

  SECTION("v1: the Error shape with code 429 and Retry-After, even for the right secret") {
    for (const std::string& secret : {std::string("wrong-again"), attacked.client_secret}) {
      const HttpResponse refused = V1ClientPost(port, attacked.client_id, secret);
      CheckError(refused, 429);
      CheckRetryAfter(refused);
      CheckNoStore(refused);
    }
  }
  SECTION("v2: RFC 6749 shape, error slow_down, with Retry-After") {
    const HttpResponse refused = V2ClientPost(port, attacked.client_id, attacked.client_secret);
    CheckOAuthError(refused, 429, "slow_down");
    CheckRetryAfter(refused);
    CheckNoStore(refused);
  }
  // Another client from the same address is not slowed at all.
  CHECK(V1ClientPost(port, bystander.client_id, bystander.client_secret).status == 200);
  CHECK(V2ClientPost(port, bystander.client_id, bystander.client_secret).status == 200);
}

TEST_CASE("an address that keeps failing is throttled; other addresses are served", "[integration][hardening]") {
  KeymintProcess keymint(
      WithEnv({{"KEYMINT_THROTTLE_CLIENT_ADDRESS_BURST", "5"}, {"KEYMINT_THROTTLE_CLIENT_ADDRESS_PER_MINUTE", "1"}}));
  const uint16_t port = keymint.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "legit");

  // Random client IDs from one address: each fails once, the address five times.
  for (int i = 0; i < 5; ++i) {
    CHECK(V2ClientPost(port, "sprayed-" + std::to_string(i), "x", "127.0.0.2").status == 401);
  }
  const HttpResponse refused = V2ClientPost(port, key.client_id, key.client_secret, "127.0.0.2");
  CheckOAuthError(refused, 429, "slow_down");
  CheckRetryAfter(refused);

  CHECK(V2ClientPost(port, key.client_id, key.client_secret, "127.0.0.3").status == 200);
  CHECK(V1ClientPost(port, key.client_id, key.client_secret).status == 200);
}

TEST_CASE("wrong passwords for one user are throttled; other users still log in", "[integration][hardening]") {
  KeymintProcess keymint(
      WithEnv({{"KEYMINT_THROTTLE_USERNAME_BURST", "2"}, {"KEYMINT_THROTTLE_USERNAME_PER_MINUTE", "1"}}));
  const uint16_t port = keymint.port();
  const std::string admin = AdminToken(port);
  const CreatedUser victim = CreateUser(port, admin, "victim@example.com");

  CheckError(V1PasswordPost(port, victim.email, "guess-1", "127.0.0.2"), 401);
  CheckOAuthError(SendFrom("127.0.0.3", port, "POST", "/api/v2/token",
                           "grant_type=password&username=victim%40example.com&password=guess-2",
                           {{"Content-Type", "application/x-www-form-urlencoded"}}),
                  400, "invalid_grant");

  // The username is throttled whichever address asks, right password or not.
  const HttpResponse v1 = V1PasswordPost(port, victim.email, victim.password, "127.0.0.4");
  CheckError(v1, 429);
  CheckRetryAfter(v1);
  const HttpResponse v2 = SendFrom("127.0.0.4", port, "POST", "/api/v2/token",
                                   "grant_type=password&username=VICTIM%40example.com&password=x",
                                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  CheckOAuthError(v2, 429, "slow_down");
  CheckRetryAfter(v2);

  // The admin is another user: unaffected.
  CHECK(V1PasswordPost(port, kAdminEmail, kAdminPassword).status == 200);
}

TEST_CASE("wrong current passwords on /me/password count as failed logins of that user", "[integration][hardening]") {
  KeymintProcess keymint(
      WithEnv({{"KEYMINT_THROTTLE_USERNAME_BURST", "2"}, {"KEYMINT_THROTTLE_USERNAME_PER_MINUTE", "1"}}));
  const uint16_t port = keymint.port();
  const CreatedUser user = CreateUser(port, AdminToken(port), "changer@example.com");

  for (int i = 0; i < 2; ++i) {
    CheckError(PostJson(port, "/api/v1/me/password",
                        json::object{{"currentPassword", "not-it-" + std::to_string(i)},
                                     {"newPassword", "a-new-password-123"}},
                        user.token),
               400);
  }
  const HttpResponse refused =
      PostJson(port, "/api/v1/me/password",
               json::object{{"currentPassword", user.password}, {"newPassword", "a-new-password-123"}}, user.token);
  CheckError(refused, 429);
  CheckRetryAfter(refused);
  // And the login of that user is throttled too: one limiter per username.
  CheckError(PasswordLogin(port, user.email, user.password), 429);
}

TEST_CASE("password checks beyond the queue are refused with 503 and Retry-After", "[integration][hardening]") {
  // One KDF at a time, no queue: concurrent logins find the gate full. Full
  // strength hashing (~130 ms a check) keeps the gate busy while they arrive.
  KeymintProcess keymint(WithEnv({{"KEYMINT_PASSWORD_QUEUE", "0"}, {"KEYMINT_PASSWORD_ITERATIONS", "600000"}}));
  const uint16_t port = keymint.port();

  const auto responses = Concurrently(6, [&](int) { return PasswordLogin(port, kAdminEmail, kAdminPassword); });

  const int ok = CountStatus(responses, 200);
  const int busy = CountStatus(responses, 503);
  CHECK(ok >= 1);
  CHECK(busy >= 1);
  CHECK(ok + busy == 6);
  for (const auto& response : responses) {
    if (response.status == 503) CheckRetryAfter(response);
  }
}

TEST_CASE("a burst of logins waits its turn in the queue and all succeed", "[integration][hardening]") {
  // The default queue (16) with a wait long enough for a loaded test machine.
  KeymintProcess keymint(WithEnv({{"KEYMINT_PASSWORD_QUEUE_WAIT_MS", "60000"}}));
  const uint16_t port = keymint.port();

  const auto responses = Concurrently(6, [&](int) { return PasswordLogin(port, kAdminEmail, kAdminPassword); });

  CHECK(CountStatus(responses, 200) == 6);
}

}  // namespace
}  // namespace keymint::testing
