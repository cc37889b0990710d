#include "transport/request_framing.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace keymint::transport {
namespace {

namespace http = boost::beast::http;

RequestHeader Header(unsigned version, std::initializer_list<std::pair<std::string, std::string>> fields) {
  RequestHeader header;
  header.version(version);
  header.method(http::verb::post);
  header.target("/x");
  for (const auto& [name, value] : fields) header.insert(name, value);
  return header;
}

TEST_CASE("FramingProblem accepts no Transfer-Encoding and exactly chunked", "[transport]") {
  CHECK_FALSE(FramingProblem(Header(11, {})));
  CHECK_FALSE(FramingProblem(Header(11, {{"Content-Length", "5"}})));
  CHECK_FALSE(FramingProblem(Header(11, {{"Transfer-Encoding", "chunked"}})));
  CHECK_FALSE(FramingProblem(Header(11, {{"Transfer-Encoding", " CHUNKED\t"}})));
}

TEST_CASE("FramingProblem refuses every other Transfer-Encoding", "[transport]") {
  CHECK(FramingProblem(Header(11, {{"Transfer-Encoding", "gzip, chunked"}})));
  CHECK(FramingProblem(Header(11, {{"Transfer-Encoding", "identity"}})));
  CHECK(FramingProblem(Header(11, {{"Transfer-Encoding", ""}})));
  CHECK(FramingProblem(Header(11, {{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}})));
  CHECK(FramingProblem(Header(11, {{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}})));
  CHECK(FramingProblem(Header(10, {{"Transfer-Encoding", "chunked"}})));
}

TEST_CASE("ExpectsContinue only for 100-continue on HTTP/1.1", "[transport]") {
  CHECK(ExpectsContinue(Header(11, {{"Expect", "100-continue"}})));
  CHECK(ExpectsContinue(Header(11, {{"Expect", "100-Continue "}})));
  CHECK_FALSE(ExpectsContinue(Header(10, {{"Expect", "100-continue"}})));
  CHECK_FALSE(ExpectsContinue(Header(11, {{"Expect", "something-else"}})));
  CHECK_FALSE(ExpectsContinue(Header(11, {})));
}

TEST_CASE("DropTrailerFields restores the header exactly, whatever the trailers were named", "[transport]") {
  WireRequest request;
  request.method(http::verb::post);
  request.target("/x");
  request.insert("Host", "a");
  request.insert("Authorization", "Bearer real");
  request.insert("Transfer-Encoding", "chunked");
  const RequestHeader before = request.base();
  // Beast files a field beside an earlier one of the same name, so these
  // land among the header's own fields, not after them.
  request.insert("Host", "trailer-host");
  request.insert("Authorization", "Bearer trailer");
  request.insert("X-Trailer", "1");
  request.body() = "payload";

  DropTrailerFields(request, before);

  CHECK(FieldCount(request) == 3);
  CHECK(request[http::field::host] == "a");
  CHECK(request.count(http::field::host) == 1);
  CHECK(request[http::field::authorization] == "Bearer real");
  CHECK(request.count(http::field::authorization) == 1);
  CHECK(request.count("X-Trailer") == 0);
  CHECK(request.body() == "payload");
}

TEST_CASE("ReadBufferLimit leaves room for framing beyond the header limit", "[transport]") {
  ServerOptions options;
  options.header_limit = 4096;
  CHECK(ReadBufferLimit(options) == 4096 + kFramingAllowance);
}

}  // namespace
}  // namespace keymint::transport
