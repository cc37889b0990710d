#include "load/report.hpp"

#include <boost/json.hpp>
#include <cstdio>

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

}  // namespace

std::string TextReport(const ReportContext& context, const RunResult& result) {
  const Options& o = context.options;
  std::string text = "keymint-bench: " + std::string(ModeName(o.mode)) + ", POST " + (o.tls ? "https://" : "http://") +
                     o.host + ":" + o.port + o.TokenPath() + "\n";
  text += "  " + std::to_string(o.connections) + " connections" + (o.new_connection ? " (a new one per request)" : "") +
          ", " + std::to_string(o.threads) + " thread" + (o.threads == 1 ? "" : "s") + ", " +
          Grouped(context.credentials) + " credentials, ";
  text += o.open_loop() ? "open loop at " + Format("%.0f", o.rate) + "/s (" + ArrivalsName(o.arrivals) + ")"
                        : std::string("closed loop");
  text += ", " + Format("%g", o.warmup_s) + " s warm-up, " + Format("%g", o.duration_s) + " s measured\n";
  text += "  tokens/s      " + Format("%.1f", result.tokens_per_second()) + "\n";
  text += "  latency (ms)  " + LatencyLine(result.latency) + (o.open_loop() ? "  (from scheduled send)" : "") + "\n";
  if (o.open_loop()) text += "  service (ms)  " + LatencyLine(result.service_time) + "  (from actual send)\n";
  text += "  answers       " + Grouped(result.latency.count()) + " (" + Grouped(result.ok) + " ok)\n";
  std::string errors;
  for (const auto& [name, count] : result.errors) errors += (errors.empty() ? "" : ", ") + name + ": " + Grouped(count);
  text += "  errors        " + (errors.empty() ? std::string("none") : errors) + "\n";
  if (result.reconnects > 0) text += "  reconnects    " + Grouped(result.reconnects) + "\n";
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
  report["url"] = (o.tls ? "https://" : "http://") + o.host + ":" + o.port + o.TokenPath();
  report["connections"] = o.connections;
  if (o.new_connection) report["new_connection_per_request"] = true;
  report["threads"] = o.threads;
  report["credentials"] = context.credentials;
  report["loop"] = o.open_loop() ? "open" : "closed";
  if (o.open_loop()) {
    report["offered_rate"] = o.rate;
    report["arrivals"] = ArrivalsName(o.arrivals);
  }
  report["warmup_seconds"] = o.warmup_s;
  report["duration_seconds"] = o.duration_s;
  report["tokens_per_second"] = result.tokens_per_second();
  report["answers"] = result.latency.count();
  report["ok"] = result.ok;
  report["latency_ms"] = LatencyJson(result.latency);
  if (o.open_loop()) report["service_time_ms"] = LatencyJson(result.service_time);
  json::object errors;
  for (const auto& [name, count] : result.errors) errors[name] = count;
  report["errors"] = std::move(errors);
  report["reconnects"] = result.reconnects;
  if (context.last_login_updated) {
    report["last_login_updated"] = *context.last_login_updated;
    report["last_login_checked"] = context.last_login_checked;
  }
  return json::serialize(report) + "\n";
}

std::string ProgressLine(const Progress& progress, double answers_per_second) {
  std::string line = Format("%6.1f s", progress.elapsed_seconds) + "  " + Format("%9.0f", answers_per_second) +
                     " answers/s  " + Grouped(progress.errors) + " errors  ";
  line += progress.warming_up ? std::string("(warming up)") : "p99 " + Format("%.2f", Millis(progress.p99_ns)) + " ms";
  return line;
}

}  // namespace keymint::load
