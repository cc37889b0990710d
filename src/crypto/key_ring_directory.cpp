#include "crypto/key_ring_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

namespace keymint::crypto {
namespace {

namespace fs = std::filesystem;

// A dot file: never taken for a key, and out of sight of a shell glob.
constexpr const char* kLockFileName = ".signing-keys.lock";

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

int64_t Nanoseconds(const struct timespec& time) { return int64_t{time.tv_sec} * 1'000'000'000 + time.tv_nsec; }

}  // namespace

bool IsKeyFileName(std::string_view name) {
  return name.size() > 4 && name.front() != '.' && name.ends_with(".pem") && name.find('/') == std::string_view::npos;
}

Result<std::vector<std::string>> ListKeyFiles(const std::string& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Error::Unavailable("cannot list keys directory " + dir + ": " + ec.message());
  std::vector<std::string> names;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (IsKeyFileName(name)) names.push_back(std::move(name));
  }
  if (ec) return Error::Unavailable("cannot list keys directory " + dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

Result<KeyDirectoryWriteLock> KeyDirectoryWriteLock::Acquire(const std::string& dir) {
  const std::string path = (fs::path(dir) / kLockFileName).string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EROFS || errno == EACCES || errno == EPERM) return KeyDirectoryWriteLock(-1);
    return Error::Unavailable("cannot open " + path + ": " + ErrnoText(errno));
  }
  KeyDirectoryWriteLock lock(fd);
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return Error::Unavailable("cannot lock " + path + ": " + ErrnoText(errno));
  return lock;
}

KeyDirectoryWriteLock::KeyDirectoryWriteLock(KeyDirectoryWriteLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

KeyDirectoryWriteLock::~KeyDirectoryWriteLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

Result<KeyDirectoryFingerprint> FingerprintKeyDirectory(const std::string& dir, const std::string& state_file) {
  KeyDirectoryFingerprint fingerprint;
  struct stat st {};
  // stat, not lstat: on a Kubernetes volume the name is a symbolic link whose
  // target changes with the contents.
  if (::stat(state_file.c_str(), &st) == 0) {
    fingerprint.state_file_exists = true;
    fingerprint.device = st.st_dev;
    fingerprint.inode = st.st_ino;
    fingerprint.size = st.st_size;
    fingerprint.modified_ns = Nanoseconds(st.st_mtim);
    fingerprint.changed_ns = Nanoseconds(st.st_ctim);
  } else if (errno != ENOENT) {
    return Error::Unavailable("cannot stat " + state_file + ": " + ErrnoText(errno));
  }
  ASSIGN_OR_RETURN(fingerprint.key_files, ListKeyFiles(dir));
  return fingerprint;
}

}  // namespace keymint::crypto
