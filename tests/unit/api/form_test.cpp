#include "api/form.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/crypto/encoding.hpp"

using keymint::ErrorCode;
using keymint::api::FormValue;
using keymint::api::ParseBasicAuthorization;
using keymint::api::ParseForm;
using keymint::crypto::Base64Encode;
using Form = std::map<std::string, std::string>;

namespace {

std::string Basic(std::string_view credentials) { return "Basic " + Base64Encode(credentials); }

}  // namespace

TEST_CASE("ParseForm decodes names and values", "[api]") {
  auto form = ParseForm("grant_type=client_credentials&client_id=abc-123_XYZ&scope=");
  REQUIRE(form.ok());
  CHECK(*form == Form{{"grant_type", "client_credentials"}, {"client_id", "abc-123_XYZ"}, {"scope", ""}});
}

TEST_CASE("ParseForm decodes '+' as a space and %XX escapes", "[api]") {
  auto form = ParseForm("username=ada%40example.com&password=correct+horse%20battery%2B%26%3D%25&n%61me=x");
  REQUIRE(form.ok());
  CHECK(form->at("username") == "ada@example.com");
  CHECK(form->at("password") == "correct horse battery+&=%");
  CHECK(form->at("name") == "x");
}

TEST_CASE("ParseForm of an empty body is an empty form", "[api]") {
  auto form = ParseForm("");
  REQUIRE(form.ok());
  CHECK(form->empty());
}

TEST_CASE("ParseForm ignores empty pairs", "[api]") {
  auto form = ParseForm("a=1&&b=2&");
  REQUIRE(form.ok());
  CHECK(*form == Form{{"a", "1"}, {"b", "2"}});
}

TEST_CASE("ParseForm refuses a repeated parameter", "[api]") {
  for (const char* body : {"a=1&a=2", "a=1&b=2&a=1", "a=1&%61=2"}) {
    INFO(body);
    auto form = ParseForm(body);
    REQUIRE_FALSE(form.ok());
    CHECK(form.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(form.error().message, Catch::Contains("a"));
  }
}

TEST_CASE("ParseForm refuses a malformed escape", "[api]") {
  for (const char* body : {"a=%zz", "a=%4", "a=%", "a%2=1", "a=1&b=%G0"}) {
    INFO(body);
    auto form = ParseForm(body);
    REQUIRE_FALSE(form.ok());
    CHECK(form.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("ParseForm names a repeated parameter printably, whatever bytes it decodes to", "[api]") {
  auto form = ParseForm("%FF%00name=1&%ff%00name=2");
  REQUIRE_FALSE(form.ok());
  CHECK(form.error().message == "parameter %FF%00name is repeated");
}

// Found by the form fuzz target (tests/fuzz/regressions/form/): Boost.URL 1.81's
// parse_query re-measured its input with strlen, reading past a view that was
// not NUL-terminated at its end and parsing what followed.
TEST_CASE("ParseForm reads only the bytes of its view", "[api]") {
  const std::string buffer = "a=1&b=2&c=3";
  auto form = ParseForm(std::string_view(buffer).substr(0, 5));  // "a=1&b"
  REQUIRE(form.ok());
  CHECK(*form == Form{{"a", "1"}, {"b", ""}});

  const std::vector<char> exact = {'x', '=', 'y'};  // nothing after it, not even a NUL
  auto exact_form = ParseForm(std::string_view(exact.data(), exact.size()));
  REQUIRE(exact_form.ok());
  CHECK(*exact_form == Form{{"x", "y"}});
}

TEST_CASE("ParseBasicAuthorization is nullopt for another scheme or no header", "[api]") {
  CHECK_FALSE(ParseBasicAuthorization("").has_value());
  CHECK_FALSE(ParseBasicAuthorization("Bearer abc.def.ghi").has_value());
  CHECK_FALSE(ParseBasicAuthorization("Digest username=\"x\"").has_value());
  CHECK_FALSE(ParseBasicAuthorization("Basically " + Base64Encode("id:secret")).has_value());
}

TEST_CASE("ParseBasicAuthorization reads the client ID and secret", "[api]") {
  auto parsed = ParseBasicAuthorization(Basic("my-client:s3cr3t_Value-xyz"));
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->ok());
  CHECK((*parsed)->client_id == "my-client");
  CHECK((*parsed)->client_secret == "s3cr3t_Value-xyz");
}

TEST_CASE("ParseBasicAuthorization matches the scheme case-insensitively", "[api]") {
  for (std::string scheme : {"basic ", "BASIC ", "bAsIc "}) {
    auto parsed = ParseBasicAuthorization(scheme + Base64Encode("id:secret"));
    REQUIRE(parsed.has_value());
    REQUIRE(parsed->ok());
    CHECK((*parsed)->client_id == "id");
  }
}

TEST_CASE("ParseBasicAuthorization percent-decodes the id and secret (RFC 6749 section 2.3.1)", "[api]") {
  auto parsed = ParseBasicAuthorization(Basic("client%3Aone:p%40ss%3Aw%2Bord+x%25"));
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->ok());
  CHECK((*parsed)->client_id == "client:one");
  CHECK((*parsed)->client_secret == "p@ss:w+ord x%");
}

TEST_CASE("ParseBasicAuthorization splits at the first colon", "[api]") {
  auto parsed = ParseBasicAuthorization(Basic("id:sec:ret"));
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->ok());
  CHECK((*parsed)->client_id == "id");
  CHECK((*parsed)->client_secret == "sec:ret");
}

TEST_CASE("ParseBasicAuthorization refuses bad base64, a missing colon or an empty id", "[api]") {
  for (std::string header :
       {std::string("Basic !!!not-base64!!!"), std::string("Basic aWQ6c2VjcmV0="),  // bad padding
        Basic("no-colon-here"), Basic(":secret-without-id"), Basic("id:bad%zzescape"), Basic("bad%escape:secret")}) {
    INFO(header);
    auto parsed = ParseBasicAuthorization(header);
    REQUIRE(parsed.has_value());
    REQUIRE_FALSE(parsed->ok());
    CHECK(parsed->error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("ParseBasicAuthorization treats a Basic header without credentials as malformed, not absent", "[api]") {
  // The header uses the Basic scheme, so it must not be mistaken for "no client
  // authentication" (the token endpoint would then fall back to the body).
  for (const char* header : {"Basic", "Basic ", "basic   "}) {
    INFO("\"" << header << "\"");
    auto parsed = ParseBasicAuthorization(header);
    REQUIRE(parsed.has_value());
    CHECK_FALSE(parsed->ok());
  }
}

TEST_CASE("ParseBasicAuthorization tolerates extra spaces around the credentials", "[api]") {
  auto parsed = ParseBasicAuthorization("Basic   " + Base64Encode("id:secret") + "  ");
  REQUIRE(parsed.has_value());
  REQUIRE(parsed->ok());
  CHECK((*parsed)->client_id == "id");
  CHECK((*parsed)->client_secret == "secret");
}

TEST_CASE("FormValue decodes the first value of one parameter and nothing else", "[api]") {
  CHECK(FormValue("grant_type=password&username=ada", "grant_type") == "password");
  CHECK(FormValue("username=ada&gr%61nt_type=pass%77ord", "grant_type") == "password");
  CHECK(FormValue("grant+type=x&grant_type=a+b", "grant_type") == "a b");
  CHECK(FormValue("grant_type", "grant_type") == "");
  CHECK(FormValue("a=1&&grant_type=password&grant_type=client_credentials", "grant_type") == "password");
  CHECK(FormValue("grant_type=password", "username") == std::nullopt);
  CHECK(FormValue("", "grant_type") == std::nullopt);
  // A malformed name before it, or a malformed value, gives up.
  CHECK(FormValue("a%zz=1&grant_type=password", "grant_type") == std::nullopt);
  CHECK(FormValue("grant_type=pass%zzword", "grant_type") == std::nullopt);
}
