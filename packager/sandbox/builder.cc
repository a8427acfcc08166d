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
#include "io/wheel_metadata.h"
#include "materialise/wheel_install.h"
#include "resolve/resolver.h"
#include "sandbox/build_system.h"
#include "sandbox/frontend.h"
#include "sandbox/interpreter.h"
#include "sandbox/retag.h"
#include "spec/metadata.h"
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

Result<void> copy_source_tree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return fail("cannot create " + to.string() + ": " + ec.message());
  auto skipped = [](const fs::directory_entry& e) {
    std::string name = e.path().filename().string();
    if (name == ".git" || name == ".hg" || name == ".svn" || name == "__pycache__") return true;
    std::error_code e2;
    return e.is_directory(e2) && fs::exists(e.path() / "pyvenv.cfg", e2);
  };
  fs::recursive_directory_iterator it(from, fs::directory_options::none, ec), end;
  if (ec) return fail("cannot read " + from.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    const fs::directory_entry& e = *it;
    if (skipped(e)) {
      it.disable_recursion_pending();
      continue;
    }
    const fs::path rel = e.path().lexically_relative(from);
    const fs::path dest = to / rel;
    std::error_code e2;
    if (e.is_symlink(e2)) {
      // A symlink is copied as what it points at; a directory link is not followed (it may
      // lead anywhere, even into a cycle).
      if (fs::is_directory(e.path(), e2))
        return fail(e.path().string() + ": a symbolic link to a directory (not followed; copy "
                    "the directory into the project instead)");
      if (!fs::is_regular_file(e.path(), e2))
        return fail(e.path().string() + ": a symbolic link to nothing readable");
      fs::copy_file(e.path(), dest, fs::copy_options::overwrite_existing, e2);
    } else if (e.is_directory(e2)) {
      fs::create_directories(dest, e2);
    } else if (e.is_regular_file(e2)) {
      fs::copy_file(e.path(), dest, fs::copy_options::overwrite_existing, e2);
    } else {
      continue;  // sockets, fifos, devices: not source
    }
    if (e2) return fail("cannot copy " + e.path().string() + ": " + e2.message());
  }
  if (ec) return fail("cannot read " + from.string() + ": " + ec.message());
  return {};
}

namespace {

// One PEP 517 build of a source: the work directory, the log, the interpreter, the build
// environment with build-system.requires (and what get_requires_for_build_wheel adds), and
// the hooks run in the sandbox. open() does steps 1-5 of builder.h; wheel() and metadata()
// the rest.
class BuildSession {
 public:
  BuildSession(const SourceToBuild& dist, const Target& target, const SdistBuildOptions& options,
               IndexSource& source)
      : dist_(dist),
        target_(target),
        sb_(options.sandbox),
        python_(options.python),
        source_(source),
        who_(dist.name.empty() ? dist.display
                               : dist.name + (dist.version.empty() ? "" : " " + dist.version)) {}

  Result<void> open();
  Result<fs::path> wheel();           // the built wheel, named and versioned as dist says
  Result<std::string> metadata();     // the core metadata text the backend reports
  const Interpreter& interpreter() const { return *interp_; }
  std::vector<std::string> build_requirements() const {
    std::vector<std::string> out = installed_desc_;
    std::sort(out.begin(), out.end());
    return out;
  }
  const fs::path& out_dir() const { return out_; }

 private:
  Error bad(const std::string& why) const { return Error{who_ + ": " + why, {}}; }
  Error fail_with_log(const std::string& why);
  Result<void> provide(const std::vector<Requirement>& reqs, const std::vector<std::string>& texts);
  Result<nlohmann::json> run_hook(const std::string& hook);
  Result<void> check_name(const std::string& name, const Version& version,
                          const std::string& what) const;

  const SourceToBuild& dist_;
  const Target& target_;
  const SandboxConfig& sb_;
  std::string python_;
  IndexSource& source_;
  std::string who_;
  std::optional<TempDir> work_;
  fs::path log_, out_, env_, home_, frontend_, src_;
  std::optional<Interpreter> interp_;
  std::optional<BuildSystem> bs_;
  Target build_target_;
  std::set<std::string> installed_;
  std::vector<std::string> installed_desc_;
  std::vector<SandboxMount> mounts_;
};

Error BuildSession::fail_with_log(const std::string& why) {
  std::string msg = who_ + ": " + why;
  if (auto text = read_file(log_)) {
    auto tail = last_lines(*text, kLogTailLines);
    msg += "\n  last " + std::to_string(tail.size()) + " lines of the build log:";
    for (const auto& l : tail) msg += "\n    " + l;
  }
  // The log moves to a directory of its own, kept for the user.
  std::string kept = log_.string();
  if (auto dir = TempDir::create("funcpack-build-log")) {
    fs::path target = dir->path() / (dist_.name + (dist_.version.empty() ? "" : "-" + dist_.version) + ".log");
    std::error_code ec;
    fs::copy_file(log_, target, fs::copy_options::overwrite_existing, ec);
    if (!ec) {
      dir->release();
      kept = target.string();
    }
  }
  msg += "\n  full log: " + kept;
  return Error{msg, {}};
}

Result<void> BuildSession::open() {
  auto work = TempDir::create("funcpack-sdist");
  if (!work) return std::unexpected(bad(work.error().message));
  work_.emplace(std::move(*work));
  std::error_code ec;
  // The dropped sandbox user traverses the work directory to reach its mounts.
  fs::permissions(work_->path(), fs::perms(0755), ec);
  log_ = work_->path() / "build.log";
  out_ = work_->path() / "out";
  env_ = work_->path() / "env";
  home_ = work_->path() / "home";
  frontend_ = work_->path() / "frontend.py";
  for (const auto& d : {out_, env_, home_}) fs::create_directories(d, ec);
  if (ec) return std::unexpected(bad("cannot create the work directory: " + ec.message()));
  if (auto w = write_file_atomic(frontend_, pep517_frontend_script()); !w)
    return std::unexpected(bad(w.error().message));
  const std::string display = !dist_.display.empty() ? dist_.display
                              : !dist_.sdist.empty()  ? dist_.sdist.filename().string()
                                                      : dist_.tree.string();
  append_log(log_, "funcpack: building " + display + " in the " +
                       std::string(sandbox_kind_name(sb_.kind)) + " sandbox");

  if (!dist_.sdist.empty()) {
    auto src = unpack_sdist(dist_.sdist, work_->path() / "src");
    if (!src) {  // the message starts with the file's (maybe hashed) name
      std::string m = src.error().message;
      return std::unexpected(bad(display + m.substr(m.find(':'))));
    }
    src_ = *src;
  } else {
    src_ = work_->path() / "src";
    if (auto copied = copy_source_tree(dist_.tree, src_); !copied)
      return std::unexpected(bad(copied.error().message));
  }

  auto interp = find_interpreter(sb_, target_.python_major, target_.python_minor, python_,
                                 work_->path());
  if (!interp) return std::unexpected(bad(interp.error().message));
  interp_ = *interp;

  auto bs = read_build_system(src_);
  if (!bs) {
    const Error& e = bs.error();
    return std::unexpected(bad((e.location.str().empty() ? "" : e.location.str() + ": ") + e.message));
  }
  bs_ = std::move(*bs);

  // The build environment's target: the sandbox's interpreter on the build host's libc.
  build_target_ = target_;
  build_target_.python_full_version = interp_->version;
  if (sb_.kind == SandboxKind::kNone || (sb_.kind == SandboxKind::kBwrap && sb_.root.empty())) {
    std::string v = gnu_get_libc_version();
    auto parts = split(v, '.');
    if (parts.size() >= 2) {
      build_target_.glibc_major = std::atoi(std::string(parts[0]).c_str());
      build_target_.glibc_minor = std::atoi(std::string(parts[1]).c_str());
    }
  }
  if (auto p = provide(bs_->requires_, bs_->requires_text); !p)
    return std::unexpected(bad(p.error().message));

  mounts_ = {
      {src_, std::string(kInside) + "/src", true},
      {out_, std::string(kInside) + "/out", true},
      {home_, std::string(kInside) + "/home", true},
      {env_, std::string(kInside) + "/env", false},
      {frontend_, std::string(kInside) + "/frontend.py", false},
  };

  auto extra = run_hook("get_requires_for_build_wheel");
  if (!extra) return std::unexpected(fail_with_log(extra.error().message));
  if (!extra->is_array())
    return std::unexpected(fail_with_log("get_requires_for_build_wheel did not return a list"));
  std::vector<Requirement> more = bs_->requires_;
  std::vector<std::string> more_text = bs_->requires_text;
  bool added = false;
  for (const auto& r : *extra) {
    if (!r.is_string())
      return std::unexpected(fail_with_log("get_requires_for_build_wheel returned a non-string"));
    auto req = Requirement::parse(r.get<std::string>());
    if (!req)
      return std::unexpected(fail_with_log("get_requires_for_build_wheel returned '" +
                                           r.get<std::string>() + "': " + req.error().message));
    more.push_back(*req);
    more_text.push_back(r.get<std::string>());
    added = true;
  }
  if (added) {
    if (auto p = provide(more, more_text); !p) return std::unexpected(bad(p.error().message));
  }
  return {};
}

Result<void> BuildSession::provide(const std::vector<Requirement>& reqs,
                                   const std::vector<std::string>& texts) {
  if (reqs.empty()) return {};
  ResolveRequest request;
  request.requirements = reqs;
  request.target = build_target_;
  request.binary = BinaryPolicy::only_wheels();
  auto resolution = resolve(source_, request);
  if (!resolution)
    return fail("cannot resolve the build requirements (" + join(texts, ", ") +
                ") for Python " + interp_->version + ":\n" + resolution.error().message);
  append_log(log_, "funcpack: build requirements: " + join(describe(*resolution), ", "));
  for (const auto& p : resolution->packages) {
    if (installed_.count(p.name)) continue;
    auto file = source_.download(p.file);
    if (!file)
      return fail("build requirement " + p.name + " " + p.version.str() + ": " + file.error().message);
    // The cache names artifacts by hash; install_wheel reads the name from the file name.
    auto named = as_named(*file, p.file.filename, work_->path() / "wheels");
    if (!named) return std::unexpected(named.error());
    auto done = install_wheel(*named, env_);
    if (!done) return fail("build requirement " + done.error().message);
    installed_.insert(p.name);
    installed_desc_.push_back(p.name + " " + p.version.str());
  }
  return {};
}

Result<nlohmann::json> BuildSession::run_hook(const std::string& hook) {
  auto at = [&](size_t i) { return inside_path(sb_, mounts_[i]); };
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  SandboxJob job;
  job.argv = {interp_->path, "-S", "-u", "-B", at(4), at(3), at(0), at(1), hook, bs_->backend,
              nlohmann::json(bs_->backend_path).dump()};
  job.env = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
             {"HOME", at(2)},
             {"TMPDIR", sb_.kind == SandboxKind::kNone ? at(2) : "/tmp"},
             {"LANG", "C.UTF-8"},
             {"LC_ALL", "C.UTF-8"},
             {"PYTHONPATH", at(3)},
             {"PYTHONNOUSERSITE", "1"},
             {"PYTHONDONTWRITEBYTECODE", "1"},
             {"PIP_NO_INDEX", "1"},
             {"SOURCE_DATE_EPOCH", sde && *sde ? sde : "315532800"}};
  job.mounts = mounts_;
  job.cwd = at(0);
  append_log(log_, "funcpack: running " + hook + " with " + interp_->path + " (Python " +
                       interp_->version + ")");
  auto ran = run_in_sandbox(sb_, job, log_);
  if (!ran) return fail(ran.error().message);
  if (!ran->ok()) return fail(hook + " failed: " + ran->describe(sb_.limits));
  auto answer = read_file(out_ / (hook + ".json"));
  if (!answer) return fail(hook + " gave no answer (" + answer.error().message + ")");
  auto parsed = nlohmann::json::parse(*answer, nullptr, false);
  if (parsed.is_discarded()) return fail(hook + " gave an answer that is not JSON");
  return parsed;
}

Result<void> BuildSession::check_name(const std::string& name, const Version& version,
                                      const std::string& what) const {
  if (!dist_.name.empty() && normalize_name(name) != normalize_name(dist_.name))
    return std::unexpected(bad("the backend built " + what + ", not " + dist_.name));
  if (!dist_.version.empty()) {
    auto locked = Version::parse(dist_.version);
    if (!locked || !(version == *locked))
      return std::unexpected(bad("the backend built " + what + ", not " + who_ + " as the lock pins"));
  }
  return {};
}

Result<fs::path> BuildSession::wheel() {
  auto built = run_hook("build_wheel");
  if (!built) return std::unexpected(fail_with_log(built.error().message));
  if (!built->is_string()) return std::unexpected(fail_with_log("build_wheel did not return a file name"));
  const std::string wheel_name = built->get<std::string>();
  fs::path wheel = out_ / "wheel" / wheel_name;
  if (wheel_name.find('/') != std::string::npos || !fs::is_regular_file(wheel))
    return std::unexpected(
        fail_with_log("build_wheel returned '" + wheel_name + "', which it did not write"));
  auto wf = WheelFilename::parse(wheel_name);
  if (!wf) return std::unexpected(bad("the backend built '" + wheel_name + "': " + wf.error().message));
  if (auto ok = check_name(wf->name, wf->version, wheel_name); !ok) return std::unexpected(ok.error());
  return wheel;
}

Result<std::string> BuildSession::metadata() {
  auto answer = run_hook("prepare_metadata_for_build_wheel");
  if (!answer) return std::unexpected(fail_with_log(answer.error().message));
  auto name_of = [&](const char* key) -> std::string {
    if (!answer->is_object() || !answer->contains(key) || !(*answer)[key].is_string()) return "";
    return (*answer)[key].get<std::string>();
  };
  std::string text;
  if (std::string dir = name_of("metadata"); !dir.empty()) {
    fs::path md = out_ / "metadata" / dir / "METADATA";
    if (dir.find('/') != std::string::npos || !fs::is_regular_file(md))
      return std::unexpected(fail_with_log("prepare_metadata_for_build_wheel returned '" + dir +
                                           "', which holds no METADATA"));
    auto read = read_file(md);
    if (!read) return std::unexpected(bad(read.error().message));
    text = std::move(*read);
  } else if (std::string wheel = name_of("wheel"); !wheel.empty()) {
    fs::path w = out_ / "wheel" / wheel;
    if (wheel.find('/') != std::string::npos || !fs::is_regular_file(w))
      return std::unexpected(
          fail_with_log("build_wheel returned '" + wheel + "', which it did not write"));
    auto bytes = read_file(w);
    if (!bytes) return std::unexpected(bad(bytes.error().message));
    auto md = wheel_metadata(*bytes, normalize_name(dist_.name));
    if (!md) return std::unexpected(bad(wheel + ": " + md.error().message));
    text = std::move(*md);
  } else {
    return std::unexpected(fail_with_log("prepare_metadata_for_build_wheel gave no answer"));
  }
  auto parsed = CoreMetadata::parse(text, "METADATA");
  if (!parsed) return std::unexpected(bad("the backend's metadata: " + parsed.error().message));
  if (auto ok = check_name(parsed->name, parsed->version, parsed->name + " " + parsed->version.str());
      !ok)
    return std::unexpected(ok.error());
  append_log(log_, "funcpack: metadata of " + parsed->name + " " + parsed->version.str());
  return text;
}

}  // namespace

Result<BuiltWheel> build_source(const SourceToBuild& dist, const Target& target,
                                const SdistBuildOptions& options, IndexSource& source,
                                const PolicySet& policies, const fs::path& out_dir) {
  BuildSession session(dist, target, options, source);
  if (auto opened = session.open(); !opened) return std::unexpected(opened.error());
  auto wheel = session.wheel();
  if (!wheel) return std::unexpected(wheel.error());
  const std::string who = dist.name + (dist.version.empty() ? "" : " " + dist.version);
  std::string policy_name = "manylinux_" + std::to_string(target.glibc_major) + "_" +
                            std::to_string(target.glibc_minor);
  const PlatformPolicy* policy = policies.find(policy_name);
  if (!policy) return fail(who + ": unknown policy '" + policy_name + "'");
  auto retagged = audit_and_retag(*wheel, policies, *policy, target.machine, session.out_dir());
  if (!retagged) return fail(who + ": " + retagged.error().message);
  fs::path final_path = out_dir / retagged->wheel.filename();
  std::error_code ec;
  fs::copy_file(retagged->wheel, final_path, fs::copy_options::overwrite_existing, ec);
  if (ec)
    return fail(who + ": cannot copy the built wheel to " + out_dir.string() + ": " + ec.message());
  const Interpreter& interp = session.interpreter();
  return BuiltWheel{final_path, interp.path + " (" + interp.version + ")", retagged->best,
                    session.build_requirements()};
}

Result<std::string> build_metadata(const SourceToBuild& dist, const Target& target,
                                   const SdistBuildOptions& options, IndexSource& source) {
  BuildSession session(dist, target, options, source);
  if (auto opened = session.open(); !opened) return std::unexpected(opened.error());
  return session.metadata();
}

SourceBuilds::SourceBuilds(SandboxRequest request, std::string python, const Target& target,
                           IndexSource& source, fs::path out_dir)
    : request_(std::move(request)),
      python_(std::move(python)),
      target_(target),
      source_(source),
      out_dir_(std::move(out_dir)) {}

Result<void> SourceBuilds::start(const SourceToBuild& dist, std::ostream& warnings) {
  if (!options_) {
    auto chosen = choose_sandbox(request_);
    if (!chosen)
      return fail(dist.name + (dist.version.empty() ? "" : " " + dist.version) + ": " +
                  chosen.error().message);
    if (chosen->kind == SandboxKind::kNone) warnings << kNoneWarning << "\n";
    auto policies = PolicySet::load("manylinux");
    if (!policies) return fail(policies.error().message);
    policies_ = std::move(*policies);
    options_ = SdistBuildOptions{*chosen, python_};
    std::error_code ec;
    fs::create_directories(out_dir_, ec);
    if (ec) return fail("cannot create " + out_dir_.string() + ": " + ec.message());
  }
  return {};
}

Result<BuiltWheel> SourceBuilds::build(const SourceToBuild& dist, std::ostream& warnings) {
  if (auto ok = start(dist, warnings); !ok) return std::unexpected(ok.error());
  return build_source(dist, target_, *options_, source_, *policies_, out_dir_);
}

Result<std::string> SourceBuilds::metadata(const SourceToBuild& dist, std::ostream& warnings) {
  if (auto ok = start(dist, warnings); !ok) return std::unexpected(ok.error());
  return build_metadata(dist, target_, *options_, source_);
}

}  // namespace funcpack
