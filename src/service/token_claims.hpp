// The JWT claims of a token keymint mints, as the JSON text that is signed.
// Written straight into one string rather than built as a Boost.JSON object
// and serialised: this runs for every token, and the object, its duplicate-
// key checks and the serialiser cost more than the rest of the claims' work.
// The output is the same JSON (same members, same order); strings are escaped
// as the request log's are (keymint/common/json_string.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace keymint {

struct TokenClaims {
  std::string_view issuer;                          // iss
  std::string_view subject;                         // sub
  std::string_view audience;                        // aud
  int64_t issued_at = 0;                            // iat and nbf, seconds since the epoch
  int64_t expires_at = 0;                           // exp
  std::string_view token_id;                        // jti
  const std::string* client_id = nullptr;           // client_id; left out when null
  const std::vector<std::string>* roles = nullptr;  // roles (an empty array when null)
  std::string_view username;                        // preferred_username
  uint64_t generation = 0;                          // gen
};

// {"iss","sub","aud","iat","nbf","exp","jti"[,"client_id"],"roles","preferred_username","gen"}
std::string TokenClaimsJson(const TokenClaims& claims);

}  // namespace keymint
