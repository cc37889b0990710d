// The web page's answers (api/web_page.hpp): validators, revalidation, the
// security headers, and the route rows that serve the compiled-in files.
#include "api/web_page.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "api/embedded_text.hpp"
#include "api/route_table.hpp"

namespace keymint::api {
namespace {

std::optional<std::string> Header(const Response& response, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [key, value] : response.headers) {
    if (key != name) continue;
    REQUIRE_FALSE(found.has_value());  // sent once
    found = value;
  }
  return found;
}

TEST_CASE("An entity tag is a quoted hash that changes with the content", "[api]") {
  const std::string tag = EntityTag("body");
  CHECK(tag.size() == 18);
  CHECK(tag.front() == '"');
  CHECK(tag.back() == '"');
  CHECK(tag.find_first_not_of("0123456789abcdef", 1) == 17);
  CHECK(EntityTag("body") == tag);
  CHECK(EntityTag("bodz") != tag);
  // FNV-1a 64 of the empty input is its offset basis (known answer).
  CHECK(EntityTag("") == "\"cbf29ce484222325\"");
}

TEST_CASE("If-None-Match matches the tag, a list holding it, a weak form of it, or a star", "[api]") {
  const std::string tag = "\"0123456789abcdef\"";
  CHECK(IfNoneMatchHits(tag, tag));
  CHECK(IfNoneMatchHits("*", tag));
  CHECK(IfNoneMatchHits(" \"other\" , " + tag, tag));
  CHECK(IfNoneMatchHits("W/" + tag, tag));
  CHECK_FALSE(IfNoneMatchHits("", tag));
  CHECK_FALSE(IfNoneMatchHits("\"other\"", tag));
  CHECK_FALSE(IfNoneMatchHits("0123456789abcdef", tag));  // unquoted is another tag
  CHECK_FALSE(IfNoneMatchHits(",,,", tag));
}

TEST_CASE("A page file is answered with its type, validator and the security headers", "[api]") {
  const WebAsset& asset = WebIndexAsset();
  Request request;
  request.method = "GET";
  request.target = "/";
  const Response response = AssetResponse(asset, request);
  CHECK(response.status == 200);
  CHECK(response.body == kWebIndexHtml);
  CHECK(response.content_type == "text/html; charset=utf-8");
  CHECK(Header(response, "ETag") == asset.etag);
  CHECK(Header(response, "Cache-Control") == "no-cache");
  CHECK(Header(response, "Content-Security-Policy") == std::string(kWebContentSecurityPolicy));
  CHECK(Header(response, "X-Frame-Options") == "DENY");
  CHECK(Header(response, "X-Content-Type-Options") == "nosniff");
  CHECK(Header(response, "Referrer-Policy") == "no-referrer");
}

TEST_CASE("A current copy is answered 304 with no body and the same headers", "[api]") {
  const WebAsset& asset = WebScriptAsset();
  Request request;
  request.method = "GET";
  request.target = "/app.js";
  request.if_none_match = asset.etag;
  const Response response = AssetResponse(asset, request);
  CHECK(response.status == 304);
  CHECK(response.body.empty());
  CHECK(Header(response, "ETag") == asset.etag);
  CHECK(Header(response, "Content-Security-Policy").has_value());
}

TEST_CASE("The page's three files are compiled in, typed and routed for anyone", "[api]") {
  CHECK(WebScriptAsset().content_type == "text/javascript; charset=utf-8");
  CHECK(WebStyleAsset().content_type == "text/css; charset=utf-8");
  CHECK(WebIndexAsset().etag != WebScriptAsset().etag);
  CHECK(kWebIndexHtml.find("src=\"/app.js\"") != std::string_view::npos);
  CHECK(kWebIndexHtml.find("href=\"/app.css\"") != std::string_view::npos);
  CHECK(kWebAppCss.find("@media") != std::string_view::npos);
  int routed = 0;
  for (const Route& route : RouteTable()) {
    if (route.path == "/" || route.path == "/app.js" || route.path == "/app.css") {
      CHECK(route.method == "GET");
      CHECK(route.access == Access::kPublic);
      ++routed;
    }
  }
  CHECK(routed == 3);
}

}  // namespace
}  // namespace keymint::api
