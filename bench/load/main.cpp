// keymint-bench: a load generator for OAuth 2.0 client-credentials token
// endpoints, keymint's and any other server's. See --help and the README's
// "Load testing" section.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <thread>
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
constexpr int kExitInterrupted = 130;  // what a shell shows for SIGINT; see DieOf

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

// Set by the first SIGINT or SIGTERM: the run stops, reports what it
// measured and deletes the credentials it created. A second one ends the
// process at once.
std::atomic<bool> g_stop_requested{false};
std::atomic<int> g_stop_signal{0};  // which of the two it was

// Ends the process by `signal_number` itself, as if it had never been
// caught: a shell running keymint-bench in a loop sees the command was
// interrupted and stops too, which an ordinary exit status (even 130) does
// not tell it.
[[noreturn]] void DieOf(int signal_number) {
  std::signal(signal_number, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, signal_number);
  pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
  raise(signal_number);  // sent to this thread, where it is now unblocked: the default action ends the process
  std::_Exit(kExitInterrupted);
}

// The two signals are blocked in every thread but one that waits for them
// (sigwait), so none interrupts a system call: a blocking read of an admin
// call cut by EINTR would lose the id of a key the server had just created.
// Call before any other thread starts (they inherit the mask).
void WatchStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::thread([stop_signals] {
    int received = 0;
    sigwait(&stop_signals, &received);
    g_stop_signal.store(received);
    g_stop_requested.store(true);
    std::fputs("\nkeymint-bench: stopping (again to quit at once, leaving what it created)\n", stderr);
    sigwait(&stop_signals, &received);
    DieOf(received);
  }).detach();
}

void Warn(const std::string& message) { std::fprintf(stderr, "keymint-bench: %s\n", message.c_str()); }

// The credentials whose lastLogin is checked after the run: those that got a
// token in it (a token exchange is what updates lastLogin), all of them with
// --create, the first N with --check-last-login N.
std::vector<Credential> CredentialsToCheck(const Options& o, const std::vector<Credential>& credentials,
                                           const RunResult& result) {
  const std::size_t wanted = o.create > 0 ? credentials.size() : static_cast<std::size_t>(o.check_last_login);
  std::vector<Credential> checked;
  for (std::size_t i = 0; i < credentials.size() && checked.size() < wanted; ++i) {
    if (result.minted[i]) checked.push_back(credentials[i]);
  }
  if (checked.size() < wanted && !checked.empty()) {
    Warn("lastLogin is checked for the " + std::to_string(checked.size()) + " credentials that got a token, not " +
         std::to_string(wanted) + " (a longer run uses more of them)");
  }
  return checked;
}

// With --create: the credentials are written to --keep-created's file, or
// deleted. Returns an exit code (0, or kExitUsage when the file cannot be written).
int PutAwayCreated(const Options& o, KeymintAdmin& admin, const std::vector<Credential>& credentials) {
  if (o.create == 0 || credentials.empty()) return 0;
  if (!o.keep_created_file.empty()) {
    if (auto written = WriteCredentialsFile(o.keep_created_file, credentials); !written.ok()) {
      Warn(written.error().message);
      return kExitUsage;
    }
  } else if (auto deleted = admin.Delete(credentials, o.create_kind); !deleted.ok()) {
    Warn("cleaning up: " + deleted.error().message);
  }
  return 0;
}

void PrintReport(const ReportContext& context, const RunResult& result) {
  const std::string report = context.options.json ? JsonReport(context, result) : TextReport(context, result);
  std::fputs(report.c_str(), stdout);
  std::fflush(stdout);
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
  settings.stop_requested = &g_stop_requested;

  std::vector<Credential> credentials;
  if (!o.credentials_file.empty()) {
    auto read = ReadCredentialsFile(o.credentials_file);
    if (!read) return Fail(read.error().message);
    credentials = std::move(read).value();
  } else {
    auto admin = KeymintAdmin::LogIn(o);
    if (!admin) return Fail(admin.error().message);
    auto made = admin->Create(o.create, o.create_kind, g_stop_requested);
    if (!made) return Fail(made.error().message);
    credentials = std::move(made).value();
    if (g_stop_requested.load()) {  // stopped while creating them: no run
      (void)PutAwayCreated(o, *admin, credentials);
      return kExitInterrupted;
    }
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
  if (result && result->interrupted) {
    // Stopped: the report of the window so far first, then what it created
    // is put away; no lastLogin check (a second signal would lose the keys).
    PrintReport(context, *result);
    if (o.create > 0) {
      auto admin = KeymintAdmin::LogIn(o);
      if (!admin) {
        Warn("cannot log in again to clean up: " + admin.error().message);
      } else {
        (void)PutAwayCreated(o, *admin, credentials);
      }
    }
    return kExitInterrupted;
  }
  int exit_code = 0;
  if (o.create > 0 || o.check_last_login > 0) {
    // A fresh login: the first token may have expired during a long run.
    auto admin = KeymintAdmin::LogIn(o);
    if (!admin) {
      Warn("cannot log in again to check and clean up: " + admin.error().message);
      exit_code = kExitUsage;
    } else {
      const std::vector<Credential> checked =
          result ? CredentialsToCheck(o, credentials, *result) : std::vector<Credential>();
      if (result && checked.empty()) {
        Warn("lastLogin not checked: no credential got a token");
        exit_code = kExitErrors;
      } else if (!checked.empty()) {
        context.last_login_checked = checked.size();
        auto updated = admin->CountLoggedInSince(checked, o.create_kind, started);
        if (!updated) {
          Warn("cannot read lastLogin: " + updated.error().message +
               (o.create == 0 ? " (--check-last-login looks up access keys)" : ""));
          exit_code = kExitErrors;
        } else {
          context.last_login_updated = *updated;
          if (*updated < checked.size()) {
            Warn("only " + std::to_string(*updated) + " of " + std::to_string(checked.size()) +
                 " credentials show a lastLogin from this run");
            exit_code = kExitErrors;
          }
        }
      }
      exit_code = std::max(exit_code, PutAwayCreated(o, *admin, credentials));
    }
  }
  if (!result) return Fail(result.error().message);

  PrintReport(context, *result);
  if (result->error_count() > 0 && !o.allow_errors) {
    Warn(std::to_string(result->error_count()) + " measured requests did not get a 200 with a token");
    exit_code = std::max(exit_code, kExitErrors);
  }
  if (result->fell_behind() && !o.allow_errors) {
    Warn("the server fell behind the offered rate: " + std::to_string(result->waiting_at_close) + " of " +
         std::to_string(result->scheduled) + " requests were still waiting to be sent when the window closed");
    exit_code = std::max(exit_code, kExitErrors);
  }
  if (result->answered == 0 && result->error_count() == 0) {
    Warn(std::string("nothing was measured: no request started in the window ") +
         (result->failed_reconnects > 0 ? "(the connections were lost and could not be reopened)"
          : o.open_loop()               ? "(a longer -d, or a higher --rate)"
                          : "(every connection was still waiting for an answer from the warm-up: a longer -d)"));
    exit_code = std::max(exit_code, kExitErrors);
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const char* env_password = std::getenv("KEYMINT_BENCH_ADMIN_PASSWORD");
  auto command = ParseCommandLine(args, env_password != nullptr ? env_password : "");
  if (!command) return Fail(command.error().message);
  if (command->help) {
    std::fwrite(HelpText().data(), 1, HelpText().size(), stdout);
    return 0;
  }
  WatchStopSignals();
  const int exit_code = Run(command->options);
  if (g_stop_requested.load()) {  // stopped: the report and the clean-up are done
    std::fflush(stdout);
    DieOf(g_stop_signal.load());
  }
  return exit_code;
} catch (const std::exception& e) {
  // Nothing in the tool is expected to throw (errors are Results); if a
  // library does, say what it was rather than abort.
  return Fail(std::string("unexpected error: ") + e.what());
}
