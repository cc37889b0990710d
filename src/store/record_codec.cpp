#include "store/record_codec.hpp"

#include <boost/json.hpp>
#include <optional>

namespace keymint::store_codec {
namespace json = boost::json;
namespace {

constexpr int64_t kFormatVersion = 1;

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

json::array ToJson(const std::vector<std::string>& strings) {
  json::array array;
  for (const auto& s : strings) array.emplace_back(s);
  return array;
}

// Reads fields from a decoded object, remembering whether any was missing or
// of the wrong type, so that Decode* can check once at the end.
class Reader {
 public:
  explicit Reader(const json::object& object) : object_(object) {}
  std::string String(std::string_view key) {
    const json::value* v = object_.if_contains(key);
    if (!v || !v->is_string()) return Fail<std::string>();
    return std::string(v->get_string());
  }
  int64_t Int(std::string_view key) {
    const json::value* v = object_.if_contains(key);
    if (!v || !v->is_int64()) return Fail<int64_t>();
    return v->get_int64();
  }
  // A non-negative integer, or 0 when absent (records written before the
  // field existed).
  uint64_t OptionalUint(std::string_view key) {
    const json::value* v = object_.if_contains(key);
    if (!v) return 0;
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
    return Fail<uint64_t>();
  }
  // nullopt when absent (records written before the field existed).
  std::optional<int64_t> OptionalInt(std::string_view key) {
    if (!object_.contains(key)) return std::nullopt;
    return Int(key);
  }
  std::optional<std::vector<std::string>> OptionalStrings(std::string_view key) {
    if (!object_.contains(key)) return std::nullopt;
    return Strings(key);
  }
  // "" when absent.
  std::string OptionalString(std::string_view key) {
    if (!object_.contains(key)) return {};
    return String(key);
  }
  bool Bool(std::string_view key) {
    const json::value* v = object_.if_contains(key);
    if (!v || !v->is_bool()) return Fail<bool>();
    return v->get_bool();
  }
  std::vector<std::string> Strings(std::string_view key) {
    std::vector<std::string> out;
    const json::value* v = object_.if_contains(key);
    if (!v || !v->is_array()) return Fail<std::vector<std::string>>();
    for (const auto& item : v->get_array()) {
      if (!item.is_string()) return Fail<std::vector<std::string>>();
      out.emplace_back(item.get_string());
    }
    return out;
  }
  bool ok() const { return ok_; }

 private:
  template <typename T>
  T Fail() {
    ok_ = false;
    return T{};
  }
  const json::object& object_;
  bool ok_ = true;
};

// A record parsed into an arena on the stack. Records are a few hundred
// bytes, and every token exchange decodes two of them (the credential and its
// owner): parsing onto the heap cost more than the reads themselves. Only the
// fields copied out of it allocate.
class ParsedRecord {
 public:
  explicit ParsedRecord(std::string_view bytes) : arena_(buffer_, sizeof buffer_) {
    json::error_code ec;
    json::value value = json::parse(bytes, ec, &arena_);
    // Moving keeps the arena as the value's storage.
    if (!ec && value.is_object()) value_.emplace(std::move(value));
  }
  ParsedRecord(const ParsedRecord&) = delete;
  ParsedRecord& operator=(const ParsedRecord&) = delete;

  // The record's object; null when the bytes are not a JSON object.
  const json::object* object() const { return value_ ? &value_->get_object() : nullptr; }

 private:
  unsigned char buffer_[4096];  // a larger record spills to the heap, still correct
  json::monotonic_resource arena_;
  std::optional<json::value> value_;
};

}  // namespace

std::string EncodeUser(const UserRecord& user) {
  return json::serialize(json::object{{"v", kFormatVersion},
                                      {"id", user.id},
                                      {"email", user.email},
                                      {"password", user.password_hash},
                                      {"roles", ToJson(user.roles)},
                                      {"createdBy", user.created_by},
                                      {"createdAt", user.created_at_ms},
                                      {"updatedAt", user.updated_at_ms},
                                      {"generation", user.generation}});
}

std::optional<UserRecord> DecodeUser(std::string_view bytes) {
  const ParsedRecord parsed(bytes);
  const json::object* object = parsed.object();
  if (object == nullptr) return std::nullopt;
  Reader r(*object);
  UserRecord user;
  user.id = r.String("id");
  user.email = r.String("email");
  user.password_hash = r.String("password");
  user.roles = r.Strings("roles");
  user.created_by = r.String("createdBy");
  user.created_at_ms = r.Int("createdAt");
  user.updated_at_ms = r.Int("updatedAt");
  user.generation = r.OptionalUint("generation");
  if (!r.ok()) return std::nullopt;
  return user;
}

std::string EncodeCredential(const CredentialRecord& c) {
  json::object object{{"v", kFormatVersion},
                      {"id", c.id},
                      {"kind", c.kind == CredentialKind::kAccessKey ? "access-key" : "service-account"},
                      {"name", c.name},
                      {"clientId", c.client_id},
                      {"secretHmac", ToHex(c.secret_hash)},
                      {"owner", c.owner_id},
                      {"createdBy", c.created_by},
                      {"createdAt", c.created_at_ms},
                      {"updatedAt", c.updated_at_ms},
                      {"enabled", c.enabled},
                      {"roles", ToJson(c.roles)},
                      {"generation", c.generation}};
  // The lifecycle members only when set: most records have none, and records
  // without them read back as before.
  if (c.expires_at_ms) object.emplace("expiresAt", *c.expires_at_ms);
  if (c.scope) object.emplace("scope", ToJson(*c.scope));
  if (!c.previous_secret_hash.empty()) {
    object.emplace("previousSecretHmac", ToHex(c.previous_secret_hash));
    object.emplace("previousSecretEndsAt", c.previous_secret_ends_at_ms);
  }
  return json::serialize(object);
}

std::optional<CredentialRecord> DecodeCredential(std::string_view bytes) {
  const ParsedRecord parsed(bytes);
  const json::object* object = parsed.object();
  if (object == nullptr) return std::nullopt;
  Reader r(*object);
  CredentialRecord c;
  c.id = r.String("id");
  std::string kind = r.String("kind");
  c.name = r.String("name");
  c.client_id = r.String("clientId");
  auto hash = FromHex(r.String("secretHmac"));
  c.owner_id = r.String("owner");
  c.created_by = r.String("createdBy");
  c.created_at_ms = r.Int("createdAt");
  c.updated_at_ms = r.Int("updatedAt");
  c.enabled = r.Bool("enabled");
  c.roles = r.Strings("roles");
  c.generation = r.OptionalUint("generation");
  // Versions before generations ended a credential's older tokens with a
  // whole-second cut-off, "tokensNotBefore", and minted tokens without `gen`
  // (read as 0). Such a credential starts at generation 1: every token it
  // minted before the upgrade is refused, those from its current secret too,
  // which costs its clients one fresh token and keeps one mechanism.
  if (object->contains("tokensNotBefore") && r.Int("tokensNotBefore") > 0 && c.generation == 0) c.generation = 1;
  c.expires_at_ms = r.OptionalInt("expiresAt");
  c.scope = r.OptionalStrings("scope");
  auto previous_hash = FromHex(r.OptionalString("previousSecretHmac"));
  c.previous_secret_ends_at_ms = r.OptionalInt("previousSecretEndsAt").value_or(0);
  if (!r.ok() || !hash || !previous_hash || (kind != "access-key" && kind != "service-account")) return std::nullopt;
  c.previous_secret_hash = std::move(*previous_hash);
  c.kind = kind == "access-key" ? CredentialKind::kAccessKey : CredentialKind::kServiceAccount;
  c.secret_hash = std::move(*hash);
  return c;
}

std::string EncodeAudit(const AuditRecord& e) {
  return json::serialize(json::object{{"v", kFormatVersion},
                                      {"id", e.id},
                                      {"at", e.at_ms},
                                      {"actor", e.actor},
                                      {"actorId", e.actor_id},
                                      {"action", e.action},
                                      {"target", e.target},
                                      {"source", e.source},
                                      {"success", e.success},
                                      {"detail", e.detail}});
}

std::optional<AuditRecord> DecodeAudit(std::string_view bytes) {
  const ParsedRecord parsed(bytes);
  const json::object* object = parsed.object();
  if (object == nullptr) return std::nullopt;
  Reader r(*object);
  AuditRecord e;
  e.id = r.String("id");
  e.at_ms = r.Int("at");
  e.actor = r.String("actor");
  e.actor_id = r.String("actorId");
  e.action = r.String("action");
  e.target = r.String("target");
  e.source = r.String("source");
  e.success = r.Bool("success");
  e.detail = r.String("detail");
  if (!r.ok()) return std::nullopt;
  return e;
}

namespace {

json::value OptionalMillis(const std::optional<int64_t>& ms) { return ms ? json::value(*ms) : json::value(nullptr); }

// A time that may be null; false when the member is neither (a damaged record).
bool ReadOptionalMillis(const json::object& object, std::string_view key, std::optional<int64_t>& out) {
  const json::value* v = object.if_contains(key);
  if (!v || v->is_null()) {
    out.reset();
    return true;
  }
  if (!v->is_int64()) return false;
  out = v->get_int64();
  return true;
}

}  // namespace

std::string EncodeUsage(const CredentialUsage& u) {
  json::array days;
  for (const auto& d : u.days) days.emplace_back(json::array{d.day, d.tokens});
  return json::serialize(json::object{{"v", kFormatVersion},
                                      {"id", u.id},
                                      {"total", u.total_tokens},
                                      {"days", std::move(days)},
                                      {"lastUsed", OptionalMillis(u.last_used_ms)},
                                      {"source", u.last_source},
                                      {"userAgent", u.last_user_agent},
                                      {"lastFailed", OptionalMillis(u.last_failed_ms)}});
}

std::optional<CredentialUsage> DecodeUsage(std::string_view bytes) {
  const ParsedRecord parsed(bytes);
  const json::object* object = parsed.object();
  if (object == nullptr) return std::nullopt;
  Reader r(*object);
  CredentialUsage u;
  u.id = r.String("id");
  u.total_tokens = r.OptionalUint("total");
  u.last_source = r.String("source");
  u.last_user_agent = r.String("userAgent");
  if (!r.ok() || !ReadOptionalMillis(*object, "lastUsed", u.last_used_ms) ||
      !ReadOptionalMillis(*object, "lastFailed", u.last_failed_ms)) {
    return std::nullopt;
  }
  const json::value* days = object->if_contains("days");
  if (!days || !days->is_array()) return std::nullopt;
  for (const auto& item : days->get_array()) {
    const json::array* pair = item.if_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_int64() || !((*pair)[1].is_int64() || (*pair)[1].is_uint64())) {
      return std::nullopt;
    }
    const json::value& count = (*pair)[1];
    if (count.is_int64() && count.get_int64() < 0) return std::nullopt;
    u.days.push_back(
        {(*pair)[0].get_int64(), count.is_uint64() ? count.get_uint64() : static_cast<uint64_t>(count.get_int64())});
  }
  return u;
}

}  // namespace keymint::store_codec
