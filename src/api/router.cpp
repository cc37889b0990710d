// TableRouter: matches a request against the route table and applies the
// cross-cutting policy once: 404/405, where the handler runs, authentication,
// the admin role, the dialect's error answers and deprecation headers.
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
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
  explicit TableRouter(ApiServices services)
      : services_(std::move(services)),
        deprecation_(MakeDeprecationNotice(services_.deprecation_date, services_.sunset_date)) {
    for (const Route& route : RouteTable()) routes_.push_back({&route, SplitPath(route.path)});
  }

  Outcome Dispatch(const Request& request) const override {
    auto url = urls::parse_origin_form(request.target);
    if (!url) return Ready(ErrorResponse(400, "malformed request target"));
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
        return Outcome{std::nullopt,
                       [this, &route, context = std::move(context)]() mutable { return Run(route, context); }};
      }
      // Inline (the token path): the context lives on the stack, no allocation.
      return Ready(Run(route, context));
    }
    if (allow.empty()) return Ready(ErrorResponse(404, "no such endpoint: " + std::string(path)));
    Response response = ErrorResponse(405, "method " + EscapeUnprintable(request.method) + " is not allowed here");
    response.AddHeader("Allow", allow);
    AddPathHeaders(request.target, response);
    return Ready(std::move(response));
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

  // Authenticates and authorises, runs the handler, and answers an error in
  // the route's dialect.
  Response Run(const Route& route, RequestContext& context) const {
    std::optional<Principal> caller;
    if (const Status allowed = Authorize(route, context.request, caller); !allowed.ok()) {
      Response response = ErrorAnswer(route.dialect, allowed.error(), context.request);
      if (allowed.error().code == ErrorCode::kUnauthenticated) {
        response.AddHeader("WWW-Authenticate", "Bearer realm=\"keymint\"");  // RFC 6750 §3
      }
      AddDeprecationHeaders(route.dialect, deprecation_, response);
      return response;
    }
    context.principal = caller ? &*caller : nullptr;
    Result<Response> result = route.handler(context);
    Response response =
        result.ok() ? std::move(result).value() : ErrorAnswer(route.dialect, result.error(), context.request);
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

std::unique_ptr<Router> MakeRouter(ApiServices services) { return std::make_unique<TableRouter>(std::move(services)); }

}  // namespace keymint::api
