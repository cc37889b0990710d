#include "api/web_page.hpp"

#include <cstdint>

#include "api/embedded_text.hpp"

namespace keymint::api {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string EntityTag(std::string_view body) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : body) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  constexpr char kHex[] = "0123456789abcdef";
  std::string tag(18, '"');
  for (int i = 16; i >= 1; --i, hash >>= 4) tag[static_cast<std::size_t>(i)] = kHex[hash & 0xf];
  return tag;
}

bool IfNoneMatchHits(std::string_view if_none_match, std::string_view etag) {
  if (Trim(if_none_match) == "*") return true;
  while (!if_none_match.empty()) {
    const std::size_t comma = if_none_match.find(',');
    std::string_view candidate = Trim(if_none_match.substr(0, comma));
    if (candidate.starts_with("W/")) candidate.remove_prefix(2);  // If-None-Match compares weakly
    if (candidate == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

Response AssetResponse(const WebAsset& asset, const Request& request) {
  Response response;
  response.content_type = std::string(asset.content_type);
  if (IfNoneMatchHits(request.if_none_match, asset.etag)) {
    response.status = 304;
  } else {
    response.body = std::string(asset.body);
  }
  response.AddHeader("ETag", asset.etag);
  // Revalidated on every use (a 304 costs one round trip): an upgraded
  // keymint serves its own page at once, and the three files always match.
  response.AddHeader("Cache-Control", "no-cache");
  response.AddHeader("Content-Security-Policy", std::string(kWebContentSecurityPolicy));
  response.AddHeader("X-Frame-Options", "DENY");
  response.AddHeader("X-Content-Type-Options", "nosniff");
  response.AddHeader("Referrer-Policy", "no-referrer");
  return response;
}

const WebAsset& WebIndexAsset() {
  static const WebAsset kAsset{kWebIndexHtml, "text/html; charset=utf-8", EntityTag(kWebIndexHtml)};
  return kAsset;
}

const WebAsset& WebScriptAsset() {
  static const WebAsset kAsset{kWebAppJs, "text/javascript; charset=utf-8", EntityTag(kWebAppJs)};
  return kAsset;
}

const WebAsset& WebStyleAsset() {
  static const WebAsset kAsset{kWebAppCss, "text/css; charset=utf-8", EntityTag(kWebAppCss)};
  return kAsset;
}

}  // namespace keymint::api
