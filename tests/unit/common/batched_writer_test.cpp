#include "common/batched_writer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

namespace keymint::log::internal {
namespace {

using namespace std::chrono_literals;

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    ::close(read_end);
    ::close(write_end);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  // Reads until `bytes` have arrived or `timeout` passed.
  std::string Read(std::size_t bytes, std::chrono::milliseconds timeout) const {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[65536];
    while (out.size() < bytes && std::chrono::steady_clock::now() < deadline) {
      pollfd p{read_end, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const ssize_t n = ::read(read_end, buffer, sizeof buffer);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }
};

std::string Line(int n) { return "line " + std::to_string(n) + "\n"; }

TEST_CASE("BatchedWriter writes lines whole and in order within its interval", "[log]") {
  Pipe pipe;
  BatchedWriter writer({.fd = pipe.write_end, .interval = 20ms});
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    writer.Append(Line(i));
    expected += Line(i);
  }
  // Not stopped: the lines must go out on the writer's own schedule.
  CHECK(pipe.Read(expected.size(), 5s) == expected);
  writer.Append(Line(1000));
  CHECK(pipe.Read(Line(1000).size(), 5s) == Line(1000));
  CHECK(writer.dropped() == 0);
}

TEST_CASE("BatchedWriter::Stop writes what is queued before it returns", "[log]") {
  Pipe pipe;
  std::string expected;
  {
    BatchedWriter writer({.fd = pipe.write_end, .interval = 10s});  // only Stop would write
    for (int i = 0; i < 100; ++i) {
      writer.Append(Line(i));
      expected += Line(i);
    }
    writer.Stop();
    writer.Stop();  // a second Stop is a no-op
  }
  CHECK(pipe.Read(expected.size(), 1s) == expected);
}

TEST_CASE("BatchedWriter drops new lines, and never blocks, while its descriptor is stalled", "[log]") {
  Pipe pipe;
  // A pipe holds 64 KiB; nobody reads it until the end, so the writer blocks in write(2).
  BatchedWriter writer({.fd = pipe.write_end, .max_pending_bytes = 16 << 10, .wake_bytes = 4 << 10, .interval = 1ms});
  const std::string line(100, 'x');
  const std::string whole = line + "\n";
  constexpr int kLines = 5000;  // 505,000 bytes: far more than the pipe and the bound together
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kLines; ++i) writer.Append(whole);
  INFO("appending never waited for the stalled descriptor");
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  const std::uint64_t dropped = writer.dropped();
  CHECK(dropped > 0);

  std::string received;
  std::thread reader([&] {
    for (;;) {
      std::string part = pipe.Read(1 << 20, 300ms);
      if (part.empty()) return;
      received += part;
    }
  });
  writer.Stop();
  reader.join();
  INFO("every line arrived whole or not at all, and each lost one was counted");
  CHECK(received.size() % whole.size() == 0);
  CHECK(received.size() / whole.size() + writer.dropped() == kLines);
  CHECK(writer.dropped() == dropped);
}

TEST_CASE("BatchedWriter counts the lines a failed write loses", "[log]") {
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);  // every write fails with ENOSPC
  REQUIRE(full >= 0);
  {
    BatchedWriter writer({.fd = full, .interval = 1ms});
    for (int i = 0; i < 10; ++i) writer.Append(Line(i));
    writer.Stop();
    CHECK(writer.dropped() == 10);
  }
  ::close(full);
}

}  // namespace
}  // namespace keymint::log::internal
