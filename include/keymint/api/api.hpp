// Builds keymint's HTTP API: the router over the route table and the services.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "keymint/api/metrics.hpp"
#include "keymint/api/readiness.hpp"
#include "keymint/api/router.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/service/access_key_service.hpp"
#include "keymint/service/audit_trail.hpp"
#include "keymint/service/authenticator.hpp"
#include "keymint/service/backup_service.hpp"
#include "keymint/service/service_account_service.hpp"
#include "keymint/service/signing_key_service.hpp"
#include "keymint/service/token_introspection.hpp"
#include "keymint/service/token_service.hpp"
#include "keymint/service/usage_service.hpp"
#include "keymint/service/user_service.hpp"

namespace keymint::api {

// Everything the handlers call. The router keeps this struct by value; the
// services it refers to must outlive the router.
struct ApiServices {
  TokenService& tokens;
  const Authenticator& authenticator;
  AccessKeyService& access_keys;
  UserService& users;
  ServiceAccountService& service_accounts;
  const crypto::KeyRing& keys;
  std::string issuer;     // for the discovery documents
  std::string tenant_id;  // reported as service accounts' tenantId
  // The deprecated paths' Deprecation and Sunset dates, Unix seconds
  // (Config::deprecation_date, Config::sunset_date; no sunset = none announced).
  int64_t deprecation_date = 0;
  std::optional<int64_t> sunset_date = std::nullopt;
  // What GET /readyz checks and what the router counts and GET /metrics
  // serves; null where nobody asks (unit tests): ready, and nothing counted.
  const Readiness* readiness = nullptr;
  Metrics* metrics = nullptr;
  // POST and GET /api/v1/backups; null = backups off (as with no backup.dir).
  BackupService* backups = nullptr;
  // What GET /api/v1/audit-logs reads; null: the route answers 503.
  AuditTrail* audit = nullptr;
  // Signing-key rotation; null where nobody rotates (unit tests): its routes answer 503.
  SigningKeyService* signing_keys = nullptr;
  // POST /oauth2/introspect and /oauth2/revoke; null: they answer 503.
  TokenIntrospection* introspection = nullptr;
  // GET .../{id}/usage; null: they answer 503.
  const UsageService* usage = nullptr;
};

// Which routes of the route table a router serves.
enum class RouteSet {
  kAll,         // every route: keymint without an admin listener
  kApi,         // all but health, readiness and metrics: the main listener beside an admin one
  kOperations,  // only health, readiness and metrics: the admin listener (--admin-listen)
};

// The router over the routes of `routes` in the route table
// (src/api/routes.cpp); the others are answered 404 like unknown paths.
std::unique_ptr<Router> MakeRouter(ApiServices services, RouteSet routes = RouteSet::kAll);

}  // namespace keymint::api
