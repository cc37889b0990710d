#include "store/postgres/pg_connection.hpp"

#include <charconv>
#include <cstdlib>

namespace keymint::store_postgres {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The server's message, trimmed of its trailing newline.
std::string ConnectionMessage(PGconn* conn) {
  std::string message = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

}  // namespace

PgParams& PgParams::Text(std::string_view bytes) {
  owned_.emplace_back(bytes);
  values_.push_back(owned_.back().data());
  lengths_.push_back(static_cast<int>(bytes.size()));
  formats_.push_back(1);  // binary: the bytes as they are
  return *this;
}

PgParams& PgParams::Int(int64_t value) {
  owned_.push_back(std::to_string(value));
  values_.push_back(owned_.back().c_str());
  lengths_.push_back(0);  // ignored for text format
  formats_.push_back(0);
  return *this;
}

std::string_view PgResult::Text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column), static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

int64_t PgResult::Int(int row, int column) const {
  std::string_view text = Text(row, column);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::optional<std::string> PgResult::Bytes(int row, int column) const {
  std::string_view text = Text(row, column);
  if (text.size() < 2 || text.substr(0, 2) != "\\x" || text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    int hi = HexDigit(text[i]), lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

int64_t PgResult::Affected() const {
  const char* tuples = PQcmdTuples(result_.get());
  return tuples != nullptr ? std::strtoll(tuples, nullptr, 10) : 0;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& url, const std::string& server,
                                                            const std::string& password) {
  // Defaults the URL may override (it is expanded last): a server that
  // cannot be reached, or that stops answering mid-query (a partition, a
  // crashed host), fails the call within seconds instead of holding a
  // pooled connection, and the writers waiting on it, for the kernel's
  // default of minutes to hours.
  static constexpr const char* kKeywords[] = {
      "connect_timeout",  "keepalives",       "keepalives_idle", "keepalives_interval",
      "keepalives_count", "tcp_user_timeout", "dbname",          nullptr};
  const char* values[] = {"10", "1", "10", "3", "3", "30000", url.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(kKeywords, values, /*expand_dbname=*/1);
  std::unique_ptr<PgConnection> conn(new PgConnection(raw, server, password));
  if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
    return Error::Unavailable("cannot connect to " + server + ": " + Scrubbed(ConnectionMessage(raw), password));
  }
  // The server's notices ("relation ... already exists, skipping") are not
  // errors; libpq would print them to stderr.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  return conn;
}

Result<PgResult> PgConnection::Exec(std::string_view sql, const PgParams& params) {
  // PQexecParams needs a NUL-terminated statement; the SQL is always a literal or built from literals.
  const std::string statement(sql);
  PgResult result(PQexecParams(conn_.get(), statement.c_str(), params.size(), /*paramTypes=*/nullptr, params.values(),
                               params.lengths(), params.formats(), /*resultFormat=*/0));
  ExecStatusType status = PQresultStatus(result.raw());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    last_sqlstate_.clear();
    return result;
  }
  const char* state = PQresultErrorField(result.raw(), PG_DIAG_SQLSTATE);
  last_sqlstate_ = state != nullptr ? state : "";
  std::string message = ConnectionMessage(conn_.get());
  return Error::Unavailable(server_ + ": " + Scrubbed(message, password_) +
                            (last_sqlstate_.empty() ? "" : " (SQLSTATE " + last_sqlstate_ + ")"));
}

bool PgConnection::Reusable() const {
  return PQstatus(conn_.get()) == CONNECTION_OK && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
}

std::optional<std::string> ServerName(const std::string& url, std::string& password) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (error != nullptr) PQfreemem(error);  // may quote the URL, password and all: never shown
  if (options == nullptr) return std::nullopt;
  std::string user, host, port, dbname;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view keyword = o->keyword;
    if (keyword == "user") user = o->val;
    if (keyword == "host") host = o->val;
    if (keyword == "hostaddr" && host.empty()) host = o->val;
    if (keyword == "port") port = o->val;
    if (keyword == "dbname") dbname = o->val;
    if (keyword == "password") password = o->val;
  }
  PQconninfoFree(options);
  std::string name = "PostgreSQL ";
  if (!user.empty()) name += user + "@";
  name += host.empty() ? "localhost" : host;
  if (!port.empty()) name += ":" + port;
  if (!dbname.empty()) name += "/" + dbname;
  return Scrubbed(std::move(name), password);
}

std::string Scrubbed(std::string message, const std::string& password) {
  if (password.empty()) return message;
  for (std::size_t at = message.find(password); at != std::string::npos; at = message.find(password, at + 3)) {
    message.replace(at, password.size(), "***");
  }
  return message;
}

}  // namespace keymint::store_postgres
