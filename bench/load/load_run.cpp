#include "load/load_run.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <deque>
#include <latch>
#include <mutex>
#include <optional>
#include <thread>

#include "load/options.hpp"
#include "load/tls.hpp"

namespace keymint::load {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using TlsStream = net::ssl::stream<tcp::socket>;
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kSweepInterval = std::chrono::milliseconds(50);
constexpr std::size_t kMaxAnswerBytes = std::size_t{1} << 20;

uint64_t Nanos(Clock::duration d) {
  return static_cast<uint64_t>(std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()));
}

// The clock every thread measures against, fixed once all are connected.
struct Timeline {
  TimePoint start;         // load begins
  TimePoint window_start;  // warm-up ends
  TimePoint window_end;    // no request starts from here on
  TimePoint hard_stop;     // anything still unanswered is given up

  bool InWindow(TimePoint t) const { return t >= window_start && t < window_end; }
};

class Worker;

// One keep-alive connection: send a prepared request, read one answer, repeat.
// Over TLS the stream is a TlsStream, shared with every completion handler
// in flight, so that replacing it on a reconnect never frees a stream that an
// aborted operation still refers to.
class Connection {
 public:
  Connection(Worker& worker, net::io_context& io) : worker_(worker), socket_(io) {}

  void Connect();
  void Send(const std::string& request, TimePoint start);
  // Closes the socket; completions already queued see a new epoch and do nothing.
  void Abort();
  // Gives up on the request in flight (the caller counted it) and reconnects.
  void Reset();

  bool busy() const { return busy_; }
  TimePoint start() const { return start_; }
  TimePoint sent() const { return sent_; }
  // The request's timeout runs from here: its first send (or, with
  // --new-connection, the start of its connection), whatever resends follow.
  TimePoint timeout_from() const { return timeout_from_; }
  const std::string* request() const { return request_; }
  // Drops the request waiting for this connection to open (the caller counted it).
  void DropRequest() { busy_ = false; }
  // A connect (or TLS handshake) is in progress, since connect_started().
  bool connecting() const { return connecting_; }
  TimePoint connect_started() const { return connect_started_; }
  // The last attempt to open this connection failed (the server is gone or
  // refusing), and every attempt since down_since().
  bool down() const { return down_; }
  TimePoint down_since() const { return down_since_; }
  void set_down(bool down) {
    if (down && !down_) down_since_ = Clock::now();
    down_ = down;
  }

 private:
  void OnConnect(uint64_t epoch, beast::error_code ec);
  void Write(uint64_t epoch);
  void OnWrite(uint64_t epoch, beast::error_code ec);
  void OnRead(uint64_t epoch, beast::error_code ec);
  void Lost();
  tcp::socket& Socket() { return tls_ ? tls_->next_layer() : socket_; }

  Worker& worker_;
  tcp::socket socket_;              // plain HTTP
  std::shared_ptr<TlsStream> tls_;  // https
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  const std::string* request_ = nullptr;
  TimePoint start_{};
  TimePoint sent_{};
  TimePoint timeout_from_{};
  TimePoint connect_started_{};
  TimePoint down_since_{};
  uint64_t epoch_ = 0;
  bool busy_ = false;
  bool connected_ = false;
  bool connecting_ = false;
  bool down_ = false;
  bool retried_ = false;        // the request in flight was already resent once
  uint64_t answered_here_ = 0;  // answers on this socket
};

class Worker {
 public:
  Worker(const RunSettings& settings, const std::vector<std::string>& requests, std::size_t first_request,
         int connections, double rate, uint64_t seed, LiveCounters& counters)
      : settings_(settings),
        requests_(requests),
        next_request_(first_request % requests.size()),
        counters_(counters),
        minted_(requests.size(), false),
        pacer_(io_),
        sweeper_(io_),
        closer_(io_) {
    if (rate > 0) schedule_.emplace(rate, settings.arrivals, seed);
    for (int i = 0; i < connections; ++i) connections_.push_back(std::make_unique<Connection>(*this, io_));
  }

  // Connects all (with TLS, handshakes too) within the timeout; returns the
  // first error (empty when all connected).
  std::string ConnectAll(const tcp::resolver::results_type& endpoints) {
    endpoints_ = endpoints;
    connecting_ = true;
    net::steady_timer deadline(io_, settings_.timeout);
    deadline.async_wait([this](beast::error_code ec) {
      if (ec || connects_done_ == connections_.size()) return;  // everything connected in time
      if (connect_error_.empty()) connect_error_ = "no answer within the timeout (--timeout)";
      for (auto& connection : connections_) connection->Abort();
    });
    for (auto& connection : connections_) connection->Connect();
    while (connects_done_ < connections_.size() && io_.run_one() > 0) {
    }
    deadline.cancel();
    io_.run();  // the cancelled deadline's handler
    io_.restart();
    connecting_ = false;
    return connect_error_;
  }

  void Run(const Timeline& timeline) {
    timeline_ = timeline;
    for (auto& connection : connections_) idle_.push_back(connection.get());
    if (schedule_) {
      next_arrival_ = timeline_.start + schedule_->Next();
      Pace();
      closer_.expires_at(timeline_.window_end);
      closer_.async_wait([this](beast::error_code ec) {
        if (!ec && !stopping_) CountWaitingAtClose();
      });
    } else {
      Dispatch();
    }
    Sweep();
    if (settings_.busy_poll) {
      while (!io_.stopped()) io_.poll();
    } else {
      io_.run();
    }
  }

  // Ends the run now, from any thread; what is in flight is not counted.
  void Interrupt() {
    net::post(io_, [this] { Stop(/*give_up=*/false); });
  }

  const std::vector<bool>& minted() const { return minted_; }

  // --- called by connections ---
  const tcp::resolver::results_type& endpoints() const { return endpoints_; }
  std::size_t max_answer_bytes() const { return kMaxAnswerBytes; }
  const std::string& token_member() const { return settings_.token_member; }
  net::ssl::context* tls() const { return settings_.tls.get(); }
  const std::string& host() const { return settings_.host; }
  bool new_connection() const { return settings_.new_connection; }

  void Connected(Connection& connection, beast::error_code ec) {
    if (connecting_) {
      ++connects_done_;
      if (ec && connect_error_.empty()) connect_error_ = ec.message();
      return;
    }
    if (ec) {
      counters_.failed_reconnects.fetch_add(1, kRelaxed);
      connection.set_down(true);
      // A request waiting for this connection fails now, as a connection
      // error, rather than waiting out the timeout.
      if (connection.busy()) {
        Failed(connection);
        connection.DropRequest();
      }
      MaybeFinish();
      // The server is gone or refusing: try again shortly rather than spin.
      // With --new-connection the next request connects, inside its own latency.
      auto timer = std::make_shared<net::steady_timer>(io_, std::chrono::milliseconds(100));
      timer->async_wait([this, timer, &connection](beast::error_code) {
        if (stopping_) return;
        if (settings_.new_connection) return Idle(connection);
        connection.Connect();
      });
      return;
    }
    connection.set_down(false);
    // With --new-connection every request connects; that is the load, not a
    // server closing on us.
    if (!settings_.new_connection) counters_.reconnects.fetch_add(1, kRelaxed);
    if (connection.busy()) return;  // it reconnected to resend its request
    Idle(connection);
  }

  void Answered(Connection& connection, unsigned status, bool has_token) {
    const TimePoint now = Clock::now();
    counters_.answers.fetch_add(1, kRelaxed);
    const bool minted = status == 200 && has_token;
    if (minted) {
      minted_[static_cast<std::size_t>(connection.request() - requests_.data())] = true;
      if (timeline_.InWindow(now)) counters_.ok_within_window.fetch_add(1, kRelaxed);
    }
    if (timeline_.InWindow(connection.start())) {
      counters_.answered.fetch_add(1, kRelaxed);
      counters_.latency.Record(Nanos(now - connection.start()));
      counters_.service_time.Record(Nanos(now - connection.sent()));
      if (minted) {
        counters_.ok.fetch_add(1, kRelaxed);
      } else if (status == 200) {
        counters_.no_token.fetch_add(1, kRelaxed);
      } else {
        counters_.by_status[status < counters_.by_status.size() ? status : 0].fetch_add(1, kRelaxed);
      }
    }
  }

  void Failed(Connection& connection) {
    if (timeline_.InWindow(connection.start())) counters_.connection_errors.fetch_add(1, kRelaxed);
  }

  void Idle(Connection& connection) {
    if (stopping_) return;
    idle_.push_back(&connection);
    Dispatch();
  }

 private:
  const std::string& NextRequest() {
    const std::string& request = requests_[next_request_];
    if (++next_request_ == requests_.size()) next_request_ = 0;
    return request;
  }

  void Dispatch() {
    SendWaiting();
    MaybeFinish();
  }

  // Hands waiting requests (open loop: the backlog; closed: a new one while
  // the window lasts) to idle connections.
  void SendWaiting() {
    if (schedule_) {
      while (!backlog_.empty() && !idle_.empty()) {
        Connection* connection = idle_.front();
        idle_.pop_front();
        connection->Send(NextRequest(), backlog_.front());
        backlog_.pop_front();
      }
    } else {
      const TimePoint now = Clock::now();
      while (!idle_.empty() && now < timeline_.window_end) {
        Connection* connection = idle_.front();
        idle_.pop_front();
        connection->Send(NextRequest(), now);
      }
    }
  }

  // Moves every arrival that is due into the backlog.
  void TakeDueArrivals() {
    const TimePoint now = Clock::now();
    while (next_arrival_ <= now && next_arrival_ < timeline_.window_end) {
      if (timeline_.InWindow(next_arrival_)) counters_.scheduled.fetch_add(1, kRelaxed);
      backlog_.push_back(next_arrival_);
      next_arrival_ = timeline_.start + schedule_->Next();
    }
    if (next_arrival_ >= timeline_.window_end) pacing_done_ = true;
  }

  // Queues the arrivals that are due and sends what it can, then sleeps until the next.
  void Pace() {
    TakeDueArrivals();
    Dispatch();
    if (pacing_done_) return;
    pacer_.expires_at(next_arrival_);
    pacer_.async_wait([this](beast::error_code ec) {
      if (!ec && !stopping_) Pace();
    });
  }

  // Times out requests that waited too long, and ends the run at the hard stop.
  void Sweep() {
    const TimePoint now = Clock::now();
    if (now >= timeline_.hard_stop) return Stop(/*give_up=*/true);
    for (auto& connection : connections_) {
      if (connection->busy() && now - connection->timeout_from() >= settings_.timeout) {
        GiveUp(connection->start(), now, counters_.timeouts);
        connection->Reset();
      } else if (!connection->busy() && connection->connecting() &&
                 now - connection->connect_started() >= settings_.timeout) {
        // A reconnect that hangs (a server that takes the connection but never
        // answers the handshake): start again rather than lose the connection.
        counters_.failed_reconnects.fetch_add(1, kRelaxed);
        connection->Reset();
      }
    }
    // A run whose connections are all down (reconnecting to a server that has
    // gone) gets no answer to end it: it ends here, with the window.
    MaybeFinish();
    if (stopping_) return;
    sweeper_.expires_after(kSweepInterval);
    sweeper_.async_wait([this](beast::error_code ec) {
      if (!ec && !stopping_) Sweep();
    });
  }

  // A request of the window given up at `now`: counted in `reason`, and in the
  // latency at its age (a lower bound of what it would have taken).
  void GiveUp(TimePoint start, TimePoint now, std::atomic<uint64_t>& reason) {
    if (!timeline_.InWindow(start)) return;
    reason.fetch_add(1, kRelaxed);
    counters_.latency.Record(Nanos(now - start));
  }

  // Open loop, when the window closes: how many of its requests are still
  // waiting for a connection (the server is behind the schedule).
  void CountWaitingAtClose() {
    TakeDueArrivals();  // every arrival before the close is in the backlog
    SendWaiting();      // what an idle connection takes now is not waiting
    uint64_t waiting = 0;
    for (const TimePoint start : backlog_) waiting += timeline_.InWindow(start) ? 1 : 0;
    counters_.waiting_at_close.store(waiting, kRelaxed);
    MaybeFinish();  // after the count: giving up clears the backlog
  }

  void MaybeFinish() {
    if (stopping_ || Clock::now() < timeline_.window_end) return;
    if (schedule_ && (!pacing_done_ || !backlog_.empty())) {
      // The backlog drains only through a connection; when every one has
      // failed to reconnect for a while (the server is gone, not restarting),
      // the rest is given up now rather than at the hard stop.
      const TimePoint now = Clock::now();
      const Clock::duration grace = std::min<Clock::duration>(settings_.timeout, std::chrono::seconds(1));
      if (pacing_done_ && std::all_of(connections_.begin(), connections_.end(),
                                      [&](const auto& c) { return c->down() && now - c->down_since() >= grace; })) {
        Stop(/*give_up=*/true);
      }
      return;
    }
    for (auto& connection : connections_) {
      if (connection->busy()) return;
    }
    Stop(/*give_up=*/false);
  }

  void Stop(bool give_up) {
    if (stopping_) return;
    stopping_ = true;
    if (give_up) {
      const TimePoint now = Clock::now();
      for (const TimePoint start : backlog_) GiveUp(start, now, counters_.unsent);
      for (auto& connection : connections_) {
        if (connection->busy()) GiveUp(connection->start(), now, counters_.timeouts);
      }
    }
    backlog_.clear();
    pacer_.cancel();
    sweeper_.cancel();
    closer_.cancel();
    for (auto& connection : connections_) connection->Abort();
  }

  const RunSettings& settings_;
  const std::vector<std::string>& requests_;
  std::size_t next_request_;
  LiveCounters& counters_;
  net::io_context io_{1};
  std::vector<bool> minted_;  // by request index (see RunResult::minted)
  net::steady_timer pacer_;
  net::steady_timer sweeper_;
  net::steady_timer closer_;  // open loop: fires at the window's close
  std::optional<ArrivalSchedule> schedule_;
  tcp::resolver::results_type endpoints_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::deque<Connection*> idle_;
  std::deque<TimePoint> backlog_;  // scheduled starts waiting for a free connection
  TimePoint next_arrival_{};
  Timeline timeline_{};
  bool connecting_ = false;
  std::size_t connects_done_ = 0;  // while connecting: connections that succeeded or failed
  bool pacing_done_ = false;
  bool stopping_ = false;
  std::string connect_error_;
};

void Connection::Connect() {
  const uint64_t epoch = ++epoch_;
  connected_ = false;
  connecting_ = true;
  connect_started_ = Clock::now();
  answered_here_ = 0;
  buffer_.clear();
  if (net::ssl::context* context = worker_.tls()) {
    // A new SSL object per connection: a full handshake, never a resumption.
    tls_ = std::make_shared<TlsStream>(socket_.get_executor(), *context);
    PrepareTlsConnection(tls_->native_handle(), worker_.host());
    net::async_connect(tls_->next_layer(), worker_.endpoints(),
                       [this, epoch, keep = tls_](beast::error_code ec, const tcp::endpoint&) {
                         if (epoch != epoch_) return;
                         if (ec) return OnConnect(epoch, ec);
                         keep->async_handshake(net::ssl::stream_base::client,
                                               [this, epoch, keep](beast::error_code e) { OnConnect(epoch, e); });
                       });
    return;
  }
  socket_ = tcp::socket(socket_.get_executor());
  net::async_connect(socket_, worker_.endpoints(),
                     [this, epoch](beast::error_code ec, const tcp::endpoint&) { OnConnect(epoch, ec); });
}

void Connection::OnConnect(uint64_t epoch, beast::error_code ec) {
  if (epoch != epoch_) return;
  connecting_ = false;
  if (!ec) {
    connected_ = true;
    beast::error_code ignored;
    Socket().set_option(tcp::no_delay(true), ignored);
  }
  // A request that was waiting for this connection (see Send and Lost) is
  // sent here. One that was not may now get a request from the worker,
  // through Send, which writes it itself: it must not be written twice.
  const bool request_waiting = busy_;
  worker_.Connected(*this, ec);
  if (!ec && request_waiting && busy_) {
    sent_ = Clock::now();
    parser_.emplace();
    parser_->body_limit(worker_.max_answer_bytes());
    Write(epoch);
  }
}

void Connection::Send(const std::string& request, TimePoint start) {
  busy_ = true;
  retried_ = false;
  request_ = &request;
  start_ = start;
  // With --new-connection the connection is made now, inside the request's
  // latency; OnConnect sends. Until then the timeout runs from here.
  timeout_from_ = Clock::now();
  sent_ = timeout_from_;
  if (!connected_) return Connect();
  parser_.emplace();
  parser_->body_limit(worker_.max_answer_bytes());
  Write(epoch_);
}

void Connection::Write(uint64_t epoch) {
  if (tls_) {
    net::async_write(*tls_, net::buffer(*request_),
                     [this, epoch, keep = tls_](beast::error_code ec, std::size_t) { OnWrite(epoch, ec); });
  } else {
    net::async_write(socket_, net::buffer(*request_),
                     [this, epoch](beast::error_code ec, std::size_t) { OnWrite(epoch, ec); });
  }
}

void Connection::OnWrite(uint64_t epoch, beast::error_code ec) {
  if (epoch != epoch_) return;
  if (ec) return Lost();
  if (tls_) {
    http::async_read(*tls_, buffer_, *parser_,
                     [this, epoch, keep = tls_](beast::error_code e, std::size_t) { OnRead(epoch, e); });
  } else {
    http::async_read(socket_, buffer_, *parser_, [this, epoch](beast::error_code e, std::size_t) { OnRead(epoch, e); });
  }
}

void Connection::OnRead(uint64_t epoch, beast::error_code ec) {
  if (epoch != epoch_) return;
  if (ec) return Lost();
  busy_ = false;
  ++answered_here_;
  const auto& answer = parser_->get();
  const unsigned status = answer.result_int();
  const bool keep_alive = answer.keep_alive();
  worker_.Answered(*this, status, status == 200 && answer.body().find(worker_.token_member()) != std::string::npos);
  parser_.reset();
  if (worker_.new_connection()) {
    // Closed here; the next Send connects again.
    Abort();
    return worker_.Idle(*this);
  }
  if (keep_alive) return worker_.Idle(*this);
  Connect();  // the server asked to close; Worker::Connected makes it idle again
}

void Connection::Lost() {
  // A server may close a keep-alive connection it thinks idle just as we
  // reuse it; a token request is safe to repeat, so resend it once on a new
  // connection, its latency still counted from the original start.
  if (answered_here_ > 0 && !retried_) {
    retried_ = true;
    return Connect();
  }
  busy_ = false;
  worker_.Failed(*this);
  Connect();
}

void Connection::Reset() {
  busy_ = false;
  Abort();
  Connect();
}

void Connection::Abort() {
  ++epoch_;
  connected_ = false;
  connecting_ = false;
  beast::error_code ignored;
  Socket().close(ignored);
}

}  // namespace

uint64_t RunResult::error_count() const {
  uint64_t total = 0;
  for (const auto& [name, count] : errors) total += count;
  return total;
}

Result<RunResult> RunLoad(const RunSettings& settings, const std::vector<std::string>& requests,
                          const std::function<void(const Progress&)>& on_progress) {
  if (requests.empty()) return Error::InvalidArgument("no requests to send");
  tcp::resolver::results_type endpoints;
  try {
    net::io_context io;
    endpoints = tcp::resolver(io).resolve(settings.host, settings.port);
  } catch (const boost::system::system_error& e) {
    return Error::Unavailable("cannot resolve " + settings.host + ": " + e.code().message());
  }

  const int threads = settings.threads;
  std::vector<std::unique_ptr<LiveCounters>> counters;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) {
    const int connections = settings.connections / threads + (i < settings.connections % threads ? 1 : 0);
    counters.push_back(std::make_unique<LiveCounters>());
    workers.push_back(std::make_unique<Worker>(
        settings, requests, requests.size() * static_cast<std::size_t>(i) / static_cast<std::size_t>(threads),
        connections, settings.rate / threads, settings.seed + i, *counters.back()));
  }

  // Every thread connects first; the clock starts once all have.
  std::latch connected(threads);
  std::latch go(1);
  std::mutex error_mutex;
  std::string connect_error;
  bool aborted = false;
  Timeline timeline;
  std::atomic<int> running{threads};
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      const std::string error = workers[static_cast<std::size_t>(i)]->ConnectAll(endpoints);
      if (!error.empty()) {
        const std::lock_guard lock(error_mutex);
        if (connect_error.empty()) connect_error = error;
      }
      connected.count_down();
      go.wait();
      if (!aborted) workers[static_cast<std::size_t>(i)]->Run(timeline);
      running.fetch_sub(1);
    });
  }
  connected.wait();
  aborted = !connect_error.empty();
  timeline.start = Clock::now();
  timeline.window_start = timeline.start + settings.warmup;
  timeline.window_end = timeline.window_start + settings.duration;
  timeline.hard_stop = timeline.window_end + settings.timeout;
  go.count_down();

  auto next_tick = timeline.start + std::chrono::seconds(1);
  std::optional<TimePoint> interrupted_at;
  while (!aborted && running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const TimePoint now = Clock::now();
    if (!interrupted_at && settings.stop_requested != nullptr && settings.stop_requested->load()) {
      interrupted_at = now;
      for (auto& worker : workers) worker->Interrupt();
    }
    if (now < next_tick || !on_progress) continue;
    next_tick += std::chrono::seconds(1);
    Progress progress{std::chrono::duration<double>(now - timeline.start).count(), now < timeline.window_start, 0, 0,
                      0};
    LatencyHistogram latency;
    for (const auto& c : counters) {
      progress.answers += c->answers.load(kRelaxed);
      progress.errors += c->no_token.load(kRelaxed) + c->timeouts.load(kRelaxed) + c->connection_errors.load(kRelaxed) +
                         c->unsent.load(kRelaxed);
      for (const auto& n : c->by_status) progress.errors += n.load(kRelaxed);
      latency.Add(c->latency);
    }
    progress.p99_ns = latency.ValueAtPercentile(99);
    on_progress(progress);
  }
  for (auto& thread : pool) thread.join();
  if (aborted) {
    return Error::Unavailable("cannot connect to " + JoinHostPort(settings.host, settings.port) + ": " + connect_error);
  }

  RunResult result;
  result.connections = static_cast<uint64_t>(settings.connections);
  result.measured_seconds = std::chrono::duration<double>(settings.duration).count();
  if (interrupted_at) {
    result.interrupted = true;
    const double until_then = std::chrono::duration<double>(*interrupted_at - timeline.window_start).count();
    result.measured_seconds = std::clamp(until_then, 0.0, result.measured_seconds);
  }
  result.minted.assign(requests.size(), false);
  for (const auto& worker : workers) {
    const std::vector<bool>& minted = worker->minted();
    for (std::size_t i = 0; i < minted.size(); ++i) {
      if (minted[i]) result.minted[i] = true;
    }
  }
  const auto add_error = [&result](const std::string& name, uint64_t n) {
    if (n > 0) result.errors[name] += n;
  };
  for (const auto& c : counters) {
    result.latency.Add(c->latency);
    result.service_time.Add(c->service_time);
    result.answered += c->answered.load();
    result.ok += c->ok.load();
    result.ok_within_window += c->ok_within_window.load();
    result.scheduled += c->scheduled.load();
    result.waiting_at_close += c->waiting_at_close.load();
    result.reconnects += c->reconnects.load();
    result.failed_reconnects += c->failed_reconnects.load();
    for (std::size_t status = 0; status < c->by_status.size(); ++status) {
      add_error(status == 0 ? std::string("other-status") : std::to_string(status), c->by_status[status].load());
    }
    add_error("no-token", c->no_token.load());
    add_error("timeout", c->timeouts.load());
    add_error("connection", c->connection_errors.load());
    add_error("unsent", c->unsent.load());
  }
  return result;
}

}  // namespace keymint::load
