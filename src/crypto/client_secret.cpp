#include "keymint/crypto/client_secret.hpp"

#include <array>

#include "keymint/crypto/random.hpp"

namespace keymint::crypto {
namespace {

constexpr std::size_t kRandomBytes = 32;
constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

constexpr std::array<std::uint32_t, 256> MakeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kCrcTable = MakeCrcTable();

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
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char c : bytes) crc = kCrcTable[(crc ^ static_cast<unsigned char>(c)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
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
