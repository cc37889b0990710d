// Documents keymint serves about its own API, for people and tools reading
// it: today the migration guide that deprecated answers link to.
#include "api/embedded_text.hpp"
#include "api/handlers.hpp"

namespace keymint::api {

Result<Response> GetMigrationGuide(const RequestContext&) {
  Response response;
  response.body = std::string(kMigrationGuide);
  response.content_type = "text/markdown; charset=utf-8";
  // Fixed for the life of the binary; a day is short enough to pick up an upgrade.
  response.AddHeader("Cache-Control", "public, max-age=86400");
  return response;
}

}  // namespace keymint::api
