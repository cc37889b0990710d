// Text files compiled into the binary (keymint_embed_text in CMakeLists.txt),
// so that what keymint serves about itself needs no files beside it at run
// time and cannot drift from the build.
#pragma once

#include <string_view>

namespace keymint::api {

// docs/migration.md: moving from the deprecated paths to their successors.
extern const std::string_view kMigrationGuide;
// docs/openapi.json: the OpenAPI 3.0 document of every route (GET /api/openapi.json).
extern const std::string_view kOpenApiDocument;

// web/: the access-keys page (README "The web page"), served by web_page_handlers.cpp.
extern const std::string_view kWebIndexHtml;
extern const std::string_view kWebAppJs;
extern const std::string_view kWebAppCss;

}  // namespace keymint::api
