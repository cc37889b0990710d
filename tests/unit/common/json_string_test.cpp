#include "keymint/common/json_string.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>

namespace keymint {
namespace {

std::string Json(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

TEST_CASE("AppendJsonString quotes plain text and appends to what is there", "[common]") {
  std::string out = "x=";
  AppendJsonString(out, "/api/v1/token");
  CHECK(out == "x=\"/api/v1/token\"");
  CHECK(Json("") == "\"\"");
}

TEST_CASE("AppendJsonString escapes quotes, backslashes and control characters", "[common]") {
  CHECK(Json("a\"b\\c") == R"("a\"b\\c")");
  CHECK(Json(std::string_view("\n\r\t\x01\x1f\x7f", 6)) == R"("\u000a\u000d\u0009\u0001\u001f\u007f")");
  CHECK(Json(std::string_view("nul\0byte", 8)) == R"("nul\u0000byte")");
  INFO("a forged line cannot close the string and add a member");
  CHECK(Json("\",\"status\":200,\"x\":\"") == R"("\",\"status\":200,\"x\":\"")");
}

TEST_CASE("AppendJsonString copies the plain runs between escapes exactly", "[common]") {
  CHECK(Json("\"") == R"("\"")");
  CHECK(Json("ab\"cd\\\\ef") == R"("ab\"cd\\\\ef")");
  CHECK(Json("x\x01y") == R"("x\u0001y")");
  CHECK(Json("/a b\xC3\xA9"
             "c\xFF"
             "d\n") ==
        "\"/a b\xC3\xA9"
        "c\xEF\xBF\xBD"
        "d\\u000a\"");
  const std::string long_plain(300, 'p');
  CHECK(Json(long_plain + "\"" + long_plain) == "\"" + long_plain + "\\\"" + long_plain + "\"");
}

TEST_CASE("AppendJsonString keeps well-formed UTF-8 and replaces every ill-formed byte", "[common]") {
  CHECK(Json("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91\"");
  const std::string replacement = "\xEF\xBF\xBD";
  CHECK(Json("\xFF") == "\"" + replacement + "\"");
  CHECK(Json("a\xC3") == "\"a" + replacement + "\"");                                    // truncated
  CHECK(Json("\xC0\xAF") == "\"" + replacement + replacement + "\"");                    // overlong '/'
  CHECK(Json("\xE0\x80\xAF") == "\"" + replacement + replacement + replacement + "\"");  // overlong
  CHECK(Json("\xED\xA0\x80") == "\"" + replacement + replacement + replacement + "\"");  // surrogate
  CHECK(Json("\xF4\x90\x80\x80") ==
        "\"" + replacement + replacement + replacement + replacement + "\"");  // past U+10FFFF
  CHECK(Json("\x80z") == "\"" + replacement + "z\"");                          // a lone continuation byte
}

TEST_CASE("AppendJsonInteger writes decimal numbers across the whole range", "[common]") {
  std::string out = "n=";
  AppendJsonInteger(out, int64_t{0});
  out += ',';
  AppendJsonInteger(out, int64_t{-42});
  out += ',';
  AppendJsonInteger(out, std::numeric_limits<int64_t>::min());
  out += ',';
  AppendJsonInteger(out, std::numeric_limits<uint64_t>::max());
  CHECK(out == "n=0,-42,-9223372036854775808,18446744073709551615");
}

}  // namespace
}  // namespace keymint
