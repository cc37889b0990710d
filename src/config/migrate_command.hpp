// The command line of `keymint migrate` (config.cpp dispatches to it).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "keymint/config/config.hpp"

namespace keymint::config {

// Parses `args` (argv without argv[0]; args[0] is "migrate"). --from-data-dir
// is required; --to is required unless the environment has KEYMINT_STORE (so
// that a URL carrying a password need not be on a command line, where `ps`
// shows it); --keys-dir is optional. --help anywhere -> kHelp. An unknown,
// repeated, missing or empty flag, or a --to that is not a postgres:// URL, is
// InvalidArgument with one line that never quotes the URL.
Result<Command> ParseMigrateCommand(const std::vector<std::string>& args,
                                    const std::map<std::string, std::string>& env);

}  // namespace keymint::config
