#include "keymint/crypto/key_file.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <system_error>

#include "crypto/atomic_file.hpp"
#include "keymint/crypto/random.hpp"

namespace keymint::crypto {
namespace {

constexpr std::size_t kMaxSecretFileSize = 64 * 1024;

Error FileError(const std::string& path, const char* what, int err) {
  return Error::Unavailable("cannot " + std::string(what) + " " + path + ": " +
                            std::error_code(err, std::generic_category()).message());
}

// The file's bytes, or nullopt when there is no such file. Reads at most
// kMaxSecretFileSize + 1 bytes: enough to tell that a file is too long.
Result<std::optional<std::string>> ReadIfExists(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return FileError(path, "read", errno);
  }
  std::string contents;
  char buffer[4096];
  int err = 0;
  while (contents.size() <= kMaxSecretFileSize) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno;
    if (n <= 0) break;
    contents.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  OPENSSL_cleanse(buffer, sizeof buffer);
  if (err != 0) {
    OPENSSL_cleanse(contents.data(), contents.size());
    return FileError(path, "read", err);
  }
  return std::optional<std::string>(std::move(contents));
}

}  // namespace

Result<std::string> LoadOrCreateSecretFile(const std::string& path, std::size_t size) {
  // Two rounds at most: when another process creates the file between our
  // read and our create, the second read finds its complete file.
  for (int round = 0; round < 2; ++round) {
    Result<std::optional<std::string>> existing = ReadIfExists(path);
    if (!existing) return std::move(existing).error();
    if (std::optional<std::string>& secret = *existing) {
      if (secret->size() == size) return std::move(*secret);
      const std::string found = secret->size() > kMaxSecretFileSize ? "more" : std::to_string(secret->size());
      OPENSSL_cleanse(secret->data(), secret->size());
      return Error::Unavailable(path + " is corrupt: expected " + std::to_string(size) + " bytes, found " + found);
    }
    std::string secret = RandomBytes(size);
    Result<NewFile> created = CreateFileAtomically(path, secret);
    if (!created) return std::move(created).error();
    if (*created == NewFile::kCreated) return secret;
    OPENSSL_cleanse(secret.data(), secret.size());
  }
  return Error::Unavailable("cannot load " + path + ": another process created and removed it meanwhile");
}

}  // namespace keymint::crypto
