// commands.h: the subcommand table (ninja's tools, vcpkg's command metadata) and the entry
// point main() calls.
//
// Each subcommand lives in its own cmd_<name>.cc and is one row of `command_table()`.
// Handlers receive their arguments (after the subcommand name) and the streams to write to,
// so tests can drive them in-process; they return the process exit code:
//   0 success, 1 findings / no resolution / policy failure, 2 usage or input errors.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace funcpack {

using CommandHandler = int (*)(const std::vector<std::string>& args, std::ostream& out,
                               std::ostream& err);

struct Command {
  std::string_view name;
  std::string_view synopsis;  // one line, for `funcpack --help`
  CommandHandler handler;
};

std::span<const Command> command_table();

// Dispatches argv[1] to its handler; prints usage and returns 2 on an unknown command.
// Catches any escaping exception (a bug): prints "funcpack: internal error: …", returns 3.
int run_main(int argc, char** argv);

// Handlers (one per cmd_*.cc).
int cmd_requirements(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_lock(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_build(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_audit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_lint(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_rules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int cmd_explain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace funcpack
