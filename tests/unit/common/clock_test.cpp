// ParseTimestamp against FormatTimestamp and RFC 3339 §5.6's grammar.
#include "keymint/common/clock.hpp"

#include <catch2/catch.hpp>
#include <string>

using keymint::FormatTimestamp;
using keymint::ParseTimestamp;

TEST_CASE("ParseTimestamp reads what FormatTimestamp writes", "[common]") {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{951'782'400'000}, int64_t{1'700'000'000'250},
                     int64_t{4'102'444'799'999}, int64_t{253'402'300'799'999}}) {
    INFO(FormatTimestamp(ms));
    CHECK(ParseTimestamp(FormatTimestamp(ms)) == ms);
  }
}

TEST_CASE("ParseTimestamp takes offsets, fractions and lowercase separators", "[common]") {
  CHECK(ParseTimestamp("2023-11-14T22:13:20Z") == 1'700'000'000'000);
  CHECK(ParseTimestamp("2023-11-14t22:13:20.25z") == 1'700'000'000'250);
  CHECK(ParseTimestamp("2023-11-14T22:13:20.2509999Z") == 1'700'000'000'250);
  CHECK(ParseTimestamp("2023-11-15T00:13:20+02:00") == 1'700'000'000'000);
  CHECK(ParseTimestamp("2023-11-14T20:43:20-01:30") == 1'700'000'000'000);
  CHECK(ParseTimestamp("2024-02-29T00:00:00Z") == 1'709'164'800'000);
  CHECK(ParseTimestamp("1970-01-01T00:00:00Z") == 0);
}

TEST_CASE("ParseTimestamp refuses what is not an RFC 3339 date-time from 1970", "[common]") {
  for (const char* bad : {"",
                          "2023-11-14",
                          "2023-11-14T22:13:20",
                          "2023-11-14 22:13:20Z",
                          "2023-11-14T22:13Z",
                          "2023-11-14T22:13:20.Z",
                          "2023-11-14T22:13:20ZZ",
                          "2023-13-01T00:00:00Z",
                          "2023-00-01T00:00:00Z",
                          "2023-02-29T00:00:00Z",
                          "2023-04-31T00:00:00Z",
                          "2023-11-14T24:00:00Z",
                          "2023-11-14T22:60:00Z",
                          "2023-11-14T22:13:61Z",
                          "2023-11-14T22:13:20+2:00",
                          "2023-11-14T22:13:20+24:00",
                          "2023-11-14T22:13:20+02",
                          "1969-12-31T23:59:59Z",
                          "1970-01-01T00:00:00+00:01",
                          "+2023-11-14T22:13:20Z",
                          "2023-11-14T22:13:20Z\n",
                          "２０２３-11-14T22:13:20Z"}) {
    INFO(bad);
    CHECK_FALSE(ParseTimestamp(bad).has_value());
  }
}
