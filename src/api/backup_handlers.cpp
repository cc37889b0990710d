// Online backups (README "Backup and restore"): POST /api/v1/backups writes
// one into the configured directory and answers its record; GET lists them.
#include "api/handlers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

// The id is the backup engine's number, not a UUID: it is what
// `keymint restore --backup-id N` takes.
json::object BackupJson(const BackupRecord& backup) {
  return {{"id", backup.id},
          {"createdAt", TimestampOrNull(backup.created_at_ms)},
          {"sizeBytes", backup.size_bytes},
          {"fileCount", backup.file_count},
          {"verified", backup.verified}};
}

Result<BackupService*> Backups(const RequestContext& c) {
  if (c.services.backups == nullptr) return Error::NotFound("backups are off: no backup directory is configured");
  return c.services.backups;
}

}  // namespace

Result<Response> CreateBackup(const RequestContext& c) {
  ASSIGN_OR_RETURN(BackupService * backups, Backups(c));
  ASSIGN_OR_RETURN(auto created, backups->Create());
  return JsonResponse(201, BackupJson(created));
}

Result<Response> ListBackups(const RequestContext& c) {
  ASSIGN_OR_RETURN(BackupService * backups, Backups(c));
  ASSIGN_OR_RETURN(auto listed, backups->List());
  json::array items;
  for (const auto& backup : listed) items.push_back(BackupJson(backup));
  return JsonResponse(200, items);
}

}  // namespace keymint::api
