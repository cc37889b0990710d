#include "keymint_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>

#include "shared_store.hpp"

#ifndef KEYMINT_BINARY
#error "KEYMINT_BINARY must name the keymint executable"
#endif

namespace keymint::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(10);
constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kStopTimeout = std::chrono::seconds(30);
// Followed by "://127.0.0.1:" for plain HTTP, "s://127.0.0.1:" with TLS.
constexpr const char* kReadyMarker = "listening on http";
constexpr std::string_view kReadyHost = "://127.0.0.1:";

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The minimal environment plus the test defaults, with `overrides` applied
// (an empty value removes the variable).
std::vector<std::string> BuildEnvironment(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> env;
  const char* path = std::getenv("PATH");
  env["PATH"] = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  const char* tmpdir = std::getenv("TMPDIR");
  env["TMPDIR"] = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  env["KEYMINT_ADMIN_EMAIL"] = kAdminEmail;
  env["KEYMINT_ADMIN_PASSWORD"] = kAdminPassword;
  // Passwords hashed with the fewest rounds keymint accepts: the suite logs
  // in thousands of times, and the hash's strength is not what it tests.
  env["KEYMINT_PASSWORD_ITERATIONS"] = "1000";
  for (const auto& [name, value] : overrides) {
    if (value.empty()) {
      env.erase(name);
    } else {
      env[name] = value;
    }
  }
  std::vector<std::string> entries;
  entries.reserve(env.size());
  for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
  return entries;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Forks and execs `binary` with `args` (argv[1..]) in `cwd`, stdout and
// stderr going to the given files ("" = /dev/null). Returns the child's pid.
int Spawn(const std::string& binary, std::vector<std::string> args,
          const std::map<std::string, std::string>& env_overrides, const std::string& cwd,
          const std::string& stdout_path, const std::string& stderr_path) {
  args.insert(args.begin(), binary);
  std::vector<std::string> env = BuildEnvironment(env_overrides);
  std::vector<char*> argv = CStrings(args);
  std::vector<char*> envp = CStrings(env);
  const std::string out_path = stdout_path.empty() ? "/dev/null" : stdout_path;
  const std::string err_path = stderr_path.empty() ? "/dev/null" : stderr_path;
  const bool same_file = out_path == err_path;

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid != 0) return pid;  // parent (or -1)

  // Child: only async-signal-safe calls from here on. If the test process
  // dies without stopping us (a crash, a timeout kill), take the server down too.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(125);
  if (chdir(cwd.c_str()) != 0) _exit(126);
  const int in_fd = open("/dev/null", O_RDONLY);
  const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  const int out_fd = same_file ? err_fd : open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (in_fd < 0 || err_fd < 0 || out_fd < 0) _exit(126);
  if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) _exit(126);
  close_range(3, ~0U, 0);
  execve(argv[0], argv.data(), envp.data());
  _exit(127);
}

// WEXITSTATUS, or -signal when killed by a signal.
int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

// Waits for `pid` up to `timeout`; returns true and the decoded status when it exited.
bool WaitFor(int pid, Clock::duration timeout, int* decoded) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      *decoded = DecodeStatus(status);
      return true;
    }
    if (r < 0 && errno != EINTR) {
      *decoded = -1;
      return true;  // not our child any more; nothing to wait for
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

// SIGTERM, wait up to `timeout`, then SIGKILL. Returns the decoded status.
int TerminateAndReap(int pid, int signal_number, Clock::duration timeout) {
  kill(pid, signal_number);
  int decoded = 0;
  if (WaitFor(pid, timeout, &decoded)) return decoded;
  kill(pid, SIGKILL);
  WaitFor(pid, std::chrono::seconds(10), &decoded);
  return decoded;
}

// Parses the port from the ready line once that line is complete.
bool ParseReadyPort(const std::string& text, uint16_t* port) {
  const auto at = text.find(kReadyMarker);
  if (at == std::string::npos) return false;
  std::size_t i = at + std::strlen(kReadyMarker);
  if (i < text.size() && text[i] == 's') ++i;
  if (text.compare(i, kReadyHost.size(), kReadyHost) != 0) return false;
  i += kReadyHost.size();
  unsigned long value = 0;
  std::size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 6) {
    value = value * 10 + static_cast<unsigned long>(text[i] - '0');
    ++i;
    ++digits;
  }
  if (i >= text.size()) return false;  // the line may still be being written
  if (digits == 0 || value == 0 || value > 65535) return false;
  *port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/keymint-it-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    FAIL("mkdtemp(" << pattern << ") failed: " << std::strerror(errno));
  }
  return std::string(buffer.data());
}

void RemoveTree(const std::string& path) {
  if (path.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

KeymintProcess::KeymintProcess(ProcessOptions options) {
  work_dir_ = MakeTempDir();
  stderr_path_ = work_dir_ + "/stderr.log";
  if (options.data_dir.empty()) {
    data_dir_ = MakeTempDir();
    own_data_dir_ = true;
  } else {
    data_dir_ = options.data_dir;
  }
  if (options.keys_dir.empty()) {
    keys_dir_ = MakeTempDir();
    own_keys_dir_ = true;
  } else {
    keys_dir_ = options.keys_dir;
  }

  std::vector<std::string> args = {"serve",      "--listen", "127.0.0.1:0", "--data-dir", data_dir_,
                                   "--keys-dir", keys_dir_,  "--threads",   "2"};
  // The suite's run over the shared store: a database per data directory,
  // unless the test names a store itself.
  const bool names_store =
      std::find(options.extra_args.begin(), options.extra_args.end(), "--store") != options.extra_args.end();
  if (SuiteUsesSharedStore() && !names_store) {
    const auto server = TestPostgresUrl();
    if (!server) FAIL("the shared-store run of the suite found no PostgreSQL server URL (postgres: start failed?)");
    shared_store_server_ = *server;
    args.insert(args.end(), {"--store", DatabaseFor(shared_store_server_, data_dir_)});
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  pid_ = Spawn(KEYMINT_BINARY, args, options.env, work_dir_, work_dir_ + "/stdout.log", stderr_path_);
  if (pid_ < 0) {
    const std::string why = std::strerror(errno);
    pid_ = -1;
    Cleanup();
    FAIL("fork failed: " << why);
  }

  const auto deadline = Clock::now() + kStartTimeout;
  while (true) {
    if (ParseReadyPort(StderrText(), &port_)) return;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      const std::string text = StderrText();
      Cleanup();
      FAIL("keymint exited (status " << DecodeStatus(status) << ") before listening; stderr:\n" << text);
    }
    if (Clock::now() >= deadline) {
      const std::string text = StderrText();
      Cleanup();
      FAIL("keymint did not report listening within 30 s; stderr:\n" << text);
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

KeymintProcess::~KeymintProcess() { Cleanup(); }

void KeymintProcess::Cleanup() {
  if (pid_ > 0) Stop();
  if (own_data_dir_) {
    RemoveTree(data_dir_);
    if (!shared_store_server_.empty()) DropDatabaseFor(shared_store_server_, data_dir_);
  }
  if (own_keys_dir_) RemoveTree(keys_dir_);
  RemoveTree(work_dir_);
  own_data_dir_ = own_keys_dir_ = false;
  work_dir_.clear();
}

int KeymintProcess::Stop() { return StopWith(SIGTERM); }

int KeymintProcess::StopWith(int signal_number) {
  if (pid_ <= 0) return exit_status_;
  exit_status_ = TerminateAndReap(pid_, signal_number, kStopTimeout);
  pid_ = -1;
  return exit_status_;
}

void KeymintProcess::Signal(int signal_number) const {
  if (pid_ > 0) kill(pid_, signal_number);
}

std::string KeymintProcess::StderrText() const {
  if (stderr_path_.empty()) return "";
  return ReadWholeFile(stderr_path_);
}

namespace {

ProgramResult RunProgramWith(const std::string& binary, const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env, std::chrono::seconds timeout,
                             bool merge_output, std::optional<ProgramSignal> signal) {
  const std::string work_dir = MakeTempDir();
  const std::string out_path = work_dir + "/stdout.log";
  const std::string err_path = merge_output ? out_path : work_dir + "/stderr.log";
  const int pid = Spawn(binary, args, env, work_dir, out_path, err_path);
  if (pid < 0) {
    RemoveTree(work_dir);
    FAIL("fork failed: " << std::strerror(errno));
  }
  int decoded = 0;
  bool ended = false;
  if (signal) {
    ended = WaitFor(pid, signal->after, &decoded);
    if (!ended) ::kill(pid, signal->signal_number);
  }
  // A command that should end but keeps running (for instance a server that
  // ignored a bad setting) is killed at the timeout.
  if (!ended && !WaitFor(pid, timeout, &decoded)) decoded = TerminateAndReap(pid, SIGKILL, std::chrono::seconds(10));
  ProgramResult result{decoded, ReadWholeFile(out_path), merge_output ? std::string() : ReadWholeFile(err_path)};
  RemoveTree(work_dir);
  return result;
}

}  // namespace

ProgramResult RunProgram(const std::string& binary, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env, std::chrono::seconds timeout,
                         bool merge_output) {
  return RunProgramWith(binary, args, env, timeout, merge_output, std::nullopt);
}

ProgramResult RunProgram(const std::string& binary, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env, std::chrono::seconds timeout,
                         ProgramSignal signal) {
  return RunProgramWith(binary, args, env, timeout, /*merge_output=*/false, signal);
}

CommandResult RunKeymint(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  ProgramResult result = RunProgram(KEYMINT_BINARY, args, env, std::chrono::seconds(15), /*merge_output=*/true);
  return {result.exit_code, std::move(result.out)};
}

}  // namespace keymint::testing
