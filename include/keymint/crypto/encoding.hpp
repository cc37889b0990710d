// Byte/text encodings used by JOSE and HTTP Basic: base64url (RFC 4648 §5,
// unpadded, as JOSE requires) and standard base64 (RFC 4648 §4, padded).
// Thread-safe; pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keymint::crypto {

// Unpadded base64url.
std::string Base64UrlEncode(std::string_view bytes);
// Accepts only the unpadded base64url alphabet; nullopt on any other character,
// on '=' padding, or on an impossible length (len % 4 == 1).
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Padded standard base64 (used by HTTP Basic credentials).
std::string Base64Encode(std::string_view bytes);
// Strict: requires correct padding; nullopt on anything malformed.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace keymint::crypto
