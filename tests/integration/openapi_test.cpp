// The OpenAPI document over HTTP against the real keymint binary: GET
// /api/openapi.json serves docs/openapi.json byte for byte without a login,
// and every operation it documents is answered (anything but 404, 405 or a
// 5xx) when called as the first admin, path parameters filled with records
// that exist. The route table side is tests/unit/api/openapi_document_test.cpp;
// the OpenAPI schema side, tests/openapi/validate.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <set>
#include <string>
#include <utility>

#include "support/fixtures.hpp"
#include "support/http_client.hpp"
#include "support/keymint_process.hpp"
#include "support/service_accounts.hpp"
#include "support/shared_store.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;

constexpr const char* kDocumentPath = "/api/openapi.json";

std::string DocumentFile() {
  const std::string bytes = ReadFileBytes(KEYMINT_OPENAPI_DOCUMENT);
  REQUIRE_FALSE(bytes.empty());
  return bytes;
}

// Creates records to fill path parameters with, so that an operation on
// "/api/v1/users/{userId}" reaches its handler with a user that exists (a
// 404 for an unknown id would hide a missing route). Which record a
// parameter names follows from the path's family.
class Records {
 public:
  Records(uint16_t port, std::string admin) : port_(port), admin_(std::move(admin)) {}

  // The id for the parameters of `path`; a fresh record when `fresh` (a
  // DELETE must not take the record another operation uses).
  std::string IdFor(const std::string& path, bool fresh) {
    std::string* shared = nullptr;
    std::string (Records::*create)() = nullptr;
    if (path.find("/access-keys/") != std::string::npos || path.find("/user-applications/") != std::string::npos) {
      shared = &access_key_;
      create = &Records::CreateKey;
    } else if (path.find("/service-accounts/") != std::string::npos || path.find("/apps/") != std::string::npos) {
      shared = &service_account_;
      create = &Records::CreateServiceAccount;
    } else if (path.find("/users/") != std::string::npos) {
      shared = &user_;
      create = &Records::CreateUser;
    } else {
      return kUnknownUuid;  // a family this test does not know yet: a well-formed id
    }
    if (fresh) return (this->*create)();
    if (shared->empty()) *shared = (this->*create)();
    return *shared;
  }

 private:
  std::string NextName() { return "openapi-probe-" + std::to_string(++created_); }

  std::string CreateKey() { return CreateAccessKey(port_, admin_, NextName()).id; }

  std::string CreateServiceAccount() {
    const HttpResponse response = PostJson(port_, kServiceAccountsPath, ServiceAccountBody(NextName()), admin_);
    REQUIRE(response.status == 201);
    return std::string(response.Json().at("id").as_string());
  }

  std::string CreateUser() {
    const json::object body{{"email", NextName() + "@example.com"}, {"roles", json::array{"Viewer"}}};
    const HttpResponse response = PostJson(port_, "/api/v1/users", body, admin_);
    REQUIRE(response.status == 201);
    return std::string(response.Json().at("id").as_string());
  }

  uint16_t port_;
  std::string admin_;
  int created_ = 0;
  std::string access_key_, service_account_, user_;
};

// `path` with every {parameter} replaced by `id`.
std::string Fill(const std::string& path, const std::string& id) {
  std::string target;
  for (std::size_t at = 0; at < path.size();) {
    const std::size_t open = path.find('{', at);
    if (open == std::string::npos) {
      target.append(path, at);
      break;
    }
    target.append(path, at, open - at).append(id);
    at = path.find('}', open) + 1;
  }
  return target;
}

std::string Upper(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return text;
}

TEST_CASE("GET /api/openapi.json serves the document in the repository, without a login", "[integration]") {
  KeymintProcess server;
  const HttpResponse response = Get(server.port(), kDocumentPath);
  REQUIRE(response.status == 200);
  CHECK(response.Header("Content-Type") == "application/json");
  CHECK(response.Header("Cache-Control") == "public, max-age=86400");
  CHECK(response.body == DocumentFile());

  // Another method is the router's 405 with Allow, in the Error shape.
  const HttpResponse post = Send(server.port(), "POST", kDocumentPath, "{}", {{"Content-Type", "application/json"}});
  CheckError(post, 405);
  CHECK(post.Header("Allow") == "GET");
}

TEST_CASE("Every operation in the OpenAPI document is answered by keymint", "[integration]") {
  // With a backup directory: without one the backup routes answer 404 by
  // design (as they do on a shared store, which takes none).
  ScopedTempDir backups;
  ProcessOptions options;
  if (!SuiteUsesSharedStore()) options.extra_args = {"--backup-dir", backups.path};
  KeymintProcess server(options);
  const uint16_t port = server.port();
  const std::string admin = AdminToken(port);
  Records records(port, admin);

  static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch"};
  const json::value document = json::parse(DocumentFile());
  int called = 0;
  for (const auto& [path_view, item] : document.at("paths").as_object()) {
    const std::string path(path_view);
    for (const auto& [method_view, operation] : item.as_object()) {
      const std::string method(method_view);
      if (!kMethods.contains(method)) continue;
      const std::string target = Fill(path, records.IdFor(path, method == "delete"));

      // A minimal body of the documented media type: enough to reach the
      // handler, which may then refuse it (400) without that being a miss.
      std::string body;
      Headers headers{{"Authorization", "Bearer " + admin}};
      if (const json::value* request = operation.as_object().if_contains("requestBody")) {
        if (request->at("content").as_object().contains("application/x-www-form-urlencoded")) {
          body = "grant_type=client_credentials";
          headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
        } else {
          body = "{}";
          headers.emplace_back("Content-Type", "application/json");
        }
      }
      const HttpResponse response = Send(port, Upper(method), target, body, headers);
      INFO(Upper(method) << " " << target << " -> " << response.status << " " << response.body);
      if (SuiteUsesSharedStore() && path == "/api/v1/backups") {
        CHECK(response.body.find("backups are off") != std::string::npos);  // answered, by design
      } else {
        CHECK(response.status != 404);
      }
      CHECK(response.status != 405);
      CHECK(response.status < 500);
      ++called;
    }
  }
  CHECK(called >= 52);  // the operations of the document when this test was last extended
}

}  // namespace
}  // namespace keymint::testing
