// `funcpack build [APP_DIR] [--python X.Y] [-o dist/APP.zip] [--lock FILE] [--find-links DIR]...
// [--index-url URL] [--no-index] [--cache-dir DIR] [--list-files] [-v]`: turns an app directory
// into the deployment zip.
//
// Steps: get a lock (--lock FILE, else `funcpack lock` run in-process with the same index
// options; that lock is written beside the zip as `<stem>.pylock.toml` after a success), fetch each pinned wheel (a file of the same name in
// a --find-links directory, else the lock's URL through the index source and its cache) and
// check its sha256 against the lock, install each into staging
// `.python_packages/lib/site-packages` (wheel_install.h), audit every ELF file there against
// the target's manylinux ceiling, add the app's deployment files (app_files.h), and write the
// zip (zip_writer.h) atomically. The staging directory is removed afterwards.
// Exit codes: 0 built; 1 resolution, download, hash, install or policy failure; 2 usage or
// input errors. On any failure nothing is left at the output path.
// `--list-files` does everything but write the zip, then prints every path the zip would hold
// (sorted) and, with -v, every path left out of the app ("excluded PATH: reason").
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "app/cli.h"
#include "app/commands.h"
#include "base/fs.h"
#include "base/hash.h"
#include "inputs/app_files.h"
#include "inputs/runtime_profile.h"
#include "io/index_source.h"
#include "materialise/audit.h"
#include "materialise/wheel_install.h"
#include "materialise/zip_writer.h"
#include "resolve/lock.h"

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

std::string human_size(uint64_t n) {
  char buf[64];
  if (n < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  } else if (n < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1024.0 * 1024.0));
  }
  return buf;
}

// Adds every regular file under `dir` (relative to it, prefixed by `prefix`) to `entries`.
// Returns an Error "cannot read DIR: reason" when the walk fails.
Result<void> add_tree(const fs::path& dir, std::string_view prefix,
                      std::vector<ZipEntry>& entries) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || ec) continue;
    entries.push_back({std::string(prefix) + "/" +
                           it->path().lexically_relative(dir).generic_string(),
                       it->path()});
  }
  if (ec) return fail("cannot read " + dir.string() + ": " + ec.message());
  return {};
}

}  // namespace

int cmd_build(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Install the lock into .python_packages and write a reproducible deployment zip",
               "build"};
  std::string where = ".", python, output, lock_path, index_url, cache_dir;
  std::vector<std::string> find_links;
  bool no_index = false, list_files = false, verbose = false;
  app.add_option("APP_DIR", where, "app directory (default: .)");
  app.add_option("--python", python, "target Python X.Y (default: the lock's, else the runtime's)");
  app.add_option("-o,--output", output, "the zip to write (default: dist/<APP_DIR name>.zip)");
  app.add_option("--lock", lock_path, "pylock.toml to install (default: resolve first)");
  app.add_option("--find-links,-f", find_links, "directories with wheels");
  app.add_option("--index-url,-i", index_url, "base URL of the package index");
  app.add_flag("--no-index", no_index, "use only --find-links");
  app.add_option("--cache-dir", cache_dir, "cache directory");
  app.add_flag("--list-files", list_files, "print the paths that go in and write nothing");
  app.add_flag("-v,--verbose", verbose, "with --list-files: also the excluded paths and why");
  if (auto code = parse_command_line(app, args, out, err)) return *code;

  const std::string me = "funcpack build: ";
  auto layout = discover_app(where);
  if (!layout) {
    err << me << layout.error().message << "\n";
    return 2;
  }
  fs::path out_path = output.empty()
                          ? fs::path("dist") / (layout->root.filename().string() + ".zip")
                          : fs::path(output);
  out_path = fs::absolute(out_path).lexically_normal();

  FileListOptions list_options;
  list_options.outputs.push_back(out_path);
  auto listing = list_deployment_files(*layout, list_options);
  if (!listing) {
    err << me << listing.error().message << "\n";
    return 2;
  }

  // The lock: given, or made now by `funcpack lock` into the staging directory.
  auto staging = TempDir::create("funcpack-build");
  if (!staging) {
    err << me << staging.error().message << "\n";
    return 2;
  }
  fs::path lock_file = lock_path;
  if (lock_path.empty()) {
    lock_file = staging->path() / "pylock.toml";
    std::vector<std::string> lock_args = {layout->root.string(), "-o", lock_file.string()};
    if (!python.empty()) lock_args.insert(lock_args.end(), {"--python", python});
    if (!index_url.empty()) lock_args.insert(lock_args.end(), {"--index-url", index_url});
    for (const auto& f : find_links) lock_args.insert(lock_args.end(), {"--find-links", f});
    if (no_index) lock_args.push_back("--no-index");
    if (!cache_dir.empty()) lock_args.insert(lock_args.end(), {"--cache-dir", cache_dir});
    std::ostringstream lock_out;
    int rc = cmd_lock(lock_args, lock_out, err);
    if (rc != 0) {
      err << me << "could not lock the app's requirements (give --lock FILE to use an "
                   "existing pylock.toml)\n";
      return rc;
    }
  }
  auto lock_text = read_file(lock_file);
  if (!lock_text) {
    err << me << lock_text.error().message << "\n";
    return 2;
  }
  auto resolution = read_pylock(*lock_text, lock_file);
  if (!resolution) {
    const Error& e = resolution.error();
    err << me << (e.location.str().empty() ? "" : e.location.str() + ": ") << e.message << "\n";
    return 2;
  }
  const Target& target = resolution->target;
  if (!python.empty() && python != target.python_version()) {
    err << me << lock_file.string() << " is for Python " << target.python_version()
        << ", not " << python << "\n";
    return 2;
  }

  // Fetch and verify every pinned wheel.
  IndexSourceOptions source_options;
  if (!index_url.empty()) source_options.index_url = index_url;
  source_options.find_links = find_links;
  source_options.no_index = no_index;
  if (!cache_dir.empty()) source_options.cache_dir = fs::path(cache_dir);
  IndexSource source(source_options);
  std::vector<std::pair<const ResolvedPackage*, fs::path>> wheels;
  for (const auto& p : resolution->packages) {
    if (!p.is_wheel) {
      err << me << p.name << " " << p.version.str() << ": the lock pins an sdist ("
          << p.file.filename << "); funcpack build installs wheels only\n";
      return 1;
    }
    auto want = p.file.hashes.find("sha256");
    if (want == p.file.hashes.end()) {
      err << me << p.name << " " << p.version.str() << ": the lock has no sha256 for "
          << p.file.filename << "\n";
      return 1;
    }
    std::optional<fs::path> local;
    for (const auto& dir : find_links) {
      fs::path c = fs::path(dir) / p.file.filename;
      if (fs::is_regular_file(c)) {
        local = c;
        break;
      }
    }
    if (!local) {
      auto got = source.download(p.file);
      if (!got) {
        err << me << p.name << " " << p.version.str() << ": " << got.error().message << "\n";
        return 1;
      }
      local = *got;
    }
    auto digest = sha256_file(*local);
    if (!digest) {
      err << me << digest.error().message << "\n";
      return 1;
    }
    if (*digest != want->second) {
      err << me << "sha256 mismatch for " << p.file.filename << ": the lock says "
          << want->second << ", " << local->string() << " has " << *digest << "\n";
      return 1;
    }
    wheels.emplace_back(&p, *local);
  }

  // Install.
  const fs::path site = staging->path() / "root" / kSitePackages;
  std::map<std::string, std::string> owner;  // installed path -> "name version"
  uint64_t package_bytes = 0;
  for (const auto& w : wheels) {
    auto installed = install_wheel(w.second, site);
    if (!installed) {
      err << me << installed.error().message << "\n";
      return 1;
    }
    package_bytes += installed->bytes;
    for (const auto& f : installed->files) owner[f] = installed->name + " " + installed->version;
  }

  // Audit against the target's manylinux ceiling.
  if (fs::exists(site)) {
    std::string policy_name = "manylinux_" + std::to_string(target.glibc_major) + "_" +
                              std::to_string(target.glibc_minor);
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
        err << me << (it == owner.end() ? std::string("?") : it->second) << ": " << v.message
            << "\n";
      }
      std::set<std::string> bad_files;
      for (const auto& v : violations) bad_files.insert(v.path);
      err << me << bad_files.size()
          << (bad_files.size() == 1 ? " file breaks " : " files break ") << policy_name << " (the runtime's glibc ceiling)\n";
      return 1;
    }
  }

  // The zip: app files, then the installed packages.
  std::vector<ZipEntry> entries;
  uint64_t app_bytes = 0;
  for (const auto& f : listing->included) {
    entries.push_back({f.path, f.source});
    app_bytes += f.size;
  }
  if (fs::exists(site)) {
    if (auto walked = add_tree(site, kSitePackages, entries); !walked) {
      err << me << walked.error().message << "\n";
      return 1;
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
  std::error_code ec;
  fs::create_directories(out_path.parent_path(), ec);
  if (ec) {
    err << me << "cannot create " << out_path.parent_path().string() << ": " << ec.message()
        << "\n";
    return 2;
  }
  auto summary = write_zip(std::move(entries), out_path, ZipOptions{*mtime});
  if (!summary) {
    err << me << summary.error().message << "\n";
    return 1;
  }
  // A lock made here is kept beside the zip, so the build can be repeated with --lock.
  fs::path kept_lock;
  if (lock_path.empty()) {
    kept_lock = out_path.parent_path() / (out_path.stem().string() + ".pylock.toml");
    if (auto w = write_file_atomic(kept_lock, *lock_text); !w) {
      err << me << w.error().message << "\n";
      fs::remove(out_path, ec);
      return 2;
    }
  }
  out << "built " << out_path.string() << "\n"
      << "  files:    " << summary->entries << " (" << listing->included.size() << " app, "
      << summary->entries - listing->included.size() << " from " << wheels.size()
      << " package" << (wheels.size() == 1 ? "" : "s") << ")\n"
      << "  size:     " << human_size(summary->uncompressed_bytes) << " unpacked (app "
      << human_size(app_bytes) << ", packages " << human_size(package_bytes) << "), "
      << human_size(summary->zip_bytes) << " zipped\n"
      << "  target:   Python " << target.python_version() << ", " << target.machine
      << ", manylinux_" << target.glibc_major << "_" << target.glibc_minor << "\n"
      << "  sha256:   " << summary->sha256 << "\n";
  if (!kept_lock.empty()) out << "  lock:     " << kept_lock.string() << "\n";
  return 0;
}

}  // namespace funcpack
