#include "store/postgres/connection_pool.hpp"

namespace keymint::store_postgres {

ConnectionPool::ConnectionPool(std::string url, std::string server, std::string password, std::size_t size)
    : url_(std::move(url)), server_(std::move(server)), password_(std::move(password)), size_(size == 0 ? 1 : size) {}

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  {
    std::unique_lock lock(mu_);
    freed_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn));
    }
    ++open_;  // claimed before connecting, so that no more than size_ are ever open
  }
  auto connected = PgConnection::Connect(url_, server_, password_);
  if (!connected.ok()) {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    freed_.notify_one();
    return std::move(connected).error();
  }
  return Lease(*this, std::move(connected).value());
}

void ConnectionPool::Release(std::unique_ptr<PgConnection> conn) {
  const bool reusable = conn->Reusable();
  if (!reusable) conn.reset();  // closed outside the lock: a broken connection is not worth keeping
  {
    std::lock_guard lock(mu_);
    if (reusable) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  freed_.notify_one();
}

}  // namespace keymint::store_postgres
