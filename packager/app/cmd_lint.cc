// `funcpack lint [APP_DIR|REQUIREMENTS_FILE] [--format text|json|sarif|github] [--python X.Y]
// [--plan PLAN] [--policy minimum|exact] [--config FILE] [--setting KEY=VALUE]...
// [--today YYYY-MM-DD] [--diff-base REV] [--fix [--pin [lock's index options]]]`: lints an app's requirements, settings and .funcignore against the
// rules in rules/lint/ (see lint/lint.h). Exit 0 when no finding is at error level, 1 when
// one is, 2 on usage or input errors (unreadable files, bad configuration, unknown REV).
// With --diff-base, only findings on lines added or changed since REV are reported
// (inputs/git_diff.h, lint.h keep_changed).
// With --fix, the reported findings of fixable rules are fixed in place (lint/fix.h), then the
// app is linted again (with the same --diff-base filter) and only what remains is reported;
// "fixed N findings in M files" goes to stderr, and the exit code is that of the re-lint.
// With --fix --pin, the app is first resolved as `funcpack lock` resolves it (app/lock_job.h,
// same index flags, in-process; Python from the lint target), then the loose top-level
// requirement lines are pinned to the resolved versions in the same atomic rewrite as the
// fixes (lint/pin.h says which lines and why; lines left as written get an info note on
// stderr). When resolution fails nothing is written and the exit code is lock's (1 no
// resolution, 2 input or network error). --pin cannot be combined with --diff-base (it pins
// whole files, not changed lines).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/lock_job.h"
#include "base/fs.h"
#include "base/strings.h"
#include "lint/fix.h"
#include "lint/lint.h"
#include "lint/pin.h"
#include "lint/report.h"

namespace funcpack {

namespace {

// An input error as a diagnostic with its source line and caret when it has a location.
void print_error(const Error& e, std::ostream& err) {
  std::string line;
  if (!e.location.path.empty() && e.location.line > 0) {
    if (auto text = read_file(e.location.path)) {
      auto lines = split(*text, '\n');
      if (static_cast<size_t>(e.location.line) <= lines.size()) {
        line = std::string(lines[static_cast<size_t>(e.location.line - 1)]);
        if (!line.empty() && line.back() == '\r') line.pop_back();
      }
    }
  }
  Diagnostic d = diagnostic_from_error(e, line);
  if (d.location.path.empty()) {
    err << "funcpack lint: error: " << d.message << "\n";
    return;
  }
  err << format_diagnostic(d);
}

}  // namespace

int cmd_lint(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Lint an Azure Functions Python app's requirements, settings and .funcignore",
               "lint"};
  std::string target = ".";
  std::string format = "text";
  LintOptions options;
  std::string python, plan, policy, config, today;
  app.add_option("target", target, "app directory or requirements file (default: .)");
  app.add_option("--format", format, "output format")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  auto* python_opt = app.add_option("--python", python, "target Python version (X.Y)");
  auto* plan_opt = app.add_option("--plan", plan, "hosting plan")
                       ->check(CLI::IsMember({"consumption", "flex", "premium", "dedicated"}));
  auto* policy_opt = app.add_option("--policy", policy, "pinning policy")
                         ->check(CLI::IsMember({"minimum", "exact"}));
  auto* config_opt = app.add_option("--config", config,
                                    "configuration file (funcpack.toml or pyproject.toml)");
  app.add_option("--setting", options.settings, "app setting KEY=VALUE (repeatable)");
  auto* today_opt = app.add_option("--today", today, "date to judge end of support (YYYY-MM-DD)");
  std::string diff_base;
  auto* diff_opt = app.add_option("--diff-base", diff_base,
                                  "report only findings on lines added or changed since REV (git)");
  bool fix = false;
  auto* fix_opt =
      app.add_flag("--fix", fix, "fix the fixable findings in place, then report what remains");
  bool pin = false;
  auto* pin_opt = app.add_flag("--pin", pin,
                               "with --fix: resolve the app as `funcpack lock` does and pin each "
                               "unpinned or range requirement line to the resolved ==version")
                      ->needs(fix_opt)
                      ->excludes(diff_opt);
  ResolveOptions resolve_options;
  auto* resolving = app.add_option_group("Resolving (with --pin; as funcpack lock)");
  add_resolve_options(*resolving, resolve_options, /*with_python=*/false);
  // An index option without --pin would be silently ignored: make it a usage error instead.
  for (CLI::Option* o : resolving->get_options()) o->needs(pin_opt);
  if (auto code = parse_command_line(app, args, out, err)) return *code;

  options.target = target;
  if (*python_opt) options.python = python;
  if (*plan_opt) options.plan = plan;
  if (*policy_opt) options.policy = policy;
  if (*config_opt) options.config_file = config;
  if (*today_opt) options.today = today;

  auto rules = RuleRegistry::load();
  if (!rules) {
    err << "funcpack lint: internal error: " << rules.error().location.str() << ": "
        << rules.error().message << "\n";
    return 2;
  }
  auto profile = RuntimeProfile::load();
  if (!profile) {
    err << "funcpack lint: internal error: " << profile.error().message << "\n";
    return 2;
  }
  // One lint run with the --diff-base filter; an input error is printed and yields nullopt.
  auto run = [&]() -> std::optional<LintReport> {
    auto report = lint(options, *rules, *profile);
    if (!report) {
      print_error(report.error(), err);
      return std::nullopt;
    }
    if (*diff_opt) {
      // Diff only the files findings point into (the requirements files when there are none,
      // so that a bad REV is reported either way).
      std::vector<std::filesystem::path> files;
      for (const auto& d : report->findings)
        if (!d.location.path.empty() &&
            std::find(files.begin(), files.end(), d.location.path) == files.end())
          files.emplace_back(d.location.path);
      if (files.empty()) files = report->files;
      auto changes = lines_changed_since(report->app_root, diff_base, files);
      if (!changes) {
        print_error(changes.error(), err);
        return std::nullopt;
      }
      report->findings = keep_changed(std::move(report->findings), *changes);
    }
    return std::move(*report);
  };
  auto report = run();
  if (!report) return 2;
  if (fix) {
    std::optional<PinJob> pin_job;
    std::vector<Diagnostic> notes;
    if (pin) {
      // Resolve first: if it fails, nothing (not even the other fixes) is written.
      if (report->files.empty()) {
        err << "funcpack lint: --pin: the app has no requirements file to pin; nothing was "
               "changed\n";
        return 2;
      }
      DiagnosticSink sink;
      RequirementsFile file = parse_requirements_file(report->files.front(), sink);
      if (sink.has_errors()) {
        for (const auto& d : sink.diagnostics())
          if (d.severity == Severity::kError) err << format_diagnostic(d);
        err << "funcpack lint: --pin needs requirements files that parse; nothing was changed\n";
        return 2;
      }
      EntryLines deleted = lines_deleted_by_fixes(report->findings, *rules);
      std::vector<RequirementEntry> entries = entries_to_resolve(file, deleted, notes);
      resolve_options.python = report->python;
      auto job = run_lock_job(resolve_options, file, entries, "funcpack lint", err);
      if (!job) {
        err << job.error().message;
        return job.error().exit_code;
      }
      pin_job = PinJob{std::move(file.entries), std::move(job->resolution), std::move(deleted)};
    }
    auto fixed = apply_fixes(report->findings, *rules, pin_job ? &*pin_job : nullptr);
    if (!fixed) {
      print_error(fixed.error(), err);
      return 2;
    }
    notes.insert(notes.end(), fixed->notes.begin(), fixed->notes.end());
    for (const auto& d : notes) err << format_diagnostic(d);
    err << "fixed " << fixed->findings << (fixed->findings == 1 ? " finding" : " findings");
    if (pin)
      err << ", pinned " << fixed->pinned
          << (fixed->pinned == 1 ? " requirement" : " requirements");
    err << " in " << fixed->files << (fixed->files == 1 ? " file" : " files") << "\n";
    if (fixed->files > 0) {
      report = run();
      if (!report) return 2;
    }
  }
  switch (*parse_output_format(format)) {
    case OutputFormat::kText: {
      const bool color = &out == &std::cout && isatty(STDOUT_FILENO) &&
                         !(std::getenv("NO_COLOR") && *std::getenv("NO_COLOR"));
      out << format_text(*report, color);
      break;
    }
    case OutputFormat::kJson: out << format_json(*report); break;
    case OutputFormat::kSarif: out << format_sarif(*report, *rules); break;
    case OutputFormat::kGithub: out << format_github(*report); break;
  }
  for (const auto& d : report->findings)
    if (d.severity == Severity::kError) return 1;
  return 0;
}

}  // namespace funcpack
