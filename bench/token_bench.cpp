// Micro-benchmarks of the token path, in-process (no HTTP): where does the
// time of one client-credentials exchange go?
//
//   cmake --build build --target keymint_token_bench
//   taskset -c 0 build/bench/keymint_token_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true     (one command line)
// RS256 (BM_Sign, BM_Exchange/10) against ES256 and EdDSA in one run:
//   --benchmark_filter='BM_Sign|BM_VerifyWith|BM_Exchange/10$|BM_ExchangeWith'
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>

#include "keymint/api/api.hpp"
#include "keymint/common/clock.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/crypto/password_hash.hpp"
#include "keymint/crypto/random.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/service/access_key_service.hpp"
#include "keymint/service/authenticator.hpp"
#include "keymint/service/last_login_recorder.hpp"
#include "keymint/service/login_limiter.hpp"
#include "keymint/service/roles.hpp"
#include "keymint/service/service_account_service.hpp"
#include "keymint/service/token_service.hpp"
#include "keymint/service/user_service.hpp"
#include "keymint/store/store.hpp"

namespace {

using namespace keymint;

// The production limits, or all failure throttles off (to time the failure
// paths themselves, which the throttle would otherwise cut short).
LoginLimits Limits(bool throttled) {
  LoginLimits limits;
  if (!throttled) {
    for (ThrottleLimit* limit :
         {&limits.client_id, &limits.client_address, &limits.username, &limits.password_address}) {
      limit->per_minute = 0;
    }
  }
  return limits;
}

// One store with `keys` access keys and one service account, and a token
// service over it.
struct Fixture {
  std::string dir;
  std::unique_ptr<Store> store;
  std::optional<crypto::KeyRing> ring;
  crypto::SecretHasher hasher{crypto::RandomBytes(32)};
  SystemClock clock;
  std::unique_ptr<LastLoginRecorder> recorder;
  LoginLimiter limiter;
  std::unique_ptr<TokenService> tokens;
  std::string client_id, secret;  // the last access key's
  std::string account_client_id, account_secret;

  explicit Fixture(int keys, bool throttled = true,
                   crypto::SigningAlgorithm algorithm = crypto::SigningAlgorithm::kRs256)
      : limiter(Limits(throttled), clock) {
    char tmpl[] = "/tmp/keymint-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    store = std::move(*OpenRocksDbStore(dir + "/db"));
    ring.emplace(std::move(*crypto::KeyRing::Open(dir + "/keys", algorithm)));
    recorder = std::make_unique<LastLoginRecorder>(*store, std::chrono::milliseconds(250));
    tokens = std::make_unique<TokenService>(*store, *ring, hasher, clock, *recorder, limiter,
                                            TokenSettings{"http://127.0.0.1:8080", "http://127.0.0.1:8080", 3600});
    AccessKeyService access_keys(*store, hasher, clock, 1000);
    UserRecord owner;
    for (int i = 0; i < keys; ++i) {
      if (i % 1000 == 0) {  // a new owner every 1000 keys (the per-user limit)
        owner =
            UserRecord{crypto::NewUuidV4(), "user" + std::to_string(i) + "@example.com", "x", {"Viewer"}, "bench", 0, 0,
                       std::nullopt};
        (void)store->RunTransaction([&](StoreTransaction& tx) { return tx.CreateUser(owner); });
      }
      auto key = access_keys.Create(Principal::OfUser(owner), "key-" + std::to_string(i));
      client_id = key->value.client_id;
      secret = key->secret;
    }
    RoleCatalog catalog;
    ServiceAccountService accounts(*store, hasher, catalog, clock);
    auto account = accounts.Create("bench", "deployer", {"Editor", "Viewer"});
    account_client_id = account->value.client_id;
    account_secret = account->secret;
  }
  ~Fixture() {
    recorder->Stop();
    tokens.reset();
    recorder.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

void BM_Sign(benchmark::State& state) {
  Fixture fixture(1);
  std::string input(400, 'x');  // about the size of a token's signing input
  for (auto _ : state) benchmark::DoNotOptimize(fixture.ring->active().Sign(input));
}
BENCHMARK(BM_Sign);

// One signature with the opt-in algorithms (signing.algorithm), to compare
// with BM_Sign (RS256) in the same run: ES256 (P-256) and EdDSA (Ed25519).
void BM_SignWith(benchmark::State& state, crypto::SigningAlgorithm algorithm) {
  Fixture fixture(1, /*throttled=*/true, algorithm);
  std::string input(400, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(fixture.ring->active().Sign(input));
}
BENCHMARK_CAPTURE(BM_SignWith, ES256, crypto::SigningAlgorithm::kEs256);
BENCHMARK_CAPTURE(BM_SignWith, EdDSA, crypto::SigningAlgorithm::kEdDsa);

// Checking a bearer token's signature, as every management request does.
void BM_VerifyWith(benchmark::State& state, crypto::SigningAlgorithm algorithm) {
  Fixture fixture(1, /*throttled=*/true, algorithm);
  std::string input(400, 'x');
  const std::string signature = *fixture.ring->active().Sign(input);
  for (auto _ : state) benchmark::DoNotOptimize(fixture.ring->active().Verify(input, signature));
}
BENCHMARK_CAPTURE(BM_VerifyWith, RS256, crypto::SigningAlgorithm::kRs256);
BENCHMARK_CAPTURE(BM_VerifyWith, ES256, crypto::SigningAlgorithm::kEs256);
BENCHMARK_CAPTURE(BM_VerifyWith, EdDSA, crypto::SigningAlgorithm::kEdDsa);

void BM_Exchange(benchmark::State& state) {
  Fixture fixture(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto token = fixture.tokens->ExchangeClientCredentials(fixture.client_id, fixture.secret, "192.0.2.1");
    if (!token.ok()) state.SkipWithError("exchange failed");
    benchmark::DoNotOptimize(token);
  }
}
// The token path should cost the same with 10 or 10,000 keys (indexed lookups).
BENCHMARK(BM_Exchange)->Arg(10)->Arg(10000);

// BM_Exchange/10 signed with the opt-in algorithms: what a whole exchange
// costs when the signature no longer dominates it.
void BM_ExchangeWith(benchmark::State& state, crypto::SigningAlgorithm algorithm) {
  Fixture fixture(10, /*throttled=*/true, algorithm);
  for (auto _ : state) {
    auto token = fixture.tokens->ExchangeClientCredentials(fixture.client_id, fixture.secret, "192.0.2.1");
    if (!token.ok()) state.SkipWithError("exchange failed");
    benchmark::DoNotOptimize(token);
  }
}
BENCHMARK_CAPTURE(BM_ExchangeWith, ES256, crypto::SigningAlgorithm::kEs256);
BENCHMARK_CAPTURE(BM_ExchangeWith, EdDSA, crypto::SigningAlgorithm::kEdDsa);

// BM_Exchange/10 with every failure throttle off: the difference is what the
// two lock-free throttle reads (client ID, address) cost a successful exchange.
void BM_ExchangeUnthrottled(benchmark::State& state) {
  Fixture fixture(10, /*throttled=*/false);
  for (auto _ : state) {
    auto token = fixture.tokens->ExchangeClientCredentials(fixture.client_id, fixture.secret, "192.0.2.1");
    if (!token.ok()) state.SkipWithError("exchange failed");
    benchmark::DoNotOptimize(token);
  }
}
BENCHMARK(BM_ExchangeUnthrottled);

// What the throttles add to every successful exchange on their own: two
// keyed hashes and two lock-free reads of a 32-byte set.
void BM_ThrottleCheck(benchmark::State& state) {
  SystemClock clock;
  LoginLimiter limiter(LoginLimits{}, clock);
  const std::string client_id = crypto::RandomUrlSafe(18);
  for (auto _ : state) benchmark::DoNotOptimize(limiter.CheckClient(client_id, "192.0.2.1"));
}
BENCHMARK(BM_ThrottleCheck);

// A service account takes the same path (its own roles instead of an owner's).
void BM_ExchangeServiceAccount(benchmark::State& state) {
  Fixture fixture(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto token =
        fixture.tokens->ExchangeClientCredentials(fixture.account_client_id, fixture.account_secret, "192.0.2.1");
    if (!token.ok()) state.SkipWithError("exchange failed");
    benchmark::DoNotOptimize(token);
  }
}
BENCHMARK(BM_ExchangeServiceAccount)->Arg(10)->Arg(10000);

void BM_ExchangeUnknownClient(benchmark::State& state) {
  Fixture fixture(10, /*throttled=*/false);
  for (auto _ : state) benchmark::DoNotOptimize(fixture.tokens->ExchangeClientCredentials("nope", fixture.secret));
}
BENCHMARK(BM_ExchangeUnknownClient);

void BM_ExchangeWrongSecret(benchmark::State& state) {
  Fixture fixture(10, /*throttled=*/false);
  for (auto _ : state) benchmark::DoNotOptimize(fixture.tokens->ExchangeClientCredentials(fixture.client_id, "nope"));
}
BENCHMARK(BM_ExchangeWrongSecret);

// The credential lifecycle's additions to the token path (README "Credential
// lifecycle"), each against its plain counterpart above. A key scoped to its
// owner's role: one small intersection before signing (vs BM_Exchange/10).
void BM_ExchangeScoped(benchmark::State& state) {
  Fixture fixture(10);
  AccessKeyService access_keys(*fixture.store, fixture.hasher, fixture.clock, 1000);
  auto owner = fixture.store->FindUserByEmail("user0@example.com");
  AccessKeyOptions options;
  options.scope = std::vector<std::string>{"Viewer"};
  auto key = access_keys.Create(Principal::OfUser(**owner), "scoped", {}, options);
  for (auto _ : state) {
    auto token = fixture.tokens->ExchangeClientCredentials(key->value.client_id, key->secret, "192.0.2.1");
    if (!token.ok()) state.SkipWithError("exchange failed");
    benchmark::DoNotOptimize(token);
  }
}
BENCHMARK(BM_ExchangeScoped);

// A wrong secret while the replaced one is in its grace period: the only case
// that computes a second keyed hash (vs BM_ExchangeWrongSecret).
void BM_ExchangeWrongSecretDuringGrace(benchmark::State& state) {
  Fixture fixture(10, /*throttled=*/false);
  AccessKeyService access_keys(*fixture.store, fixture.hasher, fixture.clock, 1000);
  auto key = fixture.store->FindCredentialByClientId(fixture.client_id);
  auto owner = fixture.store->GetUser((*key)->owner_id);
  (void)access_keys.RegenerateOwn(Principal::OfUser(**owner), (*key)->id, {}, 3600);
  for (auto _ : state) benchmark::DoNotOptimize(fixture.tokens->ExchangeClientCredentials(fixture.client_id, "nope"));
}
BENCHMARK(BM_ExchangeWrongSecretDuringGrace);

// A client ID past its failure burst: refused by the throttle before any
// lookup, so an attacker's guesses cost keymint almost nothing.
void BM_ExchangeThrottled(benchmark::State& state) {
  Fixture fixture(10);
  for (int i = 0; i < 100; ++i) (void)fixture.tokens->ExchangeClientCredentials(fixture.client_id, "nope", "192.0.2.1");
  for (auto _ : state) {
    benchmark::DoNotOptimize(fixture.tokens->ExchangeClientCredentials(fixture.client_id, "nope", "192.0.2.1"));
  }
}
BENCHMARK(BM_ExchangeThrottled);

// The whole API path short of the socket: routing, form or JSON parsing, the
// exchange and the response body, as the transport would call it. The
// difference from BM_Exchange/10 is what the API layer costs per token.
struct RouterFixture {
  Fixture base{10};
  RoleCatalog catalog;
  Authenticator authenticator{*base.store, *base.ring, base.clock, "http://127.0.0.1:8080", "http://127.0.0.1:8080"};
  AccessKeyService access_keys{*base.store, base.hasher, base.clock, 20};
  UserService users{*base.store, catalog, base.clock, base.limiter};
  ServiceAccountService accounts{*base.store, base.hasher, catalog, base.clock};
  std::unique_ptr<api::Router> router = api::MakeRouter(
      {*base.tokens, authenticator, access_keys, users, accounts, *base.ring, "http://127.0.0.1:8080", "1"});
};

void DispatchLoop(benchmark::State& state, const api::Router& router, const api::Request& request) {
  for (auto _ : state) {
    api::Outcome outcome = router.Dispatch(request);
    if (!outcome.ready || outcome.ready->status != 200) state.SkipWithError("token request failed");
    benchmark::DoNotOptimize(outcome);
  }
}

void BM_DispatchV1Token(benchmark::State& state) {
  RouterFixture fixture;
  const std::string body = R"({"grantType":"client_credentials","clientId":")" + fixture.base.client_id +
                           R"(","clientSecret":")" + fixture.base.secret + R"("})";
  DispatchLoop(state, *fixture.router,
               {"POST", "/api/v1/token", "application/json", "", body, "192.0.2.1", "", "token-bench/1"});
}
BENCHMARK(BM_DispatchV1Token);

void BM_DispatchV2Token(benchmark::State& state) {
  RouterFixture fixture;
  const std::string body =
      "grant_type=client_credentials&client_id=" + fixture.base.client_id + "&client_secret=" + fixture.base.secret;
  DispatchLoop(
      state, *fixture.router,
      {"POST", "/api/v2/token", "application/x-www-form-urlencoded", "", body, "192.0.2.1", "", "token-bench/1"});
}
BENCHMARK(BM_DispatchV2Token);

// A wrong password and an unknown username must cost the same KDF run, or
// timing would tell which usernames exist.
void BM_PasswordWrong(benchmark::State& state) {
  Fixture fixture(0, /*throttled=*/false);
  UserRecord user{
      crypto::NewUuidV4(), "ada@example.com", crypto::HashPassword("correct horse battery"), {"Viewer"}, "bench", 0, 0,
      std::nullopt};
  (void)fixture.store->RunTransaction([&](StoreTransaction& tx) { return tx.CreateUser(user); });
  for (auto _ : state) benchmark::DoNotOptimize(fixture.tokens->ExchangePassword("ada@example.com", "wrong"));
}
BENCHMARK(BM_PasswordWrong)->Iterations(5)->Unit(benchmark::kMillisecond);

void BM_PasswordUnknownUser(benchmark::State& state) {
  Fixture fixture(0, /*throttled=*/false);
  for (auto _ : state) benchmark::DoNotOptimize(fixture.tokens->ExchangePassword("nobody@example.com", "wrong"));
}
BENCHMARK(BM_PasswordUnknownUser)->Iterations(5)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
