// Every handler the route table names, by resource family. Each is pure:
// RequestContext in, Result<Response> out; see route_table.hpp.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <string_view>

#include "api/route_table.hpp"
#include "keymint/service/audit_trail.hpp"

namespace keymint::api {

// Tokens (token_handlers.cpp).
Result<Response> IssueV1Token(const RequestContext& c);
Result<Response> IssueV2Token(const RequestContext& c);
// Whether a request to a token endpoint of `dialect` asks for the password
// grant, whose KDF must not run on an I/O thread. Decides Placement::kByGrant.
bool RequestsPasswordGrant(Dialect dialect, const Request& request);

// Discovery (discovery_handlers.cpp).
Result<Response> GetJwks(const RequestContext& c);
Result<Response> GetServerMetadata(const RequestContext& c);

// Documents about the API (document_handlers.cpp).
Result<Response> GetMigrationGuide(const RequestContext& c);
Result<Response> GetOpenApiDocument(const RequestContext& c);
// The access-keys web page and its assets (web_page_handlers.cpp).
Result<Response> GetWebPage(const RequestContext& c);
Result<Response> GetWebScript(const RequestContext& c);
Result<Response> GetWebStyle(const RequestContext& c);
// Operations: liveness, readiness, metrics (ops_handlers.cpp).
Result<Response> GetHealthz(const RequestContext& c);
Result<Response> GetReadyz(const RequestContext& c);
Result<Response> GetMetrics(const RequestContext& c);
// Online backups (backup_handlers.cpp).
Result<Response> CreateBackup(const RequestContext& c);
Result<Response> ListBackups(const RequestContext& c);

// Access keys and user applications (access_key_handlers.cpp).
Result<Response> ListOwnAccessKeys(const RequestContext& c);
Result<Response> CreateAccessKey(const RequestContext& c);
Result<Response> GetOwnAccessKey(const RequestContext& c);
Result<Response> DeleteOwnAccessKey(const RequestContext& c);
Result<Response> RegenerateOwnAccessKey(const RequestContext& c);
Result<Response> ListAllAccessKeys(const RequestContext& c);
Result<Response> DeleteAnyAccessKey(const RequestContext& c);
// Keymint's own: a key with its lifecycle state (README "Credential lifecycle").
Result<Response> GetOwnAccessKeyDetails(const RequestContext& c);
Result<Response> GetAnyAccessKeyDetails(const RequestContext& c);

// Users and roles (user_handlers.cpp).
Result<Response> ListRoles(const RequestContext& c);
Result<Response> ListUsers(const RequestContext& c);
Result<Response> CreateUser(const RequestContext& c);
Result<Response> GetUser(const RequestContext& c);
Result<Response> DeleteUser(const RequestContext& c);
Result<Response> SetUserRoles(const RequestContext& c);
Result<Response> ResetUserPassword(const RequestContext& c);
Result<Response> ChangeOwnPassword(const RequestContext& c);

// A non-negative decimal query parameter within [min, max], `fallback` when
// absent, or an error naming it (access_key_handlers.cpp).
Result<std::size_t> SizeParam(const RequestContext& c, std::string_view name, std::size_t fallback, std::size_t min,
                              std::size_t max);

// The audit log (audit_handlers.cpp), and who a request's audit entries name.
Result<Response> ListAuditLogs(const RequestContext& c);
AuditActor ActorOf(const RequestContext& c);

// Signing keys and their rotation (signing_key_handlers.cpp).
Result<Response> ListSigningKeys(const RequestContext& c);
Result<Response> RotateSigningKey(const RequestContext& c);

// Service accounts and applications (service_account_handlers.cpp).
Result<Response> ListServiceAccounts(const RequestContext& c);
Result<Response> CreateServiceAccount(const RequestContext& c);
Result<Response> GetServiceAccount(const RequestContext& c);
Result<Response> UpdateServiceAccount(const RequestContext& c);
Result<Response> DeleteServiceAccount(const RequestContext& c);
Result<Response> RegenerateServiceAccount(const RequestContext& c);
Result<Response> GetServiceAccountDetails(const RequestContext& c);

// Adds what a /details answer shows beyond the seed's record: enabled,
// expiresAt, secretGraceEndsAt and, `with_scope` (access keys), roles
// (credential_state_json.cpp).
void AddCredentialState(boost::json::object& object, const CredentialState& state, bool with_scope);

// Token introspection and revocation (introspection_handlers.cpp).
Result<Response> IntrospectToken(const RequestContext& c);
Result<Response> RevokeToken(const RequestContext& c);

// Credential usage (usage_handlers.cpp).
Result<Response> GetOwnAccessKeyUsage(const RequestContext& c);
Result<Response> GetAnyAccessKeyUsage(const RequestContext& c);
Result<Response> GetServiceAccountUsage(const RequestContext& c);

}  // namespace keymint::api
