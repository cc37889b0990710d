// An Ed25519 key pair used for EdDSA (RFC 8032, in JOSE per RFC 8037), for
// deployments that choose `signing.algorithm = "EdDSA"`.
//
// Ed25519 signs the message itself (no separate digest) and is
// deterministic: one key and input always give the same 64-byte signature.
//
// Loaded or generated once at start-up, then only read: Sign and Verify are
// safe to call from many threads at once, each thread using its own copy of
// the key and prepared contexts.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "keymint/common/result.hpp"
#include "keymint/crypto/signing_key.hpp"

namespace keymint::crypto {

class Ed25519Key final : public SigningKey {
 public:
  // From a PEM private key (PKCS#8). Other key types, public-only and
  // inconsistent keys are refused (kInvalidArgument).
  static Result<Ed25519Key> FromPrivatePem(std::string_view pem);
  // From the base64url OKP JWK members of an Ed25519 private key (RFC 8037
  // §2): x the public key, d the private key, 32 bytes each. Refused unless x
  // is d's public key. Used by the RFC 8037 A.4 known-answer test.
  static Result<Ed25519Key> FromJwk(std::string_view x, std::string_view d);
  // A fresh Ed25519 key.
  static Result<Ed25519Key> Generate();

  std::string PrivatePem() const override;

  SigningAlgorithm algorithm() const override { return SigningAlgorithm::kEdDsa; }
  // JWK public member: the 32-byte public key, base64url.
  const std::string& x() const;
  // OkpJwkThumbprint("Ed25519", x()) (RFC 8037 §2, A.3).
  const std::string& kid() const override;
  // {"kty":"OKP","crv":"Ed25519","x":...,"use":"sig","alg":"EdDSA","kid":...}
  const std::string& public_jwk() const override;

  // Ed25519 signature of `input`: 64 bytes.
  Result<std::string> Sign(std::string_view input) const override;
  // True iff `signature` is a valid 64-byte Ed25519 signature of `input`.
  bool Verify(std::string_view input, std::string_view signature) const override;

  Ed25519Key(Ed25519Key&&) noexcept;
  Ed25519Key& operator=(Ed25519Key&&) noexcept;
  ~Ed25519Key() override;

 private:
  struct Impl;
  explicit Ed25519Key(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// RFC 7638 thumbprint of an OKP public JWK (RFC 8037 §2) given its members:
// base64url(SHA-256({"crv":crv,"kty":"OKP","x":x})).
std::string OkpJwkThumbprint(std::string_view crv, std::string_view x);

}  // namespace keymint::crypto
