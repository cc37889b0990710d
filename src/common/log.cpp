#include "keymint/common/log.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <array>
#include <atomic>
#include <memory>
#include <utility>

namespace keymint::log {
namespace {

// Set by Start and cleared by Stop while no other thread logs, so readers
// need no lock; the atomics make a stray late reader see null, not garbage.
std::atomic<spdlog::async_logger*> g_logger{nullptr};
std::atomic<int> g_level{static_cast<int>(Level::kOff)};
std::shared_ptr<spdlog::details::thread_pool> g_pool;
std::shared_ptr<spdlog::async_logger> g_owner;

// The time is taken when the line is queued, formatted by the writer thread.
// spdlog names the warn level "warning".
constexpr const char* kPattern = R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})";

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
  // One writer thread: lines leave in the order they were queued.
  g_pool = std::make_shared<spdlog::details::thread_pool>(kQueueSlots, 1);
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  // overrun_oldest rather than block: when stderr cannot keep up (a stalled
  // pipe, a slow terminal) the oldest queued lines are lost, never a request
  // delayed; Dropped() counts them.
  g_owner = std::make_shared<spdlog::async_logger>("keymint", std::move(sink), g_pool,
                                                   spdlog::async_overflow_policy::overrun_oldest);
  g_owner->set_pattern(kPattern, spdlog::pattern_time_type::utc);
  g_owner->set_level(ToSpdlog(level));
  g_logger.store(g_owner.get());
  g_level.store(static_cast<int>(level));
}

void Stop() {
  g_level.store(static_cast<int>(Level::kOff));
  g_logger.store(nullptr);
  // The pool's destructor writes what is still queued, then joins its thread.
  g_owner.reset();
  g_pool.reset();
}

bool Enabled(Level level) {
  return level != Level::kOff && static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void Write(Level level, std::string_view fields) {
  if (!Enabled(level)) return;
  spdlog::async_logger* logger = g_logger.load(std::memory_order_acquire);
  if (logger == nullptr) return;
  logger->log(ToSpdlog(level), spdlog::string_view_t(fields.data(), fields.size()));
}

void Message(Level level, std::string_view message) {
  if (!Enabled(level)) return;
  std::string fields = "\"msg\":";
  AppendJsonString(fields, message);
  Write(level, fields);
}

uint64_t Dropped() { return g_pool ? static_cast<uint64_t>(g_pool->overrun_counter()) : 0; }

}  // namespace keymint::log
