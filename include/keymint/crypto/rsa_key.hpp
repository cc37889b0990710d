// An RSA key pair used for RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3),
// keymint's default signing key.
//
// Loaded or generated once at start-up, then only read: Sign and Verify are
// safe to call from many threads at once. Sign keeps a per-thread OpenSSL
// signing context, so the token path takes no lock and does no key setup.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "keymint/common/result.hpp"
#include "keymint/crypto/signing_key.hpp"

namespace keymint::crypto {

class RsaKey final : public SigningKey {
 public:
  // From a PEM private key (PKCS#8 or PKCS#1). Public-only keys are refused.
  static Result<RsaKey> FromPrivatePem(std::string_view pem);
  // From the base64url JWK members of a private key (RFC 7518 §6.3). Used by
  // the RFC 7515 A.2 known-answer test.
  static Result<RsaKey> FromJwk(std::string_view n, std::string_view e, std::string_view d, std::string_view p,
                                std::string_view q, std::string_view dp, std::string_view dq, std::string_view qi);
  // A fresh key of `bits` bits with e = 65537.
  static Result<RsaKey> Generate(int bits = 2048);

  // PKCS#8 PEM of the private key (for writing a generated key to disk).
  std::string PrivatePem() const override;

  SigningAlgorithm algorithm() const override { return SigningAlgorithm::kRs256; }
  // JWK public members, base64url without leading zero bytes.
  const std::string& n() const;
  const std::string& e() const;
  // RFC 7638 thumbprint of the public JWK (base64url SHA-256), used as `kid`.
  const std::string& kid() const override;
  // {"kty":"RSA","use":"sig","alg":"RS256","kid":...,"n":...,"e":...}
  const std::string& public_jwk() const override;

  // RS256 signature of `input`, raw bytes (256 bytes for RSA-2048).
  Result<std::string> Sign(std::string_view input) const override;
  // True iff `signature` (raw bytes) is a valid RS256 signature of `input`.
  bool Verify(std::string_view input, std::string_view signature) const override;

  RsaKey(RsaKey&&) noexcept;
  RsaKey& operator=(RsaKey&&) noexcept;
  ~RsaKey() override;

 private:
  struct Impl;
  explicit RsaKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// RFC 7638 thumbprint of an RSA public JWK given its base64url members.
std::string RsaJwkThumbprint(std::string_view n, std::string_view e);

}  // namespace keymint::crypto
