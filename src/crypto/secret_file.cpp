#include "crypto/secret_file.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace keymint::crypto {
namespace {

Error ReadError(const std::string& path, int err) {
  return Error::Unavailable("cannot read " + path + ": " + std::error_code(err, std::generic_category()).message());
}

}  // namespace

Result<std::optional<std::string>> ReadSecretFile(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return ReadError(path, errno);
  }
  std::string contents;
  char buffer[4096];
  int err = 0;
  bool too_large = false;
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno;
    if (n <= 0) break;
    contents.append(buffer, static_cast<std::size_t>(n));
    if (contents.size() > max_bytes) {
      too_large = true;
      break;
    }
  }
  ::close(fd);
  OPENSSL_cleanse(buffer, sizeof buffer);
  if (err != 0 || too_large) OPENSSL_cleanse(contents.data(), contents.size());
  if (err != 0) return ReadError(path, err);
  if (too_large) return Error::InvalidArgument(path + " is larger than " + std::to_string(max_bytes) + " bytes");
  return std::optional<std::string>(std::move(contents));
}

}  // namespace keymint::crypto
