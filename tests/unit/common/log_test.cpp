#include "keymint/common/log.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace keymint::log {
namespace {

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
