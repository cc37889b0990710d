#include "load/options.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <charconv>
#include <cmath>
#include <limits>

namespace keymint::load {

namespace {

constexpr std::string_view kHelp = R"(keymint-bench: load generator for OAuth 2.0 client-credentials token endpoints

usage: keymint-bench --url URL (--credentials FILE | --create N --admin-email EMAIL) [options]

What to send
  --url URL             keymint's base URL, http[s]://HOST:PORT[/PREFIX] (the mode adds
                        /api/v1/token or /api/v2/token), or with --mode form the token
                        endpoint's own URL. An IPv6 host goes in brackets: http://[::1]:8080
  --cacert FILE         https: verify the server against this PEM certificate (default:
                        the system's CAs)
  --insecure            https: do not verify the server
  --mode MODE           v1        POST /api/v1/token, JSON {"grantType","clientId","clientSecret"}
                        v2-basic  POST /api/v2/token, grant_type=client_credentials,
                                  credentials in HTTP Basic (the default)
                        v2-post   POST /api/v2/token, credentials in the form body
                        form      POST --form's body with HTTP Basic credentials to --url:
                                  drives any OAuth 2.0 server
  --form BODY           the form body in form mode (default grant_type=client_credentials)

Credentials (requests go round-robin over them)
  --credentials FILE    one "clientId,secret" per line; blank lines and lines starting
                        with '#' are skipped, spaces around the fields dropped
  --create N            create N credentials through keymint's API before the run and
                        delete them after it
  --create-kind KIND    access-key (default; keymint allows 20 per user) or service-account
  --admin-email EMAIL   the user who creates them (password grant); the password comes
                        from --admin-password or $KEYMINT_BENCH_ADMIN_PASSWORD
  --keep-created FILE   keep the created credentials and write them to FILE
  --check-last-login N  with --credentials: afterwards, look up the first N access keys
                        that got a token in the run, as --admin-email (administration
                        API), and check that each shows a lastLogin from this run
                        (--create checks every key it made that got a token)

Load
  -c, --connections N   keep-alive connections (default 16)
  --new-connection      a fresh connection per request (for https a full TLS handshake,
                        no resumption): a client that never reuses connections
  -t, --threads N       client I/O threads; connections and rate are split among them
                        (default 1)
  --rate R              open loop: offer R requests/s on a schedule fixed in advance and
                        measure each latency from the request's scheduled time, so a slow
                        answer is charged to every request it held up (no coordinated
                        omission). Without --rate: closed loop, each connection sends its
                        next request as soon as the previous answer arrives (maximum
                        throughput).
  --arrivals KIND       open-loop gaps: poisson (default) or uniform
  -d, --duration S      seconds measured (default 10)
  --warmup S            seconds of load before measuring (default 2)
  --timeout S           a request unanswered this long after its send is an error, and
                        a connect (TLS handshake included) not made in this long fails
                        (default 10); the run ends at most this long after the window.
                        Each call to keymint's API (--create, the lastLogin check) must
                        be answered within it too
  --seed N              seed of the Poisson schedule (default 0: drawn at random)
  --busy-poll           client threads spin on their sockets instead of sleeping, so a
                        server on the same machine never pays to wake them on another
                        core (on a virtual machine a cross-core wake-up is a hypervisor
                        exit); give each client thread a core of its own (taskset)

Output
  tokens/s counts the tokens that arrived within the window. Latency is over the
  requests that started in it; one given up (timed out or never sent) counts at its
  age then. An open loop that ends its window with over 1% of its requests, and over
  one per connection, still waiting for a connection "fell behind" the offered rate,
  and says so.
  --json                print the report as one JSON object on stdout
  --progress WHEN       auto (default: when stderr is a terminal), on or off: a live line
                        with the rate, errors and p99 so far
  --allow-errors        exit 0 even if some answers were not 200 or the loop fell behind

Exit status: 0 when every measured answer was a 200 with an access token; 1 when any
was not (or timed out, or was never sent), when an open loop fell behind, when nothing
was measured, or when the lastLogin check failed; 2 on a usage or set-up error (a
server it cannot connect to before the run). Stopped by Ctrl-C or SIGTERM, it reports
the window so far, deletes what --create made and ends by that signal (a shell shows
130 or 143, and a shell loop stops).

Example: keymint-bench --url http://127.0.0.1:8080 --create 20 --admin-email admin@keymint.local \
           --mode v2-basic -c 32 --rate 2000 -d 30
)";

bool ParseInt(std::string_view text, int min, int max, int& out) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) return false;
  out = value;
  return true;
}

bool ParseSeconds(std::string_view text, double min, double& out) {
  // std::from_chars for double is in GCC 12's library.
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < min || value > 1e7) {
    return false;
  }
  out = value;
  return true;
}

Error Usage(std::string message) { return Error::InvalidArgument(std::move(message)); }

Status ParseUrl(std::string_view text, Options& options) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return Usage("--url: not a URL: " + std::string(text));
  const boost::urls::url_view& url = *parsed;
  if (url.scheme() != "http" && url.scheme() != "https") {
    return Usage("--url: only http:// and https:// are supported, not " + std::string(url.scheme()));
  }
  options.tls = url.scheme() == "https";
  if (url.host().empty()) return Usage("--url: no host in " + std::string(text));
  if (url.has_userinfo()) return Usage("--url: credentials go in --credentials, not in the URL");
  if (url.has_query() || url.has_fragment()) return Usage("--url: no query or fragment, please");
  int port = options.tls ? 443 : 80;
  if (url.has_port() && !ParseInt(url.port(), 1, 65535, port)) {
    return Usage("--url: the port must be a number from 1 to 65535, not \"" + std::string(url.port()) + "\"");
  }
  options.url = std::string(text);
  options.host = url.host_address();  // an IPv6 literal without its brackets, for the resolver
  options.port = std::to_string(port);
  options.path = std::string(url.encoded_path());
  return {};
}

// The flags that take no value.
bool SetSwitch(std::string_view flag, Options& o) {
  if (flag == "--json") {
    o.json = true;
  } else if (flag == "--allow-errors") {
    o.allow_errors = true;
  } else if (flag == "--insecure") {
    o.insecure = true;
  } else if (flag == "--new-connection") {
    o.new_connection = true;
  } else if (flag == "--busy-poll") {
    o.busy_poll = true;
  } else {
    return false;
  }
  return true;
}

// Combinations that parse but would not do what was asked: refused rather
// than silently ignored.
Status CheckCombination(const Options& o, const std::vector<std::string>& given) {
  const auto was_given = [&given](std::string_view flag) {
    return std::find(given.begin(), given.end(), flag) != given.end();
  };
  if (was_given("--form") && o.mode != Mode::kForm) return Usage("--form goes with --mode form");
  for (std::string_view flag : {"--arrivals", "--seed"}) {
    if (was_given(flag) && !o.open_loop()) return Usage(std::string(flag) + " goes with --rate (the open loop)");
  }
  if (was_given("--seed") && o.arrivals != ArrivalProcess::kPoisson) {
    return Usage("--seed seeds Poisson arrivals; uniform ones have no randomness");
  }
  if (was_given("--create-kind") && o.create == 0) return Usage("--create-kind goes with --create");
  if (o.create == 0 && o.check_last_login == 0) {
    for (std::string_view flag : {"--admin-email", "--admin-password"}) {
      if (was_given(flag)) return Usage(std::string(flag) + " goes with --create or --check-last-login");
    }
  }
  if (o.mode != Mode::kForm) {
    std::string_view path = o.path;
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    for (std::string_view endpoint : {"/api/v1/token", "/api/v2/token"}) {
      if (path.size() >= endpoint.size() && path.substr(path.size() - endpoint.size()) == endpoint) {
        return Usage("--url: give keymint's base URL; --mode " + std::string(ModeName(o.mode)) + " adds " +
                     std::string(o.mode == Mode::kV1 ? "/api/v1/token" : "/api/v2/token") +
                     " (or use --mode form for a token endpoint's own URL)");
      }
    }
  }
  return {};
}

}  // namespace

std::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kV1:
      return "v1";
    case Mode::kV2Basic:
      return "v2-basic";
    case Mode::kV2Post:
      return "v2-post";
    case Mode::kForm:
      return "form";
  }
  return "?";
}

std::string Options::ApiPath(std::string_view api_path) const {
  std::string_view prefix = path;
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  return std::string(prefix) + std::string(api_path);
}

std::string Options::TokenPath() const {
  if (mode == Mode::kForm) return path.empty() ? "/" : path;
  return ApiPath(mode == Mode::kV1 ? "/api/v1/token" : "/api/v2/token");
}

std::string JoinHostPort(std::string_view host, std::string_view port) {
  // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) on
  // "[" + std::string(host).
  const bool ipv6 = host.find(':') != std::string_view::npos;
  std::string joined;
  joined.reserve(host.size() + port.size() + 3);
  if (ipv6) joined += '[';
  joined += host;
  if (ipv6) joined += ']';
  joined += ':';
  joined += port;
  return joined;
}

std::string Options::Authority() const {
  const std::string joined = JoinHostPort(host, port);
  const bool default_port = port == (tls ? "443" : "80");
  return default_port ? joined.substr(0, joined.size() - port.size() - 1) : joined;
}

std::string Options::TokenUrl() const { return (tls ? "https://" : "http://") + Authority() + TokenPath(); }

std::string_view HelpText() { return kHelp; }

Result<Command> ParseCommandLine(const std::vector<std::string>& args, std::string_view env_password) {
  Command command;
  Options& o = command.options;
  bool seen_url = false;
  std::vector<std::string> given;  // the flags with a value
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag == "-h" || flag == "--help") {
      command.help = true;
      return command;
    }
    if (SetSwitch(flag, o)) continue;
    // --flag=VALUE as well as --flag VALUE.
    std::string value;
    if (const std::size_t equals = flag.find('='); flag.rfind("--", 0) == 0 && equals != std::string::npos) {
      value = flag.substr(equals + 1);
      flag.resize(equals);
      if (SetSwitch(flag, o)) return Usage(flag + " takes no value");
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Usage(flag + ": unknown flag or missing value (see --help)");
    }
    const auto bad = [&](std::string_view expected) { return Usage(flag + ": expected " + std::string(expected)); };
    if (flag == "--url") {
      RETURN_IF_ERROR(ParseUrl(value, o));
      seen_url = true;
    } else if (flag == "--mode") {
      if (value == "v1") {
        o.mode = Mode::kV1;
      } else if (value == "v2-basic") {
        o.mode = Mode::kV2Basic;
      } else if (value == "v2-post") {
        o.mode = Mode::kV2Post;
      } else if (value == "form") {
        o.mode = Mode::kForm;
      } else {
        return bad("v1, v2-basic, v2-post or form");
      }
    } else if (flag == "--cacert") {
      o.cacert = value;
    } else if (flag == "--form") {
      o.form = value;
    } else if (flag == "--credentials") {
      o.credentials_file = value;
    } else if (flag == "--create") {
      if (!ParseInt(value, 1, 1'000'000, o.create)) return bad("a count from 1 to 1000000");
    } else if (flag == "--create-kind") {
      if (value == "access-key") {
        o.create_kind = CreateKind::kAccessKey;
      } else if (value == "service-account") {
        o.create_kind = CreateKind::kServiceAccount;
      } else {
        return bad("access-key or service-account");
      }
    } else if (flag == "--admin-email") {
      o.admin_email = value;
    } else if (flag == "--admin-password") {
      o.admin_password = value;
    } else if (flag == "--keep-created") {
      o.keep_created_file = value;
    } else if (flag == "--check-last-login") {
      if (!ParseInt(value, 1, 1'000'000, o.check_last_login)) return bad("a count from 1 to 1000000");
    } else if (flag == "-c" || flag == "--connections") {
      if (!ParseInt(value, 1, 100'000, o.connections)) return bad("a count from 1 to 100000");
    } else if (flag == "-t" || flag == "--threads") {
      if (!ParseInt(value, 1, 256, o.threads)) return bad("a count from 1 to 256");
    } else if (flag == "--rate") {
      if (!ParseSeconds(value, 0, o.rate) || o.rate <= 0) return bad("requests per second, above 0 (at most 1e7)");
    } else if (flag == "--arrivals") {
      if (value == "poisson") {
        o.arrivals = ArrivalProcess::kPoisson;
      } else if (value == "uniform") {
        o.arrivals = ArrivalProcess::kUniform;
      } else {
        return bad("poisson or uniform");
      }
    } else if (flag == "-d" || flag == "--duration") {
      if (!ParseSeconds(value, 0, o.duration_s) || o.duration_s <= 0) return bad("seconds, above 0 (at most 1e7)");
    } else if (flag == "--warmup") {
      if (!ParseSeconds(value, 0, o.warmup_s)) return bad("seconds, 0 or more (at most 1e7)");
    } else if (flag == "--timeout") {
      if (!ParseSeconds(value, 0, o.timeout_s) || o.timeout_s <= 0) return bad("seconds, above 0 (at most 1e7)");
    } else if (flag == "--seed") {
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), o.seed);
      if (ec != std::errc() || end != value.data() + value.size()) return bad("a non-negative integer");
    } else if (flag == "--progress") {
      if (value == "auto") {
        o.progress = Options::Progress::kAuto;
      } else if (value == "on") {
        o.progress = Options::Progress::kOn;
      } else if (value == "off") {
        o.progress = Options::Progress::kOff;
      } else {
        return bad("auto, on or off");
      }
    } else {
      return Usage(flag + ": unknown flag (see --help)");
    }
    given.push_back(flag);
  }

  if (!seen_url) return Usage("--url is required (see --help)");
  if (o.credentials_file.empty() == (o.create == 0)) {
    return Usage("give exactly one of --credentials FILE and --create N");
  }
  if (o.create > 0 && o.check_last_login > 0) return Usage("--check-last-login goes with --credentials");
  if (o.create == 0 && !o.keep_created_file.empty()) return Usage("--keep-created only goes with --create");
  if (o.create > 0 || o.check_last_login > 0) {
    const std::string flag = o.create > 0 ? "--create" : "--check-last-login";
    if (o.mode == Mode::kForm) return Usage(flag + " talks to keymint's API; not with --mode form");
    if (o.admin_email.empty()) return Usage(flag + " needs --admin-email");
    if (o.admin_password.empty()) o.admin_password = std::string(env_password);
    if (o.admin_password.empty()) {
      return Usage(flag + " needs the admin's password: --admin-password or $KEYMINT_BENCH_ADMIN_PASSWORD");
    }
  }
  if (o.threads > o.connections) return Usage("--threads cannot exceed --connections");
  if (!o.tls && (o.insecure || !o.cacert.empty())) return Usage("--cacert and --insecure go with an https:// --url");
  if (o.insecure && !o.cacert.empty()) return Usage("give at most one of --cacert and --insecure");
  RETURN_IF_ERROR(CheckCombination(o, given));
  return command;
}

}  // namespace keymint::load
