// The web page's files (web/, compiled in) as HTTP answers: content type,
// validator and the security headers a browser page needs. Pure, so the
// headers are tested without a socket.
#pragma once

#include <string>
#include <string_view>

#include "keymint/api/http.hpp"

namespace keymint::api {

// One file the page is made of.
struct WebAsset {
  std::string_view body;
  std::string_view content_type;
  std::string etag;  // a strong validator from a hash of `body`: "\"<16 hex digits>\""
};

// The three files, each built once on first use (the hash is computed then).
const WebAsset& WebIndexAsset();
const WebAsset& WebScriptAsset();
const WebAsset& WebStyleAsset();

// A strong entity tag for `body` (FNV-1a 64: identifies a build's file, not a secret).
std::string EntityTag(std::string_view body);

// Whether an If-None-Match value (RFC 9110 §13.1.2: "*" or a list of tags,
// weak ones compared weakly) names `etag`.
bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag);

// The answer to a GET of `asset`: 200 with the file, or 304 with no body when
// the browser's copy is current. Either way with the cache and security headers.
Response AssetResponse(const WebAsset& asset, const Request& request);

// The Content-Security-Policy every page answer carries: the page's own
// files only, no inline script or style, no framing.
inline constexpr std::string_view kWebContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace keymint::api
