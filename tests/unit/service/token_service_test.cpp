#include "keymint/service/token_service.hpp"

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "keymint/crypto/client_secret.hpp"
#include "keymint/crypto/jws.hpp"
#include "keymint/crypto/password_hash.hpp"
#include "unit/test_support/jwt.hpp"
#include "unit/test_support/service_env.hpp"

namespace json = boost::json;
using keymint::CredentialKind;
using keymint::ErrorCode;
using keymint::TokenService;
using keymint::UserRecord;
using keymint::testing::JwtClaims;
using keymint::testing::JwtHeader;
using keymint::testing::ServiceEnv;

namespace {

std::vector<std::string> Strings(const json::value& value) {
  std::vector<std::string> out;
  for (const auto& item : value.as_array()) out.emplace_back(item.as_string());
  return out;
}

struct TokenFixture : ServiceEnv {
  std::unique_ptr<TokenService> tokens = MakeTokens();

  void RequireBadClient(const keymint::Result<keymint::IssuedToken>& result) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kUnauthenticated);
    CHECK(result.error().message == "invalid client credentials");
  }
  void RequireBadPassword(const keymint::Result<keymint::IssuedToken>& result) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kUnauthenticated);
    CHECK(result.error().message == "invalid username or password");
  }
};

}  // namespace

TEST_CASE_METHOD(TokenFixture, "a client-credentials exchange mints a token carrying the owner's identity",
                 "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"L1 researcher", "Viewer"});
  auto key = AddAccessKey(ada, "ci");

  auto issued = tokens->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(issued.ok());
  CHECK(issued->expires_in == 600);

  json::object claims = JwtClaims(issued->jwt);
  const int64_t now_s = clock.NowMillis() / 1000;  // whole seconds, rounded down
  CHECK(claims.at("iss").as_string() == "https://keymint.test");
  CHECK(claims.at("sub").as_string() == ada.id);
  CHECK(claims.at("aud").as_string() == "https://keymint.test/api");
  CHECK(claims.at("iat").as_int64() == now_s);
  CHECK(claims.at("nbf").as_int64() == now_s);
  CHECK(claims.at("exp").as_int64() == now_s + 600);
  CHECK_FALSE(claims.at("jti").as_string().empty());
  CHECK(claims.at("client_id").as_string() == key.record.client_id);
  CHECK(Strings(claims.at("roles")) == std::vector<std::string>{"L1 researcher", "Viewer"});
  CHECK(claims.at("preferred_username").as_string() == "ada@example.com");
}

TEST_CASE_METHOD(TokenFixture, "a minted token is an RS256 JWS signed by the active key", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto key = AddAccessKey(ada, "ci");
  auto issued = tokens->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(issued.ok());

  json::object header = JwtHeader(issued->jwt);
  CHECK(header.at("alg").as_string() == "RS256");
  CHECK(header.at("typ").as_string() == "JWT");
  CHECK(header.at("kid").as_string() == keys.active().kid());
  auto payload = keymint::crypto::VerifyJws(issued->jwt, keys);
  REQUIRE(payload.ok());
  CHECK(json::parse(*payload).as_object() == JwtClaims(issued->jwt));
}

TEST_CASE_METHOD(TokenFixture, "with an ES256 or EdDSA key ring, minted tokens carry that alg and verify",
                 "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto key = AddAccessKey(ada, "ci");
  for (auto algorithm : {keymint::crypto::SigningAlgorithm::kEs256, keymint::crypto::SigningAlgorithm::kEdDsa}) {
    const std::string name(keymint::crypto::AlgorithmName(algorithm));
    INFO(name);
    auto ring = keymint::crypto::KeyRing::Open(dir.Sub("keys-" + name), algorithm);
    REQUIRE(ring.ok());
    auto minting = MakeTokens(keymint::testing::DefaultTokenSettings(), &*ring);
    auto issued = minting->ExchangeClientCredentials(key.record.client_id, key.secret);
    REQUIRE(issued.ok());
    json::object header = JwtHeader(issued->jwt);
    CHECK(header.at("alg").as_string() == name);
    CHECK(header.at("kid").as_string() == ring->active().kid());
    CHECK(keymint::crypto::VerifyJws(issued->jwt, *ring).ok());
    CHECK_FALSE(keymint::crypto::VerifyJws(issued->jwt, keys).ok());  // the RSA ring does not know its key
  }
}

TEST_CASE_METHOD(TokenFixture, "every token has its own jti", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto key = AddAccessKey(ada, "ci");
  auto first = tokens->ExchangeClientCredentials(key.record.client_id, key.secret);
  auto second = tokens->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(JwtClaims(first->jwt).at("jti") != JwtClaims(second->jwt).at("jti"));
}

TEST_CASE_METHOD(TokenFixture, "a token carries the owner's roles as they are at the exchange", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto key = AddAccessKey(ada, "ci");
  ada.roles = {"System administrator"};
  Update(ada);

  auto issued = tokens->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(issued.ok());
  CHECK(Strings(JwtClaims(issued->jwt).at("roles")) == std::vector<std::string>{"System administrator"});
}

TEST_CASE_METHOD(TokenFixture, "the token lifetime comes from the settings", "[service]") {
  auto short_lived = MakeTokens({"https://keymint.test", "https://keymint.test/api", 60});
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto key = AddAccessKey(ada, "ci");
  auto issued = short_lived->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(issued.ok());
  CHECK(issued->expires_in == 60);
  json::object claims = JwtClaims(issued->jwt);
  CHECK(claims.at("exp").as_int64() == claims.at("iat").as_int64() + 60);
}

TEST_CASE_METHOD(TokenFixture, "a wrong secret, an unknown client ID and a disabled credential fail alike",
                 "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto key = AddAccessKey(ada, "ci");
  auto disabled_key = AddAccessKey(ada, "off");
  disabled_key.record.enabled = false;
  Update(disabled_key.record);
  auto disabled_account = AddServiceAccount("robot", {"Editor"}, /*enabled=*/false);

  auto wrong_secret = tokens->ExchangeClientCredentials(key.record.client_id, key.secret + "x");
  auto unknown_client = tokens->ExchangeClientCredentials("no-such-client-id", key.secret);
  auto empty_secret = tokens->ExchangeClientCredentials(key.record.client_id, "");
  auto off_key = tokens->ExchangeClientCredentials(disabled_key.record.client_id, disabled_key.secret);
  auto off_account = tokens->ExchangeClientCredentials(disabled_account.record.client_id, disabled_account.secret);

  RequireBadClient(wrong_secret);
  RequireBadClient(unknown_client);
  RequireBadClient(empty_secret);
  RequireBadClient(off_key);
  RequireBadClient(off_account);
}

// Counts the reads that could reveal whether a client ID exists and forwards
// everything to the real store.
class CountingStore final : public keymint::Store {
 public:
  explicit CountingStore(const keymint::Store& inner) : inner_(inner) {}
  int credential_reads() const { return credential_reads_.load(); }

  keymint::Status RunTransaction(const keymint::TransactionBody&) override { return Refused(); }
  keymint::Result<std::optional<UserRecord>> GetUser(std::string_view id,
                                                     keymint::LastLoginField field) const override {
    return inner_.GetUser(id, field);
  }
  keymint::Result<std::optional<UserRecord>> FindUserByEmail(std::string_view email) const override {
    return inner_.FindUserByEmail(email);
  }
  keymint::Result<std::vector<UserRecord>> ListUsers() const override { return inner_.ListUsers(); }
  keymint::Result<std::optional<keymint::CredentialRecord>> GetCredential(std::string_view id) const override {
    ++credential_reads_;
    return inner_.GetCredential(id);
  }
  keymint::Result<std::optional<keymint::CredentialRecord>> FindCredentialByClientId(
      std::string_view client_id, keymint::LastLoginField field) const override {
    ++credential_reads_;
    return inner_.FindCredentialByClientId(client_id, field);
  }
  keymint::Result<std::optional<keymint::CredentialRecord>> FindCredentialByName(CredentialKind kind,
                                                                                 std::string_view scope,
                                                                                 std::string_view name) const override {
    ++credential_reads_;
    return inner_.FindCredentialByName(kind, scope, name);
  }
  keymint::Result<std::vector<keymint::CredentialRecord>> ListCredentials(
      const keymint::CredentialQuery& query) const override {
    ++credential_reads_;
    return inner_.ListCredentials(query);
  }
  keymint::Result<std::size_t> CountCredentialsOfOwner(std::string_view owner_id) const override {
    return inner_.CountCredentialsOfOwner(owner_id);
  }
  keymint::Result<std::size_t> CountCredentialsOfKind(CredentialKind kind) const override {
    return inner_.CountCredentialsOfKind(kind);
  }
  keymint::Status RecordLastLogins(const std::vector<keymint::LastLogin>&) override { return Refused(); }
  keymint::Status Flush() override { return Refused(); }

 private:
  static keymint::Status Refused() { return keymint::Error::Internal("read-only in this test"); }
  const keymint::Store& inner_;
  mutable std::atomic<int> credential_reads_{0};
};

TEST_CASE_METHOD(TokenFixture, "a kmsec_ secret with a bad checksum or length fails like a wrong secret, unread",
                 "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto key = AddAccessKey(ada, "ci");
  CountingStore counting(*store);
  TokenService counted(counting, keys, hasher, clock, recorder, limiter, keymint::testing::DefaultTokenSettings());

  const std::string wellformed_but_wrong = keymint::crypto::NewClientSecret();
  std::string bad_checksum = wellformed_but_wrong;
  bad_checksum.back() = bad_checksum.back() == '0' ? '1' : '0';
  const std::string wrong_length = wellformed_but_wrong.substr(0, 54);

  for (const std::string& malformed : {bad_checksum, wrong_length, std::string("kmsec_")}) {
    INFO(malformed);
    RequireBadClient(counted.ExchangeClientCredentials(key.record.client_id, malformed));
    RequireBadClient(counted.ExchangeClientCredentials("no-such-client-id", malformed));
  }
  CHECK(counting.credential_reads() == 0);

  // A well-formed secret is looked up, and a wrong one fails with the same error.
  RequireBadClient(counted.ExchangeClientCredentials(key.record.client_id, wellformed_but_wrong));
  CHECK(counting.credential_reads() > 0);
}

TEST_CASE_METHOD(TokenFixture, "a secret stored before the kmsec_ format (43 characters, no prefix) still mints",
                 "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto key = AddAccessKey(ada, "legacy");  // AddCredential stores RandomUrlSafe(32), the earlier form
  REQUIRE(key.secret.size() == 43);
  REQUIRE_FALSE(key.secret.starts_with(keymint::crypto::kClientSecretPrefix));
  CHECK(tokens->ExchangeClientCredentials(key.record.client_id, key.secret).ok());

  // One that begins with "kmsec_" by chance is still an earlier-format secret.
  auto unlucky = AddAccessKey(ada, "unlucky");
  unlucky.secret = "kmsec_" + unlucky.secret.substr(6);
  unlucky.record.secret_hash = hasher.Hash(unlucky.secret);
  Update(unlucky.record);
  CHECK(tokens->ExchangeClientCredentials(unlucky.record.client_id, unlucky.secret).ok());
}

TEST_CASE_METHOD(TokenFixture, "another credential's secret does not unlock a client ID", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto first = AddAccessKey(ada, "first");
  auto second = AddAccessKey(ada, "second");
  RequireBadClient(tokens->ExchangeClientCredentials(first.record.client_id, second.secret));
}

TEST_CASE_METHOD(TokenFixture, "an access key whose owner is gone mints nothing", "[service]") {
  UserRecord ghost;
  ghost.id = keymint::crypto::NewUuidV4();  // never stored: the owner was deleted mid-flight
  ghost.email = "ghost@example.com";
  auto orphan = AddAccessKey(ghost, "orphan");

  RequireBadClient(tokens->ExchangeClientCredentials(orphan.record.client_id, orphan.secret));
  REQUIRE(recorder.FlushPending().ok());
  CHECK_FALSE(store->GetCredential(orphan.record.id).value()->last_login_ms.has_value());
}

TEST_CASE_METHOD(TokenFixture, "a service account mints a token with its own id, name and roles", "[service]") {
  auto account = AddServiceAccount("deployer", {"ML engineer", "Editor"});

  auto issued = tokens->ExchangeClientCredentials(account.record.client_id, account.secret);
  REQUIRE(issued.ok());
  json::object claims = JwtClaims(issued->jwt);
  CHECK(claims.at("sub").as_string() == account.record.id);
  CHECK(claims.at("preferred_username").as_string() == "deployer");
  CHECK(Strings(claims.at("roles")) == std::vector<std::string>{"ML engineer", "Editor"});
  CHECK(claims.at("client_id").as_string() == account.record.client_id);
  CHECK(claims.at("iss").as_string() == "https://keymint.test");
  CHECK(claims.at("aud").as_string() == "https://keymint.test/api");
}

TEST_CASE_METHOD(TokenFixture, "a password exchange mints a token for the user without a client_id", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"System administrator"}, "correct horse battery");

  auto issued = tokens->ExchangePassword("ada@example.com", "correct horse battery");
  REQUIRE(issued.ok());
  CHECK(issued->expires_in == 600);
  json::object claims = JwtClaims(issued->jwt);
  const int64_t now_s = clock.NowMillis() / 1000;
  CHECK(claims.at("sub").as_string() == ada.id);
  CHECK(claims.at("preferred_username").as_string() == "ada@example.com");
  CHECK(Strings(claims.at("roles")) == std::vector<std::string>{"System administrator"});
  CHECK(claims.at("iat").as_int64() == now_s);
  CHECK(claims.at("exp").as_int64() == now_s + 600);
  CHECK_FALSE(claims.contains("client_id"));
}

TEST_CASE_METHOD(TokenFixture, "a password exchange matches the username whatever its letter case", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "correct horse battery");
  auto issued = tokens->ExchangePassword("Ada@Example.COM", "correct horse battery");
  REQUIRE(issued.ok());
  CHECK(JwtClaims(issued->jwt).at("sub").as_string() == ada.id);
}

TEST_CASE_METHOD(TokenFixture, "a wrong password and an unknown username fail alike", "[service]") {
  AddUser("ada@example.com", {"Viewer"}, "correct horse battery");

  auto wrong_password = tokens->ExchangePassword("ada@example.com", "correct horse battery!");
  auto unknown_user = tokens->ExchangePassword("nobody@example.com", "correct horse battery");
  auto empty_password = tokens->ExchangePassword("ada@example.com", "");

  RequireBadPassword(wrong_password);
  RequireBadPassword(unknown_user);
  RequireBadPassword(empty_password);
}

TEST_CASE_METHOD(TokenFixture, "a client-credentials exchange records the key's last login at the clock's time",
                 "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto key = AddAccessKey(ada, "ci");
  clock.Set(1'700'000'123'456);

  REQUIRE(tokens->ExchangeClientCredentials(key.record.client_id, key.secret).ok());
  REQUIRE(recorder.FlushPending().ok());

  auto stored = store->GetCredential(key.record.id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->last_login_ms == 1'700'000'123'456);
}

TEST_CASE_METHOD(TokenFixture, "a service-account exchange records the account's last login", "[service]") {
  auto account = AddServiceAccount("deployer", {"Editor"});
  clock.Set(1'700'000'222'000);
  REQUIRE(tokens->ExchangeClientCredentials(account.record.client_id, account.secret).ok());
  REQUIRE(recorder.FlushPending().ok());
  CHECK(store->GetCredential(account.record.id).value()->last_login_ms == 1'700'000'222'000);
}

TEST_CASE_METHOD(TokenFixture, "a password exchange records the user's last login", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "correct horse battery");
  clock.Set(1'700'000'333'000);
  REQUIRE(tokens->ExchangePassword("ada@example.com", "correct horse battery").ok());
  REQUIRE(recorder.FlushPending().ok());
  CHECK(store->GetUser(ada.id).value()->last_login_ms == 1'700'000'333'000);
}

TEST_CASE_METHOD(TokenFixture, "a failed exchange records no last login", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "correct horse battery");
  auto key = AddAccessKey(ada, "ci");
  RequireBadClient(tokens->ExchangeClientCredentials(key.record.client_id, "wrong"));
  RequireBadPassword(tokens->ExchangePassword("ada@example.com", "wrong password"));
  REQUIRE(recorder.FlushPending().ok());
  CHECK_FALSE(store->GetCredential(key.record.id).value()->last_login_ms.has_value());
  CHECK_FALSE(store->GetUser(ada.id).value()->last_login_ms.has_value());
}

namespace {

// Runs `callers` password exchanges for ada at once; the error codes of those
// that failed, nullopt for those that succeeded.
std::vector<std::optional<ErrorCode>> ConcurrentLogins(TokenService& tokens, int callers) {
  std::vector<std::optional<ErrorCode>> outcomes(static_cast<std::size_t>(callers));
  std::latch start(callers);
  std::vector<std::thread> threads;
  for (int i = 0; i < callers; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto issued = tokens.ExchangePassword("ada@example.com", "correct horse battery");
      if (!issued.ok()) outcomes[static_cast<std::size_t>(i)] = issued.error().code;
    });
  }
  for (auto& thread : threads) thread.join();
  return outcomes;
}

}  // namespace

TEST_CASE_METHOD(TokenFixture, "password checks beyond the concurrency limit wait their turn and succeed",
                 "[service]") {
  // A hash at the production cost (~0.13 s to check) keeps each check running
  // long enough for the others, started together, to find the gate taken.
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  ada.password_hash = keymint::crypto::HashPassword("correct horse battery");
  Update(ada);

  // One at a time, 16 may wait; a generous wait, so that a loaded machine
  // (the checks run one after another) cannot turn waiting into failing.
  keymint::LoginLimits patient;
  patient.password.max_wait = std::chrono::seconds(60);
  keymint::LoginLimiter limiter_with_queue(patient, clock);
  TokenService queued(*store, keys, hasher, clock, recorder, limiter_with_queue,
                      keymint::testing::DefaultTokenSettings());

  const auto outcomes = ConcurrentLogins(queued, 6);

  CHECK(std::count(outcomes.begin(), outcomes.end(), std::nullopt) == 6);
}

TEST_CASE_METHOD(TokenFixture, "password checks beyond the gate's queue fail as Unavailable", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  ada.password_hash = keymint::crypto::HashPassword("correct horse battery");
  Update(ada);
  keymint::LoginLimits no_queue;
  no_queue.password = {.concurrency = 1, .queue = 0, .max_wait = std::chrono::milliseconds(0)};
  keymint::LoginLimiter strict(no_queue, clock);
  TokenService strict_tokens(*store, keys, hasher, clock, recorder, strict, keymint::testing::DefaultTokenSettings());

  const auto outcomes = ConcurrentLogins(strict_tokens, 6);

  const auto succeeded = std::count(outcomes.begin(), outcomes.end(), std::nullopt);
  const auto busy = std::count(outcomes.begin(), outcomes.end(), ErrorCode::kUnavailable);
  CHECK(succeeded >= 1);
  CHECK(busy >= 1);
  CHECK(succeeded + busy == 6);
  // Once they are done the gate is free again.
  CHECK(strict_tokens.ExchangePassword("ada@example.com", "correct horse battery").ok());
}

TEST_CASE_METHOD(TokenFixture, "a client ID past its failure burst is refused, right secret or not, others are not",
                 "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto attacked = AddAccessKey(ada, "attacked");
  auto other = AddAccessKey(ada, "other");
  const int burst = keymint::LoginLimits{}.client_id.burst;

  for (int i = 0; i < burst; ++i) RequireBadClient(tokens->ExchangeClientCredentials(attacked.record.client_id, "x"));

  auto refused = tokens->ExchangeClientCredentials(attacked.record.client_id, attacked.secret);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kResourceExhausted);
  CHECK(refused.error().retry_after_seconds >= 1);
  CHECK(tokens->ExchangeClientCredentials(other.record.client_id, other.secret).ok());

  // The allowance refills with time (120 a minute by default: one per 0.5 s).
  clock.Advance(1000);
  CHECK(tokens->ExchangeClientCredentials(attacked.record.client_id, attacked.secret).ok());
}

TEST_CASE_METHOD(TokenFixture, "an address past its failure burst is refused for every client", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  auto key = AddAccessKey(ada, "ci");
  const int burst = keymint::LoginLimits{}.client_address.burst;

  for (int i = 0; i < burst; ++i) {
    RequireBadClient(tokens->ExchangeClientCredentials("unknown-" + std::to_string(i), "x", "192.0.2.9"));
  }

  auto refused = tokens->ExchangeClientCredentials(key.record.client_id, key.secret, "192.0.2.9");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kResourceExhausted);
  CHECK(tokens->ExchangeClientCredentials(key.record.client_id, key.secret, "192.0.2.10").ok());
  CHECK(tokens->ExchangeClientCredentials(key.record.client_id, key.secret).ok());  // address unknown
}

TEST_CASE_METHOD(TokenFixture, "wrong passwords throttle the username, however it is spelt", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "correct horse battery");
  const int burst = keymint::LoginLimits{}.username.burst;
  for (int i = 0; i < burst; ++i) RequireBadPassword(tokens->ExchangePassword("Ada@Example.com", "wrong"));

  auto refused = tokens->ExchangePassword("ada@example.com", "correct horse battery");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kResourceExhausted);
  // Unknown usernames are throttled the same way, so 429 does not reveal who exists.
  for (int i = 0; i < burst; ++i) RequireBadPassword(tokens->ExchangePassword("nobody@example.com", "wrong"));
  CHECK(tokens->ExchangePassword("nobody@example.com", "wrong").error().code == ErrorCode::kResourceExhausted);
}

TEST_CASE_METHOD(TokenFixture, "a password token carries the user's generation as gen", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "correct horse battery");
  auto first = tokens->ExchangePassword("ada@example.com", "correct horse battery");
  REQUIRE(first.ok());
  CHECK(JwtClaims(first->jwt).at("gen").as_int64() == 0);

  ada.generation = 7;
  Update(ada);
  auto second = tokens->ExchangePassword("ada@example.com", "correct horse battery");
  REQUIRE(second.ok());
  CHECK(JwtClaims(second->jwt).at("gen").as_int64() == 7);
}

TEST_CASE_METHOD(TokenFixture, "a client-credentials token carries the credential's generation, not the owner's",
                 "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"});
  ada.generation = 5;
  Update(ada);
  auto key = AddAccessKey(ada, "ci");
  key.record.generation = 2;
  Update(key.record);
  auto account = AddServiceAccount("deployer", {"Editor"});
  account.record.generation = 3;
  Update(account.record);

  auto key_token = tokens->ExchangeClientCredentials(key.record.client_id, key.secret);
  REQUIRE(key_token.ok());
  CHECK(JwtClaims(key_token->jwt).at("gen").as_int64() == 2);
  auto account_token = tokens->ExchangeClientCredentials(account.record.client_id, account.secret);
  REQUIRE(account_token.ok());
  CHECK(JwtClaims(account_token->jwt).at("gen").as_int64() == 3);
}

TEST_CASE_METHOD(TokenFixture, "gen is written as a plain JSON integer even beyond the int64 range", "[service]") {
  UserRecord ada = AddUser("ada@example.com", {"Viewer"}, "correct horse battery");
  ada.generation = UINT64_MAX;
  Update(ada);
  auto issued = tokens->ExchangePassword("ada@example.com", "correct horse battery");
  REQUIRE(issued.ok());
  const json::object claims = JwtClaims(issued->jwt);  // kept: `gen` refers into it
  const json::value& gen = claims.at("gen");
  REQUIRE(gen.is_uint64());
  CHECK(gen.as_uint64() == UINT64_MAX);
}
