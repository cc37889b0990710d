#include "fixtures.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "http_client.hpp"
#include "keymint_process.hpp"

namespace keymint::testing {
namespace json = boost::json;

namespace {

constexpr const char* kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string EncodeBase64(const std::string& bytes, bool url_safe) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto sextet = [&](uint32_t v, int shift) {
    char c = kBase64Alphabet[(v >> shift) & 0x3F];
    if (url_safe && c == '+') c = '-';
    if (url_safe && c == '/') c = '_';
    out.push_back(c);
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    sextet(v, 18);
    sextet(v, 12);
    sextet(v, 6);
    sextet(v, 0);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    sextet(v, 18);
    sextet(v, 12);
    if (!url_safe) out += "==";
  } else if (rest == 2) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    sextet(v, 18);
    sextet(v, 12);
    sextet(v, 6);
    if (!url_safe) out += "=";
  }
  return out;
}

json::object DecodeJwtPart(const std::string& jwt, int index) {
  std::size_t begin = 0;
  for (int i = 0; i < index; ++i) {
    begin = jwt.find('.', begin);
    if (begin == std::string::npos) FAIL("not a JWT (too few parts): " << jwt);
    ++begin;
  }
  const std::size_t end = jwt.find('.', begin);
  if (end == std::string::npos) FAIL("not a JWT (too few parts): " << jwt);
  const std::string text = Base64UrlDecode(jwt.substr(begin, end - begin));
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) FAIL("JWT part " << index << " is not a JSON object: " << text);
  return value.as_object();
}

// CHECKs the status and a JSON Content-Type of an error answer; REQUIREs a JSON object body and returns it.
json::object ErrorAnswer(const HttpResponse& response, int status) {
  CHECK(response.status == status);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  return AsObject(response.Json());
}

}  // namespace

std::string JoinPath(const std::string& base, const std::string& segment) { return base + "/" + segment; }

json::object PasswordBody(const std::string& username, const std::string& password) {
  return {{"grantType", "password"}, {"username", username}, {"password", password}};
}

json::object ClientCredentialsBody(const std::string& client_id, const std::string& secret) {
  return {{"grantType", "client_credentials"}, {"clientId", client_id}, {"clientSecret", secret}};
}

HttpResponse PasswordLogin(uint16_t port, const std::string& username, const std::string& password) {
  return PostJson(port, "/api/v1/token", PasswordBody(username, password));
}

HttpResponse ClientCredentialsExchange(uint16_t port, const std::string& client_id, const std::string& secret) {
  return PostJson(port, "/api/v1/token", ClientCredentialsBody(client_id, secret));
}

std::string PasswordToken(uint16_t port, const std::string& email, const std::string& password) {
  const HttpResponse response = PasswordLogin(port, email, password);
  INFO("password login for " << email << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return StringField(AsObject(response.Json()), "accessToken");
}

std::string AdminToken(uint16_t port) { return PasswordToken(port, kAdminEmail, kAdminPassword); }

CreatedUser CreateUser(uint16_t port, const std::string& admin_token, const std::string& email,
                       const std::vector<std::string>& roles) {
  json::array role_array;
  for (const auto& role : roles) role_array.emplace_back(role);
  const HttpResponse response =
      PostJson(port, "/api/v1/users", json::object{{"email", email}, {"roles", role_array}}, admin_token);
  INFO("create user " << email << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 201);
  const json::value body = response.Json();
  REQUIRE(body.is_object());
  const json::object& object = body.as_object();
  REQUIRE(object.contains("id"));
  REQUIRE(object.at("id").is_string());
  REQUIRE(object.contains("tempPassword"));
  REQUIRE(object.at("tempPassword").is_string());
  CreatedUser user;
  user.id = std::string(object.at("id").as_string());
  user.email = email;
  user.password = std::string(object.at("tempPassword").as_string());
  user.token = PasswordToken(port, email, user.password);
  return user;
}

CreatedKey CreateAccessKey(uint16_t port, const std::string& token, const std::string& name) {
  const HttpResponse response = PostJson(port, "/api/v1/access-keys", json::object{{"name", name}}, token);
  INFO("create access key " << name << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 201);
  const json::value body = response.Json();
  REQUIRE(body.is_object());
  const json::object& object = body.as_object();
  for (const char* field : {"id", "name", "clientId", "clientSecret"}) {
    INFO("field " << field);
    REQUIRE(object.contains(field));
    REQUIRE(object.at(field).is_string());
  }
  CreatedKey key;
  key.id = std::string(object.at("id").as_string());
  key.name = std::string(object.at("name").as_string());
  key.client_id = std::string(object.at("clientId").as_string());
  key.client_secret = std::string(object.at("clientSecret").as_string());
  return key;
}

std::string ClientCredentialsToken(uint16_t port, const std::string& client_id, const std::string& secret) {
  const HttpResponse response = ClientCredentialsExchange(port, client_id, secret);
  if (response.status != 200) return "";
  boost::system::error_code ec;
  const json::value body = json::parse(response.body, ec);
  if (ec || !body.is_object()) return "";
  const json::value* token = body.as_object().if_contains("accessToken");
  if (token == nullptr || !token->is_string()) return "";
  return std::string(token->as_string());
}

void CheckKeyMints(uint16_t port, const std::string& client_id, const std::string& secret) {
  const HttpResponse response = ClientCredentialsExchange(port, client_id, secret);
  INFO("token exchange for " << client_id << ": " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  const json::value body = response.Json();
  CHECK_FALSE(StringField(AsObject(body), "accessToken").empty());
}

void CheckKeyRefused(uint16_t port, const std::string& client_id, const std::string& secret) {
  const HttpResponse response = ClientCredentialsExchange(port, client_id, secret);
  INFO("token exchange for " << client_id);
  CheckError(response, 401);
}

json::object NameBody(const std::string& name) { return json::object{{"name", name}}; }

const std::vector<std::string>& InvalidCredentialNames() {
  static const std::vector<std::string> names = {
      "",
      "a",
      "A",
      "Ab",
      "aB",
      "1ab",
      "-ab",
      "_ab",
      "ab-",
      "ab_",
      "ab cd",
      "ab.cd",
      "ab/cd",
      "ab@cd",
      " ab",
      "ab ",
      "ab\n",
      "caf\xc3\xa9",
      "ab\tcd",
      "ABCDEF",
      std::string(256, 'a'),
      "a" + std::string(254, 'b') + "-",
      "a%20b",
      std::string("ab\0cd", 5),
      std::string("ab\0", 3),
      "ab\xe2\x80\xa8",
      std::string(10000, 'a'),
  };
  return names;
}

json::array ListAccessKeys(uint16_t port, const std::string& token) {
  const HttpResponse response = Get(port, "/api/v1/access-keys", token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  const json::value body = response.Json();
  const json::object& list = AsObject(body);
  CHECK(Keys(list) == std::vector<std::string>{"accessKeys"});
  return AsArray(list.at("accessKeys"));
}

std::string CheckAccessKey(const json::object& key, const std::string& id, const std::string& name,
                           const std::string& client_id) {
  INFO(json::serialize(key));
  CHECK(Keys(key) == kAccessKeyMembers);
  CHECK(StringField(key, "id") == id);
  CHECK(StringField(key, "name") == name);
  CHECK(StringField(key, "clientId") == client_id);
  CHECK(IsTimestamp(StringField(key, "createdAt")));
  REQUIRE(key.contains("lastLogin"));
  if (key.at("lastLogin").is_null()) return "";
  const std::string last_login = StringField(key, "lastLogin");
  CHECK(IsTimestamp(last_login));
  return last_login;
}

std::string CheckAccessKey(const json::object& key, const CreatedKey& created) {
  return CheckAccessKey(key, created.id, created.name, created.client_id);
}

void CheckAdminAccessKey(const json::object& key) {
  INFO(json::serialize(key));
  CHECK(Keys(key) == kAdminAccessKeyMembers);
  CHECK(IsUuidV4(StringField(key, "id")));
  CHECK(IsUrlSafe(StringField(key, "clientId")));
  CHECK_FALSE(StringField(key, "name").empty());
  CHECK_FALSE(StringField(key, "createdBy").empty());
  CHECK(IsTimestamp(StringField(key, "createdAt")));
  CHECK((key.at("lastLogin").is_null() || IsTimestamp(StringField(key, "lastLogin"))));
}

json::object JwtClaims(const std::string& jwt) { return DecodeJwtPart(jwt, 1); }
json::object JwtHeader(const std::string& jwt) { return DecodeJwtPart(jwt, 0); }

std::string Base64UrlEncode(const std::string& bytes) { return EncodeBase64(bytes, true); }
std::string Base64Encode(const std::string& bytes) { return EncodeBase64(bytes, false); }

std::string Base64UrlDecode(const std::string& text) {
  std::string out;
  uint32_t accumulator = 0;
  int bits = 0;
  for (const char c : text) {
    int value = 0;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '-') {
      value = 62;
    } else if (c == '_') {
      value = 63;
    } else {
      FAIL("not base64url (character '" << c << "'): " << text);
    }
    accumulator = (accumulator << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xFF));
    }
  }
  if (bits >= 6) FAIL("not base64url (bad length): " << text);
  return out;
}

std::string FormEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '*') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

json::object CheckJsonObject(const HttpResponse& response, int status, const std::vector<std::string>& members) {
  INFO("response: " << response.status << " " << response.body);
  REQUIRE(response.status == status);
  CHECK(response.Header("Content-Type").rfind("application/json", 0) == 0);
  const json::object object = AsObject(response.Json());
  CHECK(Keys(object) == members);
  return object;
}

std::string CheckError(const HttpResponse& response, int status) {
  INFO("response: " << response.status << " " << response.body);
  const json::object object = ErrorAnswer(response, status);
  const json::value* code = object.if_contains("code");
  REQUIRE(code != nullptr);
  CHECK(code->is_int64());
  if (code->is_int64()) CHECK(code->as_int64() == status);
  const json::value* message = object.if_contains("message");
  REQUIRE(message != nullptr);
  REQUIRE(message->is_string());
  CHECK_FALSE(message->as_string().empty());
  for (const auto& member : object) {
    INFO("member " << member.key());
    CHECK((member.key() == "code" || member.key() == "message" || member.key() == "details"));
    if (member.key() == "details") CHECK(member.value().is_string());
  }
  return std::string(message->as_string());
}

void CheckOAuthError(const HttpResponse& response, int status, const std::string& error) {
  INFO("response: " << response.status << " " << response.body);
  const json::object object = ErrorAnswer(response, status);
  CHECK(Keys(object) == std::vector<std::string>{"error", "error_description"});
  const json::value* code = object.if_contains("error");
  REQUIRE(code != nullptr);
  REQUIRE(code->is_string());
  CHECK(std::string(code->as_string()) == error);
  const json::value* description = object.if_contains("error_description");
  REQUIRE(description != nullptr);
  CHECK(description->is_string());
  CheckNoStore(response);
}

void CheckNoStore(const HttpResponse& response) {
  INFO("response: " << response.status << " " << response.body);
  CHECK(response.Header("Cache-Control") == "no-store");
  CHECK(response.Header("Pragma") == "no-cache");
}

json::object FetchJwks(uint16_t port) {
  const HttpResponse response = Get(port, "/.well-known/jwks.json");
  INFO("JWKS: " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  return AsObject(response.Json());
}

json::object OnlyJwk(uint16_t port) {
  const json::object jwks = FetchJwks(port);
  REQUIRE(jwks.contains("keys"));
  REQUIRE(jwks.at("keys").is_array());
  REQUIRE(jwks.at("keys").as_array().size() == 1);
  return jwks.at("keys").as_array()[0].as_object();
}

std::string UserIdByEmail(uint16_t port, const std::string& admin_token, const std::string& email) {
  const HttpResponse response = Get(port, "/api/v1/users", admin_token);
  INFO("GET /api/v1/users: " << response.status << " " << response.body);
  REQUIRE(response.status == 200);
  const json::value body = response.Json();
  REQUIRE(body.is_array());
  for (const json::value& user : body.as_array()) {
    if (!user.is_object()) continue;
    const json::value* username = user.as_object().if_contains("username");
    const json::value* id = user.as_object().if_contains("id");
    if (username != nullptr && username->is_string() && username->as_string() == email && id != nullptr &&
        id->is_string()) {
      return std::string(id->as_string());
    }
  }
  return "";
}

std::string WaitForLastLogin(uint16_t port, const std::string& token, const std::string& target, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    const HttpResponse response = Get(port, target, token);
    INFO("GET " << target << ": " << response.status << " " << response.body);
    REQUIRE(response.status == 200);
    const json::value body = response.Json();
    REQUIRE(body.is_object());
    const json::value* last_login = body.as_object().if_contains("lastLogin");
    REQUIRE(last_login != nullptr);
    if (last_login->is_string()) return std::string(last_login->as_string());
    REQUIRE(last_login->is_null());
    if (std::chrono::steady_clock::now() >= deadline) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> PemFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".pem") files.push_back(entry.path().string());
  }
  return Sorted(std::move(files));
}

int CountStatus(const std::vector<HttpResponse>& responses, int status) {
  return static_cast<int>(std::count_if(responses.begin(), responses.end(),
                                        [status](const HttpResponse& r) { return r.status == status; }));
}

}  // namespace keymint::testing
