#include "keymint/crypto/ed25519_key.hpp"

#include <openssl/crypto.h>

#include <cstdint>
#include <optional>

#include "crypto/jwk.hpp"
#include "crypto/openssl_handles.hpp"
#include "crypto/private_key_pem.hpp"
#include "crypto/thread_contexts.hpp"
#include "keymint/crypto/encoding.hpp"

namespace keymint::crypto {

using internal::MdCtxPtr;
using internal::OpenSslError;
using internal::PkeyCtxPtr;
using internal::PkeyPtr;
using internal::ThreadContexts;

struct Ed25519Key::Impl {
  // Never used to sign directly: each thread signs with its own copy (crypto/thread_contexts.hpp).
  PkeyPtr pkey;
  std::string x;
  std::string kid;
  std::string jwk;
  std::uint64_t id = 0;  // identifies this key's per-thread contexts

  static Result<Ed25519Key> Adopt(PkeyPtr pkey, bool check_consistency);
};

namespace {

constexpr std::size_t kKeySize = 32;
constexpr std::size_t kSignatureSize = 64;

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

bool HasPrivateKey(const EVP_PKEY* pkey) {
  std::size_t len = 0;
  if (EVP_PKEY_get_raw_private_key(pkey, nullptr, &len) != 1 || len != kKeySize) {
    ERR_clear_error();
    return false;
  }
  return true;
}

Result<std::string> PublicKey(const EVP_PKEY* pkey) {
  std::string bytes(kKeySize, '\0');
  std::size_t len = bytes.size();
  if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(bytes.data()), &len) != 1 || len != kKeySize) {
    return OpenSslError("cannot read Ed25519 public key");
  }
  return Base64UrlEncode(bytes);
}

// Sets `ctx` up for one EdDSA signature or verification: OpenSSL documents
// one one-shot EVP_DigestSign / EVP_DigestVerify per initialisation of an
// EVP_MD_CTX. The first call binds a new context to this thread's key (pure
// Ed25519: no digest); later calls re-initialise it with no key given, which
// keeps the prepared algorithm state instead of fetching it again.
bool Prepare(MdCtxPtr& ctx, EVP_PKEY* key, bool for_signing) {
  if (ctx) {
    const int rc = for_signing ? EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, nullptr)
                               : EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, nullptr);
    if (rc == 1) return true;
    ERR_clear_error();
    ctx.reset();  // rebuild from the key below
  }
  ctx.reset(EVP_MD_CTX_new());
  if (!ctx) return false;
  const int rc = for_signing ? EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key, nullptr)
                             : EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key, nullptr);
  if (rc != 1) ctx.reset();
  return rc == 1;
}

}  // namespace

Result<Ed25519Key> Ed25519Key::Impl::Adopt(PkeyPtr pkey, bool check_consistency) {
  if (!pkey || EVP_PKEY_is_a(pkey.get(), "ED25519") != 1) return Error::InvalidArgument("not an Ed25519 key");
  if (!HasPrivateKey(pkey.get())) return Error::InvalidArgument("not an Ed25519 private key");
  if (check_consistency) {
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
      return OpenSslError("inconsistent Ed25519 private key", ErrorCode::kInvalidArgument);
    }
  }
  auto impl = std::make_unique<Impl>();
  ASSIGN_OR_RETURN(impl->x, PublicKey(pkey.get()));
  impl->kid = OkpJwkThumbprint("Ed25519", impl->x);
  if (impl->kid.empty()) return OpenSslError("cannot compute the key thumbprint");
  impl->jwk = internal::JwkJson(
      {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", impl->x}, {"use", "sig"}, {"alg", "EdDSA"}, {"kid", impl->kid}});
  impl->pkey = std::move(pkey);
  impl->id = internal::NewKeyId();
  return Ed25519Key(std::move(impl));
}

Result<Ed25519Key> Ed25519Key::FromPrivatePem(std::string_view pem) {
  ASSIGN_OR_RETURN(auto pkey, internal::ReadPrivateKeyPem(pem));
  return Impl::Adopt(std::move(pkey), /*check_consistency=*/true);
}

Result<Ed25519Key> Ed25519Key::FromJwk(std::string_view x, std::string_view d) {
  const std::optional<std::string> x_bytes = Base64UrlDecode(x);
  std::optional<std::string> d_bytes = Base64UrlDecode(d);
  if (!x_bytes || x_bytes->size() != kKeySize || !d_bytes || d_bytes->size() != kKeySize) {
    if (d_bytes) OPENSSL_cleanse(d_bytes->data(), d_bytes->size());
    return Error::InvalidArgument("JWK members \"x\" and \"d\" must be 32 bytes of base64url each");
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, Bytes(*d_bytes), d_bytes->size()));
  OPENSSL_cleanse(d_bytes->data(), d_bytes->size());
  if (!pkey) return OpenSslError("invalid Ed25519 JWK", ErrorCode::kInvalidArgument);
  ASSIGN_OR_RETURN(auto key, Impl::Adopt(std::move(pkey), /*check_consistency=*/true));
  if (key.x() != x) return Error::InvalidArgument("JWK member \"x\" is not the public key of \"d\"");
  return key;
}

Result<Ed25519Key> Ed25519Key::Generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "ED25519", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return OpenSslError("Ed25519 key generation failed");
  }
  return Impl::Adopt(PkeyPtr(raw), /*check_consistency=*/false);
}

std::string Ed25519Key::PrivatePem() const { return internal::WritePrivateKeyPem(impl_->pkey.get()); }

const std::string& Ed25519Key::x() const { return impl_->x; }
const std::string& Ed25519Key::kid() const { return impl_->kid; }
const std::string& Ed25519Key::public_jwk() const { return impl_->jwk; }

Result<std::string> Ed25519Key::Sign(std::string_view input) const {
  ThreadContexts* contexts = internal::ContextsFor(impl_->id, impl_->pkey.get());
  if (contexts == nullptr || !Prepare(contexts->digest_sign, contexts->key.get(), /*for_signing=*/true)) {
    return OpenSslError("cannot prepare EdDSA signing");
  }
  std::string signature(kSignatureSize, '\0');
  std::size_t signature_len = signature.size();
  if (EVP_DigestSign(contexts->digest_sign.get(), reinterpret_cast<unsigned char*>(signature.data()), &signature_len,
                     Bytes(input), input.size()) != 1 ||
      signature_len != kSignatureSize) {
    contexts->digest_sign.reset();  // rebuild rather than trust a context after a failure
    return OpenSslError("EdDSA signing failed");
  }
  return signature;
}

bool Ed25519Key::Verify(std::string_view input, std::string_view signature) const {
  if (signature.size() != kSignatureSize) return false;
  ThreadContexts* contexts = internal::ContextsFor(impl_->id, impl_->pkey.get());
  if (contexts == nullptr || !Prepare(contexts->digest_verify, contexts->key.get(), /*for_signing=*/false)) {
    ERR_clear_error();
    return false;
  }
  const int rc =
      EVP_DigestVerify(contexts->digest_verify.get(), Bytes(signature), signature.size(), Bytes(input), input.size());
  if (rc == 1) return true;
  // A bad signature is an expected outcome (forged tokens), not an error to
  // leave on this thread's queue.
  ERR_clear_error();
  if (rc < 0) contexts->digest_verify.reset();
  return false;
}

Ed25519Key::Ed25519Key(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ed25519Key::Ed25519Key(Ed25519Key&&) noexcept = default;
Ed25519Key& Ed25519Key::operator=(Ed25519Key&&) noexcept = default;
Ed25519Key::~Ed25519Key() = default;

std::string OkpJwkThumbprint(std::string_view crv, std::string_view x) {
  // RFC 8037 §2 and RFC 7638 §3.2: the required members crv, kty, x, in that order.
  return internal::JwkThumbprint({{"crv", crv}, {"kty", "OKP"}, {"x", x}});
}

}  // namespace keymint::crypto
