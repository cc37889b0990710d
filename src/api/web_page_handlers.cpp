// The access-keys web page: GET /, /app.js and /app.css, compiled in from
// web/. The page itself talks only to the public API, like curl would.
#include "api/handlers.hpp"
#include "api/web_page.hpp"

namespace keymint::api {

Result<Response> GetWebPage(const RequestContext& c) { return AssetResponse(WebIndexAsset(), c.request); }

Result<Response> GetWebScript(const RequestContext& c) { return AssetResponse(WebScriptAsset(), c.request); }

Result<Response> GetWebStyle(const RequestContext& c) { return AssetResponse(WebStyleAsset(), c.request); }

}  // namespace keymint::api
