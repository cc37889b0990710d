#include "keymint/api/metrics.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "api/route_table.hpp"

namespace keymint::api {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

const Route& Find(std::string_view method, std::string_view path) {
  for (const Route& route : RouteTable()) {
    if (route.method == method && route.path == path) return route;
  }
  FAIL("no route " << method << " " << path);
  return RouteTable().front();
}

bool Has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

}  // namespace

TEST_CASE("Metrics count token requests by endpoint, grant and outcome from the status", "[api]") {
  Metrics metrics("1.2.3");
  const Route& v1 = Find("POST", "/api/v1/token");
  const Route& v2 = Find("POST", "/api/v2/token");
  metrics.ObserveRoute(v1, TokenGrant::kClientCredentials, 200, microseconds(300));
  metrics.ObserveRoute(v1, TokenGrant::kClientCredentials, 200, microseconds(300));
  metrics.ObserveRoute(v1, TokenGrant::kAppToken, 401, microseconds(300));
  metrics.ObserveRoute(v2, TokenGrant::kPassword, 429, microseconds(300));
  metrics.ObserveRoute(v2, TokenGrant::kPassword, 503, microseconds(300));
  metrics.ObserveRoute(v2, TokenGrant::kNone, 415, microseconds(300));
  metrics.ObserveRoute(v2, TokenGrant::kUnsupported, 500, microseconds(300));
  const std::string text = metrics.Render();
  INFO(text);
  const std::string family = "keymint_token_requests_total";
  CHECK(Has(text, family + R"({endpoint="/api/v1/token",grant="client_credentials",outcome="issued"} 2)"));
  CHECK(Has(text, family + R"({endpoint="/api/v1/token",grant="app_token",outcome="unauthorized"} 1)"));
  CHECK(Has(text, family + R"({endpoint="/api/v2/token",grant="password",outcome="throttled"} 1)"));
  CHECK(Has(text, family + R"({endpoint="/api/v2/token",grant="password",outcome="unavailable"} 1)"));
  CHECK(Has(text, family + R"({endpoint="/api/v2/token",grant="none",outcome="bad_request"} 1)"));
  CHECK(Has(text, family + R"({endpoint="/api/v2/token",grant="unsupported",outcome="error"} 1)"));
  // Every combination is present from the start, so rates need no special case.
  CHECK(Has(text, family + R"({endpoint="/api/v2/token",grant="client_credentials",outcome="issued"} 0)"));
  CHECK(Has(text, R"(keymint_build_info{version="1.2.3"} 1)"));
}

TEST_CASE("The latency histogram puts each observation in its bucket and sums the seconds", "[api]") {
  Metrics metrics("0");
  const Route& v1 = Find("POST", "/api/v1/token");
  metrics.ObserveRoute(v1, TokenGrant::kClientCredentials, 200, microseconds(400));  // <= 0.0005
  metrics.ObserveRoute(v1, TokenGrant::kClientCredentials, 200, microseconds(500));  // <= 0.0005 (inclusive)
  metrics.ObserveRoute(v1, TokenGrant::kClientCredentials, 200, milliseconds(2));    // <= 0.0025
  metrics.ObserveRoute(v1, TokenGrant::kPassword, 200, std::chrono::seconds(9));     // +Inf only
  const std::string text = metrics.Render();
  INFO(text);
  const std::string bucket = R"(keymint_request_duration_seconds_bucket{method="POST",route="/api/v1/token",le=")";
  CHECK(Has(text, bucket + R"(0.0005"} 2)"));
  CHECK(Has(text, bucket + R"(0.001"} 2)"));
  CHECK(Has(text, bucket + R"(0.0025"} 3)"));
  CHECK(Has(text, bucket + R"(5"} 3)"));
  CHECK(Has(text, bucket + R"(+Inf"} 4)"));
  CHECK(Has(text, R"(keymint_request_duration_seconds_count{method="POST",route="/api/v1/token"} 4)"));
  CHECK(Has(text, R"(keymint_request_duration_seconds_sum{method="POST",route="/api/v1/token"} 9.0029)"));
  // A route nobody called has no histogram; the token routes always do.
  CHECK(text.find(R"(route="/api/v1/users")") == std::string::npos);
  CHECK(text.find(R"(keymint_request_duration_seconds_count{method="POST",route="/api/v2/token"} 0)") !=
        std::string::npos);
}

TEST_CASE("Other requests are counted by route template and status; unmatched ones under one label", "[api]") {
  Metrics metrics("0");
  const Route& user = Find("GET", "/api/v1/users/{id}");
  metrics.ObserveRoute(user, TokenGrant::kNone, 200, microseconds(1));
  metrics.ObserveRoute(user, TokenGrant::kNone, 404, microseconds(1));
  metrics.ObserveRoute(user, TokenGrant::kNone, 404, microseconds(1));
  metrics.ObserveUnrouted(404);
  metrics.ObserveUnrouted(405);
  metrics.ObserveUnrouted(42);  // impossible, but counted, not dropped
  const std::string text = metrics.Render();
  INFO(text);
  const std::string family = "keymint_management_requests_total";
  CHECK(Has(text, family + R"({method="GET",route="/api/v1/users/{id}",status="200"} 1)"));
  CHECK(Has(text, family + R"({method="GET",route="/api/v1/users/{id}",status="404"} 2)"));
  CHECK(Has(text, family + R"({method="any",route="unmatched",status="404"} 1)"));
  CHECK(Has(text, family + R"({method="any",route="unmatched",status="405"} 1)"));
  CHECK(Has(text, family + R"({method="any",route="unmatched",status="599"} 1)"));
}

TEST_CASE("Readings added by the caller are read at every scrape", "[api]") {
  Metrics metrics("0");
  double connections = 3;
  metrics.AddGauge("keymint_http_connections", "open connections", [&connections] { return connections; });
  metrics.AddCounter("keymint_example_total", "an example counter", [] { return 7.0; });
  CHECK(Has(metrics.Render(), "keymint_http_connections 3"));
  connections = 5;
  const std::string text = metrics.Render();
  CHECK(Has(text, "keymint_http_connections 5"));
  CHECK(Has(text, "# TYPE keymint_http_connections gauge"));
  CHECK(Has(text, "keymint_example_total 7"));
  CHECK(Has(text, "# TYPE keymint_example_total counter"));
}

}  // namespace keymint::api
