// The final report: a few aligned lines for a person, or one JSON object for
// a script (--json); and the one-line live progress display.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "load/load_run.hpp"
#include "load/options.hpp"

namespace keymint::load {

struct ReportContext {
  const Options& options;
  std::size_t credentials;
  // With --create or --check-last-login: how many of the checked credentials
  // keymint shows as used during the run (their lastLogin), when that could be read.
  std::optional<std::size_t> last_login_updated;
  std::size_t last_login_checked;  // out of how many
};

std::string TextReport(const ReportContext& context, const RunResult& result);
std::string JsonReport(const ReportContext& context, const RunResult& result);
// "  12.0 s   2,731 answers/s   0 errors   p99 3.10 ms" (no newline).
std::string ProgressLine(const Progress& progress, double answers_per_second);

}  // namespace keymint::load
