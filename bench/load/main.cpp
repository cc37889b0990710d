// keymint-bench: a load generator for OAuth 2.0 client-credentials token
// endpoints, keymint's and any other server's. See --help and the README's
// "Load testing" section.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "load/credentials.hpp"
#include "load/keymint_admin.hpp"
#include "load/load_run.hpp"
#include "load/options.hpp"
#include "load/report.hpp"
#include "load/tls.hpp"
#include "load/token_requests.hpp"

namespace {

using namespace keymint::load;

constexpr int kExitErrors = 1;
constexpr int kExitUsage = 2;

int Fail(const std::string& message) {
  std::fprintf(stderr, "keymint-bench: %s\n", message.c_str());
  return kExitUsage;
}

RunSettings SettingsFrom(const Options& o) {
  RunSettings settings;
  settings.host = o.host;
  settings.port = o.port;
  settings.connections = o.connections;
  settings.threads = o.threads;
  settings.rate = o.rate;
  settings.arrivals = o.arrivals;
  settings.seed = o.seed != 0 ? o.seed : std::random_device{}();
  const auto seconds = [](double s) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
  };
  settings.warmup = seconds(o.warmup_s);
  settings.duration = seconds(o.duration_s);
  settings.timeout = seconds(o.timeout_s);
  settings.token_member = std::string(TokenMember(o.mode));
  return settings;
}

int Run(const Options& o) {
  RunSettings settings = SettingsFrom(o);
  if (o.tls) {
    auto tls = MakeClientTlsContext(o.cacert, o.insecure);
    if (!tls) return Fail(tls.error().message);
    settings.tls = std::move(tls).value();
  }
  settings.new_connection = o.new_connection;
  settings.busy_poll = o.busy_poll;

  std::vector<Credential> credentials;
  if (!o.credentials_file.empty()) {
    auto read = ReadCredentialsFile(o.credentials_file);
    if (!read) return Fail(read.error().message);
    credentials = std::move(read).value();
  } else {
    auto admin = KeymintAdmin::LogIn(o);
    if (!admin) return Fail(admin.error().message);
    auto made = admin->Create(o.create, o.create_kind);
    if (!made) return Fail(made.error().message);
    credentials = std::move(made).value();
  }

  const bool show_progress =
      o.progress == Options::Progress::kOn || (o.progress == Options::Progress::kAuto && isatty(STDERR_FILENO));
  uint64_t last_answers = 0;
  double last_elapsed = 0;
  const auto progress = [&](const Progress& p) {
    const double rate =
        static_cast<double>(p.answers - last_answers) / std::max(1e-9, p.elapsed_seconds - last_elapsed);
    last_answers = p.answers;
    last_elapsed = p.elapsed_seconds;
    std::fprintf(stderr, "\r%s\x1b[K", ProgressLine(p, rate).c_str());
    std::fflush(stderr);
  };

  const std::string started = Rfc3339Now();
  auto result = RunLoad(settings, BuildTokenRequests(o, credentials),
                        show_progress ? std::function<void(const Progress&)>(progress) : nullptr);
  if (show_progress) std::fputs("\r\x1b[K", stderr);

  ReportContext context{o, credentials.size(), std::nullopt, 0};
  int exit_code = 0;
  if (o.create > 0 || o.check_last_login > 0) {
    // A fresh login: the first token may have expired during a long run.
    auto admin = KeymintAdmin::LogIn(o);
    if (!admin) {
      std::fprintf(stderr, "keymint-bench: cannot log in again to check and clean up: %s\n",
                   admin.error().message.c_str());
      exit_code = kExitUsage;
    } else {
      // Every credential was used once the run sent at least one request per credential.
      const std::size_t check_count =
          o.create > 0 ? credentials.size()
                       : std::min<std::size_t>(credentials.size(), static_cast<std::size_t>(o.check_last_login));
      const std::vector<Credential> checked(credentials.begin(),
                                            credentials.begin() + static_cast<std::ptrdiff_t>(check_count));
      context.last_login_checked = checked.size();
      if (result && result->latency.count() >= credentials.size()) {
        auto updated = admin->CountLoggedInSince(checked, o.create_kind, started);
        if (updated) {
          context.last_login_updated = *updated;
          if (*updated < checked.size()) {
            std::fprintf(stderr, "keymint-bench: only %zu of %zu credentials show a lastLogin from this run\n",
                         *updated, checked.size());
            exit_code = kExitErrors;
          }
        } else {
          std::fprintf(stderr, "keymint-bench: cannot read lastLogin: %s\n", updated.error().message.c_str());
        }
      }
      if (o.create == 0) {
        // Not ours to delete.
      } else if (!o.keep_created_file.empty()) {
        if (auto written = WriteCredentialsFile(o.keep_created_file, credentials); !written.ok()) {
          std::fprintf(stderr, "keymint-bench: %s\n", written.error().message.c_str());
          exit_code = kExitUsage;
        }
      } else if (auto deleted = admin->Delete(credentials, o.create_kind); !deleted.ok()) {
        std::fprintf(stderr, "keymint-bench: cleaning up: %s\n", deleted.error().message.c_str());
      }
    }
  }
  if (!result) return Fail(result.error().message);

  const std::string report = o.json ? JsonReport(context, *result) : TextReport(context, *result);
  std::fputs(report.c_str(), stdout);
  std::fflush(stdout);
  if (result->error_count() > 0 && !o.allow_errors) {
    std::fprintf(stderr, "keymint-bench: %llu measured requests did not get a 200 with a token\n",
                 static_cast<unsigned long long>(result->error_count()));
    exit_code = std::max(exit_code, kExitErrors);
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const char* env_password = std::getenv("KEYMINT_BENCH_ADMIN_PASSWORD");
  auto command = ParseCommandLine(args, env_password != nullptr ? env_password : "");
  if (!command) return Fail(command.error().message);
  if (command->help) {
    std::fwrite(HelpText().data(), 1, HelpText().size(), stdout);
    return 0;
  }
  return Run(command->options);
}
