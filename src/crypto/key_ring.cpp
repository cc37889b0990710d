#include "keymint/crypto/key_ring.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <system_error>

namespace keymint::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxKeyFileSize = 64 * 1024;
constexpr int kGeneratedKeyBits = 2048;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// Closes a file descriptor on every path out of a function.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Closes now and reports the result: close can be where a write error surfaces.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

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

Result<std::string> ReadKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::Unavailable(path + ": " + ErrnoText(errno));
  FdCloser closer(fd);
  std::string contents;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Unavailable(path + ": " + ErrnoText(errno));
    if (n == 0) break;
    contents.append(buffer, static_cast<std::size_t>(n));
    if (contents.size() > kMaxKeyFileSize) {
      OPENSSL_cleanse(contents.data(), contents.size());
      return Error::InvalidArgument(path + ": file too large for a PEM key");
    }
  }
  OPENSSL_cleanse(buffer, sizeof buffer);
  return contents;
}

Result<RsaKey> LoadKeyFile(const std::string& path) {
  Result<std::string> pem = ReadKeyFile(path);
  if (!pem) return std::move(pem).error();
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

// Writes `contents` to a new file `path` with mode 0600. O_EXCL means an
// existing key is never overwritten; on any failure the partial file is
// removed so that the next start does not trip over a truncated key.
Status WriteNewPrivateFile(const std::string& path, std::string_view contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error::Unavailable("cannot create " + path + ": " + ErrnoText(errno));
  FdCloser closer(fd);
  auto fail = [&path](const char* what, int err) -> Status {
    ::unlink(path.c_str());
    return Error::Unavailable(std::string("cannot ") + what + " " + path + ": " + ErrnoText(err));
  };
  // The umask can only clear bits, but state the mode exactly anyway.
  if (::fchmod(fd, 0600) != 0) return fail("chmod", errno);
  std::size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write", errno);
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("sync", errno);
  if (closer.Close() != 0) return fail("close", errno);
  return Status::Ok();
}

// Makes the new directory entry durable too; best effort, the file itself is synced.
void SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  FdCloser closer(fd);
  (void)::fsync(fd);
}

Result<RsaKey> GenerateKeyFile(const std::string& dir) {
  Result<RsaKey> key = RsaKey::Generate(kGeneratedKeyBits);
  if (!key) return key;
  std::string pem = key->PrivatePem();
  if (pem.empty()) return Error::Internal("cannot encode the generated key as PEM");
  const std::string path = (fs::path(dir) / GeneratedKeyName()).string();
  Status written = WriteNewPrivateFile(path, pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!written) return std::move(written).error();
  SyncDirectory(dir);
  return key;
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
  if (ring.keys_.empty()) {
    Result<RsaKey> key = GenerateKeyFile(dir);
    if (!key) return std::move(key).error();
    ring.keys_.push_back(std::move(key).value());
    ring.generated_ = true;
  }
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
