#include "app/cli.h"

#include <algorithm>

namespace funcpack {

std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args,
                                      std::ostream& out, std::ostream& err) {
  // Help and messages name the command as the user typed it: "funcpack lint".
  if (!app.get_name().starts_with("funcpack ")) app.name("funcpack " + app.get_name());
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << app.get_name() << ": " << e.what() << "\n"
        << "Run '" << app.get_name() << " --help' for usage.\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace funcpack
