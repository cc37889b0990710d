#include "keymint/crypto/signing_key.hpp"

#include "crypto/openssl_handles.hpp"
#include "crypto/private_key_pem.hpp"
#include "keymint/crypto/ec_key.hpp"
#include "keymint/crypto/ed25519_key.hpp"
#include "keymint/crypto/rsa_key.hpp"

namespace keymint::crypto {
namespace {

constexpr int kGeneratedRsaBits = 2048;

template <typename Key>
Result<std::unique_ptr<SigningKey>> Boxed(Result<Key> key) {
  if (!key) return std::move(key).error();
  return std::unique_ptr<SigningKey>(std::make_unique<Key>(std::move(key).value()));
}

}  // namespace

std::string_view AlgorithmName(SigningAlgorithm algorithm) {
  switch (algorithm) {
    case SigningAlgorithm::kRs256:
      return "RS256";
    case SigningAlgorithm::kEs256:
      return "ES256";
    case SigningAlgorithm::kEdDsa:
      return "EdDSA";
  }
  return "RS256";
}

std::optional<SigningAlgorithm> ParseSigningAlgorithm(std::string_view name) {
  for (SigningAlgorithm algorithm : {SigningAlgorithm::kRs256, SigningAlgorithm::kEs256, SigningAlgorithm::kEdDsa}) {
    if (name == AlgorithmName(algorithm)) return algorithm;
  }
  return std::nullopt;
}

Result<std::unique_ptr<SigningKey>> SigningKeyFromPem(std::string_view pem) {
  // Parsed once here to learn the type, and again by the type's own loader:
  // keys are loaded only at start-up, and the loaders stay self-contained.
  ASSIGN_OR_RETURN(const auto pkey, internal::ReadPrivateKeyPem(pem));
  if (EVP_PKEY_is_a(pkey.get(), "RSA") == 1) return Boxed(RsaKey::FromPrivatePem(pem));
  if (EVP_PKEY_is_a(pkey.get(), "EC") == 1) return Boxed(EcKey::FromPrivatePem(pem));
  if (EVP_PKEY_is_a(pkey.get(), "ED25519") == 1) return Boxed(Ed25519Key::FromPrivatePem(pem));
  const char* type = EVP_PKEY_get0_type_name(pkey.get());
  return Error::InvalidArgument(std::string("unsupported key type ") + (type != nullptr ? type : "(unknown)") +
                                "; keymint signs with RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA) keys");
}

Result<std::unique_ptr<SigningKey>> GenerateSigningKey(SigningAlgorithm algorithm) {
  switch (algorithm) {
    case SigningAlgorithm::kRs256:
      return Boxed(RsaKey::Generate(kGeneratedRsaBits));
    case SigningAlgorithm::kEs256:
      return Boxed(EcKey::Generate());
    case SigningAlgorithm::kEdDsa:
      return Boxed(Ed25519Key::Generate());
  }
  return Error::InvalidArgument("unknown signing algorithm");
}

}  // namespace keymint::crypto
