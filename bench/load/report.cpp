#include "load/report.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "keymint/common/json_string.hpp"

namespace keymint::load {

namespace json = boost::json;

namespace {

struct Percentile {
  const char* label;      // for people
  const char* json_name;  // for scripts
  double value;
};
constexpr Percentile kPercentiles[] = {
    {"p50", "p50", 50}, {"p90", "p90", 90}, {"p99", "p99", 99}, {"p99.9", "p99_9", 99.9}};

double Millis(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

// A number as people write it, never in exponent notation (100000, 0.25,
// 1234567): the shortest such text that reads back as the same double.
std::string Plain(double value) {
  if (!std::isfinite(value)) return "null";
  char text[400];  // the longest fixed-notation double
  const auto [end, ec] = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed);
  return std::string(text, ec == std::errc() ? end : text);
}

std::string Format(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// 1234567 -> "1,234,567"
std::string Grouped(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string LatencyLine(const LatencyHistogram& h) {
  std::string line;
  for (const Percentile& p : kPercentiles) {
    line += std::string(p.label) + " " + Format("%.2f", Millis(h.ValueAtPercentile(p.value))) + "  ";
  }
  return line + "max " + Format("%.2f", Millis(h.max())) + " ms";
}

json::object LatencyJson(const LatencyHistogram& h) {
  json::object out;
  for (const Percentile& p : kPercentiles) out[p.json_name] = Millis(h.ValueAtPercentile(p.value));
  out["max"] = Millis(h.max());
  out["mean"] = h.mean() / 1e6;
  return out;
}

std::string ArrivalsName(ArrivalProcess process) { return process == ArrivalProcess::kPoisson ? "poisson" : "uniform"; }

// JSON text with numbers as people write them (400, 0.25, 100000), where
// boost::json::serialize writes 4E2, 2.5E-1 and 1E5: the same values, but
// this report is read by people as often as by scripts.
void AppendReadable(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.get_object()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, key);
        out += ':';
        AppendReadable(out, member);
      }
      out += '}';
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& element : value.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendReadable(out, element);
      }
      out += ']';
      return;
    }
    case json::kind::string:
      return AppendJsonString(out, value.get_string());
    case json::kind::int64:
      return AppendJsonInteger(out, value.get_int64());
    case json::kind::uint64:
      return AppendJsonInteger(out, value.get_uint64());
    case json::kind::double_:
      out += Plain(value.get_double());
      return;
    case json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case json::kind::null:
      out += "null";
      return;
  }
}

std::string BehindLine(const RunResult& result) {
  return Grouped(result.waiting_at_close) + " of the window's " + Grouped(result.scheduled) +
         " requests were still waiting to be sent when it closed: the server fell behind the offered rate "
         "(tokens/s is what it answered within the window; the latency includes the queue)";
}

}  // namespace

std::string TextReport(const ReportContext& context, const RunResult& result) {
  const Options& o = context.options;
  std::string text = "keymint-bench: " + std::string(ModeName(o.mode)) + ", POST " + o.TokenUrl() + "\n";
  text += "  " + std::to_string(o.connections) + " connections" + (o.new_connection ? " (a new one per request)" : "") +
          ", " + std::to_string(o.threads) + " thread" + (o.threads == 1 ? "" : "s") + ", " +
          Grouped(context.credentials) + " credentials, ";
  text += o.open_loop() ? "open loop at " + Plain(o.rate) + "/s (" + ArrivalsName(o.arrivals) + ")"
                        : std::string("closed loop");
  text += ", " + Plain(o.warmup_s) + " s warm-up, " + Plain(o.duration_s) + " s measured\n";
  if (result.interrupted) {
    text += "  interrupted   after " + Format("%.1f", result.measured_seconds) + " s of the measured window\n";
  }
  text += "  tokens/s      " + Format("%.1f", result.tokens_per_second()) + "\n";
  text += "  latency (ms)  " + LatencyLine(result.latency) + (o.open_loop() ? "  (from scheduled send)" : "") + "\n";
  if (o.open_loop()) text += "  service (ms)  " + LatencyLine(result.service_time) + "  (from actual send)\n";
  text += "  answers       " + Grouped(result.answered) + " (" + Grouped(result.ok) + " ok)\n";
  if (result.fell_behind()) text += "  behind        " + BehindLine(result) + "\n";
  std::string errors;
  for (const auto& [name, count] : result.errors) errors += (errors.empty() ? "" : ", ") + name + ": " + Grouped(count);
  text += "  errors        " + (errors.empty() ? std::string("none") : errors) + "\n";
  if (result.reconnects > 0) text += "  reconnects    " + Grouped(result.reconnects) + "\n";
  if (result.failed_reconnects > 0) {
    text += "  reconnecting  " + Grouped(result.failed_reconnects) + " attempts failed (refused or timed out)\n";
  }
  if (context.last_login_updated) {
    text += "  lastLogin     " + Grouped(*context.last_login_updated) + " of " + Grouped(context.last_login_checked) +
            " credentials updated during the run\n";
  }
  return text;
}

std::string JsonReport(const ReportContext& context, const RunResult& result) {
  const Options& o = context.options;
  json::object report;
  report["mode"] = ModeName(o.mode);
  report["url"] = o.TokenUrl();
  report["connections"] = o.connections;
  if (o.new_connection) report["new_connection_per_request"] = true;
  report["threads"] = o.threads;
  report["credentials"] = context.credentials;
  report["loop"] = o.open_loop() ? "open" : "closed";
  if (o.open_loop()) {
    report["offered_rate"] = o.rate;
    report["arrivals"] = ArrivalsName(o.arrivals);
    report["scheduled"] = result.scheduled;
    report["waiting_at_close"] = result.waiting_at_close;
    report["fell_behind"] = result.fell_behind();
  }
  report["warmup_seconds"] = o.warmup_s;
  report["duration_seconds"] = o.duration_s;
  if (result.interrupted) {
    report["interrupted"] = true;
    report["measured_seconds"] = result.measured_seconds;
  }
  report["tokens_per_second"] = result.tokens_per_second();
  report["answers"] = result.answered;
  report["ok"] = result.ok;
  report["latency_ms"] = LatencyJson(result.latency);
  if (o.open_loop()) report["service_time_ms"] = LatencyJson(result.service_time);
  json::object errors;
  for (const auto& [name, count] : result.errors) errors[name] = count;
  report["errors"] = std::move(errors);
  report["reconnects"] = result.reconnects;
  report["failed_reconnects"] = result.failed_reconnects;
  if (context.last_login_updated) {
    report["last_login_updated"] = *context.last_login_updated;
    report["last_login_checked"] = context.last_login_checked;
  }
  std::string text;
  AppendReadable(text, report);
  return text + "\n";
}

std::string ProgressLine(const Progress& progress, double answers_per_second) {
  std::string line = Format("%6.1f s", progress.elapsed_seconds) + "  " + Format("%9.0f", answers_per_second) +
                     " answers/s  " + Grouped(progress.errors) + " errors  ";
  if (progress.warming_up) {
    line += "(warming up)";
  } else {
    // Nothing measured yet (the window has just begun): no p99 to show.
    line += progress.p99_ns == 0 ? std::string("p99 -") : "p99 " + Format("%.2f", Millis(progress.p99_ns)) + " ms";
  }
  return line;
}

}  // namespace keymint::load
