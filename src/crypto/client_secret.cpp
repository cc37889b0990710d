#include "keymint/crypto/client_secret.hpp"

#include <boost/crc.hpp>

#include "keymint/crypto/random.hpp"

namespace keymint::crypto {
namespace {

constexpr std::size_t kRandomBytes = 32;
constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// The 6-bit value of a base64url character, or -1.
int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// 43 base64url characters whose last one carries 4 bits and two zero bits
// (RFC 4648 §3.5): the one encoding of 32 bytes.
bool IsCanonicalRandomPart(std::string_view text) {
  if (text.size() != kClientSecretRandomChars) return false;
  for (const char c : text) {
    if (Base64UrlValue(c) < 0) return false;
  }
  return (Base64UrlValue(text.back()) & 0x3) == 0;
}

// The shape of a secret issued before the prefixed format (RandomUrlSafe(32)).
bool IsEarlierFormat(std::string_view secret) { return IsCanonicalRandomPart(secret); }

}  // namespace

std::uint32_t Crc32(std::string_view bytes) {
  boost::crc_32_type crc;  // IEEE 802.3, as zlib and GitHub's token checksums use
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

std::string ClientSecretChecksum(std::string_view text) {
  std::uint32_t value = Crc32(text);
  std::string digits(kClientSecretChecksumChars, '0');
  for (std::size_t i = digits.size(); i-- > 0;) {
    digits[i] = kBase62[value % 62];
    value /= 62;
  }
  return digits;
}

std::string NewClientSecret() {
  std::string secret;
  secret.reserve(kClientSecretSize);
  secret.append(kClientSecretPrefix).append(RandomUrlSafe(kRandomBytes));
  secret.append(ClientSecretChecksum(secret));
  return secret;
}

bool IsWellFormedClientSecret(std::string_view secret) {
  if (secret.size() != kClientSecretSize || !secret.starts_with(kClientSecretPrefix)) return false;
  const std::string_view checked = secret.substr(0, kClientSecretPrefix.size() + kClientSecretRandomChars);
  if (!IsCanonicalRandomPart(checked.substr(kClientSecretPrefix.size()))) return false;
  return secret.substr(checked.size()) == ClientSecretChecksum(checked);
}

bool IsMalformedClientSecret(std::string_view secret) {
  return secret.starts_with(kClientSecretPrefix) && !IsWellFormedClientSecret(secret) && !IsEarlierFormat(secret);
}

}  // namespace keymint::crypto
