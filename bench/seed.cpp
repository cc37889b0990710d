// keymint_seed: writes N access keys, and the users that own them, straight
// into a data directory through the store, so that scale can be measured
// without a million API calls (bench/README.md, "Seeding a data directory").
//
//   keymint_seed --data-dir DIR --keys-dir DIR --keys N [--keys-per-user 20]
//                [--out FILE] [--roles ROLE,ROLE...] [--password PASSWORD]
//
// The data and keys directories are opened as `keymint serve` opens them
// (StoreDirectory, OpenSecretHasher, KeyRing::Open), and every record is
// written through store transactions, so the indexes (client ID, owner, name,
// creation order) are the ones the service keeps; each key is drawn by
// NewCredential, as AccessKeyService::Create draws it. The directories can
// then be served with `keymint serve --data-dir DIR --keys-dir DIR`.
//
// Writes one `clientId,secret` line per key to --out (default stdout), for a
// load generator, and timing to stderr.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/clock.hpp"
#include "keymint/crypto/key_ring.hpp"
#include "keymint/crypto/password_hash.hpp"
#include "keymint/crypto/random.hpp"
#include "keymint/service/client_credentials.hpp"
#include "keymint/service/data_dir.hpp"
#include "keymint/service/roles.hpp"
#include "keymint/store/store.hpp"

namespace {

using namespace keymint;
using SteadyClock = std::chrono::steady_clock;

// Keys written per store transaction. Each commit is one synced write
// (RocksDbTransaction::Commit), so one key per transaction would cost a
// million fsyncs for a million keys; 1,000 costs a thousand (a second or two
// on this machine's disk). Larger batches were slower, not faster: each
// staged write and read searches the transaction's indexed write batch, and
// the searches grow with it (10,000 keys per transaction took ~30% more CPU).
constexpr long kKeysPerTransaction = 1'000;
constexpr long kProgressEveryKeys = 100'000;
constexpr long kMaxKeysPerUser = 100;  // the bound of the access_keys.max_per_user setting

constexpr const char* kUsage =
    "usage: keymint_seed --data-dir DIR --keys-dir DIR --keys N [--keys-per-user 20] [--out FILE]\n"
    "                    [--roles ROLE,ROLE...] [--password PASSWORD]\n"
    "\n"
    "Creates ceil(N / keys-per-user) users (seed-000000@bench.local, ...; roles default to\n"
    "'System administrator', from the built-in catalog) and N access keys owned by them, and\n"
    "writes one 'clientId,secret' line per key to --out (default stdout). Every user gets the\n"
    "same password (--password, or a random one printed to stderr). Serve the result with\n"
    "'keymint serve --data-dir DIR --keys-dir DIR' (access_keys.max_per_user must be at least\n"
    "keys-per-user for the users to create more keys through the API).\n";

struct Options {
  std::string data_dir;
  std::string keys_dir;
  long keys = 0;
  long keys_per_user = 20;
  std::string out;  // "" = stdout
  std::vector<std::string> roles = {std::string(kSystemAdministrator)};
  std::optional<std::string> password;
};

std::optional<long> ParseCount(std::string_view text) {
  long value = 0;
  if (text.empty() || text.size() > 12) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::vector<std::string> SplitRoles(const std::string& text) {
  std::vector<std::string> roles;
  std::stringstream in(text);
  for (std::string role; std::getline(in, role, ',');) {
    if (!role.empty()) roles.push_back(role);
  }
  return roles;
}

// The options, or an error message for the user.
Result<Options> ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return Error::InvalidArgument(std::string(flag) + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--data-dir") {
      options.data_dir = value;
    } else if (flag == "--keys-dir") {
      options.keys_dir = value;
    } else if (flag == "--keys" || flag == "--keys-per-user") {
      auto count = ParseCount(value);
      if (!count || *count < 1) return Error::InvalidArgument(std::string(flag) + " must be a positive integer");
      (flag == "--keys" ? options.keys : options.keys_per_user) = *count;
    } else if (flag == "--out") {
      options.out = value;
    } else if (flag == "--roles") {
      options.roles = SplitRoles(value);
    } else if (flag == "--password") {
      options.password = value;
    } else {
      return Error::InvalidArgument("unknown option " + std::string(flag));
    }
  }
  if (options.data_dir.empty() || options.keys_dir.empty() || options.keys == 0) {
    return Error::InvalidArgument("--data-dir, --keys-dir and --keys are required");
  }
  if (options.keys_per_user > kMaxKeysPerUser) {
    return Error::InvalidArgument("--keys-per-user must be at most " + std::to_string(kMaxKeysPerUser));
  }
  const RoleCatalog catalog;
  for (const auto& role : options.roles) {
    if (!catalog.Contains(role)) return Error::InvalidArgument("unknown role \"" + role + "\"");
  }
  return options;
}

std::string Numbered(std::string_view prefix, long n, int digits, std::string_view suffix = "") {
  std::string number = std::to_string(n);
  if (number.size() < static_cast<std::size_t>(digits)) number.insert(0, digits - number.size(), '0');
  return std::string(prefix) + number + std::string(suffix);
}

// Writes the users and keys numbered [first_key, end_key) in one transaction
// and returns their `clientId,secret` lines. A user is written with its first
// key, so batches may split a user's keys. The body draws fresh ids and
// secrets on every run (a backend may run it more than once).
Result<std::string> SeedBatch(Store& store, const crypto::SecretHasher& hasher, const Clock& clock,
                              const Options& options, const std::string& password_hash, long first_key, long end_key) {
  std::string lines;
  const TransactionBody body = [&](StoreTransaction& tx) -> Status {
    lines.clear();
    UserRecord owner;
    for (long key = first_key; key < end_key; ++key) {
      const long user = key / options.keys_per_user;
      const std::string email = Numbered("seed-", user, 6, "@bench.local");
      if (owner.email != email) {
        if (key % options.keys_per_user == 0) {
          owner = UserRecord{};
          owner.id = crypto::NewUuidV4();
          owner.email = email;
          owner.password_hash = password_hash;
          owner.roles = options.roles;
          owner.created_by = "keymint_seed";
          owner.created_at_ms = owner.updated_at_ms = clock.NowMillis();
          RETURN_IF_ERROR(tx.CreateUser(owner));
        } else {  // the user's first keys went in the previous batch
          ASSIGN_OR_RETURN(auto stored, tx.FindUserByEmail(email));
          if (!stored) return Error::Internal("seeded user " + email + " is missing");
          owner = std::move(*stored);
        }
      }
      ASSIGN_OR_RETURN(IssuedCredential issued,
                       NewCredential(tx, hasher, CredentialKind::kAccessKey, Numbered("key-", key, 7), owner.id,
                                     owner.email, clock.NowMillis()));
      RETURN_IF_ERROR(tx.CreateCredential(issued.record));
      lines += issued.record.client_id;
      lines += ',';
      lines += issued.secret;
      lines += '\n';
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(store.RunTransaction(body));
  return lines;
}

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// CPU time of the calling thread, which writes every transaction: on a shared
// machine it says what the seeding costs better than the wall time does.
// RocksDB's flushes and compactions run on threads of their own.
double ThreadCpuSeconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

int Fail(const std::string& message) {
  std::cerr << "keymint_seed: " << message << std::endl;
  return 1;
}

int Seed(const Options& options) {
  // No key signs anything here, but serve makes one on its first start anyway
  // (of its signing.algorithm: RS256 unless configured otherwise, when serve
  // adds a key of the configured kind beside this one); opening the ring now
  // also checks the directory early.
  auto keys = crypto::KeyRing::Open(options.keys_dir);
  if (!keys.ok()) return Fail(keys.error().message);
  if (keys->generated()) std::cerr << "keymint_seed: generated a signing key in " << options.keys_dir << std::endl;
  auto store = OpenRocksDbStore(StoreDirectory(options.data_dir));
  if (!store.ok()) return Fail(store.error().message);
  auto hasher = OpenSecretHasher(**store, options.data_dir);
  if (!hasher.ok()) return Fail(hasher.error().message);

  std::ofstream file;
  if (!options.out.empty()) {
    file.open(options.out, std::ios::binary | std::ios::trunc);
    if (!file) return Fail("cannot write " + options.out);
  }
  std::ostream& out = options.out.empty() ? std::cout : file;

  // Every user shares one password hash: PBKDF2 at 600,000 iterations costs
  // ~0.15-0.3 s of a core, so a hash per user would take hours for the 50,000
  // users of a million keys. The hash is still a real one, so seeded users
  // can log in.
  const std::string password = options.password ? *options.password : crypto::RandomUrlSafe(16);
  const std::string password_hash = crypto::HashPassword(password);
  if (!options.password) std::cerr << "keymint_seed: every seeded user's password: " << password << std::endl;

  SystemClock clock;
  const auto start = SteadyClock::now();
  const double cpu_start = ThreadCpuSeconds();
  long next_progress = kProgressEveryKeys;
  for (long first = 0; first < options.keys; first += kKeysPerTransaction) {
    const long end = std::min(options.keys, first + kKeysPerTransaction);
    auto lines = SeedBatch(**store, *hasher, clock, options, password_hash, first, end);
    if (!lines.ok()) return Fail("after " + std::to_string(first) + " keys: " + lines.error().message);
    out << *lines;
    if (end >= next_progress) {
      std::cerr << "keymint_seed: " << end << " keys, " << static_cast<long>(end / SecondsSince(start)) << " keys/s"
                << std::endl;
      next_progress += kProgressEveryKeys;
    }
  }
  out.flush();
  if (!out) return Fail("cannot write the credentials to " + (options.out.empty() ? "stdout" : options.out));
  // Settled, as a store that has served for a while would be: otherwise the
  // first keymint to open it spends its first seconds compacting.
  if (Status compacted = (*store)->Compact(); !compacted.ok()) return Fail(compacted.error().message);
  store->reset();  // syncs and closes, waiting for RocksDB's background work: part of the cost

  const double seconds = SecondsSince(start);
  const double cpu_seconds = ThreadCpuSeconds() - cpu_start;
  const long users = (options.keys + options.keys_per_user - 1) / options.keys_per_user;
  std::fprintf(stderr,
               "keymint_seed: %ld keys and %ld users in %.1f s (%.0f keys/s; the writing thread used %.1f s of CPU) "
               "into %s\n",
               options.keys, users, seconds, static_cast<double>(options.keys) / seconds, cpu_seconds,
               options.data_dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help") {
      std::cout << kUsage;
      return 0;
    }
  }
  auto options = ParseOptions(argc, argv);
  if (!options.ok()) {
    std::cerr << "keymint_seed: " << options.error().message << "\n\n" << kUsage;
    return 2;
  }
  return Seed(*options);
} catch (const std::exception& e) {
  std::cerr << "keymint_seed: fatal: " << e.what() << std::endl;
  return 1;
}
