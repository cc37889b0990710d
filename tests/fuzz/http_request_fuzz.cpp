// The HTTP request as a session reads it: Beast's parser with keymint's
// limits (ConfigureParser), the read buffer capped at ReadBufferLimit, the
// header read first and checked (FramingProblem), then the body, trailers
// dropped (DropTrailerFields), and the result viewed as the API layer sees it
// (ToApiRequest); several requests in a row, as on a keep-alive connection.
// Beast's synchronous read over an in-memory stream runs the same parser and
// the same buffer rules as the session's asynchronous read. Checked beyond
// "does not crash":
// - the read buffer never holds more than its cap (the chunk-extension and
//   trailer floods that once grew it without bound);
// - a body never exceeds the body limit;
// - after a chunked body no trailer field is left: the fields the API layer
//   sees are exactly those of the header section, and Authorization in
//   particular is the header's (or absent);
// - a request with Transfer-Encoding that passes FramingProblem is one Beast
//   reads as chunked, and one without is not.
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "transport/request_framing.hpp"
#include "transport/wire.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using keymint::transport::ConfigureParser;
using keymint::transport::DropTrailerFields;
using keymint::transport::FieldCount;
using keymint::transport::FramingProblem;
using keymint::transport::ReadBufferLimit;
using keymint::transport::RequestParser;
using keymint::transport::ServerOptions;

constexpr int kMaxRequests = 8;

// Small limits, so that inputs of a few KiB reach every limit.
const ServerOptions& Options() {
  static const ServerOptions options = [] {
    ServerOptions o;
    o.header_limit = 1024;
    o.body_limit = 2048;
    return o;
  }();
  return options;
}

std::string View(beast::string_view text) { return std::string(text.data(), text.size()); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const ServerOptions& options = Options();
  boost::asio::io_context ioc;
  beast::test::stream stream(ioc, beast::string_view(reinterpret_cast<const char*>(data), size));
  stream.close_remote();  // the input is all the peer ever sends
  beast::flat_buffer buffer(ReadBufferLimit(options));

  for (int i = 0; i < kMaxRequests; ++i) {
    RequestParser parser;
    ConfigureParser(parser, options);
    beast::error_code ec;
    http::read_header(stream, buffer, parser, ec);
    FUZZ_CHECK(buffer.size() <= ReadBufferLimit(options));
    if (ec) break;
    if (FramingProblem(parser.get())) break;  // answered 400, connection closed
    const std::size_t header_fields = FieldCount(parser.get());
    const std::string header_authorization = View(parser.get()[http::field::authorization]);
    std::optional<keymint::transport::RequestHeader> chunked_header;
    if (!parser.is_done() && parser.chunked()) chunked_header.emplace(parser.get());
    if (!parser.is_done()) http::read(stream, buffer, parser, ec);
    FUZZ_CHECK(buffer.size() <= ReadBufferLimit(options));
    if (ec) break;
    if (chunked_header) DropTrailerFields(parser.get(), std::move(*chunked_header));

    const keymint::transport::WireRequest& request = parser.get();
    FUZZ_CHECK(FieldCount(request) == header_fields);
    FUZZ_CHECK(request.body().size() <= options.body_limit);
    const auto api = keymint::transport::ToApiRequest(request, "127.0.0.1");
    FUZZ_CHECK(std::string(api.authorization) == header_authorization);
    // What FramingProblem let through, Beast frames as chunked, and only that.
    FUZZ_CHECK(request.chunked() == (request.count(http::field::transfer_encoding) == 1));
    if (!request.keep_alive()) break;
  }
  return 0;
}
