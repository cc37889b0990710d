#include "shared_store.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "keymint_process.hpp"

namespace keymint::testing {
namespace {

// FNV-1a: a stable short name for a path (database names are at most 63 bytes).
std::string DatabaseName(const std::string& place) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : place) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char name[32];
  std::snprintf(name, sizeof name, "keymint_%016llx", static_cast<unsigned long long>(hash));
  return name;
}

// `url` with its database (the path) replaced by `database`; the query stays.
std::string WithDatabase(const std::string& url, const std::string& database) {
  const std::size_t authority = url.find("://");
  REQUIRE(authority != std::string::npos);
  const std::size_t query = url.find('?', authority + 3);
  std::size_t path = url.find('/', authority + 3);
  if (path > query) path = query;
  const std::string head = url.substr(0, path == std::string::npos ? url.size() : path);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  return head + "/" + database + tail;
}

// Debian's psql of the newest installed server version (the server's own).
std::string Psql() {
  std::string best;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto candidate = entry.path() / "bin" / "psql";
    if (std::filesystem::exists(candidate, ec) && candidate.string() > best) best = candidate.string();
  }
  if (best.empty() && std::filesystem::exists("/usr/bin/psql", ec)) best = "/usr/bin/psql";
  REQUIRE(!best.empty());
  return best;
}

ProgramResult RunSql(const std::string& server_url, const std::string& sql) {
  return RunProgram(Psql(), {"--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "-d", server_url, "-c", sql}, {},
                    std::chrono::seconds(30), /*merge_output=*/true);
}

}  // namespace

std::optional<std::string> TestPostgresUrl() {
  const char* file = std::getenv("KEYMINT_TEST_SHARED_STORE_URL_FILE");
  if (file == nullptr || *file == '\0') return std::nullopt;
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  if (url.empty()) return std::nullopt;
  return url;
}

bool SuiteUsesSharedStore() {
  const char* file = std::getenv("KEYMINT_TEST_SHARED_STORE_URL_FILE");
  return file != nullptr && *file != '\0';
}

std::string DatabaseFor(const std::string& server_url, const std::string& place) {
  const std::string name = DatabaseName(place);
  const ProgramResult created = RunSql(server_url, "CREATE DATABASE " + name);
  // A second call for the same place (a restart) finds it there already.
  if (created.exit_code != 0) {
    INFO(created.out);
    REQUIRE(created.out.find("already exists") != std::string::npos);
  }
  return WithDatabase(server_url, name);
}

void DropDatabaseFor(const std::string& server_url, const std::string& place) {
  (void)RunSql(server_url, "DROP DATABASE IF EXISTS " + DatabaseName(place) + " WITH (FORCE)");
}

}  // namespace keymint::testing
