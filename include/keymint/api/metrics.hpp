// keymint's Prometheus metrics, served as text at GET /metrics.
//
// The router reports every request it answers (ObserveRoute / ObserveUnrouted):
// token requests by endpoint, grant and outcome, a latency histogram per
// route, and the other requests by route TEMPLATE and status. Labels only ever
// take values from fixed sets (the route table, the grants, status codes), never
// from the request, so a client cannot grow the output. Everything the router
// touches is a relaxed atomic: the token path takes no lock for its metrics.
//
// Readings that belong to other parts (connections, the last-login queue,
// RocksDB figures) are added by main.cpp as callbacks read at scrape time.
// The prometheus-cpp types stay in metrics.cpp.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace keymint::api {

struct Route;

// The grant a token request asked for, as far as the token handler read it.
enum class TokenGrant : unsigned char {
  kNone,               // the body could not be read far enough to say
  kClientCredentials,  // client_credentials
  kAppToken,           // app_token (v1's deprecated name for the same)
  kPassword,           // password
  kUnsupported,        // some other grant type
};

class Metrics {
 public:
  // `version` is reported by keymint_build_info.
  explicit Metrics(std::string_view version);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // A value read when /metrics is scraped: a gauge, or a counter (a reading
  // that only grows, such as RocksDB's cache hits). `name` must be a valid
  // Prometheus metric name (a counter's ends in _total) and `read` cheap and
  // thread-safe. Not thread-safe: add every reading before serving.
  void AddGauge(std::string name, std::string help, std::function<double()> read);
  void AddCounter(std::string name, std::string help, std::function<double()> read);

  // One answered request on `route` (an entry of the route table) with its
  // status and the time from dispatch to the answer. `grant` matters only on
  // the token routes. Lock-free; thread-safe.
  void ObserveRoute(const Route& route, TokenGrant grant, int status, std::chrono::steady_clock::duration elapsed);
  // A request that matched no route (404, 405, a malformed target).
  void ObserveUnrouted(int status);

  // Every metric in the Prometheus text exposition format 0.0.4. Thread-safe.
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keymint::api
