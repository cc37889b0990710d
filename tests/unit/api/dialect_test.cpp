#include "api/dialect.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "api/embedded_text.hpp"
#include "api/route_table.hpp"

namespace keymint::api {
namespace {

std::string HeaderOf(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST_CASE("The Deprecation header is RFC 9745's structured date in Unix seconds", "[api]") {
  CHECK(MakeDeprecationNotice(1735689600, std::nullopt).deprecation == "@1735689600");
  CHECK(MakeDeprecationNotice(0, 0).deprecation == "@0");
  CHECK(MakeDeprecationNotice(1735689600, std::nullopt).sunset.empty());
}

TEST_CASE("The Sunset header is an RFC 9110 IMF-fixdate", "[api]") {
  CHECK(MakeDeprecationNotice(1735689600, 1798761600).sunset == "Fri, 01 Jan 2027 00:00:00 GMT");
  CHECK(MakeDeprecationNotice(0, 784111777).sunset == "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  CHECK(MakeDeprecationNotice(0, 253402214400).sunset == "Fri, 31 Dec 9999 00:00:00 GMT");
  // The epoch is a date like any other (deprecation.sunset_date = "1970-01-01"), not "none".
  CHECK(MakeDeprecationNotice(0, 0).sunset == "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST_CASE("Deprecated dialects get Deprecation, both Links and Sunset; current ones get nothing", "[api]") {
  const DeprecationNotice notice = MakeDeprecationNotice(1735689600, 1798761600);
  Response user_applications;
  AddDeprecationHeaders(Dialect::kUserApplications, notice, user_applications);
  CHECK(user_applications.headers.size() == 3);
  CHECK(HeaderOf(user_applications, "Deprecation") == "@1735689600");
  CHECK(HeaderOf(user_applications, "Link") ==
        "</api/v1/access-keys>; rel=\"successor-version\", </docs/migration>; rel=\"deprecation\"; "
        "type=\"text/markdown\"");
  CHECK(HeaderOf(user_applications, "Sunset") == "Fri, 01 Jan 2027 00:00:00 GMT");

  Response applications;
  AddDeprecationHeaders(Dialect::kApplications, MakeDeprecationNotice(1735689600, std::nullopt), applications);
  CHECK(applications.headers.size() == 2);
  CHECK(HeaderOf(applications, "Link").starts_with("</api/v1/service-accounts>; rel=\"successor-version\", "));
  CHECK(HeaderOf(applications, "Sunset").empty());

  for (Dialect current : {Dialect::kStandard, Dialect::kOAuth, Dialect::kV1Token}) {
    Response response;
    AddDeprecationHeaders(current, notice, response);
    CHECK(response.headers.empty());
  }
}

TEST_CASE("The migration guide the Link names is routed, public and compiled in", "[api]") {
  bool routed = false;
  for (const Route& route : RouteTable()) {
    if (route.method == "GET" && route.path == kMigrationGuidePath) routed = route.access == Access::kPublic;
  }
  CHECK(routed);
  CHECK(kMigrationGuide.starts_with("# "));
  CHECK(kMigrationGuide.find("/api/v1/user-applications") != std::string_view::npos);
  CHECK(kMigrationGuide.find("/api/v1/apps") != std::string_view::npos);
}

}  // namespace
}  // namespace keymint::api
