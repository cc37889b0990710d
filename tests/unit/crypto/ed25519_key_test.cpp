#include "keymint/crypto/ed25519_key.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/jws.hpp"
#include "unit/test_support/openssl_keys.hpp"

using keymint::ErrorCode;
using keymint::crypto::Base64UrlDecode;
using keymint::crypto::Base64UrlEncode;
using keymint::crypto::Ed25519Key;
using keymint::crypto::OkpJwkThumbprint;
using keymint::crypto::SigningAlgorithm;
using keymint::crypto::SignJws;
using keymint::testing::NewOpenSslKey;
using keymint::testing::OpenSslPkey;
using keymint::testing::PrivatePemOf;
using keymint::testing::PublicPemOf;
using keymint::testing::ReadOpenSslKey;

namespace {

// RFC 8037 Appendix A.1: the Ed25519 private key, and A.2 its public key.
constexpr const char* kA1D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr const char* kA1X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
// A.3: the key's JWK thumbprint.
constexpr const char* kA3Thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
// A.4: {"alg":"EdDSA"} over the payload "Example of Ed25519 signing", and the JWS.
constexpr const char* kA4Header = R"({"alg":"EdDSA"})";
constexpr const char* kA4Payload = "Example of Ed25519 signing";
constexpr const char* kA4Jws =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
constexpr const char* kA4SigningInput = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr const char* kA4Signature =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

Ed25519Key A1Key() {
  auto key = Ed25519Key::FromJwk(kA1X, kA1D);
  INFO((key.ok() ? std::string() : key.error().message));
  REQUIRE(key.ok());
  return std::move(key).value();
}

const Ed25519Key& GeneratedKey() {
  static const Ed25519Key key = [] {
    auto generated = Ed25519Key::Generate();
    REQUIRE(generated.ok());
    return std::move(generated).value();
  }();
  return key;
}

}  // namespace

TEST_CASE("EdDSA signing reproduces the RFC 8037 A.4 JWS exactly", "[crypto]") {
  const Ed25519Key key = A1Key();
  auto jws = SignJws(key, Base64UrlEncode(kA4Header), kA4Payload);
  REQUIRE(jws.ok());
  CHECK(*jws == kA4Jws);
  // Deterministic: the same again, and the same through the key directly.
  CHECK(*SignJws(key, Base64UrlEncode(kA4Header), kA4Payload) == kA4Jws);
  auto signature = key.Sign(kA4SigningInput);
  REQUIRE(signature.ok());
  CHECK(signature->size() == 64);
  CHECK(Base64UrlEncode(*signature) == kA4Signature);
}

TEST_CASE("EdDSA verification accepts the RFC 8037 A.4 signature and nothing altered", "[crypto]") {
  const Ed25519Key key = A1Key();
  const std::string signature = *Base64UrlDecode(kA4Signature);
  CHECK(key.Verify(kA4SigningInput, signature));
  CHECK_FALSE(key.Verify(std::string(kA4SigningInput) + "x", signature));
  for (std::size_t at : {std::size_t{0}, std::size_t{31}, std::size_t{32}, std::size_t{63}}) {
    std::string flipped = signature;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
    CHECK_FALSE(key.Verify(kA4SigningInput, flipped));
  }
  CHECK_FALSE(key.Verify(kA4SigningInput, signature.substr(0, 63)));
  CHECK_FALSE(key.Verify(kA4SigningInput, signature + '\0'));
  CHECK_FALSE(key.Verify(kA4SigningInput, ""));
  CHECK_FALSE(key.Verify(kA4SigningInput, std::string(64, '\0')));
  CHECK_FALSE(GeneratedKey().Verify(kA4SigningInput, signature));
}

TEST_CASE("the OKP thumbprint of the RFC 8037 A.3 key is the published one and is the kid", "[crypto]") {
  CHECK(OkpJwkThumbprint("Ed25519", kA1X) == kA3Thumbprint);
  const Ed25519Key key = A1Key();
  CHECK(key.algorithm() == SigningAlgorithm::kEdDsa);
  CHECK(key.x() == kA1X);
  CHECK(key.kid() == kA3Thumbprint);
  CHECK(key.public_jwk() == std::string(R"({"kty":"OKP","crv":"Ed25519","x":")") + kA1X +
                                R"(","use":"sig","alg":"EdDSA","kid":")" + kA3Thumbprint + R"("})");
}

TEST_CASE("FromJwk refuses members of the wrong size and an x that is not d's public key", "[crypto]") {
  CHECK_FALSE(Ed25519Key::FromJwk(kA1X, "").ok());
  CHECK_FALSE(Ed25519Key::FromJwk("", kA1D).ok());
  CHECK_FALSE(Ed25519Key::FromJwk(kA1X, std::string(kA1D).substr(2)).ok());
  CHECK_FALSE(Ed25519Key::FromJwk(kA1X, std::string(kA1D) + "=").ok());
  auto mismatched = Ed25519Key::FromJwk(GeneratedKey().x(), kA1D);
  REQUIRE_FALSE(mismatched.ok());
  CHECK(mismatched.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("a generated Ed25519 key signs deterministically, verifies, and round-trips through PKCS#8", "[crypto]") {
  const Ed25519Key& key = GeneratedKey();
  CHECK(Base64UrlDecode(key.x())->size() == 32);
  CHECK(key.kid() == OkpJwkThumbprint("Ed25519", key.x()));
  const std::string input(400, 'a');
  auto signature = key.Sign(input);
  REQUIRE(signature.ok());
  REQUIRE(signature->size() == 64);
  CHECK(key.Verify(input, *signature));
  CHECK(*key.Sign(input) == *signature);
  CHECK_FALSE(key.Verify(input + "b", *signature));
  CHECK_FALSE(A1Key().Verify(input, *signature));

  const std::string pem = key.PrivatePem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  auto loaded = Ed25519Key::FromPrivatePem(pem);
  REQUIRE(loaded.ok());
  CHECK(loaded->kid() == key.kid());
  CHECK(*loaded->Sign(input) == *signature);
}

TEST_CASE("Ed25519 signatures verify with OpenSSL's own one-shot verification", "[crypto]") {
  const Ed25519Key& key = GeneratedKey();
  OpenSslPkey pkey = ReadOpenSslKey(key.PrivatePem());
  REQUIRE(pkey);
  const std::string input = "header.payload";
  auto signature = key.Sign(input);
  REQUIRE(signature.ok());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  REQUIRE(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1);
  CHECK(EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1);
}

TEST_CASE("Ed25519Key refuses other key types, public keys and garbage", "[crypto]") {
  for (const char* type : {"ED448", "X25519", "RSA"}) {
    INFO(type);
    OpenSslPkey other = NewOpenSslKey(type);
    auto key = Ed25519Key::FromPrivatePem(PrivatePemOf(other.get()));
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().code == ErrorCode::kInvalidArgument);
  }
  OpenSslPkey ec = NewOpenSslKey("EC", "P-256");
  CHECK_FALSE(Ed25519Key::FromPrivatePem(PrivatePemOf(ec.get())).ok());
  OpenSslPkey ed25519 = NewOpenSslKey("ED25519");
  auto from_public = Ed25519Key::FromPrivatePem(PublicPemOf(ed25519.get()));
  REQUIRE_FALSE(from_public.ok());
  CHECK(from_public.error().code == ErrorCode::kInvalidArgument);
  CHECK_FALSE(Ed25519Key::FromPrivatePem("").ok());
}

TEST_CASE("Ed25519 signing and verifying from several threads at once stays correct", "[crypto]") {
  const Ed25519Key key = A1Key();
  const Ed25519Key& other = GeneratedKey();
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto signature = key.Sign(kA4SigningInput);
        if (!signature.ok() || Base64UrlEncode(*signature) != kA4Signature) ++failures[t];
        const std::string input = "thread " + std::to_string(t) + " call " + std::to_string(i);
        auto other_signature = other.Sign(input);
        if (!other_signature.ok() || !other.Verify(input, *other_signature) || key.Verify(input, *other_signature)) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == std::vector<int>(4, 0));
}

TEST_CASE("Ed25519 key operations leave no stale entries on the OpenSSL error queue", "[crypto]") {
  ERR_clear_error();
  const Ed25519Key& key = GeneratedKey();
  auto loaded = Ed25519Key::FromPrivatePem(key.PrivatePem());
  REQUIRE(loaded.ok());
  CHECK(ERR_peek_error() == 0);
  CHECK_FALSE(Ed25519Key::FromPrivatePem("garbage").ok());
  CHECK(ERR_peek_error() == 0);
  CHECK_FALSE(loaded->Verify("x", std::string(64, '\x01')));
  CHECK(ERR_peek_error() == 0);
  CHECK(loaded->Sign("x").ok());
  CHECK(loaded->Sign("y").ok());
  CHECK(ERR_peek_error() == 0);
}
