// A small pool of connections to one server: at most `size` open at once,
// opened when first needed; a caller waits for a free one.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "keymint/common/result.hpp"
#include "store/postgres/pg_connection.hpp"

namespace keymint::store_postgres {

class ConnectionPool {
 public:
  // A connection lent to one caller; back to the pool when destroyed (or
  // closed, when it is broken or was left inside a transaction).
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<PgConnection> conn) : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (conn_) pool_->Release(std::move(conn_));
    }
    PgConnection& operator*() const { return *conn_; }
    PgConnection* operator->() const { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  // `server` names the server in messages; `password` is scrubbed from them.
  ConnectionPool(std::string url, std::string server, std::string password, std::size_t size);

  // A free connection, opening one if fewer than `size` are open, else
  // waiting for one. Unavailable when a new connection cannot be opened.
  Result<Lease> Acquire();

  const std::string& server() const { return server_; }

 private:
  void Release(std::unique_ptr<PgConnection> conn);

  const std::string url_;
  const std::string server_;
  const std::string password_;
  const std::size_t size_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t open_ = 0;  // idle and lent
};

}  // namespace keymint::store_postgres
