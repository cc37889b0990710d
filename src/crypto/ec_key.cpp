#include "keymint/crypto/ec_key.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

#include <array>
#include <cstdint>
#include <optional>

#include "crypto/jwk.hpp"
#include "crypto/openssl_handles.hpp"
#include "crypto/private_key_pem.hpp"
#include "crypto/thread_contexts.hpp"
#include "keymint/crypto/encoding.hpp"

namespace keymint::crypto {

using internal::BignumPtr;
using internal::OpenSslError;
using internal::ParamBldPtr;
using internal::ParamPtr;
using internal::PkeyCtxPtr;
using internal::PkeyPtr;
using internal::Sha256Of;
using internal::ThreadContexts;

struct EcKey::Impl {
  // Never used to sign directly: each thread signs with its own copy (crypto/thread_contexts.hpp).
  PkeyPtr pkey;
  std::string x;
  std::string y;
  std::string kid;
  std::string jwk;
  std::uint64_t id = 0;  // identifies this key's per-thread contexts

  static Result<EcKey> Adopt(PkeyPtr pkey, bool check_consistency);
};

namespace {

// OpenSSL's name for P-256 (NIST) alias secp256r1 (SEC 2).
constexpr const char* kGroupName = "prime256v1";
constexpr std::size_t kCoordinateSize = 32;
constexpr std::size_t kSignatureSize = 2 * kCoordinateSize;
// The longest DER ECDSA-Sig-Value on P-256: SEQUENCE of two 33-byte INTEGERs.
constexpr std::size_t kMaxDerSignatureSize = 72;

struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter>;

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

bool IsP256(const EVP_PKEY* pkey) {
  char name[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1) {
    ERR_clear_error();
    return false;
  }
  return std::string_view(name, len) == kGroupName;
}

bool HasPrivateScalar(const EVP_PKEY* pkey) {
  BIGNUM* d = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1) {
    ERR_clear_error();
    return false;
  }
  BN_clear_free(d);
  return true;
}

// A coordinate of the public point, base64url of exactly 32 bytes.
Result<std::string> Coordinate(const EVP_PKEY* pkey, const char* param) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, param, &raw) != 1) return OpenSslError("cannot read EC public key");
  BignumPtr bn(raw);
  std::string bytes(kCoordinateSize, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) < 0) {
    return OpenSslError("EC public key coordinate too large");
  }
  return Base64UrlEncode(bytes);
}

PkeyCtxPtr NewEs256Context(EVP_PKEY* pkey, bool for_signing) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) return nullptr;
  const int init = for_signing ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get());
  if (init <= 0 || EVP_PKEY_CTX_set_signature_md(ctx.get(), internal::Sha256()) <= 0) return nullptr;
  return ctx;
}

// DER ECDSA-Sig-Value (what OpenSSL signs) to R || S (what JWS carries).
std::optional<std::string> DerToRaw(const unsigned char* der, std::size_t der_len) {
  const unsigned char* cursor = der;
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der_len)));
  if (!sig) return std::nullopt;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(kSignatureSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, kCoordinateSize) < 0 || BN_bn2binpad(s, out + kCoordinateSize, kCoordinateSize) < 0) {
    return std::nullopt;
  }
  return raw;
}

// R || S back to DER, for OpenSSL to verify. `raw` is 64 bytes.
std::optional<std::array<unsigned char, kMaxDerSignatureSize>> RawToDer(std::string_view raw, int* der_len) {
  BignumPtr r(BN_bin2bn(Bytes(raw), kCoordinateSize, nullptr));
  BignumPtr s(BN_bin2bn(Bytes(raw) + kCoordinateSize, kCoordinateSize, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  (void)r.release();  // owned by sig now
  (void)s.release();
  if (i2d_ECDSA_SIG(sig.get(), nullptr) > static_cast<int>(kMaxDerSignatureSize)) return std::nullopt;
  std::array<unsigned char, kMaxDerSignatureSize> der;
  unsigned char* cursor = der.data();
  *der_len = i2d_ECDSA_SIG(sig.get(), &cursor);
  if (*der_len <= 0) return std::nullopt;
  return der;
}

}  // namespace

Result<EcKey> EcKey::Impl::Adopt(PkeyPtr pkey, bool check_consistency) {
  if (!pkey || EVP_PKEY_is_a(pkey.get(), "EC") != 1) return Error::InvalidArgument("not an EC key");
  if (!IsP256(pkey.get())) return Error::InvalidArgument("EC key is not on the P-256 curve (ES256 needs P-256)");
  if (!HasPrivateScalar(pkey.get())) return Error::InvalidArgument("not an EC private key");
  if (check_consistency) {
    // Catches a corrupted or hand-edited key before it signs anything.
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
      return OpenSslError("inconsistent EC private key", ErrorCode::kInvalidArgument);
    }
  }
  auto impl = std::make_unique<Impl>();
  ASSIGN_OR_RETURN(impl->x, Coordinate(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X));
  ASSIGN_OR_RETURN(impl->y, Coordinate(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y));
  impl->kid = EcJwkThumbprint("P-256", impl->x, impl->y);
  if (impl->kid.empty()) return OpenSslError("cannot compute the key thumbprint");
  impl->jwk = internal::JwkJson({{"kty", "EC"},
                                 {"crv", "P-256"},
                                 {"x", impl->x},
                                 {"y", impl->y},
                                 {"use", "sig"},
                                 {"alg", "ES256"},
                                 {"kid", impl->kid}});
  impl->pkey = std::move(pkey);
  impl->id = internal::NewKeyId();
  return EcKey(std::move(impl));
}

Result<EcKey> EcKey::FromPrivatePem(std::string_view pem) {
  ASSIGN_OR_RETURN(auto pkey, internal::ReadPrivateKeyPem(pem));
  return Impl::Adopt(std::move(pkey), /*check_consistency=*/true);
}

Result<EcKey> EcKey::FromJwk(std::string_view x, std::string_view y, std::string_view d) {
  const std::optional<std::string> x_bytes = Base64UrlDecode(x);
  const std::optional<std::string> y_bytes = Base64UrlDecode(y);
  std::optional<std::string> d_bytes = Base64UrlDecode(d);
  auto full_size = [](const std::optional<std::string>& bytes) { return bytes && bytes->size() == kCoordinateSize; };
  if (!full_size(x_bytes) || !full_size(y_bytes) || !full_size(d_bytes)) {
    if (d_bytes) OPENSSL_cleanse(d_bytes->data(), d_bytes->size());
    return Error::InvalidArgument("JWK members \"x\", \"y\" and \"d\" must be 32 bytes of base64url each");
  }
  // The public point in uncompressed form: 0x04 || x || y.
  const std::string point = '\x04' + *x_bytes + *y_bytes;
  BignumPtr private_scalar(BN_bin2bn(Bytes(*d_bytes), static_cast<int>(d_bytes->size()), nullptr));
  OPENSSL_cleanse(d_bytes->data(), d_bytes->size());
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!private_scalar || !builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroupName, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, private_scalar.get()) != 1) {
    return OpenSslError("cannot build EC key");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return OpenSslError("invalid EC JWK", ErrorCode::kInvalidArgument);
  }
  return Impl::Adopt(PkeyPtr(raw), /*check_consistency=*/true);
}

Result<EcKey> EcKey::Generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_group_name(ctx.get(), kGroupName) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return OpenSslError("EC key generation failed");
  }
  return Impl::Adopt(PkeyPtr(raw), /*check_consistency=*/false);
}

std::string EcKey::PrivatePem() const { return internal::WritePrivateKeyPem(impl_->pkey.get()); }

const std::string& EcKey::x() const { return impl_->x; }
const std::string& EcKey::y() const { return impl_->y; }
const std::string& EcKey::kid() const { return impl_->kid; }
const std::string& EcKey::public_jwk() const { return impl_->jwk; }

Result<std::string> EcKey::Sign(std::string_view input) const {
  const auto digest = Sha256Of(input);
  if (!digest) return OpenSslError("SHA-256 failed");
  ThreadContexts* contexts = internal::ContextsFor(impl_->id, impl_->pkey.get());
  if (contexts == nullptr) return OpenSslError("cannot prepare ES256 signing");
  if (!contexts->sign) {
    contexts->sign = NewEs256Context(contexts->key.get(), /*for_signing=*/true);
    if (!contexts->sign) return OpenSslError("cannot prepare ES256 signing");
  }
  std::array<unsigned char, kMaxDerSignatureSize> der;
  std::size_t der_len = der.size();
  if (EVP_PKEY_sign(contexts->sign.get(), der.data(), &der_len, digest->data(), digest->size()) != 1) {
    contexts->sign.reset();  // rebuild rather than trust a context after a failure
    return OpenSslError("ES256 signing failed");
  }
  std::optional<std::string> raw = DerToRaw(der.data(), der_len);
  if (!raw) return OpenSslError("cannot convert the ES256 signature");
  return std::move(*raw);
}

bool EcKey::Verify(std::string_view input, std::string_view signature) const {
  if (signature.size() != kSignatureSize) return false;
  const auto digest = Sha256Of(input);
  int der_len = 0;
  const auto der = RawToDer(signature, &der_len);
  ThreadContexts* contexts = internal::ContextsFor(impl_->id, impl_->pkey.get());
  if (contexts != nullptr && !contexts->verify) {
    contexts->verify = NewEs256Context(contexts->key.get(), /*for_signing=*/false);
  }
  if (!digest || !der || contexts == nullptr || !contexts->verify) {
    ERR_clear_error();
    return false;
  }
  const int rc = EVP_PKEY_verify(contexts->verify.get(), der->data(), static_cast<std::size_t>(der_len), digest->data(),
                                 digest->size());
  if (rc == 1) return true;
  // A bad signature is an expected outcome (forged tokens), not an error to
  // leave on this thread's queue.
  ERR_clear_error();
  if (rc < 0) contexts->verify.reset();
  return false;
}

EcKey::EcKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EcKey::EcKey(EcKey&&) noexcept = default;
EcKey& EcKey::operator=(EcKey&&) noexcept = default;
EcKey::~EcKey() = default;

std::string EcJwkThumbprint(std::string_view crv, std::string_view x, std::string_view y) {
  // RFC 7638 §3.2: required members only, lexicographic order.
  return internal::JwkThumbprint({{"crv", crv}, {"kty", "EC"}, {"x", x}, {"y", y}});
}

}  // namespace keymint::crypto
