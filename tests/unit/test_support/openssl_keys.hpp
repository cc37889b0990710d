// Keys made directly with OpenSSL, for crypto tests that need PEM text the
// product did not write: other types and curves, public keys, SEC1 and
// PKCS#1 forms.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

namespace keymint::testing {

using OpenSslPkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

// A fresh key: `type` "RSA", "EC", "ED25519", "ED448", "X25519"...; for "EC",
// `curve` names the group ("P-256", "P-384"); for "RSA", 2048 bits.
inline OpenSslPkey NewOpenSslKey(const char* type, const char* curve = "P-256") {
  EVP_PKEY* key = nullptr;
  if (std::string(type) == "EC") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
  } else if (std::string(type) == "RSA") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  }
  REQUIRE(key != nullptr);
  return OpenSslPkey(key, &EVP_PKEY_free);
}

// What `write(bio)` writes to a memory BIO.
template <typename Write>
std::string WrittenPem(Write write) {
  std::unique_ptr<BIO, decltype(&BIO_free_all)> bio(BIO_new(BIO_s_mem()), &BIO_free_all);
  REQUIRE(write(bio.get()) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// PKCS#8 PEM of the private key.
inline std::string PrivatePemOf(EVP_PKEY* key) {
  return WrittenPem(
      [&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

// The type's traditional PEM (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY").
inline std::string TraditionalPemOf(EVP_PKEY* key) {
  return WrittenPem(
      [&](BIO* bio) { return PEM_write_bio_PrivateKey_traditional(bio, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

// SubjectPublicKeyInfo PEM of the public key.
inline std::string PublicPemOf(EVP_PKEY* key) {
  return WrittenPem([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key); });
}

// The key in `pem` (any type), or null.
inline OpenSslPkey ReadOpenSslKey(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free_all)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                    &BIO_free_all);
  return OpenSslPkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
}

}  // namespace keymint::testing
