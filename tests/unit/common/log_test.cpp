#include "keymint/common/log.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace keymint::log {
namespace {

std::string Json(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

TEST_CASE("AppendJsonString quotes plain text and appends to what is there", "[log]") {
  std::string out = "x=";
  AppendJsonString(out, "/api/v1/token");
  CHECK(out == "x=\"/api/v1/token\"");
  CHECK(Json("") == "\"\"");
}

TEST_CASE("AppendJsonString escapes quotes, backslashes and control characters", "[log]") {
  CHECK(Json("a\"b\\c") == R"("a\"b\\c")");
  CHECK(Json(std::string_view("\n\r\t\x01\x1f\x7f", 6)) == R"("\u000a\u000d\u0009\u0001\u001f\u007f")");
  CHECK(Json(std::string_view("nul\0byte", 8)) == R"("nul\u0000byte")");
  INFO("a forged line cannot close the string and add a member");
  CHECK(Json("\",\"status\":200,\"x\":\"") == R"("\",\"status\":200,\"x\":\"")");
}

TEST_CASE("AppendJsonString copies the plain runs between escapes exactly", "[log]") {
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

TEST_CASE("AppendJsonString keeps well-formed UTF-8 and replaces every ill-formed byte", "[log]") {
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

TEST_CASE("ParseLevel reads the six level names and nothing else", "[log]") {
  CHECK(ParseLevel("trace") == Level::kTrace);
  CHECK(ParseLevel("debug") == Level::kDebug);
  CHECK(ParseLevel("info") == Level::kInfo);
  CHECK(ParseLevel("warn") == Level::kWarn);
  CHECK(ParseLevel("error") == Level::kError);
  CHECK(ParseLevel("off") == Level::kOff);
  CHECK_FALSE(ParseLevel("INFO"));
  CHECK_FALSE(ParseLevel("warning"));
  CHECK_FALSE(ParseLevel(""));
}

TEST_CASE("Without a started logger nothing is enabled and writing is a no-op", "[log]") {
  CHECK_FALSE(Enabled(Level::kError));
  CHECK_FALSE(Enabled(Level::kOff));
  Write(Level::kError, "\"msg\":\"dropped\"");
  Message(Level::kError, "dropped");
  CHECK(Dropped() == 0);
}

}  // namespace
}  // namespace keymint::log
