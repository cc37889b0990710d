#include "keymint/crypto/rsa_key.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "keymint/crypto/encoding.hpp"

using keymint::ErrorCode;
using keymint::crypto::Base64UrlDecode;
using keymint::crypto::Base64UrlEncode;
using keymint::crypto::RsaJwkThumbprint;
using keymint::crypto::RsaKey;

namespace {

// RFC 7515 Appendix A.2.1: the RSA key of the RS256 example.
constexpr const char* kA2N =
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-"
    "pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-"
    "KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-"
    "DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
constexpr const char* kA2E = "AQAB";
constexpr const char* kA2D =
    "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-"
    "pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_"
    "0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_"
    "RQyGWSeWjnczT0QU91p1DhOVRuOopznQ";
constexpr const char* kA2P =
    "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_"
    "Py5PJdTJNPY8cQn7ouZ2KKDcmnPG"
    "BY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc";
constexpr const char* kA2Q =
    "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-"
    "TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc";
constexpr const char* kA2Dp =
    "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-"
    "FOKnu1R6HsJeDCjn12Sk3vmAktV2zb"
    "34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0";
constexpr const char* kA2Dq =
    "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-"
    "NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU";
constexpr const char* kA2Qi =
    "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_"
    "QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW"
    "0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U";

// RFC 7515 Appendix A.2.1: the JWS Signing Input, and A.2.1's resulting signature.
constexpr const char* kA2SigningInput =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
constexpr const char* kA2Signature =
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZ"
    "cAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--"
    "xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_"
    "IoypGlUPQGe77Rw";

// RFC 7638 §3.1: the example key's modulus and its thumbprint.
constexpr const char* kRfc7638N =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknj"
    "hMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQv"
    "RL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqD"
    "Kgw";
constexpr const char* kRfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

RsaKey A2Key() {
  auto key = RsaKey::FromJwk(kA2N, kA2E, kA2D, kA2P, kA2Q, kA2Dp, kA2Dq, kA2Qi);
  REQUIRE(key.ok());
  return std::move(key).value();
}

const RsaKey& GeneratedKey() {
  static RsaKey key = [] {
    auto generated = RsaKey::Generate(2048);
    REQUIRE(generated.ok());
    return std::move(generated).value();
  }();
  return key;
}

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free_all)>;

PkeyPtr ParsePem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free_all);
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
}

template <typename Write>
std::string WritePem(Write write) {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free_all);
  REQUIRE(write(bio.get()) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

TEST_CASE("RS256 signing reproduces the RFC 7515 A.2 signature exactly", "[crypto]") {
  const RsaKey key = A2Key();
  auto signature = key.Sign(kA2SigningInput);
  REQUIRE(signature.ok());
  CHECK(signature->size() == 256);
  CHECK(Base64UrlEncode(*signature) == kA2Signature);
}

TEST_CASE("RS256 verification accepts the RFC 7515 A.2 signature", "[crypto]") {
  const RsaKey key = A2Key();
  const std::string signature = *Base64UrlDecode(kA2Signature);
  CHECK(key.Verify(kA2SigningInput, signature));
  CHECK_FALSE(key.Verify(std::string(kA2SigningInput) + "x", signature));
}

TEST_CASE("a key built from a JWK reports the same n and e", "[crypto]") {
  const RsaKey key = A2Key();
  CHECK(key.n() == kA2N);
  CHECK(key.e() == "AQAB");
  CHECK(key.kid() == RsaJwkThumbprint(kA2N, kA2E));
}

TEST_CASE("the JWK thumbprint of the RFC 7638 section 3.1 key is the published one", "[crypto]") {
  CHECK(RsaJwkThumbprint(kRfc7638N, "AQAB") == kRfc7638Thumbprint);
}

TEST_CASE("a generated key has e=65537, a 256-byte n without leading zero, and its thumbprint as kid", "[crypto]") {
  const RsaKey& key = GeneratedKey();
  CHECK(key.e() == "AQAB");
  const auto n = Base64UrlDecode(key.n());
  REQUIRE(n.has_value());
  CHECK(n->size() == 256);
  CHECK(n->front() != '\0');
  CHECK(key.kid() == RsaJwkThumbprint(key.n(), key.e()));
  CHECK(key.kid().size() == 43);
}

TEST_CASE("a generated key signs and verifies, and refuses altered input or signatures", "[crypto]") {
  const RsaKey& key = GeneratedKey();
  const std::string input(400, 'a');
  auto signature = key.Sign(input);
  REQUIRE(signature.ok());
  REQUIRE(signature->size() == 256);
  CHECK(key.Verify(input, *signature));

  std::string flipped = *signature;
  flipped[100] = static_cast<char>(flipped[100] ^ 0x01);
  CHECK_FALSE(key.Verify(input, flipped));
  CHECK_FALSE(key.Verify(input + "b", *signature));
  CHECK_FALSE(key.Verify(input, signature->substr(0, 255)));
  CHECK_FALSE(key.Verify(input, *signature + '\0'));
  CHECK_FALSE(key.Verify(input, ""));
  CHECK_FALSE(key.Verify(input, std::string(256, '\0')));
  CHECK_FALSE(key.Verify(input, std::string(256, '\xff')));
  CHECK_FALSE(A2Key().Verify(input, *signature));
}

TEST_CASE("signing the empty input works", "[crypto]") {
  const RsaKey& key = GeneratedKey();
  auto signature = key.Sign("");
  REQUIRE(signature.ok());
  CHECK(key.Verify("", *signature));
}

TEST_CASE("PrivatePem writes PKCS#8 that loads back as the same key", "[crypto]") {
  const RsaKey& key = GeneratedKey();
  const std::string pem = key.PrivatePem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  auto loaded = RsaKey::FromPrivatePem(pem);
  REQUIRE(loaded.ok());
  CHECK(loaded->kid() == key.kid());
  auto signature = loaded->Sign("hello");
  REQUIRE(signature.ok());
  CHECK(key.Verify("hello", *signature));
  CHECK(*signature == *key.Sign("hello"));  // PKCS#1 v1.5 is deterministic
}

TEST_CASE("FromPrivatePem accepts a PKCS#1 RSA PRIVATE KEY", "[crypto]") {
  const RsaKey& key = GeneratedKey();
  PkeyPtr pkey = ParsePem(key.PrivatePem());
  REQUIRE(pkey);
  const std::string pkcs1 = WritePem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey_traditional(bio, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  REQUIRE(pkcs1.rfind("-----BEGIN RSA PRIVATE KEY-----", 0) == 0);
  auto loaded = RsaKey::FromPrivatePem(pkcs1);
  REQUIRE(loaded.ok());
  CHECK(loaded->kid() == key.kid());
}

TEST_CASE("FromPrivatePem refuses a public key, an encrypted key, garbage and small keys", "[crypto]") {
  const RsaKey& key = GeneratedKey();
  PkeyPtr pkey = ParsePem(key.PrivatePem());
  REQUIRE(pkey);

  const std::string public_pem = WritePem([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, pkey.get()); });
  auto from_public = RsaKey::FromPrivatePem(public_pem);
  REQUIRE_FALSE(from_public.ok());
  CHECK(from_public.error().code == ErrorCode::kInvalidArgument);

  // Must fail rather than prompt for a passphrase on the terminal.
  char passphrase[] = "secret";
  const std::string encrypted = WritePem([&](BIO* bio) {
    return PEM_write_bio_PKCS8PrivateKey(bio, pkey.get(), EVP_aes_256_cbc(), passphrase, 6, nullptr, nullptr);
  });
  CHECK_FALSE(RsaKey::FromPrivatePem(encrypted).ok());

  CHECK_FALSE(RsaKey::FromPrivatePem("").ok());
  CHECK_FALSE(RsaKey::FromPrivatePem("not a key").ok());
  CHECK_FALSE(RsaKey::FromPrivatePem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").ok());

  PkeyPtr small(EVP_RSA_gen(1024), &EVP_PKEY_free);
  REQUIRE(small);
  const std::string small_pem = WritePem(
      [&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, small.get(), nullptr, nullptr, 0, nullptr, nullptr); });
  auto from_small = RsaKey::FromPrivatePem(small_pem);
  REQUIRE_FALSE(from_small.ok());
  CHECK(from_small.error().message.find("1024") != std::string::npos);
}

TEST_CASE("FromPrivatePem refuses a non-RSA key", "[crypto]") {
  PkeyPtr ec(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  REQUIRE(ec);
  const std::string pem = WritePem(
      [&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, ec.get(), nullptr, nullptr, 0, nullptr, nullptr); });
  auto key = RsaKey::FromPrivatePem(pem);
  REQUIRE_FALSE(key.ok());
  CHECK(key.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("FromJwk refuses malformed or inconsistent members", "[crypto]") {
  CHECK_FALSE(RsaKey::FromJwk(kA2N, kA2E, "", kA2P, kA2Q, kA2Dp, kA2Dq, kA2Qi).ok());
  CHECK_FALSE(RsaKey::FromJwk(kA2N, "AQAB=", kA2D, kA2P, kA2Q, kA2Dp, kA2Dq, kA2Qi).ok());
  CHECK_FALSE(RsaKey::FromJwk(kA2N, kA2E, kA2D, "4Bz+", kA2Q, kA2Dp, kA2Dq, kA2Qi).ok());
  // p and q swapped without swapping dp/dq and recomputing qi.
  auto swapped = RsaKey::FromJwk(kA2N, kA2E, kA2D, kA2Q, kA2P, kA2Dp, kA2Dq, kA2Qi);
  REQUIRE_FALSE(swapped.ok());
  CHECK(swapped.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("Generate refuses key sizes below 2048 bits", "[crypto]") {
  auto key = RsaKey::Generate(1024);
  REQUIRE_FALSE(key.ok());
  CHECK(key.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("signing from several threads at once gives correct signatures", "[crypto]") {
  const RsaKey key = A2Key();
  const RsaKey& other = GeneratedKey();
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto signature = key.Sign(kA2SigningInput);
        if (!signature.ok() || Base64UrlEncode(*signature) != kA2Signature) ++failures[t];
        const std::string input = "thread " + std::to_string(t) + " call " + std::to_string(i);
        auto other_signature = other.Sign(input);
        if (!other_signature.ok() || !other.Verify(input, *other_signature)) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == std::vector<int>(4, 0));
}

TEST_CASE("one thread signing with more keys than its context cache holds stays correct", "[crypto]") {
  std::vector<RsaKey> keys;
  for (int i = 0; i < 10; ++i) keys.push_back(A2Key());
  for (int round = 0; round < 2; ++round) {
    for (const RsaKey& key : keys) {
      auto signature = key.Sign(kA2SigningInput);
      REQUIRE(signature.ok());
      REQUIRE(Base64UrlEncode(*signature) == kA2Signature);
    }
  }
}

TEST_CASE("a key created after another was destroyed signs with its own key", "[crypto]") {
  {
    const RsaKey first = A2Key();
    REQUIRE(first.Sign("warm the cache").ok());
  }
  // May reuse the destroyed key's memory; must not reuse its cached context.
  auto second = RsaKey::FromPrivatePem(GeneratedKey().PrivatePem());
  REQUIRE(second.ok());
  auto signature = second->Sign(kA2SigningInput);
  REQUIRE(signature.ok());
  CHECK(GeneratedKey().Verify(kA2SigningInput, *signature));
  CHECK(Base64UrlEncode(*signature) != kA2Signature);
}

TEST_CASE("a moved key keeps signing with the same identity", "[crypto]") {
  RsaKey original = A2Key();
  const std::string kid = original.kid();
  RsaKey moved(std::move(original));
  CHECK(moved.kid() == kid);
  auto signature = moved.Sign(kA2SigningInput);
  REQUIRE(signature.ok());
  CHECK(Base64UrlEncode(*signature) == kA2Signature);
}

TEST_CASE("key operations leave no stale entries on the OpenSSL error queue", "[crypto]") {
  ERR_clear_error();
  const RsaKey& key = GeneratedKey();
  auto loaded = RsaKey::FromPrivatePem(key.PrivatePem());
  REQUIRE(loaded.ok());
  CHECK(ERR_peek_error() == 0);
  CHECK_FALSE(RsaKey::FromPrivatePem("garbage").ok());
  CHECK(ERR_peek_error() == 0);
  CHECK_FALSE(RsaKey::FromJwk(kA2N, kA2E, kA2D, kA2Q, kA2P, kA2Dp, kA2Dq, kA2Qi).ok());
  CHECK(ERR_peek_error() == 0);
  CHECK_FALSE(loaded->Verify("x", std::string(256, '\x01')));
  CHECK(ERR_peek_error() == 0);
  CHECK(loaded->Sign("x").ok());
  CHECK(ERR_peek_error() == 0);
}
