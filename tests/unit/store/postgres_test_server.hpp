// The PostgreSQL server the tests share (tests/support/postgres/start.sh,
// CTest fixture "postgres"): its URL, and scratch databases on it.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

namespace keymint::testing {

inline constexpr const char* kNoPostgres =
    "PostgreSQL is not installed: skipping the PostgreSQL tests (install postgresql, see scripts/common.sh)";

// The URL of the tests' server (its "postgres" database), or nullopt when
// there is none: the fixture found no server binaries, or the test runs
// outside CTest.
inline std::optional<std::string> PostgresServerUrl() {
  const char* file = std::getenv("KEYMINT_TEST_POSTGRES_URL_FILE");
  if (file == nullptr) return std::nullopt;
  std::ifstream in(file);
  std::string url;
  if (!std::getline(in, url) || url.empty()) return std::nullopt;
  return url;
}

// The URL of database `name` on the tests' server.
inline std::string PostgresDatabaseUrl(const std::string& server_url, const std::string& name) {
  return server_url.substr(0, server_url.rfind('/') + 1) + name;
}

// A database name for `place` (a scratch path): "keymint_test_" and a hash of it.
inline std::string DatabaseNameFor(const std::string& place) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : place) hash = (hash ^ c) * 1099511628211ull;
  char name[40];
  std::snprintf(name, sizeof name, "keymint_test_%016llx", static_cast<unsigned long long>(hash));
  return name;
}

// Creates database `name` on the server unless it exists; returns its URL.
inline std::string EnsureDatabase(const std::string& server_url, const std::string& name) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(server_url.c_str()), &PQfinish);
  INFO(PQerrorMessage(conn.get()));
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  const char* params[] = {name.c_str()};
  std::unique_ptr<PGresult, decltype(&PQclear)> found(
      PQexecParams(conn.get(), "SELECT 1 FROM pg_database WHERE datname = $1", 1, nullptr, params, nullptr, nullptr, 0),
      &PQclear);
  REQUIRE(PQresultStatus(found.get()) == PGRES_TUPLES_OK);
  if (PQntuples(found.get()) == 0) {
    // A name of [a-z0-9_] from DatabaseNameFor: CREATE DATABASE takes no parameters.
    std::unique_ptr<PGresult, decltype(&PQclear)> created(PQexec(conn.get(), ("CREATE DATABASE " + name).c_str()),
                                                          &PQclear);
    INFO(PQerrorMessage(conn.get()));
    REQUIRE(PQresultStatus(created.get()) == PGRES_COMMAND_OK);
  }
  return PostgresDatabaseUrl(server_url, name);
}

// A fresh database for one test: a unique name, created now.
inline std::string FreshDatabase(const std::string& server_url, const std::string& tag) {
  static int counter = 0;
  const std::string name = DatabaseNameFor(tag + "/" + std::to_string(::getpid()) + "/" + std::to_string(++counter) +
                                           "/" + std::to_string(std::rand()));
  return EnsureDatabase(server_url, name);
}

}  // namespace keymint::testing
