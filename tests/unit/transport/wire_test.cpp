#include "transport/wire.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace keymint::transport {
namespace {

namespace http = boost::beast::http;

std::string Field(const WireResponse& response, http::field name) { return std::string(response[name]); }

TEST_CASE("ToWireResponse sets status, Server, Content-Type, extra headers and Content-Length", "[transport]") {
  api::Response response;
  response.status = 201;
  response.body = "{}";
  response.AddHeader("Location", "/x/1");

  const WireResponse wire = ToWireResponse(response, 11, true);

  CHECK(wire.result_int() == 201);
  CHECK(Field(wire, http::field::server) == "keymint");
  CHECK(Field(wire, http::field::content_type) == "application/json");
  CHECK(Field(wire, http::field::location) == "/x/1");
  CHECK(Field(wire, http::field::content_length) == "2");
  CHECK(wire.body() == "{}");
  CHECK(wire.keep_alive());
  CHECK_FALSE(wire.need_eof());
}

TEST_CASE("ToWireResponse drops body and Content-Type where HTTP forbids a body", "[transport]") {
  const int status = GENERATE(204, 304);
  api::Response response;
  response.status = status;
  response.body = "ignored";

  const WireResponse wire = ToWireResponse(response, 11, true);

  CHECK(wire.result_int() == static_cast<unsigned>(status));
  CHECK(wire.body().empty());
  CHECK(wire.find(http::field::content_type) == wire.end());
  CHECK(wire.find(http::field::content_length) == wire.end());
  CHECK_FALSE(wire.need_eof());
}

TEST_CASE("ToWireResponse omits Content-Type when the handler leaves it empty", "[transport]") {
  api::Response response;
  response.content_type.clear();
  response.body = "x";

  const WireResponse wire = ToWireResponse(response, 11, true);

  CHECK(wire.find(http::field::content_type) == wire.end());
}

TEST_CASE("ToWireResponse turns an impossible status into 500", "[transport]") {
  api::Response response;
  response.status = GENERATE(0, 42, 1000);

  CHECK(ToWireResponse(response, 11, true).result_int() == 500);
}

TEST_CASE("ToWireResponse follows the keep-alive decision for HTTP/1.0 and 1.1", "[transport]") {
  const unsigned version = GENERATE(10u, 11u);
  const bool keep_alive = GENERATE(true, false);

  const WireResponse wire = ToWireResponse(api::Response{}, version, keep_alive);

  CHECK(wire.version() == version);
  CHECK(wire.keep_alive() == keep_alive);
  CHECK(wire.need_eof() == !keep_alive);
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

}  // namespace
}  // namespace keymint::transport
