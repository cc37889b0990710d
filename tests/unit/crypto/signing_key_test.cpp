#include "keymint/crypto/signing_key.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "keymint/crypto/ec_key.hpp"
#include "keymint/crypto/ed25519_key.hpp"
#include "keymint/crypto/rsa_key.hpp"
#include "unit/test_support/openssl_keys.hpp"

using keymint::ErrorCode;
using keymint::crypto::AlgorithmName;
using keymint::crypto::EcKey;
using keymint::crypto::Ed25519Key;
using keymint::crypto::GenerateSigningKey;
using keymint::crypto::ParseSigningAlgorithm;
using keymint::crypto::RsaKey;
using keymint::crypto::SigningAlgorithm;
using keymint::crypto::SigningKey;
using keymint::crypto::SigningKeyFromPem;
using keymint::testing::NewOpenSslKey;
using keymint::testing::OpenSslPkey;
using keymint::testing::PrivatePemOf;
using keymint::testing::PublicPemOf;
using keymint::testing::TraditionalPemOf;

namespace {

constexpr SigningAlgorithm kAll[] = {SigningAlgorithm::kRs256, SigningAlgorithm::kEs256, SigningAlgorithm::kEdDsa};

}  // namespace

TEST_CASE("algorithm names are the JOSE ones and parse back exactly", "[crypto]") {
  CHECK(AlgorithmName(SigningAlgorithm::kRs256) == "RS256");
  CHECK(AlgorithmName(SigningAlgorithm::kEs256) == "ES256");
  CHECK(AlgorithmName(SigningAlgorithm::kEdDsa) == "EdDSA");
  for (SigningAlgorithm algorithm : kAll) CHECK(ParseSigningAlgorithm(AlgorithmName(algorithm)) == algorithm);
  for (const char* name :
       {"", "none", "HS256", "rs256", "es256", "EDDSA", "eddsa", "Ed25519", "ES384", "PS256", "RS256 ", " ES256"}) {
    INFO(name);
    CHECK_FALSE(ParseSigningAlgorithm(name).has_value());
  }
}

TEST_CASE("a generated key of each algorithm signs, verifies, and reloads from its PEM with the same kid", "[crypto]") {
  for (SigningAlgorithm algorithm : kAll) {
    INFO(AlgorithmName(algorithm));
    auto key = GenerateSigningKey(algorithm);
    REQUIRE(key.ok());
    CHECK((*key)->algorithm() == algorithm);
    CHECK((*key)->kid().size() == 43);
    auto signature = (*key)->Sign("input");
    REQUIRE(signature.ok());
    CHECK(signature->size() == (algorithm == SigningAlgorithm::kRs256 ? 256u : 64u));
    CHECK((*key)->Verify("input", *signature));

    auto loaded = SigningKeyFromPem((*key)->PrivatePem());
    REQUIRE(loaded.ok());
    CHECK((*loaded)->algorithm() == algorithm);
    CHECK((*loaded)->kid() == (*key)->kid());
    CHECK((*loaded)->public_jwk() == (*key)->public_jwk());
    CHECK((*loaded)->Verify("input", *signature));
  }
}

TEST_CASE("SigningKeyFromPem loads each supported type as its own key class", "[crypto]") {
  OpenSslPkey rsa = NewOpenSslKey("RSA");
  OpenSslPkey ec = NewOpenSslKey("EC", "P-256");
  OpenSslPkey ed = NewOpenSslKey("ED25519");
  for (const std::string& pem : {PrivatePemOf(rsa.get()), TraditionalPemOf(rsa.get())}) {
    auto key = SigningKeyFromPem(pem);
    REQUIRE(key.ok());
    CHECK(dynamic_cast<const RsaKey*>(key->get()) != nullptr);
  }
  for (const std::string& pem : {PrivatePemOf(ec.get()), TraditionalPemOf(ec.get())}) {
    auto key = SigningKeyFromPem(pem);
    REQUIRE(key.ok());
    CHECK(dynamic_cast<const EcKey*>(key->get()) != nullptr);
  }
  auto key = SigningKeyFromPem(PrivatePemOf(ed.get()));
  REQUIRE(key.ok());
  CHECK(dynamic_cast<const Ed25519Key*>(key->get()) != nullptr);
}

TEST_CASE("SigningKeyFromPem refuses unsupported types and curves, public keys and garbage", "[crypto]") {
  for (const char* type : {"ED448", "X25519", "X448"}) {
    INFO(type);
    OpenSslPkey other = NewOpenSslKey(type);
    auto key = SigningKeyFromPem(PrivatePemOf(other.get()));
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().code == ErrorCode::kInvalidArgument);
    CHECK(key.error().message.find("unsupported key type") != std::string::npos);
  }
  OpenSslPkey p384 = NewOpenSslKey("EC", "P-384");
  auto from_p384 = SigningKeyFromPem(PrivatePemOf(p384.get()));
  REQUIRE_FALSE(from_p384.ok());
  CHECK(from_p384.error().message.find("P-256") != std::string::npos);

  OpenSslPkey ec = NewOpenSslKey("EC", "P-256");
  CHECK(SigningKeyFromPem(PublicPemOf(ec.get())).error().code == ErrorCode::kInvalidArgument);
  CHECK(SigningKeyFromPem("not a key").error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("a signature by a key of one algorithm never verifies under a key of another", "[crypto]") {
  auto rsa = GenerateSigningKey(SigningAlgorithm::kRs256);
  auto ec = GenerateSigningKey(SigningAlgorithm::kEs256);
  auto ed = GenerateSigningKey(SigningAlgorithm::kEdDsa);
  REQUIRE((rsa.ok() && ec.ok() && ed.ok()));
  const SigningKey* keys[] = {rsa->get(), ec->get(), ed->get()};
  for (const SigningKey* signer : keys) {
    auto signature = signer->Sign("input");
    REQUIRE(signature.ok());
    for (const SigningKey* verifier : keys) {
      if (verifier != signer) CHECK_FALSE(verifier->Verify("input", *signature));
    }
  }
}
