// The framing rules keymint applies to a request beyond what Beast's parser
// enforces, kept synchronous and apart from the session so that they are
// unit-tested and fuzzed without a socket:
// - Transfer-Encoding is either absent or exactly "chunked" (RFC 9112 §6.3,
//   and no Content-Length beside it): anything else is a 400, because a
//   proxy in front of keymint may frame the same bytes differently.
// - Trailer fields (after the last chunk) are dropped: a proxy that checks or
//   strips Authorization never sees a trailer, so none may act as a header.
//   Beast files a trailer beside any header field of the same name, not at
//   the end, so the header is copied before a chunked body is read and put
//   back afterwards.
// - The read buffer is capped: it must hold a whole header block, one
//   chunk-size line or the trailer section, and never more.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <optional>
#include <string_view>

#include "keymint/transport/server.hpp"
#include "transport/wire.hpp"

namespace keymint::transport {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using RequestHeader = boost::beast::http::request_header<>;

// Room in the read buffer beyond the header limit: a chunk-size line with its
// extensions, or a trailer section, must fit in it whole.
inline constexpr std::size_t kFramingAllowance = 8 * 1024;

// The most bytes a connection's read buffer may hold.
std::size_t ReadBufferLimit(const ServerOptions& options);

// Applies the body and header limits to a fresh parser.
void ConfigureParser(RequestParser& parser, const ServerOptions& options);

// Why a parsed request header cannot be accepted (a message for the 400), or
// nullopt when its framing is acceptable.
std::optional<std::string_view> FramingProblem(const RequestHeader& header);

// True when the client waits for "100 Continue" before sending the body.
bool ExpectsContinue(const RequestHeader& header);

// The number of fields in `fields`.
std::size_t FieldCount(const boost::beast::http::fields& fields);

// Puts back the header as it was before the body (`header_before_body`, a
// copy taken when the header was complete), dropping whatever trailer
// fields a chunked body added.
void DropTrailerFields(WireRequest& request, RequestHeader header_before_body);

}  // namespace keymint::transport
