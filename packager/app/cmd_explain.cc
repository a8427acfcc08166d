// `funcpack explain RULE-ID`: prints a lint rule's summary, rationale, examples and fix.
#include "app/cli.h"
#include "app/commands.h"
#include "base/strings.h"
#include "lint/rules.h"

namespace funcpack {

int cmd_explain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Explain a lint rule", "explain"};
  std::string id;
  app.add_option("rule", id, "rule id, e.g. FP101")->required();
  if (auto code = parse_command_line(app, args, out, err)) return *code;
  auto rules = RuleRegistry::load();
  if (!rules) {
    err << "funcpack explain: internal error: " << rules.error().location.str() << ": "
        << rules.error().message << "\n";
    return 2;
  }
  // Ids are written upper-case; accept fp101 too.
  std::string wanted;
  for (char c : id) wanted += (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
  const Rule* r = rules->find(wanted);
  if (!r) {
    err << "funcpack explain: unknown rule '" << id << "' (run 'funcpack rules' for the list)\n";
    return 2;
  }
  out << r->id << " " << r->name << " (" << severity_name(r->severity)
      << (r->fixable ? ", fixable with --fix" : "") << ")\n"
      << r->summary << "\n\n"
      << r->rationale << "\n\n"
      << r->help << "\n\n"
      << "Fix: " << r->hint << "\n"
      << "Source: " << r->source << "\n";
  return 0;
}

}  // namespace funcpack
