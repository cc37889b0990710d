#include "keymint/crypto/jws.hpp"

#include <boost/json.hpp>
#include <optional>

#include "keymint/crypto/encoding.hpp"

namespace keymint::crypto {
namespace {

// Far above any token keymint mints (~1 KiB), small enough that a hostile
// bearer header costs no real work before it is refused.
constexpr std::size_t kMaxTokenSize = std::size_t{16} * 1024;

Error Refuse(std::string message) { return Error::Unauthenticated(std::move(message)); }

// Parses `json_text` and returns it only if it is a JSON object. Uses the
// error_code overload: no Boost.JSON exception leaves this layer.
std::optional<boost::json::object> ParseObject(std::string_view json_text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(json_text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

}  // namespace

std::string EncodedJwtHeader(const SigningKey& key) {
  // The algorithm name and kid are base64url or fixed ASCII: no JSON escaping.
  return Base64UrlEncode(R"({"alg":")" + std::string(AlgorithmName(key.algorithm())) + R"(","typ":"JWT","kid":")" +
                         key.kid() + R"("})");
}

Result<std::string> SignJws(const SigningKey& key, std::string_view encoded_header, std::string_view claims_json) {
  std::string token;
  token.reserve(encoded_header.size() + claims_json.size() * 4 / 3 + 4 + 350);
  token += encoded_header;
  token += '.';
  token += Base64UrlEncode(claims_json);
  Result<std::string> signature = key.Sign(token);
  if (!signature) return std::move(signature).error();
  token += '.';
  token += Base64UrlEncode(*signature);
  return token;
}

Result<std::string> VerifyJws(std::string_view token, const KeyLookup& keys) {
  if (token.size() > kMaxTokenSize) return Refuse("token too long");
  const std::size_t first_dot = token.find('.');
  const std::size_t second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
    return Refuse("malformed token");
  }
  const std::string_view signing_input = token.substr(0, second_dot);
  const std::optional<std::string> header_json = Base64UrlDecode(token.substr(0, first_dot));
  const std::optional<std::string> signature = Base64UrlDecode(token.substr(second_dot + 1));
  if (!header_json || !signature) return Refuse("malformed token");

  const std::optional<boost::json::object> header = ParseObject(*header_json);
  if (!header) return Refuse("malformed token header");
  const boost::json::value* alg = header->if_contains("alg");
  std::optional<SigningAlgorithm> algorithm;
  if (alg != nullptr && alg->is_string()) {
    algorithm = ParseSigningAlgorithm(std::string_view(alg->get_string().data(), alg->get_string().size()));
  }
  if (!algorithm) return Refuse("unsupported token algorithm");
  // RFC 7515 §4.1.11: we understand no extensions, so any "crit" must be refused.
  if (header->contains("crit")) return Refuse("unsupported token header");
  const boost::json::value* kid = header->if_contains("kid");
  const SigningKey* key = nullptr;
  if (kid != nullptr && kid->is_string()) {
    const boost::json::string& kid_text = kid->get_string();
    key = keys.FindByKid(std::string_view(kid_text.data(), kid_text.size()));
  }
  if (key == nullptr) return Refuse("unknown token signing key");
  // The key decides how the signature is checked, and the header must agree:
  // a token cannot have an ES256 key's signature read as RS256, or vice versa.
  if (key->algorithm() != *algorithm) return Refuse("token algorithm does not match its key");
  if (!key->Verify(signing_input, *signature)) return Refuse("invalid token signature");

  // Only now, with the signature checked, is the payload worth parsing.
  std::optional<std::string> payload = Base64UrlDecode(token.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!payload) return Refuse("malformed token");
  if (!ParseObject(*payload)) return Refuse("token payload is not a JSON object");
  return std::move(*payload);
}

}  // namespace keymint::crypto
