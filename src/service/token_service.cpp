#include "keymint/service/token_service.hpp"

#include "keymint/crypto/client_secret.hpp"
#include "keymint/crypto/jws.hpp"
#include "keymint/crypto/password_hash.hpp"
#include "keymint/crypto/random.hpp"
#include "keymint/service/client_credentials.hpp"
#include "service/token_claims.hpp"
#include "service/validation.hpp"

namespace keymint {
namespace {
constexpr const char* kBadClient = "invalid client credentials";
constexpr const char* kBadPassword = "invalid username or password";
}  // namespace

// Who a token is for, gathered from the store at mint time.
struct TokenService::Subject {
  const std::string& id;                  // sub
  const std::string& username;            // preferred_username
  const std::vector<std::string>& roles;  // roles, as they are now
  const std::string* client_id;           // client_id claim; null for a password login
  uint64_t generation;                    // gen: of the credential, or of the user for a password login
};

TokenService::TokenService(const Store& store, const crypto::KeyRing& keys, const crypto::SecretHasher& hasher,
                           const Clock& clock, LastLoginRecorder& recorder, LoginLimiter& limiter,
                           TokenSettings settings, AuditTrail* audit)
    : store_(store),
      keys_(keys),
      hasher_(hasher),
      clock_(clock),
      recorder_(recorder),
      limiter_(limiter),
      settings_(std::move(settings)),
      audit_(audit),
      dummy_hash_(hasher.Hash(crypto::RandomUrlSafe(32))),
      dummy_credential_id_(crypto::NewUuidV4()) {}

Error TokenService::RefuseClient(std::string_view client_id, std::string_view source) const {
  limiter_.ClientFailed(client_id, source);
  return Error::Unauthenticated(kBadClient);
}

Result<TokenService::VerifiedClient> TokenService::VerifyClient(std::string_view client_id, std::string_view secret,
                                                                std::string_view source) const {
  // Lock-free reads: the only cost the throttle adds to a successful exchange.
  RETURN_IF_ERROR(limiter_.CheckClient(client_id, source));
  // No credential can match a secret with a broken checksum: refuse it before
  // touching the store. The time this saves depends only on the secret sent.
  if (crypto::IsMalformedClientSecret(secret)) return RefuseClient(client_id, source);
  ASSIGN_OR_RETURN(auto found, store_.FindCredentialByClientId(client_id, LastLoginField::kSkip));
  if (!found) {
    // Do the work a wrong secret costs (a record read and a keyed hash), so
    // that timing does not tell which client IDs exist.
    (void)store_.GetCredential(dummy_credential_id_);
    (void)hasher_.Verify(secret, dummy_hash_);
    return RefuseClient(client_id, source);
  }
  VerifiedClient client{.credential = std::move(*found), .generation = 0, .now_ms = clock_.NowMillis()};
  const CredentialRecord& credential = client.credential;
  // The replaced secret, during its grace period, mints tokens of the
  // generation it had. Checked only when the current secret does not match,
  // so the common case costs what it did.
  client.generation = credential.generation;
  if (!hasher_.Verify(secret, credential.secret_hash)) {
    if (!InSecretGrace(credential, client.now_ms) || !hasher_.Verify(secret, credential.previous_secret_hash)) {
      recorder_.RecordFailedExchange(credential.id, client.now_ms);
      return RefuseClient(client_id, source);
    }
    client.generation = credential.generation - 1;
  }
  // An expired credential is refused as a wrong secret is: same answer, after the same work.
  if (!credential.enabled || IsExpired(credential, client.now_ms)) {
    recorder_.RecordFailedExchange(credential.id, client.now_ms);
    return RefuseClient(client_id, source);
  }
  return client;
}

Result<IssuedToken> TokenService::ExchangeClientCredentials(std::string_view client_id, std::string_view secret,
                                                            std::string_view source,
                                                            std::string_view user_agent) const {
  ASSIGN_OR_RETURN(const VerifiedClient client, VerifyClient(client_id, secret, source));
  const CredentialRecord& credential = client.credential;
  Result<IssuedToken> token = Error::Internal("unreachable");
  if (credential.kind == CredentialKind::kServiceAccount) {
    token = Mint({credential.id, credential.name, credential.roles, &credential.client_id, client.generation});
  } else {
    ASSIGN_OR_RETURN(const auto owner, store_.GetUser(credential.owner_id, LastLoginField::kSkip));
    if (!owner) return RefuseClient(client_id, source);  // owner deleted mid-flight
    if (!credential.scope) {
      token = Mint({owner->id, owner->email, owner->roles, &credential.client_id, client.generation});
    } else {
      // A scoped key: the owner's roles now, narrowed to the scope.
      const std::vector<std::string> roles = ScopedRoles(*credential.scope, owner->roles);
      token = Mint({owner->id, owner->email, roles, &credential.client_id, client.generation});
    }
  }
  if (token.ok()) recorder_.RecordExchange(credential.id, client.now_ms, source, user_agent);
  return token;
}

Result<std::string> TokenService::AuthenticateClient(std::string_view client_id, std::string_view secret,
                                                     std::string_view source) const {
  ASSIGN_OR_RETURN(VerifiedClient client, VerifyClient(client_id, secret, source));
  return std::move(client.credential.client_id);
}

const std::string& TokenService::DummyPasswordHash() const {
  std::call_once(dummy_password_once_, [this] {
    dummy_password_hash_ = crypto::HashPassword(crypto::RandomUrlSafe(16), settings_.password_iterations);
  });
  return dummy_password_hash_;
}

Result<IssuedToken> TokenService::ExchangePassword(std::string_view username, std::string_view password,
                                                   std::string_view source) const {
  const std::string email = NormalizeEmail(username);
  // Charged as a failure before the KDF runs, refunded on success: throttled
  // names and addresses never cost a KDF run, however many arrive at once.
  RETURN_IF_ERROR(limiter_.BeginPasswordAttempt(email, source));
  auto ticket = limiter_.EnterPasswordCheck();
  if (!ticket.ok()) {
    limiter_.RefundPasswordAttempt(email, source);
    return std::move(ticket).error();
  }

  ASSIGN_OR_RETURN(const auto found, store_.FindUserByEmail(email));
  if (!found) {
    (void)crypto::VerifyPassword(password, DummyPasswordHash());  // same work as a wrong password
    // The name tried is not written: it may be a mistyped password, and it
    // is the attacker's choice of bytes.
    if (audit_ != nullptr) {
      audit_->RecordFailure({"", "", std::string(source)}, audit_action::kSignIn, "",
                            Error::Unauthenticated("no user with that username"));
    }
    return Error::Unauthenticated(kBadPassword);
  }
  const UserRecord& user = *found;
  if (!crypto::VerifyPassword(password, user.password_hash)) {
    if (audit_ != nullptr) {
      audit_->RecordFailure({user.id, user.email, std::string(source)}, audit_action::kSignIn, user.id,
                            Error::Unauthenticated("wrong password"));
    }
    return Error::Unauthenticated(kBadPassword);
  }
  limiter_.RefundPasswordAttempt(email, source);
  auto token = Mint({user.id, user.email, user.roles, nullptr, user.generation});
  if (token.ok()) recorder_.Record(user.id, clock_.NowMillis());
  return token;
}

Result<IssuedToken> TokenService::Mint(const Subject& subject) const {
  const int64_t now = clock_.NowMillis() / 1000;
  const std::string token_id = crypto::NewTokenId();
  const std::string claims = TokenClaimsJson({.issuer = settings_.issuer,
                                              .subject = subject.id,
                                              .audience = settings_.audience,
                                              .issued_at = now,
                                              .expires_at = now + settings_.ttl_seconds,
                                              .token_id = token_id,
                                              .client_id = subject.client_id,
                                              .roles = &subject.roles,
                                              .username = subject.username,
                                              .generation = subject.generation});
  // One snapshot for header and signature: a rotation may publish another at any moment.
  const crypto::KeySet& keys = keys_.current();
  ASSIGN_OR_RETURN(auto jwt, crypto::SignJws(keys.active(), keys.active_header(), claims));
  return IssuedToken{std::move(jwt), settings_.ttl_seconds};
}

}  // namespace keymint
