#include "store/key_layout.hpp"

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

std::string_view IdFromIndexKey(std::string_view key) {
  auto pos = key.rfind(':');
  return pos == std::string_view::npos ? key : key.substr(pos + 1);
}

}  // namespace keymint::store_layout
