#include "load/report.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

namespace keymint::load {
namespace {

namespace json = boost::json;

RunResult SampleResult() {
  RunResult result;
  for (uint64_t ms = 1; ms <= 100; ++ms) result.latency.Record(ms * 1'000'000);
  result.service_time = result.latency;
  result.ok = 98;
  result.errors = {{"401", 1}, {"timeout", 1}};
  result.measured_seconds = 2;
  return result;
}

Options SampleOptions(bool open_loop) {
  Options o;
  o.host = "127.0.0.1";
  o.port = "9000";
  o.connections = 8;
  if (open_loop) o.rate = 50;
  return o;
}

TEST_CASE("the JSON report has the figures scripts read", "[load]") {
  const Options o = SampleOptions(true);
  const json::object report = json::parse(JsonReport({o, 20, std::size_t{20}, 20}, SampleResult())).as_object();
  CHECK(report.at("mode").as_string() == "v2-basic");
  CHECK(report.at("url").as_string() == "http://127.0.0.1:9000/api/v2/token");
  CHECK(report.at("loop").as_string() == "open");
  CHECK(report.at("offered_rate").to_number<double>() == 50);
  CHECK(report.at("tokens_per_second").to_number<double>() == 49);
  CHECK(report.at("answers").as_int64() == 100);
  CHECK(report.at("ok").as_int64() == 98);
  const json::object& latency = report.at("latency_ms").as_object();
  CHECK(latency.at("p50").to_number<double>() == Approx(50).epsilon(1.0 / 64));
  CHECK(latency.at("p99").to_number<double>() == Approx(99).epsilon(1.0 / 64));
  CHECK(latency.at("max").to_number<double>() == 100);
  CHECK(latency.contains("p90"));
  CHECK(latency.contains("p99_9"));
  CHECK(report.contains("service_time_ms"));
  CHECK(report.at("errors").as_object().at("401").as_int64() == 1);
  CHECK(report.at("errors").as_object().at("timeout").as_int64() == 1);
  CHECK(report.at("last_login_updated").as_int64() == 20);
}

TEST_CASE("the text report says what ran and what went wrong", "[load]") {
  const std::string closed = TextReport({SampleOptions(false), 1234, std::nullopt, 0}, SampleResult());
  CHECK(closed.find("closed loop") != std::string::npos);
  CHECK(closed.find("1,234 credentials") != std::string::npos);
  CHECK(closed.find("tokens/s      49.0") != std::string::npos);
  CHECK(closed.find("401: 1, timeout: 1") != std::string::npos);
  CHECK(closed.find("service") == std::string::npos);
  CHECK(closed.find("lastLogin") == std::string::npos);

  RunResult clean = SampleResult();
  clean.errors.clear();
  const std::string open = TextReport({SampleOptions(true), 1, std::nullopt, 0}, clean);
  CHECK(open.find("open loop at 50/s (poisson)") != std::string::npos);
  CHECK(open.find("service (ms)") != std::string::npos);
  CHECK(open.find("errors        none") != std::string::npos);
}

TEST_CASE("the progress line shows the rate, errors and p99", "[load]") {
  CHECK(ProgressLine({3.0, false, 900, 2, 3'100'000}, 300) == "   3.0 s        300 answers/s  2 errors  p99 3.10 ms");
  CHECK(ProgressLine({1.0, true, 10, 0, 0}, 10).find("warming up") != std::string::npos);
}

}  // namespace
}  // namespace keymint::load
