#include "app/lock_job.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "base/strings.h"
#include "inputs/runtime_profile.h"
#include "io/index_source.h"
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

// Seconds as given on the command line or in $FUNCPACK_HTTP_TIMEOUT: a positive finite number.
std::optional<double> parse_seconds(std::string_view text) {
  std::string s(trim(text));
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v) || v <= 0 || v > 86'400) return std::nullopt;
  return v;
}

LockJobFailure input_failure(std::string_view command, const std::string& message) {
  return {2, std::string(command) + ": " + message + "\n"};
}

}  // namespace

void add_resolve_options(CLI::App& app, ResolveOptions& o, bool with_python) {
  if (with_python)
    app.add_option("--python", o.python, "target Python X.Y (default: the runtime profile's)");
  app.add_option("--glibc", o.glibc, "glibc ceiling X.Y (default: the runtime image's)");
  app.add_option("--index-url,-i", o.index_url, "base URL of the package index");
  app.add_option("--extra-index-url", o.extra_index_urls, "more indexes, searched first");
  app.add_option("--find-links,-f", o.find_links, "directories or HTML pages with distributions");
  app.add_flag("--no-index", o.no_index, "use only --find-links");
  app.add_flag("--offline", o.offline, "use only the cache");
  app.add_flag("--pre", o.pre, "allow pre-releases");
  app.add_flag("--index-strategy-merge", o.merge_indexes,
               "merge the files of every index (pip's behaviour) instead of first-index-wins");
  app.add_option("--only-binary", o.only_binary, "names (or :all:/:none:) that must use wheels");
  app.add_option("--no-binary", o.no_binary, "names (or :all:/:none:) that must use sdists");
  app.add_option("--cache-dir", o.cache_dir, "cache directory");
  app.add_flag("--no-cache", o.no_cache, "neither read nor write the cache");
  app.add_option("--cert", o.cert, "PEM bundle of CA certificates instead of the system's");
  app.add_option("--timeout", o.timeout_seconds,
                 "seconds per HTTP attempt (default: $FUNCPACK_HTTP_TIMEOUT, else 120)")
      ->check(CLI::PositiveNumber);
}

Result<IndexSourceOptions> index_source_options(const ResolveOptions& o,
                                                const IndexOptions& file_options) {
  double timeout_seconds = 120;
  if (o.timeout_seconds) {
    timeout_seconds = *o.timeout_seconds;
  } else if (const char* env = std::getenv("FUNCPACK_HTTP_TIMEOUT"); env && *env) {
    auto v = parse_seconds(env);
    if (!v)
      return fail(std::string("FUNCPACK_HTTP_TIMEOUT: expected a positive number of seconds, got '") +
                  env + "'");
    timeout_seconds = *v;
  }
  IndexSourceOptions opts;
  opts.index_url = o.index_url;
  opts.extra_index_urls = o.extra_index_urls;
  opts.find_links = o.find_links;
  opts.no_index = o.no_index;
  opts.offline = o.offline;
  if (o.merge_indexes) opts.strategy = IndexStrategy::kMergeAll;
  if (o.cache_dir) opts.cache_dir = fs::path(*o.cache_dir);
  opts.no_cache = o.no_cache;
  if (o.cert) opts.http.ca_bundle = fs::path(*o.cert);
  opts.http.timeout_ms = std::max(1L, std::lround(timeout_seconds * 1000));
  opts.http.connect_timeout_ms = std::min(opts.http.connect_timeout_ms, opts.http.timeout_ms);
  // The requirements file's options come after the command line's (apply_* keep what is set).
  IndexOptions from_file = file_options;
  if (opts.index_url) from_file.index_url.reset();
  apply_requirements_options(opts, from_file);
  opts.no_index = opts.no_index || file_options.no_index;
  apply_environment(opts, process_env_lookup());
  return opts;
}

std::expected<LockJob, LockJobFailure> run_lock_job(const ResolveOptions& o,
                                                    const RequirementsFile& file,
                                                    const std::vector<RequirementEntry>& entries,
                                                    std::string_view command) {
  auto profile = RuntimeProfile::load();
  if (!profile) return std::unexpected(input_failure(command, profile.error().message));
  auto target = make_target(*profile, o.python,
                            o.glibc.empty() ? std::nullopt : std::optional<std::string_view>(o.glibc));
  if (!target) return std::unexpected(input_failure(command, target.error().message));

  ResolveRequest request;
  request.target = *target;
  request.pre = o.pre || file.options.pre;
  for (const auto& e : entries)
    (e.kind == RequirementEntry::Kind::kConstraint ? request.constraints : request.requirements)
        .push_back(e.req);

  BinaryPolicy binary{file.options.only_binary, file.options.no_binary};
  for (const auto& v : o.only_binary) apply_format_control(binary.only_binary, binary.no_binary, v);
  for (const auto& v : o.no_binary) apply_format_control(binary.no_binary, binary.only_binary, v);
  // funcpack's default is wheels only; sdists need an explicit --no-binary.
  if (binary.no_binary.empty() && !binary.only_binary.count(":all:"))
    binary.only_binary.insert(":all:");
  request.binary = binary;

  auto opts = index_source_options(o, file.options);
  if (!opts) return std::unexpected(input_failure(command, opts.error().message));
  IndexSource source(std::move(*opts));

  auto resolution = resolve(source, request);
  if (!resolution) {
    const ResolveFailure& f = resolution.error();
    if (f.kind == ResolveFailure::Kind::kNoSolution)
      return std::unexpected(LockJobFailure{
          1, std::string(command) + ": no resolution for CPython " + target->python_full_version +
                 " on Linux " + target->machine + ":\n" + f.message + "\n"});
    return std::unexpected(input_failure(command, f.message));
  }
  return LockJob{*target, std::move(*resolution)};
}

}  // namespace funcpack
