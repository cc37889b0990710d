#include "keymint/crypto/ec_key.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "keymint/crypto/encoding.hpp"
#include "unit/test_support/openssl_keys.hpp"

using keymint::ErrorCode;
using keymint::crypto::Base64UrlDecode;
using keymint::crypto::Base64UrlEncode;
using keymint::crypto::EcJwkThumbprint;
using keymint::crypto::EcKey;
using keymint::crypto::SigningAlgorithm;
using keymint::testing::NewOpenSslKey;
using keymint::testing::OpenSslPkey;
using keymint::testing::PrivatePemOf;
using keymint::testing::PublicPemOf;
using keymint::testing::ReadOpenSslKey;
using keymint::testing::TraditionalPemOf;

namespace {

// RFC 7515 Appendix A.3.1: the P-256 key of the ES256 example.
constexpr const char* kA3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr const char* kA3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr const char* kA3D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
// A.3.1: the JWS Signing Input ({"alg":"ES256"} and the A.1 payload) and
// the resulting JWS Signature (R || S).
constexpr const char* kA3SigningInput =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
constexpr const char* kA3Signature =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

EcKey A3Key() {
  auto key = EcKey::FromJwk(kA3X, kA3Y, kA3D);
  INFO((key.ok() ? std::string() : key.error().message));
  REQUIRE(key.ok());
  return std::move(key).value();
}

const EcKey& GeneratedKey() {
  static const EcKey key = [] {
    auto generated = EcKey::Generate();
    REQUIRE(generated.ok());
    return std::move(generated).value();
  }();
  return key;
}

std::string Sha256(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) == 1);
  return std::string(reinterpret_cast<char*>(digest), len);
}

using EcdsaSig = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;

// R || S to DER, written here rather than taken from the product.
std::string RawToDer(const std::string& raw) {
  REQUIRE(raw.size() == 64);
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  EcdsaSig sig(ECDSA_SIG_new(), &ECDSA_SIG_free);
  REQUIRE(ECDSA_SIG_set0(sig.get(), BN_bin2bn(bytes, 32, nullptr), BN_bin2bn(bytes + 32, 32, nullptr)) == 1);
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  REQUIRE(len > 0);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

// DER to R || S (32 bytes each, zero-padded).
std::string DerToRaw(const std::string& der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())), &ECDSA_SIG_free);
  REQUIRE(sig);
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 32) == 32);
  REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 32, 32) == 32);
  return raw;
}

// OpenSSL's own ECDSA-with-SHA-256 verification of a DER signature.
bool OpenSslVerifies(EVP_PKEY* key, const std::string& input, const std::string& der) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1);
  const int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                                  reinterpret_cast<const unsigned char*>(input.data()), input.size());
  ERR_clear_error();
  return rc == 1;
}

// OpenSSL's own ECDSA-with-SHA-256 signature, DER.
std::string OpenSslSign(EVP_PKEY* key, const std::string& input) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t len = 0;
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1);
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                         input.size()) == 1);
  std::string der(len, '\0');
  REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len,
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1);
  der.resize(len);
  return der;
}

}  // namespace

TEST_CASE("ES256 verification accepts the RFC 7515 A.3 signature", "[crypto]") {
  const EcKey key = A3Key();
  const std::string signature = *Base64UrlDecode(kA3Signature);
  REQUIRE(signature.size() == 64);
  CHECK(key.Verify(kA3SigningInput, signature));
  CHECK_FALSE(key.Verify(std::string(kA3SigningInput) + "x", signature));
  std::string flipped = signature;
  flipped[40] = static_cast<char>(flipped[40] ^ 0x01);
  CHECK_FALSE(key.Verify(kA3SigningInput, flipped));
  CHECK_FALSE(GeneratedKey().Verify(kA3SigningInput, signature));
}

TEST_CASE("the RFC 7515 A.3 key signs 64-byte R and S signatures that verify and differ each time", "[crypto]") {
  const EcKey key = A3Key();
  std::set<std::string> seen;
  for (int i = 0; i < 5; ++i) {
    auto signature = key.Sign(kA3SigningInput);
    REQUIRE(signature.ok());
    CHECK(signature->size() == 64);
    CHECK(key.Verify(kA3SigningInput, *signature));
    seen.insert(*signature);
  }
  CHECK(seen.size() == 5);  // ECDSA is randomized
}

TEST_CASE("a key built from the RFC 7515 A.3 JWK reports its members and its RFC 7638 kid", "[crypto]") {
  const EcKey key = A3Key();
  CHECK(key.algorithm() == SigningAlgorithm::kEs256);
  CHECK(key.x() == kA3X);
  CHECK(key.y() == kA3Y);
  // RFC 7638 §3.2 for EC: crv, kty, x, y in that order, no whitespace.
  const std::string canonical =
      std::string(R"({"crv":"P-256","kty":"EC","x":")") + kA3X + R"(","y":")" + kA3Y + R"("})";
  CHECK(key.kid() == Base64UrlEncode(Sha256(canonical)));
  CHECK(key.kid() == EcJwkThumbprint("P-256", kA3X, kA3Y));
  CHECK(key.public_jwk() == std::string(R"({"kty":"EC","crv":"P-256","x":")") + kA3X + R"(","y":")" + kA3Y +
                                R"(","use":"sig","alg":"ES256","kid":")" + key.kid() + R"("})");
}

TEST_CASE("ES256 signatures are R and S in 64 bytes as OpenSSL's own DER verification reads them", "[crypto]") {
  const EcKey& key = GeneratedKey();
  OpenSslPkey pkey = ReadOpenSslKey(key.PrivatePem());
  REQUIRE(pkey);
  const std::string input(400, 'a');
  auto signature = key.Sign(input);
  REQUIRE(signature.ok());
  REQUIRE(signature->size() == 64);
  CHECK(OpenSslVerifies(pkey.get(), input, RawToDer(*signature)));
  CHECK_FALSE(OpenSslVerifies(pkey.get(), input + "b", RawToDer(*signature)));

  // And the other way: OpenSSL's DER signature, as R || S, verifies.
  const std::string der = OpenSslSign(pkey.get(), input);
  CHECK(key.Verify(input, DerToRaw(der)));
  INFO("a DER signature is not a JWS signature");
  CHECK_FALSE(key.Verify(input, der));
}

TEST_CASE("ES256 verification refuses altered input, altered, short, long and degenerate signatures", "[crypto]") {
  const EcKey& key = GeneratedKey();
  const std::string input = "header.payload";
  auto signature = key.Sign(input);
  REQUIRE(signature.ok());
  CHECK(key.Verify(input, *signature));
  CHECK_FALSE(key.Verify(input + "x", *signature));
  for (std::size_t at : {std::size_t{0}, std::size_t{31}, std::size_t{32}, std::size_t{63}}) {
    std::string flipped = *signature;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
    CHECK_FALSE(key.Verify(input, flipped));
  }
  CHECK_FALSE(key.Verify(input, signature->substr(0, 63)));
  CHECK_FALSE(key.Verify(input, *signature + '\0'));
  CHECK_FALSE(key.Verify(input, ""));
  CHECK_FALSE(key.Verify(input, std::string(64, '\0')));
  CHECK_FALSE(key.Verify(input, std::string(64, '\xff')));
  // R and S swapped.
  CHECK_FALSE(key.Verify(input, signature->substr(32) + signature->substr(0, 32)));
  CHECK_FALSE(A3Key().Verify(input, *signature));
}

TEST_CASE("x and y are always 32 bytes, leading zero bytes included", "[crypto]") {
  // About one key in 128 has a coordinate below 2^248; BN_bn2bin would drop its zero byte.
  bool saw_leading_zero = false;
  for (int i = 0; i < 3000 && !saw_leading_zero; ++i) {
    auto key = EcKey::Generate();
    REQUIRE(key.ok());
    const std::string x = *Base64UrlDecode(key->x());
    const std::string y = *Base64UrlDecode(key->y());
    REQUIRE(x.size() == 32);
    REQUIRE(y.size() == 32);
    if (x.front() == '\0' || y.front() == '\0') {
      saw_leading_zero = true;
      CHECK(key->kid() == EcJwkThumbprint("P-256", key->x(), key->y()));
      auto signature = key->Sign("leading zero");
      REQUIRE(signature.ok());
      CHECK(key->Verify("leading zero", *signature));
    }
  }
  CHECK(saw_leading_zero);
}

TEST_CASE("an EC key round-trips through PKCS#8 and loads from SEC1", "[crypto]") {
  const EcKey& key = GeneratedKey();
  const std::string pem = key.PrivatePem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  auto loaded = EcKey::FromPrivatePem(pem);
  REQUIRE(loaded.ok());
  CHECK(loaded->kid() == key.kid());
  auto signature = loaded->Sign("hello");
  REQUIRE(signature.ok());
  CHECK(key.Verify("hello", *signature));

  OpenSslPkey pkey = ReadOpenSslKey(pem);
  REQUIRE(pkey);
  const std::string sec1 = TraditionalPemOf(pkey.get());
  REQUIRE(sec1.rfind("-----BEGIN EC PRIVATE KEY-----", 0) == 0);
  auto from_sec1 = EcKey::FromPrivatePem(sec1);
  REQUIRE(from_sec1.ok());
  CHECK(from_sec1->kid() == key.kid());
}

TEST_CASE("EcKey refuses other curves, other key types, public keys and garbage", "[crypto]") {
  OpenSslPkey p384 = NewOpenSslKey("EC", "P-384");
  auto from_p384 = EcKey::FromPrivatePem(PrivatePemOf(p384.get()));
  REQUIRE_FALSE(from_p384.ok());
  CHECK(from_p384.error().code == ErrorCode::kInvalidArgument);
  CHECK(from_p384.error().message.find("P-256") != std::string::npos);

  OpenSslPkey secp256k1 = NewOpenSslKey("EC", "secp256k1");
  CHECK_FALSE(EcKey::FromPrivatePem(PrivatePemOf(secp256k1.get())).ok());
  OpenSslPkey ed25519 = NewOpenSslKey("ED25519");
  CHECK_FALSE(EcKey::FromPrivatePem(PrivatePemOf(ed25519.get())).ok());
  OpenSslPkey rsa = NewOpenSslKey("RSA");
  CHECK_FALSE(EcKey::FromPrivatePem(PrivatePemOf(rsa.get())).ok());

  OpenSslPkey p256 = NewOpenSslKey("EC", "P-256");
  auto from_public = EcKey::FromPrivatePem(PublicPemOf(p256.get()));
  REQUIRE_FALSE(from_public.ok());
  CHECK(from_public.error().code == ErrorCode::kInvalidArgument);
  CHECK_FALSE(EcKey::FromPrivatePem("").ok());
  CHECK_FALSE(EcKey::FromPrivatePem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").ok());
}

TEST_CASE("FromJwk refuses members of the wrong size and a d that is not the point's", "[crypto]") {
  CHECK_FALSE(EcKey::FromJwk(kA3X, kA3Y, "").ok());
  CHECK_FALSE(EcKey::FromJwk(kA3X, kA3Y, "AQAB").ok());
  CHECK_FALSE(EcKey::FromJwk(std::string(kA3X).substr(1), kA3Y, kA3D).ok());
  CHECK_FALSE(EcKey::FromJwk(kA3X, kA3Y, std::string(kA3D) + "=").ok());
  // The A.3 point with another key's private scalar.
  OpenSslPkey other = NewOpenSslKey("EC", "P-256");
  BIGNUM* d = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(other.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1);
  std::string d_bytes(32, '\0');
  REQUIRE(BN_bn2binpad(d, reinterpret_cast<unsigned char*>(d_bytes.data()), 32) == 32);
  BN_clear_free(d);
  auto mismatched = EcKey::FromJwk(kA3X, kA3Y, Base64UrlEncode(d_bytes));
  REQUIRE_FALSE(mismatched.ok());
  CHECK(mismatched.error().code == ErrorCode::kInvalidArgument);
  // A point that is not on the curve.
  std::string bad_x = *Base64UrlDecode(kA3X);
  bad_x[31] = static_cast<char>(bad_x[31] ^ 0x01);
  CHECK_FALSE(EcKey::FromJwk(Base64UrlEncode(bad_x), kA3Y, kA3D).ok());
}

TEST_CASE("ES256 signing from several threads at once gives valid signatures", "[crypto]") {
  const EcKey key = A3Key();
  const EcKey& other = GeneratedKey();
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string input = "thread " + std::to_string(t) + " call " + std::to_string(i);
        auto signature = key.Sign(input);
        if (!signature.ok() || !key.Verify(input, *signature) || other.Verify(input, *signature)) ++failures[t];
        auto other_signature = other.Sign(input);
        if (!other_signature.ok() || !other.Verify(input, *other_signature)) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == std::vector<int>(4, 0));
}

TEST_CASE("EC key operations leave no stale entries on the OpenSSL error queue", "[crypto]") {
  ERR_clear_error();
  const EcKey& key = GeneratedKey();
  auto loaded = EcKey::FromPrivatePem(key.PrivatePem());
  REQUIRE(loaded.ok());
  CHECK(ERR_peek_error() == 0);
  CHECK_FALSE(EcKey::FromPrivatePem("garbage").ok());
  CHECK(ERR_peek_error() == 0);
  CHECK_FALSE(loaded->Verify("x", std::string(64, '\x01')));
  CHECK(ERR_peek_error() == 0);
  CHECK_FALSE(loaded->Verify("x", std::string(64, '\0')));
  CHECK(ERR_peek_error() == 0);
  CHECK(loaded->Sign("x").ok());
  CHECK(ERR_peek_error() == 0);
}
