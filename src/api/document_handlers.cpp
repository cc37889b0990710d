// Documents keymint serves about its own API, for people and tools reading
// it: the migration guide that deprecated answers link to, and the OpenAPI
// document of every route.
#include "api/embedded_text.hpp"
#include "api/handlers.hpp"

namespace keymint::api {
namespace {

Response EmbeddedDocument(std::string_view text, std::string_view content_type) {
  Response response;
  response.body = std::string(text);
  response.content_type = std::string(content_type);
  // Fixed for the life of the binary; a day is short enough to pick up an upgrade.
  response.AddHeader("Cache-Control", "public, max-age=86400");
  return response;
}

}  // namespace

Result<Response> GetMigrationGuide(const RequestContext&) {
  return EmbeddedDocument(kMigrationGuide, "text/markdown; charset=utf-8");
}

Result<Response> GetOpenApiDocument(const RequestContext&) {
  return EmbeddedDocument(kOpenApiDocument, "application/json");
}

}  // namespace keymint::api
