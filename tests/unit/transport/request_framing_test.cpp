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

TEST_CASE("DropTrailerFields keeps the header's fields, in order, and nothing after", "[transport]") {
  RequestHeader header = Header(11, {{"Host", "a"}, {"Authorization", "Bearer real"}});
  const std::size_t count = FieldCount(header);
  header.insert("Authorization", "Bearer trailer");
  header.insert("X-Trailer", "1");

  DropTrailerFields(header, count);

  REQUIRE(FieldCount(header) == 2);
  CHECK(header[http::field::authorization] == "Bearer real");
  CHECK(header.count(http::field::authorization) == 1);
  CHECK(header.count("X-Trailer") == 0);
}

TEST_CASE("ReadBufferLimit leaves room for framing beyond the header limit", "[transport]") {
  ServerOptions options;
  options.header_limit = 4096;
  CHECK(ReadBufferLimit(options) == 4096 + kFramingAllowance);
}

}  // namespace
}  // namespace keymint::transport
