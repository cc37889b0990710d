#include "keymint/crypto/key_ring.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <system_error>
#include <thread>
#include <unordered_set>
#include <utility>

#include "crypto/atomic_file.hpp"
#include "crypto/secret_file.hpp"

namespace keymint::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxKeyFileSize = std::size_t{64} * 1024;
// Names tried for a generated key, a second apart (see EnsureKeyOf).
constexpr int kMaxNameAttempts = 3;

using Keys = std::vector<std::unique_ptr<const SigningKey>>;

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
    keys.push_back(std::move(key));
  }
  return keys;
}

bool HasAlgorithm(const Keys& keys, SigningAlgorithm algorithm) {
  return std::any_of(keys.begin(), keys.end(), [&](const auto& key) { return key->algorithm() == algorithm; });
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

std::string BuildJwks(const Keys& keys) {
  std::string jwks = R"({"keys":[)";
  for (const auto& key : keys) {
    if (jwks.back() != '[') jwks += ',';
    jwks += key->public_jwk();
  }
  jwks += "]}";
  return jwks;
}

// The algorithms of `keys`, each once, `first` first.
std::vector<SigningAlgorithm> AlgorithmsOf(const Keys& keys, SigningAlgorithm first) {
  std::vector<SigningAlgorithm> algorithms{first};
  for (const auto& key : keys) {
    if (std::find(algorithms.begin(), algorithms.end(), key->algorithm()) == algorithms.end()) {
      algorithms.push_back(key->algorithm());
    }
  }
  return algorithms;
}

}  // namespace

Result<KeyRing> KeyRing::Open(const std::string& dir, SigningAlgorithm algorithm) {
  RETURN_IF_ERROR(EnsureDirectory(dir));
  ASSIGN_OR_RETURN(auto keys, LoadKeys(dir));
  ASSIGN_OR_RETURN(const bool generated, EnsureKeyOf(dir, algorithm, keys));

  KeyRing ring;
  ring.keys_ = std::move(keys);
  for (std::size_t i = 0; i < ring.keys_.size(); ++i) {
    if (ring.keys_[i]->algorithm() == algorithm) ring.active_ = i;  // the last, newest-named, wins
  }
  if (ring.keys_.empty() || ring.active().algorithm() != algorithm) {
    return Error::Unavailable("keys directory " + dir + " holds no " + std::string(AlgorithmName(algorithm)) +
                              " key after generating one");
  }
  ring.generated_ = generated;
  ring.active_header_ = EncodedJwtHeader(ring.active());
  ring.jwks_json_ = BuildJwks(ring.keys_);
  ring.algorithms_ = AlgorithmsOf(ring.keys_, algorithm);
  return ring;
}

const SigningKey* KeyRing::FindByKid(std::string_view kid) const {
  for (const auto& key : keys_) {
    if (key->kid() == kid) return key.get();
  }
  return nullptr;
}

}  // namespace keymint::crypto
