// cmd_lock.cc: `funcpack lock [APP_DIR|FILE] [--python X.Y] [--glibc X.Y] [--index-url URL]
// [--extra-index-url URL]... [--find-links PATH|URL]... [--no-index] [--offline] [--pre]
// [--only-binary NAMES]... [--no-binary NAMES]... [-o FILE] [--format pylock|requirements|json]
// [--timeout SECONDS]`
//
// Resolves the app's requirements (APP_DIR/requirements.txt, or FILE) for the deployment target
// (Python from --python or the runtime profile's default, glibc ceiling from the profile or
// --glibc) against the configured indexes, and writes the lock: by default APP_DIR/pylock.toml
// (requirements: requirements.lock.txt, json: funcpack.lock.json); `-o -` writes to stdout.
// Index options: command line, then the requirements file's, then PIP_INDEX_URL /
// PIP_EXTRA_INDEX_URL / PIP_FIND_LINKS / PIP_NO_INDEX, then https://pypi.org/simple.
// Binary policy: only wheels unless --no-binary (or the file's --no-binary) allows sdists.
// Exit codes: 0 locked; 1 no resolution exists (the explanation on stderr); 2 usage, input or
// network errors. The lock file is written atomically and only on success.
// The pipeline up to the resolution (options, target, index source) is app/lock_job.h, shared
// with `funcpack lint --fix --pin`.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "app/lock_job.h"
#include "base/diagnostic.h"
#include "base/fs.h"
#include "inputs/requirements_txt.h"
#include "resolve/lock.h"

namespace funcpack {

namespace fs = std::filesystem;

int cmd_lock(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Resolve the app's requirements for the Functions runtime and write a lock file",
               "funcpack lock"};
  std::string where = ".";
  std::string format = "pylock", output;
  ResolveOptions resolve_options;
  app.add_option("APP_DIR", where, "app directory or requirements file (default: .)");
  add_resolve_options(app, resolve_options, /*with_python=*/true);
  app.add_option("-o,--output", output, "output file ('-' for stdout)");
  app.add_option("--format", format, "pylock (default), requirements or json")
      ->check(CLI::IsMember({"pylock", "requirements", "json"}));
  if (auto code = parse_command_line(app, args, out, err)) return *code;

  fs::path req_path = where;
  fs::path app_dir = where;
  if (fs::is_directory(req_path)) {
    req_path /= "requirements.txt";
  } else {
    app_dir = req_path.parent_path().empty() ? fs::path(".") : req_path.parent_path();
  }

  DiagnosticSink sink;
  RequirementsFile file = parse_requirements_file(req_path, sink);
  for (const auto& d : sink.diagnostics()) err << format_diagnostic(d);
  if (sink.has_errors()) return 2;

  auto job = run_lock_job(resolve_options, file, file.entries, "funcpack lock", err);
  if (!job) {
    err << job.error().message;
    return job.error().exit_code;
  }
  const Resolution& resolution = job->resolution;
  const Target& target = job->target;

  fs::path out_path = output == "-"                 ? fs::path()
                      : !output.empty()              ? fs::path(output)
                      : format == "json"             ? app_dir / "funcpack.lock.json"
                      : format == "requirements"     ? app_dir / "requirements.lock.txt"
                                                     : app_dir / "pylock.toml";
  // Paths in the lock are relative to where it is written (stdout: the current directory).
  const fs::path lock_dir =
      out_path.empty() ? fs::current_path() : fs::absolute(out_path).parent_path();
  Result<std::string> text = format == "json"           ? write_json_lock(resolution)
                             : format == "requirements" ? write_requirements_lock(resolution, lock_dir)
                                                        : write_pylock(resolution, lock_dir);
  if (!text) {
    err << "funcpack lock: " << text.error().message << "\n";
    return 2;
  }
  if (output == "-") {
    out << *text;
    return 0;
  }
  if (auto ok = write_file_atomic(out_path, *text); !ok) {
    err << "funcpack lock: " << ok.error().message << "\n";
    return 2;
  }
  out << "locked " << resolution.packages.size()
      << (resolution.packages.size() == 1 ? " package" : " packages") << " for CPython "
      << target.python_full_version << " on Linux " << target.machine << " (glibc "
      << target.glibc_major << "." << target.glibc_minor << ") to " << out_path.string()
      << "\n";
  return 0;
}

}  // namespace funcpack
