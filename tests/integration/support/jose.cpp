// JOSE helpers for the integration tests, written directly on OpenSSL 3 so
// the tests do not share code with the server they check.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>

#include "fixtures.hpp"

namespace keymint::testing {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;

std::string OpenSslError() {
  char buffer[256] = {};
  ERR_error_string_n(ERR_get_error(), buffer, sizeof buffer);
  return buffer;
}

const unsigned char* Bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

PkeyPtr ReadPrivateKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) FAIL("cannot read private key PEM: " << OpenSslError());
  return key;
}

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;

// EVP_DigestVerify with `md` (nullptr for Ed25519, which hashes internally).
bool DigestVerify(EVP_PKEY* key, const EVP_MD* md, const std::string& input, const std::string& signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) {
    FAIL("EVP_DigestVerifyInit failed: " << OpenSslError());
  }
  const int ok = EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(input), input.size());
  ERR_clear_error();
  return ok == 1;
}

// ES256: the P-256 public key from JWK x and y, the R || S signature as DER.
bool VerifyEs256(const std::string& x, const std::string& y, const std::string& input, const std::string& signature) {
  const std::string point = "\x04" + Base64UrlDecode(x) + Base64UrlDecode(y);
  if (point.size() != 65 || signature.size() != 64) return false;
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    FAIL("cannot build EC parameters: " << OpenSslError());
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    FAIL("cannot build EC public key from x/y: " << OpenSslError());
  }
  PkeyPtr key(raw_key);
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(Bytes(signature), 32, nullptr);
  BIGNUM* s = BN_bin2bn(Bytes(signature) + 32, 32, nullptr);
  if (!sig || ECDSA_SIG_set0(sig.get(), r, s) != 1) FAIL("cannot build ECDSA signature: " << OpenSslError());
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) FAIL("cannot encode ECDSA signature: " << OpenSslError());
  const std::string der_signature(reinterpret_cast<char*>(der), static_cast<std::size_t>(der_len));
  OPENSSL_free(der);
  return DigestVerify(key.get(), EVP_sha256(), input, der_signature);
}

// EdDSA: the Ed25519 public key from JWK x.
bool VerifyEdDsa(const std::string& x, const std::string& input, const std::string& signature) {
  const std::string public_key = Base64UrlDecode(x);
  PkeyPtr key(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, Bytes(public_key), public_key.size()));
  if (!key) FAIL("cannot build Ed25519 public key from x: " << OpenSslError());
  return DigestVerify(key.get(), nullptr, input, signature);
}

std::string Member(const boost::json::object& jwk, const char* name) {
  const boost::json::value* value = jwk.if_contains(name);
  if (value == nullptr || !value->is_string()) return {};
  return std::string(value->get_string().data(), value->get_string().size());
}

std::string BnBytes(const BIGNUM* bn) {
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace

std::string Sha256(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    FAIL("SHA-256 failed: " << OpenSslError());
  }
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string HmacSha256(const std::string& key, const std::string& bytes) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), Bytes(bytes), bytes.size(), mac, &length) ==
      nullptr) {
    FAIL("HMAC-SHA-256 failed: " << OpenSslError());
  }
  return std::string(reinterpret_cast<char*>(mac), length);
}

std::string GenerateRsaPrivateKeyPem(int bits) {
  PkeyPtr key(EVP_RSA_gen(static_cast<unsigned int>(bits)));
  if (!key) FAIL("RSA key generation failed: " << OpenSslError());
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    FAIL("PEM encoding failed: " << OpenSslError());
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

void RsaPublicNumbers(const std::string& private_key_pem, std::string* n, std::string* e) {
  PkeyPtr key = ReadPrivateKey(private_key_pem);
  BIGNUM* raw_n = nullptr;
  BIGNUM* raw_e = nullptr;
  if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &raw_n) != 1 ||
      EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &raw_e) != 1) {
    BN_free(raw_n);
    BN_free(raw_e);
    FAIL("cannot read RSA numbers: " << OpenSslError());
  }
  BnPtr bn_n(raw_n), bn_e(raw_e);
  *n = Base64UrlEncode(BnBytes(bn_n.get()));
  *e = Base64UrlEncode(BnBytes(bn_e.get()));
}

std::string SignRs256(const std::string& private_key_pem, const std::string& input) {
  PkeyPtr key = ReadPrivateKey(private_key_pem);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, Bytes(input), input.size()) != 1) {
    FAIL("RS256 signing failed: " << OpenSslError());
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, Bytes(input),
                     input.size()) != 1) {
    FAIL("RS256 signing failed: " << OpenSslError());
  }
  signature.resize(length);
  return signature;
}

bool VerifyRs256(const std::string& n, const std::string& e, const std::string& input, const std::string& signature) {
  const std::string n_bytes = Base64UrlDecode(n);
  const std::string e_bytes = Base64UrlDecode(e);
  BnPtr bn_n(BN_bin2bn(Bytes(n_bytes), static_cast<int>(n_bytes.size()), nullptr));
  BnPtr bn_e(BN_bin2bn(Bytes(e_bytes), static_cast<int>(e_bytes.size()), nullptr));
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    FAIL("cannot build RSA parameters: " << OpenSslError());
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    FAIL("cannot build RSA public key from n/e: " << OpenSslError());
  }
  PkeyPtr key(raw_key);
  MdCtxPtr md(EVP_MD_CTX_new());
  if (EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    FAIL("EVP_DigestVerifyInit failed: " << OpenSslError());
  }
  const int ok = EVP_DigestVerify(md.get(), Bytes(signature), signature.size(), Bytes(input), input.size());
  ERR_clear_error();
  return ok == 1;
}

std::string RsaThumbprint(const std::string& n, const std::string& e) {
  // RFC 7638 §3.2: required members in lexicographic order, no whitespace.
  return Base64UrlEncode(Sha256(R"({"e":")" + e + R"(","kty":"RSA","n":")" + n + R"("})"));
}

std::string EcThumbprint(const std::string& x, const std::string& y) {
  return Base64UrlEncode(Sha256(R"({"crv":"P-256","kty":"EC","x":")" + x + R"(","y":")" + y + R"("})"));
}

std::string OkpThumbprint(const std::string& x) {
  return Base64UrlEncode(Sha256(R"({"crv":"Ed25519","kty":"OKP","x":")" + x + R"("})"));
}

bool VerifyWithJwk(const boost::json::object& jwk, const std::string& input, const std::string& signature) {
  const std::string kty = Member(jwk, "kty"), alg = Member(jwk, "alg"), crv = Member(jwk, "crv");
  if (kty == "RSA" && alg == "RS256") return VerifyRs256(Member(jwk, "n"), Member(jwk, "e"), input, signature);
  if (kty == "EC" && crv == "P-256" && alg == "ES256") {
    return VerifyEs256(Member(jwk, "x"), Member(jwk, "y"), input, signature);
  }
  if (kty == "OKP" && crv == "Ed25519" && alg == "EdDSA") return VerifyEdDsa(Member(jwk, "x"), input, signature);
  return false;
}

std::string JwtSigningInput(const boost::json::object& header, const boost::json::object& claims) {
  return Base64UrlEncode(boost::json::serialize(header)) + "." + Base64UrlEncode(boost::json::serialize(claims));
}

std::string TamperSignature(const std::string& jwt) {
  std::string tampered = jwt;
  const std::size_t signature_char = tampered.rfind('.') + 10;
  tampered[signature_char] = tampered[signature_char] == 'A' ? 'Q' : 'A';
  return tampered;
}

}  // namespace keymint::testing
