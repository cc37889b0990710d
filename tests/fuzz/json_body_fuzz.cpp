// The JSON request bodies, each read the way its handler reads it. The first
// input byte picks the body (bits 0-2) and the Content-Type (bits 3-4); the
// rest is the body:
//   0 POST /api/v1/token            grantType + clientId/clientID, appID/appId,
//                                   clientSecret/appSecret or username/password
//                                   (parsed into a stack arena, as the handler does)
//   1 POST /api/v1/access-keys      {"name"}
//   2 POST /api/v1/users            {"email","roles"}
//   3 PUT  /api/v1/users/{id}/roles {"roles"}
//   4 POST /api/v1/me/password      {"currentPassword","newPassword"}
//   5 POST /api/v1/service-accounts {"name","roles"?}
//   6 PATCH /api/v1/service-accounts/{id} {"enabled","roles"?}
//   7 every reader on the same body
// Checked beyond "does not crash":
// - 415 exactly when the media type is not application/json, else 400 exactly
//   when the body is not a JSON object within the depth limit; both in the
//   Error shape;
// - each field reader agrees with the parsed value (present, type, contents)
//   and names the field when it refuses;
// - what a handler echoes back (names, emails, roles) serialises to strict
//   JSON with finite numbers that parses back to the same strings.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/headers.hpp"
#include "api/json_body.hpp"
#include "fuzz/fuzz_support.hpp"
#include "keymint/api/http_error.hpp"

namespace {

namespace json = boost::json;
using keymint::ErrorCode;
using keymint::Result;
using keymint::api::JsonResponse;
using keymint::api::OptionalStringArray;
using keymint::api::ParseJsonObject;
using keymint::api::Request;
using keymint::api::RequireBool;
using keymint::api::RequireString;
using keymint::api::RequireStringArray;
using keymint::api::Response;
using keymint::api::ToJsonArray;
using keymint::fuzz::CheckJsonText;

constexpr std::string_view kContentTypes[] = {
    "application/json",
    "Application/JSON; charset=utf-8",
    "text/plain",
    "",
};

void CheckErrorShape(const Response& response, int status) {
  FUZZ_CHECK(response.status == status, response.body);
  FUZZ_CHECK(response.content_type == "application/json");
  const json::value body = CheckJsonText(response.body);
  FUZZ_CHECK(body.is_object() && body.get_object().size() == 2, response.body);
  const json::value* code = body.get_object().if_contains("code");
  const json::value* message = body.get_object().if_contains("message");
  FUZZ_CHECK(code && code->is_int64() && code->get_int64() == status, response.body);
  FUZZ_CHECK(message && message->is_string() && !message->get_string().empty(), response.body);
}

// A refusal names the field it is about.
void CheckNamesField(const keymint::Error& error, std::string_view field) {
  FUZZ_CHECK(error.code == ErrorCode::kInvalidArgument, error.message);
  FUZZ_CHECK(error.message.starts_with(field), error.message);
}

// What a handler does with a string it read: puts it in a JSON answer.
void CheckEchoes(std::string_view text) {
  const Response response = JsonResponse(200, json::object{{"value", text}});
  const json::value back = CheckJsonText(response.body);
  FUZZ_CHECK(back.at("value").as_string() == text, response.body);
}

void CheckEchoes(const std::vector<std::string>& strings) {
  const Response response = JsonResponse(200, json::object{{"roles", ToJsonArray(strings)}});
  const json::value back = CheckJsonText(response.body);
  const json::array& array = back.at("roles").as_array();
  FUZZ_CHECK(array.size() == strings.size(), response.body);
  for (std::size_t i = 0; i < strings.size(); ++i) FUZZ_CHECK(array[i].as_string() == strings[i], response.body);
}

std::optional<std::string_view> ReadString(const json::object& body, std::string_view field) {
  Result<std::string_view> read = RequireString(body, field);
  const json::value* v = body.if_contains(field);
  FUZZ_CHECK(read.ok() == (v != nullptr && v->is_string()), std::string(field));
  if (!read.ok()) {
    CheckNamesField(read.error(), field);
    return std::nullopt;
  }
  FUZZ_CHECK(*read == std::string_view(v->get_string()));
  CheckEchoes(*read);
  return *read;
}

bool IsStringArray(const json::value* v) {
  if (v == nullptr || !v->is_array()) return false;
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) return false;
  }
  return true;
}

void CheckSameStrings(const std::vector<std::string>& strings, const json::value& v) {
  const json::array& array = v.get_array();
  FUZZ_CHECK(strings.size() == array.size());
  for (std::size_t i = 0; i < strings.size(); ++i) FUZZ_CHECK(strings[i] == array[i].get_string());
  CheckEchoes(strings);
}

void ReadStringArray(const json::object& body, std::string_view field) {
  auto read = RequireStringArray(body, field);
  const json::value* v = body.if_contains(field);
  FUZZ_CHECK(read.ok() == IsStringArray(v), std::string(field));
  if (!read.ok()) return CheckNamesField(read.error(), field);
  CheckSameStrings(*read, *v);
}

void ReadOptionalStringArray(const json::object& body, std::string_view field) {
  auto read = OptionalStringArray(body, field);
  const json::value* v = body.if_contains(field);
  const bool absent = v == nullptr || v->is_null();
  FUZZ_CHECK(read.ok() == (absent || IsStringArray(v)), std::string(field));
  if (!read.ok()) return CheckNamesField(read.error(), field);
  FUZZ_CHECK(read->has_value() == !absent);
  if (*read) CheckSameStrings(**read, *v);
}

void ReadBool(const json::object& body, std::string_view field) {
  auto read = RequireBool(body, field);
  const json::value* v = body.if_contains(field);
  FUZZ_CHECK(read.ok() == (v != nullptr && v->is_bool()), std::string(field));
  if (!read.ok()) return CheckNamesField(read.error(), field);
  FUZZ_CHECK(*read == v->get_bool());
}

// The first of `names` present, as the v1 token handler takes aliases.
void ReadAlias(const json::object& body, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (body.contains(name)) {
      ReadString(body, name);
      return;
    }
  }
  ReadString(body, *names.begin());
}

void ReadTokenBody(const json::object& body) {
  auto grant = ReadString(body, "grantType");
  if (!grant) return;
  if (*grant == "client_credentials") {
    ReadAlias(body, {"clientId", "clientID"});
    ReadString(body, "clientSecret");
  } else if (*grant == "app_token") {
    ReadAlias(body, {"appID", "appId"});
    ReadString(body, "appSecret");
  } else if (*grant == "password") {
    ReadString(body, "username");
    ReadString(body, "password");
  }
}

void ReadShape(unsigned shape, const json::object& body) {
  switch (shape) {
    case 0:
      return ReadTokenBody(body);
    case 1:
      ReadString(body, "name");
      return;
    case 2:
      ReadString(body, "email");
      return ReadStringArray(body, "roles");
    case 3:
      return ReadStringArray(body, "roles");
    case 4:
      ReadString(body, "currentPassword");
      ReadString(body, "newPassword");
      return;
    case 5:
      ReadString(body, "name");
      return ReadOptionalStringArray(body, "roles");
    case 6:
      ReadBool(body, "enabled");
      return ReadOptionalStringArray(body, "roles");
    default:
      for (unsigned each = 0; each < 7; ++each) ReadShape(each, body);
  }
}

// What ParseJsonObject should decide, worked out directly with Boost.JSON.
bool IsAcceptableObject(std::string_view text) {
  json::parse_options options;
  options.max_depth = 16;
  json::error_code ec;
  const json::value value = json::parse(text, ec, {}, options);
  return !ec && value.is_object();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  const unsigned shape = selector & 7;
  Request request;
  request.method = "POST";
  request.target = "/";
  request.content_type = kContentTypes[(selector >> 3) & 3];
  request.body = std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1);

  // The token handler parses into a small stack arena; the others use the heap.
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  auto parsed = shape == 0 ? ParseJsonObject(request, &arena) : ParseJsonObject(request);

  const bool json_type = keymint::api::HasMediaType(request.content_type, "application/json");
  if (!parsed.ok()) {
    const Response error = keymint::api::ErrorResponse(parsed.error());
    if (json_type) {
      FUZZ_CHECK(!IsAcceptableObject(request.body), error.body);
      CheckErrorShape(error, 400);
    } else {
      CheckErrorShape(error, 415);
    }
    return 0;
  }
  FUZZ_CHECK(json_type);
  FUZZ_CHECK(IsAcceptableObject(request.body));
  ReadShape(shape, *parsed);
  return 0;
}
