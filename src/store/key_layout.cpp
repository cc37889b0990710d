#include "store/key_layout.hpp"

#include <algorithm>
#include <cstdio>

namespace keymint::store_layout {
namespace {

std::string Join(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (std::string_view part : parts) {
    if (!key.empty()) key += ':';
    key += part;
  }
  return key;
}

std::string PaddedMillis(int64_t ms) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016lld", static_cast<long long>(ms < 0 ? 0 : ms));
  return buf;
}

constexpr int64_t kMaxMillis = 9'999'999'999'999'999;  // the largest 16-digit time

std::string InvertedMillis(int64_t ms) { return PaddedMillis(kMaxMillis - std::clamp<int64_t>(ms, 0, kMaxMillis)); }

bool IsIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

std::string_view KindTag(CredentialKind kind) { return kind == CredentialKind::kAccessKey ? "a" : "s"; }

}  // namespace

std::string UserKey(std::string_view id) { return Join({"u", id}); }
std::string UserEmailKey(std::string_view email) { return Join({"ue", email}); }
std::string UserTimeKey(int64_t created_ms, std::string_view id) { return Join({"ut", PaddedMillis(created_ms), id}); }

std::string CredentialKey(std::string_view id) { return Join({"c", id}); }
std::string ClientIdKey(std::string_view client_id) { return Join({"cc", client_id}); }
std::string CredentialNameKey(CredentialKind kind, std::string_view scope, std::string_view name) {
  return Join({"cn", KindTag(kind), scope, name});
}
std::string OwnerIndexPrefix(std::string_view owner_id) { return Join({"co", owner_id, ""}); }
std::string OwnerIndexKey(std::string_view owner_id, int64_t created_ms, std::string_view id) {
  return Join({"co", owner_id, PaddedMillis(created_ms), id});
}
std::string KindIndexPrefix(CredentialKind kind) { return Join({"ck", KindTag(kind), ""}); }
std::string KindIndexKey(CredentialKind kind, int64_t created_ms, std::string_view id) {
  return Join({"ck", KindTag(kind), PaddedMillis(created_ms), id});
}

std::string LastLoginKey(std::string_view id) { return Join({"ll", id}); }
std::string UsageKey(std::string_view credential_id) { return Join({"cu", credential_id}); }
std::string RevokedTokenKey(std::string_view jti) { return Join({"rt", jti}); }

std::string AuditKey(int64_t at_ms, std::string_view id) { return Join({"al", InvertedMillis(at_ms), id}); }
std::string AuditTimeKey(int64_t at_ms) { return Join({"al", InvertedMillis(at_ms), ""}); }

std::optional<int64_t> AuditKeyTime(std::string_view key) {
  constexpr std::size_t kDigits = 16;
  if (key.substr(0, kAuditPrefix.size()) != kAuditPrefix) return std::nullopt;
  key.remove_prefix(kAuditPrefix.size());
  if (key.size() < kDigits + 2 || key.size() > kDigits + 1 + 64 || key[kDigits] != ':') return std::nullopt;
  int64_t inverted = 0;
  for (char c : key.substr(0, kDigits)) {
    if (c < '0' || c > '9') return std::nullopt;
    inverted = inverted * 10 + (c - '0');
  }
  for (char c : key.substr(kDigits + 1)) {
    if (!IsIdChar(c)) return std::nullopt;
  }
  return kMaxMillis - inverted;
}

std::string_view IdFromIndexKey(std::string_view key) {
  auto pos = key.rfind(':');
  return pos == std::string_view::npos ? key : key.substr(pos + 1);
}

}  // namespace keymint::store_layout
