// Every route keymint serves, one literal row each, so that grepping a path
// lands here. A deprecated family repeats its rows under its own paths with
// its own dialect and the same handlers.
#include "api/handlers.hpp"
#include "api/route_table.hpp"

namespace keymint::api {
namespace {

using enum Access;
using enum Placement;
using enum Dialect;
using enum Surface;

constexpr Route kRoutes[] = {
    // Tokens: Run:ai JSON (seed 005) and RFC 6749 form.
    {"POST", "/api/v1/token", kPublic, kByGrant, kV1Token, IssueV1Token},
    {"POST", "/api/v2/token", kPublic, kByGrant, kOAuth, IssueV2Token},
    // Introspection (RFC 7662) and revocation (RFC 7009), client-authenticated like /api/v2/token;
    // a revocation is a synced write.
    {"POST", "/oauth2/introspect", kPublic, kInline, kOAuthClient, IntrospectToken},
    {"POST", "/oauth2/revoke", kPublic, kPool, kOAuthClient, RevokeToken},

    // Discovery: the JWKS and the RFC 8414 / OpenID Connect metadata.
    {"GET", "/.well-known/jwks.json", kPublic, kInline, kStandard, GetJwks},
    {"GET", "/.well-known/openid-configuration", kPublic, kInline, kStandard, GetServerMetadata},
    {"GET", "/.well-known/oauth-authorization-server", kPublic, kInline, kStandard, GetServerMetadata},

    // The migration guide every deprecated answer links to (RFC 9745 rel="deprecation").
    {"GET", "/docs/migration", kPublic, kInline, kStandard, GetMigrationGuide},
    // The OpenAPI document of every row here (docs/openapi.json; tests check both ways).
    {"GET", "/api/openapi.json", kPublic, kInline, kStandard, GetOpenApiDocument},
    // The access-keys web page (web/): it calls only the public API above and below.
    {"GET", "/", kPublic, kInline, kStandard, GetWebPage},
    {"GET", "/app.js", kPublic, kInline, kStandard, GetWebScript},
    {"GET", "/app.css", kPublic, kInline, kStandard, GetWebStyle},
    // Operations: liveness, readiness, metrics (README "Operations").
    {"GET", "/healthz", kPublic, kInline, kStandard, GetHealthz, kOperations},
    {"GET", "/readyz", kPublic, kInline, kStandard, GetReadyz, kOperations},
    {"GET", "/metrics", kPublic, kInline, kStandard, GetMetrics, kOperations},
    // Online backups into the configured backup directory (README "Backup and restore").
    {"POST", "/api/v1/backups", kAdmin, kPool, kStandard, CreateBackup},
    {"GET", "/api/v1/backups", kAdmin, kPool, kStandard, ListBackups},

    // Access keys (seed 004).
    {"GET", "/api/v1/access-keys", kUser, kPool, kStandard, ListOwnAccessKeys},
    {"POST", "/api/v1/access-keys", kUser, kPool, kStandard, CreateAccessKey},
    {"GET", "/api/v1/access-keys/{id}", kUser, kPool, kStandard, GetOwnAccessKey},
    {"DELETE", "/api/v1/access-keys/{id}", kUser, kPool, kStandard, DeleteOwnAccessKey},
    {"POST", "/api/v1/access-keys/{id}/secret", kUser, kPool, kStandard, RegenerateOwnAccessKey},
    {"GET", "/api/v1/administration/access-keys", kAdmin, kPool, kStandard, ListAllAccessKeys},
    {"DELETE", "/api/v1/administration/access-keys/{id}", kAdmin, kPool, kStandard, DeleteAnyAccessKey},
    // Keymint's own: a key with its lifecycle state (README "Credential lifecycle").
    {"GET", "/api/v1/access-keys/{id}/details", kUser, kPool, kStandard, GetOwnAccessKeyDetails},
    {"GET", "/api/v1/administration/access-keys/{id}/details", kAdmin, kPool, kStandard, GetAnyAccessKeyDetails},

    // The same, under their deprecated name: user applications (seed 000).
    {"GET", "/api/v1/user-applications", kUser, kPool, kUserApplications, ListOwnAccessKeys},
    {"POST", "/api/v1/user-applications", kUser, kPool, kUserApplications, CreateAccessKey},
    {"GET", "/api/v1/user-applications/{id}", kUser, kPool, kUserApplications, GetOwnAccessKey},
    {"DELETE", "/api/v1/user-applications/{id}", kUser, kPool, kUserApplications, DeleteOwnAccessKey},
    {"POST", "/api/v1/user-applications/{id}/secret", kUser, kPool, kUserApplications, RegenerateOwnAccessKey},
    {"GET", "/api/v1/administration/user-applications", kAdmin, kPool, kUserApplications, ListAllAccessKeys},
    {"DELETE", "/api/v1/administration/user-applications/{id}", kAdmin, kPool, kUserApplications, DeleteAnyAccessKey},

    // Users and roles (API.md §7).
    {"GET", "/api/v1/authorization/roles", kAuthenticated, kPool, kStandard, ListRoles},
    {"GET", "/api/v1/users", kAdmin, kPool, kStandard, ListUsers},
    {"POST", "/api/v1/users", kAdmin, kPool, kStandard, CreateUser},
    {"GET", "/api/v1/users/{id}", kAdmin, kPool, kStandard, GetUser},
    {"DELETE", "/api/v1/users/{id}", kAdmin, kPool, kStandard, DeleteUser},
    {"PUT", "/api/v1/users/{id}/roles", kAdmin, kPool, kStandard, SetUserRoles},
    {"POST", "/api/v1/users/{id}/password", kAdmin, kPool, kStandard, ResetUserPassword},

    // Signing keys (README "Signing-key rotation"); a rotation generates a key and syncs files.
    {"GET", "/api/v1/signing-keys", kAdmin, kPool, kStandard, ListSigningKeys},
    {"POST", "/api/v1/signing-keys/rotate", kAdmin, kPool, kStandard, RotateSigningKey},
    {"POST", "/api/v1/me/password", kUser, kPool, kStandard, ChangeOwnPassword},

    // The audit log (README "Audit log").
    {"GET", "/api/v1/audit-logs", kAdmin, kPool, kStandard, ListAuditLogs},

    // Service accounts (API.md §6).
    {"GET", "/api/v1/service-accounts", kAdmin, kPool, kStandard, ListServiceAccounts},
    {"POST", "/api/v1/service-accounts", kAdmin, kPool, kStandard, CreateServiceAccount},
    {"GET", "/api/v1/service-accounts/{id}", kAdmin, kPool, kStandard, GetServiceAccount},
    {"PATCH", "/api/v1/service-accounts/{id}", kAdmin, kPool, kStandard, UpdateServiceAccount},
    {"DELETE", "/api/v1/service-accounts/{id}", kAdmin, kPool, kStandard, DeleteServiceAccount},
    {"POST", "/api/v1/service-accounts/{id}/secret", kAdmin, kPool, kStandard, RegenerateServiceAccount},
    {"GET", "/api/v1/service-accounts/{id}/details", kAdmin, kPool, kStandard, GetServiceAccountDetails},

    // The same, under their deprecated name: applications (seed 001).
    {"GET", "/api/v1/apps", kAdmin, kPool, kApplications, ListServiceAccounts},
    {"POST", "/api/v1/apps", kAdmin, kPool, kApplications, CreateServiceAccount},
    {"GET", "/api/v1/apps/{id}", kAdmin, kPool, kApplications, GetServiceAccount},
    {"PATCH", "/api/v1/apps/{id}", kAdmin, kPool, kApplications, UpdateServiceAccount},
    {"DELETE", "/api/v1/apps/{id}", kAdmin, kPool, kApplications, DeleteServiceAccount},
    {"POST", "/api/v1/apps/{id}/secret", kAdmin, kPool, kApplications, RegenerateServiceAccount},

    // Credential usage (README "Credential usage").
    {"GET", "/api/v1/access-keys/{id}/usage", kUser, kPool, kStandard, GetOwnAccessKeyUsage},
    {"GET", "/api/v1/administration/access-keys/{id}/usage", kAdmin, kPool, kStandard, GetAnyAccessKeyUsage},
    {"GET", "/api/v1/service-accounts/{id}/usage", kAdmin, kPool, kStandard, GetServiceAccountUsage},
};

}  // namespace

std::span<const Route> RouteTable() { return kRoutes; }

}  // namespace keymint::api
