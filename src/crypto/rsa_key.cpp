#include "keymint/crypto/rsa_key.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <atomic>
#include <climits>
#include <cstdint>
#include <optional>
#include <vector>

#include "crypto/openssl_handles.hpp"
#include "keymint/crypto/encoding.hpp"

namespace keymint::crypto {

using internal::BignumPtr;
using internal::BioPtr;
using internal::OpenSslError;
using internal::ParamBldPtr;
using internal::ParamPtr;
using internal::PkeyCtxPtr;
using internal::PkeyPtr;

struct RsaKey::Impl {
  // Never used to sign directly: each thread signs with its own copy (see ThreadContexts).
  PkeyPtr pkey;
  std::size_t signature_size = 0;
  std::string n;
  std::string e;
  std::string kid;
  // Unlike the Impl's address, never reused by a later key, so a thread's
  // cached context can never be mistaken for another key's.
  std::uint64_t id = 0;

  static Result<RsaKey> Adopt(PkeyPtr pkey, bool check_consistency);
};

namespace {

constexpr int kMinBits = 2048;  // RFC 7518 §3.3 requires at least 2048
constexpr int kMaxBits = 16384;
constexpr std::size_t kMaxPemSize = 64 * 1024;

std::atomic<std::uint64_t> next_key_id{1};

// Prepared RS256 contexts of one key on one thread, built on this thread's own
// copy of the key. The copy matters for speed: OpenSSL 3.0 takes the RSA
// object's write lock on every private-key operation to pick a blinding, and
// threads other than the blinding's creator then share a second, locked one.
// With one copy per thread neither lock is ever contended. The entry owns its
// copy, so it may safely outlive the RsaKey it came from.
struct ThreadContexts {
  std::uint64_t key_id = 0;
  PkeyPtr key;
  PkeyCtxPtr sign;
  PkeyCtxPtr verify;
};

// A process holds a handful of keys; the bound only stops a thread that has
// seen many short-lived keys (tests, rotations) from holding them all.
constexpr std::size_t kMaxCachedKeys = 8;

// This thread's entry for the key, created on first use; nullptr only if
// OpenSSL cannot copy the key (out of memory).
ThreadContexts* ContextsFor(std::uint64_t key_id, EVP_PKEY* shared_key) {
  thread_local std::vector<ThreadContexts> cache;
  for (ThreadContexts& entry : cache) {
    if (entry.key_id == key_id) return &entry;
  }
  PkeyPtr copy(EVP_PKEY_dup(shared_key));
  if (!copy) return nullptr;
  if (cache.size() >= kMaxCachedKeys) cache.erase(cache.begin());
  cache.push_back(ThreadContexts{key_id, std::move(copy), nullptr, nullptr});
  return &cache.back();
}

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

std::optional<std::array<unsigned char, internal::kSha256Size>> Sha256Of(std::string_view data) {
  std::array<unsigned char, internal::kSha256Size> digest;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, internal::Sha256(), nullptr) != 1 ||
      len != digest.size()) {
    return std::nullopt;
  }
  return digest;
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

// Never prompt on a terminal for an encrypted PEM: refuse it instead.
int RefusePassphrase(char*, int, int, void*) { return -1; }

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
  impl->signature_size = static_cast<std::size_t>(EVP_PKEY_get_size(pkey.get()));
  impl->pkey = std::move(pkey);
  impl->id = next_key_id.fetch_add(1, std::memory_order_relaxed);
  return RsaKey(std::move(impl));
}

Result<RsaKey> RsaKey::FromPrivatePem(std::string_view pem) {
  if (pem.size() > kMaxPemSize) return Error::InvalidArgument("PEM key file too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("cannot read PEM");
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassphrase, nullptr));
  if (!pkey) return OpenSslError("not an unencrypted PEM private key", ErrorCode::kInvalidArgument);
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

std::string RsaKey::PrivatePem() const {
  // A secure-memory BIO is zeroed on free, so the PEM leaves no copy behind but ours.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(len));
}

const std::string& RsaKey::n() const { return impl_->n; }
const std::string& RsaKey::e() const { return impl_->e; }
const std::string& RsaKey::kid() const { return impl_->kid; }

Result<std::string> RsaKey::Sign(std::string_view input) const {
  const auto digest = Sha256Of(input);
  if (!digest) return OpenSslError("SHA-256 failed");
  ThreadContexts* contexts = ContextsFor(impl_->id, impl_->pkey.get());
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
  ThreadContexts* contexts = ContextsFor(impl_->id, impl_->pkey.get());
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
  // RFC 7638 §3.2: required members only, lexicographic order, no whitespace.
  // n and e are base64url, so they need no JSON escaping.
  std::string canonical;
  canonical.reserve(n.size() + e.size() + 32);
  canonical += R"({"e":")";
  canonical += e;
  canonical += R"(","kty":"RSA","n":")";
  canonical += n;
  canonical += R"("})";
  const auto digest = Sha256Of(canonical);
  if (!digest) {
    ERR_clear_error();
    return {};
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest->data()), digest->size()));
}

}  // namespace keymint::crypto
