#include "keymint/common/log.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <utility>

#include "common/batched_writer.hpp"
#include "keymint/common/json_string.hpp"

namespace keymint::log {
namespace {

// Set by Start and cleared by Stop while no other thread logs, so readers
// need no lock; the atomics make a stray late reader see null, not garbage.
std::atomic<spdlog::logger*> g_logger{nullptr};
std::atomic<int> g_level{static_cast<int>(Level::kOff)};
std::unique_ptr<internal::BatchedWriter> g_writer;
std::shared_ptr<spdlog::logger> g_owner;

// spdlog names the warn level "warning".
constexpr const char* kPattern = R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})";

// Formats each line on the calling thread (spdlog's pattern formatter keeps
// the broken-down time of the current second, so this is a few copies) and
// hands it to the batched writer, which does the I/O.
class BatchingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BatchingSink(internal::BatchedWriter& writer) : writer_(writer) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    formatted_.clear();
    formatter_->format(msg, formatted_);
    writer_.Append(std::string_view(formatted_.data(), formatted_.size()));
  }
  void flush_() override {}

 private:
  internal::BatchedWriter& writer_;
  spdlog::memory_buf_t formatted_;  // guarded by base_sink's mutex
};

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kOff:
      break;
  }
  return spdlog::level::off;
}

}  // namespace

std::optional<Level> ParseLevel(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Level>, 6> kNames = {{{"trace", Level::kTrace},
                                                                                {"debug", Level::kDebug},
                                                                                {"info", Level::kInfo},
                                                                                {"warn", Level::kWarn},
                                                                                {"error", Level::kError},
                                                                                {"off", Level::kOff}}};
  for (const auto& [text, level] : kNames) {
    if (name == text) return level;
  }
  return std::nullopt;
}

void Start(Level level) {
  if (g_owner || level == Level::kOff) return;  // off: no thread at all
  // One writer thread: lines leave in the order they were queued. When stderr
  // cannot keep up (a stalled pipe, a slow terminal) new lines are dropped
  // once kMaxQueuedBytes wait, never a request delayed; Dropped() counts them.
  g_writer = std::make_unique<internal::BatchedWriter>(
      internal::BatchedWriter::Options{.fd = STDERR_FILENO, .max_pending_bytes = kMaxQueuedBytes});
  g_owner = std::make_shared<spdlog::logger>("keymint", std::make_shared<BatchingSink>(*g_writer));
  g_owner->set_pattern(kPattern, spdlog::pattern_time_type::utc);
  g_owner->set_level(ToSpdlog(level));
  g_logger.store(g_owner.get());
  g_level.store(static_cast<int>(level));
}

void Stop() {
  g_level.store(static_cast<int>(Level::kOff));
  g_logger.store(nullptr);
  g_owner.reset();
  if (g_writer) g_writer->Stop();  // writes what is still queued, then joins its thread
  g_writer.reset();
}

bool Enabled(Level level) {
  return level != Level::kOff && static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void Write(Level level, std::string_view fields) {
  if (!Enabled(level)) return;
  spdlog::logger* logger = g_logger.load(std::memory_order_acquire);
  if (logger == nullptr) return;
  logger->log(ToSpdlog(level), spdlog::string_view_t(fields.data(), fields.size()));
}

void Message(Level level, std::string_view message) {
  if (!Enabled(level)) return;
  std::string fields = "\"msg\":";
  AppendJsonString(fields, message);
  Write(level, fields);
}

uint64_t Dropped() { return g_writer ? g_writer->dropped() : 0; }

}  // namespace keymint::log
