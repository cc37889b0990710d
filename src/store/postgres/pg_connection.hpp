// libpq in our vocabulary: RAII owners of a PGconn and a PGresult, and
// parameterised statements. Values always travel as parameters, never inside
// the SQL text.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"

namespace keymint::store_postgres {

// SQLSTATEs the store acts on.
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kDuplicateTable = "42P07";
inline constexpr std::string_view kDuplicateObject = "42710";  // e.g. a table's row type, when two create it at once

// Statement parameters. Strings go in binary format with their length, so
// that any bytes (a binary record, a NUL) reach the server as they are;
// integers go as decimal text.
class PgParams {
 public:
  PgParams& Text(std::string_view bytes);
  PgParams& Int(int64_t value);

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::deque<std::string> owned_;  // a deque: adding one moves none of the others
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// A statement's rows, in text format.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}

  int rows() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view Text(int row, int column) const;
  // A BIGINT column; 0 when NULL.
  int64_t Int(int row, int column) const;
  // A BYTEA column, decoded from the server's hex output; nullopt when malformed.
  std::optional<std::string> Bytes(int row, int column) const;
  // The number of rows an INSERT, UPDATE or DELETE touched.
  int64_t Affected() const;
  PGresult* raw() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// One connection to the server. Not thread-safe: the pool hands it to one
// caller at a time.
class PgConnection {
 public:
  // `server` names the server in messages (without the password).
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& url, const std::string& server,
                                                       const std::string& password);

  // Runs one statement. An error is Unavailable naming the server; its
  // SQLSTATE is then in last_sqlstate() ("" when the server gave none).
  Result<PgResult> Exec(std::string_view sql, const PgParams& params = PgParams());

  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // Whether the connection can go back to the pool: open and outside any transaction.
  bool Reusable() const;

 private:
  PgConnection(PGconn* conn, std::string server, std::string password)
      : conn_(conn, &PQfinish), server_(std::move(server)), password_(std::move(password)) {}

  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
  std::string server_;
  std::string password_;  // only to scrub it from the server's messages
  std::string last_sqlstate_;
};

// What names a server in messages: "PostgreSQL user@host:port/db", read from
// the connection URL without its password. `password` receives the password
// (to scrub it from messages); nullopt when the URL cannot be parsed.
std::optional<std::string> ServerName(const std::string& url, std::string& password);

// `message` with every occurrence of `password` replaced by "***".
std::string Scrubbed(std::string message, const std::string& password);

}  // namespace keymint::store_postgres
