// HTTP-level errors and hostile input: the server answers 4xx in the documented
// shapes, never 5xx, and keeps serving.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

std::set<std::string> AllowSet(const HttpResponse& response) {
  std::set<std::string> methods;
  std::stringstream in(response.Header("Allow"));
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) methods.insert(item);
  }
  return methods;
}

HttpResponse SendJsonText(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                          const std::string& bearer, const std::string& content_type = "application/json") {
  Headers headers;
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  return Send(port, method, target, body, headers);
}

void CheckAlive(uint16_t port) {
  const HttpResponse response = Get(port, "/.well-known/jwks.json");
  INFO("liveness probe: " << response.status << " " << response.body.substr(0, 200));
  REQUIRE(response.status == 200);
}

// Printable rendering of a byte string for failure messages.
std::string Printable(const std::string& bytes, std::size_t limit = 300) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  if (bytes.size() > limit) out += "...(" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

}  // namespace

TEST_CASE("unknown paths and other users' resources answer 404 in the Error shape", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const std::string unknown = kUnknownUuid;

  for (const std::string& target :
       {std::string("/api/v1/nope"), std::string("/api/v2/nope"), std::string("/nope"), std::string("/api/v3/token"),
        "/api/v1/access-keys/" + unknown, "/api/v1/users/" + unknown, "/api/v1/user-applications/" + unknown,
        "/api/v1/access-keys/" + unknown + "/nope"}) {
    INFO("GET " << target);
    CheckError(Get(port, target, admin), 404);
  }
  CheckError(Delete(port, "/api/v1/access-keys/" + unknown, admin), 404);
  CheckError(
      Send(port, "POST", "/api/v1/access-keys/" + unknown + "/secret", "", {{"Authorization", "Bearer " + admin}}),
      404);
  CheckError(Delete(port, "/api/v1/administration/access-keys/" + unknown, admin), 404);

  {
    INFO("another user's key is 404, never 403, and stays intact");
    const CreatedKey key = CreateAccessKey(port, admin, "admins-key");
    const CreatedUser other = CreateUser(port, admin, "other@example.com", {"Viewer"});
    CheckError(Get(port, "/api/v1/access-keys/" + key.id, other.token), 404);
    CheckError(Delete(port, "/api/v1/access-keys/" + key.id, other.token), 404);
    CheckError(Send(port, "POST", "/api/v1/access-keys/" + key.id + "/secret", "",
                    {{"Authorization", "Bearer " + other.token}}),
               404);
    CHECK_FALSE(ClientCredentialsToken(port, key.client_id, key.client_secret).empty());
  }
}

TEST_CASE("a known path with the wrong method answers 405 with an Allow header", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "method-key");
  const Headers auth = {{"Authorization", "Bearer " + admin}};

  struct Case {
    std::string method, target;
    std::set<std::string> must_allow;
    bool error_shape;
  };
  const std::vector<Case> cases = {
      {"PUT", "/api/v1/access-keys", {"GET", "POST"}, true},
      {"DELETE", "/api/v1/access-keys", {"GET", "POST"}, true},
      {"PATCH", "/api/v1/access-keys/" + key.id, {"GET", "DELETE"}, true},
      {"PUT", "/api/v1/access-keys/" + key.id, {"GET", "DELETE"}, true},
      {"GET", "/api/v1/access-keys/" + key.id + "/secret", {"POST"}, true},
      {"POST", "/api/v1/authorization/roles", {"GET"}, true},
      {"GET", "/api/v1/users/" + key.id + "/roles", {"PUT"}, true},
      {"GET", "/api/v1/token", {"POST"}, false},
      {"PUT", "/api/v1/token", {"POST"}, false},
      {"GET", "/api/v2/token", {"POST"}, false},
      {"POST", "/.well-known/jwks.json", {"GET"}, true},
      {"DELETE", "/.well-known/openid-configuration", {"GET"}, true},
  };
  for (const Case& c : cases) {
    INFO(c.method << " " << c.target);
    const HttpResponse response = Send(port, c.method, c.target, "", auth);
    INFO("answer: " << response.status << " Allow: " << response.Header("Allow") << " " << response.body);
    CHECK(response.status == 405);
    const std::set<std::string> allowed = AllowSet(response);
    for (const std::string& method : c.must_allow) {
      INFO("Allow should list " << method);
      CHECK(allowed.count(method) == 1);
    }
    CHECK(allowed.count(c.method) == 0);
    if (c.error_shape) CheckError(response, 405);
  }
}

TEST_CASE("JSON management endpoints answer 415 for any other content type", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const std::string body = R"({"name":"typed-key"})";
  for (const std::string content_type : {"text/plain", "application/x-www-form-urlencoded", "", "application/xml"}) {
    INFO("Content-Type: '" << content_type << "'");
    CheckError(SendJsonText(port, "POST", "/api/v1/access-keys", body, admin, content_type), 415);
  }
  CheckError(SendJsonText(port, "PUT", "/api/v1/users/" + kUnknownUuid + "/roles", R"({"roles":["Viewer"]})", admin,
                          "text/plain"),
             415);
  {
    INFO("the failed attempts created nothing; a charset parameter is fine");
    const HttpResponse created =
        SendJsonText(port, "POST", "/api/v1/access-keys", body, admin, "application/json; charset=utf-8");
    INFO(created.status << " " << created.body);
    CHECK(created.status == 201);
  }
}

TEST_CASE("malformed, non-object and mistyped JSON bodies answer 400 with a message", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);

  for (const std::string body :
       {"", "{", R"({"name":)", R"({"name":"abc")", R"({"name":"abc"}})", R"({'name':'abc'})", R"({"name":"abc",})",
        R"([])", R"(["abc"])", R"("abc")", "42", "null", "true", R"({"name":"abc"} {"name":"def"})"}) {
    INFO("body: " << body);
    CheckError(SendJsonText(port, "POST", "/api/v1/access-keys", body, admin), 400);
  }
  {
    INFO("the message names the missing or mistyped field");
    for (const std::string body :
         {R"({})", R"({"name":5})", R"({"name":null})", R"({"name":["abc"]})", R"({"nome":"abc"})"}) {
      INFO("body: " << body);
      const HttpResponse response = SendJsonText(port, "POST", "/api/v1/access-keys", body, admin);
      CheckError(response, 400);
      CHECK(response.body.find("name") != std::string::npos);
    }
    const HttpResponse roles =
        SendJsonText(port, "PUT", "/api/v1/users/" + UserIdByEmail(port, admin, kAdminEmail) + "/roles",
                     R"({"roles":"Viewer"})", admin);
    CheckError(roles, 400);
    CHECK(roles.body.find("roles") != std::string::npos);
    const HttpResponse user = SendJsonText(port, "POST", "/api/v1/users", R"({"email":5,"roles":["Viewer"]})", admin);
    CheckError(user, 400);
    CHECK(user.body.find("email") != std::string::npos);
  }
  {
    INFO("invalid names are 400");
    for (const std::string& name :
         std::vector<std::string>{"a", "CI", "-ab", "ab-", "1ab", "a b", "ab_", std::string(256, 'a')}) {
      INFO("name: " << name);
      CheckError(PostJson(port, "/api/v1/access-keys", json::object{{"name", name}}, admin), 400);
    }
  }
  const HttpResponse list = Get(port, "/api/v1/access-keys", admin);
  REQUIRE(list.status == 200);
  CHECK(list.Json().as_object().at("accessKeys").as_array().empty());
}

TEST_CASE("a body over 64 KiB answers 413 and the server keeps serving", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);

  const std::string big_json = R"({"name":")" + std::string(65 * 1024 + 10, 'a') + R"("})";
  {
    INFO("access keys");
    CheckError(SendJsonText(port, "POST", "/api/v1/access-keys", big_json, admin), 413);
  }
  {
    INFO("v1 token");
    CheckError(SendJsonText(port, "POST", "/api/v1/token", big_json, ""), 413);
  }
  {
    INFO("v2 token");
    const HttpResponse response =
        PostForm(port, "/api/v2/token", "grant_type=client_credentials&client_id=" + std::string(65 * 1024, 'a'));
    INFO(response.status << " " << response.body.substr(0, 300));
    CHECK(response.status == 413);
  }
  {
    INFO("a Content-Length over the limit is refused before the body arrives");
    const std::string raw =
        SendRaw(port,
                "POST /api/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 10000000\r\n\r\n{}");
    INFO("answer: " << Printable(raw));
    CHECK(raw.rfind("HTTP/1.1 413", 0) == 0);
  }
  {
    INFO("a chunked body over the limit");
    const std::string chunk(40 * 1024, 'x');
    std::ostringstream raw_request;
    raw_request << "POST /api/v1/access-keys HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                << "Authorization: Bearer " << admin << "\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 2; ++i) raw_request << std::hex << chunk.size() << "\r\n" << chunk << "\r\n";
    raw_request << "0\r\n\r\n";
    const std::string raw = SendRaw(port, raw_request.str());
    INFO("answer: " << Printable(raw));
    CHECK(raw.rfind("HTTP/1.1 413", 0) == 0);
  }
  {
    INFO("just under the limit is read and judged on its content (400, not 413)");
    const std::string near = R"({"name":")" + std::string(60 * 1024, 'a') + R"("})";
    CheckError(SendJsonText(port, "POST", "/api/v1/access-keys", near, admin), 400);
  }
  CheckAlive(port);
  CHECK(Get(port, "/api/v1/access-keys", admin).status == 200);
}

TEST_CASE("malformed HTTP gets a 4xx answer or a close and the server keeps serving", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();

  const std::vector<std::string> must_answer_4xx = {
      "GARBAGE\r\n\r\n",
      std::string("\x00\x01\x02\xff\xfe\r\n\r\n", 9),
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nNoColonHeader\r\n\r\n",
      "POST /api/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n",
      "POST /api/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}",
      "POST /api/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n",
  };
  for (const std::string& request : must_answer_4xx) {
    INFO("request: " << Printable(request));
    const std::string raw = SendRaw(port, request);
    INFO("answer: " << Printable(raw));
    CHECK(raw.rfind("HTTP/1.1 4", 0) == 0);
    CheckAlive(port);
  }

  const std::vector<std::string> may_just_close = {
      "GET /.well-known/jwks.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(200 * 1024, 'h') + "\r\n\r\n",
      "GET / HT",
      "POST /api/v1/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
      "100\r\n\r\n{",
      std::string(100 * 1024, '\n'),
  };
  for (const std::string& request : may_just_close) {
    INFO("request: " << Printable(request));
    const std::string raw = SendRaw(port, request);
    INFO("answer: " << Printable(raw));
    CHECK((raw.empty() || raw.rfind("HTTP/1.1 4", 0) == 0));
    CheckAlive(port);
  }
}

TEST_CASE("hundreds of random bodies on both token endpoints never produce a 5xx", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const CreatedKey key = CreateAccessKey(port, admin, "fuzz-key");

  std::mt19937 rng(20261123);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  auto chance = [&](int percent) { return static_cast<int>(pick(100)) < percent; };
  auto random_bytes = [&](std::size_t max_len) {
    std::string s(pick(max_len + 1), '\0');
    for (char& c : s) c = static_cast<char>(pick(256));
    return s;
  };
  const std::vector<std::string> atoms = {"",
                                          "a",
                                          "client_credentials",
                                          "app_token",
                                          "password",
                                          "%",
                                          "%zz",
                                          "%00",
                                          "%ff",
                                          "%C3%A9",
                                          "+",
                                          "&",
                                          "=",
                                          "\xff\xfe",
                                          std::string("\0", 1),
                                          "\\u0000",
                                          "\\ud800",
                                          "1e999999",
                                          "-0",
                                          "123456789012345678901234567890",
                                          key.client_id,
                                          key.client_secret,
                                          std::string(300, 'z'),
                                          "\xc0\xaf",
                                          "\xe2\x82",
                                          "null",
                                          "[",
                                          "{"};
  auto json_value = [&](auto&& self, int depth) -> std::string {
    switch (pick(depth > 3 ? 7 : 9)) {
      case 0:
        return "null";
      case 1:
        return chance(50) ? "true" : "false";
      case 2:
        return std::to_string(static_cast<long long>(rng()) - 2147483648LL);
      case 3:
        return pick(2) ? "1e400" : "-1.5e-400";
      case 4:
        return "123456789012345678901234567890";
      case 5:
      case 6: {
        std::string atom = atoms[pick(atoms.size())];
        std::string escaped;
        for (const char c : atom) {
          if (c == '"') {
            escaped += "\\\"";
          } else if (c == '\0' || c == '\n') {
            escaped += "\\u0000";
          } else {
            escaped += c;
          }
        }
        return "\"" + escaped + "\"";
      }
      case 7: {
        std::string out = "[";
        for (std::size_t i = 0, n = pick(4); i < n; ++i) out += (i ? "," : "") + self(self, depth + 1);
        return out + "]";
      }
      default: {
        std::string out = "{";
        for (std::size_t i = 0, n = pick(4); i < n; ++i) {
          out += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + self(self, depth + 1);
        }
        return out + "}";
      }
    }
  };
  auto json_string = [&]() {
    // Mostly credential-like strings (including the real client ID and near
    // misses of its secret), so the credential path is exercised, not only the parser.
    switch (pick(4)) {
      case 0:
        return "\"" + key.client_id + "\"";
      case 1:
        return "\"" + key.client_secret + (chance(80) ? "x" : "") + "\"";
      default:
        return json_value(json_value, 3);
    }
  };
  const std::vector<std::string> v1_fields = {"clientId",  "clientID", "clientSecret", "appID", "appId",
                                              "appSecret", "username", "password",     "extra"};
  const std::vector<std::string> grants = {"\"client_credentials\"", "\"app_token\"", "\"password\"", "\"x\""};
  auto v1_body = [&]() -> std::string {
    const std::string valid = R"({"grantType":"client_credentials","clientId":")" + key.client_id +
                              R"(","clientSecret":")" + key.client_secret + "x\"}";
    switch (pick(6)) {
      case 0:
        return random_bytes(200);
      case 1:
        return valid.substr(0, pick(valid.size()));
      case 2: {
        std::string s = valid;
        for (std::size_t i = 0, n = 1 + pick(4); i < n; ++i) s[pick(s.size())] = static_cast<char>(pick(256));
        return s;
      }
      default: {
        // A grant and (mostly) its own fields, plus the odd stray field.
        static const std::vector<std::vector<std::string>> kGrantFields = {
            {"clientId", "clientSecret"}, {"clientID", "clientSecret"}, {"appID", "appSecret"},
            {"appId", "appSecret"},       {"username", "password"},     {"clientId", "appSecret"}};
        const std::size_t grant = pick(kGrantFields.size());
        std::string out = "{";
        if (chance(92)) {
          out += "\"grantType\":" + (chance(85) ? std::string(grant < 2    ? "\"client_credentials\""
                                                              : grant < 4  ? "\"app_token\""
                                                              : grant == 4 ? "\"password\""
                                                                           : grants[pick(grants.size())])
                                                : json_value(json_value, 2));
        }
        for (const std::string& field : kGrantFields[grant]) {
          if (!chance(88)) continue;
          const std::string value = chance(80) ? json_string() : json_value(json_value, 1);
          out += (out.size() > 1 ? ",\"" : "\"") + field + "\":" + value;
        }
        if (chance(20)) {
          out += std::string(out.size() > 1 ? "," : "") + "\"" + v1_fields[pick(v1_fields.size())] +
                 "\":" + json_value(json_value, 1);
        }
        return out + "}";
      }
    }
  };
  const std::vector<std::string> v2_names = {"client_id", "client_secret", "username", "password",  "scope",
                                             "",          "grant%5Ftype",  "a=b",      "grant_type"};
  auto form_value = [&]() -> std::string {
    switch (pick(5)) {
      case 0:
        return FormEncode(key.client_id);
      case 1:
        return FormEncode(key.client_secret) + (chance(80) ? "x" : "");
      default:
        return atoms[pick(atoms.size())];
    }
  };
  auto v2_body = [&]() -> std::string {
    if (chance(10)) return random_bytes(200);
    std::string out;
    if (chance(85)) {
      const std::size_t which = pick(10);
      out = "grant_type=" + std::string(which < 6 ? "client_credentials" : which < 8 ? "password" : form_value());
    }
    for (std::size_t i = 0, n = pick(5); i < n; ++i) {
      if (!out.empty()) out += chance(95) ? "&" : "&&";
      out += i < 2 && chance(80) ? (i == 0 ? "client_id" : "client_secret") : v2_names[pick(v2_names.size())];
      if (chance(92)) out += "=" + form_value();
    }
    return out;
  };
  const std::vector<std::string> content_types = {"application/json",
                                                  "application/x-www-form-urlencoded",
                                                  "text/plain",
                                                  "",
                                                  "application/json; charset=utf-8",
                                                  "multipart/form-data; boundary=x"};

  std::vector<std::string> failures;
  for (int i = 0; i < 240; ++i) {
    const bool v1 = i % 2 == 0;
    const std::string body = v1 ? v1_body() : v2_body();
    Headers headers;
    std::string type =
        v1 ? (chance(85) ? "application/json" : content_types[pick(content_types.size())])
           : (chance(85) ? "application/x-www-form-urlencoded" : content_types[pick(content_types.size())]);
    if (!type.empty()) headers.emplace_back("Content-Type", type);
    if (!v1 && chance(25)) {
      headers.emplace_back("Authorization", chance(30) ? "Basic " + Base64Encode(random_bytes(40))
                                                       : "Basic " + Base64Encode(form_value() + ":" + form_value()));
    }
    const std::string target = v1 ? "/api/v1/token" : "/api/v2/token";
    const HttpResponse response = Send(port, "POST", target, body, headers);
    // Anything but a 5xx or a dropped connection (a lucky 200 is fine).
    if (response.status < 200 || response.status >= 500) {
      failures.push_back(target + " [" + type + "] " + Printable(body) + " -> " + std::to_string(response.status) +
                         " " + Printable(response.body, 200));
    }
  }
  std::string report;
  for (std::size_t i = 0; i < failures.size() && i < 10; ++i) report += failures[i] + "\n";
  INFO(failures.size() << " requests got a 5xx or no answer:\n" << report);
  CHECK(failures.empty());
  CheckAlive(port);
  CHECK_FALSE(ClientCredentialsToken(port, key.client_id, key.client_secret).empty());
}

TEST_CASE("hostile JSON values answer 400 rather than 500", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);

  {
    INFO("out-of-range and oversized numbers where strings belong");
    for (const std::string number :
         {"1e999999", "-1e999999", "123456789012345678901234567890", "1.5e308", "-0", "0.1"}) {
      INFO("number " << number);
      CheckError(
          SendJsonText(port, "POST", "/api/v1/token",
                       R"({"grantType":"client_credentials","clientId":)" + number + R"(,"clientSecret":"x"})", ""),
          400);
      CheckError(SendJsonText(port, "POST", "/api/v1/access-keys", R"({"name":)" + number + "}", admin), 400);
    }
  }
  {
    INFO("deep nesting");
    const std::string arrays(10000, '[');
    std::string objects;
    for (int i = 0; i < 10000; ++i) objects += R"({"a":)";
    for (const std::string& body : {arrays, objects, arrays + std::string(10000, ']'),
                                    R"({"grantType":"client_credentials","clientId":)" + arrays}) {
      CheckError(SendJsonText(port, "POST", "/api/v1/token", body, ""), 400);
      CheckError(SendJsonText(port, "POST", "/api/v1/access-keys", body, admin), 400);
    }
  }
  {
    INFO("NUL bytes");
    CheckError(SendJsonText(port, "POST", "/api/v1/token",
                            std::string(R"({"grantType":"client_credentials",)") + '\0' + R"("clientId":"a"})", ""),
               400);
    const HttpResponse escaped_nul =
        SendJsonText(port, "POST", "/api/v1/token",
                     R"({"grantType":"client_credentials","clientId":"a\u0000b","clientSecret":"x\u0000"})", "");
    INFO("escaped NUL in credentials: " << escaped_nul.status << " " << escaped_nul.body);
    CHECK((escaped_nul.status == 400 || escaped_nul.status == 401));
    CheckError(escaped_nul, escaped_nul.status);
    CheckError(SendJsonText(port, "POST", "/api/v1/access-keys", R"({"name":"ab\u0000cd"})", admin), 400);
    CheckError(
        SendJsonText(port, "POST", "/api/v1/access-keys", std::string(R"({"name":"ab)") + '\0' + R"(cd"})", admin),
        400);
  }
  {
    INFO("invalid UTF-8 and non-ASCII in names");
    const std::vector<std::string> invalid = {
        "ab\xff\xfe"
        "cd",
        "ab\xc3",
        "ab\xc0\xaf"
        "cd",
        "ab\xed\xa0\x80"
        "cd",
        "ab\\ud800cd",
        "ab\\udc00"};
    std::vector<std::string> names = invalid;
    names.insert(names.end(), {"\xc3\xa9"
                               "ab",
                               "ab\\u00e9"});  // valid UTF-8, but not [-_a-z0-9]
    for (const std::string& name : names) {
      INFO("name bytes: " << Printable(name));
      CheckError(SendJsonText(port, "POST", "/api/v1/access-keys", R"({"name":")" + name + R"("})", admin), 400);
      if (std::find(invalid.begin(), invalid.end(), name) != invalid.end()) {
        CheckError(SendJsonText(port, "POST", "/api/v1/users",
                                R"({"email":")" + name + R"(@example.com","roles":["Viewer"]})", admin),
                   400);
      }
      const HttpResponse token =
          SendJsonText(port, "POST", "/api/v1/token",
                       R"({"grantType":"client_credentials","clientId":")" + name + R"(","clientSecret":"x"})", "");
      INFO("as a clientId: " << token.status << " " << token.body);
      CHECK((token.status == 400 || token.status == 401));
    }
  }
  {
    INFO("wrong element types");
    const std::string admin_id = UserIdByEmail(port, admin, kAdminEmail);
    CheckError(SendJsonText(port, "PUT", "/api/v1/users/" + admin_id + "/roles", R"({"roles":[1,2]})", admin), 400);
    CheckError(SendJsonText(port, "PUT", "/api/v1/users/" + admin_id + "/roles", R"({"roles":[null]})", admin), 400);
    CheckError(SendJsonText(port, "POST", "/api/v1/users", R"({"email":"x@example.com","roles":"Viewer"})", admin),
               400);
  }
  CheckAlive(port);
  const HttpResponse list = Get(port, "/api/v1/access-keys", admin);
  REQUIRE(list.status == 200);
  CHECK(list.Json().as_object().at("accessKeys").as_array().empty());
}

TEST_CASE("hostile bodies and ids on the service-account paths answer 4xx and change nothing", "[integration]") {
  KeymintProcess server;
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  const HttpResponse created = PostJson(port, "/api/v1/service-accounts",
                                        json::object{{"name", "target"}, {"roles", json::array{"Viewer"}}}, admin);
  REQUIRE(created.status == 201);
  const std::string id = StringField(AsObject(created.Json()), "id");
  const std::string item = "/api/v1/service-accounts/" + id;
  const std::string before = Get(port, item, admin).body;

  std::mt19937 rng(20261128);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  const std::vector<std::string> values = {"null",
                                           "true",
                                           "false",
                                           "0",
                                           "-1",
                                           "1e999999",
                                           "\"\"",
                                           "\"x\"",
                                           "[]",
                                           "[null]",
                                           "[1]",
                                           "[\"\"]",
                                           "{}",
                                           "[[]]",
                                           "\"a\\u0000b\"",
                                           "\"\\ud800\"",
                                           "[\"Viewer\",\"Viewer\"]",
                                           "[\"System administrator\",5]",
                                           "\"" + std::string(300, 'a') + "\""};
  const std::vector<std::string> members = {"name", "enabled", "roles", "id", "clientId", "secret", ""};
  for (int i = 0; i < 120; ++i) {
    std::string body = "{";
    const std::size_t count = pick(4);
    for (std::size_t m = 0; m < count; ++m) {
      if (m) body += ",";
      body += "\"" + members[pick(members.size())] + "\":" + values[pick(values.size())];
    }
    body += pick(10) == 0 ? "" : "}";  // now and then, truncated
    const bool patch = i % 2 == 1;
    const HttpResponse response = patch ? SendJsonText(port, "PATCH", item, body, admin)
                                        : SendJsonText(port, "POST", "/api/v1/service-accounts", body, admin);
    INFO((patch ? "PATCH " : "POST ") << Printable(body) << " -> " << response.status << " " << response.body);
    CHECK(response.status < 500);
    if (response.status >= 400) CheckError(response, response.status);
  }
  // A well-formed PATCH among them may have changed enabled or roles; what
  // identifies the account never changes.
  const json::object after = AsObject(Get(port, item, admin).Json());
  CHECK(StringField(after, "id") == id);
  CHECK(StringField(after, "name") == "target");
  CHECK(StringField(after, "clientId") == StringField(AsObject(json::parse(before)), "clientId"));

  for (const std::string& bad_id : {std::string(5000, 'a'), std::string("%00"), std::string("..%2F..%2Fusers"),
                                    std::string("%ff%fe"), std::string("%20")}) {
    INFO("id " << bad_id.substr(0, 40));
    const HttpResponse get = Get(port, "/api/v1/service-accounts/" + bad_id, admin);
    CHECK(get.status >= 400);
    CHECK(get.status < 500);
    CheckError(get, get.status);
    const HttpResponse patch =
        SendJsonText(port, "PATCH", "/api/v1/service-accounts/" + bad_id, R"({"enabled":false})", admin);
    CHECK(patch.status >= 400);
    CHECK(patch.status < 500);
  }
  CheckAlive(port);
}

}  // namespace keymint::testing
