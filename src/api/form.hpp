// application/x-www-form-urlencoded bodies and HTTP Basic credentials, as
// RFC 6749 uses them (§2.3.1, §4.4.2).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "keymint/common/result.hpp"

namespace keymint::api {

// Decodes a form body ('+' is a space, %XX escapes). A parameter sent twice
// is an error (RFC 6749 §3.2), as is a malformed escape.
Result<std::map<std::string, std::string>> ParseForm(std::string_view body);

// The decoded value of the first parameter called `name`, without decoding
// the rest of the body; nullopt when absent or when a name on the way is
// malformed. For decisions made before the handler parses the whole form.
std::optional<std::string> FormValue(std::string_view body, std::string_view name);

struct BasicCredentials {
  std::string client_id;
  std::string client_secret;
};

// nullopt when the header does not use the Basic scheme. An error when it does
// but is malformed. The id and secret are form-urlencoded before base64
// (RFC 6749 §2.3.1), so they are percent-decoded here.
std::optional<Result<BasicCredentials>> ParseBasicAuthorization(std::string_view header);

}  // namespace keymint::api
