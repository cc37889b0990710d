// The web page over real HTTP: its three files with their types and headers,
// revalidation, and the JSON 404 that API clients keep getting everywhere else.
#include <catch2/catch.hpp>
#include <string>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"

namespace keymint::testing {
namespace {

constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void CheckPageHeaders(const HttpResponse& response) {
  CHECK(response.Header("Content-Security-Policy") == kCsp);
  CHECK(response.Header("X-Frame-Options") == "DENY");
  CHECK(response.Header("X-Content-Type-Options") == "nosniff");
  CHECK(response.Header("Referrer-Policy") == "no-referrer");
  CHECK(response.Header("Cache-Control") == "no-cache");
  CHECK(response.Header("ETag").size() == 18);
}

void CheckJsonNotFound(const HttpResponse& response) {
  INFO(response.body);
  CHECK(response.status == 404);
  CHECK(response.Header("Content-Type") == "application/json");
  CHECK(response.Json().at("code").as_int64() == 404);
  CHECK(response.Header("Content-Security-Policy").empty());
}

TEST_CASE("GET / answers the page with a strict CSP and no inline script or style", "[api][web]") {
  KeymintProcess keymint;
  const HttpResponse page = Get(keymint.port(), "/");
  REQUIRE(page.status == 200);
  CHECK(page.Header("Content-Type") == "text/html; charset=utf-8");
  CheckPageHeaders(page);
  CHECK(page.body.find("<script type=\"module\" src=\"/app.js\"></script>") != std::string::npos);
  CHECK(page.body.find("<script>") == std::string::npos);
  CHECK(page.body.find("style=") == std::string::npos);
  CHECK(page.body.find("<style") == std::string::npos);
  CHECK(page.body.find("http://") == std::string::npos);  // no CDN: nothing from elsewhere
  CHECK(page.body.find("https://") == std::string::npos);
}

TEST_CASE("The page's script and style are served with their types", "[api][web]") {
  KeymintProcess keymint;
  const HttpResponse script = Get(keymint.port(), "/app.js");
  REQUIRE(script.status == 200);
  CHECK(script.Header("Content-Type") == "text/javascript; charset=utf-8");
  CheckPageHeaders(script);
  CHECK(script.body.find("/api/v1/access-keys") != std::string::npos);
  // The token stays in the module's memory: no storage API or cookie is touched.
  for (const char* storage : {"localStorage.", "sessionStorage.", "document.cookie", "indexedDB"}) {
    INFO(storage);
    CHECK(script.body.find(storage) == std::string::npos);
  }
  const HttpResponse style = Get(keymint.port(), "/app.css");
  REQUIRE(style.status == 200);
  CHECK(style.Header("Content-Type") == "text/css; charset=utf-8");
  CheckPageHeaders(style);
  CHECK(style.Header("ETag") != script.Header("ETag"));
}

TEST_CASE("A browser's current copy is revalidated with 304 and no body", "[api][web]") {
  KeymintProcess keymint;
  const std::string etag = Get(keymint.port(), "/app.js").Header("ETag");
  const HttpResponse same = Send(keymint.port(), "GET", "/app.js", "", {{"If-None-Match", etag}});
  CHECK(same.status == 304);
  CHECK(same.body.empty());
  CHECK(same.Header("ETag") == etag);
  const HttpResponse weak = Send(keymint.port(), "GET", "/app.js", "", {{"If-None-Match", "\"x\", W/" + etag}});
  CHECK(weak.status == 304);
  const HttpResponse stale = Send(keymint.port(), "GET", "/app.js", "", {{"If-None-Match", "\"stale\""}});
  CHECK(stale.status == 200);
  CHECK_FALSE(stale.body.empty());
}

TEST_CASE("Unknown paths beside the page and under /api keep the JSON 404", "[api][web]") {
  KeymintProcess keymint;
  for (const char* path : {"/api/", "/api/v1/nothing", "/api/v1/access-keys/a/b/c", "/index.html", "/app.js.map",
                           "/app.js/x", "/favicon.ico", "//"}) {
    INFO(path);
    CheckJsonNotFound(Get(keymint.port(), path));
  }
}

TEST_CASE("The page's paths take GET only and say so with Allow", "[api][web]") {
  KeymintProcess keymint;
  for (const char* method : {"POST", "DELETE", "PUT"}) {
    INFO(method);
    const HttpResponse response = Send(keymint.port(), method, "/");
    CHECK(response.status == 405);
    CHECK(response.Header("Allow") == "GET");
  }
}

}  // namespace
}  // namespace keymint::testing
