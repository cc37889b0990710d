// Internal to the crypto layer: the JSON text of public JWKs, shared by every
// key type. Member values here are base64url or fixed names, so they never
// need JSON escaping.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace keymint::crypto::internal {

using JwkMembers = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// The compact JSON object of `members`, in the order given.
std::string JwkJson(JwkMembers members);

// RFC 7638 thumbprint, base64url(SHA-256) of the JWK's required members
// `members` (which the caller lists in lexicographic order, §3.2); "" if
// hashing fails.
std::string JwkThumbprint(JwkMembers members);

}  // namespace keymint::crypto::internal
