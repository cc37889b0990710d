// The metrics' storage and their rendering. The router's side is plain
// relaxed atomics in arrays sized from the route table at construction;
// rendering builds prometheus-cpp MetricFamily values from them and lets its
// TextSerializer write the text, so the escaping and number formats are the
// library's, not ours.
#include "keymint/api/metrics.hpp"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "api/route_table.hpp"

namespace keymint::api {
namespace {

namespace prom = prometheus;
using Counter = std::atomic<uint64_t>;

// Upper bounds of the latency buckets, in seconds: an ES256 exchange takes
// well under a millisecond, an RS256 one about a millisecond, a password
// login (its KDF, its queue) up to seconds.
constexpr std::array<double, 13> kBucketBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                  0.1,    0.25,  0.5,    1.0,   2.5,  5.0};
constexpr std::size_t kBuckets = kBucketBounds.size() + 1;  // the last one is +Inf

// Status codes 100..599 each get a counter; anything else (impossible from
// keymint's own handlers) is counted as 599 rather than dropped.
constexpr int kFirstStatus = 100;
constexpr std::size_t kStatusSlots = 500;

std::size_t StatusSlot(int status) {
  if (status < kFirstStatus || status >= kFirstStatus + static_cast<int>(kStatusSlots)) return kStatusSlots - 1;
  return static_cast<std::size_t>(status - kFirstStatus);
}

// The two token endpoints, by dialect.
constexpr std::array<std::string_view, 2> kTokenEndpoints = {"/api/v1/token", "/api/v2/token"};
constexpr std::array<std::string_view, 5> kGrantNames = {"none", "client_credentials", "app_token", "password",
                                                         "unsupported"};
// What became of a token request, from its status.
constexpr std::array<std::string_view, 6> kOutcomeNames = {"issued",    "bad_request", "unauthorized",
                                                           "throttled", "unavailable", "error"};

std::size_t OutcomeOf(int status) {
  if (status >= 200 && status < 300) return 0;
  if (status == 401) return 2;
  if (status == 429) return 3;
  if (status == 503) return 4;
  if (status >= 400 && status < 500) return 1;
  return 5;
}

std::optional<std::size_t> TokenEndpointOf(Dialect dialect) {
  if (dialect == Dialect::kV1Token) return 0;
  if (dialect == Dialect::kOAuth) return 1;
  return std::nullopt;
}

void Add(Counter& counter, uint64_t amount = 1) { counter.fetch_add(amount, std::memory_order_relaxed); }
uint64_t Read(const Counter& counter) { return counter.load(std::memory_order_relaxed); }

// One route's series. Aligned so that two routes served by two threads do
// not share a cache line.
struct alignas(64) RouteSeries {
  std::array<Counter, kBuckets> buckets{};  // not cumulative; Render sums them
  Counter sum_ns{0};
  std::array<Counter, kStatusSlots> statuses{};  // non-token routes only
};

struct Reading {
  std::string name;
  std::string help;
  prom::MetricType type;
  std::function<double()> read;
};

prom::ClientMetric::Label Label(std::string name, std::string_view value) {
  return prom::ClientMetric::Label{std::move(name), std::string(value)};
}

}  // namespace

struct Metrics::Impl {
  explicit Impl(std::string_view build_version) : version(build_version), routes(RouteTable()), series(routes.size()) {
    for (std::size_t i = 0; i < kBucketBounds.size(); ++i) {
      bounds_ns[i] = static_cast<uint64_t>(kBucketBounds[i] * 1e9);
    }
  }

  void Observe(RouteSeries& route, std::chrono::steady_clock::duration elapsed) const {
    const auto ns = static_cast<uint64_t>(
        std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
    std::size_t bucket = 0;
    while (bucket < bounds_ns.size() && ns > bounds_ns[bucket]) ++bucket;
    Add(route.buckets[bucket]);
    Add(route.sum_ns, ns);
  }

  prom::MetricFamily BuildInfo() const;
  prom::MetricFamily TokenRequests() const;
  prom::MetricFamily Durations() const;
  prom::MetricFamily ManagementRequests() const;

  const std::string version;
  const std::span<const Route> routes;
  std::vector<RouteSeries> series;  // by index in `routes`
  std::array<uint64_t, kBucketBounds.size()> bounds_ns{};
  // [endpoint][grant][outcome]
  std::array<std::array<std::array<Counter, kOutcomeNames.size()>, kGrantNames.size()>, kTokenEndpoints.size()>
      tokens{};
  std::array<Counter, kStatusSlots> unrouted{};
  std::vector<Reading> readings;
};

prom::MetricFamily Metrics::Impl::BuildInfo() const {
  prom::MetricFamily family{"keymint_build_info", "keymint's version; always 1", prom::MetricType::Gauge, {}};
  prom::ClientMetric metric;
  metric.label = {Label("version", version)};
  metric.gauge.value = 1;
  family.metric.push_back(std::move(metric));
  return family;
}

prom::MetricFamily Metrics::Impl::TokenRequests() const {
  prom::MetricFamily family{"keymint_token_requests_total",
                            "Token requests answered, by endpoint, grant type and outcome",
                            prom::MetricType::Counter,
                            {}};
  for (std::size_t e = 0; e < kTokenEndpoints.size(); ++e) {
    for (std::size_t g = 0; g < kGrantNames.size(); ++g) {
      for (std::size_t o = 0; o < kOutcomeNames.size(); ++o) {
        prom::ClientMetric metric;
        metric.label = {Label("endpoint", kTokenEndpoints[e]), Label("grant", kGrantNames[g]),
                        Label("outcome", kOutcomeNames[o])};
        metric.counter.value = static_cast<double>(Read(tokens[e][g][o]));
        family.metric.push_back(std::move(metric));
      }
    }
  }
  return family;
}

prom::MetricFamily Metrics::Impl::Durations() const {
  prom::MetricFamily family{"keymint_request_duration_seconds",
                            "Time from dispatch to answer, by route (the token routes always, others once used)",
                            prom::MetricType::Histogram,
                            {}};
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const RouteSeries& route = series[r];
    prom::ClientMetric metric;
    uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
      cumulative += Read(route.buckets[b]);
      const double bound = b < kBucketBounds.size() ? kBucketBounds[b] : std::numeric_limits<double>::infinity();
      metric.histogram.bucket.push_back({cumulative, bound});
    }
    if (cumulative == 0 && !TokenEndpointOf(routes[r].dialect)) continue;
    metric.label = {Label("method", routes[r].method), Label("route", routes[r].path)};
    metric.histogram.sample_count = cumulative;
    metric.histogram.sample_sum = static_cast<double>(Read(route.sum_ns)) / 1e9;
    family.metric.push_back(std::move(metric));
  }
  return family;
}

prom::MetricFamily Metrics::Impl::ManagementRequests() const {
  prom::MetricFamily family{"keymint_management_requests_total",
                            "Requests other than token requests, by route template and status "
                            "(route=\"unmatched\": no route matched the path and method)",
                            prom::MetricType::Counter,
                            {}};
  auto add = [&family](std::string_view method, std::string_view route, const std::array<Counter, kStatusSlots>& by) {
    for (std::size_t s = 0; s < kStatusSlots; ++s) {
      const uint64_t count = Read(by[s]);
      if (count == 0) continue;
      prom::ClientMetric metric;
      metric.label = {Label("method", method), Label("route", route),
                      Label("status", std::to_string(kFirstStatus + static_cast<int>(s)))};
      metric.counter.value = static_cast<double>(count);
      family.metric.push_back(std::move(metric));
    }
  };
  for (std::size_t r = 0; r < routes.size(); ++r) {
    if (!TokenEndpointOf(routes[r].dialect)) add(routes[r].method, routes[r].path, series[r].statuses);
  }
  add("any", "unmatched", unrouted);
  return family;
}

Metrics::Metrics(std::string_view version) : impl_(std::make_unique<Impl>(version)) {}

Metrics::~Metrics() = default;

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  impl_->readings.push_back({std::move(name), std::move(help), prom::MetricType::Gauge, std::move(read)});
}

void Metrics::AddCounter(std::string name, std::string help, std::function<double()> read) {
  impl_->readings.push_back({std::move(name), std::move(help), prom::MetricType::Counter, std::move(read)});
}

void Metrics::ObserveRoute(const Route& route, TokenGrant grant, int status,
                           std::chrono::steady_clock::duration elapsed) {
  const auto index = static_cast<std::size_t>(&route - impl_->routes.data());
  if (index >= impl_->series.size()) return;  // not a row of the route table
  RouteSeries& series = impl_->series[index];
  impl_->Observe(series, elapsed);
  if (const auto endpoint = TokenEndpointOf(route.dialect)) {
    Add(impl_->tokens[*endpoint][static_cast<std::size_t>(grant)][OutcomeOf(status)]);
  } else {
    Add(series.statuses[StatusSlot(status)]);
  }
}

void Metrics::ObserveUnrouted(int status) { Add(impl_->unrouted[StatusSlot(status)]); }

std::string Metrics::Render() const {
  std::vector<prom::MetricFamily> families;
  families.reserve(4 + impl_->readings.size());
  families.push_back(impl_->BuildInfo());
  families.push_back(impl_->TokenRequests());
  families.push_back(impl_->Durations());
  families.push_back(impl_->ManagementRequests());
  for (const Reading& reading : impl_->readings) {
    prom::ClientMetric metric;
    const double value = reading.read();
    if (reading.type == prom::MetricType::Counter) {
      metric.counter.value = value;
    } else {
      metric.gauge.value = value;
    }
    families.push_back({reading.name, reading.help, reading.type, {std::move(metric)}});
  }
  return prom::TextSerializer().Serialize(families);
}

}  // namespace keymint::api
