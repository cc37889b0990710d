#include "api/route_table.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <utility>

namespace keymint::api {
namespace {

// The current path a deprecated path stands for: its successor's family with
// the rest of the path kept (/api/v1/apps/{id} -> /api/v1/service-accounts/{id}).
std::string CurrentPath(const Route& route) {
  std::string path(route.path);
  for (const auto& [old_name, new_name] :
       {std::pair{"user-applications", "access-keys"}, std::pair{"/apps", "/service-accounts"}}) {
    if (auto at = path.find(old_name); at != std::string::npos)
      path.replace(at, std::string(old_name).size(), new_name);
  }
  return path;
}

const Route* Find(std::string_view method, std::string_view path) {
  for (const Route& route : RouteTable()) {
    if (route.method == method && route.path == path) return &route;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("The route table names each method and path once, each with a handler", "[api]") {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const Route& route : RouteTable()) {
    INFO(route.method << " " << route.path);
    CHECK(seen.emplace(route.method, route.path).second);
    CHECK(route.handler != nullptr);
    CHECK(route.path.starts_with('/'));
  }
}

TEST_CASE("Every deprecated route has a current twin with the same handler, access and placement", "[api]") {
  int deprecated = 0;
  for (const Route& route : RouteTable()) {
    if (SuccessorPath(route.dialect).empty()) continue;
    ++deprecated;
    INFO(route.method << " " << route.path);
    const Route* twin = Find(route.method, CurrentPath(route));
    REQUIRE(twin != nullptr);
    CHECK(twin->dialect == Dialect::kStandard);
    CHECK(twin->handler == route.handler);
    CHECK(twin->access == route.access);
    CHECK(twin->placement == route.placement);
    CHECK(Find("GET", SuccessorPath(route.dialect)) != nullptr);  // the Link names a path keymint serves
  }
  CHECK(deprecated == 13);  // seven user-application routes, six application routes
}

TEST_CASE("Only the public token routes choose their placement by grant", "[api]") {
  for (const Route& route : RouteTable()) {
    INFO(route.method << " " << route.path);
    const bool token_route = route.dialect == Dialect::kV1Token || route.dialect == Dialect::kOAuth;
    CHECK((route.placement == Placement::kByGrant) == token_route);
    if (token_route) CHECK(route.access == Access::kPublic);
    // Everything but the token path and discovery writes or hashes: never inline.
    if (route.access != Access::kPublic) CHECK(route.placement == Placement::kPool);
  }
}

}  // namespace keymint::api
