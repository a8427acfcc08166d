#include "app/lock_job.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "base/diagnostic.h"
#include "base/fs.h"
#include "base/strings.h"
#include "inputs/runtime_profile.h"
#include "io/cache.h"
#include "io/direct_reference.h"
#include "io/index_source.h"
#include "io/url.h"
#include "resolve/resolver.h"
#include "sandbox/builder.h"
#include "spec/metadata.h"
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
  app.add_option("--sandbox", o.sandbox,
                 "where sources are built: auto (default), bwrap, docker, podman or none")
      ->check(CLI::IsMember({"auto", "bwrap", "docker", "podman", "none"}));
  app.add_option("--sandbox-root", o.sandbox_root, "read-only root of the bwrap sandbox (default: /)");
  app.add_option("--sandbox-image", o.sandbox_image,
                 "docker/podman image (default: quay.io/pypa/manylinux_2_28_<arch>)");
  app.add_option("--sandbox-python", o.sandbox_python,
                 "interpreter that builds sources, as the sandbox sees it (default: searched)");
}

std::optional<SandboxRequest> sandbox_request(const ResolveOptions& o, const std::string& machine) {
  auto kind = parse_sandbox_kind(o.sandbox);
  if (!kind) return std::nullopt;
  return SandboxRequest{*kind, o.sandbox_root, o.sandbox_image, machine};
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

GitCheckouts git_checkouts(const IndexSourceOptions& options, const fs::path& scratch) {
  GitCheckoutOptions git;
  git.offline = options.offline;
  git.ca_bundle = options.http.ca_bundle;
  // --no-cache: the mirrors still need a place, a private one that goes with the run.
  return GitCheckouts(options.no_cache ? scratch / "git-cache"
                                       : options.cache_dir.value_or(Cache::default_root()),
                      git);
}

std::expected<LockJob, LockJobFailure> run_lock_job(const ResolveOptions& o,
                                                    const RequirementsFile& file,
                                                    const std::vector<RequirementEntry>& entries,
                                                    std::string_view command, std::ostream& log) {
  auto profile = RuntimeProfile::load();
  if (!profile) return std::unexpected(input_failure(command, profile.error().message));
  auto target = make_target(*profile, o.python,
                            o.glibc.empty() ? std::nullopt : std::optional<std::string_view>(o.glibc));
  if (!target) return std::unexpected(input_failure(command, target.error().message));
  const MarkerEnvironment env = target->marker_environment();

  ResolveRequest request;
  request.target = *target;
  request.pre = o.pre || file.options.pre;
  // Named requirements and constraints go to the resolver as they are; direct references are
  // fetched first (those whose marker is false for the target are not needed at all).
  const fs::path base_dir = file.files.empty() ? fs::path(".") : file.files.front().parent_path();
  std::vector<std::pair<const RequirementEntry*, DirectReference>> direct;
  std::string problems;
  for (const auto& e : entries) {
    if (e.kind == RequirementEntry::Kind::kConstraint) {
      request.constraints.push_back(e.req);
    } else if (e.form == RequirementEntry::Form::kNamed && e.req.url.empty()) {
      request.requirements.push_back(e.req);
    } else if (!e.req.marker || e.req.marker->evaluate(env, "")) {
      auto ref = parse_direct_reference(e, base_dir);
      if (ref) direct.emplace_back(&e, std::move(*ref));
      else problems += format_diagnostic(diagnostic_from_error(ref.error(), e.source_line));
    }
  }
  if (!problems.empty()) return std::unexpected(LockJobFailure{2, problems});

  BinaryPolicy binary{file.options.only_binary, file.options.no_binary};
  for (const auto& v : o.only_binary) apply_format_control(binary.only_binary, binary.no_binary, v);
  for (const auto& v : o.no_binary) apply_format_control(binary.no_binary, binary.only_binary, v);
  // funcpack's default is wheels only; sdists need an explicit --no-binary.
  if (binary.no_binary.empty() && !binary.only_binary.count(":all:"))
    binary.only_binary.insert(":all:");
  request.binary = binary;

  auto opts = index_source_options(o, file.options);
  if (!opts) return std::unexpected(input_failure(command, opts.error().message));
  auto sandbox = sandbox_request(o, target->machine);
  if (!sandbox) return std::unexpected(input_failure(command, "--sandbox: unknown backend '" + o.sandbox + "'"));
  auto work = TempDir::create("funcpack-lock");
  if (!work) return std::unexpected(input_failure(command, work.error().message));
  // Sources whose metadata is only known after a build (an index sdist whose PKG-INFO is not
  // final, a direct reference without static metadata) are asked in the sandbox; the builder
  // needs the source (for build requirements), the source needs the builder: wired after both.
  std::optional<SourceBuilds> builds;
  const std::string me = std::string(command) + ": ";
  opts->sdist_metadata_builder = [&](const fs::path& sdist, const DistributionFile& f) {
    log << me << "building the metadata of " << f.filename << " (its PKG-INFO is not final)\n";
    return builds->metadata(SourceToBuild{sdist, {}, "", "", f.filename}, log);
  };
  GitCheckouts git = git_checkouts(*opts, work->path());
  IndexSource source(std::move(*opts));
  builds.emplace(*sandbox, o.sandbox_python, *target, source, work->path() / "built");

  DirectFetcher fetcher(source, git, work->path());
  for (auto& [e, ref] : direct) {
    auto located = [&](const std::string& message) {
      return LockJobFailure{2, format_diagnostic(diagnostic_from_error(Error{message, e->location},
                                                                       e->source_line))};
    };
    auto got = fetcher.fetch(ref, *target, /*want_metadata=*/true);
    if (!got) return std::unexpected(located(got.error().message));
    if (got->metadata.empty()) {
      const std::string shown = redact_url(got->file.url);
      log << me << "building the metadata of " << shown << " (" << got->needs_build << ")\n";
      SourceToBuild src;
      (got->ref.origin.kind == DirectOrigin::Kind::kArchive ? src.sdist : src.tree) = got->local;
      src.name = ref.name;
      src.display = got->ref.origin.kind == DirectOrigin::Kind::kArchive ? got->file.filename : shown;
      auto md = builds->metadata(src, log);
      if (!md) return std::unexpected(located(md.error().message));
      got->metadata = std::move(*md);
    }
    auto md = CoreMetadata::parse(got->metadata, "METADATA");
    if (!md) return std::unexpected(located(md.error().message));
    Requirement root = e->req;
    root.name = md->name;
    root.url.clear();
    request.requirements.push_back(std::move(root));
    request.direct.push_back(DirectDistribution{normalize_name(md->name), got->file, got->is_wheel,
                                                got->ref.origin, got->metadata});
  }

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
