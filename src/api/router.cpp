// TableRouter: matches a request against the route table and applies the
// cross-cutting policy once: 404/405, authentication, the admin role and the
// deprecation headers.
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <memory>

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
  Route route;
  std::vector<std::string> segments;  // "{...}" marks a parameter
};

// Fills `params` and returns true when `path` fits `pattern`.
bool MatchPath(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path,
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

void AddDeprecationHeaders(Response& response, const std::string& successor) {
  response.AddHeader("Deprecation", "true");
  response.AddHeader("Link", "<" + successor + ">; rel=\"successor-version\"");
}

class TableRouter final : public Router {
 public:
  TableRouter(std::vector<Route> routes, const Authenticator& authenticator) : authenticator_(authenticator) {
    for (auto& route : routes) {
      std::vector<std::string> segments;
      for (auto s : SplitPath(route.pattern)) segments.emplace_back(s);
      routes_.push_back({std::move(route), std::move(segments)});
    }
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
      if (compiled.route.method != request.method) {
        if (!allow.empty()) allow += ", ";
        allow += compiled.route.method;
        continue;
      }
      RequestContext context{request, std::move(params), {}, nullptr};
      for (auto param : url->params()) context.query.emplace_back(param.key, param.value);
      const Route* route = &compiled.route;
      if (route->placement == Placement::kPool) {
        // The deferred work outlives this call, so it takes the context along.
        return Outcome{std::nullopt,
                       [this, route, context = std::move(context)]() mutable { return Finish(Run(*route, context)); }};
      }
      // Inline (the token path): the context lives on the stack, no allocation.
      Reply reply = Run(*route, context);
      if (auto* deferred = std::get_if<Deferred>(&reply)) return Outcome{std::nullopt, std::move(*deferred)};
      return Ready(std::get<Response>(std::move(reply)));
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
      if (!compiled.route.successor.empty() && MatchPath(compiled.segments, segments, &params)) {
        return AddDeprecationHeaders(response, compiled.route.successor);
      }
    }
  }

 private:
  static Outcome Ready(Response response) { return Outcome{std::move(response), nullptr}; }

  static Response Finish(Reply reply) {
    if (auto* deferred = std::get_if<Deferred>(&reply)) return (*deferred)();  // already on the pool
    return std::get<Response>(std::move(reply));
  }

  // Authenticates and authorises, then runs the handler.
  Reply Run(const Route& route, RequestContext& context) const {
    Reply reply = Authorize(route, context);
    if (auto* response = std::get_if<Response>(&reply); response && !route.successor.empty()) {
      AddDeprecationHeaders(*response, route.successor);
    }
    return reply;
  }

  Reply Authorize(const Route& route, RequestContext& context) const {
    if (route.access == Access::kPublic) return route.handler(context);
    auto token = CredentialsForScheme(context.request.authorization, "bearer");
    auto principal =
        token ? authenticator_.Authenticate(*token) : Result<Principal>(Error::Unauthenticated("missing bearer token"));
    if (!principal.ok()) {
      Response response = ErrorResponse(principal.error());
      if (response.status == 401) response.AddHeader("WWW-Authenticate", "Bearer realm=\"keymint\"");
      return response;
    }
    if (route.access == Access::kAdmin && !principal->IsAdmin()) {
      return ErrorResponse(403, "this operation needs the System administrator role");
    }
    if (route.access == Access::kUser && !principal->user()) {
      return ErrorResponse(403, "a service account has no access keys or password of its own; use a user's token");
    }
    context.principal = &*principal;
    return route.handler(context);
  }

  std::vector<CompiledRoute> routes_;
  const Authenticator& authenticator_;
};

}  // namespace

std::unique_ptr<Router> MakeRouter(ApiServices services) {
  // The services struct must outlive the routes' handlers, which capture it.
  auto owned = std::make_shared<ApiServices>(std::move(services));
  std::vector<Route> routes;
  for (auto family : {TokenRoutes, DiscoveryRoutes, AccessKeyRoutes, UserRoutes, ServiceAccountRoutes}) {
    for (auto& route : family(*owned)) routes.push_back(std::move(route));
  }
  // Handlers capture `owned` by reference; keep it alive with the router.
  struct OwningRouter final : Router {
    std::shared_ptr<ApiServices> services;
    std::unique_ptr<Router> inner;
    Outcome Dispatch(const Request& request) const override { return inner->Dispatch(request); }
    void AddPathHeaders(std::string_view target, Response& response) const override {
      inner->AddPathHeaders(target, response);
    }
  };
  auto router = std::make_unique<OwningRouter>();
  router->services = owned;
  router->inner = std::make_unique<TableRouter>(std::move(routes), owned->authenticator);
  return router;
}

}  // namespace keymint::api
