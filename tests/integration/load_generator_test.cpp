// keymint-bench, the shipped load generator, run as a program against the
// real keymint binary: each mode mints real tokens, the open loop offers what
// it is told, errors and bad set-ups give the documented exit codes, and the
// credentials it creates are checked (lastLogin) and cleaned up.
#ifdef KEYMINT_BENCH_BINARY
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/fixtures.hpp"
#include "support/keymint_process.hpp"
#include "support/tls.hpp"

namespace keymint::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr int kExitErrors = 1;
constexpr int kExitUsage = 2;

std::string BaseUrl(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

// Short runs: these check behaviour, not speed.
std::vector<std::string> ShortRun(uint16_t port, std::vector<std::string> more) {
  std::vector<std::string> args = {"--url", BaseUrl(port), "-c", "4", "--warmup", "0.2", "-d", "1", "--json"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

ProgramResult Bench(const std::vector<std::string>& args) {
  return RunProgram(KEYMINT_BENCH_BINARY, args, {{"KEYMINT_BENCH_ADMIN_PASSWORD", kAdminPassword}}, seconds(60));
}

json::object Report(const ProgramResult& run) {
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  boost::system::error_code ec;
  json::value value = json::parse(run.out, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(value.is_object());
  return value.as_object();
}

std::string WriteFile(const std::string& dir, const std::string& text) {
  const std::string path = dir + "/credentials.txt";
  std::ofstream(path) << text;
  return path;
}

// A new access key of the admin's, written as the one line of a credentials file in `dir`.
std::string OneKeyFile(const KeymintProcess& server, const ScopedTempDir& dir, const std::string& name) {
  const CreatedKey key = CreateAccessKey(server.port(), AdminToken(server.port()), name);
  return WriteFile(dir.path, key.client_id + "," + key.client_secret + "\n");
}

TEST_CASE("keymint-bench mints tokens in every keymint mode and cleans up the keys it made", "[bench]") {
  KeymintProcess server;
  for (const char* mode : {"v1", "v2-basic", "v2-post"}) {
    INFO("mode " << mode);
    const ProgramResult run =
        Bench(ShortRun(server.port(), {"--mode", mode, "--create", "3", "--admin-email", kAdminEmail}));
    CHECK(run.exit_code == 0);
    const json::object report = Report(run);
    CHECK(report.at("mode").as_string() == mode);
    CHECK(report.at("loop").as_string() == "closed");
    CHECK(report.at("credentials").as_int64() == 3);
    CHECK(report.at("ok").as_int64() > 0);
    CHECK(report.at("ok") == report.at("answers"));
    CHECK(report.at("errors").as_object().empty());
    CHECK(report.at("tokens_per_second").to_number<double>() > 0);
    CHECK(report.at("latency_ms").as_object().at("p99").to_number<double>() > 0);
    // Every key it used shows a lastLogin from the run.
    CHECK(report.at("last_login_updated").as_int64() == 3);
  }
  // All nine keys were deleted afterwards.
  CHECK(ListAccessKeys(server.port(), AdminToken(server.port())).empty());
}

TEST_CASE("keymint-bench can create service accounts instead of access keys", "[bench]") {
  KeymintProcess server;
  const ProgramResult run = Bench(
      ShortRun(server.port(), {"--create", "2", "--create-kind", "service-account", "--admin-email", kAdminEmail}));
  CHECK(run.exit_code == 0);
  const json::object report = Report(run);
  CHECK(report.at("ok").as_int64() > 0);
  CHECK(report.at("last_login_updated").as_int64() == 2);
  const HttpResponse accounts = Get(server.port(), "/api/v1/service-accounts", AdminToken(server.port()));
  REQUIRE(accounts.status == 200);
  CHECK(json::parse(accounts.body).as_array().empty());
}

TEST_CASE("keymint-bench --keep-created keeps the keys and writes them for --credentials", "[bench]") {
  KeymintProcess server;
  ScopedTempDir dir;
  const std::string file = dir.path + "/kept.txt";
  REQUIRE(Bench(ShortRun(server.port(), {"--create", "2", "--admin-email", kAdminEmail, "--keep-created", file}))
              .exit_code == 0);
  struct stat info {};
  REQUIRE(stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);  // it holds secrets
  CHECK(ListAccessKeys(server.port(), AdminToken(server.port())).size() == 2);

  // A later run from the file, spot-checking lastLogin through the administration API.
  const ProgramResult again =
      Bench(ShortRun(server.port(), {"--credentials", file, "--check-last-login", "1", "--admin-email", kAdminEmail}));
  CHECK(again.exit_code == 0);
  const json::object report = Report(again);
  CHECK(report.at("credentials").as_int64() == 2);
  CHECK(report.at("last_login_checked").as_int64() == 1);
  CHECK(report.at("last_login_updated").as_int64() == 1);
}

TEST_CASE("keymint-bench's open loop offers the rate it is given, on schedule", "[bench]") {
  KeymintProcess server;
  ScopedTempDir dir;
  const std::string file = OneKeyFile(server, dir, "open-loop");
  // Uniform arrivals at 200/s: exactly 200 scheduled starts fall in the 1 s window.
  const ProgramResult run =
      Bench(ShortRun(server.port(), {"--credentials", file, "--rate", "200", "--arrivals", "uniform", "--mode", "v1"}));
  CHECK(run.exit_code == 0);
  const json::object report = Report(run);
  CHECK(report.at("loop").as_string() == "open");
  CHECK(report.at("offered_rate").to_number<double>() == 200);
  CHECK(report.at("answers").as_int64() >= 199);
  CHECK(report.at("answers").as_int64() <= 201);
  CHECK(report.at("ok") == report.at("answers"));
  CHECK(report.contains("service_time_ms"));
}

// CPU time of the children reaped so far, in seconds.
double ChildrenCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  const auto in_seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return in_seconds(usage.ru_utime) + in_seconds(usage.ru_stime);
}

TEST_CASE("keymint-bench --busy-poll spins between answers and keeps its schedule", "[bench]") {
  KeymintProcess server;
  ScopedTempDir dir;
  const std::string file = OneKeyFile(server, dir, "busy-poll");
  // 50 requests/s leave a sleeping client idle nearly all the time; a
  // spinning one uses its core for the whole 1.2 s (at least a quarter of it
  // even on a machine busy with other tests). keymint itself is not reaped
  // until the end, so the children's CPU time that moves is keymint-bench's.
  const double cpu_before = ChildrenCpuSeconds();
  const ProgramResult run = Bench(ShortRun(
      server.port(), {"--credentials", file, "--rate", "50", "--arrivals", "uniform", "--busy-poll", "-c", "2"}));
  const double cpu = ChildrenCpuSeconds() - cpu_before;
  CHECK(run.exit_code == 0);
  const json::object report = Report(run);
  CHECK(report.at("answers").as_int64() >= 49);
  CHECK(report.at("answers").as_int64() <= 51);
  CHECK(report.at("ok") == report.at("answers"));
  INFO("keymint-bench used " << cpu << " s of CPU");
  CHECK(cpu >= 0.3);

  const ProgramResult closed = Bench(ShortRun(server.port(), {"--credentials", file, "--busy-poll"}));
  CHECK(closed.exit_code == 0);
  CHECK(Report(closed).at("ok").as_int64() > 0);
}

TEST_CASE("keymint-bench's form mode drives any RFC 6749 token endpoint", "[bench]") {
  KeymintProcess server;
  const CreatedKey key = CreateAccessKey(server.port(), AdminToken(server.port()), "generic");
  ScopedTempDir dir;
  const std::string file = WriteFile(dir.path, "# a comment\n" + key.client_id + "," + key.client_secret + "\n");
  const ProgramResult run = RunProgram(
      KEYMINT_BENCH_BINARY,
      {"--url", BaseUrl(server.port()) + "/api/v2/token", "--mode", "form", "--form", "grant_type=client_credentials",
       "--credentials", file, "-c", "2", "--warmup", "0", "-d", "0.5", "--json"},
      {}, seconds(60));
  CHECK(run.exit_code == 0);
  const json::object report = Report(run);
  CHECK(report.at("url").as_string() == BaseUrl(server.port()) + "/api/v2/token");
  CHECK(report.at("ok").as_int64() > 0);
}

TEST_CASE("keymint-bench exits 1 when answers are not 200, unless told to allow errors", "[bench]") {
  KeymintProcess server;
  ScopedTempDir dir;
  const CreatedKey key = CreateAccessKey(server.port(), AdminToken(server.port()), "wrong");
  // The key's client ID with another key's secret shape: refused (401), never throttled away
  // entirely in a second, and counted by status.
  const std::string file = WriteFile(dir.path, key.client_id + "," + key.client_secret + "x\n");
  const ProgramResult run = Bench(ShortRun(server.port(), {"--credentials", file}));
  CHECK(run.exit_code == kExitErrors);
  const json::object report = Report(run);
  CHECK(report.at("ok").as_int64() == 0);
  const json::object& errors = report.at("errors").as_object();
  CHECK_FALSE(errors.empty());
  for (const auto& [status, count] : errors) {
    INFO("status " << std::string(status));
    CHECK((status == "401" || status == "429"));  // the failure throttle may step in
    CHECK(count.as_int64() > 0);
  }
  CHECK(Bench(ShortRun(server.port(), {"--credentials", file, "--allow-errors"})).exit_code == 0);
}

TEST_CASE("keymint-bench exits 2 on usage errors and on a server it cannot reach", "[bench]") {
  CHECK(Bench({"--url", "http://127.0.0.1:1"}).exit_code == kExitUsage);  // no credentials
  CHECK(Bench({"--url", "https://127.0.0.1:1", "--credentials", "x"}).exit_code == kExitUsage);
  CHECK(Bench({"--bogus"}).exit_code == kExitUsage);
  const ProgramResult help = Bench({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--rate") != std::string::npos);

  ScopedTempDir dir;
  const std::string file = WriteFile(dir.path, "id,secret\n");
  KeymintProcess server;
  const uint16_t port = server.port();
  REQUIRE(server.Stop() == 0);  // nothing listens there any more
  const ProgramResult run = Bench({"--url", BaseUrl(port), "--credentials", file, "-d", "0.5"});
  CHECK(run.exit_code == kExitUsage);
  CHECK(run.err.find("cannot connect") != std::string::npos);
}

TEST_CASE("keymint-bench drives https with keep-alive and with a new handshake per request", "[bench][tls]") {
  ScopedTempDir dir;
  const TlsFiles served = WriteSelfSignedCertificate(dir.path, "served");
  const TlsFiles other = WriteSelfSignedCertificate(dir.path, "other");
  ProcessOptions options;
  options.extra_args = {"--tls-cert", served.cert, "--tls-key", served.key};
  KeymintProcess server(options);
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  const std::vector<std::string> create = {"--create", "3", "--admin-email", kAdminEmail};

  for (const bool new_connection : {false, true}) {
    INFO("new connection per request: " << new_connection);
    std::vector<std::string> args = {"--url",    url,   "--cacert", served.cert, "-c",    "2",
                                     "--warmup", "0.2", "-d",       "1",         "--json"};
    args.insert(args.end(), create.begin(), create.end());
    if (new_connection) args.push_back("--new-connection");
    const ProgramResult run = Bench(args);
    CHECK(run.exit_code == 0);
    const json::object report = Report(run);
    CHECK(report.at("url").as_string() == url + "/api/v2/token");
    CHECK(report.at("ok").as_int64() > 0);
    CHECK(report.at("ok") == report.at("answers"));
    CHECK(report.at("errors").as_object().empty());
    CHECK(report.at("last_login_updated").as_int64() == 3);
    CHECK(report.contains("new_connection_per_request") == new_connection);
  }

  // A server whose certificate the given CA does not vouch for is not talked to.
  const ProgramResult untrusted = Bench({"--url", url, "--cacert", other.cert, "-d", "0.5", "--json"});
  CHECK(untrusted.exit_code == kExitUsage);
  // --insecure skips verification; --cacert and --insecure are for https only.
  std::vector<std::string> insecure = {"--url", url, "--insecure", "-c", "1", "--warmup", "0", "-d", "0.5", "--json"};
  insecure.insert(insecure.end(), create.begin(), create.end());
  CHECK(Bench(insecure).exit_code == 0);
  CHECK(Bench({"--url", "http://127.0.0.1:1", "--insecure", "--credentials", "x"}).exit_code == kExitUsage);
}

// A listening TCP socket on 127.0.0.1. Left alone it is a server that hangs:
// the kernel completes connections from the listen backlog, and nothing
// ever reads or answers.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 64) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackListener() { ::close(fd_); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;
  int fd() const { return fd_; }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A token endpoint that answers each connection's request with a token and
// "Connection: close", then closes it, one connection at a time. It counts
// the requests, and the connections that carried more than one: a client
// must send one request on such a connection, once.
class ClosingTokenServer {
 public:
  ClosingTokenServer() : thread_([this] { Serve(); }) {}
  ~ClosingTokenServer() {
    stopping_ = true;
    ::shutdown(listener_.fd(), SHUT_RDWR);  // wakes accept
    thread_.join();
  }
  ClosingTokenServer(const ClosingTokenServer&) = delete;
  ClosingTokenServer& operator=(const ClosingTokenServer&) = delete;
  uint16_t port() const { return listener_.port(); }
  int requests() const { return requests_; }
  int connections_with_more() const { return connections_with_more_; }

 private:
  void Serve() {
    while (!stopping_) {
      const int fd = ::accept(listener_.fd(), nullptr, nullptr);
      if (fd < 0) continue;
      std::string received;
      if (ReadRequest(fd, received)) {
        ++requests_;
        static const std::string kBody = R"({"access_token":"x","token_type":"Bearer","expires_in":60})";
        static const std::string kAnswer =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(kBody.size()) +
            "\r\nConnection: close\r\n\r\n" + kBody;
        (void)!::send(fd, kAnswer.data(), kAnswer.size(), MSG_NOSIGNAL);
        // Anything after the request, now or before the client closes, is more.
        pollfd readable{fd, POLLIN, 0};
        char byte = 0;
        if (!received.empty() || (::poll(&readable, 1, 500) > 0 && ::recv(fd, &byte, 1, 0) > 0)) {
          ++connections_with_more_;
        }
      }
      ::close(fd);
    }
  }

  // Reads one request (header and Content-Length body) from `fd`; leaves in
  // `rest` whatever came after it.
  static bool ReadRequest(int fd, std::string& rest) {
    std::string buffer;
    char chunk[4096];
    std::size_t end = std::string::npos;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    std::string header = buffer.substr(0, end);
    for (char& c : header) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::size_t length_at = header.find("content-length:");
    const std::size_t body = length_at == std::string::npos ? 0 : std::stoul(header.substr(length_at + 15));
    while (buffer.size() < end + 4 + body) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    rest = buffer.substr(end + 4 + body);
    return true;
  }

  LoopbackListener listener_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> connections_with_more_{0};
  std::thread thread_;  // last: starts once the members above exist
};

TEST_CASE("keymint-bench reports what was answered when an open loop offers more than the server can take", "[bench]") {
  KeymintProcess server;
  ScopedTempDir dir;
  const std::string file = OneKeyFile(server, dir, "overload");
  // One connection cannot carry 20,000 RS256 tokens a second on any machine:
  // most of the window's requests are still queued when it closes.
  const ProgramResult run = Bench({"--url", BaseUrl(server.port()), "--credentials", file, "-c", "1", "--rate", "20000",
                                   "--arrivals", "uniform", "--warmup", "0", "-d", "0.5", "--timeout", "2", "--json"});
  CHECK(run.exit_code == kExitErrors);
  CHECK(run.err.find("fell behind") != std::string::npos);
  const json::object report = Report(run);
  CHECK(report.at("fell_behind").as_bool());
  const double scheduled = report.at("scheduled").to_number<double>();
  CHECK(scheduled == Approx(10'000).margin(2));
  CHECK(report.at("waiting_at_close").to_number<double>() > scheduled / 2);
  // tokens/s counts the answers that arrived within the 0.5 s window.
  const double tokens_per_second = report.at("tokens_per_second").to_number<double>();
  CHECK(tokens_per_second > 0);
  CHECK(tokens_per_second < 10'000);
  // The window's requests answered after it (from the queue, until the run
  // gave up 2 s later) are ok, but not in tokens/s.
  CHECK(tokens_per_second * 0.5 < report.at("ok").to_number<double>());
  // Requests never sent before the run gave up are errors, and in the latency
  // at their age: the p99 shows the queue, not a healthy service time.
  CHECK(report.at("errors").as_object().at("unsent").as_int64() > 0);
  CHECK(report.at("latency_ms").as_object().at("p99").to_number<double>() > 1000);
}

TEST_CASE("keymint-bench gives up a server that never completes the TLS handshake", "[bench][tls]") {
  LoopbackListener silent;
  ScopedTempDir dir;
  const std::string file = WriteFile(dir.path, "id,secret\n");
  const auto started = std::chrono::steady_clock::now();
  const ProgramResult run = RunProgram(KEYMINT_BENCH_BINARY,
                                       {"--url", "https://127.0.0.1:" + std::to_string(silent.port()), "--insecure",
                                        "--credentials", file, "-c", "2", "--timeout", "1", "-d", "0.5"},
                                       {}, seconds(30));
  INFO("stderr: " << run.err);
  CHECK(run.exit_code == kExitUsage);
  CHECK(run.err.find("cannot connect") != std::string::npos);
  CHECK(run.err.find("timeout") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < seconds(20));  // not killed at RunProgram's limit
}

TEST_CASE("keymint-bench gives up a management call the server never answers", "[bench]") {
  LoopbackListener silent;  // takes the connection, never answers the login
  const auto started = std::chrono::steady_clock::now();
  const ProgramResult run =
      Bench({"--url", BaseUrl(silent.port()), "--create", "1", "--admin-email", kAdminEmail, "--timeout", "1"});
  INFO("stderr: " << run.err);
  CHECK(run.exit_code == kExitUsage);
  CHECK(run.err.find("POST /api/v1/token: no answer within the timeout") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < seconds(20));  // not killed at Bench's limit
}

// Runs keymint-bench with `args` while `server` is stopped 1.2 s into the
// run (a server that goes away mid-run); returns the run and how long it took.
std::pair<ProgramResult, std::chrono::steady_clock::duration> BenchWhileServerStops(
    KeymintProcess& server, const std::vector<std::string>& args) {
  std::thread stopper([&server] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    server.Stop();
  });
  const auto started = std::chrono::steady_clock::now();
  ProgramResult run = Bench(args);
  const auto took = std::chrono::steady_clock::now() - started;
  stopper.join();
  return {std::move(run), took};
}

TEST_CASE("keymint-bench counts a server gone mid-run as connection errors and still ends with the window", "[bench]") {
  KeymintProcess server;
  ScopedTempDir dir;
  const std::string file = OneKeyFile(server, dir, "vanishing");
  // A 30 s timeout: a request left waiting for it would hold the run for 30 s.
  const auto [run, took] =
      BenchWhileServerStops(server, {"--url", BaseUrl(server.port()), "--credentials", file, "-c", "2", "--warmup", "0",
                                     "-d", "3", "--timeout", "30", "--json"});
  CHECK(run.exit_code == kExitErrors);
  const json::object report = Report(run);
  CHECK(report.at("ok").as_int64() > 0);
  const json::object& errors = report.at("errors").as_object();
  CHECK(errors.contains("connection"));
  CHECK_FALSE(errors.contains("timeout"));
  CHECK(report.at("failed_reconnects").as_int64() > 0);
  CHECK(took < seconds(20));
}

TEST_CASE("keymint-bench's open loop gives up a server gone for good instead of waiting out the timeout", "[bench]") {
  KeymintProcess server;
  ScopedTempDir dir;
  const std::string file = OneKeyFile(server, dir, "gone");
  // A 30 s timeout: the backlog left when the server went would hold the run until 33 s.
  const auto [run, took] =
      BenchWhileServerStops(server, {"--url", BaseUrl(server.port()), "--credentials", file, "-c", "2", "--rate", "100",
                                     "--warmup", "0", "-d", "3", "--timeout", "30", "--json"});
  CHECK(run.exit_code == kExitErrors);
  const json::object report = Report(run);
  CHECK(report.at("ok").as_int64() > 0);
  CHECK(report.at("errors").as_object().at("unsent").as_int64() > 0);
  // The requests the schedule kept adding after the server went were waiting at the close.
  CHECK(report.at("waiting_at_close").as_int64() > 0);
  CHECK(report.at("fell_behind").as_bool());
  CHECK(took < seconds(20));
}

TEST_CASE("keymint-bench stopped with Ctrl-C reports what it measured and deletes the keys it made", "[bench]") {
  KeymintProcess server;
  const ProgramResult run = RunProgram(KEYMINT_BENCH_BINARY,
                                       {"--url", BaseUrl(server.port()), "--create", "3", "--admin-email", kAdminEmail,
                                        "-c", "2", "--warmup", "0.2", "-d", "60", "--json"},
                                       {{"KEYMINT_BENCH_ADMIN_PASSWORD", kAdminPassword}}, seconds(60),
                                       ProgramSignal{std::chrono::milliseconds(4000), SIGINT});
  CHECK(run.exit_code == -SIGINT);  // ended by the signal itself, after its report and clean-up
  const json::object report = Report(run);
  CHECK(report.at("interrupted").as_bool());
  const double measured = report.at("measured_seconds").to_number<double>();
  CHECK(measured > 0);
  CHECK(measured < 60);
  CHECK(report.at("ok").as_int64() > 0);
  CHECK(report.at("tokens_per_second").to_number<double>() > 0);
  CHECK_FALSE(report.contains("last_login_updated"));  // no check after a stop: the cleanup comes first
  CHECK(ListAccessKeys(server.port(), AdminToken(server.port())).empty());
}

TEST_CASE("keymint-bench stopped with Ctrl-C while it creates its keys, or just after, leaves none behind", "[bench]") {
  KeymintProcess server;
  // 20 access keys take a few hundred milliseconds to make; the signal comes
  // during that or early in the run. Either way: ended by that signal, no key left.
  const int stop_signal = GENERATE(SIGINT, SIGTERM);
  const ProgramResult run = RunProgram(KEYMINT_BENCH_BINARY,
                                       {"--url", BaseUrl(server.port()), "--create", "20", "--admin-email", kAdminEmail,
                                        "-c", "2", "--warmup", "0", "-d", "60", "--json"},
                                       {{"KEYMINT_BENCH_ADMIN_PASSWORD", kAdminPassword}}, seconds(60),
                                       ProgramSignal{std::chrono::milliseconds(300), stop_signal});
  INFO("signal " << stop_signal << ", stderr: " << run.err);
  CHECK(run.exit_code == -stop_signal);
  CHECK(run.err.find("stopping") != std::string::npos);
  CHECK(ListAccessKeys(server.port(), AdminToken(server.port())).empty());
}

TEST_CASE("keymint-bench --check-last-login checks the keys a short run used, and fails when it cannot", "[bench]") {
  KeymintProcess server;
  const std::string token = AdminToken(server.port());
  ScopedTempDir dir;
  std::string lines;
  for (const char* name : {"one", "two", "three"}) {
    const CreatedKey key = CreateAccessKey(server.port(), token, name);
    lines += key.client_id + "," + key.client_secret + "\n";
  }
  const std::string file = WriteFile(dir.path, lines);
  // Two requests in the window (at 0 s and 0.5 s): fewer than the file's three keys.
  const ProgramResult run =
      Bench({"--url", BaseUrl(server.port()), "--credentials", file, "--check-last-login", "3", "--admin-email",
             kAdminEmail, "-c", "1", "--rate", "2", "--arrivals", "uniform", "--warmup", "0", "-d", "1", "--json"});
  CHECK(run.exit_code == 0);
  const json::object report = Report(run);
  REQUIRE(report.contains("last_login_checked"));
  CHECK(report.at("last_login_checked").as_int64() == 2);
  CHECK(report.at("last_login_updated").as_int64() == 2);

  // Service accounts are not access keys: the check cannot find them, and says so with exit 1.
  const std::string accounts = dir.path + "/accounts.txt";
  REQUIRE(Bench({"--url", BaseUrl(server.port()), "--create", "2", "--create-kind", "service-account", "--admin-email",
                 kAdminEmail, "--keep-created", accounts, "-c", "1", "--warmup", "0", "-d", "0.3"})
              .exit_code == 0);
  const ProgramResult unreadable =
      Bench({"--url", BaseUrl(server.port()), "--credentials", accounts, "--check-last-login", "2", "--admin-email",
             kAdminEmail, "-c", "1", "--warmup", "0", "-d", "0.3", "--json"});
  CHECK(unreadable.exit_code == kExitErrors);
  CHECK(unreadable.err.find("cannot read lastLogin") != std::string::npos);
}

TEST_CASE("keymint-bench exits 1 when its window measured nothing", "[bench]") {
  KeymintProcess server;
  ScopedTempDir dir;
  const std::string file = OneKeyFile(server, dir, "idle");
  // Uniform arrivals at 0.4/s come at 0 s and 2.5 s: none in the window from 0.5 s to 1.5 s.
  const ProgramResult run = Bench({"--url", BaseUrl(server.port()), "--credentials", file, "-c", "1", "--rate", "0.4",
                                   "--arrivals", "uniform", "--warmup", "0.5", "-d", "1"});
  CHECK(run.exit_code == kExitErrors);
  CHECK(run.err.find("nothing was measured") != std::string::npos);
  CHECK(run.out.find("open loop at 0.4/s") != std::string::npos);
}

TEST_CASE("keymint-bench counts a request that timed out in the latency, at its age", "[bench]") {
  LoopbackListener silent;  // takes the connections, never answers
  ScopedTempDir dir;
  const std::string file = WriteFile(dir.path, "id,secret\n");
  const ProgramResult run = Bench({"--url", BaseUrl(silent.port()), "--credentials", file, "-c", "2", "--warmup", "0",
                                   "-d", "1", "--timeout", "0.5", "--json"});
  CHECK(run.exit_code == kExitErrors);
  const json::object report = Report(run);
  CHECK(report.at("answers").as_int64() == 0);
  CHECK(report.at("errors").as_object().at("timeout").as_int64() >= 2);
  // Every request in the latency is one given up after 0.5 s.
  const json::object& latency = report.at("latency_ms").as_object();
  CHECK(latency.at("p50").to_number<double>() >= 500);
  CHECK(latency.at("max").to_number<double>() < 5000);
}

TEST_CASE("keymint-bench sends one request, once, on a connection the server closes after each answer", "[bench]") {
  ClosingTokenServer server;
  ScopedTempDir dir;
  const std::string file = WriteFile(dir.path, "id,secret\n");
  const ProgramResult run = Bench({"--url", BaseUrl(server.port()) + "/token", "--mode", "form", "--credentials", file,
                                   "-c", "1", "--warmup", "0", "-d", "0.5", "--json"});
  CHECK(run.exit_code == 0);
  const json::object report = Report(run);
  CHECK(report.at("ok").as_int64() > 0);
  CHECK(report.at("reconnects").as_int64() > 0);
  CHECK(server.requests() > 0);
  CHECK(server.connections_with_more() == 0);
}

}  // namespace
}  // namespace keymint::testing
#endif  // KEYMINT_BENCH_BINARY
