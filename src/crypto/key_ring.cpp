#include "keymint/crypto/key_ring.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <utility>

#include "crypto/atomic_file.hpp"
#include "crypto/key_ring_directory.hpp"
#include "crypto/key_ring_state_file.hpp"
#include "crypto/secret_file.hpp"
#include "keymint/crypto/random.hpp"

namespace keymint::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxKeyFileSize = std::size_t{64} * 1024;
// Names tried for a generated key, a second apart (see EnsureKeyOf).
constexpr int kMaxNameAttempts = 3;
// A token is accepted up to this long past its exp (authenticator.cpp), and
// one minted just as its key retired may carry an exp a moment later.
constexpr int64_t kVerifierLeewayMs = 1000;

// A loaded key and the name of its file.
struct NamedKey {
  std::string file;
  std::shared_ptr<const SigningKey> key;
};
using Keys = std::vector<NamedKey>;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

Status EnsureDirectory(const std::string& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  const fs::path parent = fs::path(dir).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  // 0700 from the start: there is no moment at which others may list the keys.
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error::Unavailable("cannot create keys directory " + dir + ": " + ErrnoText(errno));
  }
  if (!fs::is_directory(dir, ec)) return Error::Unavailable("keys path " + dir + " is not a directory");
  return Status::Ok();
}

// The key in `path`, or null when the file is gone.
Result<std::shared_ptr<const SigningKey>> LoadKeyFileIfPresent(const std::string& path) {
  ASSIGN_OR_RETURN(auto pem, ReadSecretFile(path, kMaxKeyFileSize));
  if (!pem) return std::shared_ptr<const SigningKey>();
  Result<std::unique_ptr<SigningKey>> key = SigningKeyFromPem(*pem);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!key) return Error{key.error().code, path + ": " + key.error().message};
  return std::shared_ptr<const SigningKey>(std::move(key).value());
}

Result<std::shared_ptr<const SigningKey>> LoadKeyFile(const std::string& path) {
  ASSIGN_OR_RETURN(auto key, LoadKeyFileIfPresent(path));
  if (!key) return Error::Unavailable("cannot read " + path + ": it was removed while keymint read the directory");
  return key;
}

// Every key in `dir`, in file-name order.
Result<Keys> LoadKeys(const std::string& dir) {
  ASSIGN_OR_RETURN(const auto names, ListKeyFiles(dir));
  Keys keys;
  std::unordered_set<std::string> kids;
  for (const std::string& name : names) {
    const std::string path = (fs::path(dir) / name).string();
    ASSIGN_OR_RETURN(auto key, LoadKeyFile(path));
    // The same key under two names would publish a duplicate kid in the JWKS.
    if (!kids.insert(key->kid()).second) return Error::InvalidArgument(path + ": same key as another file in " + dir);
    keys.push_back({name, std::move(key)});
  }
  return keys;
}

bool HasAlgorithm(const Keys& keys, SigningAlgorithm algorithm) {
  return std::any_of(keys.begin(), keys.end(),
                     [&](const NamedKey& named) { return named.key->algorithm() == algorithm; });
}

std::string GeneratedKeyName() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &utc);
  return std::string("signing-") + stamp + ".pem";
}

// Held while a process looks for keys in an empty directory and generates
// one: of several processes starting at once on one directory, the first
// generates the key and the others, waiting here, then load it. flock(2) locks
// go away with their process, so a crashed start never blocks the next.
class DirectoryLock {
 public:
  static Result<DirectoryLock> Acquire(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Error::Unavailable("cannot open keys directory " + dir + ": " + ErrnoText(errno));
    DirectoryLock lock(fd);
    int rc;
    do {
      rc = ::flock(fd, LOCK_EX);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return Error::Unavailable("cannot lock keys directory " + dir + ": " + ErrnoText(errno));
    return lock;
  }
  DirectoryLock(DirectoryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DirectoryLock& operator=(DirectoryLock&&) = delete;
  ~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

 private:
  explicit DirectoryLock(int fd) : fd_(fd) {}
  int fd_;
};

// Writes `key` to `dir` as signing-<now>.pem (0600, crash safe: the name
// appears only once the whole file is on disk). False when a file of that
// name already exists; it is then left as it is.
Result<bool> WriteKeyFile(const std::string& dir, const SigningKey& key) {
  std::string pem = key.PrivatePem();
  if (pem.empty()) return Error::Internal("cannot encode the generated key as PEM");
  Result<NewFile> written = CreateFileAtomically((fs::path(dir) / GeneratedKeyName()).string(), pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!written) return std::move(written).error();
  return *written == NewFile::kCreated;
}

void SleepUntilNextSecond() {
  const auto into_second = std::chrono::system_clock::now().time_since_epoch() % std::chrono::seconds(1);
  std::this_thread::sleep_for(std::chrono::seconds(1) - into_second + std::chrono::milliseconds(5));
}

// Makes sure `dir` holds a key of `algorithm`, generating one when it holds
// none; `keys` is what `dir` holds afterwards. True when this process wrote
// the key.
Result<bool> EnsureKeyOf(const std::string& dir, SigningAlgorithm algorithm, Keys& keys) {
  if (HasAlgorithm(keys, algorithm)) return false;
  ASSIGN_OR_RETURN(const auto lock, DirectoryLock::Acquire(dir));
  // Another process may have generated one while this one waited.
  ASSIGN_OR_RETURN(keys, LoadKeys(dir));
  if (HasAlgorithm(keys, algorithm)) return false;
  ASSIGN_OR_RETURN(const auto key, GenerateSigningKey(algorithm));
  for (int attempt = 1;; ++attempt) {
    ASSIGN_OR_RETURN(const bool created, WriteKeyFile(dir, *key));
    // The key is loaded from its file like any other, so this process signs
    // with exactly what the next start will find.
    ASSIGN_OR_RETURN(keys, LoadKeys(dir));
    if (created || HasAlgorithm(keys, algorithm)) return created;
    // The name is taken by a key of another algorithm generated within this
    // second (a restart that switched algorithms): the next second's is free.
    if (attempt == kMaxNameAttempts) {
      return Error::Unavailable("cannot name a new key in " + dir + ": " + GeneratedKeyName() + " exists");
    }
    SleepUntilNextSecond();
  }
}

// A name for a key made by Rotate: unlike GeneratedKeyName, unique however
// many rotations happen within one second.
std::string RotatedKeyName() {
  std::string name = GeneratedKeyName();
  name.resize(name.size() - 4);  // ".pem"
  static constexpr char kHex[] = "0123456789abcdef";
  name += '-';
  for (const unsigned char byte : RandomBytes(4)) {
    name += kHex[byte >> 4];
    name += kHex[byte & 15];
  }
  return name + ".pem";
}

KeyEntry EntryOf(const NamedKey& named) {
  KeyEntry entry;
  entry.file = named.file;
  entry.kid = named.key->kid();
  entry.algorithm = named.key->algorithm();
  return entry;
}

std::string BuildJwks(const std::vector<std::shared_ptr<const SigningKey>>& keys) {
  std::string jwks = R"({"keys":[)";
  for (const auto& key : keys) {
    if (jwks.back() != '[') jwks += ',';
    jwks += key->public_jwk();
  }
  jwks += "]}";
  return jwks;
}

// The algorithms of `keys`, each once, `first` first.
std::vector<SigningAlgorithm> AlgorithmsOf(const std::vector<std::shared_ptr<const SigningKey>>& keys,
                                           SigningAlgorithm first) {
  std::vector<SigningAlgorithm> algorithms{first};
  for (const auto& key : keys) {
    if (std::find(algorithms.begin(), algorithms.end(), key->algorithm()) == algorithms.end()) {
      algorithms.push_back(key->algorithm());
    }
  }
  return algorithms;
}

}  // namespace

const SigningKey* KeySet::FindByKid(std::string_view kid) const {
  for (const auto& key : keys_) {
    if (key->kid() == kid) return key.get();
  }
  return nullptr;
}

struct KeyRing::State {
  std::string dir;
  SigningAlgorithm algorithm = SigningAlgorithm::kRs256;
  const Clock* clock = nullptr;
  KeyTimings timings;

  // Serializes the changes (Rotate, Rescan, Advance, Refresh) within this
  // process; the directory's write lock serializes them across processes.
  // Never taken by readers.
  mutable std::mutex mutex;
  // The states as recorded in the state file (or, when it cannot be
  // written, as kept in memory), in file-name order.
  std::vector<KeyEntry> entries;                                  // under mutex
  std::map<std::string, std::shared_ptr<const SigningKey>> keys;  // by file name; under mutex
  // The directory as `entries` last reflected it: Refresh reads nothing
  // while it is unchanged. Empty: look again.
  std::optional<KeyDirectoryFingerprint> seen;  // under mutex
  // Every snapshot ever published, so that no reader's reference dangles.
  std::vector<std::unique_ptr<const KeySet>> snapshots;  // under mutex
  std::atomic<const KeySet*> current{nullptr};

  std::string StatePath() const { return (fs::path(dir) / kKeyStateFileName).string(); }
  int64_t Now() const { return clock->NowMillis(); }

  // Publishes `entries` as the new snapshot (under mutex).
  void Publish() {
    auto set = std::make_unique<KeySet>();
    for (const KeyEntry& entry : entries) {
      if (entry.state == KeyState::kActive) set->active_ = set->keys_.size();
      set->keys_.push_back(keys.at(entry.file));
    }
    set->entries_ = entries;
    set->active_header_ = EncodedJwtHeader(set->active());
    set->jwks_json_ = BuildJwks(set->keys_);
    set->algorithms_ = AlgorithmsOf(set->keys_, set->active().algorithm());
    current.store(set.get(), std::memory_order_release);
    snapshots.push_back(std::move(set));
  }

  bool Published() const {
    const KeySet* set = current.load(std::memory_order_relaxed);
    return set != nullptr && set->entries_ == entries;
  }

  // Records `entries` in the state file (holding the write lock), and the
  // directory as it is now as seen: nobody else writes while the lock is held,
  // so this is exactly what `entries` describe.
  Status RecordLocked(const KeyDirectoryWriteLock& write_lock) {
    RETURN_IF_ERROR(WriteKeyStates(StatePath(), entries));
    seen.reset();
    if (!write_lock.held()) return Status::Ok();
    if (auto fingerprint = FingerprintKeyDirectory(dir, StatePath()); fingerprint.ok()) seen = std::move(*fingerprint);
    return Status::Ok();
  }

  // Takes in what another process recorded since this one last looked: the
  // recorded states replace the ring's (loading the key files they name), and
  // a snapshot is published when they differ from the current one. True when
  // it published. Cheap (a stat and a listing) when nothing changed. Without
  // a state file the states in memory stand; a key file without a record is
  // left alone (its writer records it; Rescan adopts it). On failure the ring
  // is left as it was (under mutex).
  Result<bool> SyncLocked() {
    ASSIGN_OR_RETURN(auto fingerprint, FingerprintKeyDirectory(dir, StatePath()));
    if (seen && *seen == fingerprint) return false;
    ASSIGN_OR_RETURN(auto recorded, ReadKeyStates(StatePath()));
    if (!recorded) {
      seen = std::move(fingerprint);
      return false;
    }
    std::vector<KeyEntry> synced;
    std::map<std::string, std::shared_ptr<const SigningKey>> synced_keys;
    for (KeyEntry& entry : *recorded) {
      std::shared_ptr<const SigningKey> key;
      // Files are never rewritten, so a key already loaded under that name is the same key.
      if (auto known = keys.find(entry.file); known != keys.end() && known->second->kid() == entry.kid) {
        key = known->second;
      } else {
        const std::string path = (fs::path(dir) / entry.file).string();
        ASSIGN_OR_RETURN(key, LoadKeyFileIfPresent(path));
        // Gone: a key that left, its file removed just before its record (see
        // AdvanceLocked); the next state file no longer names it.
        if (!key) continue;
        if (key->kid() != entry.kid) {
          return Error::Unavailable(path + " does not hold the key " + StatePath() + " records for it");
        }
      }
      entry.algorithm = key->algorithm();  // the file is the truth
      synced_keys[entry.file] = std::move(key);
      synced.push_back(std::move(entry));
    }
    std::sort(synced.begin(), synced.end(), [](const KeyEntry& a, const KeyEntry& b) { return a.file < b.file; });
    if (std::count_if(synced.begin(), synced.end(), [](const KeyEntry& e) { return e.state == KeyState::kActive; }) !=
        1) {
      return Error::Unavailable(StatePath() + " does not record exactly one active key with its file");
    }
    entries = std::move(synced);
    keys = std::move(synced_keys);
    seen = std::move(fingerprint);
    if (Published()) return false;
    Publish();
    return true;
  }

  // Applies the due transitions; publishes, removes the files of keys that
  // left and records the states when anything changed, or when `changed`
  // says the caller changed them (under mutex, holding the write lock).
  Status AdvanceLocked(const KeyDirectoryWriteLock& write_lock, bool changed = false) {
    const std::vector<KeyEntry> before = entries;
    const std::vector<KeyEntry> left = crypto::Advance(entries, Now(), timings);
    if (!changed && entries == before) return Status::Ok();
    Publish();
    // The file goes before the record: a crash in between leaves a record
    // without a file, which Open drops, never an unrecorded key file, which
    // Open would adopt again.
    for (const KeyEntry& entry : left) {
      std::error_code ec;
      fs::remove(fs::path(dir) / entry.file, ec);
      keys.erase(entry.file);
    }
    return RecordLocked(write_lock);
  }

  // Adds a loaded key as next, applies what is due (with no publish delay,
  // its activation), publishes and records it (under mutex, holding the
  // write lock, synced).
  Result<KeyEntry> AdoptLocked(const KeyDirectoryWriteLock& write_lock, NamedKey named) {
    KeyEntry entry = EntryOf(named);
    entry.created_at = Now();
    keys[named.file] = std::move(named.key);
    AddNext(entries, entry, entry.created_at, timings);
    RETURN_IF_ERROR(AdvanceLocked(write_lock, /*changed=*/true));
    for (const KeyEntry& e : entries) {
      if (e.file == entry.file) return e;
    }
    return entry;
  }
};

KeyRing::KeyRing() : state_(std::make_unique<State>()) {}
KeyRing::KeyRing(KeyRing&&) noexcept = default;
KeyRing& KeyRing::operator=(KeyRing&&) noexcept = default;
KeyRing::~KeyRing() = default;

Result<KeyRing> KeyRing::Open(const std::string& dir, SigningAlgorithm algorithm, KeyRingOptions options) {
  static const SystemClock kSystemClock;
  RETURN_IF_ERROR(EnsureDirectory(dir));
  // Held until the states are recorded: a replica starting while another
  // rotates sees the rotation whole (key file and record) or not at all.
  ASSIGN_OR_RETURN(const auto write_lock, KeyDirectoryWriteLock::Acquire(dir));
  ASSIGN_OR_RETURN(auto keys, LoadKeys(dir));
  ASSIGN_OR_RETURN(const bool generated, EnsureKeyOf(dir, algorithm, keys));

  KeyRing ring;
  State& state = *ring.state_;
  state.dir = dir;
  state.algorithm = algorithm;
  state.clock = options.clock != nullptr ? options.clock : &kSystemClock;
  state.timings = {options.publish_delay_seconds * 1000, options.token_ttl_seconds * 1000 + kVerifierLeewayMs};
  ASSIGN_OR_RETURN(auto before_reading, FingerprintKeyDirectory(dir, state.StatePath()));
  ASSIGN_OR_RETURN(auto recorded, ReadKeyStates(state.StatePath()));

  std::vector<KeyEntry> found;
  for (NamedKey& named : keys) {
    found.push_back(EntryOf(named));
    state.keys[named.file] = std::move(named.key);
  }
  const int64_t now = state.Now();
  state.entries =
      Reconcile(std::move(recorded).value_or(std::vector<KeyEntry>{}), found, algorithm, now, state.timings);
  const std::vector<KeyEntry> left = crypto::Advance(state.entries, now, state.timings);
  const auto active = std::find_if(state.entries.begin(), state.entries.end(),
                                   [](const KeyEntry& e) { return e.state == KeyState::kActive; });
  if (active == state.entries.end() || active->algorithm != algorithm) {
    return Error::Unavailable("keys directory " + dir + " holds no " + std::string(AlgorithmName(algorithm)) +
                              " key after generating one");
  }
  state.Publish();
  for (const KeyEntry& entry : left) {
    std::error_code ec;
    fs::remove(fs::path(dir) / entry.file, ec);
    state.keys.erase(entry.file);
  }
  if (Status persisted = state.RecordLocked(write_lock); !persisted) {
    ring.persist_warning_ = persisted.error().message + " (key states are kept in memory only)";
    // Nothing was written: the directory is as read, and the states in
    // memory stand until another process records some.
    state.seen = std::move(before_reading);
  }
  ring.generated_ = generated;
  return ring;
}

const KeySet& KeyRing::current() const { return *state_->current.load(std::memory_order_acquire); }

int64_t KeyRing::publish_delay_seconds() const { return state_->timings.publish_delay_ms / 1000; }

Result<KeyEntry> KeyRing::Rotate() {
  State& state = *state_;
  // Generated before any lock is taken: an RSA key takes a while.
  ASSIGN_OR_RETURN(auto key, GenerateSigningKey(state.algorithm));
  const std::lock_guard lock(state.mutex);
  ASSIGN_OR_RETURN(const auto write_lock, KeyDirectoryWriteLock::Acquire(state.dir));
  // Another replica may have rotated meanwhile: this key goes after its.
  RETURN_IF_ERROR(state.SyncLocked());
  std::string pem = key->PrivatePem();
  if (pem.empty()) return Error::Internal("cannot encode the generated key as PEM");
  const std::string name = RotatedKeyName();
  Result<NewFile> written = CreateFileAtomically((fs::path(state.dir) / name).string(), pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!written) return std::move(written).error();
  if (*written != NewFile::kCreated) return Error::Unavailable("cannot name a new key in " + state.dir);
  return state.AdoptLocked(write_lock, {name, std::shared_ptr<const SigningKey>(std::move(key))});
}

Result<RescanResult> KeyRing::Rescan() {
  State& state = *state_;
  const std::lock_guard lock(state.mutex);
  ASSIGN_OR_RETURN(const auto write_lock, KeyDirectoryWriteLock::Acquire(state.dir));
  // A file another replica already recorded is taken in as recorded, not adopted again.
  RETURN_IF_ERROR(state.SyncLocked());
  ASSIGN_OR_RETURN(const auto names, ListKeyFiles(state.dir));
  RescanResult result;
  for (const std::string& name : names) {
    if (state.keys.contains(name)) continue;
    const std::string path = (fs::path(state.dir) / name).string();
    Result<std::shared_ptr<const SigningKey>> key = LoadKeyFile(path);
    if (!key) {
      result.refused.push_back(key.error().message);
      continue;
    }
    if ((*key)->algorithm() != state.algorithm) {
      result.refused.push_back(path + ": not a " + std::string(AlgorithmName(state.algorithm)) +
                               " key (signing.algorithm)");
      continue;
    }
    if (state.current.load(std::memory_order_relaxed)->FindByKid((*key)->kid()) != nullptr) {
      result.refused.push_back(path + ": same key as another file in " + state.dir);
      continue;
    }
    ASSIGN_OR_RETURN(auto adopted, state.AdoptLocked(write_lock, {name, std::move(*key)}));
    result.adopted.push_back(std::move(adopted));
  }
  return result;
}

Result<bool> KeyRing::Refresh() {
  const std::lock_guard lock(state_->mutex);
  return state_->SyncLocked();
}

Status KeyRing::Advance() {
  State& state = *state_;
  const std::lock_guard lock(state.mutex);
  // Called on every tick of the timer: nothing but a comparison until something is due.
  const std::optional<int64_t> next = crypto::NextChange(state.entries, state.timings);
  if (!next || *next > state.Now()) return Status::Ok();
  ASSIGN_OR_RETURN(const auto write_lock, KeyDirectoryWriteLock::Acquire(state.dir));
  // Another replica may have applied it already: the transitions are
  // functions of the recorded times, so it then has nothing left to do.
  RETURN_IF_ERROR(state.SyncLocked());
  return state.AdvanceLocked(write_lock);
}

std::optional<int64_t> KeyRing::NextChange() const {
  const std::lock_guard lock(state_->mutex);
  return crypto::NextChange(state_->entries, state_->timings);
}

}  // namespace keymint::crypto
