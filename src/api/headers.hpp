// Parsing of the request headers the handlers look at.
#pragma once

#include <optional>
#include <string_view>

namespace keymint::api {

// True when the media type of `content_type` (ignoring parameters such as
// "; charset=utf-8", and case) is `expected`, which must be lowercase.
bool HasMediaType(std::string_view content_type, std::string_view expected);

// The credentials of an Authorization header that uses `scheme` (lowercase,
// matched case-insensitively, RFC 9110 §11.1), e.g. the token of
// "Bearer <token>"; "" for the scheme alone; nullopt for another scheme or an
// empty header.
std::optional<std::string_view> CredentialsForScheme(std::string_view authorization, std::string_view scheme);

}  // namespace keymint::api
