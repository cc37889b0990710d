#include "keymint/crypto/key_ring.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>

#include "crypto/atomic_file.hpp"
#include "crypto/secret_file.hpp"

namespace keymint::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxKeyFileSize = std::size_t{64} * 1024;
constexpr int kGeneratedKeyBits = 2048;

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

Result<RsaKey> LoadKeyFile(const std::string& path) {
  ASSIGN_OR_RETURN(auto pem, ReadSecretFile(path, kMaxKeyFileSize));
  if (!pem) return Error::Unavailable("cannot read " + path + ": it was removed while keymint started");
  Result<RsaKey> key = RsaKey::FromPrivatePem(*pem);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!key) return Error{key.error().code, path + ": " + key.error().message};
  return key;
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

// Generates a key and writes it to `dir` as signing-<now>.pem (0600, crash
// safe: the name appears only once the whole file is on disk). False when a
// file of that name already exists; it is then left as it is.
Result<bool> GenerateKeyFile(const std::string& dir) {
  Result<RsaKey> key = RsaKey::Generate(kGeneratedKeyBits);
  if (!key) return std::move(key).error();
  std::string pem = key->PrivatePem();
  if (pem.empty()) return Error::Internal("cannot encode the generated key as PEM");
  Result<NewFile> written = CreateFileAtomically((fs::path(dir) / GeneratedKeyName()).string(), pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!written) return std::move(written).error();
  return *written == NewFile::kCreated;
}

std::string BuildJwks(const std::vector<RsaKey>& keys) {
  boost::json::array jwks;
  jwks.reserve(keys.size());
  for (const RsaKey& key : keys) {
    jwks.push_back(boost::json::object{
        {"kty", "RSA"}, {"use", "sig"}, {"alg", "RS256"}, {"kid", key.kid()}, {"n", key.n()}, {"e", key.e()}});
  }
  return boost::json::serialize(boost::json::object{{"keys", std::move(jwks)}});
}

}  // namespace

Result<KeyRing> KeyRing::Open(const std::string& dir) {
  if (Status ok = EnsureDirectory(dir); !ok) return std::move(ok).error();
  Result<std::vector<std::string>> names = ListPemFiles(dir);
  if (!names) return std::move(names).error();

  bool generated = false;
  std::optional<DirectoryLock> lock;
  if (names->empty()) {
    Result<DirectoryLock> acquired = DirectoryLock::Acquire(dir);
    if (!acquired) return std::move(acquired).error();
    lock.emplace(std::move(acquired).value());
    // Another process may have generated a key while this one waited.
    names = ListPemFiles(dir);
    if (!names) return std::move(names).error();
    if (names->empty()) {
      Result<bool> created = GenerateKeyFile(dir);
      if (!created) return std::move(created).error();
      generated = *created;
      // The key is loaded from its file like any other, so this process signs
      // with exactly what the next start will find.
      names = ListPemFiles(dir);
      if (!names) return std::move(names).error();
    }
  }

  KeyRing ring;
  for (const std::string& name : *names) {
    const std::string path = (fs::path(dir) / name).string();
    Result<RsaKey> key = LoadKeyFile(path);
    if (!key) return std::move(key).error();
    // The same key under two names would publish a duplicate kid in the JWKS.
    if (ring.FindByKid(key->kid()) != nullptr) {
      return Error::InvalidArgument(path + ": same key as another file in " + dir);
    }
    ring.keys_.push_back(std::move(key).value());
  }
  if (ring.keys_.empty()) return Error::Unavailable("keys directory " + dir + " holds no key after generating one");
  ring.generated_ = generated;
  ring.active_header_ = EncodedJwtHeader(ring.keys_.back());
  ring.jwks_json_ = BuildJwks(ring.keys_);
  return ring;
}

const RsaKey* KeyRing::FindByKid(std::string_view kid) const {
  for (const RsaKey& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

}  // namespace keymint::crypto
