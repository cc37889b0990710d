// TableRouter: matches a request against the route table and applies the
// cross-cutting policy once: 404/405, where the handler runs, authentication,
// the admin role, the dialect's error answers and deprecation headers.
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <chrono>
#include <memory>

#include "api/handlers.hpp"
#include "api/headers.hpp"
#include "api/route_table.hpp"
#include "keymint/api/api.hpp"
#include "keymint/api/http_error.hpp"

namespace keymint::api {
namespace urls = boost::urls;

std::optional<std::string> RequestContext::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

struct CompiledRoute {
  const Route* route;
  std::vector<std::string_view> segments;  // "{...}" marks a parameter
};

// Fills `params` and returns true when `path` fits `pattern`.
bool MatchPath(const std::vector<std::string_view>& pattern, const std::vector<std::string_view>& path,
               std::vector<std::string>* params) {
  if (pattern.size() != path.size()) return false;
  params->clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (!pattern[i].empty() && pattern[i].front() == '{') {
      if (path[i].empty()) return false;
      params->emplace_back(path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

Outcome Ready(Response response) { return Outcome{std::move(response), nullptr}; }

class TableRouter final : public Router {
 public:
  TableRouter(ApiServices services, RouteSet set)
      : services_(std::move(services)),
        deprecation_(MakeDeprecationNotice(services_.deprecation_date, services_.sunset_date)) {
    for (const Route& route : RouteTable()) {
      if (Serves(set, route)) routes_.push_back({&route, SplitPath(route.path)});
    }
  }

  Outcome Dispatch(const Request& request) const override {
    const auto start = Clock::now();
    auto url = urls::parse_origin_form(request.target);
    if (!url) return Unrouted(ErrorResponse(400, "malformed request target"));
    std::string_view path = url->encoded_path();
    auto segments = SplitPath(path);

    std::vector<std::string> params;
    std::string allow;
    for (const auto& compiled : routes_) {
      if (!MatchPath(compiled.segments, segments, &params)) continue;
      const Route& route = *compiled.route;
      if (route.method != request.method) {
        if (!allow.empty()) allow += ", ";
        allow += route.method;
        continue;
      }
      RequestContext context{request, services_, route.dialect, std::move(params), {}, nullptr};
      for (auto param : url->params()) context.query.emplace_back(param.key, param.value);
      if (RunsOnPool(route, request)) {
        // The deferred work outlives this call, so it takes the context along.
        return Outcome{std::nullopt, [this, &route, context = std::move(context), start]() mutable {
                         return RunObserved(route, context, start);
                       }};
      }
      // Inline (the token path): the context lives on the stack, no allocation.
      return Ready(RunObserved(route, context, start));
    }
    if (allow.empty()) return Unrouted(ErrorResponse(404, "no such endpoint: " + std::string(path)));
    Response response = ErrorResponse(405, "method " + EscapeUnprintable(request.method) + " is not allowed here");
    response.AddHeader("Allow", allow);
    AddPathHeaders(request.target, response);
    return Unrouted(std::move(response));
  }

  void AddPathHeaders(std::string_view target, Response& response) const override {
    auto url = urls::parse_origin_form(target);
    if (!url) return;
    auto segments = SplitPath(url->encoded_path());
    std::vector<std::string> params;
    for (const auto& compiled : routes_) {
      if (MatchPath(compiled.segments, segments, &params)) {
        return AddDeprecationHeaders(compiled.route->dialect, deprecation_, response);
      }
    }
  }

 private:
  // The one place that decides where a handler runs.
  static bool RunsOnPool(const Route& route, const Request& request) {
    switch (route.placement) {
      case Placement::kInline:
        return false;
      case Placement::kPool:
        return true;
      case Placement::kByGrant:
        return RequestsPasswordGrant(route.dialect, request);
    }
    return true;
  }

  using Clock = std::chrono::steady_clock;

  static bool Serves(RouteSet set, const Route& route) {
    switch (set) {
      case RouteSet::kAll:
        return true;
      case RouteSet::kApi:
        return route.surface == Surface::kApi;
      case RouteSet::kOperations:
        return route.surface == Surface::kOperations;
    }
    return false;
  }

  // Run, timed from `start` (when the request was dispatched, so a pool
  // route's wait for a thread counts) and counted in the metrics.
  Response RunObserved(const Route& route, RequestContext& context, Clock::time_point start) const {
    Response response = Run(route, context);
    if (services_.metrics) services_.metrics->ObserveRoute(route, context.grant, response.status, Clock::now() - start);
    return response;
  }

  // An answer for a request that matched no route, counted as such.
  Outcome Unrouted(Response response) const {
    if (services_.metrics) services_.metrics->ObserveUnrouted(response.status);
    return Ready(std::move(response));
  }

  // Authenticates and authorises, runs the handler, and answers an error in
  // the route's dialect.
  Response Run(const Route& route, RequestContext& context) const {
    std::optional<Principal> caller;
    if (const Status allowed = Authorize(route, context.request, caller); !allowed.ok()) {
      Response response = ErrorAnswer(route.dialect, allowed.error(), context.request);
      if (allowed.error().code == ErrorCode::kUnauthenticated) {
        response.AddHeader("WWW-Authenticate", "Bearer realm=\"keymint\"");  // RFC 6750 §3
      } else if (caller && services_.audit) {
        // Signed in, but without the role: someone reaching past their
        // rights is worth an entry (a missing or bad token is not: expired
        // tokens are everyday traffic).
        services_.audit->RecordFailure(
            AuditActor::Of(*caller, context.request.remote_address), audit_action::kAccessDenied, "",
            Error::PermissionDenied(std::string(route.method) + " " + std::string(route.path) + ": " +
                                    allowed.error().message));
      }
      AddDeprecationHeaders(route.dialect, deprecation_, response);
      return response;
    }
    context.principal = caller ? &*caller : nullptr;
    Result<Response> result = route.handler(context);
    Response response =
        result.ok() ? std::move(result).value() : ErrorAnswer(route.dialect, result.error(), context.request);
    response.client_id = std::move(context.client_id);
    AddDeprecationHeaders(route.dialect, deprecation_, response);
    return response;
  }

  // Who may call `route`: sets `caller` from the bearer token unless the
  // route is public.
  Status Authorize(const Route& route, const Request& request, std::optional<Principal>& caller) const {
    if (route.access == Access::kPublic) return Status::Ok();
    auto token = CredentialsForScheme(request.authorization, "bearer");
    if (!token) return Error::Unauthenticated("missing bearer token");
    ASSIGN_OR_RETURN(caller, services_.authenticator.Authenticate(*token));
    if (route.access == Access::kAdmin && !caller->IsAdmin()) {
      return Error::PermissionDenied("this operation needs the System administrator role");
    }
    if (route.access == Access::kUser && !caller->IsUser()) {
      return Error::PermissionDenied("a service account has no access keys or password of its own; use a user's token");
    }
    return Status::Ok();
  }

  const ApiServices services_;
  const DeprecationNotice deprecation_;
  std::vector<CompiledRoute> routes_;
};

}  // namespace

std::unique_ptr<Router> MakeRouter(ApiServices services, RouteSet routes) {
  return std::make_unique<TableRouter>(std::move(services), routes);
}

}  // namespace keymint::api
