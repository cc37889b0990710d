#include "transport/request_log.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <string>

namespace keymint::transport {
namespace {

namespace json = boost::json;

RequestLogEntry TokenEntry() {
  RequestLogEntry entry;
  entry.request_id = "0123456789abcdef0123456789abcdef";
  entry.remote_address = "127.0.0.1";
  entry.method = "POST";
  entry.target = "/api/v2/token";
  entry.status = 200;
  entry.duration = std::chrono::microseconds(1234);
  entry.client_id = "client-1";
  entry.user_agent = "curl/7.88.1";
  return entry;
}

// The line as the logger writes it: the members inside braces.
json::object Parsed(const std::string& members) {
  boost::system::error_code ec;
  json::value value = json::parse("{" + members + "}", ec);
  INFO(members);
  REQUIRE_FALSE(ec);
  REQUIRE(value.is_object());
  return value.as_object();
}

TEST_CASE("FormatRequestLine writes every field in order", "[transport]") {
  std::string line;
  FormatRequestLine(TokenEntry(), line);
  CHECK(line == R"("request_id":"0123456789abcdef0123456789abcdef","remote":"127.0.0.1","method":"POST",)"
                R"("path":"/api/v2/token","status":200,"duration_ms":1.234,"client_id":"client-1",)"
                R"("user_agent":"curl/7.88.1")");
}

TEST_CASE("FormatRequestLine leaves out the query, the fragment and an unknown client ID", "[transport]") {
  RequestLogEntry entry = TokenEntry();
  entry.target = "/api/v1/users?access_token=secret-in-query#frag";
  entry.client_id = "";
  std::string line;
  FormatRequestLine(entry, line);
  CHECK(line.find("secret-in-query") == std::string::npos);
  CHECK(line.find("frag") == std::string::npos);
  const json::object object = Parsed(line);
  CHECK(object.at("path").as_string() == "/api/v1/users");
  CHECK_FALSE(object.contains("client_id"));
}

TEST_CASE("FormatRequestLine keeps hostile paths, user agents and client IDs inside their strings", "[transport]") {
  RequestLogEntry entry = TokenEntry();
  entry.target = "/a\"b\\c\x01\xFF";
  entry.user_agent = "ua\",\"status\":999,\"x\":\"\r\n{\"forged\":1}";
  entry.client_id = std::string_view("id\0\x7f\xC3", 5);
  std::string line;
  FormatRequestLine(entry, line);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find('\r') == std::string::npos);
  const json::object object = Parsed(line);
  CHECK(object.size() == 8);
  CHECK(object.at("status") == 200);
  CHECK(object.at("path").as_string() == "/a\"b\\c\x01\xEF\xBF\xBD");
  CHECK(object.at("user_agent").as_string() == "ua\",\"status\":999,\"x\":\"\r\n{\"forged\":1}");
  CHECK(object.at("client_id").as_string() == std::string_view("id\0\x7f\xEF\xBF\xBD", 7));
}

TEST_CASE("FormatRequestLine writes durations as milliseconds with three decimals", "[transport]") {
  RequestLogEntry entry = TokenEntry();
  std::string line;
  const auto duration_of = [&](std::chrono::steady_clock::duration d) {
    entry.duration = d;
    FormatRequestLine(entry, line);
    Parsed(line);  // still JSON
  };
  duration_of(std::chrono::microseconds(0));
  CHECK(line.find("\"duration_ms\":0.000,") != std::string::npos);
  duration_of(std::chrono::microseconds(7));
  CHECK(line.find("\"duration_ms\":0.007,") != std::string::npos);
  duration_of(std::chrono::milliseconds(2500));
  CHECK(line.find("\"duration_ms\":2500.000,") != std::string::npos);
  duration_of(std::chrono::nanoseconds(-5));  // a clock step backwards is no negative duration
  CHECK(line.find("\"duration_ms\":0.000,") != std::string::npos);
}

TEST_CASE("FormatRequestLine replaces what the buffer held", "[transport]") {
  std::string line = "stale contents";
  FormatRequestLine(TokenEntry(), line);
  CHECK(line.rfind("\"request_id\":", 0) == 0);
}

TEST_CASE("PathOf cuts the target at the query or fragment", "[transport]") {
  CHECK(PathOf("/a/b") == "/a/b");
  CHECK(PathOf("/a?x=1") == "/a");
  CHECK(PathOf("/a#f?x") == "/a");
  CHECK(PathOf("?only") == "");
  CHECK(PathOf("") == "");
}

}  // namespace
}  // namespace keymint::transport
