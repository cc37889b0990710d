#include "load/credentials.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace keymint::load {

namespace {

// Spaces and tabs around a field are the file's layout, never part of a
// client ID or a secret (keymint's have none, and neither do RFC 6749's
// client_secret_basic values once decoded).
std::string_view Trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

Result<std::vector<Credential>> ParseCredentials(std::string_view text) {
  // A byte-order mark, as some editors write at the start of a UTF-8 file.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<Credential> credentials;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = Trimmed(line);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t comma = line.find(',');
    const std::string_view client_id = Trimmed(line.substr(0, comma));
    const std::string_view secret =
        comma == std::string_view::npos ? std::string_view() : Trimmed(line.substr(comma + 1));
    if (client_id.empty() || secret.empty()) {
      return Error::InvalidArgument("credentials line " + std::to_string(line_number) + ": expected clientId,secret");
    }
    credentials.push_back({std::string(client_id), std::string(secret), {}});
  }
  if (credentials.empty()) return Error::InvalidArgument("no credentials in the file");
  return credentials;
}

Result<std::vector<Credential>> ReadCredentialsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::InvalidArgument("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = ParseCredentials(text.str());
  if (!parsed) return Error::InvalidArgument(path + ": " + parsed.error().message);
  return parsed;
}

Status WriteCredentialsFile(const std::string& path, const std::vector<Credential>& credentials) {
  std::string text;
  for (const Credential& c : credentials) text += c.client_id + "," + c.secret + "\n";
  // 0600 from the start: the file holds secrets.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error::Unavailable("cannot write " + path + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Error::Unavailable("cannot write " + path + ": " + std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return Error::Unavailable("cannot write " + path + ": " + std::strerror(errno));
  return {};
}

}  // namespace keymint::load
