// What keymint accepts as a person's username (an email address) and
// password, wherever one comes from: the first admin's settings (config) or
// the user API (service). One rule each, so that a value the settings accept
// is never refused at start-up.
#pragma once

#include <cstddef>
#include <string_view>

namespace keymint {

// Passwords are counted in bytes; the upper bound keeps the KDF's cost bounded.
inline constexpr std::size_t kMinPasswordBytes = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;
// RFC 5321's limit on a forward path.
inline constexpr std::size_t kMaxEmailBytes = 254;

// A plausible address: local@domain.tld, at most kMaxEmailBytes of printable
// ASCII without spaces or the characters that quote or list addresses. Only a
// plausibility check: the address is a login name, never mailed to.
bool IsPlausibleEmail(std::string_view email);

// kMinPasswordBytes to kMaxPasswordBytes bytes.
bool HasPasswordLength(std::string_view password);

}  // namespace keymint
