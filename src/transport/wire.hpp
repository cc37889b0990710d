// Converts between Beast messages and the API layer's plain Request/Response.
// Kept apart from the session so that the conversion rules (204 has no body,
// keep-alive, Server header) live in one small, synchronous place.
#pragma once

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

#include "keymint/api/http.hpp"

namespace keymint::transport {

using WireRequest = boost::beast::http::request<boost::beast::http::string_body>;
// Views into `request` and `remote_address`; valid as long as both are alive
// and unchanged.
api::Request ToApiRequest(const WireRequest& request, std::string_view remote_address);

// The first X-Request-Id field's value, "" when there is none. Not one of
// Beast's known fields, so only the names of unknown fields are compared.
std::string_view RequestIdOf(const boost::beast::http::fields& fields);

// Beast's encoding of the HTTP versions: major * 10 + minor.
inline constexpr unsigned kHttp10 = 10;
inline constexpr unsigned kHttp11 = 11;

// A response ready for the socket: the status line and header fields as one
// string beside the body (moved in, never copied), written together with one
// gathering write. Built by hand rather than through Beast's serializer,
// which costs the token path more than all of its JSON work.
struct WireResponse {
  std::string head;  // "HTTP/1.1 200 OK\r\n...\r\n\r\n"
  std::string body;
  bool close = false;  // the connection ends after this response

  std::array<boost::asio::const_buffer, 2> buffers() const {
    return {boost::asio::buffer(head), boost::asio::buffer(body)};
  }
};

// Builds the wire response for HTTP `version` (kHttp10 or kHttp11). Sets Server, the
// extra headers, Connection per `keep_alive`, and Content-Length; statuses
// that must not carry a body (1xx, 204, 304) lose body and Content-Type. A
// status outside 100..999 becomes 500. A header whose name is not an HTTP
// token or whose value holds a control character (a handler bug; CR or LF
// would split the response) is left out rather than sent. A non-empty
// `request_id` is sent as X-Request-Id.
WireResponse ToWireResponse(api::Response response, unsigned version, bool keep_alive,
                            std::string_view request_id = {});

}  // namespace keymint::transport
