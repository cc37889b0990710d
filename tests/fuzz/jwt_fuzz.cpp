// VerifyJws, the bearer-token check of every management request, against a
// key ring of two RSA-2048 keys: the fixed RFC 7515 A.2 key (the seeds are
// signed with it) and one generated per process. The first input byte picks
// the mode:
//   even: the rest of the input is a compact JWS, verified as sent;
//   odd:  the rest is <header JSON> NUL <payload JSON>; the harness signs it
//         (with the fixed key, or the generated one when bit 1 is set), so
//         mutated headers and claims get past the signature check.
// In both modes the outcome must equal an independent model: at most 16 KiB,
// exactly three canonical unpadded base64url parts, a JSON object header with
// "alg":"RS256" (the ring's keys are all RSA, so "ES256" and "EdDSA", which
// would name another algorithm than the key's, must be refused too), no
// "crit" and the "kid" of a ring key, a JSON object
// payload, and a signature that is valid by arithmetic done here (s^e mod n
// against the EMSA-PKCS1-v1_5 encoding of SHA-256 of the signing input), not
// by the product's OpenSSL verify call. A verified token must return its
// decoded payload; a refusal must be Unauthenticated.
#include <openssl/bn.h>
#include <openssl/evp.h>

#include <array>
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "keymint/crypto/encoding.hpp"
#include "keymint/crypto/jws.hpp"
#include "keymint/crypto/key_ring.hpp"

namespace {

namespace json = boost::json;
using keymint::ErrorCode;
using keymint::crypto::KeyRing;
using keymint::crypto::RsaKey;
using keymint::crypto::SigningKey;

struct Keys {
  keymint::fuzz::ScratchDir dir{"jwt"};
  KeyRing ring = keymint::fuzz::OpenKeyRing(dir.Sub("keys"), /*with_generated=*/true);
};

const Keys& SharedKeys() {
  static const Keys keys;
  return keys;
}

// ---- An independent model of a valid token.

constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string EncodeUrl(std::string_view bytes) {
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (const char c : bytes) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kUrlAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kUrlAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

// Strict: only the alphabet, and only the one canonical spelling of the bytes.
std::optional<std::string> DecodeUrl(std::string_view text) {
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (const char c : text) {
    const char* found = std::char_traits<char>::find(kUrlAlphabet, 64, c);
    if (found == nullptr) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(found - kUrlAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (EncodeUrl(out) != text) return std::nullopt;
  return out;
}

std::optional<json::object> ParseObject(std::string_view text) {
  json::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;

Bn FromBytes(std::string_view bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

// RS256 by arithmetic: the signature is k bytes, below n, and s^e mod n is
// 00 01 FF..FF 00 || DigestInfo(SHA-256) || SHA-256(input) (RFC 8017 §8.2.2, §9.2).
bool ValidRs256(const RsaKey& key, std::string_view input, std::string_view signature) {
  const std::string n_bytes = *DecodeUrl(key.n());
  const std::string e_bytes = *DecodeUrl(key.e());
  const std::size_t k = n_bytes.size();
  if (signature.size() != k) return false;
  const Bn n = FromBytes(n_bytes), e = FromBytes(e_bytes), s = FromBytes(signature), m(BN_new());
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  FUZZ_CHECK(n && e && s && m && ctx);
  if (BN_cmp(s.get(), n.get()) >= 0) return false;
  FUZZ_CHECK(BN_mod_exp(m.get(), s.get(), e.get(), n.get(), ctx.get()) == 1);
  std::string em(k, '\0');
  FUZZ_CHECK(BN_bn2binpad(m.get(), reinterpret_cast<unsigned char*>(em.data()), static_cast<int>(k)) ==
             static_cast<int>(k));

  static constexpr unsigned char kDigestInfo[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                                  0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
  std::array<unsigned char, 32> digest{};
  unsigned int digest_size = 0;
  FUZZ_CHECK(EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, EVP_sha256(), nullptr) == 1);
  std::string expected;
  expected += '\x00';
  expected += '\x01';
  expected.append(k - 3 - sizeof kDigestInfo - digest.size(), '\xff');
  expected += '\x00';
  expected.append(reinterpret_cast<const char*>(kDigestInfo), sizeof kDigestInfo);
  expected.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return em == expected;
}

// The model's verdict; fills `payload` when the token is valid.
bool ModelAccepts(std::string_view token, const KeyRing& ring, std::string* payload) {
  if (token.size() > 16 * 1024) return false;
  const auto parts = keymint::fuzz::Split(token, '.');
  if (parts.size() != 3) return false;
  const auto header_json = DecodeUrl(parts[0]);
  const auto payload_json = DecodeUrl(parts[1]);
  const auto signature = DecodeUrl(parts[2]);
  if (!header_json || !payload_json || !signature) return false;
  const auto header = ParseObject(*header_json);
  if (!header) return false;
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "RS256" || header->contains("crit")) return false;
  const json::value* kid = header->if_contains("kid");
  if (kid == nullptr || !kid->is_string()) return false;
  const auto* key = dynamic_cast<const RsaKey*>(ring.FindByKid(std::string_view(kid->get_string())));
  if (key == nullptr || !ParseObject(*payload_json)) return false;
  if (!ValidRs256(*key, token.substr(0, parts[0].size() + 1 + parts[1].size()), *signature)) return false;
  *payload = *payload_json;
  return true;
}

void CheckVerify(std::string_view token) {
  const KeyRing& ring = SharedKeys().ring;
  auto verified = keymint::crypto::VerifyJws(token, ring);
  std::string payload;
  const bool expected = ModelAccepts(token, ring, &payload);
  FUZZ_CHECK(verified.ok() == expected, std::string(token));
  if (verified.ok()) {
    FUZZ_CHECK(*verified == payload, std::string(token));
  } else {
    FUZZ_CHECK(verified.error().code == ErrorCode::kUnauthenticated, verified.error().message);
  }
}

// Signs header and payload as given. A header the model refuses before the
// signature matters gets a dummy signature: RSA signing is the slow part.
std::string SignedToken(std::string_view header_json, std::string_view payload_json, const SigningKey& key) {
  std::string token = EncodeUrl(header_json) + "." + EncodeUrl(payload_json);
  const auto header = ParseObject(header_json);
  const json::value* alg = header ? header->if_contains("alg") : nullptr;
  if (alg != nullptr && alg->is_string() && alg->get_string() == "RS256" && header->contains("kid")) {
    auto signature = key.Sign(token);
    FUZZ_CHECK(signature.ok());
    return token + "." + EncodeUrl(*signature);
  }
  return token + "." + EncodeUrl(std::string(256, '\x01'));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) {
    CheckVerify(rest);
    return 0;
  }
  const std::size_t nul = rest.find('\0');
  if (nul == std::string_view::npos) return 0;
  const KeyRing& ring = SharedKeys().ring;
  const SigningKey& key = (data[0] & 2) != 0 ? ring.active() : keymint::fuzz::FixedKey();
  CheckVerify(SignedToken(rest.substr(0, nul), rest.substr(nul + 1), key));
  return 0;
}
