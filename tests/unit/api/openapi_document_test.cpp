// docs/openapi.json, as compiled into the binary, against the route table:
// the same (method, path) pairs both ways, the deprecated families marked
// deprecated and the public routes open. Path parameters are compared by
// position only ({id} in routes.cpp is {accessKeyId} in the seeds), so the
// document can keep the seeds' parameter names.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "api/dialect.hpp"
#include "api/embedded_text.hpp"
#include "api/route_table.hpp"

namespace keymint::api {
namespace {

namespace json = boost::json;

// "/api/v1/apps/{appId}/secret" -> "/api/v1/apps/{}/secret".
std::string Template(std::string_view path) {
  std::string out;
  bool in_parameter = false;
  for (char ch : path) {
    if (ch == '{') in_parameter = true;
    if (!in_parameter) out.push_back(ch);
    if (ch == '}') {
      out.append("{}");
      in_parameter = false;
    }
  }
  return out;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

using Operation = std::pair<std::string, std::string>;  // (METHOD, path template)

// Every operation of the document, keyed by (METHOD, template), with its
// path as written and its object; a path item's other members skipped.
std::map<Operation, std::pair<std::string, json::object>> DocumentOperations(const json::object& document) {
  static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  std::map<Operation, std::pair<std::string, json::object>> operations;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (kMethods.contains(std::string(method))) {
        operations.emplace(Operation{Upper(method), Template(path)},
                           std::pair{std::string(path), operation.as_object()});
      }
    }
  }
  return operations;
}

// One "METHOD path" a line, each path as its side spells it (the route
// table's {id}, the document's {accessKeyId}), for the failure message.
std::string List(const std::map<Operation, std::string>& operations) {
  std::string text;
  for (const auto& [operation, spelled] : operations) text += "\n  " + operation.first + " " + spelled;
  return text;
}

json::object Document() {
  json::value parsed = json::parse(kOpenApiDocument);
  REQUIRE(parsed.is_object());
  return std::move(parsed.as_object());
}

TEST_CASE("The OpenAPI document is OpenAPI 3.0 with relative servers", "[api]") {
  const json::object document = Document();
  CHECK(document.at("openapi").as_string().starts_with("3.0."));
  CHECK(json::serialize(document.at("servers")) == R"([{"url":"/"}])");
  CHECK(json::serialize(document.at("security")) == R"([{"bearerAuth":[]}])");
}

TEST_CASE("Every route is in the OpenAPI document and every documented operation is a route", "[api]") {
  const auto documented = DocumentOperations(Document());
  std::set<Operation> routed;
  std::map<Operation, std::string> undocumented;
  for (const Route& route : RouteTable()) {
    Operation operation{std::string(route.method), Template(route.path)};
    if (!documented.contains(operation)) undocumented.emplace(operation, std::string(route.path));
    routed.insert(std::move(operation));
  }
  std::map<Operation, std::string> unrouted;
  for (const auto& [operation, entry] : documented) {
    if (!routed.contains(operation)) unrouted.emplace(operation, entry.first);
  }
  INFO("routes missing from docs/openapi.json:" << List(undocumented));
  INFO("docs/openapi.json operations that are no route:" << List(unrouted));
  CHECK(undocumented.empty());
  CHECK(unrouted.empty());
}

TEST_CASE("The OpenAPI document marks the deprecated families deprecated and the public routes open", "[api]") {
  const auto documented = DocumentOperations(Document());
  for (const Route& route : RouteTable()) {
    const auto found = documented.find({std::string(route.method), Template(route.path)});
    if (found == documented.end()) continue;  // reported by the coverage test
    const json::object& operation = found->second.second;
    INFO(route.method << " " << route.path);

    const bool deprecated = !SuccessorPath(route.dialect).empty();
    const json::value* flag = operation.if_contains("deprecated");
    CHECK((flag != nullptr && flag->is_bool() && flag->get_bool()) == deprecated);

    // Public: an empty security requirement overrides the document's bearerAuth;
    // /api/v2/token lists HTTP Basic with an empty alternative (client_secret_post).
    const json::value* security = operation.if_contains("security");
    const bool open = security != nullptr && security->is_array() &&
                      (security->as_array().empty() ||
                       (security->as_array().back().is_object() && security->as_array().back().as_object().empty()));
    CHECK(open == (route.access == Access::kPublic));
  }
}

TEST_CASE("The OpenAPI document is served publicly at /api/openapi.json", "[api]") {
  bool routed = false;
  for (const Route& route : RouteTable()) {
    if (route.method == "GET" && route.path == "/api/openapi.json") routed = route.access == Access::kPublic;
  }
  CHECK(routed);
}

}  // namespace
}  // namespace keymint::api
