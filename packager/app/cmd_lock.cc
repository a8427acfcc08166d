// cmd_lock.cc: `funcpack lock [APP_DIR|FILE] [--python X.Y] [--glibc X.Y] [--index-url URL]
// [--extra-index-url URL]... [--find-links PATH|URL]... [--no-index] [--offline] [--pre]
// [--only-binary NAMES]... [--no-binary NAMES]... [-o FILE] [--format pylock|requirements|json]`
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
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "base/diagnostic.h"
#include "base/fs.h"
#include "base/strings.h"
#include "inputs/requirements_txt.h"
#include "inputs/runtime_profile.h"
#include "io/index_source.h"
#include "resolve/lock.h"
#include "resolve/resolver.h"
#include "spec/package_name.h"

namespace funcpack {

namespace {

namespace fs = std::filesystem;

// pip's --only-binary / --no-binary value handling: comma-separated names, ":all:", ":none:".
void apply_format_control(std::set<std::string>& target, std::set<std::string>& other,
                          const std::string& value) {
  for (auto part : split(value, ',')) {
    std::string name(trim(part));
    if (name.empty()) continue;
    if (name == ":none:") {
      target.clear();
      continue;
    }
    if (name != ":all:") name = normalize_name(name);
    target.insert(name);
    other.erase(name);
  }
}

}  // namespace

int cmd_lock(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Resolve the app's requirements for the Functions runtime and write a lock file",
               "funcpack lock"};
  std::string where = ".";
  std::string python, glibc, format = "pylock", output;
  std::optional<std::string> index_url;
  std::vector<std::string> extra_index_urls, find_links, only_binary, no_binary;
  bool no_index = false, offline = false, pre = false, merge_indexes = false;
  std::optional<std::string> cache_dir, cert;
  bool no_cache = false;
  app.add_option("APP_DIR", where, "app directory or requirements file (default: .)");
  app.add_option("--python", python, "target Python X.Y (default: the runtime profile's)");
  app.add_option("--glibc", glibc, "glibc ceiling X.Y (default: the runtime image's)");
  app.add_option("--index-url,-i", index_url, "base URL of the package index");
  app.add_option("--extra-index-url", extra_index_urls, "more indexes, searched first");
  app.add_option("--find-links,-f", find_links, "directories or HTML pages with distributions");
  app.add_flag("--no-index", no_index, "use only --find-links");
  app.add_flag("--offline", offline, "use only the cache");
  app.add_flag("--pre", pre, "allow pre-releases");
  app.add_flag("--index-strategy-merge", merge_indexes,
               "merge the files of every index (pip's behaviour) instead of first-index-wins");
  app.add_option("--only-binary", only_binary, "names (or :all:/:none:) that must use wheels");
  app.add_option("--no-binary", no_binary, "names (or :all:/:none:) that must use sdists");
  app.add_option("--cache-dir", cache_dir, "cache directory");
  app.add_flag("--no-cache", no_cache, "neither read nor write the cache");
  app.add_option("--cert", cert, "PEM bundle of CA certificates instead of the system's");
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

  auto profile = RuntimeProfile::load();
  if (!profile) {
    err << "funcpack lock: " << profile.error().message << "\n";
    return 2;
  }
  auto target = make_target(*profile, python,
                            glibc.empty() ? std::nullopt : std::optional<std::string_view>(glibc));
  if (!target) {
    err << "funcpack lock: " << target.error().message << "\n";
    return 2;
  }

  ResolveRequest request;
  request.target = *target;
  request.pre = pre || file.options.pre;
  bool input_error = false;
  for (const auto& e : file.entries) {
    if (e.form != RequirementEntry::Form::kNamed || !e.req.url.empty()) {
      Diagnostic d;
      d.message = "funcpack lock resolves named requirements from indexes; '" + e.text +
                  "' is a URL, VCS or path requirement";
      d.location = e.location;
      d.source_line = e.source_line;
      err << format_diagnostic(d);
      input_error = true;
      continue;
    }
    (e.kind == RequirementEntry::Kind::kConstraint ? request.constraints : request.requirements)
        .push_back(e.req);
  }
  if (input_error) return 2;

  BinaryPolicy binary{file.options.only_binary, file.options.no_binary};
  for (const auto& v : only_binary) apply_format_control(binary.only_binary, binary.no_binary, v);
  for (const auto& v : no_binary) apply_format_control(binary.no_binary, binary.only_binary, v);
  // funcpack's default is wheels only; sdists need an explicit --no-binary.
  if (binary.no_binary.empty() && !binary.only_binary.count(":all:")) binary.only_binary.insert(":all:");
  request.binary = binary;

  IndexSourceOptions opts;
  opts.index_url = index_url;
  opts.extra_index_urls = extra_index_urls;
  opts.find_links = find_links;
  opts.no_index = no_index;
  opts.offline = offline;
  if (merge_indexes) opts.strategy = IndexStrategy::kMergeAll;
  if (cache_dir) opts.cache_dir = fs::path(*cache_dir);
  opts.no_cache = no_cache;
  if (cert) opts.http.ca_bundle = fs::path(*cert);
  // The requirements file's options come after the command line's (apply_* keep what is set).
  IndexOptions from_file = file.options;
  if (opts.index_url) from_file.index_url.reset();
  apply_requirements_options(opts, from_file);
  opts.no_index = opts.no_index || file.options.no_index;
  apply_environment(opts, process_env_lookup());
  IndexSource source(std::move(opts));

  auto resolution = resolve(source, request);
  if (!resolution) {
    const ResolveFailure& f = resolution.error();
    if (f.kind == ResolveFailure::Kind::kNoSolution) {
      err << "funcpack lock: no resolution for CPython " << target->python_full_version
          << " on Linux " << target->machine << ":\n"
          << f.message << "\n";
      return 1;
    }
    err << "funcpack lock: " << f.message << "\n";
    return 2;
  }

  Result<std::string> text = format == "json"           ? write_json_lock(*resolution)
                             : format == "requirements" ? write_requirements_lock(*resolution)
                                                        : write_pylock(*resolution);
  if (!text) {
    err << "funcpack lock: " << text.error().message << "\n";
    return 2;
  }
  if (output == "-") {
    out << *text;
    return 0;
  }
  fs::path out_path = !output.empty()              ? fs::path(output)
                      : format == "json"           ? app_dir / "funcpack.lock.json"
                      : format == "requirements"   ? app_dir / "requirements.lock.txt"
                                                   : app_dir / "pylock.toml";
  if (auto ok = write_file_atomic(out_path, *text); !ok) {
    err << "funcpack lock: " << ok.error().message << "\n";
    return 2;
  }
  out << "locked " << resolution->packages.size()
      << (resolution->packages.size() == 1 ? " package" : " packages") << " for CPython "
      << target->python_full_version << " on Linux " << target->machine << " (glibc "
      << target->glibc_major << "." << target->glibc_minor << ") to " << out_path.string()
      << "\n";
  return 0;
}

}  // namespace funcpack
