// GET /api/v1/audit-logs (README "Audit log"): the audit log, newest first,
// filtered by time range, actor, action and target, a page at a time.
#include <algorithm>

#include "api/handlers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"
#include "keymint/crypto/encoding.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

constexpr std::size_t kDefaultLimit = 100;  // and the most: the seeds' maxItems
constexpr std::size_t kScanBudget = 1000;   // entries read per page, matching or not
constexpr std::size_t kMaxCursorChars = 256;
constexpr std::size_t kMaxFilterChars = 320;  // an email is at most 254 bytes
// Cursors carry a version, so that their format can change without old ones
// being misread.
constexpr std::string_view kCursorTag = "audit.v1:";

Error BadCursor() { return Error::InvalidArgument("cursor is not a cursor this endpoint returned"); }

std::string EncodeCursor(std::string_view position) {
  return crypto::Base64UrlEncode(std::string(kCursorTag) + std::string(position));
}

Result<std::string> DecodeCursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > kMaxCursorChars) return BadCursor();
  auto decoded = crypto::Base64UrlDecode(cursor);
  if (!decoded || decoded->compare(0, kCursorTag.size(), kCursorTag) != 0 || decoded->size() == kCursorTag.size()) {
    return BadCursor();
  }
  return decoded->substr(kCursorTag.size());
}

Result<std::optional<int64_t>> TimeParam(const RequestContext& c, std::string_view name) {
  auto text = c.Query(name);
  if (!text) return std::optional<int64_t>();
  auto at = ParseTimestamp(*text);
  if (!at)
    return Error::InvalidArgument(std::string(name) + " must be an RFC 3339 date-time, e.g. 2026-11-23T19:31:14Z");
  return at;
}

Result<std::optional<std::string>> FilterParam(const RequestContext& c, std::string_view name) {
  auto text = c.Query(name);
  if (text && (text->empty() || text->size() > kMaxFilterChars)) {
    return Error::InvalidArgument(std::string(name) + " must be 1 to " + std::to_string(kMaxFilterChars) +
                                  " characters");
  }
  return text;
}

Result<AuditQuery> ReadQuery(const RequestContext& c) {
  AuditQuery query;
  ASSIGN_OR_RETURN(query.from_ms, TimeParam(c, "from"));
  ASSIGN_OR_RETURN(query.to_ms, TimeParam(c, "to"));
  if (query.from_ms && query.to_ms && *query.from_ms > *query.to_ms) {
    return Error::InvalidArgument("from must not be after to");
  }
  ASSIGN_OR_RETURN(query.actor, FilterParam(c, "actor"));
  ASSIGN_OR_RETURN(query.target, FilterParam(c, "target"));
  ASSIGN_OR_RETURN(query.action, FilterParam(c, "action"));
  if (query.action) {
    const auto actions = AuditActions();
    if (std::find(actions.begin(), actions.end(), *query.action) == actions.end()) {
      return Error::InvalidArgument("action must be one of the audit log's actions, e.g. access_key.create");
    }
  }
  ASSIGN_OR_RETURN(query.limit, SizeParam(c, "limit", kDefaultLimit, 1, kDefaultLimit));
  if (auto cursor = c.Query("cursor")) {
    ASSIGN_OR_RETURN(query.after, DecodeCursor(*cursor));
  }
  query.scan_budget = kScanBudget;
  return query;
}

json::object EntryJson(const AuditRecord& e) {
  return {{"id", e.id},
          {"time", FormatTimestamp(e.at_ms)},
          {"actor", e.actor},
          {"actorId", e.actor_id},
          {"action", e.action},
          {"target", e.target},
          {"sourceAddress", e.source},
          {"outcome", e.success ? "success" : "failure"},
          {"detail", e.detail}};
}

}  // namespace

AuditActor ActorOf(const RequestContext& c) {
  if (c.principal == nullptr) return {"", "", std::string(c.request.remote_address)};
  return AuditActor::Of(*c.principal, c.request.remote_address);
}

Result<Response> ListAuditLogs(const RequestContext& c) {
  if (c.services.audit == nullptr) return Error::Unavailable("this keymint keeps no audit log");
  ASSIGN_OR_RETURN(const AuditQuery query, ReadQuery(c));
  ASSIGN_OR_RETURN(auto page, c.services.audit->List(query));
  json::array items;
  items.reserve(page.entries.size());
  for (const auto& entry : page.entries) items.push_back(EntryJson(entry));
  json::value next = page.next.empty() ? json::value(nullptr) : json::value(EncodeCursor(page.next));
  return JsonResponse(200, json::object{{"auditLogs", std::move(items)}, {"nextCursor", std::move(next)}});
}

}  // namespace keymint::api
