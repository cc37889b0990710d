// What the commands of keymint (serve, restore) share in reading their flags:
// `--name VALUE` or `--name=VALUE`, and --help anywhere on the line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "keymint/common/result.hpp"

namespace keymint::config {

bool IsHelpFlag(std::string_view arg);

// True when --help (or -h) is any of args[1..]: help wins over everything
// else on the line, so a user can always get to it.
bool AsksForHelp(const std::vector<std::string>& args);

// The flag name of `arg`: what comes before its first '=', if any.
std::string FlagName(const std::string& arg);

// The value of the flag at args[i]: after its '=' or else the next argument,
// which `i` then moves past; a next argument that is itself a flag ("--...")
// is not taken. InvalidArgument "missing value for NAME" when there is none.
Result<std::string> TakeFlagValue(const std::vector<std::string>& args, std::size_t& i);

}  // namespace keymint::config
