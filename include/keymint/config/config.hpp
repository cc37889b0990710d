// keymint's settings, read once at start-up and then immutable.
//
// Sources, highest precedence first: command-line flag, environment variable,
// TOML config file, built-in default. `config/keymint.toml` documents every
// key. An unknown key, a bad value or an unreadable file is an error naming the
// setting: keymint never starts half-configured.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "keymint/common/result.hpp"

namespace keymint {

struct Config {
  std::string listen_host = "127.0.0.1";  // flag --listen / KEYMINT_LISTEN / server.listen
  uint16_t listen_port = 8080;            //   "HOST:PORT"; port 0 picks a free port
                                          //   HOST: IPv4, "localhost" or "[IPv6]" (stored without brackets)
  std::string admin_listen_host;          // --admin-listen / KEYMINT_ADMIN_LISTEN / server.admin_listen:
  uint16_t admin_listen_port = 0;         //   /healthz, /readyz, /metrics only; host "" = not set
  std::string data_dir = "./data";        // --data-dir / KEYMINT_DATA_DIR / storage.data_dir
  // The shared store (--store / KEYMINT_STORE / store.url): a libpq URI of
  // PostgreSQL, CockroachDB or YugabyteDB; "" = RocksDB in data_dir. The rest
  // are KEYMINT_STORE_<NAME> / store.<name>.
  std::string store_url;
  int store_connections = 8;                        // 1..256
  std::size_t store_cache_entries = 100000;         // 16..10,000,000
  int64_t store_max_staleness_ms = 1000;            // 100..60000
  std::string keys_dir = "./keys";                  // --keys-dir / KEYMINT_KEYS_DIR / keys.dir
  std::string backup_dir;                           // --backup-dir / KEYMINT_BACKUP_DIR / backup.dir; "" = off
  std::string signing_algorithm = "RS256";          // --signing-algorithm / KEYMINT_SIGNING_ALGORITHM /
                                                    //   signing.algorithm: "RS256", "ES256" or "EdDSA"
  int64_t signing_publish_delay_seconds = 0;        // --signing-publish-delay / KEYMINT_SIGNING_PUBLISH_DELAY /
                                                    //   signing.publish_delay_seconds; 0..86400
  int64_t signing_refresh_interval_ms = 1000;       // KEYMINT_SIGNING_REFRESH_INTERVAL_MS /
                                                    //   signing.refresh_interval_ms; 0..60000, 0 = never
  std::string issuer;                               // --issuer / KEYMINT_ISSUER / tokens.issuer; "" = http://<listen>
  std::string audience;                             // KEYMINT_AUDIENCE / tokens.audience; "" = the issuer
  int64_t token_ttl_seconds = 3600;                 // KEYMINT_TOKEN_TTL / tokens.ttl_seconds; 1..86400
  int threads = 0;                                  // --threads / KEYMINT_THREADS / server.threads; 0 = cores; 1..256
  std::string admin_email = "admin@keymint.local";  // KEYMINT_ADMIN_EMAIL / admin.email
  std::optional<std::string> admin_password;        // KEYMINT_ADMIN_PASSWORD only (never in a file)
  int max_keys_per_user = 20;                       // KEYMINT_MAX_KEYS_PER_USER / access_keys.max_per_user; 1..100
  int64_t max_grace_seconds = 86400;                // KEYMINT_MAX_GRACE_SECONDS / credentials.max_grace_seconds
  int64_t max_lifetime_days = 0;                    // KEYMINT_MAX_LIFETIME_DAYS / credentials.*; 0 = none
  std::string tenant_id = "1";                      // KEYMINT_TENANT_ID / tenant.id
  int audit_retention_days = 90;                    // KEYMINT_AUDIT_RETENTION_DAYS / audit.retention_days; 1..3650
  int audit_failures_per_minute = 600;              // KEYMINT_AUDIT_FAILURES_PER_MINUTE / audit.failures_per_minute
  // The deprecated path families' RFC 9745 `Deprecation` date and RFC 8594
  // `Sunset` date, as Unix seconds of a UTC midnight ("YYYY-MM-DD" in the
  // sources). KEYMINT_DEPRECATION_DATE / deprecation.date, default 2025-01-01;
  // KEYMINT_SUNSET_DATE / deprecation.sunset_date, unset = none announced.
  int64_t deprecation_date = 1735689600;
  std::optional<int64_t> sunset_date = std::nullopt;
  std::vector<std::string> extra_roles;            // roles.extra (file only): added to the built-in catalog
  std::size_t body_limit_bytes = 64 * 1024;        // server.body_limit_bytes; 1 KiB..16 MiB
  std::size_t header_limit_bytes = 16 * 1024;      // server.header_limit_bytes; 1 KiB..1 MiB
  int request_timeout_seconds = 30;                // KEYMINT_REQUEST_TIMEOUT / server.request_timeout_seconds
  std::size_t max_connections = 10000;             // KEYMINT_MAX_CONNECTIONS / server.max_connections
  std::size_t max_connections_per_address = 1000;  // KEYMINT_MAX_CONNECTIONS_PER_ADDRESS / server.*; 0 = none
  std::string tls_cert;                            // --tls-cert / KEYMINT_TLS_CERT / tls.cert; "" = plain HTTP
  std::string tls_key;                             // --tls-key / KEYMINT_TLS_KEY / tls.key; both or neither
  std::string log_level = "info";                  // --log-level / KEYMINT_LOG_LEVEL / log.level: trace, debug,
                                                   //   info (request lines), warn, error or off
  int password_iterations = 600000;                // KEYMINT_PASSWORD_ITERATIONS / passwords.iterations
  int password_concurrency = 1;                    // KEYMINT_PASSWORD_CONCURRENCY / passwords.concurrency
  int password_queue = 16;                         // KEYMINT_PASSWORD_QUEUE / passwords.queue
  int password_queue_wait_ms = 3000;               // KEYMINT_PASSWORD_QUEUE_WAIT_MS / passwords.queue_wait_ms
  // Failure throttles (KEYMINT_THROTTLE_<NAME> / throttle.<name>): a burst of
  // failures, then a rate per minute; per_minute 0 turns one off.
  int throttle_client_id_burst = 20;
  int throttle_client_id_per_minute = 120;
  int throttle_client_address_burst = 100;
  int throttle_client_address_per_minute = 600;
  int throttle_username_burst = 10;
  int throttle_username_per_minute = 6;
  int throttle_password_address_burst = 30;
  int throttle_password_address_per_minute = 30;
  std::size_t throttle_capacity = 65536;  // slots per throttle, 8 bytes each
  // Revoked tokens kept on the deny list at once (KEYMINT_REVOCATION_MAX_ENTRIES /
  // revocation.max_entries; 1..10000000): a revocation beyond it, with none
  // expired, is refused (503), never an eviction.
  std::size_t revocation_max_entries = 100000;
  std::string config_path;  // the file actually read ("" when none)

  friend bool operator==(const Config&, const Config&) = default;
};

// `keymint restore --from DIR --data-dir DIR [--backup-id N] [--force]`:
// restore a backup offline (README "Backup and restore"). Read from the
// command line only: a restore names exactly what it reads and overwrites.
struct RestoreOptions {
  std::string from;                   // the backup directory
  std::string data_dir;               // the data directory to restore into
  std::optional<uint32_t> backup_id;  // nullopt = the newest backup
  bool force = false;                 // replace a data directory that is not empty

  friend bool operator==(const RestoreOptions&, const RestoreOptions&) = default;
};

// `keymint migrate --from-data-dir DIR --to URL [--keys-dir DIR]`: copy the
// embedded store into an empty shared one (README "Deployment: several
// replicas"). --to may come from KEYMINT_STORE instead.
struct MigrateOptions {
  std::string from_data_dir;  // the embedded store's data directory (its db/ and secret-hash.key)
  std::string to_url;         // the shared store: postgres://...
  std::string keys_dir;       // where replicas' keys are: secret-hash.key is copied there; "" = not copied

  friend bool operator==(const MigrateOptions&, const MigrateOptions&) = default;
};

// What `keymint` was asked to do.
struct Command {
  enum class Kind { kServe, kHelp, kVersion, kRestore, kMigrate } kind = Kind::kServe;
  Config config;           // kServe
  RestoreOptions restore;  // kRestore
  MigrateOptions migrate;  // kMigrate
};

// Parses `args` (argv without argv[0]) and the environment `env` (name to
// value; pass the process environment), reading the TOML file named by
// --config, or `config/keymint.toml` when that exists and no --config is
// given. Returns an error whose message is one line naming the setting and
// its source; never throws. An empty environment variable counts as unset.
// `keymint`, `keymint serve ...` -> kServe; `--help`, `-h`, `help` and
// `serve --help` -> kHelp; `--version` -> kVersion (neither reads settings);
// `restore ...` -> kRestore (reads only its own flags; `restore --help` -> kHelp);
// `migrate ...` -> kMigrate (its own flags, and KEYMINT_STORE for --to).
Result<Command> ParseCommandLine(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

// The process environment as a map (for ParseCommandLine).
std::map<std::string, std::string> ProcessEnvironment();

// Usage text for --help.
std::string UsageText();

// The issuer after defaults: `issuer`, or "http://<host>:<port>" of the
// actually bound port (known only after listening); "https://" with TLS.
std::string EffectiveIssuer(const Config& config, uint16_t bound_port);

}  // namespace keymint
