#include "transport/wire.hpp"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>
#include <string>

namespace keymint::transport {
namespace {

namespace http = boost::beast::http;

// What a client reads from the bytes: the response parsed back by Beast,
// which must consume exactly head + body.
http::response<http::string_body> Parsed(const WireResponse& wire) {
  const std::string bytes = wire.head + wire.body;
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(bytes), ec);
  REQUIRE_FALSE(ec);
  if (!parser.is_done()) {
    // No Content-Length and no body (204, 304): the message ends with its head.
    REQUIRE(wire.body.empty());
  }
  CHECK(used == bytes.size());
  return parser.release();
}

std::string Field(const http::response<http::string_body>& response, http::field name) {
  return std::string(response[name]);
}

TEST_CASE("ToWireResponse sets status, Server, Content-Type, extra headers and Content-Length", "[transport]") {
  api::Response response;
  response.status = 201;
  response.body = "{}";
  response.AddHeader("Location", "/x/1");

  const WireResponse wire = ToWireResponse(response, 11, true);
  const auto parsed = Parsed(wire);

  CHECK(wire.head.rfind("HTTP/1.1 201 Created\r\n", 0) == 0);
  CHECK(parsed.result_int() == 201);
  CHECK(Field(parsed, http::field::server) == "keymint");
  CHECK(Field(parsed, http::field::content_type) == "application/json");
  CHECK(Field(parsed, http::field::location) == "/x/1");
  CHECK(Field(parsed, http::field::content_length) == "2");
  CHECK(parsed.body() == "{}");
  CHECK(parsed.keep_alive());
  CHECK_FALSE(wire.close);
}

TEST_CASE("ToWireResponse keeps repeated headers in order", "[transport]") {
  api::Response response;
  response.AddHeader("Link", "<a>; rel=\"one\"");
  response.AddHeader("Link", "<b>; rel=\"two\"");
  const std::string head = ToWireResponse(response, 11, true).head;
  const auto first = head.find("Link: <a>; rel=\"one\"\r\n");
  const auto second = head.find("Link: <b>; rel=\"two\"\r\n");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  CHECK(first < second);
}

TEST_CASE("ToWireResponse leaves out a header that would split the response", "[transport]") {
  api::Response response;
  response.AddHeader("X-Injected", "a\r\nSet-Cookie: stolen=1");
  response.AddHeader("Bad Name", "x");
  response.AddHeader("", "x");
  response.AddHeader("X-Nul", std::string("a\0b", 3));
  response.AddHeader("X-Fine", "tab\tand spaces are allowed");

  const WireResponse wire = ToWireResponse(response, 11, true);
  const auto parsed = Parsed(wire);

  CHECK(wire.head.find("stolen") == std::string::npos);
  CHECK(wire.head.find("Bad Name") == std::string::npos);
  CHECK(wire.head.find("X-Nul") == std::string::npos);
  CHECK(parsed["X-Fine"] == "tab\tand spaces are allowed");
}

TEST_CASE("ToWireResponse sends a header name only when it is an HTTP token", "[transport]") {
  // RFC 9110 §5.6.2: every visible character but the delimiters.
  for (const char delimiter : std::string_view("\"(),/:;<=>?@[\\]{}")) {
    api::Response response;
    response.AddHeader(std::string("X-A") + delimiter + "B", "x");
    const WireResponse wire = ToWireResponse(response, 11, true);
    CAPTURE(delimiter);
    CHECK(wire.head.find("X-A") == std::string::npos);
  }
  for (const std::string& name : {std::string("X-\x7f"), std::string("X-\xc3\xa9"), std::string("X-\x01")}) {
    api::Response response;
    response.AddHeader(name, "x");
    CHECK(ToWireResponse(response, 11, true).head.find("X-") == std::string::npos);
  }
  api::Response response;
  response.AddHeader("X-!#$%&'*+-.^_`|~09az", "kept");
  CHECK(Parsed(ToWireResponse(response, 11, true))["X-!#$%&'*+-.^_`|~09az"] == "kept");
}

TEST_CASE("ToWireResponse drops body and Content-Type where HTTP forbids a body", "[transport]") {
  const int status = GENERATE(204, 304);
  api::Response response;
  response.status = status;
  response.body = "ignored";

  const WireResponse wire = ToWireResponse(response, 11, true);
  const auto parsed = Parsed(wire);

  CHECK(parsed.result_int() == static_cast<unsigned>(status));
  CHECK(wire.body.empty());
  CHECK(parsed.find(http::field::content_type) == parsed.end());
  CHECK(parsed.find(http::field::content_length) == parsed.end());
  CHECK_FALSE(wire.close);
}

TEST_CASE("ToWireResponse omits Content-Type when the handler leaves it empty", "[transport]") {
  api::Response response;
  response.content_type.clear();
  response.body = "x";

  const auto parsed = Parsed(ToWireResponse(response, 11, true));

  CHECK(parsed.find(http::field::content_type) == parsed.end());
  CHECK(parsed.body() == "x");
}

TEST_CASE("ToWireResponse turns an impossible status into 500", "[transport]") {
  api::Response response;
  response.status = GENERATE(0, 42, 1000);

  CHECK(Parsed(ToWireResponse(response, 11, true)).result_int() == 500);
}

TEST_CASE("ToWireResponse follows the keep-alive decision for HTTP/1.0 and 1.1", "[transport]") {
  const unsigned version = GENERATE(10u, 11u);
  const bool keep_alive = GENERATE(true, false);

  const WireResponse wire = ToWireResponse(api::Response{}, version, keep_alive);
  const auto parsed = Parsed(wire);

  CHECK(parsed.version() == version);
  CHECK(parsed.keep_alive() == keep_alive);
  CHECK(wire.close == !keep_alive);
}

TEST_CASE("ToApiRequest exposes method, target, Content-Type, Authorization, body and peer", "[transport]") {
  WireRequest request;
  request.method_string("PATCH");
  request.target("/api/v1/x?y=1");
  request.set(http::field::content_type, "application/json");
  request.set(http::field::authorization, "Bearer abc");
  request.body() = "{\"a\":1}";

  const api::Request view = ToApiRequest(request, "192.0.2.7");

  CHECK(view.method == "PATCH");
  CHECK(view.target == "/api/v1/x?y=1");
  CHECK(view.content_type == "application/json");
  CHECK(view.authorization == "Bearer abc");
  CHECK(view.body == "{\"a\":1}");
  CHECK(view.remote_address == "192.0.2.7");
}

TEST_CASE("ToApiRequest gives empty views for absent headers", "[transport]") {
  WireRequest request;
  request.method(http::verb::get);
  request.target("/");

  const api::Request view = ToApiRequest(request, "");

  CHECK(view.content_type.empty());
  CHECK(view.authorization.empty());
  CHECK(view.body.empty());
}

TEST_CASE("ToApiRequest takes the first of a repeated header, whatever its letter case", "[transport]") {
  WireRequest request;
  request.method(http::verb::post);
  request.target("/");
  request.insert("authorization", "Basic first");
  request.insert("AUTHORIZATION", "Basic second");
  request.insert("user-agent", "agent/1");
  request.insert("Content-type", "text/plain");
  request.insert("If-None-Match", "\"v1\"");
  request.insert("Content-Type", "application/json");

  const api::Request view = ToApiRequest(request, "");

  CHECK(view.authorization == "Basic first");
  CHECK(view.user_agent == "agent/1");
  CHECK(view.content_type == "text/plain");
  CHECK(view.if_none_match == "\"v1\"");
}

TEST_CASE("RequestIdOf finds X-Request-Id in any letter case, the first of several", "[transport]") {
  http::fields fields;
  CHECK(RequestIdOf(fields).empty());
  fields.insert("X-Request-Ident", "not-it");
  fields.insert(http::field::user_agent, "x-request-id");
  CHECK(RequestIdOf(fields).empty());
  fields.insert("x-REQUEST-id", "abc-1");
  fields.insert("X-Request-Id", "abc-2");
  CHECK(RequestIdOf(fields) == "abc-1");
}

}  // namespace
}  // namespace keymint::transport
