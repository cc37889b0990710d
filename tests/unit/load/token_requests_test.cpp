#include "load/token_requests.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

namespace keymint::load {
namespace {

namespace http = boost::beast::http;

Options Base(Mode mode) {
  Options o;
  o.host = "127.0.0.1";
  o.port = "8080";
  o.mode = mode;
  return o;
}

// Parses the prepared bytes back as a server would: the whole buffer must be
// exactly one complete request.
http::request<http::string_body> Parsed(const std::string& bytes) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(bytes), ec);
  REQUIRE_FALSE(ec);
  REQUIRE(parser.is_done());
  REQUIRE(used == bytes.size());
  return parser.release();
}

TEST_CASE("v1 requests carry the Run:ai JSON body", "[load]") {
  const auto requests = BuildTokenRequests(Base(Mode::kV1), {{"id-1", "s\"1", ""}});
  REQUIRE(requests.size() == 1);
  const auto request = Parsed(requests[0]);
  CHECK(request.method() == http::verb::post);
  CHECK(request.target() == "/api/v1/token");
  CHECK(request[http::field::host] == "127.0.0.1:8080");
  CHECK(request[http::field::content_type] == "application/json");
  CHECK(request.keep_alive());
  CHECK(boost::json::parse(request.body()) ==
        boost::json::parse(R"({"grantType":"client_credentials","clientId":"id-1","clientSecret":"s\"1"})"));
  CHECK(TokenMember(Mode::kV1) == "\"accessToken\"");
}

TEST_CASE("v2 Basic requests form-encode both parts before base64 (RFC 6749 2.3.1)", "[load]") {
  const auto request = Parsed(BuildTokenRequests(Base(Mode::kV2Basic), {{"a b", "c:d", ""}})[0]);
  CHECK(request.target() == "/api/v2/token");
  CHECK(request[http::field::content_type] == "application/x-www-form-urlencoded");
  // base64("a%20b:c%3Ad")
  CHECK(request[http::field::authorization] == "Basic YSUyMGI6YyUzQWQ=");
  CHECK(request.body() == "grant_type=client_credentials");
  CHECK(TokenMember(Mode::kV2Basic) == "\"access_token\"");
}

TEST_CASE("v2 post requests put the credentials in the form", "[load]") {
  const auto request = Parsed(BuildTokenRequests(Base(Mode::kV2Post), {{"id&1", "s=2", ""}})[0]);
  CHECK(request.body() == "grant_type=client_credentials&client_id=id%261&client_secret=s%3D2");
  CHECK(request.find(http::field::authorization) == request.end());
}

TEST_CASE("the Host header brackets an IPv6 literal and leaves out the default port", "[load]") {
  Options v6 = Base(Mode::kV2Basic);
  v6.host = "::1";
  CHECK(Parsed(BuildTokenRequests(v6, {{"id", "s", {}}}).front())[http::field::host] == "[::1]:8080");
  Options https = Base(Mode::kV2Basic);
  https.tls = true;
  https.host = "auth.example.com";
  https.port = "443";
  CHECK(Parsed(BuildTokenRequests(https, {{"id", "s", {}}}).front())[http::field::host] == "auth.example.com");
}

TEST_CASE("form mode posts the given body to the URL's own path", "[load]") {
  Options o = Base(Mode::kForm);
  o.port = "80";
  o.path = "/oauth2/token";
  o.form = "grant_type=client_credentials&scope=api";
  const auto requests = BuildTokenRequests(o, {{"x", "y", ""}, {"z", "w", ""}});
  REQUIRE(requests.size() == 2);
  const auto request = Parsed(requests[1]);
  CHECK(request.target() == "/oauth2/token");
  CHECK(request[http::field::host] == "127.0.0.1");  // default port left out
  CHECK(request[http::field::authorization] == "Basic ejp3");
  CHECK(request.body() == "grant_type=client_credentials&scope=api");
}

}  // namespace
}  // namespace keymint::load
