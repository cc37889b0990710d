// Real collaborators for service and API tests: a RocksDB store and a key
// ring in a scratch directory, a server key for client secrets, a FakeClock
// and a LastLoginRecorder that only writes when the test flushes it.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keymint/crypto/key_ring.hpp"
#include "keymint/crypto/password_hash.hpp"
#include "keymint/crypto/random.hpp"
#include "keymint/crypto/secret_hasher.hpp"
#include "keymint/service/last_login_recorder.hpp"
#include "keymint/service/login_limiter.hpp"
#include "keymint/service/token_service.hpp"
#include "keymint/store/store.hpp"
#include "unit/test_support/fake_clock.hpp"
#include "unit/test_support/store_writes.hpp"
#include "unit/test_support/temp_dir.hpp"

namespace keymint::testing {

// Cheap enough for tests; production uses crypto::kPasswordIterations.
inline constexpr int kTestPasswordIterations = 1000;

inline std::unique_ptr<Store> OpenStoreOrFail(const std::string& dir) {
  auto opened = OpenRocksDbStore(dir);
  INFO((opened.ok() ? std::string() : opened.error().message));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

inline crypto::KeyRing OpenKeysOrFail(const std::string& dir) {
  auto opened = crypto::KeyRing::Open(dir);
  INFO((opened.ok() ? std::string() : opened.error().message));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

// One key ring for the whole test binary: generating an RSA-2048 key costs up
// to a second, and a KeyRing is immutable once opened. Its directory is
// removed at exit.
inline const crypto::KeyRing& SharedKeys() {
  struct Holder {
    TempDir dir{"keys"};
    crypto::KeyRing keys = OpenKeysOrFail(dir.Sub("keys"));
  };
  static const Holder holder;
  return holder.keys;
}

inline TokenSettings DefaultTokenSettings() {
  return TokenSettings{"https://keymint.test", "https://keymint.test/api", 600};
}

// A credential as stored, with the plaintext secret that matches its hash.
struct StoredCredential {
  CredentialRecord record;
  std::string secret;
};

struct ServiceEnv {
  TempDir dir{"service"};
  std::unique_ptr<Store> store = OpenStoreOrFail(dir.Sub("data"));
  const crypto::KeyRing& keys = SharedKeys();
  crypto::SecretHasher hasher{std::string(32, '\x5a')};
  FakeClock clock;
  // A long interval: last logins reach the store only when a test flushes.
  LastLoginRecorder recorder{*store, std::chrono::hours(1)};
  // The production defaults, on the fake clock.
  LoginLimiter limiter{LoginLimits{}, clock};

  std::unique_ptr<TokenService> MakeTokens(TokenSettings settings = DefaultTokenSettings(),
                                           const crypto::KeyRing* ring = nullptr) {
    return std::make_unique<TokenService>(*store, ring ? *ring : keys, hasher, clock, recorder, limiter,
                                          std::move(settings));
  }

  // A user written straight to the store, its password hashed cheaply.
  UserRecord AddUser(std::string_view email, std::vector<std::string> roles, std::string_view password = "") {
    UserRecord user;
    user.id = crypto::NewUuidV4();
    user.email = std::string(email);
    user.password_hash =
        crypto::HashPassword(password.empty() ? crypto::RandomUrlSafe(16) : password, kTestPasswordIterations);
    user.roles = std::move(roles);
    user.created_by = "test";
    user.created_at_ms = user.updated_at_ms = clock.NowMillis();
    testing::Create(*store, user);
    return user;
  }

  StoredCredential AddCredential(CredentialKind kind, std::string_view owner_id, std::string_view name,
                                 std::vector<std::string> roles = {}, bool enabled = true) {
    StoredCredential stored;
    stored.secret = crypto::RandomUrlSafe(32);
    CredentialRecord& c = stored.record;
    c.id = crypto::NewUuidV4();
    c.kind = kind;
    c.name = std::string(name);
    c.client_id = crypto::RandomUrlSafe(18);
    c.secret_hash = hasher.Hash(stored.secret);
    c.owner_id = std::string(owner_id);
    c.created_by = "test@keymint.test";
    c.created_at_ms = c.updated_at_ms = clock.NowMillis();
    c.enabled = enabled;
    c.roles = std::move(roles);
    testing::Create(*store, c);
    return stored;
  }

  // Changes behind the services' backs, each in a transaction of its own.
  void Update(const UserRecord& user) { testing::Update(*store, user); }
  void Update(const CredentialRecord& credential) { testing::Update(*store, credential); }
  void Delete(const UserRecord& user) { testing::Delete(*store, user); }
  void Delete(const CredentialRecord& credential) { testing::Delete(*store, credential); }

  StoredCredential AddAccessKey(const UserRecord& owner, std::string_view name) {
    return AddCredential(CredentialKind::kAccessKey, owner.id, name);
  }

  StoredCredential AddServiceAccount(std::string_view name, std::vector<std::string> roles, bool enabled = true) {
    return AddCredential(CredentialKind::kServiceAccount, "", name, std::move(roles), enabled);
  }
};

}  // namespace keymint::testing
