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
  result.answered = 100;
  result.ok = 98;
  result.ok_within_window = 98;
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
  // The window has begun but nothing in it was answered yet: no p99 of 0.00 ms.
  CHECK(ProgressLine({2.0, false, 10, 0, 0}, 10).find("p99 -") != std::string::npos);
}

TEST_CASE("tokens/s is what was answered within the window, not what was offered", "[load]") {
  // An open loop offered 50/s for 2 s (100 requests) to a server that answered
  // 40 of them within the window and the rest afterwards, from the queue.
  RunResult behind = SampleResult();
  behind.errors.clear();
  behind.ok = 100;
  behind.ok_within_window = 40;
  behind.scheduled = 100;
  behind.waiting_at_close = 55;
  CHECK(behind.tokens_per_second() == 20);
  CHECK(behind.fell_behind());
  const Options o = SampleOptions(true);
  const std::string text = TextReport({o, 1, std::nullopt, 0}, behind);
  CHECK(text.find("tokens/s      20.0") != std::string::npos);
  CHECK(text.find("55 of the window's 100 requests were still waiting") != std::string::npos);
  const json::object report = json::parse(JsonReport({o, 1, std::nullopt, 0}, behind)).as_object();
  CHECK(report.at("fell_behind").as_bool());
  CHECK(report.at("waiting_at_close").as_int64() == 55);
  CHECK(report.at("scheduled").as_int64() == 100);

  // A queue of 1% or less at the close, or no more than one request per
  // connection, is a schedule's ordinary burst, not falling behind.
  behind.waiting_at_close = 0;
  CHECK_FALSE(behind.fell_behind());
  behind.scheduled = 10'000;
  behind.waiting_at_close = 100;
  CHECK_FALSE(behind.fell_behind());
  behind.waiting_at_close = 101;
  CHECK(behind.fell_behind());
  behind.scheduled = 100;
  behind.connections = 4;
  behind.waiting_at_close = 4;
  CHECK_FALSE(behind.fell_behind());
  behind.waiting_at_close = 5;
  CHECK(behind.fell_behind());
  behind.waiting_at_close = 0;
  CHECK(TextReport({o, 1, std::nullopt, 0}, behind).find("behind") == std::string::npos);
}

TEST_CASE("an interrupted run says so and is measured up to the interruption", "[load]") {
  RunResult cut = SampleResult();
  cut.interrupted = true;
  cut.measured_seconds = 0.5;
  const Options o = SampleOptions(false);
  CHECK(TextReport({o, 1, std::nullopt, 0}, cut).find("interrupted   after 0.5 s") != std::string::npos);
  const json::object report = json::parse(JsonReport({o, 1, std::nullopt, 0}, cut)).as_object();
  CHECK(report.at("interrupted").as_bool());
  CHECK(report.at("measured_seconds").to_number<double>() == 0.5);
  CHECK(report.at("tokens_per_second").to_number<double>() == 196);
}

// The JSON text outside its strings and literals: its numbers and punctuation.
std::string NumbersAndPunctuation(const std::string& json_text) {
  std::string outside;
  bool in_string = false;
  for (const char c : json_text) {
    if (c == '"') in_string = !in_string;  // the report's strings hold no escaped quotes
    if (!in_string && c != '"') outside += c;
  }
  for (const std::string literal : {"true", "false", "null"}) {
    for (std::size_t at = outside.find(literal); at != std::string::npos; at = outside.find(literal)) {
      outside.erase(at, literal.size());
    }
  }
  return outside;
}

TEST_CASE("the reports write numbers as people do, never in exponent notation", "[load]") {
  Options o = SampleOptions(true);
  o.rate = 0.4;
  const std::string text = JsonReport({o, 1, std::nullopt, 0}, SampleResult());
  CHECK(text.find("\"offered_rate\":0.4,") != std::string::npos);
  CHECK(text.find("\"tokens_per_second\":49,") != std::string::npos);
  CHECK(text.find("\"max\":100,") != std::string::npos);
  CHECK(NumbersAndPunctuation(text).find_first_of("eE") == std::string::npos);
  CHECK(json::parse(text).as_object().at("offered_rate").as_double() == 0.4);
  CHECK(TextReport({o, 1, std::nullopt, 0}, SampleResult()).find("open loop at 0.4/s") != std::string::npos);

  RunResult fast = SampleResult();
  fast.ok_within_window = 600'000;  // 300,000 tokens/s over the 2 s
  for (const double rate : {100'000.0, 1'234'567.0}) {
    INFO("rate " << rate);
    o.rate = rate;
    const std::string json_text = JsonReport({o, 1, std::nullopt, 0}, fast);
    CHECK(json::parse(json_text).as_object().at("offered_rate").to_number<double>() == rate);
    CHECK(NumbersAndPunctuation(json_text).find_first_of("eE") == std::string::npos);
    CHECK(json_text.find("\"tokens_per_second\":300000,") != std::string::npos);
  }
  CHECK(TextReport({o, 1, std::nullopt, 0}, fast).find("open loop at 1234567/s") != std::string::npos);
  o.warmup_s = 0.25;
  o.duration_s = 1'000'000;  // %g wrote 1e+06
  const std::string header = TextReport({o, 1, std::nullopt, 0}, fast);
  CHECK(header.find("0.25 s warm-up, 1000000 s measured") != std::string::npos);
}

}  // namespace
}  // namespace keymint::load
