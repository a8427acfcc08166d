#include "sandbox/interpreter.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>
#include <vector>

#include "base/fs.h"
#include "base/strings.h"

namespace funcpack {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> host_candidates(const std::string& exe, const std::string& xy) {
  std::vector<std::string> out;
  if (const char* path = std::getenv("PATH")) {
    for (auto dir : split(path, ':')) {
      if (dir.empty()) continue;
      fs::path p = fs::path(std::string(dir)) / exe;
      if (p.is_absolute()) out.push_back(p.string());
    }
  }
  fs::path pyenv;
  if (const char* r = std::getenv("PYENV_ROOT"); r && *r) {
    pyenv = r;
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    pyenv = fs::path(h) / ".pyenv";
  }
  std::error_code ec;
  if (!pyenv.empty() && fs::is_directory(pyenv / "versions", ec)) {
    std::vector<std::string> found;
    for (const auto& d : fs::directory_iterator(pyenv / "versions", ec)) {
      std::string v = d.path().filename().string();
      if (v.starts_with(xy + ".")) found.push_back((d.path() / "bin" / exe).string());
    }
    std::sort(found.rbegin(), found.rend());  // newest patch first (string order is enough
                                              // for a hint; the probe checks the version)
    out.insert(out.end(), found.begin(), found.end());
  }
  out.push_back("/usr/local/bin/" + exe);
  out.push_back("/usr/bin/" + exe);
  return out;
}

}  // namespace

Result<Interpreter> find_interpreter(const SandboxConfig& config, int major, int minor,
                                     const std::string& explicit_path, const fs::path& scratch) {
  const std::string xy = std::to_string(major) + "." + std::to_string(minor);
  const std::string exe = "python" + xy;
  const std::string manylinux = "/opt/python/cp" + std::to_string(major) + std::to_string(minor) +
                                "-cp" + std::to_string(major) + std::to_string(minor) +
                                "/bin/python";
  const bool engine = config.kind == SandboxKind::kDocker || config.kind == SandboxKind::kPodman;
  std::vector<std::string> candidates;
  if (!explicit_path.empty()) {
    candidates.push_back(explicit_path);
  } else if (engine) {
    candidates.push_back(manylinux);
  } else if (!config.root.empty()) {
    candidates = {manylinux, "/usr/local/bin/" + exe, "/usr/bin/" + exe};
  } else {
    candidates = host_candidates(exe, xy);
  }
  std::vector<std::string> tried;
  std::vector<std::string> seen;
  for (const auto& c : candidates) {
    if (std::find(seen.begin(), seen.end(), c) != seen.end()) continue;
    seen.push_back(c);
    // Existence is checked where the file lives (the host, or inside --sandbox-root); an
    // engine's image is only known by running it.
    if (!engine) {
      fs::path on_host = config.root.empty() ? fs::path(c) : config.root / fs::path(c).relative_path();
      std::error_code ec;
      if (!fs::exists(on_host, ec)) {
        if (!explicit_path.empty()) tried.push_back(c + " (not found)");
        continue;
      }
    }
    fs::path log = scratch / ("probe-" + std::to_string(seen.size()) + ".txt");
    SandboxJob job;
    job.argv = {c, "-S", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"};
    job.env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"LANG", "C.UTF-8"}};
    job.cwd = "/";
    auto ran = run_in_sandbox(config, job, log);
    auto text = read_file(log);
    std::error_code ec;
    fs::remove(log, ec);
    if (!ran) {
      tried.push_back(c + " (" + ran.error().message + ")");
      continue;
    }
    std::string out = text ? std::string(trim(*text)) : "";
    if (!ran->ok()) {
      tried.push_back(c + " (does not run in the sandbox: " + ran->describe(config.limits) + ")");
      continue;
    }
    if (!out.starts_with(xy + ".")) {
      tried.push_back(c + " (is Python " + out + ")");
      continue;
    }
    return Interpreter{c, out};
  }
  std::string msg = "no Python " + xy + " interpreter for the " +
                    std::string(sandbox_kind_name(config.kind)) + " sandbox";
  if (!tried.empty()) msg += ": tried " + join(tried, ", ");
  msg += "; install Python " + xy + " (Debian: python" + xy + ") or pass --sandbox-python PATH";
  return fail(msg);
}

}  // namespace funcpack
