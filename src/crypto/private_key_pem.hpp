// Internal to the crypto layer: private keys to and from PEM text, shared by
// every key type (rsa_key, ec_key, ed25519_key, signing_key).
#pragma once

#include <string>
#include <string_view>

#include "crypto/openssl_handles.hpp"
#include "keymint/common/result.hpp"

namespace keymint::crypto::internal {

// The private key in `pem` (PKCS#8, or a type's traditional form such as
// PKCS#1 or SEC1), whatever its type. Refuses, with kInvalidArgument, text
// over 64 KiB, public keys, garbage and encrypted keys (never prompting for a
// passphrase on a terminal).
Result<PkeyPtr> ReadPrivateKeyPem(std::string_view pem);

// PKCS#8 PEM of `pkey`'s private key, or "" when OpenSSL cannot encode it.
// Written through a secure-memory BIO, so no copy is left behind but ours.
std::string WritePrivateKeyPem(const EVP_PKEY* pkey);

}  // namespace keymint::crypto::internal
