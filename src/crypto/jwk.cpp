#include "crypto/jwk.hpp"

#include <boost/json.hpp>

#include "crypto/openssl_handles.hpp"
#include "keymint/crypto/encoding.hpp"

namespace keymint::crypto::internal {

std::string JwkJson(JwkMembers members) {
  boost::json::object jwk;
  jwk.reserve(members.size());
  for (const auto& [name, value] : members) jwk.emplace(name, value);
  return boost::json::serialize(jwk);
}

std::string JwkThumbprint(JwkMembers members) {
  // RFC 7638 §3.3: no whitespace, members in the order given (sorted by the caller).
  const auto digest = Sha256Of(JwkJson(members));
  if (!digest) {
    ERR_clear_error();
    return {};
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest->data()), digest->size()));
}

}  // namespace keymint::crypto::internal
