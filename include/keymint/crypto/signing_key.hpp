// A private key that signs keymint's tokens, whatever its algorithm: RS256
// (RSA, rsa_key.hpp, the default), ES256 (ECDSA on P-256, ec_key.hpp) or
// EdDSA (Ed25519, ed25519_key.hpp). The JWS code, the key ring and the token
// path see only this interface.
//
// Keys are loaded or generated once at start-up and then only read: every
// method is safe to call from many threads at once. Sign and Verify use a
// per-thread copy of the key with prepared OpenSSL contexts, so the token path
// takes no lock and does no key setup.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "keymint/common/result.hpp"

namespace keymint::crypto {

enum class SigningAlgorithm {
  kRs256,  // RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3), RSA 2048-16384 bits
  kEs256,  // ECDSA on P-256 with SHA-256 (RFC 7518 §3.4)
  kEdDsa,  // Ed25519 (RFC 8037 §3.1)
};

// The JOSE "alg" name: "RS256", "ES256" or "EdDSA".
std::string_view AlgorithmName(SigningAlgorithm algorithm);
// The algorithm whose "alg" name is exactly `name` (case-sensitive, as JOSE
// names are); nullopt for anything else, "none" and "HS256" included.
std::optional<SigningAlgorithm> ParseSigningAlgorithm(std::string_view name);

class SigningKey {
 public:
  virtual ~SigningKey() = default;

  virtual SigningAlgorithm algorithm() const = 0;
  // The JWK thumbprint of the public key (RFC 7638; RFC 8037 §2 for Ed25519),
  // base64url SHA-256: the `kid` of the key and of every token it signs.
  virtual const std::string& kid() const = 0;
  // The public key as one compact JSON JWKS entry, with "use":"sig", its
  // "alg" and "kid": {"kty":"RSA",...}, {"kty":"EC","crv":"P-256",...} or
  // {"kty":"OKP","crv":"Ed25519",...}.
  virtual const std::string& public_jwk() const = 0;

  // The JWS signature of `input` as the compact serialization carries it, raw
  // bytes: 256 for RSA-2048, 64 for ES256 (R || S, RFC 7518 §3.4) and EdDSA.
  virtual Result<std::string> Sign(std::string_view input) const = 0;
  // True iff `signature` (raw bytes, as above) is this key's valid signature
  // of `input`. Leaves nothing on the OpenSSL error queue.
  virtual bool Verify(std::string_view input, std::string_view signature) const = 0;

  // PKCS#8 PEM of the private key (for writing a generated key to disk); ""
  // if OpenSSL cannot encode it.
  virtual std::string PrivatePem() const = 0;

 protected:
  SigningKey() = default;
  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
};

// The key in a PEM private key file (PKCS#8, or PKCS#1 for RSA, SEC1 for EC):
// RSA (2048-16384 bits), EC on P-256, or Ed25519. Any other type or curve, a
// public key, an encrypted or inconsistent key is kInvalidArgument.
Result<std::unique_ptr<SigningKey>> SigningKeyFromPem(std::string_view pem);

// A fresh key for `algorithm`: RSA-2048 (e = 65537), P-256 or Ed25519.
Result<std::unique_ptr<SigningKey>> GenerateSigningKey(SigningAlgorithm algorithm);

}  // namespace keymint::crypto
