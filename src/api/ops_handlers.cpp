// Operations: liveness (GET /healthz), readiness (GET /readyz) and the
// Prometheus metrics (GET /metrics). No authentication, so that probes and
// scrapers need no credentials; --admin-listen moves them off the public
// address. None of them is cached: each answer is about this moment.
#include "api/handlers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"
#include "keymint/api/http_error.hpp"

namespace keymint::api {
namespace {

Response Uncached(Response response) {
  AddNoStore(response);
  return response;
}

Response StatusBody(std::string_view body) {
  Response response;
  response.body = body;
  return Uncached(std::move(response));
}

}  // namespace

Result<Response> GetHealthz(const RequestContext& /*c*/) { return StatusBody(R"({"status":"ok"})"); }

Result<Response> GetReadyz(const RequestContext& c) {
  if (c.services.readiness) {
    if (const auto ready = c.services.readiness->Evaluate(); !ready.ok()) {
      // Answered here rather than as an Error: the router would hide a 5xx
      // message, and this one is what the operator's probe log should say.
      Response response = ErrorResponse(503, "not ready: " + ready.error().message);
      response.AddHeader("Retry-After", "1");
      return Uncached(std::move(response));
    }
  }
  return StatusBody(R"({"status":"ready"})");
}

Result<Response> GetMetrics(const RequestContext& c) {
  Response response;
  // The text exposition format's media type (Prometheus 0.0.4).
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  if (c.services.metrics) response.body = c.services.metrics->Render();
  return Uncached(std::move(response));
}

}  // namespace keymint::api
