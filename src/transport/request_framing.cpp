#include "transport/request_framing.hpp"

#include <boost/beast/core/string.hpp>
#include <cstdint>
#include <iterator>
#include <limits>

#include "transport/wire.hpp"

namespace keymint::transport {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::string_view Trim(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

std::string_view View(beast::string_view value) { return {value.data(), value.size()}; }

}  // namespace

std::size_t ReadBufferLimit(const ServerOptions& options) { return options.header_limit + kFramingAllowance; }

void ConfigureParser(RequestParser& parser, const ServerOptions& options) {
  parser.body_limit(static_cast<std::uint64_t>(options.body_limit));
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options.header_limit, std::numeric_limits<std::uint32_t>::max())));
}

std::optional<std::string_view> FramingProblem(const RequestHeader& header) {
  const auto encodings = header.equal_range(http::field::transfer_encoding);
  const auto count = std::distance(encodings.first, encodings.second);
  if (count == 0) return std::nullopt;
  if (count > 1) return "Transfer-Encoding must appear at most once";
  if (!beast::iequals(Trim(View(encodings.first->value())), "chunked")) {
    return "Transfer-Encoding must be exactly \"chunked\"";
  }
  if (header.count(http::field::content_length) != 0) {
    return "Transfer-Encoding and Content-Length must not both be sent";
  }
  if (header.version() < kHttp11) return "Transfer-Encoding needs HTTP/1.1";
  return std::nullopt;
}

bool ExpectsContinue(const RequestHeader& header) {
  if (header.version() < kHttp11) return false;
  const auto expect = header.find(http::field::expect);
  return expect != header.end() && beast::iequals(Trim(View(expect->value())), "100-continue");
}

std::size_t FieldCount(const http::fields& fields) {
  return static_cast<std::size_t>(std::distance(fields.begin(), fields.end()));
}

void DropTrailerFields(WireRequest& request, RequestHeader header_before_body) {
  request.base() = std::move(header_before_body);
}

}  // namespace keymint::transport
