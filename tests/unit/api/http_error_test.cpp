#include "keymint/api/http_error.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using keymint::Error;
using keymint::ErrorCode;
using keymint::api::ErrorResponse;
using keymint::api::EscapeUnprintable;
using keymint::api::HttpStatusFor;
namespace json = boost::json;

TEST_CASE("each error code maps to its HTTP status", "[api]") {
  CHECK(HttpStatusFor(ErrorCode::kInvalidArgument) == 400);
  CHECK(HttpStatusFor(ErrorCode::kUnauthenticated) == 401);
  CHECK(HttpStatusFor(ErrorCode::kPermissionDenied) == 403);
  CHECK(HttpStatusFor(ErrorCode::kNotFound) == 404);
  CHECK(HttpStatusFor(ErrorCode::kAlreadyExists) == 409);
  CHECK(HttpStatusFor(ErrorCode::kUnavailable) == 503);
  CHECK(HttpStatusFor(ErrorCode::kInternal) == 500);
}

TEST_CASE("an error response is the Error shape with code and message", "[api]") {
  auto response = ErrorResponse(Error::AlreadyExists("an access key named \"ci\" already exists"));
  CHECK(response.status == 409);
  CHECK(response.content_type == "application/json");
  json::value body = json::parse(response.body);
  CHECK(body.as_object().size() == 2);
  CHECK(body.at("code").as_int64() == 409);
  CHECK(body.at("message").as_string() == "an access key named \"ci\" already exists");
}

TEST_CASE("EscapeUnprintable keeps printable ASCII and writes every other byte as %XX", "[api]") {
  CHECK(EscapeUnprintable("") == "");
  CHECK(EscapeUnprintable("grant_type \"x\" 100%") == "grant_type \"x\" 100%");
  CHECK(EscapeUnprintable(std::string_view("a\0b\n\x7f\xc3\xa9\xff", 8)) == "a%00b%0A%7F%C3%A9%FF");
}
