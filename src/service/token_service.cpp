#include "keymint/service/token_service.hpp"

#include <boost/json.hpp>

#include "keymint/crypto/client_secret.hpp"
#include "keymint/crypto/jws.hpp"
#include "keymint/crypto/password_hash.hpp"
#include "keymint/crypto/random.hpp"
#include "keymint/service/validation.hpp"

namespace keymint {
namespace json = boost::json;

namespace {
constexpr const char* kBadClient = "invalid client credentials";
constexpr const char* kBadPassword = "invalid username or password";

// A password hash no password matches, checked when the username is unknown
// so that the answer takes as long as for a wrong password. Made once.
const std::string& DummyPasswordHash() {
  static const std::string hash = crypto::HashPassword(crypto::RandomUrlSafe(16));
  return hash;
}
}  // namespace

// Who a token is for, gathered from the store at mint time.
struct TokenService::Subject {
  const std::string& id;                  // sub
  const std::string& username;            // preferred_username
  const std::vector<std::string>& roles;  // roles, as they are now
  const std::string* client_id;           // client_id claim; null for a password login
};

TokenService::TokenService(const Store& store, const crypto::KeyRing& keys, const crypto::SecretHasher& hasher,
                           const Clock& clock, LastLoginRecorder& recorder, TokenSettings settings)
    : store_(store),
      keys_(keys),
      hasher_(hasher),
      clock_(clock),
      recorder_(recorder),
      settings_(std::move(settings)),
      dummy_hash_(hasher.Hash(crypto::RandomUrlSafe(32))),
      dummy_credential_id_(crypto::NewUuidV4()) {}

Result<IssuedToken> TokenService::ExchangeClientCredentials(std::string_view client_id, std::string_view secret) const {
  // No credential can match a secret with a broken checksum: refuse it before
  // touching the store. The time this saves depends only on the secret sent.
  if (crypto::IsMalformedClientSecret(secret)) return Error::Unauthenticated(kBadClient);
  auto found = store_.FindCredentialByClientId(client_id, LastLoginField::kSkip);
  if (!found.ok()) return found.error();
  if (!*found) {
    // Do the work a wrong secret costs (a record read and a keyed hash), so
    // that timing does not tell which client IDs exist.
    (void)store_.GetCredential(dummy_credential_id_);
    (void)hasher_.Verify(secret, dummy_hash_);
    return Error::Unauthenticated(kBadClient);
  }
  const CredentialRecord& credential = **found;
  if (!hasher_.Verify(secret, credential.secret_hash) || !credential.enabled) {
    return Error::Unauthenticated(kBadClient);
  }

  Result<IssuedToken> token = Error::Internal("unreachable");
  if (credential.kind == CredentialKind::kServiceAccount) {
    token = Mint({credential.id, credential.name, credential.roles, &credential.client_id});
  } else {
    auto owner = store_.GetUser(credential.owner_id, LastLoginField::kSkip);
    if (!owner.ok()) return owner.error();
    if (!*owner) return Error::Unauthenticated(kBadClient);  // owner deleted mid-flight
    token = Mint({(*owner)->id, (*owner)->email, (*owner)->roles, &credential.client_id});
  }
  if (token.ok()) recorder_.Record(credential.id, clock_.NowMillis());
  return token;
}

Result<IssuedToken> TokenService::ExchangePassword(std::string_view username, std::string_view password) const {
  // Claim a slot; release it however this returns.
  if (password_checks_.fetch_add(1, std::memory_order_acquire) >= kConcurrentPasswordChecks) {
    password_checks_.fetch_sub(1, std::memory_order_release);
    return Error::Unavailable("too many password logins at once; retry shortly");
  }
  struct Release {
    std::atomic<int>& count;
    ~Release() { count.fetch_sub(1, std::memory_order_release); }
  } release{password_checks_};

  auto found = store_.FindUserByEmail(NormalizeEmail(username));
  if (!found.ok()) return found.error();
  if (!*found) {
    (void)crypto::VerifyPassword(password, DummyPasswordHash());  // same work as a wrong password
    return Error::Unauthenticated(kBadPassword);
  }
  const UserRecord& user = **found;
  if (!crypto::VerifyPassword(password, user.password_hash)) return Error::Unauthenticated(kBadPassword);
  auto token = Mint({user.id, user.email, user.roles, nullptr});
  if (token.ok()) recorder_.Record(user.id, clock_.NowMillis());
  return token;
}

Result<IssuedToken> TokenService::Mint(const Subject& subject) const {
  const int64_t now = clock_.NowMillis() / 1000;
  // The claims object is small; a stack buffer holds it without touching the heap.
  unsigned char buffer[2048];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::object claims(&arena);
  claims.reserve(10);
  claims.emplace("iss", settings_.issuer);
  claims.emplace("sub", subject.id);
  claims.emplace("aud", settings_.audience);
  claims.emplace("iat", now);
  claims.emplace("nbf", now);
  claims.emplace("exp", now + settings_.ttl_seconds);
  claims.emplace("jti", crypto::RandomUrlSafe(16));
  if (subject.client_id) claims.emplace("client_id", *subject.client_id);
  json::array roles(&arena);
  roles.reserve(subject.roles.size());
  for (const auto& role : subject.roles) roles.emplace_back(role);
  claims.emplace("roles", std::move(roles));
  claims.emplace("preferred_username", subject.username);

  auto jwt = crypto::SignJws(keys_.active(), keys_.active_header(), json::serialize(claims));
  if (!jwt.ok()) return jwt.error();
  return IssuedToken{std::move(*jwt), settings_.ttl_seconds};
}

}  // namespace keymint
