// The settings table and the checks behind it. Readers of the sources live in
// config.cpp; this file only says what each setting is and what it accepts.
#include "config/settings_table.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <type_traits>

#include "keymint/common/account_rules.hpp"
#include "keymint/common/log.hpp"

namespace keymint::config {
namespace {

constexpr std::size_t kMaxQuotedBytes = 80;
constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kMaxRoleChars = 64;
constexpr std::size_t kMaxTenantBytes = 64;
// The admin password's description below spells out the shared rule.
static_assert(kMinPasswordBytes == 8 && kMaxPasswordBytes == 1024);

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool HasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return IsControl(static_cast<unsigned char>(c)); });
}

bool HasSpaceOrControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || IsControl(static_cast<unsigned char>(c)); });
}

// Counts code points, not bytes: role names may be non-ASCII and the limit is
// meant for people. TOML and the environment hand us UTF-8.
std::size_t Utf8Length(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool ParsePort(std::string_view text, uint16_t& port) {
  if (text.empty() || text.size() > 5) return false;
  uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

// HOST is deliberately narrow (no DNS names but localhost): a name that
// resolves to several addresses would make "which interface?" a runtime
// surprise. IPv6 is stored without its brackets, as Asio wants it.
bool ParseListen(std::string_view text, std::string& host, uint16_t& port) {
  if (HasSpaceOrControl(text)) return false;  // also keeps NULs away from inet_pton
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || !ParsePort(text.substr(colon + 1), port)) return false;
  const std::string_view host_part = text.substr(0, colon);
  if (host_part == "localhost") {
    host = host_part;
    return true;
  }
  if (host_part.size() > 2 && host_part.front() == '[' && host_part.back() == ']') {
    const std::string inner(host_part.substr(1, host_part.size() - 2));
    in6_addr address{};
    if (inet_pton(AF_INET6, inner.c_str(), &address) != 1) return false;
    host = inner;
    return true;
  }
  // glibc's inet_pton accepts only four dotted decimal octets, without the
  // leading zeros that inet_aton would read as octal.
  const std::string candidate(host_part);
  in_addr address{};
  if (inet_pton(AF_INET, candidate.c_str(), &address) != 1) return false;
  host = candidate;
  return true;
}

bool IsNonEmptyText(std::string_view text) { return !text.empty() && !HasControl(text); }

// "" = the feature is off (backup.dir).
bool IsOptionalPath(std::string_view text) { return !HasControl(text); }

bool IsAudience(std::string_view text) { return IsNonEmptyText(text) && text.size() <= kMaxUrlBytes; }

bool IsStoreUrl(std::string_view text) { return text.empty() || IsSharedStoreUrl(text); }

bool IsTenantId(std::string_view text) {
  return !text.empty() && text.size() <= kMaxTenantBytes && !HasSpaceOrControl(text);
}

bool IsPassword(std::string_view text) { return IsNonEmptyText(text) && HasPasswordLength(text); }

// The JOSE "alg" names keymint can sign with, exactly as JOSE spells them
// (crypto::ParseSigningAlgorithm reads the same three).
bool IsSigningAlgorithm(std::string_view text) { return text == "RS256" || text == "ES256" || text == "EdDSA"; }

bool IsLogLevel(std::string_view text) { return log::ParseLevel(text).has_value(); }

// --- Apply functions: one per shape of setting, instantiated per Config field.

template <auto kMember>
std::optional<std::string> StoreInteger(const Setting& setting, const SettingInput& input, Config& config) {
  const int64_t value = std::get<int64_t>(input.value);
  if (value < setting.min || value > setting.max) return ExpectedGot(setting, input.shown);
  using Field = std::remove_reference_t<decltype(config.*kMember)>;
  config.*kMember = static_cast<Field>(value);
  return std::nullopt;
}

template <auto kMember, bool (*kValid)(std::string_view)>
std::optional<std::string> StoreString(const Setting& setting, const SettingInput& input, Config& config) {
  const auto& text = std::get<std::string>(input.value);
  if (!kValid(text)) return ExpectedGot(setting, input.shown);
  config.*kMember = text;
  return std::nullopt;
}

std::optional<std::string> StoreAdminListen(const Setting& setting, const SettingInput& input, Config& config) {
  std::string host;
  uint16_t port = 0;
  if (!ParseListen(std::get<std::string>(input.value), host, port)) return ExpectedGot(setting, input.shown);
  config.admin_listen_host = std::move(host);
  config.admin_listen_port = port;
  return std::nullopt;
}

std::optional<std::string> StoreListen(const Setting& setting, const SettingInput& input, Config& config) {
  std::string host;
  uint16_t port = 0;
  if (!ParseListen(std::get<std::string>(input.value), host, port)) return ExpectedGot(setting, input.shown);
  config.listen_host = std::move(host);
  config.listen_port = port;
  return std::nullopt;
}

// The issuer goes verbatim into every token's "iss" and the discovery
// documents, and verifiers compare it byte for byte; silently stripping a
// trailing slash would make keymint disagree with the operator's own config.
std::optional<std::string> StoreIssuer(const Setting& setting, const SettingInput& input, Config& config) {
  const auto& text = std::get<std::string>(input.value);
  std::string_view rest = text;
  const bool has_scheme = rest.starts_with("https://") || rest.starts_with("http://");
  if (has_scheme) rest.remove_prefix(rest.find("//") + 2);
  if (has_scheme && !rest.empty() && rest.back() == '/' && rest.find_first_not_of('/') != std::string_view::npos) {
    return "must not end with \"/\" (it is compared byte for byte in tokens), got " + input.shown;
  }
  if (!has_scheme || rest.empty() || rest.front() == '/' || text.size() > kMaxUrlBytes || HasSpaceOrControl(text) ||
      text.find_first_of("?#") != std::string::npos) {
    return ExpectedGot(setting, input.shown);
  }
  config.issuer = text;
  return std::nullopt;
}

// "YYYY-MM-DD", a real calendar date, read as that day's midnight UTC: a day
// is as precise as a deprecation or sunset announcement needs to be.
std::optional<int64_t> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t from, std::size_t count) -> std::optional<int> {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const auto year = digits(0, 4);
  const auto month = digits(5, 2);
  const auto day = digits(8, 2);
  if (!year || !month || !day || *year < 1970) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::sys_days(date).time_since_epoch()).count();
}

template <auto kMember>
std::optional<std::string> StoreDate(const Setting& setting, const SettingInput& input, Config& config) {
  const auto seconds = ParseDate(std::get<std::string>(input.value));
  if (!seconds) return ExpectedGot(setting, input.shown);
  config.*kMember = *seconds;
  return std::nullopt;
}

std::optional<std::string> StoreExtraRoles(const Setting&, const SettingInput& input, Config& config) {
  const auto& roles = std::get<std::vector<std::string>>(input.value);
  for (std::size_t i = 0; i < roles.size(); ++i) {
    const std::string& role = roles[i];
    if (role.empty() || HasControl(role) || Utf8Length(role) > kMaxRoleChars) {
      return "expected role names of 1 to 64 characters without control characters, got " + Quote(role);
    }
    if (std::find(roles.begin(), roles.begin() + static_cast<std::ptrdiff_t>(i), role) !=
        roles.begin() + static_cast<std::ptrdiff_t>(i)) {
      return "role " + Quote(role) + " is listed twice";
    }
  }
  config.extra_roles = roles;
  return std::nullopt;
}

// Rows are in the order of config/keymint.toml. Defaults live in Config itself
// (config.hpp), so there is exactly one place that says what they are.
constexpr std::array kSettings = {
    Setting{.toml_path = "server.listen",
            .env = "KEYMINT_LISTEN",
            .flag = "--listen",
            .flag_arg = "HOST:PORT",
            .kind = SettingKind::kString,
            .expected = "HOST:PORT with HOST an IPv4 address, localhost or [IPv6] and PORT 0-65535",
            .help = "address to listen on (default 127.0.0.1:8080; port 0 = any free port)",
            .apply = StoreListen},
    Setting{.toml_path = "server.admin_listen",
            .env = "KEYMINT_ADMIN_LISTEN",
            .flag = "--admin-listen",
            .flag_arg = "HOST:PORT",
            .kind = SettingKind::kString,
            .expected = "HOST:PORT with HOST an IPv4 address, localhost or [IPv6] and PORT 0-65535",
            .help = "address serving only /healthz, /readyz and /metrics (default: none; --listen serves them)",
            .apply = StoreAdminListen},
    Setting{.toml_path = "server.threads",
            .env = "KEYMINT_THREADS",
            .flag = "--threads",
            .flag_arg = "N",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 256,
            .help = "I/O threads, 1-256 (default: the number of cores)",
            .apply = StoreInteger<&Config::threads>},
    Setting{.toml_path = "server.body_limit_bytes",
            .kind = SettingKind::kInteger,
            .min = 1024,
            .max = int64_t{16} * 1024 * 1024,
            .help = "largest request body accepted, in bytes (default 65536)",
            .apply = StoreInteger<&Config::body_limit_bytes>},
    Setting{.toml_path = "server.header_limit_bytes",
            .kind = SettingKind::kInteger,
            .min = 1024,
            .max = int64_t{1024} * 1024,
            .help = "largest request header block accepted, in bytes (default 16384)",
            .apply = StoreInteger<&Config::header_limit_bytes>},
    Setting{.toml_path = "server.request_timeout_seconds",
            .env = "KEYMINT_REQUEST_TIMEOUT",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 3600,
            .help = "seconds a connection may take to send a whole request, or stay idle (default 30)",
            .apply = StoreInteger<&Config::request_timeout_seconds>},
    Setting{.toml_path = "server.max_connections",
            .env = "KEYMINT_MAX_CONNECTIONS",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 1000000,
            .help = "connections served at once; more get 503 (default 10000)",
            .apply = StoreInteger<&Config::max_connections>},
    Setting{.toml_path = "server.max_connections_per_address",
            .env = "KEYMINT_MAX_CONNECTIONS_PER_ADDRESS",
            .kind = SettingKind::kInteger,
            .min = 0,
            .max = 1000000,
            .help = "connections from one address at once; 0 = no limit (default 1000)",
            .apply = StoreInteger<&Config::max_connections_per_address>},
    Setting{.toml_path = "tls.cert",
            .env = "KEYMINT_TLS_CERT",
            .flag = "--tls-cert",
            .flag_arg = "FILE",
            .kind = SettingKind::kString,
            .expected = "a non-empty file path",
            .help = "PEM certificate chain: serve HTTPS (with --tls-key; default: plain HTTP)",
            .apply = StoreString<&Config::tls_cert, IsNonEmptyText>},
    Setting{.toml_path = "tls.key",
            .env = "KEYMINT_TLS_KEY",
            .flag = "--tls-key",
            .flag_arg = "FILE",
            .kind = SettingKind::kString,
            .expected = "a non-empty file path",
            .help = "PEM private key of --tls-cert (unencrypted)",
            .apply = StoreString<&Config::tls_key, IsNonEmptyText>},
    Setting{.toml_path = "log.level",
            .env = "KEYMINT_LOG_LEVEL",
            .flag = "--log-level",
            .flag_arg = "LEVEL",
            .kind = SettingKind::kString,
            .expected = "trace, debug, info, warn, error or off",
            .help = "log level: info writes one JSON line per request on stderr; warn and above do not (default info)",
            .apply = StoreString<&Config::log_level, IsLogLevel>},
    Setting{.toml_path = "storage.data_dir",
            .env = "KEYMINT_DATA_DIR",
            .flag = "--data-dir",
            .flag_arg = "DIR",
            .kind = SettingKind::kString,
            .expected = "a non-empty directory path",
            .help = "RocksDB directory (default ./data)",
            .apply = StoreString<&Config::data_dir, IsNonEmptyText>},
    Setting{.toml_path = "store.url",
            .env = "KEYMINT_STORE",
            .flag = "--store",
            .flag_arg = "URL",
            .kind = SettingKind::kString,
            .expected = "a postgres:// or postgresql:// URL, or empty for the embedded store",
            .help = "shared PostgreSQL-protocol store for several replicas (default: RocksDB in --data-dir)",
            .secret = true,  // may carry a password
            .apply = StoreString<&Config::store_url, IsStoreUrl>},
    Setting{.toml_path = "store.connections",
            .env = "KEYMINT_STORE_CONNECTIONS",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 256,
            .help = "connections to the shared store (default 8)",
            .apply = StoreInteger<&Config::store_connections>},
    Setting{.toml_path = "store.cache_entries",
            .env = "KEYMINT_STORE_CACHE_ENTRIES",
            .kind = SettingKind::kInteger,
            .min = 16,
            .max = 10000000,
            .help = "credentials and users kept in memory for the token path, 16-10000000 (default 100000)",
            .apply = StoreInteger<&Config::store_cache_entries>},
    Setting{.toml_path = "store.max_staleness_ms",
            .env = "KEYMINT_STORE_MAX_STALENESS_MS",
            .kind = SettingKind::kInteger,
            .min = 100,
            .max = 60000,
            .help = "how old a replica's view of a credential may be, in ms, 100-60000 (default 1000)",
            .apply = StoreInteger<&Config::store_max_staleness_ms>},
    Setting{.toml_path = "keys.dir",
            .env = "KEYMINT_KEYS_DIR",
            .flag = "--keys-dir",
            .flag_arg = "DIR",
            .kind = SettingKind::kString,
            .expected = "a non-empty directory path",
            .help = "signing keys directory (default ./keys)",
            .apply = StoreString<&Config::keys_dir, IsNonEmptyText>},
    Setting{.toml_path = "backup.dir",
            .env = "KEYMINT_BACKUP_DIR",
            .flag = "--backup-dir",
            .flag_arg = "DIR",
            .kind = SettingKind::kString,
            .expected = "a directory path without control characters",
            .help = "directory of POST /api/v1/backups (default: none, backups off)",
            .apply = StoreString<&Config::backup_dir, IsOptionalPath>},
    Setting{.toml_path = "signing.algorithm",
            .env = "KEYMINT_SIGNING_ALGORITHM",
            .flag = "--signing-algorithm",
            .flag_arg = "ALG",
            .kind = SettingKind::kString,
            .expected = "RS256, ES256 or EdDSA",
            .help = "algorithm of new tokens: RS256, ES256 or EdDSA (default RS256)",
            .apply = StoreString<&Config::signing_algorithm, IsSigningAlgorithm>},
    Setting{.toml_path = "signing.publish_delay_seconds",
            .env = "KEYMINT_SIGNING_PUBLISH_DELAY",
            .flag = "--signing-publish-delay",
            .flag_arg = "SECONDS",
            .kind = SettingKind::kInteger,
            .min = 0,
            .max = 86400,
            .help = "seconds a new signing key is published before it signs, 0-86400 (default 0)",
            .apply = StoreInteger<&Config::signing_publish_delay_seconds>},
    Setting{
        .toml_path = "signing.refresh_interval_ms",
        .env = "KEYMINT_SIGNING_REFRESH_INTERVAL_MS",
        .kind = SettingKind::kInteger,
        .min = 0,
        .max = 60000,
        .help =
            "how often, in ms, the keys directory is re-read for other replicas' rotations; 0 = never (default 1000)",
        .apply = StoreInteger<&Config::signing_refresh_interval_ms>},
    Setting{.toml_path = "tokens.issuer",
            .env = "KEYMINT_ISSUER",
            .flag = "--issuer",
            .flag_arg = "URL",
            .kind = SettingKind::kString,
            .expected = "an http:// or https:// URL with a host and no query or fragment",
            .help = "\"iss\" of tokens and discovery (default http://<listen address>)",
            .apply = StoreIssuer},
    Setting{.toml_path = "tokens.audience",
            .env = "KEYMINT_AUDIENCE",
            .kind = SettingKind::kString,
            .expected = "a non-empty string",
            .help = "\"aud\" of tokens (default: the issuer)",
            .apply = StoreString<&Config::audience, IsAudience>},
    Setting{.toml_path = "tokens.ttl_seconds",
            .env = "KEYMINT_TOKEN_TTL",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 86400,
            .help = "access-token lifetime in seconds, 1-86400 (default 3600)",
            .apply = StoreInteger<&Config::token_ttl_seconds>},
    Setting{.toml_path = "admin.email",
            .env = "KEYMINT_ADMIN_EMAIL",
            .kind = SettingKind::kString,
            .expected = "an email address like admin@example.com (at most 254 characters, no spaces)",
            .help = "first admin's email (default admin@keymint.local)",
            .apply = StoreString<&Config::admin_email, IsPlausibleEmail>},
    Setting{.env = "KEYMINT_ADMIN_PASSWORD",
            .kind = SettingKind::kString,
            .expected = "a password of 8 to 1024 bytes without control characters",
            .help = "first admin's password (default: generated, printed once)",
            .secret = true,
            .apply = StoreString<&Config::admin_password, IsPassword>},
    Setting{.toml_path = "access_keys.max_per_user",
            .env = "KEYMINT_MAX_KEYS_PER_USER",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 100,
            .help = "access keys a user may own, 1-100 (default 20; the seeds cap a key list at 100)",
            .apply = StoreInteger<&Config::max_keys_per_user>},
    Setting{.toml_path = "credentials.max_grace_seconds",
            .env = "KEYMINT_MAX_GRACE_SECONDS",
            .kind = SettingKind::kInteger,
            .min = 0,
            .max = 2592000,
            .help = "longest ?graceSeconds of a secret replacement, 0-2592000 (default 86400; 0 = no grace)",
            .apply = StoreInteger<&Config::max_grace_seconds>},
    Setting{.toml_path = "credentials.max_lifetime_days",
            .env = "KEYMINT_MAX_LIFETIME_DAYS",
            .kind = SettingKind::kInteger,
            .min = 0,
            .max = 36500,
            .help = "longest lifetime of a new access key or service account in days, 0-36500 (default 0 = none)",
            .apply = StoreInteger<&Config::max_lifetime_days>},
    Setting{.toml_path = "passwords.iterations",
            .env = "KEYMINT_PASSWORD_ITERATIONS",
            .kind = SettingKind::kInteger,
            .min = 1000,
            .max = 10000000,
            .help = "PBKDF2-HMAC-SHA-256 rounds of new password hashes (default 600000)",
            .apply = StoreInteger<&Config::password_iterations>},
    Setting{.toml_path = "audit.retention_days",
            .env = "KEYMINT_AUDIT_RETENTION_DAYS",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 3650,
            .help = "days the audit log keeps an entry, 1-3650 (default 90)",
            .apply = StoreInteger<&Config::audit_retention_days>},
    Setting{.toml_path = "audit.failures_per_minute",
            .env = "KEYMINT_AUDIT_FAILURES_PER_MINUTE",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 100000,
            .help = "audit entries of failures written per minute; more are counted, not kept (default 600)",
            .apply = StoreInteger<&Config::audit_failures_per_minute>},
    Setting{.toml_path = "passwords.concurrency",
            .env = "KEYMINT_PASSWORD_CONCURRENCY",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 256,
            .help = "password KDF runs at once (default 1)",
            .apply = StoreInteger<&Config::password_concurrency>},
    Setting{.toml_path = "passwords.queue",
            .env = "KEYMINT_PASSWORD_QUEUE",
            .kind = SettingKind::kInteger,
            .min = 0,
            .max = 4096,
            .help = "password checks that may wait for a turn (default 16)",
            .apply = StoreInteger<&Config::password_queue>},
    Setting{.toml_path = "passwords.queue_wait_ms",
            .env = "KEYMINT_PASSWORD_QUEUE_WAIT_MS",
            .kind = SettingKind::kInteger,
            .min = 0,
            .max = 60000,
            .help = "longest wait for a turn, in ms (default 3000)",
            .apply = StoreInteger<&Config::password_queue_wait_ms>},
    Setting{.toml_path = "throttle.client_id_burst",
            .env = "KEYMINT_THROTTLE_CLIENT_ID_BURST",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 1000000,
            .help = "failed exchanges per client ID before 429 (default 20)",
            .apply = StoreInteger<&Config::throttle_client_id_burst>},
    Setting{.toml_path = "throttle.client_id_per_minute",
            .env = "KEYMINT_THROTTLE_CLIENT_ID_PER_MINUTE",
            .kind = SettingKind::kInteger,
            .min = 0,
            .max = 1000000,
            .help = "then failures per minute per client ID; 0 = off (default 120)",
            .apply = StoreInteger<&Config::throttle_client_id_per_minute>},
    Setting{.toml_path = "throttle.client_address_burst",
            .env = "KEYMINT_THROTTLE_CLIENT_ADDRESS_BURST",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 1000000,
            .help = "failed exchanges per address before 429 (default 100)",
            .apply = StoreInteger<&Config::throttle_client_address_burst>},
    Setting{.toml_path = "throttle.client_address_per_minute",
            .env = "KEYMINT_THROTTLE_CLIENT_ADDRESS_PER_MINUTE",
            .kind = SettingKind::kInteger,
            .min = 0,
            .max = 1000000,
            .help = "then failures per minute per address; 0 = off (default 600)",
            .apply = StoreInteger<&Config::throttle_client_address_per_minute>},
    Setting{.toml_path = "throttle.username_burst",
            .env = "KEYMINT_THROTTLE_USERNAME_BURST",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 1000000,
            .help = "failed password checks per username before 429 (default 10)",
            .apply = StoreInteger<&Config::throttle_username_burst>},
    Setting{.toml_path = "throttle.username_per_minute",
            .env = "KEYMINT_THROTTLE_USERNAME_PER_MINUTE",
            .kind = SettingKind::kInteger,
            .min = 0,
            .max = 1000000,
            .help = "then failures per minute per username; 0 = off (default 6)",
            .apply = StoreInteger<&Config::throttle_username_per_minute>},
    Setting{.toml_path = "throttle.password_address_burst",
            .env = "KEYMINT_THROTTLE_PASSWORD_ADDRESS_BURST",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 1000000,
            .help = "failed password checks per address before 429 (default 30)",
            .apply = StoreInteger<&Config::throttle_password_address_burst>},
    Setting{.toml_path = "throttle.password_address_per_minute",
            .env = "KEYMINT_THROTTLE_PASSWORD_ADDRESS_PER_MINUTE",
            .kind = SettingKind::kInteger,
            .min = 0,
            .max = 1000000,
            .help = "then failures per minute per address; 0 = off (default 30)",
            .apply = StoreInteger<&Config::throttle_password_address_per_minute>},
    Setting{.toml_path = "throttle.capacity",
            .env = "KEYMINT_THROTTLE_CAPACITY",
            .kind = SettingKind::kInteger,
            .min = 4,
            .max = 16777216,
            .help = "keys each throttle remembers, 8 bytes each (default 65536)",
            .apply = StoreInteger<&Config::throttle_capacity>},
    Setting{.toml_path = "revocation.max_entries",
            .env = "KEYMINT_REVOCATION_MAX_ENTRIES",
            .kind = SettingKind::kInteger,
            .min = 1,
            .max = 10000000,
            .help = "revoked tokens kept until they expire; more is refused with 503 (default 100000)",
            .apply = StoreInteger<&Config::revocation_max_entries>},
    Setting{.toml_path = "tenant.id",
            .env = "KEYMINT_TENANT_ID",
            .kind = SettingKind::kString,
            .expected = "a tenant id of 1 to 64 characters without spaces",
            .help = "tenant id reported on service accounts (default 1)",
            .apply = StoreString<&Config::tenant_id, IsTenantId>},
    Setting{.toml_path = "deprecation.date",
            .env = "KEYMINT_DEPRECATION_DATE",
            .kind = SettingKind::kString,
            .expected = "a date YYYY-MM-DD from 1970 on",
            .help = "when the deprecated paths were deprecated, for their Deprecation header (default 2025-01-01)",
            .apply = StoreDate<&Config::deprecation_date>},
    Setting{.toml_path = "deprecation.sunset_date",
            .env = "KEYMINT_SUNSET_DATE",
            .kind = SettingKind::kString,
            .expected = "a date YYYY-MM-DD from 1970 on",
            .help = "when the deprecated paths go away, for a Sunset header (default: none announced)",
            .apply = StoreDate<&Config::sunset_date>},
    Setting{.toml_path = "roles.extra",
            .kind = SettingKind::kStringList,
            .expected = "an array of role names",
            .help = "roles added to the built-in catalog",
            .apply = StoreExtraRoles},
};

constexpr std::array kForbiddenKeys = {
    ForbiddenKey{.toml_path = "admin.password",
                 .reason = "is not accepted in a config file; set KEYMINT_ADMIN_PASSWORD in the environment instead"},
};

}  // namespace

bool IsSharedStoreUrl(std::string_view text) {
  if (HasSpaceOrControl(text) || text.size() > kMaxUrlBytes) return false;
  return text.starts_with("postgres://") || text.starts_with("postgresql://");
}

std::span<const Setting> Settings() { return kSettings; }

std::span<const ForbiddenKey> ForbiddenKeys() { return kForbiddenKeys; }

std::string ExpectedGot(const Setting& setting, std::string_view shown) {
  std::string accepted = setting.kind == SettingKind::kInteger ? "an integer between " + std::to_string(setting.min) +
                                                                     " and " + std::to_string(setting.max)
                                                               : std::string(setting.expected);
  return "expected " + accepted + ", got " + std::string(shown);
}

std::string Quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string quoted = "\"";
  std::size_t taken = 0;
  for (; taken < text.size() && taken < kMaxQuotedBytes; ++taken) {
    const auto c = static_cast<unsigned char>(text[taken]);
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += static_cast<char>(c);
    } else if (IsControl(c)) {
      quoted += "\\x";
      quoted += kHex[c >> 4];
      quoted += kHex[c & 0xF];
    } else {
      quoted += static_cast<char>(c);
    }
  }
  if (taken < text.size()) {
    // Do not leave half a UTF-8 sequence before the ellipsis.
    while (!quoted.empty() && (static_cast<unsigned char>(quoted.back()) & 0xC0) == 0x80) quoted.pop_back();
    if (!quoted.empty() && static_cast<unsigned char>(quoted.back()) >= 0xC0) quoted.pop_back();
    quoted += "...";
  }
  quoted += '"';
  return quoted;
}

}  // namespace keymint::config
