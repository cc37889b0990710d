// Credential usage (README "Credential usage"): tokens minted in total and per UTC day
// over the last 30 days, the last source and User-Agent, the last failed
// attempt. Read-only; recorded off the token path.
#include <boost/json.hpp>

#include "api/handlers.hpp"
#include "api/json_body.hpp"
#include "keymint/api/api.hpp"
#include "keymint/common/clock.hpp"

namespace keymint::api {
namespace json = boost::json;
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

Result<const UsageService*> Usage(const RequestContext& c) {
  if (c.services.usage == nullptr) return Error::Unavailable("credential usage is not available");
  return c.services.usage;
}

json::value StringOrNull(const std::string& text) { return text.empty() ? json::value(nullptr) : json::value(text); }

Response UsageAnswer(const CredentialUsage& usage) {
  json::array daily;
  for (const auto& d : usage.days) {
    // "YYYY-MM-DD": the date part of the day's midnight as a timestamp.
    daily.emplace_back(
        json::object{{"date", FormatTimestamp(d.day * kMillisPerDay).substr(0, 10)}, {"tokens", d.tokens}});
  }
  return JsonResponse(200, json::object{{"id", usage.id},
                                        {"tokensIssued", usage.total_tokens},
                                        {"daily", std::move(daily)},
                                        {"lastUsedAt", TimestampOrNull(usage.last_used_ms)},
                                        {"lastSourceAddress", StringOrNull(usage.last_source)},
                                        {"lastUserAgent", StringOrNull(usage.last_user_agent)},
                                        {"lastFailedAt", TimestampOrNull(usage.last_failed_ms)}});
}

}  // namespace

Result<Response> GetOwnAccessKeyUsage(const RequestContext& c) {
  ASSIGN_OR_RETURN(const auto* usage, Usage(c));
  ASSIGN_OR_RETURN(auto found, usage->OfOwnAccessKey(*c.principal, c.params[0]));
  return UsageAnswer(found);
}

Result<Response> GetAnyAccessKeyUsage(const RequestContext& c) {
  ASSIGN_OR_RETURN(const auto* usage, Usage(c));
  ASSIGN_OR_RETURN(auto found, usage->OfAccessKey(c.params[0]));
  return UsageAnswer(found);
}

Result<Response> GetServiceAccountUsage(const RequestContext& c) {
  ASSIGN_OR_RETURN(const auto* usage, Usage(c));
  ASSIGN_OR_RETURN(auto found, usage->OfServiceAccount(c.params[0]));
  return UsageAnswer(found);
}

}  // namespace keymint::api
