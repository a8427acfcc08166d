// `funcpack build [APP_DIR] [--python X.Y] [-o dist/APP.zip] [--container-context DIR]
// [--base-image IMAGE] [--lock FILE] [--report FILE] [--size-warning MB] [index options as for
// lock] [--list-files] [-v]`: turns an app directory into the deployment zip and/or a container
// build context.
//
// Steps: get a lock (--lock FILE, else the lock pipeline of `funcpack lock` (app/lock_job.h)
// run in-process with the same index options; that lock is written beside the output as
// `<stem>.pylock.toml` after a success), fetch each pinned wheel (a file of the same name in
// a --find-links directory, else the lock's URL through the index source and its cache) and
// check its sha256 against the lock, install each into staging
// `.python_packages/lib/site-packages` (wheel_install.h), audit every ELF file there against
// the target's manylinux ceiling, add the app's deployment files (app_files.h), and write the
// outputs atomically: the zip (zip_writer.h) unless only --container-context was asked for,
// the container context (container_context.h) with --container-context, then --report FILE
// (build_report.h). The staging directory is removed afterwards.
// Exit codes: 0 built; 1 resolution, download, hash, install or policy failure; 2 usage or
// input errors. On any failure nothing is left at the output paths (an output this run
// already wrote is removed again).
// `--list-files` does everything but write, then prints every path the zip would hold
// (sorted) and, with -v, every path left out of the app ("excluded PATH: reason").
// Progress bars (base/progress.h) for fetching, installing and compressing go to stderr when
// it is a terminal; the summary (build_report_text) goes to stdout, the size warning to stderr.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "app/cli.h"
#include "app/commands.h"
#include "app/lock_job.h"
#include "base/diagnostic.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/progress.h"
#include "inputs/app_files.h"
#include "inputs/config.h"
#include "inputs/requirements_txt.h"
#include "inputs/runtime_profile.h"
#include "io/cache.h"
#include "io/direct_reference.h"
#include "io/index_source.h"
#include "io/url.h"
#include "materialise/audit.h"
#include "materialise/build_report.h"
#include "materialise/container_context.h"
#include "materialise/install_cache.h"
#include "materialise/wheel_install.h"
#include "materialise/zip_writer.h"
#include "resolve/lock.h"
#include "sandbox/builder.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSitePackages = ".python_packages/lib/site-packages";

Result<std::string> sha256_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail("cannot read " + p.string());
  Sha256 h;
  std::string buf(64 * 1024, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) h.update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return fail("cannot read " + p.string());
  return h.finish_hex();
}

// Adds every regular file under `dir` (relative to it, prefixed by `prefix`) to `entries`,
// and its size to `sizes` (path -> bytes). Returns an Error "cannot read DIR: reason" when the
// walk fails.
Result<void> add_tree(const fs::path& dir, std::string_view prefix,
                      std::vector<ZipEntry>& entries, std::map<std::string, uint64_t>& sizes) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || ec) continue;
    std::string rel = it->path().lexically_relative(dir).generic_string();
    uint64_t size = it->file_size(ec);
    if (ec) break;
    sizes[rel] = size;
    entries.push_back({std::string(prefix) + "/" + rel, it->path()});
  }
  if (ec) return fail("cannot read " + dir.string() + ": " + ec.message());
  return {};
}

// Removes the outputs this run wrote when a later step fails.
struct WrittenOutputs {
  std::vector<fs::path> paths;
  bool keep = false;
  ~WrittenOutputs() {
    if (keep) return;
    for (const auto& p : paths) {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  }
};

}  // namespace

int cmd_build(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Install the lock into .python_packages and write a reproducible deployment zip "
               "or container build context",
               "build"};
  std::string where = ".", output, lock_path, context_dir, base_image, report_path;
  std::optional<uint64_t> size_warning_mb;
  bool list_files = false, verbose = false;
  ResolveOptions resolve_options;
  app.add_option("APP_DIR", where, "app directory (default: .)");
  app.add_option("--python", resolve_options.python,
                 "target Python X.Y (default: python of funcpack.toml / [tool.funcpack], else the "
                 "lock's, else the runtime's)");
  app.add_option("-o,--output", output,
                 "the zip to write (default: dist/<APP_DIR name>.zip; with --container-context "
                 "only when given)");
  app.add_option("--container-context", context_dir,
                 "also (or, without -o, only) write a container build context directory");
  app.add_option("--base-image", base_image,
                 "base image of the container context (default: the runtime's image for the "
                 "target Python)");
  app.add_option("--lock", lock_path, "pylock.toml to install (default: resolve first)");
  add_resolve_options(app, resolve_options, /*with_python=*/false);
  app.add_option("--report", report_path, "write a JSON build report to FILE");
  app.add_option("--size-warning", size_warning_mb,
                 "warn when the unpacked size is over MB mebibytes (0: never; default: "
                 "size_warning_mb of funcpack.toml, else " +
                     std::to_string(kDefaultSizeWarningMiB) + ")");
  app.add_flag("--list-files", list_files, "print the paths that go in and write nothing");
  app.add_flag("-v,--verbose", verbose, "with --list-files: also the excluded paths and why");
  if (auto code = parse_command_line(app, args, out, err)) return *code;

  const std::string me = "funcpack build: ";
  if (!base_image.empty() && context_dir.empty()) {
    err << me << "--base-image needs --container-context\n";
    return 2;
  }
  if (!base_image.empty() &&
      std::any_of(base_image.begin(), base_image.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == '"'; })) {
    err << me << "--base-image: not an image reference: '" << base_image << "'\n";
    return 2;
  }
  auto layout = discover_app(where);
  if (!layout) {
    err << me << layout.error().message << "\n";
    return 2;
  }
  auto config = find_config(layout->root, std::nullopt);
  if (!config) {
    const Error& e = config.error();
    err << me << (e.location.str().empty() ? "" : e.location.str() + ": ") << e.message << "\n";
    return 2;
  }
  // The target Python: --python, else the app's configuration (python = "3.12"), else (when
  // resolving) the runtime profile's default; a given lock must agree with the first two.
  std::string python_from = "--python";
  if (resolve_options.python.empty() && config->python) {
    resolve_options.python = config->python->value;
    python_from = config->python->location.str() + " (python)";
  }
  const std::string& python = resolve_options.python;
  uint64_t size_warning_bytes = kDefaultSizeWarningMiB * 1024 * 1024;
  if (size_warning_mb) {
    size_warning_bytes = *size_warning_mb * 1024 * 1024;
  } else if (config->size_warning_mb) {
    size_warning_bytes = config->size_warning_mb->value * 1024 * 1024;
  }

  const bool write_zip_output = !output.empty() || context_dir.empty();
  fs::path out_path;
  if (write_zip_output) {
    out_path = output.empty() ? fs::path("dist") / (layout->root.filename().string() + ".zip")
                              : fs::path(output);
    out_path = fs::absolute(out_path).lexically_normal();
  }
  fs::path context_path;
  if (!context_dir.empty()) {
    context_path = fs::absolute(context_dir).lexically_normal();
    if (!context_path.has_filename()) context_path = context_path.parent_path();
  }

  FileListOptions list_options;
  if (!out_path.empty()) list_options.outputs.push_back(out_path);
  if (!context_path.empty()) list_options.outputs.push_back(context_path);
  if (!report_path.empty()) list_options.outputs.push_back(fs::absolute(report_path));
  // A lock made here is kept beside the main output (so the build can be repeated with
  // --lock); like the outputs, it never deploys, even when the output is inside the app.
  fs::path kept_lock;
  if (lock_path.empty()) {
    const fs::path& main_out = out_path.empty() ? context_path : out_path;
    kept_lock = main_out.parent_path() / (main_out.stem().string() + ".pylock.toml");
    list_options.outputs.push_back(kept_lock);
  }
  auto listing = list_deployment_files(*layout, list_options);
  if (!listing) {
    err << me << listing.error().message << "\n";
    return 2;
  }

  // The lock: given, or made now by the lock pipeline.
  auto staging = TempDir::create("funcpack-build");
  if (!staging) {
    err << me << staging.error().message << "\n";
    return 2;
  }
  // requirements.txt is read only to resolve (with --lock it may even be absent); its index
  // options then also apply to the downloads.
  RequirementsFile requirements;
  fs::path lock_file = lock_path.empty() ? fs::path() : fs::absolute(lock_path);
  std::string lock_bytes;
  if (lock_path.empty()) {
    DiagnosticSink sink;
    requirements = parse_requirements_file(layout->root / "requirements.txt", sink);
    for (const auto& d : sink.diagnostics()) err << format_diagnostic(d);
    if (sink.has_errors()) return 2;
    auto job = run_lock_job(resolve_options, requirements, requirements.entries, "funcpack build",
                            err);
    if (!job) {
      err << job.error().message;
      return job.error().exit_code;
    }
    // Written as it will be kept, beside the output: its paths are relative to there.
    lock_file = fs::absolute(kept_lock);
    auto text = write_pylock(job->resolution, lock_file.parent_path());
    if (!text) {
      err << me << text.error().message << "\n";
      return 2;
    }
    lock_bytes = std::move(*text);
  } else {
    auto text = read_file(lock_file);
    if (!text) {
      err << me << text.error().message << "\n";
      return 2;
    }
    lock_bytes = std::move(*text);
  }
  auto resolution = read_pylock(lock_bytes, lock_file);
  if (!resolution) {
    const Error& e = resolution.error();
    err << me << (e.location.str().empty() ? "" : e.location.str() + ": ") << e.message << "\n";
    return 2;
  }
  const Target& target = resolution->target;
  if (!python.empty() && python != target.python_version()) {
    err << me << lock_file.string() << " is for Python " << target.python_version()
        << ", not " << python << (python_from == "--python" ? "" : " as " + python_from + " says")
        << "\n";
    return 2;
  }
  const std::string lock_sha256 = sha256_hex(lock_bytes);
  const std::string policy_name = "manylinux_" + std::to_string(target.glibc_major) + "_" +
                                  std::to_string(target.glibc_minor);
  if (!context_path.empty() && base_image.empty()) {
    auto profile = RuntimeProfile::load();
    if (!profile) {
      err << me << profile.error().message << "\n";
      return 2;
    }
    const PythonRuntime* rt = profile->python(target.python_version());
    if (rt == nullptr || rt->base_image.empty()) {
      err << me << "no runtime image is known for Python " << target.python_version()
          << " (give --base-image IMAGE)\n";
      return 2;
    }
    base_image = rt->base_image;
  }

  // Bars only on the process's own stderr (a caller's stream is never a terminal).
  const ProgressMode progress = &err == &std::cerr ? stderr_progress_mode() : ProgressMode::kOff;
  auto bar_options = [progress](bool bytes) {
    ProgressOptions o;
    o.mode = progress;
    o.bytes = bytes;
    return o;
  };

  // Fetch and verify every pinned wheel, from the indexes lock would use.
  auto source_options = index_source_options(resolve_options, requirements.options);
  if (!source_options) {
    err << me << source_options.error().message << "\n";
    return 2;
  }
  // Direct references: git checkouts and local directories are built like sdists; the
  // credentials their requirements gave (when resolving here) are used again.
  GitCheckouts git = git_checkouts(*source_options, staging->path());
  IndexSource source(std::move(*source_options));
  std::vector<std::pair<const ResolvedPackage*, fs::path>> wheels;
  SourceBuilds sdist_builds(*sandbox_request(resolve_options, target.machine),
                            resolve_options.sandbox_python, target, source,
                            staging->path() / "built");
  DirectFetcher fetcher(source, git, staging->path() / "checkouts");
  const auto fetch_urls = fetch_urls_by_origin(requirements);
  ProgressBar fetch_bar(err, "fetch", resolution->packages.size(), bar_options(false));
  for (const auto& p : resolution->packages) {
    if (p.origin && p.origin->kind != DirectOrigin::Kind::kArchive) {
      auto got = fetcher.fetch(locked_reference(*p.origin, p.file, p.name, fetch_urls), target,
                               /*want_metadata=*/false);
      fetch_bar.interrupt();
      if (!got) {
        err << me << p.name << " " << p.version.str() << ": " << got.error().message << "\n";
        return 1;
      }
      const std::string shown = redact_url(p.file.url);
      auto built = sdist_builds.build({{}, got->local, p.name, p.version.str(), shown}, err);
      if (!built) {
        err << me << built.error().message << "\n";
        return 1;
      }
      out << "built " << built->wheel.filename().string() << " from " << shown << " in the "
          << sdist_builds.backend() << " sandbox (" << built->interpreter << ")\n";
      if (p.origin->editable)
        err << me << p.name << " is installed as a regular wheel: an editable install cannot "
            << "be deployed\n";
      wheels.emplace_back(&p, built->wheel);
      fetch_bar.advance();
      continue;
    }
    auto want = p.file.hashes.find("sha256");
    if (want == p.file.hashes.end()) {
      fetch_bar.interrupt();
      err << me << p.name << " " << p.version.str() << ": the lock has no sha256 for "
          << p.file.filename << "\n";
      return 1;
    }
    std::optional<fs::path> local;
    for (const auto& dir : resolve_options.find_links) {
      fs::path c = fs::path(dir) / p.file.filename;
      std::error_code stat_ec;  // unreadable entries are simply not candidates
      if (fs::is_regular_file(c, stat_ec)) {
        local = c;
        break;
      }
    }
    if (!local) {
      DistributionFile f = p.file;  // a direct URL's credentials, when its requirement gave some
      if (auto it = p.origin ? fetch_urls.find(p.origin->url) : fetch_urls.end();
          it != fetch_urls.end())
        f.url = it->second;
      auto got = source.download(f);
      if (!got) {
        fetch_bar.interrupt();
        err << me << p.name << " " << p.version.str() << ": " << got.error().message << "\n";
        return 1;
      }
      // The cache names artifacts by hash; installing and building read the file name.
      auto named = as_named(*got, p.file.filename, staging->path() / "downloads" / p.name);
      if (!named) {
        fetch_bar.interrupt();
        err << me << named.error().message << "\n";
        return 1;
      }
      local = *named;
    }
    auto digest = sha256_file(*local);
    if (!digest) {
      fetch_bar.interrupt();
      err << me << digest.error().message << "\n";
      return 1;
    }
    if (*digest != want->second) {
      fetch_bar.interrupt();
      err << me << "sha256 mismatch for " << p.file.filename << ": the lock says "
          << want->second << ", " << local->string() << " has " << *digest << "\n";
      return 1;
    }
    if (!p.is_wheel) {  // build it in the sandbox; the built wheel is installed like the others
      fetch_bar.interrupt();
      auto built = sdist_builds.build({*local, {}, p.name, p.version.str(), p.file.filename}, err);
      if (!built) {
        err << me << built.error().message << "\n";
        return 1;
      }
      out << "built " << built->wheel.filename().string() << " from " << p.file.filename
          << " in the " << sdist_builds.backend() << " sandbox (" << built->interpreter << ")\n";
      local = built->wheel;
    }
    wheels.emplace_back(&p, *local);
    fetch_bar.advance();
  }
  fetch_bar.finish();

  // Install.
  const fs::path site = staging->path() / "root" / kSitePackages;
  std::map<std::string, const InstalledWheel*> owner;  // installed path -> its distribution
  std::vector<InstalledWheel> installed_wheels;
  installed_wheels.reserve(wheels.size());
  ProgressBar install_bar(err, "install", wheels.size(), bar_options(false));
  // Every wheel goes through the install cache (install_cache.h): what a wheel ships unchanged
  // is copied into the zip verbatim instead of compressed again, and with a cache (not
  // --no-cache) a warm build neither unpacks nor compresses. Only wheels pinned by the lock are
  // kept in the cache; built sdists are installed uncached.
  InstallCache install_cache(resolve_options.no_cache     ? fs::path()
                             : resolve_options.cache_dir ? fs::path(*resolve_options.cache_dir)
                                                         : Cache::default_root(),
                             std::string(kSitePackages), zip_mtime_from_env().value_or(315532800));
  for (const auto& w : wheels) {
    auto installed = w.first->is_wheel
                         ? install_cache.install(w.second, w.first->file.hashes.at("sha256"), site)
                         : install_cache.install_uncached(w.second, site);
    if (!installed) {
      install_bar.interrupt();
      err << me << installed.error().message << "\n";
      return 1;
    }
    installed_wheels.push_back(std::move(*installed));
    install_bar.advance();
  }
  install_bar.finish();
  for (const auto& iw : installed_wheels) {
    for (const auto& f : iw.files) owner[f] = &iw;
  }

  // Audit against the target's manylinux ceiling.
  if (std::error_code site_ec; fs::exists(site, site_ec)) {
    auto policies = PolicySet::load("manylinux");
    if (!policies) {
      err << me << policies.error().message << "\n";
      return 2;
    }
    const PlatformPolicy* policy = policies->find(policy_name);
    if (!policy) {
      err << me << "unknown policy '" << policy_name << "'\n";
      return 2;
    }
    auto elves = collect_elf_files(site);
    if (!elves) {
      err << me << elves.error().message << "\n";
      return 1;
    }
    auto violations = check_policy(*elves, *policy, target.machine);
    if (!violations.empty()) {
      for (const auto& v : violations) {
        auto it = owner.find(v.path);
        // The message starts with the file's path.
        err << me
            << (it == owner.end() ? std::string("?")
                                  : it->second->name + " " + it->second->version)
            << ": " << v.message << "\n";
      }
      std::set<std::string> bad_files;
      for (const auto& v : violations) bad_files.insert(v.path);
      err << me << bad_files.size()
          << (bad_files.size() == 1 ? " file breaks " : " files break ") << policy_name << " (the runtime's glibc ceiling)\n";
      return 1;
    }
  }

  // The deployment: app files, then the installed packages.
  std::vector<ZipEntry> entries;
  std::vector<ReportFile> report_files;
  for (const auto& f : listing->included) {
    entries.push_back({f.path, f.source});
    report_files.push_back({f.path, f.size, ""});
  }
  std::map<std::string, uint64_t> installed_sizes;
  if (std::error_code site_ec; fs::exists(site, site_ec)) {
    if (auto walked = add_tree(site, kSitePackages, entries, installed_sizes); !walked) {
      err << me << walked.error().message << "\n";
      return 1;
    }
  }
  // Installed bytes per distribution, from what is on disk (RECORD and INSTALLER included).
  BuildReport report;
  std::map<const InstalledWheel*, size_t> package_index;
  for (const auto& iw : installed_wheels) {
    package_index[&iw] = report.packages.size();
    report.packages.push_back({iw.name, iw.version, 0, 0});
  }
  for (const auto& [rel, size] : installed_sizes) {
    auto it = owner.find(rel);
    report_files.push_back({std::string(kSitePackages) + "/" + rel, size,
                            it == owner.end() ? "?" : it->second->name});
    if (it != owner.end()) {
      ReportPackage& p = report.packages[package_index[it->second]];
      ++p.files;
      p.bytes += size;
    }
  }
  if (list_files) {
    std::sort(entries.begin(), entries.end(),
              [](const ZipEntry& a, const ZipEntry& b) { return a.path < b.path; });
    for (const auto& e : entries) out << e.path << "\n";
    if (verbose) {
      for (const auto& x : listing->excluded) {
        out << "excluded " << x.path << ": " << x.reason << "\n";
      }
    }
    return 0;
  }
  auto mtime = zip_mtime_from_env();
  if (!mtime) {
    err << me << mtime.error().message << "\n";
    return 2;
  }
  report.python = target.python_version();
  report.machine = target.machine;
  report.manylinux = policy_name;
  report.lock_sha256 = lock_sha256;
  report.size_warning_bytes = size_warning_bytes;

  WrittenOutputs written;
  std::error_code ec;
  if (!context_path.empty()) {
    fs::create_directories(context_path.parent_path(), ec);
    if (ec) {
      err << me << "cannot create " << context_path.parent_path().string() << ": "
          << ec.message() << "\n";
      return 2;
    }
    std::vector<std::string> deployed_app_files;
    for (const auto& f : listing->included) deployed_app_files.push_back(f.path);
    auto git = git_source(layout->root, deployed_app_files);
    if (!git) {
      err << me << git.error().message << "\n";
      return 2;
    }
    ContainerContextOptions copts;
    copts.base_image = base_image;
    copts.mtime = *mtime;
    copts.labels = container_labels(base_image, *mtime, *git, lock_sha256, target.python_version());
    std::vector<ContextFile> context_files;
    context_files.reserve(entries.size());
    for (const auto& e : entries) context_files.push_back({e.path, e.source});
    auto ctx = write_container_context(std::move(context_files), context_path, copts);
    if (!ctx) {
      err << me << ctx.error().message << "\n";
      // DIR that cannot be used (a file, or a directory funcpack did not write) is a usage
      // error; anything else (reading the staged files, writing) a build failure.
      const std::string& m = ctx.error().message;
      bool unusable = m.starts_with(context_path.string()) &&
                      (m.ends_with(": not a directory") || m.find(" exists and is not ") !=
                                                               std::string::npos);
      return unusable ? 2 : 1;
    }
    written.paths.push_back(context_path);
    report.outputs.push_back({"container-context", context_path.string(), ctx->sha256, ctx->bytes});
  }
  if (!out_path.empty()) {
    fs::create_directories(out_path.parent_path(), ec);
    if (ec) {
      err << me << "cannot create " << out_path.parent_path().string() << ": " << ec.message()
          << "\n";
      return 2;
    }
    uint64_t zip_total = 0;
    for (const auto& f : report_files) zip_total += f.bytes;
    ProgressBar zip_bar(err, "compress", zip_total, bar_options(true));
    ZipOptions zopts;
    zopts.mtime = *mtime;
    zopts.progress = [&zip_bar](uint64_t done, uint64_t total) {
      zip_bar.set_total(total);  // the writer's count is authoritative
      zip_bar.update(done);
    };
    // Entries whose bytes (or their place in a wheel) come from cache hits: "reused" below.
    const size_t from_cache = install_cache.attach(entries);
    zopts.record_layout = install_cache.enabled();
    auto summary = write_zip(std::move(entries), out_path, zopts);
    zip_bar.finish();
    if (!summary) {
      err << me << summary.error().message << "\n";
      return 1;
    }
    written.paths.push_back(out_path);
    if (install_cache.enabled()) {
      auto kept = install_cache.remember(out_path, *summary);
      if (verbose) {
        const InstallCacheStats& cs = install_cache.stats();
        err << "cache: " << cs.reused << " wheel" << (cs.reused == 1 ? "" : "s") << " reused, "
            << cs.unpacked << " unpacked, " << from_cache << " of " << summary->entries
            << " zip entries reused\n";
        if (!kept) err << "cache: not updated: " << kept.error().message << "\n";
      }
    }
    // The zip comes first in the report: it is the main artifact.
    report.outputs.insert(report.outputs.begin(),
                          {"zip", out_path.string(), summary->sha256, summary->zip_bytes});
  }
  if (!kept_lock.empty()) {
    if (auto w = write_file_atomic(kept_lock, lock_bytes); !w) {
      err << me << w.error().message << "\n";
      return 2;
    }
    written.paths.push_back(kept_lock);
    report.lock_path = kept_lock.string();
  } else {
    report.lock_path = lock_file.string();
  }
  summarise_build(report, report_files);
  if (!report_path.empty()) {
    const fs::path report_file = fs::absolute(report_path);
    fs::create_directories(report_file.parent_path(), ec);
    if (ec) {
      err << me << "cannot create " << report_file.parent_path().string() << ": "
          << ec.message() << "\n";
      return 2;
    }
    if (auto w = write_file_atomic(report_file, build_report_json(report)); !w) {
      err << me << w.error().message << "\n";
      return 2;
    }
  }
  written.keep = true;
  out << build_report_text(report);
  if (auto warning = build_report_size_warning(report)) err << me << *warning << "\n";
  return 0;
}

}  // namespace funcpack
