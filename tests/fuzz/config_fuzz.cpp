// ParseCommandLine over a TOML config file, flags and environment. The input
// is the file's text, then NUL-separated extra pieces: "KEYMINT_NAME=value"
// is an environment variable, anything else a command-line argument after
// `keymint serve --config <the file>` (KEYMINT_CONFIG is dropped, and a second
// --config is refused by the parser, so no other file is ever read).
// Checked beyond "does not crash":
// - a refusal is InvalidArgument (never an escaped exception), on one line,
//   and never shows the admin password (it does not change when the password does);
// - parsing is deterministic;
// - an accepted configuration is within every documented bound, its strings
//   carry no control characters, and written back as TOML by an independent
//   writer it reads back to the same Config.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings_table.hpp"
#include "fuzz/fuzz_support.hpp"
#include "keymint/config/config.hpp"

namespace {

using keymint::Command;
using keymint::Config;
using keymint::ErrorCode;
using keymint::ParseCommandLine;
using keymint::Result;

const keymint::fuzz::ScratchDir& Dir() {
  static const keymint::fuzz::ScratchDir dir("config");
  return dir;
}

bool HasControl(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

bool IsUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xe  ? 3
                         : (lead >> 3) == 0x1e ? 4
                                               : 0;
    if (length == 0 || i + length > text.size()) return false;
    uint32_t code = length == 1 ? lead : lead & (0x7f >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMin[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

// A TOML basic string. Control characters (already refused by the config
// rules, but cheap to handle) as \uXXXX; other bytes as they are.
std::string TomlString(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// "HOST:PORT", an IPv6 host in brackets.
std::string HostPort(const std::string& host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// YYYY-MM-DD of a midnight UTC in seconds (the config reads only 4-digit years).
std::string Date(int64_t seconds) {
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{seconds / 86400}}};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()));
  return text;
}

// Every key WriteToml writes (when its value is set). CheckWriterCoversTable
// holds it against the settings table, so a new setting the writer does not
// know fails the first input, not whichever one happens to set it.
constexpr std::string_view kWrittenKeys[] = {"server.listen",
                                             "server.admin_listen",
                                             "server.threads",
                                             "server.body_limit_bytes",
                                             "server.header_limit_bytes",
                                             "server.request_timeout_seconds",
                                             "server.max_connections",
                                             "server.max_connections_per_address",
                                             "tls.cert",
                                             "tls.key",
                                             "log.level",
                                             "storage.data_dir",
                                             "store.url",
                                             "store.connections",
                                             "store.cache_entries",
                                             "store.max_staleness_ms",
                                             "keys.dir",
                                             "backup.dir",
                                             "signing.algorithm",
                                             "signing.publish_delay_seconds",
                                             "signing.refresh_interval_ms",
                                             "tokens.issuer",
                                             "tokens.audience",
                                             "tokens.ttl_seconds",
                                             "admin.email",
                                             "access_keys.max_per_user",
                                             "credentials.max_grace_seconds",
                                             "credentials.max_lifetime_days",
                                             "passwords.iterations",
                                             "audit.retention_days",
                                             "audit.failures_per_minute",
                                             "passwords.concurrency",
                                             "passwords.queue",
                                             "passwords.queue_wait_ms",
                                             "throttle.client_id_burst",
                                             "throttle.client_id_per_minute",
                                             "throttle.client_address_burst",
                                             "throttle.client_address_per_minute",
                                             "throttle.username_burst",
                                             "throttle.username_per_minute",
                                             "throttle.password_address_burst",
                                             "throttle.password_address_per_minute",
                                             "throttle.capacity",
                                             "revocation.max_entries",
                                             "tenant.id",
                                             "deprecation.date",
                                             "deprecation.sunset_date",
                                             "roles.extra"};

void CheckWriterCoversTable() {
  for (const keymint::config::Setting& setting : keymint::config::Settings()) {
    if (setting.toml_path.empty()) continue;
    FUZZ_CHECK(std::find(std::begin(kWrittenKeys), std::end(kWrittenKeys), setting.toml_path) != std::end(kWrittenKeys),
               "WriteToml does not write " + std::string(setting.toml_path));
  }
}

// The file that should read back to `config` (admin_password is environment-only).
std::string WriteToml(const Config& config) {
  std::string out = "[server]\nlisten = " + TomlString(HostPort(config.listen_host, config.listen_port)) + "\n";
  if (!config.admin_listen_host.empty()) {
    out += "admin_listen = " + TomlString(HostPort(config.admin_listen_host, config.admin_listen_port)) + "\n";
  }
  if (config.threads != 0) out += "threads = " + std::to_string(config.threads) + "\n";
  out += "body_limit_bytes = " + std::to_string(config.body_limit_bytes) + "\n";
  out += "header_limit_bytes = " + std::to_string(config.header_limit_bytes) + "\n";
  out += "request_timeout_seconds = " + std::to_string(config.request_timeout_seconds) + "\n";
  out += "max_connections = " + std::to_string(config.max_connections) + "\n";
  out += "max_connections_per_address = " + std::to_string(config.max_connections_per_address) + "\n";
  out += "[tls]\n";
  if (!config.tls_cert.empty()) out += "cert = " + TomlString(config.tls_cert) + "\n";
  if (!config.tls_key.empty()) out += "key = " + TomlString(config.tls_key) + "\n";
  out += "[log]\nlevel = " + TomlString(config.log_level) + "\n";
  out += "[storage]\ndata_dir = " + TomlString(config.data_dir) + "\n";
  out += "[store]\n";
  if (!config.store_url.empty()) out += "url = " + TomlString(config.store_url) + "\n";
  out += "connections = " + std::to_string(config.store_connections) + "\n";
  out += "cache_entries = " + std::to_string(config.store_cache_entries) + "\n";
  out += "max_staleness_ms = " + std::to_string(config.store_max_staleness_ms) + "\n";
  out += "[keys]\ndir = " + TomlString(config.keys_dir) + "\n";
  if (!config.backup_dir.empty()) out += "[backup]\ndir = " + TomlString(config.backup_dir) + "\n";
  out += "[signing]\nalgorithm = " + TomlString(config.signing_algorithm) + "\n";
  out += "publish_delay_seconds = " + std::to_string(config.signing_publish_delay_seconds) + "\n";
  out += "refresh_interval_ms = " + std::to_string(config.signing_refresh_interval_ms) + "\n";
  out += "[tokens]\nttl_seconds = " + std::to_string(config.token_ttl_seconds) + "\n";
  if (!config.issuer.empty()) out += "issuer = " + TomlString(config.issuer) + "\n";
  if (!config.audience.empty()) out += "audience = " + TomlString(config.audience) + "\n";
  out += "[admin]\nemail = " + TomlString(config.admin_email) + "\n";
  out += "[access_keys]\nmax_per_user = " + std::to_string(config.max_keys_per_user) + "\n";
  out += "[credentials]\nmax_grace_seconds = " + std::to_string(config.max_grace_seconds) + "\n";
  out += "max_lifetime_days = " + std::to_string(config.max_lifetime_days) + "\n";
  out += "[audit]\nretention_days = " + std::to_string(config.audit_retention_days) + "\n";
  out += "failures_per_minute = " + std::to_string(config.audit_failures_per_minute) + "\n";
  out += "[passwords]\niterations = " + std::to_string(config.password_iterations) + "\n";
  out += "concurrency = " + std::to_string(config.password_concurrency) + "\n";
  out += "queue = " + std::to_string(config.password_queue) + "\n";
  out += "queue_wait_ms = " + std::to_string(config.password_queue_wait_ms) + "\n";
  out += "[throttle]\n";
  const std::pair<const char*, int> throttles[] = {
      {"client_id_burst", config.throttle_client_id_burst},
      {"client_id_per_minute", config.throttle_client_id_per_minute},
      {"client_address_burst", config.throttle_client_address_burst},
      {"client_address_per_minute", config.throttle_client_address_per_minute},
      {"username_burst", config.throttle_username_burst},
      {"username_per_minute", config.throttle_username_per_minute},
      {"password_address_burst", config.throttle_password_address_burst},
      {"password_address_per_minute", config.throttle_password_address_per_minute}};
  for (const auto& [key, value] : throttles) out += std::string(key) + " = " + std::to_string(value) + "\n";
  out += "capacity = " + std::to_string(config.throttle_capacity) + "\n";
  out += "[revocation]\nmax_entries = " + std::to_string(config.revocation_max_entries) + "\n";
  out += "[tenant]\nid = " + TomlString(config.tenant_id) + "\n";
  out += "[deprecation]\ndate = " + TomlString(Date(config.deprecation_date)) + "\n";
  if (config.sunset_date) out += "sunset_date = " + TomlString(Date(*config.sunset_date)) + "\n";
  out += "[roles]\nextra = [";
  for (std::size_t i = 0; i < config.extra_roles.size(); ++i) {
    out += (i == 0 ? "" : ", ") + TomlString(config.extra_roles[i]);
  }
  return out + "]\n";
}

std::vector<std::string> Strings(const Config& c) {
  std::vector<std::string> all = {c.listen_host, c.data_dir,    c.keys_dir, c.issuer,
                                  c.audience,    c.admin_email, c.tenant_id};
  all.insert(all.end(), c.extra_roles.begin(), c.extra_roles.end());
  if (c.admin_password) all.push_back(*c.admin_password);
  return all;
}

void CheckBounds(const Config& c, const std::string& path) {
  FUZZ_CHECK(c.config_path == path, c.config_path);
  FUZZ_CHECK(!c.listen_host.empty());
  FUZZ_CHECK(c.token_ttl_seconds >= 1 && c.token_ttl_seconds <= 86400);
  FUZZ_CHECK(c.signing_publish_delay_seconds >= 0 && c.signing_publish_delay_seconds <= 86400);
  FUZZ_CHECK(c.password_iterations >= 1000 && c.password_iterations <= 10000000);
  FUZZ_CHECK(c.audit_retention_days >= 1 && c.audit_retention_days <= 3650);
  FUZZ_CHECK(c.audit_failures_per_minute >= 1 && c.audit_failures_per_minute <= 100000);
  FUZZ_CHECK(c.threads >= 0 && c.threads <= 256);
  FUZZ_CHECK(c.max_keys_per_user >= 1 && c.max_keys_per_user <= 100);
  FUZZ_CHECK(c.body_limit_bytes >= 1024 && c.body_limit_bytes <= 16 * 1024 * 1024);
  FUZZ_CHECK(c.header_limit_bytes >= 1024 && c.header_limit_bytes <= 1024 * 1024);
  FUZZ_CHECK(c.request_timeout_seconds >= 1 && c.request_timeout_seconds <= 3600);
  FUZZ_CHECK(c.max_connections >= 1 && c.max_connections <= 1000000);
  FUZZ_CHECK(c.max_connections_per_address <= 1000000);
  FUZZ_CHECK(c.password_concurrency >= 1 && c.password_concurrency <= 256);
  FUZZ_CHECK(c.password_queue >= 0 && c.password_queue <= 4096);
  FUZZ_CHECK(c.password_queue_wait_ms >= 0 && c.password_queue_wait_ms <= 60000);
  for (int burst : {c.throttle_client_id_burst, c.throttle_client_address_burst, c.throttle_username_burst,
                    c.throttle_password_address_burst}) {
    FUZZ_CHECK(burst >= 1 && burst <= 1000000);
  }
  for (int rate : {c.throttle_client_id_per_minute, c.throttle_client_address_per_minute,
                   c.throttle_username_per_minute, c.throttle_password_address_per_minute}) {
    FUZZ_CHECK(rate >= 0 && rate <= 1000000);
  }
  FUZZ_CHECK(c.throttle_capacity >= 4 && c.throttle_capacity <= 16777216);
  FUZZ_CHECK(c.revocation_max_entries >= 1 && c.revocation_max_entries <= 10000000);
  FUZZ_CHECK(c.issuer.empty() || c.issuer.starts_with("http://") || c.issuer.starts_with("https://"), c.issuer);
  FUZZ_CHECK(!c.data_dir.empty() && !c.keys_dir.empty() && !c.tenant_id.empty() && !c.admin_email.empty());
  FUZZ_CHECK(c.signing_algorithm == "RS256" || c.signing_algorithm == "ES256" || c.signing_algorithm == "EdDSA",
             c.signing_algorithm);
  for (const auto& text : Strings(c)) FUZZ_CHECK(!HasControl(text), text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static const bool covered = (CheckWriterCoversTable(), true);
  (void)covered;
  const auto pieces = keymint::fuzz::Split(std::string_view(reinterpret_cast<const char*>(data), size), '\0');
  const std::string path = Dir().Sub("keymint.toml");
  keymint::fuzz::WriteFile(path, pieces[0]);

  std::vector<std::string> args = {"serve", "--config", path};
  std::map<std::string, std::string> env;
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    const std::string_view piece = pieces[i];
    const std::size_t equals = piece.find('=');
    if (piece.starts_with("KEYMINT_") && equals != std::string_view::npos) {
      std::string name(piece.substr(0, equals));
      if (name != "KEYMINT_CONFIG") env[name] = std::string(piece.substr(equals + 1));
    } else {
      args.emplace_back(piece);
    }
  }

  const Result<Command> parsed = ParseCommandLine(args, env);
  const Result<Command> again = ParseCommandLine(args, env);
  FUZZ_CHECK(parsed.ok() == again.ok());
  if (!parsed.ok()) {
    const std::string& message = parsed.error().message;
    FUZZ_CHECK(parsed.error().code == ErrorCode::kInvalidArgument, message);
    FUZZ_CHECK(!message.empty() && message.find_first_of("\r\n") == std::string::npos, message);
    FUZZ_CHECK(again.error().message == message, message);
    // The password is never echoed: with every byte of it changed (control
    // bytes kept, so it stays exactly as valid or invalid) the message must
    // stay the same.
    if (auto it = env.find("KEYMINT_ADMIN_PASSWORD"); it != env.end()) {
      auto altered = env;
      for (char& c : altered["KEYMINT_ADMIN_PASSWORD"]) {
        if (!HasControl(std::string_view(&c, 1))) c = c == 'x' ? 'y' : 'x';
      }
      const Result<Command> other = ParseCommandLine(args, altered);
      FUZZ_CHECK(!other.ok() && other.error().message == message,
                 message + "\n  vs " + (other.ok() ? std::string("success") : other.error().message));
    }
    return 0;
  }
  FUZZ_CHECK(parsed->kind == again->kind && parsed->config == again->config);
  if (parsed->kind != Command::Kind::kServe) return 0;
  const Config& config = parsed->config;
  CheckBounds(config, path);

  for (const auto& text : Strings(config)) {
    if (!IsUtf8(text)) return 0;  // a TOML file cannot hold it; only the environment or a flag could
  }
  const std::string written = WriteToml(config);
  keymint::fuzz::WriteFile(path, written);
  const Result<Command> reread = ParseCommandLine({"serve", "--config", path}, {});
  FUZZ_CHECK(reread.ok(), written + "\n-> " + (reread.ok() ? std::string() : reread.error().message));
  Config expected = config;
  expected.admin_password.reset();
  FUZZ_CHECK(reread->config == expected, written);
  return 0;
}
