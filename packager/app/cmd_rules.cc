// `funcpack rules`: lists every lint rule (id, default severity, summary), from rules/lint/.
#include "app/cli.h"
#include "app/commands.h"
#include "lint/rules.h"

namespace funcpack {

int cmd_rules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"List the lint rules", "rules"};
  if (auto code = parse_command_line(app, args, out, err)) return *code;
  auto rules = RuleRegistry::load();
  if (!rules) {
    err << "funcpack rules: internal error: " << rules.error().location.str() << ": "
        << rules.error().message << "\n";
    return 2;
  }
  for (const auto& r : rules->rules()) {
    std::string sev(severity_name(r.severity));
    sev.resize(8, ' ');
    out << r.id << "  " << sev << r.summary << "\n";
  }
  return 0;
}

}  // namespace funcpack
