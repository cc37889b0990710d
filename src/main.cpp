// keymint's composition root: config -> keys -> store -> services -> router
// -> server, and the reverse on shutdown.
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include "keymint/api/api.hpp"
#include "keymint/common/clock.hpp"
#include "keymint/common/log.hpp"
#include "keymint/config/config.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/crypto/password_hash.hpp"
#include "keymint/service/access_key_service.hpp"
#include "keymint/service/audit_pruner.hpp"
#include "keymint/service/audit_trail.hpp"
#include "keymint/service/authenticator.hpp"
#include "keymint/service/backup_service.hpp"
#include "keymint/service/data_dir.hpp"
#include "keymint/service/last_login_recorder.hpp"
#include "keymint/service/login_limiter.hpp"
#include "keymint/service/roles.hpp"
#include "keymint/service/signing_key_service.hpp"
#include "keymint/service/store_migration.hpp"
#include "keymint/service/token_deny_list.hpp"
#include "keymint/service/token_introspection.hpp"
#include "keymint/service/token_service.hpp"
#include "keymint/service/usage_service.hpp"
#include "keymint/service/user_service.hpp"
#include "keymint/store/local_store_cache.hpp"
#include "keymint/store/postgres_store.hpp"
#include "keymint/store/replica_cache.hpp"
#include "keymint/store/store.hpp"
#include "keymint/transport/server.hpp"

namespace {

using keymint::Config;

constexpr std::chrono::milliseconds kLastLoginInterval{250};  // "visible within one second"

// How often the audit log drops what audit.retention_days no longer keeps
// (also once at start).
constexpr std::chrono::hours kAuditPruneInterval{1};
// Blocking-pool threads kept free of password work, for management writes.
constexpr int kManagementPoolThreads = 2;

// Every connection is a file descriptor: take the soft limit up to the hard
// one, so that max_connections is not cut short by a default of 1024.
void RaiseOpenFileLimit(std::size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &limit);
    (void)::getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted + 64) {
    std::cerr << "keymint: warning: the open-file limit (" << limit.rlim_cur << ") is below max_connections (" << wanted
              << "); connections past it are refused by the system" << std::endl;
  }
}

keymint::LoginLimits LimitsFrom(const keymint::Config& config) {
  keymint::LoginLimits limits;
  limits.client_id = {config.throttle_client_id_burst, static_cast<double>(config.throttle_client_id_per_minute)};
  limits.client_address = {config.throttle_client_address_burst,
                           static_cast<double>(config.throttle_client_address_per_minute)};
  limits.username = {config.throttle_username_burst, static_cast<double>(config.throttle_username_per_minute)};
  limits.password_address = {config.throttle_password_address_burst,
                             static_cast<double>(config.throttle_password_address_per_minute)};
  limits.throttle_capacity = config.throttle_capacity;
  limits.password = {config.password_concurrency, config.password_queue,
                     std::chrono::milliseconds(config.password_queue_wait_ms)};
  return limits;
}

// What GET /readyz checks. The store and the signing keys were opened before
// the server was built, or keymint would not be running; what can change is
// the store refusing writes after a background error, and draining.
keymint::api::Readiness ReadinessOf(const keymint::transport::HttpServer& server, const keymint::Store& store,
                                    const keymint::ReplicaCache* cache, std::chrono::milliseconds max_staleness) {
  keymint::api::Readiness readiness;
  readiness.Add("store", [&store, cache, max_staleness]() -> keymint::Status {
    if (store.Statistics().background_errors > 0) {
      return keymint::Error::Unavailable("the store refuses writes after a background error; restart keymint");
    }
    // A replica that has not read the shared store's change log for longer
    // than the bound reads every record through to the store: while the
    // store is down, that fails, so send traffic elsewhere.
    if (cache != nullptr) {
      const auto age = cache->CacheStatistics().freshness_age_ms;
      if (!age || *age > max_staleness.count()) {
        return keymint::Error::Unavailable("the shared store's change log has not been read for " +
                                           (age ? std::to_string(*age) + " ms" : std::string("ever")));
      }
    }
    return keymint::Status::Ok();
  });
  readiness.Add("draining", [&server]() -> keymint::Status {
    if (server.draining()) return keymint::Error::Unavailable("keymint is shutting down");
    return keymint::Status::Ok();
  });
  return readiness;
}

// The readings /metrics takes from outside the API layer at each scrape.
// `admin` is the admin listener, when there is one.
void AddReadings(keymint::api::Metrics& metrics, const keymint::transport::HttpServer& server,
                 const std::optional<keymint::transport::HttpServer>& admin, const keymint::LastLoginRecorder& recorder,
                 const keymint::Store& store, const keymint::AuditTrail& audit, const keymint::TokenDenyList& deny_list,
                 const keymint::ReplicaCache* cache, const keymint::LocalStoreCache* local_cache) {
  metrics.AddGauge("keymint_http_connections", "HTTP connections open now, on both listeners", [&server, &admin] {
    return static_cast<double>(server.connections() + (admin ? admin->connections() : 0));
  });
  metrics.AddGauge("keymint_last_login_queue_depth", "Last-login times recorded and not yet written to the store",
                   [&recorder] { return static_cast<double>(recorder.pending()); });
  const auto figure = [&store](uint64_t keymint::StoreStatistics::*member) {
    return [&store, member] { return static_cast<double>(store.Statistics().*member); };
  };
  using Figures = keymint::StoreStatistics;
  metrics.AddCounter("keymint_rocksdb_block_cache_hits_total", "RocksDB block reads served from the block cache",
                     figure(&Figures::block_cache_hits));
  metrics.AddCounter("keymint_rocksdb_block_cache_misses_total", "RocksDB block reads that missed the block cache",
                     figure(&Figures::block_cache_misses));
  metrics.AddGauge("keymint_rocksdb_block_cache_bytes", "Memory held by the RocksDB block cache",
                   figure(&Figures::block_cache_bytes));
  metrics.AddGauge("keymint_rocksdb_pending_compaction_bytes",
                   "RocksDB's estimate of the bytes compaction must rewrite; writes slow, then stop, as it grows",
                   figure(&Figures::pending_compaction_bytes));
  metrics.AddCounter("keymint_rocksdb_background_errors_total",
                     "RocksDB background flushes or compactions that failed; after one, writes are refused",
                     figure(&Figures::background_errors));
  metrics.AddCounter("keymint_audit_failures_dropped_total",
                     "Failure entries over audit.failures_per_minute, counted instead of written to the audit log",
                     [&audit] { return static_cast<double>(audit.dropped()); });
  metrics.AddGauge("keymint_revoked_tokens", "Revoked tokens on the deny list (bounded by revocation.max_entries)",
                   [&deny_list] { return static_cast<double>(deny_list.size()); });
  metrics.AddCounter("keymint_log_lines_dropped_total",
                     "Request and log lines dropped because stderr fell behind (or was closed)",
                     [] { return static_cast<double>(keymint::log::Dropped()); });
  // hits, misses and entries of whichever cache is in front of the store
  std::function<keymint::StoreCacheStatistics()> counts;
  if (cache != nullptr) counts = [cache] { return keymint::StoreCacheStatistics(cache->CacheStatistics()); };
  if (local_cache != nullptr) counts = [local_cache] { return local_cache->CacheStatistics(); };
  if (counts) {
    const auto count = [counts](uint64_t keymint::StoreCacheStatistics::*member) {
      return [counts, member] { return static_cast<double>(counts().*member); };
    };
    using Counts = keymint::StoreCacheStatistics;
    metrics.AddCounter("keymint_store_cache_hits_total", "Token-path reads answered from memory", count(&Counts::hits));
    metrics.AddCounter("keymint_store_cache_misses_total", "Token-path reads sent to the store",
                       count(&Counts::misses));
    metrics.AddGauge("keymint_store_cache_entries", "Credentials and users held in memory", count(&Counts::entries));
  }
  if (cache == nullptr) return;
  const auto cached = [cache](uint64_t keymint::ReplicaCacheStatistics::*member) {
    return [cache, member] { return static_cast<double>(cache->CacheStatistics().*member); };
  };
  using Cached = keymint::ReplicaCacheStatistics;
  metrics.AddCounter("keymint_store_change_log_failed_reads_total",
                     "Reads of the shared store's change log that failed", cached(&Cached::failed_polls));
  metrics.AddCounter("keymint_store_cache_resets_total",
                     "Times this replica fell behind the change log and forgot everything it held",
                     cached(&Cached::resets));
  metrics.AddGauge("keymint_store_change_log_age_seconds",
                   "Seconds since this replica last read the shared store's change log (above "
                   "store.max_staleness_ms it reads every record from the store)",
                   [cache] {
                     const auto age = cache->CacheStatistics().freshness_age_ms;
                     return age ? static_cast<double>(*age) / 1000.0 : -1.0;
                   });
}

// The store keymint serves from: RocksDB in the data directory behind the
// exact local cache of the token path's reads (`local_cache` is then set), or
// a shared database behind this replica's cache (`cache` is then set; Start
// it once its observer is set).
keymint::Result<std::unique_ptr<keymint::Store>> OpenServingStore(const keymint::Config& config,
                                                                  const keymint::Clock& clock,
                                                                  keymint::ReplicaCache*& cache,
                                                                  keymint::LocalStoreCache*& local_cache) {
  using namespace keymint;
  cache = nullptr;
  local_cache = nullptr;
  if (config.store_url.empty()) {
    ASSIGN_OR_RETURN(auto embedded, OpenRocksDbStore(StoreDirectory(config.data_dir)));
    if (config.store_cache_entries == 0) return embedded;
    auto local =
        std::make_unique<LocalStoreCache>(std::move(embedded), static_cast<std::size_t>(config.store_cache_entries));
    local_cache = local.get();
    return std::unique_ptr<Store>(std::move(local));
  }
  PostgresStoreOptions options;
  options.connections = static_cast<std::size_t>(config.store_connections);
  ASSIGN_OR_RETURN(auto shared, OpenPostgresStore(config.store_url, options));
  ReplicaCacheOptions cache_options;
  cache_options.max_entries = config.store_cache_entries;
  cache_options.max_staleness = std::chrono::milliseconds(config.store_max_staleness_ms);
  // A quarter of the bound: two polls in a row may fail, or be slow, before
  // reads have to go to the store.
  cache_options.poll_interval = cache_options.max_staleness / 4;
  auto replica = std::make_unique<ReplicaCache>(std::move(shared), clock, cache_options);
  cache = replica.get();
  return std::unique_ptr<Store>(std::move(replica));
}

// A host as it appears in a URL: IPv6 in brackets.
std::string AddressText(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

// The admin listener: the main one's limits, one I/O thread (it serves
// probes and scrapes, all inline), and no signal handling of its own: the
// main listener's drain decides when it stops.
keymint::transport::ServerOptions AdminServerOptions(const keymint::Config& config,
                                                     const keymint::transport::ServerOptions& main) {
  keymint::transport::ServerOptions options = main;
  options.host = config.admin_listen_host;
  options.port = config.admin_listen_port;
  options.io_threads = 1;
  options.pool_threads = 1;
  options.handle_signals = false;
  options.on_hangup = nullptr;  // the main listener runs it, once per SIGHUP
  return options;
}

int Fail(const std::string& message) {
  std::cerr << "keymint: " << message << std::endl;
  return 1;
}

int Serve(const Config& config) {
  using namespace keymint;
  const int threads = config.threads > 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());

  // A bad TLS pair stops start-up before anything is written.
  if (Status s = transport::CheckTlsFiles(config.tls_cert, config.tls_key); !s.ok()) return Fail(s.error().message);
  const auto algorithm = crypto::ParseSigningAlgorithm(config.signing_algorithm);
  if (!algorithm) return Fail("unsupported signing algorithm " + config.signing_algorithm);
  auto keys = crypto::KeyRing::Open(config.keys_dir, *algorithm,
                                    {nullptr, config.signing_publish_delay_seconds, config.token_ttl_seconds});
  if (!keys.ok()) return Fail(keys.error().message);
  if (!keys->persist_warning().empty()) std::cerr << "keymint: " << keys->persist_warning() << std::endl;
  if (keys->generated()) {
    std::cerr << "keymint: generated a signing key in " << config.keys_dir << " (" << config.signing_algorithm << ")"
              << std::endl;
  }

  if (!config.store_url.empty() && !config.backup_dir.empty()) {
    return Fail(
        "backup.dir backs up the embedded store; a shared store (store.url) is backed up with the "
        "database's own tools (pg_dump, CockroachDB BACKUP)");
  }
  if (!config.store_url.empty() && config.issuer.empty()) {
    std::cerr << "keymint: warning: with a shared store set tokens.issuer (--issuer) to the URL clients use, the "
                 "same on every replica: the default names this replica's own address, and replicas refuse each "
                 "other's tokens"
              << std::endl;
  }
  SystemClock clock;
  ReplicaCache* cache = nullptr;
  LocalStoreCache* local_cache = nullptr;
  auto store = OpenServingStore(config, clock, cache, local_cache);
  if (!store.ok()) return Fail(store.error().message);
  // With a shared store, the key client secrets are hashed under lives with
  // the signing keys, in the directory every replica mounts.
  auto hasher = OpenSecretHasher(**store, config.store_url.empty() ? config.data_dir : config.keys_dir);
  if (!hasher.ok()) return Fail(hasher.error().message);

  RoleCatalog catalog(config.extra_roles);
  LoginLimiter limiter(LimitsFrom(config), clock);
  if (config.password_iterations < crypto::kPasswordIterations) {
    std::cerr << "keymint: warning: passwords.iterations is " << config.password_iterations << ", below the "
              << crypto::kPasswordIterations << " that OWASP recommends for PBKDF2-HMAC-SHA-256" << std::endl;
  }
  AuditTrail audit(**store, clock, {config.audit_retention_days, config.audit_failures_per_minute});
  UserService users(**store, catalog, clock, limiter, &audit, config.password_iterations);
  auto generated = users.EnsureFirstAdmin(config.admin_email, config.admin_password);
  if (!generated.ok()) return Fail(generated.error().message);
  if (*generated) {
    std::cerr << "keymint: first admin " << config.admin_email << " created; password: " << **generated << std::endl;
  }

  transport::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.io_threads = threads;
  options.body_limit = config.body_limit_bytes;
  options.header_limit = config.header_limit_bytes;
  options.idle_timeout = std::chrono::seconds(config.request_timeout_seconds);
  options.max_connections = config.max_connections;
  options.max_connections_per_address = config.max_connections_per_address;
  options.tls_cert_file = config.tls_cert;
  options.tls_key_file = config.tls_key;
  // Password work waits in the gate on pool threads; management requests
  // must still find one free.
  options.pool_threads = config.password_concurrency + config.password_queue + kManagementPoolThreads;
  // SIGHUP adopts a key file put in the keys directory as the next signing key.
  // Replicas mounting one keys directory re-read it to follow each other's rotations.
  SigningKeyService signing_keys(*keys, &audit, std::chrono::milliseconds(config.signing_refresh_interval_ms));
  options.on_hangup = [&signing_keys] { signing_keys.Rescan(); };
  RaiseOpenFileLimit(config.max_connections);
  transport::HttpServer server(options);
  if (Status s = server.Listen(); !s.ok()) return Fail(s.error().message);
  std::optional<transport::HttpServer> admin_server;
  if (!config.admin_listen_host.empty()) {
    admin_server.emplace(AdminServerOptions(config, options));
    if (Status s = admin_server->Listen(); !s.ok()) return Fail(s.error().message);
  }

  const std::string issuer = EffectiveIssuer(config, server.port());
  const std::string audience = config.audience.empty() ? issuer : config.audience;
  LastLoginRecorder recorder(**store, kLastLoginInterval);
  TokenService tokens(**store, *keys, *hasher, clock, recorder, limiter,
                      {issuer, audience, config.token_ttl_seconds, config.password_iterations}, &audit);
  TokenDenyList deny_list(**store, clock, config.revocation_max_entries);
  if (cache != nullptr) {
    // Another replica's revocation reaches this one through the change log.
    // A reload that fails is retried at every poll (the cache stays on the
    // batch), so a revocation cannot be missed for want of one read.
    cache->OnChanges([&deny_list](const std::vector<Change>& changes, bool reset) -> Status {
      const bool revoked = reset || std::any_of(changes.begin(), changes.end(), [](const Change& change) {
                             return change.table == ChangeTable::kRevokedToken;
                           });
      return revoked ? deny_list.Load() : Status::Ok();
    });
    // Started before the first load: a revocation committed in between is
    // then in the feed the cache reads from, not lost between the two.
    if (Status s = cache->Start(); !s.ok()) return Fail(s.error().message);
  }
  // Stops the cache's poll thread before what its observer touches goes,
  // however Serve returns from here on.
  struct CacheStopper {
    ReplicaCache* cache;
    ~CacheStopper() {
      if (cache != nullptr) cache->Stop();
    }
  } cache_stopper{cache};
  if (Status s = deny_list.Load(); !s.ok()) return Fail(s.error().message);
  Authenticator authenticator(**store, *keys, clock, issuer, audience, &deny_list);
  TokenIntrospection introspection(authenticator, *keys, deny_list, clock, issuer);
  UsageService usage(**store, clock);
  const CredentialPolicy credential_policy{config.max_grace_seconds, config.max_lifetime_days};
  AccessKeyService access_keys(**store, *hasher, clock, config.max_keys_per_user, &audit, credential_policy);
  ServiceAccountService service_accounts(**store, *hasher, catalog, clock, kMaxServiceAccounts, &audit,
                                         credential_policy);
  BackupService backups(**store, config.backup_dir);
  AuditPruner audit_pruner(audit, kAuditPruneInterval, [](const std::string& problem) {
    std::cerr << "keymint: pruning the audit log failed (retried in an hour): " << problem << std::endl;
  });
  const api::Readiness readiness =
      ReadinessOf(server, **store, cache, std::chrono::milliseconds(config.store_max_staleness_ms));
  api::Metrics metrics(KEYMINT_VERSION);
  AddReadings(metrics, server, admin_server, recorder, **store, audit, deny_list, cache, local_cache);
  // Built after Listen(): the default issuer names the bound port.
  const api::ApiServices services{tokens,
                                  authenticator,
                                  access_keys,
                                  users,
                                  service_accounts,
                                  *keys,
                                  issuer,
                                  config.tenant_id,
                                  config.deprecation_date,
                                  config.sunset_date,
                                  &readiness,
                                  &metrics,
                                  &backups,
                                  &audit,
                                  &signing_keys,
                                  &introspection,
                                  &usage};
  const auto router = api::MakeRouter(services, admin_server ? api::RouteSet::kApi : api::RouteSet::kAll);
  const auto admin_router = api::MakeRouter(services, api::RouteSet::kOperations);

  // The admin listener serves the same scheme as the main one (the same TLS pair).
  const char* scheme = config.tls_cert.empty() ? "http://" : "https://";
  // The admin listener runs on its own thread and outlives the main one's
  // drain, so that probes see /readyz turn 503 while in-flight requests finish.
  // Start-up and shutdown lines stay plain text written at once (tests and
  // scripts wait for "listening on"); the JSON log carries request lines.
  log::Start(*log::ParseLevel(config.log_level));
  std::thread admin_thread;
  if (admin_server) {
    std::cerr << "keymint: operations endpoints on " << scheme << AddressText(config.admin_listen_host) << ":"
              << admin_server->port() << std::endl;
    admin_thread = std::thread([&admin_server, &admin_router] { admin_server->Run(*admin_router); });
  }
  std::cerr << "keymint: listening on " << scheme << options.host << ":" << server.port() << " (issuer " << issuer
            << ", " << threads << " I/O threads)" << std::endl;
  signing_keys.Start();
  server.Run(*router);
  signing_keys.Stop();
  if (admin_server) {
    admin_server->Stop();
    admin_thread.join();
  }
  const uint64_t dropped = log::Dropped();
  log::Stop();  // writes what is queued before the last plain line
  if (dropped > 0) std::cerr << "keymint: " << dropped << " log lines dropped: stderr was too slow" << std::endl;

  audit_pruner.Stop();
  recorder.Stop();  // writes pending last logins and syncs the store
  std::cerr << "keymint: stopped" << std::endl;
  return 0;
}

// keymint restore (README "Backup and restore"). Exit 0 when restored; 2, as
// for a bad command line, when the arguments name no backup or a data
// directory that is not empty (nothing was written); 1 when the restore fails.
int Restore(const keymint::RestoreOptions& options) {
  std::error_code ec;
  if (!options.force && std::filesystem::exists(options.data_dir, ec) &&
      !std::filesystem::is_empty(options.data_dir, ec)) {
    std::cerr << "keymint: " << options.data_dir
              << " is not empty; restore into a new or empty data directory (--force replaces its database)"
              << std::endl;
    return 2;
  }
  const std::string db_dir = keymint::StoreDirectory(options.data_dir);
  auto restored = keymint::RestoreRocksDbBackup(options.from, options.backup_id, db_dir);
  if (!restored.ok()) {
    std::cerr << "keymint: " << restored.error().message << std::endl;
    return restored.error().code == keymint::ErrorCode::kNotFound ? 2 : 1;
  }
  std::cout << "keymint: restored backup " << restored->id << " of "
            << keymint::FormatTimestamp(restored->created_at_ms.value_or(0)) << " (" << restored->file_count
            << " files, " << restored->size_bytes << " bytes, checksums verified) into " << db_dir << "\n"
            << "keymint: copy secret-hash.key into " << options.data_dir
            << " and start keymint with the keys directory backed up with it" << std::endl;
  return 0;
}

// keymint migrate (README "Moving from the embedded store"). Exit 0 when
// copied; 2, as for a bad command line, when the data directory holds no
// store or the destination is not empty (nothing was written); 1 when the
// copy fails part way.
int Migrate(const keymint::MigrateOptions& options) {
  using namespace keymint;
  const std::string db_dir = StoreDirectory(options.from_data_dir);
  std::error_code ec;
  if (!std::filesystem::is_directory(db_dir, ec)) {
    std::cerr << "keymint: " << options.from_data_dir << " holds no keymint store (no " << db_dir << ")" << std::endl;
    return 2;
  }
  auto from = OpenRocksDbStore(db_dir);
  if (!from.ok()) return Fail(from.error().message);
  auto to = OpenPostgresStore(options.to_url);
  if (!to.ok()) return Fail(to.error().message);
  auto report = CopyStore(**from, **to, [](std::string_view line) { std::cout << "keymint: " << line << std::endl; });
  if (!report.ok()) {
    std::cerr << "keymint: " << report.error().message << std::endl;
    return report.error().code == ErrorCode::kAlreadyExists ? 2 : 1;
  }
  std::cout << "keymint: migrated " << report->users << " users, " << report->access_keys << " access keys and "
            << report->service_accounts << " service accounts" << std::endl;
  if (options.keys_dir.empty()) {
    std::cout << "keymint: copy " << options.from_data_dir
              << "/secret-hash.key into the keys directory the replicas mount: every client secret is hashed under it"
              << std::endl;
    return 0;
  }
  if (Status s = CopySecretHashKey(options.from_data_dir, options.keys_dir); !s.ok()) return Fail(s.error().message);
  std::cout << "keymint: copied secret-hash.key into " << options.keys_dir << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto command = keymint::ParseCommandLine(args, keymint::ProcessEnvironment());
  if (!command.ok()) {
    std::cerr << "keymint: " << command.error().message << std::endl;
    return 2;
  }
  switch (command->kind) {
    case keymint::Command::Kind::kHelp:
      std::cout << keymint::UsageText();
      return 0;
    case keymint::Command::Kind::kVersion:
      std::cout << "keymint " << KEYMINT_VERSION << std::endl;
      return 0;
    case keymint::Command::Kind::kServe:
      return Serve(command->config);
    case keymint::Command::Kind::kRestore:
      return Restore(command->restore);
    case keymint::Command::Kind::kMigrate:
      return Migrate(command->migrate);
  }
  return 0;
} catch (const std::exception& e) {
  // Nothing below throws by design (errors are Results); this is for what
  // only the runtime can throw, such as std::bad_alloc during start-up.
  std::cerr << "keymint: fatal: " << e.what() << std::endl;
  return 1;
}
