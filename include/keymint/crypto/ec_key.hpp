// An EC key pair on P-256 used for ES256 (ECDSA with SHA-256, RFC 7518 §3.4),
// for deployments that choose `signing.algorithm = "ES256"`.
//
// A JWS carries the signature as R || S, each a 32-byte big-endian integer
// (64 bytes), not as the DER structure OpenSSL produces and consumes; Sign and
// Verify convert. ECDSA is randomized: two signatures of one input differ.
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

class EcKey final : public SigningKey {
 public:
  // From a PEM private key (PKCS#8 or SEC1) on P-256. Other curves, explicit
  // curve parameters, public-only and inconsistent keys are refused
  // (kInvalidArgument).
  static Result<EcKey> FromPrivatePem(std::string_view pem);
  // From the base64url JWK members of a P-256 private key (RFC 7518 §6.2):
  // x and y the public point, d the private scalar, 32 bytes each. Refused
  // unless d matches the point. Used by the RFC 7515 A.3 known-answer test.
  static Result<EcKey> FromJwk(std::string_view x, std::string_view y, std::string_view d);
  // A fresh P-256 key.
  static Result<EcKey> Generate();

  std::string PrivatePem() const override;

  SigningAlgorithm algorithm() const override { return SigningAlgorithm::kEs256; }
  // JWK public members: the point's coordinates, base64url of 32 bytes each
  // (full size, leading zeros kept, RFC 7518 §6.2.1.2).
  const std::string& x() const;
  const std::string& y() const;
  // EcJwkThumbprint("P-256", x(), y()).
  const std::string& kid() const override;
  // {"kty":"EC","crv":"P-256","x":...,"y":...,"use":"sig","alg":"ES256","kid":...}
  const std::string& public_jwk() const override;

  // ES256 signature of `input`: 64 bytes, R || S.
  Result<std::string> Sign(std::string_view input) const override;
  // True iff `signature` is a valid 64-byte R || S ES256 signature of `input`
  // (a DER-encoded signature is refused).
  bool Verify(std::string_view input, std::string_view signature) const override;

  EcKey(EcKey&&) noexcept;
  EcKey& operator=(EcKey&&) noexcept;
  ~EcKey() override;

 private:
  struct Impl;
  explicit EcKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// RFC 7638 thumbprint of an EC public JWK given its base64url members:
// base64url(SHA-256({"crv":crv,"kty":"EC","x":x,"y":y})).
std::string EcJwkThumbprint(std::string_view crv, std::string_view x, std::string_view y);

}  // namespace keymint::crypto
