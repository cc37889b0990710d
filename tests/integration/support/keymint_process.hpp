// Starts the real keymint binary for a test and stops it afterwards.
//
// The server listens on 127.0.0.1 with an ephemeral port (--listen 127.0.0.1:0)
// and runs with fresh temporary data and keys directories unless the options
// name existing ones (to test a restart on the same directories). Its working
// directory is a temporary directory, so no config/keymint.toml is picked up.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace keymint::testing {

inline constexpr const char* kAdminEmail = "admin@example.com";
inline constexpr const char* kAdminPassword = "admin-password-for-tests";

struct ProcessOptions {
  // Extra environment on top of a minimal one (PATH, TMPDIR). By default
  // KEYMINT_ADMIN_EMAIL=kAdminEmail, KEYMINT_ADMIN_PASSWORD=kAdminPassword and
  // KEYMINT_PASSWORD_ITERATIONS=1000;
  // a value here overrides them, and an empty value removes the variable.
  std::map<std::string, std::string> env;
  std::vector<std::string> extra_args;  // appended after `serve --listen ... --data-dir ... --keys-dir ...`
  std::string data_dir;                 // "" = a fresh temporary directory (removed at the end)
  std::string keys_dir;                 // "" = a fresh temporary directory (removed at the end)
};

// Options that only add `env` (same rules as ProcessOptions::env).
inline ProcessOptions WithEnv(std::map<std::string, std::string> env) {
  ProcessOptions options;
  options.env = std::move(env);
  return options;
}

class KeymintProcess {
 public:
  // Starts keymint and waits (up to 30 s) for its "listening on" line on
  // stderr. Fails the test (Catch2 FAIL) if it exits or never listens.
  // The server gets SIGKILL if the thread that started it exits first (so a
  // crashed test leaves no server behind): construct it on the test's thread.
  explicit KeymintProcess(ProcessOptions options = {});
  // Stops it with SIGTERM if still running and removes temporary directories it made.
  ~KeymintProcess();
  KeymintProcess(const KeymintProcess&) = delete;
  KeymintProcess& operator=(const KeymintProcess&) = delete;

  // Sends SIGTERM and waits (up to 30 s, then SIGKILL). Returns the exit
  // status (WEXITSTATUS), or -signal when killed by a signal.
  int Stop();
  // Like Stop() but with another signal: SIGINT for the other clean stop,
  // SIGKILL to simulate a crash (no chance to flush).
  int StopWith(int signal_number);

  // Sends `signal_number` (e.g. SIGHUP) and returns at once; the process
  // keeps running unless the signal ends it.
  void Signal(int signal_number) const;

  uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& keys_dir() const { return keys_dir_; }
  // Everything the process has written to stderr so far.
  std::string StderrText() const;

 private:
  // implementation-defined members
  void Cleanup();  // stops the process if running and removes the directories it made
  int pid_ = -1;
  int exit_status_ = 0;  // what Stop() returned, once the process is gone
  uint16_t port_ = 0;
  std::string data_dir_, keys_dir_, work_dir_, stderr_path_;
  bool own_data_dir_ = false, own_keys_dir_ = false;
  std::string shared_store_server_;  // the PostgreSQL server of the suite's shared-store run, "" when not
};

// Runs `keymint <args>` to completion with the given environment (same rules
// as ProcessOptions::env) in a temporary working directory; returns exit
// status and combined stderr+stdout. For --help, --version and bad settings.
struct CommandResult {
  int exit_code;
  std::string output;
};
CommandResult RunKeymint(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});

// Runs any program to completion (killed after `timeout`), with the same
// environment rules and a temporary working directory. stdout and stderr
// apart unless `merge_output` (then all of it is in `out`).
struct ProgramResult {
  int exit_code;
  std::string out;
  std::string err;
};
ProgramResult RunProgram(const std::string& binary, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env, std::chrono::seconds timeout,
                         bool merge_output = false);

// RunProgram, with `signal_number` sent to the program `after` it started
// (unless it has ended by then), e.g. SIGINT for a user's Ctrl-C.
struct ProgramSignal {
  std::chrono::milliseconds after;
  int signal_number;
};
ProgramResult RunProgram(const std::string& binary, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env, std::chrono::seconds timeout,
                         ProgramSignal signal);

// mkdtemp under $TMPDIR (or /tmp); the caller removes it (RemoveTree).
std::string MakeTempDir();
void RemoveTree(const std::string& path);

}  // namespace keymint::testing
