// Converts between Beast messages and the API layer's plain Request/Response.
// Kept apart from the session so that the conversion rules (204 has no body,
// keep-alive, Server header) live in one small, synchronous place.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

#include "keymint/api/http.hpp"

namespace keymint::transport {

using WireRequest = boost::beast::http::request<boost::beast::http::string_body>;
using WireResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Views into `request` and `remote_address`; valid as long as both are alive
// and unchanged.
api::Request ToApiRequest(const WireRequest& request, std::string_view remote_address);

// Beast's encoding of the HTTP versions: major * 10 + minor.
inline constexpr unsigned kHttp10 = 10;
inline constexpr unsigned kHttp11 = 11;

// Builds the wire response for HTTP `version` (kHttp10 or kHttp11). Sets Server, the
// extra headers, Connection per `keep_alive`, and Content-Length; statuses
// that must not carry a body (1xx, 204, 304) lose body and Content-Type. A
// status outside 100..999 becomes 500 because Beast cannot send it.
WireResponse ToWireResponse(api::Response response, unsigned version, bool keep_alive);

}  // namespace keymint::transport
