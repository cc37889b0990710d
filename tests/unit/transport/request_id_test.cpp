#include "transport/request_id.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

namespace keymint::transport {
namespace {

TEST_CASE("IsValidRequestId accepts 1 to 128 characters of A-Za-z0-9._:-", "[transport]") {
  CHECK(IsValidRequestId("a"));
  CHECK(IsValidRequestId("3f0c2a9e-8b1d-4c6e-9a7f-0d2e4b6c8a10"));
  CHECK(IsValidRequestId("Root-1-5759e988:bd862e3f_fe1c.AB"));
  CHECK_FALSE(IsValidRequestId("Root=1"));
  CHECK(IsValidRequestId(std::string(kMaxRequestIdLength, 'x')));
}

TEST_CASE("IsValidRequestId refuses empty, too long, spaces, controls and anything else", "[transport]") {
  CHECK_FALSE(IsValidRequestId(""));
  CHECK_FALSE(IsValidRequestId(std::string(kMaxRequestIdLength + 1, 'x')));
  CHECK_FALSE(IsValidRequestId("a b"));
  CHECK_FALSE(IsValidRequestId("a\r\nX-Injected: 1"));
  CHECK_FALSE(IsValidRequestId("a\"b"));
  CHECK_FALSE(IsValidRequestId("a/b"));
  CHECK_FALSE(IsValidRequestId("caf\xC3\xA9"));
  CHECK_FALSE(IsValidRequestId(std::string_view("a\0b", 3)));
}

TEST_CASE("NewRequestId makes 32 lowercase hex digits that differ each time and are valid ids", "[transport]") {
  std::set<std::string> seen;
  std::string id = "left over from before";
  for (int i = 0; i < 1000; ++i) {
    NewRequestId(id);
    REQUIRE(id.size() == 32);
    REQUIRE(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    REQUIRE(IsValidRequestId(id));
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}

}  // namespace
}  // namespace keymint::transport
