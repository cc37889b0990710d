#include "keymint/crypto/key_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "keymint/crypto/random.hpp"

namespace keymint::crypto {
namespace {

Error FileError(const std::string& path, const char* what, int err) {
  return Error::Unavailable("cannot " + std::string(what) + " " + path + ": " +
                            std::error_code(err, std::generic_category()).message());
}

void SyncParentDirectory(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

Result<std::string> LoadOrCreateSecretFile(const std::string& path, std::size_t size) {
  // O_EXCL: if two processes race, exactly one creates the file.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string secret = RandomBytes(size);
    bool ok = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) && ::fsync(fd) == 0;
    int err = errno;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return FileError(path, "write", err);
    }
    SyncParentDirectory(path);  // the new directory entry must survive a power cut too
    return secret;
  }
  if (errno != EEXIST) return FileError(path, "create", errno);

  std::ifstream in(path, std::ios::binary);
  if (!in) return FileError(path, "read", errno);
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (secret.size() != size) {
    return Error::Unavailable(path + " is corrupt: expected " + std::to_string(size) + " bytes, found " +
                              std::to_string(secret.size()));
  }
  return secret;
}

}  // namespace keymint::crypto
