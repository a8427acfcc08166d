// cli.h: shared CLI11 plumbing for subcommands: parse a handler's argument vector, print
// --help to `out` (exit 0), and turn a usage error into "funcpack CMD: MESSAGE" plus a pointer
// to --help on `err` (exit 2). Apps may be named "lint" or "funcpack lint"; both show as the
// latter.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace funcpack {

// Returns nullopt when parsing succeeded and the command should run; otherwise the exit code
// the handler must return (0 after --help, 2 after a usage error).
std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args,
                                      std::ostream& out, std::ostream& err);

}  // namespace funcpack
