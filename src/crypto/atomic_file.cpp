#include "crypto/atomic_file.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/algorithm/hex.hpp>
#include <cerrno>
#include <filesystem>
#include <iterator>
#include <system_error>
#include <utility>
#include <variant>

#include "keymint/crypto/random.hpp"

namespace keymint::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTemporarySuffix = ".keymint-tmp";
constexpr int kTemporaryAttempts = 8;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// Owns a file descriptor; closes it on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

int LockRetryingOnSignal(int fd, int operation) {
  int rc;
  do {
    rc = ::flock(fd, operation);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

// True when `path` still names the file open as `fd` (it was not removed or
// replaced since it was opened).
bool StillNamed(int fd, const std::string& path) {
  struct stat by_fd {};
  struct stat by_name {};
  return ::fstat(fd, &by_fd) == 0 && ::lstat(path.c_str(), &by_name) == 0 && by_fd.st_dev == by_name.st_dev &&
         by_fd.st_ino == by_name.st_ino;
}

std::string Hex(std::string_view bytes) {
  std::string out;
  boost::algorithm::hex_lower(bytes.begin(), bytes.end(), std::back_inserter(out));
  return out;
}

// A creator that died (crash, SIGKILL) released its lock with its last
// descriptor, so a temporary whose lock can be taken is abandoned. One still
// being written is locked and left alone.
void RemoveStaleTemporaries(const std::string& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!IsAtomicFileTemporary(name)) continue;
    const std::string path = it->path().string();
    const Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0 || LockRetryingOnSignal(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;
    if (StillNamed(fd.get(), path)) (void)::unlink(path.c_str());
  }
}

struct Temporary {
  Fd fd;
  std::string path;
};

// A new, empty temporary for `name` in `dir`, open for writing and locked.
Result<Temporary> CreateLockedTemporary(const std::string& dir, const std::string& name, const std::string& target) {
  for (int attempt = 0; attempt < kTemporaryAttempts; ++attempt) {
    Temporary temporary;
    temporary.path = dir + "/." + name + "." + Hex(RandomBytes(8)) + std::string(kTemporarySuffix);
    temporary.fd = Fd(::open(temporary.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (temporary.fd.get() < 0) {
      if (errno == EEXIST) continue;
      return Error::Unavailable("cannot create a temporary file for " + target + ": " + ErrnoText(errno));
    }
    if (LockRetryingOnSignal(temporary.fd.get(), LOCK_EX) != 0) {
      const int err = errno;
      (void)::unlink(temporary.path.c_str());
      return Error::Unavailable("cannot lock a temporary file for " + target + ": " + ErrnoText(err));
    }
    // Between open and flock another process's RemoveStaleTemporaries may have
    // taken the unlocked file for abandoned and removed it: draw a new name.
    if (StillNamed(temporary.fd.get(), temporary.path)) return temporary;
  }
  return Error::Unavailable("cannot create a temporary file for " + target);
}

Status WriteAll(int fd, std::string_view contents) {
  while (!contents.empty()) {
    const ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Unavailable(ErrnoText(errno));
    contents.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

// Gives the synced temporary the name `target` unless that name is taken.
// Returns kAlreadyExists, or an errno on failure.
std::variant<NewFile, int> Publish(const std::string& temporary, const std::string& target) {
  if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
    return NewFile::kCreated;
  }
  if (errno == EEXIST) return NewFile::kAlreadyExists;
  // Some file systems do not support the flag; link(2) has the same
  // no-replace guarantee, and the temporary name is removed afterwards.
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return errno;
  if (::link(temporary.c_str(), target.c_str()) == 0) {
    (void)::unlink(temporary.c_str());
    return NewFile::kCreated;
  }
  if (errno == EEXIST) return NewFile::kAlreadyExists;
  return errno;
}

Status SyncDirectory(const std::string& dir) {
  const Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Error::Unavailable("cannot open directory " + dir + ": " + ErrnoText(errno));
  // EINVAL: the file system cannot sync a directory (its entries are durable some other way).
  if (::fsync(fd.get()) != 0 && errno != EINVAL) {
    return Error::Unavailable("cannot sync directory " + dir + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

// Where `path` lives: its directory and its file name.
struct Target {
  std::string dir;
  std::string name;
};

Result<Target> SplitTarget(const std::string& path) {
  const fs::path as_path(path);
  Target target{.dir = as_path.has_parent_path() ? as_path.parent_path().string() : ".",
                .name = as_path.filename().string()};
  if (target.name.empty() || target.name == "." || target.name == "..") {
    return Error::InvalidArgument("not a file path: " + path);
  }
  return target;
}

// A locked temporary beside `path` holding exactly `contents` with mode 0600,
// synced, and still open (so still locked) until the caller names it. On
// failure it is removed again.
Result<Temporary> WriteSyncedTemporary(const Target& target, const std::string& path, std::string_view contents) {
  ASSIGN_OR_RETURN(Temporary temporary, CreateLockedTemporary(target.dir, target.name, path));
  const int fd = temporary.fd.get();
  auto fail = [&](const char* what, const std::string& detail) -> Error {
    (void)::unlink(temporary.path.c_str());
    return Error::Unavailable(std::string("cannot ") + what + " " + path + ": " + detail);
  };
  // The umask can only clear bits, but state the mode exactly anyway.
  if (::fchmod(fd, 0600) != 0) return fail("chmod", ErrnoText(errno));
  if (Status written = WriteAll(fd, contents); !written) return fail("write", written.error().message);
  if (::fsync(fd) != 0) return fail("sync", ErrnoText(errno));
  return temporary;
}

}  // namespace

bool IsAtomicFileTemporary(std::string_view file_name) {
  return file_name.size() > kTemporarySuffix.size() + 1 && file_name.front() == '.' &&
         file_name.ends_with(kTemporarySuffix);
}

Result<NewFile> CreateFileAtomically(const std::string& path, std::string_view contents) {
  ASSIGN_OR_RETURN(const Target target, SplitTarget(path));
  RemoveStaleTemporaries(target.dir);
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) return NewFile::kAlreadyExists;

  ASSIGN_OR_RETURN(const Temporary temporary, WriteSyncedTemporary(target, path, contents));
  // The temporary stays open, and so locked, until it has its final name.
  const std::variant<NewFile, int> published = Publish(temporary.path, path);
  if (const int* err = std::get_if<int>(&published)) {
    (void)::unlink(temporary.path.c_str());
    return Error::Unavailable("cannot rename a temporary file to " + path + ": " + ErrnoText(*err));
  }
  if (std::get<NewFile>(published) == NewFile::kAlreadyExists) {
    (void)::unlink(temporary.path.c_str());
    return NewFile::kAlreadyExists;
  }
  if (Status synced = SyncDirectory(target.dir); !synced) return std::move(synced).error();
  return NewFile::kCreated;
}

Status ReplaceFileAtomically(const std::string& path, std::string_view contents) {
  ASSIGN_OR_RETURN(const Target target, SplitTarget(path));
  RemoveStaleTemporaries(target.dir);
  ASSIGN_OR_RETURN(const Temporary temporary, WriteSyncedTemporary(target, path, contents));
  // rename(2) replaces the old file in one step: readers see the old or the new one.
  if (::rename(temporary.path.c_str(), path.c_str()) != 0) {
    const int err = errno;
    (void)::unlink(temporary.path.c_str());
    return Error::Unavailable("cannot rename a temporary file to " + path + ": " + ErrnoText(err));
  }
  return SyncDirectory(target.dir);
}

}  // namespace keymint::crypto
