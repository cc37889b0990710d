// The text form of client secrets, made so that secret scanners (and people)
// recognise a leaked one and can check it offline, after GitHub's token
// format:
//
//   kmsec_<random part><checksum>           55 characters, e.g.
//   kmsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh81rOono
//
// - `kmsec_`: fixed prefix;
// - random part: 43 base64url characters (RFC 4648 §5, unpadded) encoding 32
//   bytes (256 bits) from the OpenSSL CSPRNG;
// - checksum: CRC-32 (IEEE 802.3, the polynomial of zlib's crc32) of the 49
//   characters before it, written as 6 base62 digits (0-9A-Za-z, most
//   significant first, zero-padded; 62^6 > 2^32).
//
// Every character is URL-safe (RFC 3986 unreserved). A scanner matches
// `kmsec_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}` and verifies the checksum. The
// checksum only catches typos and lets a server refuse a malformed secret
// without a store lookup; it adds no secrecy (all 256 bits stay random).
// Secrets issued before this format, 43 base64url characters with no prefix,
// remain valid. Pure functions apart from the CSPRNG; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace keymint::crypto {

inline constexpr std::string_view kClientSecretPrefix = "kmsec_";
inline constexpr std::size_t kClientSecretRandomChars = 43;  // 32 bytes, base64url
inline constexpr std::size_t kClientSecretChecksumChars = 6;
inline constexpr std::size_t kClientSecretSize =
    kClientSecretPrefix.size() + kClientSecretRandomChars + kClientSecretChecksumChars;  // 55

// A new secret in the format above.
std::string NewClientSecret();

// CRC-32 (IEEE 802.3, reflected, init and final XOR 0xFFFFFFFF) of `bytes`.
std::uint32_t Crc32(std::string_view bytes);
// The 6-character checksum of `text` (base62 of Crc32(text)).
std::string ClientSecretChecksum(std::string_view text);

// True iff `secret` is in the format above: prefix, 43 base64url characters
// that decode to 32 bytes (canonical trailing bits) and the matching checksum.
bool IsWellFormedClientSecret(std::string_view secret);

// True iff `secret` cannot be any client secret keymint ever issued: it starts
// with the prefix yet is not well formed, and is not shaped like a secret of
// the earlier format (43 base64url characters, which may start with `kmsec_`
// by chance). Such a secret may be refused without a store lookup.
bool IsMalformedClientSecret(std::string_view secret);

}  // namespace keymint::crypto
