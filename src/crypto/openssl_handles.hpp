// Internal to the crypto layer: RAII owners for OpenSSL objects, and the one
// place where the OpenSSL error queue becomes a keymint::Error.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "keymint/common/result.hpp"

namespace keymint::crypto::internal {

// Calls `Free` on the pointer; lets each unique_ptr below be one word wide.
template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
// Cleared on free: most BIGNUMs we hold are private-key components.
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_clear_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OpenSslDeleter<OSSL_PARAM_free>>;

// Drains this thread's OpenSSL error queue into an Error: "<what>: <reason>[; <reason>...]".
// Draining matters as much as reporting: a stale entry left on the queue would
// be blamed for the next, unrelated failure on this thread.
inline Error OpenSslError(std::string_view what, ErrorCode code = ErrorCode::kInternal) {
  std::string message(what);
  int reported = 0;
  while (unsigned long err = ERR_get_error()) {
    if (reported++ >= 3) continue;  // keep the message short; still drain the rest
    char reason[256];
    ERR_error_string_n(err, reason, sizeof reason);
    message += reported == 1 ? ": " : "; ";
    message += reason;
  }
  return Error{code, std::move(message)};
}

// SHA-256 fetched once per process. Passing an explicitly fetched EVP_MD to
// EVP_Digest* skips OpenSSL 3's implicit fetch, which takes a lock on the
// method store on every call. Deliberately never freed: it must outlive every
// thread's cached contexts, and freeing it after OPENSSL_cleanup (atexit)
// would be a use-after-free.
inline const EVP_MD* Sha256() {
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kSha256;
}

inline constexpr std::size_t kSha256Size = 32;

// SHA-256 of `data`; nullopt only if OpenSSL fails (its error stays queued).
inline std::optional<std::array<unsigned char, kSha256Size>> Sha256Of(std::string_view data) {
  std::array<unsigned char, kSha256Size> digest;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, Sha256(), nullptr) != 1 || len != digest.size()) {
    return std::nullopt;
  }
  return digest;
}

}  // namespace keymint::crypto::internal
