// The request log and X-Request-Id, against the real keymint binary: one JSON
// line per request on stderr, the id echoed or made, nothing secret logged,
// and the level setting.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

// The JSON lines of `text` (stderr), parsed; other lines (the plain-text
// start-up lines) are skipped. A line that starts with '{' but is not a JSON
// object fails the test.
std::vector<json::object> JsonLines(const std::string& text) {
  std::vector<json::object> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() != '{') continue;
    boost::system::error_code ec;
    json::value value = json::parse(line, ec);
    INFO("line: " << line);
    REQUIRE_FALSE(ec);
    REQUIRE(value.is_object());
    lines.push_back(std::move(value.as_object()));
  }
  return lines;
}

// The request lines with this request_id.
std::vector<json::object> LinesWithId(const KeymintProcess& server, const std::string& id) {
  std::vector<json::object> found;
  for (auto& line : JsonLines(server.StderrText())) {
    const json::value* value = line.if_contains("request_id");
    if (value && value->is_string() && value->get_string() == id) found.push_back(std::move(line));
  }
  return found;
}

// Lines are written by a background thread: waits (up to 5 s) for the line
// of request `id` and REQUIREs exactly one.
json::object WaitForLine(const KeymintProcess& server, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::vector<json::object> found = LinesWithId(server, id);
  while (found.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    found = LinesWithId(server, id);
  }
  INFO("request id " << id << "; stderr:\n" << server.StderrText());
  REQUIRE(found.size() == 1);
  return found.front();
}

std::string StringMember(const json::object& line, const char* name) {
  const json::value* value = line.if_contains(name);
  if (!value || !value->is_string()) return "<missing>";
  return std::string(value->get_string());
}

bool IsGeneratedId(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The X-Request-Id of a raw answer ("" when it has none).
std::string RawRequestId(const std::string& raw) {
  const std::string name = "\r\nX-Request-Id: ";
  const auto at = raw.find(name);
  if (at == std::string::npos) return "";
  const auto end = raw.find("\r\n", at + name.size());
  return raw.substr(at + name.size(), end - at - name.size());
}

TEST_CASE("request log: one JSON line per request with its fields, the query left out", "[integration]") {
  KeymintProcess server;
  const HttpResponse response = Get(server.port(), "/api/v1/no-such-thing?access_token=query-secret&x=1");
  CHECK(response.status == 404);
  const std::string id = response.Header("X-Request-Id");
  INFO("X-Request-Id: " << id);
  REQUIRE(IsGeneratedId(id));

  const json::object line = WaitForLine(server, id);
  INFO(json::serialize(line));
  CHECK(StringMember(line, "level") == "info");
  CHECK(StringMember(line, "time").size() == 24);  // 2026-12-01T04:45:43.123Z
  CHECK(StringMember(line, "time").back() == 'Z');
  CHECK(StringMember(line, "remote") == "127.0.0.1");
  CHECK(StringMember(line, "method") == "GET");
  CHECK(StringMember(line, "path") == "/api/v1/no-such-thing");
  CHECK(StringMember(line, "user_agent") == "keymint-integration-tests");
  REQUIRE(line.contains("status"));
  CHECK(line.at("status") == 404);
  REQUIRE(line.contains("duration_ms"));
  CHECK(line.at("duration_ms").is_number());
  CHECK(line.at("duration_ms").to_number<double>() >= 0.0);
  CHECK_FALSE(line.contains("client_id"));
  CHECK(server.StderrText().find("query-secret") == std::string::npos);

  {
    INFO("a hostile User-Agent stays inside its string");
    const std::string raw = SendRaw(server.port(),
                                    "GET /x%22y?q=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    "User-Agent: ua\",\"status\":999,\"x\":\"\\ \xff\r\nConnection: close\r\n\r\n");
    const std::string hostile_id = RawRequestId(raw);
    REQUIRE(IsGeneratedId(hostile_id));
    const json::object hostile = WaitForLine(server, hostile_id);
    INFO(json::serialize(hostile));
    CHECK(hostile.at("status") == 404);
    CHECK(StringMember(hostile, "path") == "/x%22y");
    CHECK(StringMember(hostile, "user_agent") == "ua\",\"status\":999,\"x\":\"\\ \xEF\xBF\xBD");
  }

  INFO("each request on a kept-alive connection gets its own id and line");
  const HttpResponse first = Get(server.port(), "/healthz");
  const HttpResponse second = Get(server.port(), "/healthz");
  CHECK(first.Header("X-Request-Id") != second.Header("X-Request-Id"));
  CHECK(WaitForLine(server, second.Header("X-Request-Id")).at("status") == 200);
}

TEST_CASE("request log: a valid incoming X-Request-Id is kept, an invalid one replaced", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  {
    const std::string incoming = "Root-1-5759e988:bd862e3f_fe1c.AB";
    const HttpResponse response = Send(port, "GET", "/healthz", "", {{"X-Request-Id", incoming}});
    CHECK(response.Header("X-Request-Id") == incoming);
    CHECK(StringMember(WaitForLine(server, incoming), "path") == "/healthz");
  }
  for (const std::string& invalid : {std::string("has space"), std::string("semi;colon"), std::string(129, 'a')}) {
    INFO("incoming: " << invalid);
    const HttpResponse response = Send(port, "GET", "/healthz", "", {{"X-Request-Id", invalid}});
    const std::string id = response.Header("X-Request-Id");
    CHECK(IsGeneratedId(id));
    WaitForLine(server, id);
  }
  {
    INFO("an error answer made before dispatch carries one too: 413 on a Content-Length over the limit");
    const std::string raw = SendRaw(port,
                                    "POST /api/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: too-big-1\r\n"
                                    "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{}");
    CHECK(raw.rfind("HTTP/1.1 413", 0) == 0);
    CHECK(RawRequestId(raw) == "too-big-1");
    const json::object line = WaitForLine(server, "too-big-1");
    CHECK(line.at("status") == 413);
    CHECK(StringMember(line, "path") == "/api/v1/token");
  }
  {
    INFO("malformed HTTP: 400 with a generated id, logged without method or path");
    const std::string raw = SendRaw(port, "GARBAGE\r\n\r\n");
    CHECK(raw.rfind("HTTP/1.1 400", 0) == 0);
    const std::string id = RawRequestId(raw);
    CHECK(IsGeneratedId(id));
    const json::object line = WaitForLine(server, id);
    CHECK(line.at("status") == 400);
    CHECK(StringMember(line, "method").empty());
  }
}

TEST_CASE("request log: no secret, password or Authorization value after token and login calls", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);  // a password login
  const CreatedKey key = CreateAccessKey(port, admin, "log-probe");
  const std::string basic = "Basic " + Base64Encode(FormEncode(key.client_id) + ":" + FormEncode(key.client_secret));

  const HttpResponse v1 = ClientCredentialsExchange(port, key.client_id, key.client_secret);
  REQUIRE(v1.status == 200);
  const HttpResponse v2_body = PostForm(port, "/api/v2/token",
                                        "grant_type=client_credentials&client_id=" + FormEncode(key.client_id) +
                                            "&client_secret=" + FormEncode(key.client_secret));
  REQUIRE(v2_body.status == 200);
  const HttpResponse v2_basic =
      PostForm(port, "/api/v2/token", "grant_type=client_credentials", {{"Authorization", basic}});
  REQUIRE(v2_basic.status == 200);
  const HttpResponse refused = ClientCredentialsExchange(port, key.client_id, "wrong-secret-value-123");
  CHECK(refused.status == 401);
  const HttpResponse v2_password =
      PostForm(port, "/api/v2/token",
               "grant_type=password&username=" + FormEncode(kAdminEmail) + "&password=" + FormEncode(kAdminPassword));
  REQUIRE(v2_password.status == 200);
  const HttpResponse listed = Get(port, "/api/v1/access-keys", admin);
  REQUIRE(listed.status == 200);

  for (const HttpResponse* response : {&v1, &v2_body, &v2_basic, &refused}) {
    const json::object line = WaitForLine(server, response->Header("X-Request-Id"));
    INFO(json::serialize(line));
    CHECK(StringMember(line, "client_id") == key.client_id);
    CHECK(StringMember(line, "method") == "POST");
  }
  CHECK(WaitForLine(server, refused.Header("X-Request-Id")).at("status") == 401);
  CHECK_FALSE(WaitForLine(server, v2_password.Header("X-Request-Id")).contains("client_id"));
  WaitForLine(server, listed.Header("X-Request-Id"));

  const std::string text = server.StderrText();
  const std::string v1_token = std::string(v1.Json().as_object().at("accessToken").as_string());
  const std::vector<std::string> secrets = {
      kAdminPassword,  key.client_secret, "wrong-secret-value-123",  admin, v1_token,
      basic.substr(6), "Bearer",          FormEncode(kAdminPassword)};
  for (const std::string& secret : secrets) {
    INFO("must not appear: " << secret);
    CHECK(text.find(secret) == std::string::npos);
  }
  CHECK(text.find("authorization") == std::string::npos);
  CHECK(text.find("Authorization") == std::string::npos);
}

TEST_CASE("request log: --log-level off and warn write no request lines", "[integration]") {
  for (const std::string level : {"off", "warn"}) {
    INFO("level " << level);
    ProcessOptions options;
    options.extra_args = {"--log-level", level};
    KeymintProcess server(options);
    const HttpResponse response = Get(server.port(), "/healthz");
    CHECK(response.status == 200);
    INFO("the id is still sent");
    CHECK(IsGeneratedId(response.Header("X-Request-Id")));
    REQUIRE(server.Stop() == 0);  // the writer has flushed by the time the process exits
    INFO("stderr:\n" << server.StderrText());
    CHECK(JsonLines(server.StderrText()).empty());
    CHECK(server.StderrText().find("listening on") != std::string::npos);
  }
  {
    INFO("the environment variable works as well, and the line is written at info");
    KeymintProcess server(WithEnv({{"KEYMINT_LOG_LEVEL", "error"}}));
    Get(server.port(), "/healthz");
    REQUIRE(server.Stop() == 0);
    CHECK(JsonLines(server.StderrText()).empty());
  }
  {
    INFO("a request line written at info is flushed by a clean stop");
    KeymintProcess server;
    const HttpResponse response = Get(server.port(), "/healthz");
    REQUIRE(server.Stop() == 0);
    CHECK(LinesWithId(server, response.Header("X-Request-Id")).size() == 1);
  }
}

TEST_CASE("request log: an unknown level stops start-up with a line naming the setting", "[integration]") {
  ScopedTempDir data_dir, keys_dir;
  const CommandResult result = RunKeymint({"serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir.path,
                                           "--keys-dir", keys_dir.path, "--log-level", "loud"});
  INFO(result.output);
  CHECK(result.exit_code == 2);
  CHECK(result.output.find("--log-level") != std::string::npos);
  CHECK(result.output.find("listening on") == std::string::npos);
}

}  // namespace
}  // namespace keymint::testing
