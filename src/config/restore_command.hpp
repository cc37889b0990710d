// The command line of `keymint restore` (config.cpp dispatches to it).
#pragma once

#include <string>
#include <vector>

#include "keymint/config/config.hpp"

namespace keymint::config {

// Parses `args` (argv without argv[0]; args[0] is "restore"). --from and
// --data-dir are required and non-empty; --backup-id is a decimal backup id
// from 1 to 4294967295; --force takes no value. --help anywhere -> kHelp.
// An unknown, repeated or missing flag is InvalidArgument with one line.
Result<Command> ParseRestoreCommand(const std::vector<std::string>& args);

}  // namespace keymint::config
