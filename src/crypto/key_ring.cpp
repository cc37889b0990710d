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
#include "crypto/secret_file.hpp"
#include "keymint/crypto/random.hpp"

namespace keymint::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxKeyFileSize = std::size_t{64} * 1024;
// Names tried for a generated key, a second apart (see EnsureKeyOf).
constexpr int kMaxNameAttempts = 3;
// The states of the keys, beside them (a *.json, so never loaded as a key).
constexpr const char* kStateFileName = "signing-keys.json";
constexpr std::size_t kMaxStateFileSize = std::size_t{1024} * 1024;
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

// Names of the *.pem files in `dir`, sorted. Dot files are skipped as a shell
// glob would (editor backups, Kubernetes secret-volume internals).
Result<std::vector<std::string>> ListPemFiles(const std::string& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Error::Unavailable("cannot list keys directory " + dir + ": " + ec.message());
  std::vector<std::string> names;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > 4 && name.front() != '.' && name.ends_with(".pem")) names.push_back(name);
  }
  if (ec) return Error::Unavailable("cannot list keys directory " + dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::unique_ptr<SigningKey>> LoadKeyFile(const std::string& path) {
  ASSIGN_OR_RETURN(auto pem, ReadSecretFile(path, kMaxKeyFileSize));
  if (!pem) return Error::Unavailable("cannot read " + path + ": it was removed while keymint started");
  Result<std::unique_ptr<SigningKey>> key = SigningKeyFromPem(*pem);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!key) return Error{key.error().code, path + ": " + key.error().message};
  return key;
}

// Every key in `dir`, in file-name order.
Result<Keys> LoadKeys(const std::string& dir) {
  ASSIGN_OR_RETURN(const auto names, ListPemFiles(dir));
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

// The state file: {"keys":[{"file","kid","alg","state","createdAt",
// "activateAt","retiredAt"}]}, times in Unix ms. Public data only.
std::string EncodeStates(const std::vector<KeyEntry>& entries) {
  boost::json::array keys;
  for (const KeyEntry& entry : entries) {
    keys.push_back(boost::json::object{{"file", entry.file},
                                       {"kid", entry.kid},
                                       {"alg", AlgorithmName(entry.algorithm)},
                                       {"state", KeyStateName(entry.state)},
                                       {"createdAt", entry.created_at},
                                       {"activateAt", entry.activate_at},
                                       {"retiredAt", entry.retired_at}});
  }
  return boost::json::serialize(boost::json::object{{"keys", std::move(keys)}}) + "\n";
}

Result<std::vector<KeyEntry>> DecodeStates(const std::string& path, const std::string& text) {
  const Error corrupt = Error::Unavailable(path + " is corrupt; remove it to re-derive the key states");
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return corrupt;
  const boost::json::value* keys = parsed.as_object().if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return corrupt;
  std::vector<KeyEntry> entries;
  for (const boost::json::value& item : keys->as_array()) {
    const boost::json::object* object = item.if_object();
    if (object == nullptr) return corrupt;
    auto text_of = [&](const char* name) -> std::string_view {
      const boost::json::value* v = object->if_contains(name);
      return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
    };
    auto number_of = [&](const char* name) -> std::optional<int64_t> {
      const boost::json::value* v = object->if_contains(name);
      if (v == nullptr || !v->is_int64()) return std::nullopt;
      return v->as_int64();
    };
    const auto algorithm = ParseSigningAlgorithm(text_of("alg"));
    const auto state = ParseKeyState(text_of("state"));
    const auto created = number_of("createdAt");
    const auto activate = number_of("activateAt");
    const auto retired = number_of("retiredAt");
    if (text_of("file").empty() || text_of("kid").empty() || !algorithm || !state || !created || !activate ||
        !retired) {
      return corrupt;
    }
    entries.push_back(KeyEntry{std::string(text_of("file")), std::string(text_of("kid")), *algorithm, *state, *created,
                               *activate, *retired});
  }
  return entries;
}

Result<std::vector<KeyEntry>> ReadStates(const std::string& path) {
  ASSIGN_OR_RETURN(auto text, ReadSecretFile(path, kMaxStateFileSize));
  if (!text) return std::vector<KeyEntry>{};
  return DecodeStates(path, *text);
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

  // Serializes the changes (Rotate, Rescan, Advance); never taken by readers.
  mutable std::mutex mutex;
  std::vector<KeyEntry> entries;                                  // under mutex
  std::map<std::string, std::shared_ptr<const SigningKey>> keys;  // by file name; under mutex
  // Every snapshot ever published, so that no reader's reference dangles.
  std::vector<std::unique_ptr<const KeySet>> snapshots;  // under mutex
  std::atomic<const KeySet*> current{nullptr};

  std::string StatePath() const { return (fs::path(dir) / kStateFileName).string(); }
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
    set->algorithms_ = AlgorithmsOf(set->keys_, algorithm);
    current.store(set.get(), std::memory_order_release);
    snapshots.push_back(std::move(set));
  }

  Status Persist() const { return ReplaceFileAtomically(StatePath(), EncodeStates(entries)); }

  // Applies the due transitions; publishes, removes the files of keys that
  // left and records the states when anything changed, or when `changed`
  // says the caller changed them (under mutex).
  Status AdvanceLocked(bool changed = false) {
    const std::vector<KeyEntry> before = entries;
    const std::vector<KeyEntry> left = crypto::Advance(entries, Now(), timings);
    if (!changed && left.empty() && SameStates(before)) return Status::Ok();
    Publish();
    // The file goes before the record: a crash in between leaves a record
    // without a file, which Open drops, never an unrecorded key file, which
    // Open would adopt again.
    for (const KeyEntry& entry : left) {
      std::error_code ec;
      fs::remove(fs::path(dir) / entry.file, ec);
      keys.erase(entry.file);
    }
    return Persist();
  }

  bool SameStates(const std::vector<KeyEntry>& before) const {
    if (before.size() != entries.size()) return false;
    for (std::size_t i = 0; i < before.size(); ++i) {
      if (before[i].state != entries[i].state) return false;
    }
    return true;
  }

  // Adds a loaded key as next, applies what is due (with no publish delay,
  // its activation), publishes and records it (under mutex).
  Result<KeyEntry> AdoptLocked(NamedKey named) {
    KeyEntry entry = EntryOf(named);
    entry.created_at = Now();
    keys[named.file] = std::move(named.key);
    AddNext(entries, entry, entry.created_at, timings);
    RETURN_IF_ERROR(AdvanceLocked(/*changed=*/true));
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
  ASSIGN_OR_RETURN(auto keys, LoadKeys(dir));
  ASSIGN_OR_RETURN(const bool generated, EnsureKeyOf(dir, algorithm, keys));

  KeyRing ring;
  State& state = *ring.state_;
  state.dir = dir;
  state.algorithm = algorithm;
  state.clock = options.clock != nullptr ? options.clock : &kSystemClock;
  state.timings = {options.publish_delay_seconds * 1000, options.token_ttl_seconds * 1000 + kVerifierLeewayMs};
  ASSIGN_OR_RETURN(auto recorded, ReadStates(state.StatePath()));

  std::vector<KeyEntry> found;
  for (NamedKey& named : keys) {
    found.push_back(EntryOf(named));
    state.keys[named.file] = std::move(named.key);
  }
  const int64_t now = state.Now();
  state.entries = Reconcile(std::move(recorded), found, algorithm, now, state.timings);
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
  if (Status persisted = state.Persist(); !persisted) {
    ring.persist_warning_ = persisted.error().message + " (key states are kept in memory only)";
  }
  ring.generated_ = generated;
  return ring;
}

const KeySet& KeyRing::current() const { return *state_->current.load(std::memory_order_acquire); }

int64_t KeyRing::publish_delay_seconds() const { return state_->timings.publish_delay_ms / 1000; }

Result<KeyEntry> KeyRing::Rotate() {
  State& state = *state_;
  ASSIGN_OR_RETURN(auto key, GenerateSigningKey(state.algorithm));
  std::string pem = key->PrivatePem();
  if (pem.empty()) return Error::Internal("cannot encode the generated key as PEM");
  const std::lock_guard lock(state.mutex);
  const std::string name = RotatedKeyName();
  Result<NewFile> written = CreateFileAtomically((fs::path(state.dir) / name).string(), pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!written) return std::move(written).error();
  if (*written != NewFile::kCreated) return Error::Unavailable("cannot name a new key in " + state.dir);
  return state.AdoptLocked({name, std::shared_ptr<const SigningKey>(std::move(key))});
}

Result<RescanResult> KeyRing::Rescan() {
  State& state = *state_;
  const std::lock_guard lock(state.mutex);
  ASSIGN_OR_RETURN(const auto names, ListPemFiles(state.dir));
  RescanResult result;
  for (const std::string& name : names) {
    if (state.keys.contains(name)) continue;
    const std::string path = (fs::path(state.dir) / name).string();
    Result<std::unique_ptr<SigningKey>> key = LoadKeyFile(path);
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
    ASSIGN_OR_RETURN(auto adopted, state.AdoptLocked({name, std::shared_ptr<const SigningKey>(std::move(*key))}));
    result.adopted.push_back(std::move(adopted));
  }
  return result;
}

Status KeyRing::Advance() {
  const std::lock_guard lock(state_->mutex);
  return state_->AdvanceLocked();
}

std::optional<int64_t> KeyRing::NextChange() const {
  const std::lock_guard lock(state_->mutex);
  return crypto::NextChange(state_->entries, state_->timings);
}

}  // namespace keymint::crypto
