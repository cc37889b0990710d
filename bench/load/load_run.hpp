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
  // When this becomes true (a signal handler sets it), the run ends early: the
  // report covers the window up to then.
  const std::atomic<bool>* stop_requested = nullptr;
};

// Counters one client thread writes and any thread may read at any time.
// Unless said otherwise they are about requests whose start (scheduled send
// time in an open loop, actual send time in a closed one) falls in the
// measured window.
struct LiveCounters {
  // From the request's start to its whole answer; a request given up (timed
  // out, or never sent when the run ended) is in it at the time it was given
  // up, a lower bound, so that the percentiles show a server that stalls.
  LatencyHistogram latency;
  LatencyHistogram service_time;                       // from the actual send to the answer (answered requests only)
  std::atomic<uint64_t> answered{0};                   // answers of any status
  std::atomic<uint64_t> ok{0};                         // 200 with a token
  std::atomic<uint64_t> ok_within_window{0};           // 200 with a token that *arrived* in the window
  std::array<std::atomic<uint64_t>, 600> by_status{};  // other answers, by HTTP status
  std::atomic<uint64_t> no_token{0};                   // 200 without the token member
  std::atomic<uint64_t> timeouts{0};                   // no answer within the timeout
  std::atomic<uint64_t> connection_errors{0};          // connection lost or refused with the request unanswered
  std::atomic<uint64_t> unsent{0};                     // scheduled but never sent: the server fell behind
  std::atomic<uint64_t> scheduled{0};                  // open loop: requests the schedule put in the window
  std::atomic<uint64_t> waiting_at_close{0};           // open loop: of those, not yet sent when the window closed
  std::atomic<uint64_t> answers{0};                    // every answer, warm-up included (for the live rate)
  std::atomic<uint64_t> reconnects{0};                 // connections the server closed and we reopened
  std::atomic<uint64_t> failed_reconnects{0};          // reopening was refused or timed out (any time in the run)
};

struct RunResult {
  LatencyHistogram latency;
  LatencyHistogram service_time;
  uint64_t answered = 0;
  uint64_t ok = 0;
  uint64_t ok_within_window = 0;
  std::map<std::string, uint64_t> errors;  // "401", "timeout", "connection", "unsent", "no-token", "other-status"
  uint64_t scheduled = 0;
  uint64_t waiting_at_close = 0;
  uint64_t reconnects = 0;
  uint64_t failed_reconnects = 0;
  uint64_t connections = 0;
  double measured_seconds = 0;  // the window's length, or up to the interruption
  bool interrupted = false;     // stop_requested ended the run
  // minted[i]: requests[i] (one per credential) got a 200 with a token at
  // least once, warm-up included.
  std::vector<bool> minted;

  uint64_t error_count() const;
  // Tokens answered within the window, per second of it: what the server
  // served, even when an open loop offered more.
  double tokens_per_second() const {
    return measured_seconds > 0 ? static_cast<double>(ok_within_window) / measured_seconds : 0;
  }
  // Open loop: at the window's close more than 1% of its requests, and more
  // than one per connection, had not even been sent, waiting for a
  // connection: the server did not keep up with the offered rate (a schedule's
  // ordinary burst leaves a few waiting, not that many).
  bool fell_behind() const { return waiting_at_close * 100 > scheduled && waiting_at_close > connections; }
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
