// The measured run: keep-alive connections driven in a closed loop (each
// connection sends again as soon as it has its answer) or an open loop (sends
// follow a schedule fixed in advance; see arrivals.hpp), first a warm-up, then
// the measured window. Each client thread runs its own event loop over its
// share of the connections, credentials and rate; nothing is shared between
// them but atomic counters.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "keymint/common/result.hpp"
#include "load/arrivals.hpp"
#include "load/latency_histogram.hpp"

namespace boost::asio::ssl {
class context;
}

namespace keymint::load {

struct RunSettings {
  std::string host;
  std::string port;
  int connections = 1;
  int threads = 1;
  double rate = 0;  // requests/s over all threads; 0 = closed loop
  ArrivalProcess arrivals = ArrivalProcess::kPoisson;
  uint64_t seed = 1;
  std::chrono::nanoseconds warmup{0};
  std::chrono::nanoseconds duration{std::chrono::seconds(10)};
  std::chrono::nanoseconds timeout{std::chrono::seconds(10)};
  // A 200 answer counts only if its body contains this (e.g. "\"access_token\"").
  std::string token_member;
  // https: the client context (MakeClientTlsContext); null = plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
  // A fresh connection (and, with TLS, a full handshake) for every request,
  // its time counted in the request's latency.
  bool new_connection = false;
  // Client threads spin (poll without sleeping) instead of waiting in
  // epoll_wait: a server on the same machine then never has to wake a
  // sleeping client thread on another core when it answers. Only for client
  // threads that have cores of their own.
  bool busy_poll = false;
};

// Counters one client thread writes and any thread may read at any time.
// Everything but `answers` is about requests whose start (scheduled send time
// in an open loop, actual send time in a closed one) falls in the measured window.
struct LiveCounters {
  LatencyHistogram latency;       // from the request's start to its whole answer
  LatencyHistogram service_time;  // from the actual send (differs from latency only in an open loop)
  std::atomic<uint64_t> ok{0};    // 200 with a token
  std::array<std::atomic<uint64_t>, 600> by_status{};  // other answers, by HTTP status
  std::atomic<uint64_t> no_token{0};                   // 200 without the token member
  std::atomic<uint64_t> timeouts{0};                   // no answer within the timeout
  std::atomic<uint64_t> connection_errors{0};          // connection lost with the request unanswered
  std::atomic<uint64_t> unsent{0};                     // scheduled but never sent: the server fell behind
  std::atomic<uint64_t> answers{0};                    // every answer, warm-up included (for the live rate)
  std::atomic<uint64_t> reconnects{0};                 // connections the server closed and we reopened
};

struct RunResult {
  LatencyHistogram latency;
  LatencyHistogram service_time;
  uint64_t ok = 0;
  std::map<std::string, uint64_t> errors;  // "401", "timeout", "connection", "unsent", "no-token"
  uint64_t reconnects = 0;
  double measured_seconds = 0;

  uint64_t error_count() const;
  double tokens_per_second() const { return measured_seconds > 0 ? static_cast<double>(ok) / measured_seconds : 0; }
};

// What the progress callback sees once a second.
struct Progress {
  double elapsed_seconds;  // since the load began (warm-up included)
  bool warming_up;
  uint64_t answers;  // so far, warm-up included
  uint64_t errors;   // measured so far
  uint64_t p99_ns;   // measured so far (0 during warm-up)
};

// Connects every connection (failing with the first connect error), runs the
// warm-up and the window, drains, and merges the threads' counters.
// `requests` are complete HTTP requests sent round-robin; `on_progress` runs
// on the calling thread about once a second.
Result<RunResult> RunLoad(const RunSettings& settings, const std::vector<std::string>& requests,
                          const std::function<void(const Progress&)>& on_progress);

}  // namespace keymint::load
