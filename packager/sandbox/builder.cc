#include "sandbox/builder.h"

#include <archive.h>
#include <archive_entry.h>
#include <gnu/libc-version.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "base/fs.h"
#include "base/strings.h"
#include "materialise/wheel_install.h"
#include "resolve/resolver.h"
#include "sandbox/build_system.h"
#include "sandbox/frontend.h"
#include "sandbox/interpreter.h"
#include "sandbox/retag.h"
#include "spec/package_name.h"
#include "spec/wheel_filename.h"

#include <nlohmann/json.hpp>

namespace funcpack {

namespace fs = std::filesystem;

namespace {

constexpr const char* kInside = "/tmp/funcpack";

bool safe_relative(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos)
    return false;
  for (auto part : split(name, '/'))
    if (part == "..") return false;
  return true;
}

void append_log(const fs::path& log, const std::string& line) {
  std::ofstream out(log, std::ios::app);
  out << line << "\n";
}

// "name version" of every package of a resolution, for the log and the result.
std::vector<std::string> describe(const Resolution& r) {
  std::vector<std::string> out;
  for (const auto& p : r.packages) out.push_back(p.name + " " + p.version.str());
  return out;
}

}  // namespace

std::vector<std::string> last_lines(std::string_view text, size_t n) {
  std::vector<std::string> lines;
  for (auto l : split(text, '\n')) lines.emplace_back(l);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.size() > n) lines.erase(lines.begin(), lines.end() - static_cast<long>(n));
  return lines;
}

Result<fs::path> unpack_sdist(const fs::path& archive_path, const fs::path& dest) {
  const std::string fname = archive_path.filename().string();
  auto bad = [&](const std::string& why) { return fail(fname + ": " + why); };
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return bad("cannot create " + dest.string() + ": " + ec.message());
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_zip(a);
  if (archive_read_open_filename(a, archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    std::string e = archive_error_string(a) ? archive_error_string(a) : "cannot open";
    archive_read_free(a);
    return bad(e);
  }
  std::set<std::string> tops;
  struct archive_entry* e;
  int rc;
  std::string problem;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    while (name.starts_with("./")) name = name.substr(2);
    while (name.ends_with("/")) name.pop_back();
    if (name.empty() || name == ".") continue;
    if (!safe_relative(name)) {
      problem = "unsafe entry '" + name + "' (absolute or with '..')";
      break;
    }
    tops.insert(name.substr(0, name.find('/')));
    fs::path target = dest / name;
    auto type = archive_entry_filetype(e);
    if (type == AE_IFDIR) {
      fs::create_directories(target, ec);
    } else if (type == AE_IFREG) {
      fs::create_directories(target.parent_path(), ec);
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      char buf[65536];
      la_ssize_t n;
      while ((n = archive_read_data(a, buf, sizeof buf)) > 0) out.write(buf, n);
      if (n < 0 || !out) {
        problem = "cannot extract '" + name + "'";
        break;
      }
      out.close();
      fs::permissions(target,
                      (archive_entry_perm(e) & 0111) ? fs::perms(0755) : fs::perms(0644), ec);
    } else if (type == AE_IFLNK) {
      std::string to = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
      fs::path resolved = (fs::path(name).parent_path() / to).lexically_normal();
      if (to.empty() || to.front() == '/' || !safe_relative(resolved.generic_string())) {
        problem = "symlink '" + name + "' points outside the tree";
        break;
      }
      fs::create_directories(target.parent_path(), ec);
      fs::create_symlink(to, target, ec);
    } else {
      problem = "unsupported entry '" + name + "' (not a file, directory or symlink)";
      break;
    }
    if (ec) {
      problem = "cannot extract '" + name + "': " + ec.message();
      break;
    }
  }
  if (problem.empty() && rc != ARCHIVE_EOF)
    problem = archive_error_string(a) ? archive_error_string(a) : "read error";
  archive_read_free(a);
  if (!problem.empty()) return bad(problem);
  if (tops.size() == 1 && fs::is_directory(dest / *tops.begin())) return dest / *tops.begin();
  return dest;
}

Result<BuiltWheel> build_sdist(const SdistToBuild& dist, const Target& target,
                               const SdistBuildOptions& options, IndexSource& source,
                               const PolicySet& policies, const fs::path& out_dir) {
  const std::string who = dist.name + " " + dist.version;
  auto bad = [&](const std::string& why) { return fail(who + ": " + why); };
  const SandboxConfig& sb = options.sandbox;

  auto work = TempDir::create("funcpack-sdist");
  if (!work) return bad(work.error().message);
  std::error_code ec;
  // The dropped sandbox user traverses the work directory to reach its mounts.
  fs::permissions(work->path(), fs::perms(0755), ec);
  const fs::path log = work->path() / "build.log";
  const fs::path out = work->path() / "out", env = work->path() / "env",
                 home = work->path() / "home", frontend = work->path() / "frontend.py";
  for (const auto& d : {out, env, home}) fs::create_directories(d, ec);
  if (ec) return bad("cannot create the work directory: " + ec.message());
  if (auto w = write_file_atomic(frontend, pep517_frontend_script()); !w)
    return bad(w.error().message);
  const std::string sdist_name =
      dist.filename.empty() ? dist.sdist.filename().string() : dist.filename;
  append_log(log, "funcpack: building " + sdist_name + " in the " +
                      std::string(sandbox_kind_name(sb.kind)) + " sandbox");

  // On failure the log moves to a directory of its own, kept for the user.
  auto keep_log = [&]() -> std::string {
    auto dir = TempDir::create("funcpack-build-log");
    if (!dir) return log.string();
    fs::path kept = dir->path() / (dist.name + "-" + dist.version + ".log");
    std::error_code e2;
    fs::copy_file(log, kept, fs::copy_options::overwrite_existing, e2);
    if (e2) return log.string();
    dir->release();
    return kept.string();
  };
  auto fail_with_log = [&](const std::string& why) {
    std::string msg = who + ": " + why;
    auto text = read_file(log);
    if (text) {
      auto tail = last_lines(*text, kLogTailLines);
      msg += "\n  last " + std::to_string(tail.size()) + " lines of the build log:";
      for (const auto& l : tail) msg += "\n    " + l;
    }
    msg += "\n  full log: " + keep_log();
    return fail(msg);
  };

  auto src = unpack_sdist(dist.sdist, work->path() / "src");
  if (!src) {  // the message starts with the file's (maybe hashed) name
    std::string m = src.error().message;
    return bad(sdist_name + m.substr(m.find(':')));
  }

  auto interp = find_interpreter(sb, target.python_major, target.python_minor, options.python,
                                 work->path());
  if (!interp) return bad(interp.error().message);

  auto bs = read_build_system(*src);
  if (!bs) {
    const Error& e = bs.error();
    return bad((e.location.str().empty() ? "" : e.location.str() + ": ") + e.message);
  }

  // The build environment's target: the sandbox's interpreter on the build host's libc.
  Target build_target = target;
  build_target.python_full_version = interp->version;
  if (sb.kind == SandboxKind::kNone || (sb.kind == SandboxKind::kBwrap && sb.root.empty())) {
    std::string v = gnu_get_libc_version();
    auto parts = split(v, '.');
    if (parts.size() >= 2) {
      build_target.glibc_major = std::atoi(std::string(parts[0]).c_str());
      build_target.glibc_minor = std::atoi(std::string(parts[1]).c_str());
    }
  }

  std::set<std::string> installed;
  std::vector<std::string> installed_desc;
  auto provide = [&](const std::vector<Requirement>& reqs,
                     const std::vector<std::string>& texts) -> Result<void> {
    if (reqs.empty()) return {};
    ResolveRequest request;
    request.requirements = reqs;
    request.target = build_target;
    request.binary = BinaryPolicy::only_wheels();
    auto resolution = resolve(source, request);
    if (!resolution)
      return fail("cannot resolve the build requirements (" + join(texts, ", ") +
                  ") for Python " + interp->version + ":\n" + resolution.error().message);
    append_log(log, "funcpack: build requirements: " + join(describe(*resolution), ", "));
    for (const auto& p : resolution->packages) {
      if (installed.count(p.name)) continue;
      auto file = source.download(p.file);
      if (!file) return fail("build requirement " + p.name + " " + p.version.str() + ": " +
                             file.error().message);
      // The cache names artifacts by hash; install_wheel reads the name from the file name.
      fs::path named = work->path() / "wheels" / p.file.filename;
      std::error_code e2;
      fs::create_directories(named.parent_path(), e2);
      fs::copy_file(*file, named, fs::copy_options::overwrite_existing, e2);
      if (e2) return fail("cannot copy " + file->string() + ": " + e2.message());
      auto done = install_wheel(named, env);
      if (!done) return fail("build requirement " + done.error().message);
      installed.insert(p.name);
      installed_desc.push_back(p.name + " " + p.version.str());
    }
    return {};
  };
  if (auto p = provide(bs->requires_, bs->requires_text); !p) return bad(p.error().message);

  const std::vector<SandboxMount> mounts = {
      {*src, std::string(kInside) + "/src", true},
      {out, std::string(kInside) + "/out", true},
      {home, std::string(kInside) + "/home", true},
      {env, std::string(kInside) + "/env", false},
      {frontend, std::string(kInside) + "/frontend.py", false},
  };
  auto at = [&](size_t i) { return inside_path(sb, mounts[i]); };
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  nlohmann::json paths = bs->backend_path;
  auto run_hook = [&](const std::string& hook) -> Result<nlohmann::json> {
    SandboxJob job;
    job.argv = {interp->path, "-S", "-u", "-B", at(4), at(3), at(0), at(1), hook, bs->backend,
                paths.dump()};
    job.env = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
               {"HOME", at(2)},
               {"TMPDIR", sb.kind == SandboxKind::kNone ? at(2) : "/tmp"},
               {"LANG", "C.UTF-8"},
               {"LC_ALL", "C.UTF-8"},
               {"PYTHONPATH", at(3)},
               {"PYTHONNOUSERSITE", "1"},
               {"PYTHONDONTWRITEBYTECODE", "1"},
               {"PIP_NO_INDEX", "1"},
               {"SOURCE_DATE_EPOCH", sde && *sde ? sde : "315532800"}};
    job.mounts = mounts;
    job.cwd = at(0);
    append_log(log, "funcpack: running " + hook + " with " + interp->path + " (Python " +
                        interp->version + ")");
    auto ran = run_in_sandbox(sb, job, log);
    if (!ran) return fail(ran.error().message);
    if (!ran->ok()) return fail(hook + " failed: " + ran->describe(sb.limits));
    auto answer = read_file(out / (hook + ".json"));
    if (!answer) return fail(hook + " gave no answer (" + answer.error().message + ")");
    auto parsed = nlohmann::json::parse(*answer, nullptr, false);
    if (parsed.is_discarded()) return fail(hook + " gave an answer that is not JSON");
    return parsed;
  };

  auto extra = run_hook("get_requires_for_build_wheel");
  if (!extra) return fail_with_log(extra.error().message);
  if (!extra->is_array()) return fail_with_log("get_requires_for_build_wheel did not return a list");
  std::vector<Requirement> more = bs->requires_;
  std::vector<std::string> more_text = bs->requires_text;
  bool added = false;
  for (const auto& r : *extra) {
    if (!r.is_string()) return fail_with_log("get_requires_for_build_wheel returned a non-string");
    auto req = Requirement::parse(r.get<std::string>());
    if (!req)
      return fail_with_log("get_requires_for_build_wheel returned '" + r.get<std::string>() +
                           "': " + req.error().message);
    more.push_back(*req);
    more_text.push_back(r.get<std::string>());
    added = true;
  }
  if (added) {
    if (auto p = provide(more, more_text); !p) return bad(p.error().message);
  }

  auto built = run_hook("build_wheel");
  if (!built) return fail_with_log(built.error().message);
  if (!built->is_string()) return fail_with_log("build_wheel did not return a file name");
  const std::string wheel_name = built->get<std::string>();
  fs::path wheel = out / "wheel" / wheel_name;
  if (wheel_name.find('/') != std::string::npos || !fs::is_regular_file(wheel))
    return fail_with_log("build_wheel returned '" + wheel_name + "', which it did not write");
  auto wf = WheelFilename::parse(wheel_name);
  if (!wf) return bad("the backend built '" + wheel_name + "': " + wf.error().message);
  auto locked_version = Version::parse(dist.version);
  if (normalize_name(wf->name) != normalize_name(dist.name) || !locked_version ||
      !(wf->version == *locked_version))
    return bad("the backend built " + wheel_name + ", not " + who + " as the lock pins");

  std::string policy_name = "manylinux_" + std::to_string(target.glibc_major) + "_" +
                            std::to_string(target.glibc_minor);
  const PlatformPolicy* policy = policies.find(policy_name);
  if (!policy) return bad("unknown policy '" + policy_name + "'");
  auto retagged = audit_and_retag(wheel, policies, *policy, target.machine, out);
  if (!retagged) return bad(retagged.error().message);
  fs::path final_path = out_dir / retagged->wheel.filename();
  fs::copy_file(retagged->wheel, final_path, fs::copy_options::overwrite_existing, ec);
  if (ec) return bad("cannot copy the built wheel to " + out_dir.string() + ": " + ec.message());
  std::sort(installed_desc.begin(), installed_desc.end());
  return BuiltWheel{final_path, interp->path + " (" + interp->version + ")", retagged->best,
                    installed_desc};
}

SourceBuilds::SourceBuilds(SandboxRequest request, std::string python, const Target& target,
                           IndexSource& source, fs::path out_dir)
    : request_(std::move(request)),
      python_(std::move(python)),
      target_(target),
      source_(source),
      out_dir_(std::move(out_dir)) {}

Result<BuiltWheel> SourceBuilds::build(const SdistToBuild& dist, std::ostream& warnings) {
  if (!options_) {
    auto chosen = choose_sandbox(request_);
    if (!chosen) return fail(dist.name + " " + dist.version + ": " + chosen.error().message);
    if (chosen->kind == SandboxKind::kNone) warnings << kNoneWarning << "\n";
    auto policies = PolicySet::load("manylinux");
    if (!policies) return fail(policies.error().message);
    policies_ = std::move(*policies);
    options_ = SdistBuildOptions{*chosen, python_};
    std::error_code ec;
    fs::create_directories(out_dir_, ec);
    if (ec) return fail("cannot create " + out_dir_.string() + ": " + ec.message());
  }
  return build_sdist(dist, target_, *options_, source_, *policies_, out_dir_);
}

}  // namespace funcpack
