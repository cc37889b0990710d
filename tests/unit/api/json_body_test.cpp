#include "api/json_body.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "keymint/api/http_error.hpp"

using keymint::ErrorCode;
using keymint::Result;
using keymint::api::ErrorResponse;
using keymint::api::JsonResponse;
using keymint::api::NoContent;
using keymint::api::ParseJsonObject;
using keymint::api::Request;
using keymint::api::RequireBool;
using keymint::api::RequireString;
using keymint::api::RequireStringArray;
using keymint::api::Response;
using keymint::api::TimestampOrNull;
using keymint::api::ToJsonArray;
namespace json = boost::json;

namespace {

Result<json::object> Parse(std::string_view content_type, std::string_view body) {
  Request request;
  request.method = "POST";
  request.target = "/api/v1/access-keys";
  request.content_type = content_type;
  request.body = body;
  return ParseJsonObject(request);
}

// The error's answer, checked to be in the Error shape with `status`.
Response RequireErrorResponse(const Result<json::object>& parsed, int status) {
  REQUIRE_FALSE(parsed.ok());
  const Response response = ErrorResponse(parsed.error());
  CHECK(response.status == status);
  CHECK(response.content_type == "application/json");
  json::value body = json::parse(response.body);
  CHECK(body.at("code").as_int64() == status);
  CHECK_FALSE(body.at("message").as_string().empty());
  return response;
}

// `depth` nested arrays inside {"a": ...}: the object itself is one more level.
std::string Nested(int depth) {
  return "{\"a\":" + std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']') + "}";
}

json::object Body(std::string_view text) { return json::parse(text).as_object(); }

}  // namespace

TEST_CASE("ParseJsonObject accepts application/json with parameters and in any case", "[api]") {
  for (const char* type : {"application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8",
                           "Application/JSON", "APPLICATION/JSON; charset=utf-8", "application/json ; charset=utf-8"}) {
    INFO(type);
    auto parsed = Parse(type, R"({"name":"ci"})");
    REQUIRE(parsed.ok());
    CHECK(parsed->at("name").as_string() == "ci");
  }
}

TEST_CASE("ParseJsonObject answers 415 for any other content type", "[api]") {
  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                           "application/json-patch+json", "application/problem+json", "json", "text/json"}) {
    INFO("Content-Type: " << type);
    RequireErrorResponse(Parse(type, R"({"name":"ci"})"), 415);
  }
}

TEST_CASE("ParseJsonObject answers 400 for malformed JSON", "[api]") {
  for (const char* body :
       {"", "{", "{\"name\":}", "{\"name\":\"ci\",}", "{'name':'ci'}", "{\"name\":\"ci\"} {}", "nul"}) {
    INFO(body);
    RequireErrorResponse(Parse("application/json", body), 400);
  }
}

TEST_CASE("ParseJsonObject answers 400 when the body is not an object", "[api]") {
  for (const char* body : {"[]", "[{\"name\":\"ci\"}]", "\"ci\"", "42", "true", "null"}) {
    INFO(body);
    RequireErrorResponse(Parse("application/json", body), 400);
  }
}

TEST_CASE("ParseJsonObject limits nesting depth", "[api]") {
  CHECK(Parse("application/json", Nested(8)).ok());
  RequireErrorResponse(Parse("application/json", Nested(64)), 400);
  RequireErrorResponse(Parse("application/json", Nested(10000)), 400);
}

TEST_CASE("RequireString returns the string or an error naming the field", "[api]") {
  json::object body = Body(R"({"name":"ci","count":3,"none":null,"list":["a"]})");
  auto name = RequireString(body, "name");
  REQUIRE(name.ok());
  CHECK(*name == "ci");
  for (const char* field : {"missing", "none"}) {
    auto result = RequireString(body, field);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kInvalidArgument);
    CHECK(result.error().message == std::string(field) + " is required");
  }
  for (const char* field : {"count", "list"}) {
    auto result = RequireString(body, field);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(result.error().message, Catch::StartsWith(field) && Catch::Contains("string"));
  }
}

TEST_CASE("RequireStringArray returns the strings or an error naming the field", "[api]") {
  json::object body = Body(R"({"roles":["Viewer","Editor"],"empty":[],"mixed":["Viewer",1],"text":"Viewer"})");
  auto roles = RequireStringArray(body, "roles");
  REQUIRE(roles.ok());
  CHECK(*roles == std::vector<std::string>{"Viewer", "Editor"});
  auto empty = RequireStringArray(body, "empty");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  for (const char* field : {"mixed", "text", "missing"}) {
    INFO(field);
    auto result = RequireStringArray(body, field);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(result.error().message, Catch::StartsWith(field));
  }
}

TEST_CASE("RequireBool returns the boolean or an error naming the field", "[api]") {
  json::object body = Body(R"({"enabled":false,"on":true,"text":"true","number":1})");
  CHECK(RequireBool(body, "enabled").value() == false);
  CHECK(RequireBool(body, "on").value() == true);
  for (const char* field : {"text", "number", "missing"}) {
    INFO(field);
    auto result = RequireBool(body, field);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(result.error().message, Catch::StartsWith(field));
  }
}

TEST_CASE("JsonResponse serialises the value with the status", "[api]") {
  Response response = JsonResponse(201, json::object{{"id", "x"}, {"n", 1}});
  CHECK(response.status == 201);
  CHECK(response.content_type == "application/json");
  CHECK(json::parse(response.body) == json::value(json::object{{"id", "x"}, {"n", 1}}));
}

TEST_CASE("NoContent is a 204 with no body and no content type", "[api]") {
  Response response = NoContent();
  CHECK(response.status == 204);
  CHECK(response.body.empty());
  CHECK(response.content_type.empty());
}

TEST_CASE("TimestampOrNull renders RFC 3339 with milliseconds, or null", "[api]") {
  CHECK(TimestampOrNull(std::nullopt).is_null());
  json::value at = TimestampOrNull(1'700'000'000'123);
  REQUIRE(at.is_string());
  CHECK(at.as_string() == "2023-11-14T22:13:20.123Z");
  CHECK(TimestampOrNull(0).as_string() == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("ToJsonArray keeps order", "[api]") {
  CHECK(ToJsonArray({"b", "a"}) == json::array{"b", "a"});
  CHECK(ToJsonArray({}).empty());
}

TEST_CASE("OptionalBool is nullopt when absent or null, else as RequireBool", "[api]") {
  using keymint::api::OptionalBool;
  const json::object body = json::parse(R"({"on":true,"off":false,"none":null,"text":"true","one":1})").as_object();
  CHECK(OptionalBool(body, "on").value() == std::optional<bool>(true));
  CHECK(OptionalBool(body, "off").value() == std::optional<bool>(false));
  CHECK_FALSE(OptionalBool(body, "none").value().has_value());
  CHECK_FALSE(OptionalBool(body, "missing").value().has_value());
  for (const char* field : {"text", "one"}) {
    auto result = OptionalBool(body, field);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kInvalidArgument);
    CHECK(result.error().message.find(field) != std::string::npos);
  }
}

TEST_CASE("OptionalTimestamp reads an RFC 3339 string as Unix ms, or an error naming the field", "[api]") {
  using keymint::api::OptionalTimestamp;
  const json::object body = json::parse(R"({"at":"2027-01-01T00:00:00Z","ms":"2027-01-01T00:00:00.250+01:00",)"
                                        R"("none":null,"number":1798761600,"bad":"2027-02-30T00:00:00Z",)"
                                        R"("words":"tomorrow"})")
                                .as_object();
  CHECK(OptionalTimestamp(body, "at").value() == std::optional<int64_t>(1798761600000));
  CHECK(OptionalTimestamp(body, "ms").value() == std::optional<int64_t>(1798761600000 - 3600000 + 250));
  CHECK_FALSE(OptionalTimestamp(body, "none").value().has_value());
  CHECK_FALSE(OptionalTimestamp(body, "missing").value().has_value());
  for (const char* field : {"number", "bad", "words"}) {
    auto result = OptionalTimestamp(body, field);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kInvalidArgument);
    CHECK(result.error().message.starts_with(std::string(field) + " must be an RFC 3339 date-time"));
  }
}
