#include "keymint/crypto/rsa_key.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include <climits>
#include <cstdint>
#include <optional>
#include <vector>

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

struct RsaKey::Impl {
  // Never used to sign directly: each thread signs with its own copy (crypto/thread_contexts.hpp).
  PkeyPtr pkey;
  std::size_t signature_size = 0;
  std::string n;
  std::string e;
  std::string kid;
  std::string jwk;
  // Identifies this key's per-thread contexts (internal::NewKeyId).
  std::uint64_t id = 0;

  static Result<RsaKey> Adopt(PkeyPtr pkey, bool check_consistency);
};

namespace {

constexpr int kMinBits = 2048;  // RFC 7518 §3.3 requires at least 2048
constexpr int kMaxBits = 16384;

// RSASSA-PKCS1-v1_5 with SHA-256 set up once, so a call is one RSA operation.
PkeyCtxPtr NewRs256Context(EVP_PKEY* pkey, bool for_signing) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) return nullptr;
  const int init = for_signing ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get());
  if (init <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), internal::Sha256()) <= 0) {
    return nullptr;
  }
  return ctx;
}

Result<std::string> PublicMember(const EVP_PKEY* pkey, const char* param) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, param, &raw) != 1) return OpenSslError("cannot read RSA public key");
  BignumPtr bn(raw);
  // BN_bn2bin writes the minimal big-endian form: no leading zero bytes, as JWK requires.
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return Base64UrlEncode(bytes);
}

bool HasPrivateExponent(const EVP_PKEY* pkey) {
  BIGNUM* d = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d) != 1) {
    ERR_clear_error();
    return false;
  }
  BN_clear_free(d);
  return true;
}

}  // namespace

Result<RsaKey> RsaKey::Impl::Adopt(PkeyPtr pkey, bool check_consistency) {
  if (!pkey || EVP_PKEY_is_a(pkey.get(), "RSA") != 1) return Error::InvalidArgument("not an RSA key");
  const int bits = EVP_PKEY_get_bits(pkey.get());
  if (bits < kMinBits || bits > kMaxBits) {
    return Error::InvalidArgument("RSA key has " + std::to_string(bits) + " bits; need 2048 to 16384");
  }
  if (!HasPrivateExponent(pkey.get())) return Error::InvalidArgument("not an RSA private key");
  if (check_consistency) {
    // Catches a corrupted or hand-edited key before it signs anything.
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
      return OpenSslError("inconsistent RSA private key", ErrorCode::kInvalidArgument);
    }
  }
  auto impl = std::make_unique<Impl>();
  Result<std::string> n = PublicMember(pkey.get(), OSSL_PKEY_PARAM_RSA_N);
  if (!n) return std::move(n).error();
  Result<std::string> e = PublicMember(pkey.get(), OSSL_PKEY_PARAM_RSA_E);
  if (!e) return std::move(e).error();
  impl->n = std::move(n).value();
  impl->e = std::move(e).value();
  impl->kid = RsaJwkThumbprint(impl->n, impl->e);
  if (impl->kid.empty()) return OpenSslError("cannot compute the key thumbprint");
  impl->jwk = internal::JwkJson(
      {{"kty", "RSA"}, {"use", "sig"}, {"alg", "RS256"}, {"kid", impl->kid}, {"n", impl->n}, {"e", impl->e}});
  impl->signature_size = static_cast<std::size_t>(EVP_PKEY_get_size(pkey.get()));
  impl->pkey = std::move(pkey);
  impl->id = internal::NewKeyId();
  return RsaKey(std::move(impl));
}

Result<RsaKey> RsaKey::FromPrivatePem(std::string_view pem) {
  ASSIGN_OR_RETURN(auto pkey, internal::ReadPrivateKeyPem(pem));
  return Impl::Adopt(std::move(pkey), /*check_consistency=*/true);
}

Result<RsaKey> RsaKey::FromJwk(std::string_view n, std::string_view e, std::string_view d, std::string_view p,
                               std::string_view q, std::string_view dp, std::string_view dq, std::string_view qi) {
  struct Member {
    const char* jwk_name;
    const char* param;
    std::string_view text;
  };
  const Member members[] = {
      {"n", OSSL_PKEY_PARAM_RSA_N, n},           {"e", OSSL_PKEY_PARAM_RSA_E, e},
      {"d", OSSL_PKEY_PARAM_RSA_D, d},           {"p", OSSL_PKEY_PARAM_RSA_FACTOR1, p},
      {"q", OSSL_PKEY_PARAM_RSA_FACTOR2, q},     {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1, dp},
      {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2, dq}, {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi},
  };
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder) return OpenSslError("cannot build RSA key");
  // The builder keeps pointers to these until OSSL_PARAM_BLD_to_param copies them.
  std::vector<BignumPtr> numbers;
  for (const Member& member : members) {
    std::optional<std::string> bytes = Base64UrlDecode(member.text);
    if (!bytes || bytes->empty() || bytes->size() > kMaxBits / 8) {
      return Error::InvalidArgument(std::string("JWK member \"") + member.jwk_name + "\" is not valid base64url");
    }
    BignumPtr bn(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()), static_cast<int>(bytes->size()), nullptr));
    OPENSSL_cleanse(bytes->data(), bytes->size());
    if (!bn || OSSL_PARAM_BLD_push_BN(builder.get(), member.param, bn.get()) != 1) {
      return OpenSslError("cannot build RSA key");
    }
    numbers.push_back(std::move(bn));
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return OpenSslError("invalid RSA JWK", ErrorCode::kInvalidArgument);
  }
  return Impl::Adopt(PkeyPtr(raw), /*check_consistency=*/true);
}

Result<RsaKey> RsaKey::Generate(int bits) {
  if (bits < kMinBits || bits > kMaxBits) return Error::InvalidArgument("RSA key size must be 2048 to 16384 bits");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return OpenSslError("RSA key generation failed");
  }
  return Impl::Adopt(PkeyPtr(raw), /*check_consistency=*/false);
}

std::string RsaKey::PrivatePem() const { return internal::WritePrivateKeyPem(impl_->pkey.get()); }

const std::string& RsaKey::n() const { return impl_->n; }
const std::string& RsaKey::e() const { return impl_->e; }
const std::string& RsaKey::kid() const { return impl_->kid; }
const std::string& RsaKey::public_jwk() const { return impl_->jwk; }

Result<std::string> RsaKey::Sign(std::string_view input) const {
  const auto digest = Sha256Of(input);
  if (!digest) return OpenSslError("SHA-256 failed");
  ThreadContexts* contexts = internal::ContextsFor(impl_->id, impl_->pkey.get());
  if (contexts == nullptr) return OpenSslError("cannot prepare RS256 signing");
  if (!contexts->sign) {
    contexts->sign = NewRs256Context(contexts->key.get(), /*for_signing=*/true);
    if (!contexts->sign) return OpenSslError("cannot prepare RS256 signing");
  }
  std::string signature(impl_->signature_size, '\0');
  std::size_t signature_len = signature.size();
  if (EVP_PKEY_sign(contexts->sign.get(), reinterpret_cast<unsigned char*>(signature.data()), &signature_len,
                    digest->data(), digest->size()) != 1) {
    contexts->sign.reset();  // rebuild rather than trust a context after a failure
    return OpenSslError("RS256 signing failed");
  }
  signature.resize(signature_len);
  return signature;
}

bool RsaKey::Verify(std::string_view input, std::string_view signature) const {
  if (signature.size() != impl_->signature_size) return false;
  const auto digest = Sha256Of(input);
  if (!digest) {
    ERR_clear_error();
    return false;
  }
  ThreadContexts* contexts = internal::ContextsFor(impl_->id, impl_->pkey.get());
  if (contexts != nullptr && !contexts->verify) {
    contexts->verify = NewRs256Context(contexts->key.get(), /*for_signing=*/false);
  }
  if (contexts == nullptr || !contexts->verify) {
    ERR_clear_error();
    return false;
  }
  const int rc = EVP_PKEY_verify(contexts->verify.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                 signature.size(), digest->data(), digest->size());
  if (rc == 1) return true;
  // A bad signature is an expected outcome (forged tokens), not an error to
  // leave on this thread's queue.
  ERR_clear_error();
  if (rc < 0) contexts->verify.reset();
  return false;
}

RsaKey::RsaKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RsaKey::RsaKey(RsaKey&&) noexcept = default;
RsaKey& RsaKey::operator=(RsaKey&&) noexcept = default;
RsaKey::~RsaKey() = default;

std::string RsaJwkThumbprint(std::string_view n, std::string_view e) {
  // RFC 7638 §3.2: required members only, lexicographic order.
  return internal::JwkThumbprint({{"e", e}, {"kty", "RSA"}, {"n", n}});
}

}  // namespace keymint::crypto
