#include "app/commands.h"

#include <exception>
#include <iostream>

namespace funcpack {

namespace {
constexpr std::string_view kVersion = "0.1.0";

constexpr Command kCommands[] = {
    {"requirements", "print the expanded requirement set for the target", cmd_requirements},
    {"lock", "resolve the requirements for the target and write a lock file", cmd_lock},
    {"build", "install the lock and write a reproducible deployment zip", cmd_build},
    {"audit", "judge native libraries in wheels or trees against manylinux policies", cmd_audit},
    {"lint", "lint an app's requirements, settings and .funcignore for Azure", cmd_lint},
    {"rules", "list the lint rules", cmd_rules},
    {"explain", "explain a lint rule: rationale, examples, fix", cmd_explain},
};

void print_usage(std::ostream& out) {
  out << "usage: funcpack <command> [options]\n\ncommands:\n";
  for (const auto& c : kCommands) {
    out << "  " << c.name;
    for (size_t i = c.name.size(); i < 14; ++i) out << ' ';
    out << c.synopsis << "\n";
  }
  out << "\nRun 'funcpack <command> --help' for a command's options.\n";
}
}  // namespace

std::span<const Command> command_table() { return kCommands; }

int run_main(int argc, char** argv) {
  try {
    if (argc < 2) {
      print_usage(std::cerr);
      return 2;
    }
    std::string_view name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
      print_usage(std::cout);
      return 0;
    }
    if (name == "--version") {
      std::cout << "funcpack " << kVersion << "\n";
      return 0;
    }
    for (const auto& c : kCommands) {
      if (c.name == name) {
        std::vector<std::string> args(argv + 2, argv + argc);
        return c.handler(args, std::cout, std::cerr);
      }
    }
    std::cerr << "funcpack: unknown command '" << name << "'\n";
    print_usage(std::cerr);
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "funcpack: internal error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace funcpack
