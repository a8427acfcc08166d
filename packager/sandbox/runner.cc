#include "sandbox/runner.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

namespace funcpack {

namespace fs = std::filesystem;

namespace {

constexpr unsigned kNobody = 65534;

// The absolute path of `program` (searched on this process's PATH when it has no '/'), or "".
std::string find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0 ? program : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + program;
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return "";
}

struct Spawn {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "K=V"
  int out_fd = -1;               // stdout and stderr
  const SandboxLimits* limits = nullptr;
  bool drop_to_nobody = false;
  uint64_t wall_seconds = 0;
  std::vector<std::string> on_timeout;  // a command run after the kill (docker kill NAME)
  std::string cwd;                      // chdir in the child (none backend)
};

// Forks, applies limits (and the privilege drop) in the child, execs; waits with the wall
// clock. The program is looked up on PATH in the parent: nothing in the child allocates.
Result<RunOutcome> spawn(const Spawn& s) {
  std::string program = find_program(s.argv.at(0));
  if (program.empty())
    return fail("cannot start " + s.argv[0] + ": " +
                (s.argv[0].find('/') == std::string::npos ? "not found on PATH"
                                                          : "no such executable file"));
  std::vector<char*> argv, envp;
  for (const auto& a : s.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : s.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) return fail(std::string("cannot open /dev/null: ") + std::strerror(errno));
  int err_pipe[2];  // exec failure errno travels back through a close-on-exec pipe
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(devnull);
    return fail(std::string("cannot start " + program + ": ") + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(devnull);
    close(err_pipe[0]);
    close(err_pipe[1]);
    return fail("cannot start " + program + ": " + std::strerror(e));
  }
  if (pid == 0) {
    setpgid(0, 0);
    dup2(devnull, 0);
    dup2(s.out_fd, 1);
    dup2(s.out_fd, 2);
    if (s.limits) {
      // SIGXCPU at the soft limit (a clear cause), SIGKILL 2 s later if it is ignored.
      struct rlimit cpu{s.limits->cpu_seconds, s.limits->cpu_seconds + 2};
      struct rlimit as{s.limits->memory_bytes, s.limits->memory_bytes};
      struct rlimit nproc{s.limits->processes, s.limits->processes};
      setrlimit(RLIMIT_CPU, &cpu);
      setrlimit(RLIMIT_AS, &as);
      if (s.drop_to_nobody) setrlimit(RLIMIT_NPROC, &nproc);
    }
    int fail_errno = 0;
    if (!s.cwd.empty() && chdir(s.cwd.c_str()) != 0) fail_errno = errno;
    if (fail_errno == 0 && s.drop_to_nobody) {
      if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0)
        fail_errno = errno;
    }
    if (fail_errno == 0) {
      execve(program.c_str(), argv.data(), envp.data());
      fail_errno = errno;
    }
    ssize_t ignored = write(err_pipe[1], &fail_errno, sizeof fail_errno);
    (void)ignored;
    _exit(127);
  }
  setpgid(pid, pid);  // also in the parent: no race with the kill below
  close(devnull);
  close(err_pipe[1]);
  int child_errno = 0;
  ssize_t got = read(err_pipe[0], &child_errno, sizeof child_errno);
  close(err_pipe[0]);
  RunOutcome outcome;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(s.wall_seconds);
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (s.wall_seconds && std::chrono::steady_clock::now() >= deadline && !outcome.timed_out) {
      outcome.timed_out = true;
      kill(-pid, SIGKILL);
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (got == static_cast<ssize_t>(sizeof child_errno) && child_errno != 0)
    return fail("cannot start " + program + ": " + std::strerror(child_errno));
  if (outcome.timed_out && !s.on_timeout.empty()) {
    Spawn k;
    k.argv = s.on_timeout;
    for (char** e = environ; *e; ++e) k.env.push_back(*e);
    k.out_fd = s.out_fd;
    k.wall_seconds = 30;
    (void)spawn(k);
  }
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  return outcome;
}

bool probe(const std::vector<std::string>& argv, uint64_t wall_seconds) {
  int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  Spawn s;
  s.argv = argv;
  for (char** e = environ; *e; ++e) s.env.push_back(*e);
  s.out_fd = fd;
  s.wall_seconds = wall_seconds;
  auto r = spawn(s);
  close(fd);
  return r && r->ok();
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGKILL: return "SIGKILL";
    case SIGXCPU: return "SIGXCPU";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGTERM: return "SIGTERM";
    case SIGBUS: return "SIGBUS";
    default: return "";
  }
}

// chown -R nobody: the dropped child must be able to write the writable mounts.
Result<void> give_to_nobody(const fs::path& p) {
  if (lchown(p.c_str(), kNobody, kNobody) != 0)
    return fail("cannot chown " + p.string() + ": " + std::strerror(errno));
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(p, ec))) return {};
  for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
    if (lchown(it->path().c_str(), kNobody, kNobody) != 0)
      return fail("cannot chown " + it->path().string() + ": " + std::strerror(errno));
  }
  if (ec) return fail("cannot read " + p.string() + ": " + ec.message());
  return {};
}

}  // namespace

Result<SandboxKind> parse_sandbox_kind(std::string_view text) {
  if (text == "auto") return SandboxKind::kAuto;
  if (text == "bwrap") return SandboxKind::kBwrap;
  if (text == "docker") return SandboxKind::kDocker;
  if (text == "podman") return SandboxKind::kPodman;
  if (text == "none") return SandboxKind::kNone;
  return fail("unknown sandbox '" + std::string(text) +
              "' (expected auto, bwrap, docker, podman or none)");
}

std::string_view sandbox_kind_name(SandboxKind kind) {
  switch (kind) {
    case SandboxKind::kAuto: return "auto";
    case SandboxKind::kBwrap: return "bwrap";
    case SandboxKind::kDocker: return "docker";
    case SandboxKind::kPodman: return "podman";
    case SandboxKind::kNone: return "none";
  }
  return "?";
}

std::string inside_path(const SandboxConfig& config, const SandboxMount& m) {
  return config.kind == SandboxKind::kNone ? m.host.string() : m.inside;
}

std::string default_sandbox_image(std::string_view machine) {
  return "quay.io/pypa/manylinux_2_28_" + std::string(machine);
}

std::vector<std::string> bwrap_argv(const SandboxConfig& config, const SandboxJob& job) {
  std::vector<std::string> a = {"bwrap", "--unshare-all", "--die-with-parent", "--new-session",
                                "--hostname", "funcpack-sandbox", "--ro-bind",
                                config.root.empty() ? "/" : config.root.string(), "/",
                                "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"};
  for (const auto& h : config.hide) a.insert(a.end(), {"--tmpfs", h.string()});
  for (const auto& m : job.mounts)
    a.insert(a.end(), {m.writable ? "--bind" : "--ro-bind", m.host.string(), m.inside});
  if (!job.cwd.empty()) a.insert(a.end(), {"--chdir", job.cwd});
  a.push_back("--clearenv");
  for (const auto& [k, v] : job.env) a.insert(a.end(), {"--setenv", k, v});
  a.push_back("--");
  a.insert(a.end(), job.argv.begin(), job.argv.end());
  return a;
}

std::vector<std::string> engine_argv(const SandboxConfig& config, const SandboxJob& job) {
  const SandboxLimits& l = config.limits;
  std::vector<std::string> a = {config.engine, "run", "--rm"};
  if (!config.container_name.empty()) a.insert(a.end(), {"--name", config.container_name});
  a.insert(a.end(), {"--network", "none", "--read-only", "--tmpfs", "/tmp:rw,exec,size=2g",
                     "--security-opt", "no-new-privileges",
                     "--user", std::to_string(getuid()) + ":" + std::to_string(getgid()),
                     "--memory", std::to_string(l.memory_bytes),
                     "--pids-limit", std::to_string(l.processes),
                     "--ulimit", "cpu=" + std::to_string(l.cpu_seconds) + ":" +
                                     std::to_string(l.cpu_seconds + 2)});
  for (const auto& m : job.mounts)
    a.insert(a.end(), {"--volume", m.host.string() + ":" + m.inside + (m.writable ? "" : ":ro")});
  if (!job.cwd.empty()) a.insert(a.end(), {"--workdir", job.cwd});
  for (const auto& [k, v] : job.env) a.insert(a.end(), {"--env", k + "=" + v});
  a.push_back(config.image);
  a.insert(a.end(), job.argv.begin(), job.argv.end());
  return a;
}

Result<SandboxConfig> choose_sandbox(const SandboxRequest& request) {
  SandboxConfig c;
  const char* how =
      "install bubblewrap (apt-get install bubblewrap) or start docker/podman, or pass "
      "--sandbox none to build on the host without isolation";
  if (!request.root.empty()) {
    if (request.kind != SandboxKind::kBwrap && request.kind != SandboxKind::kAuto)
      return fail("--sandbox-root works with the bwrap sandbox only");
    if (!fs::is_directory(request.root))
      return fail("--sandbox-root " + request.root.string() + ": not a directory");
  }
  bool root = geteuid() == 0;
  auto bwrap_works = [&] {
    if (find_program("bwrap").empty()) return false;
    // The probe runs as the build will (dropped to nobody when root).
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    Spawn s;
    s.argv = {"bwrap", "--unshare-all", "--ro-bind", "/", "/", "true"};
    for (char** e = environ; *e; ++e) s.env.push_back(*e);
    s.out_fd = fd;
    s.drop_to_nobody = root;
    s.wall_seconds = 20;
    auto r = spawn(s);
    close(fd);
    return r && r->ok();
  };
  auto engine_answers = [&](const std::string& engine) {
    return !find_program(engine).empty() &&
           probe({engine, "info", "--format", "{{.ServerVersion}}"}, 20);
  };
  SandboxKind kind = request.kind;
  if (kind == SandboxKind::kAuto) {
    if (bwrap_works()) {
      kind = SandboxKind::kBwrap;
    } else if (!request.root.empty()) {
      return fail("the bwrap sandbox does not work here (bwrap --unshare-all failed or is not "
                  "installed), and --sandbox-root needs it; " + std::string(how));
    } else if (engine_answers("docker")) {
      kind = SandboxKind::kDocker;
    } else if (engine_answers("podman")) {
      kind = SandboxKind::kPodman;
    } else {
      return fail(std::string("no sandbox available to build sdists: bwrap does not work here "
                              "and no docker or podman engine answers; ") + how);
    }
  } else if (kind == SandboxKind::kBwrap) {
    if (!bwrap_works())
      return fail("--sandbox bwrap: bubblewrap does not work here (`bwrap --unshare-all` "
                  "failed or bwrap is not installed); install bubblewrap, allow unprivileged "
                  "user namespaces, or choose another --sandbox");
  } else if (kind == SandboxKind::kDocker || kind == SandboxKind::kPodman) {
    std::string engine(sandbox_kind_name(kind));
    if (!engine_answers(engine))
      return fail("--sandbox " + engine + ": `" + engine + " info` does not answer (is the " +
                  engine + " engine running?)");
  }
  c.kind = kind;
  c.root = request.root;
  if (kind == SandboxKind::kBwrap) {
    c.drop_to_nobody = root;
    // Host secrets live in home directories and /run; mask them (those that exist in the root).
    std::vector<fs::path> hide = {"/root", "/home", "/run"};
    if (const char* home = std::getenv("HOME"); home && *home && request.root.empty())
      hide.emplace_back(home);
    std::error_code ec;
    fs::path base = request.root.empty() ? fs::path("/") : request.root;
    for (const auto& h : hide) {
      fs::path on_host = base / h.relative_path();
      if (!fs::is_directory(on_host, ec) || fs::is_symlink(on_host, ec)) continue;
      fs::path norm = h.lexically_normal();
      bool covered = false;
      for (const auto& done : c.hide)
        if (norm.string().starts_with(done.string() + "/") || norm == done) covered = true;
      if (!covered) c.hide.push_back(norm);
    }
  }
  if (kind == SandboxKind::kDocker || kind == SandboxKind::kPodman) {
    c.engine = std::string(sandbox_kind_name(kind));
    c.image = request.image.empty() ? default_sandbox_image(request.machine) : request.image;
    std::random_device rd;
    c.container_name = "funcpack-build-" + std::to_string(getpid()) + "-" + std::to_string(rd() % 100000);
  }
  return c;
}

std::string RunOutcome::describe(const SandboxLimits& limits) const {
  if (timed_out)
    return "timed out after " + std::to_string(limits.wall_seconds) + " s (wall-clock limit)";
  if (signal == SIGXCPU)
    return "CPU time limit (" + std::to_string(limits.cpu_seconds) + " s) exceeded";
  if (signal != 0) {
    std::string n = signal_name(signal);
    return "killed by signal " + std::to_string(signal) + (n.empty() ? "" : " (" + n + ")");
  }
  return "exited with status " + std::to_string(exit_code);
}

Result<RunOutcome> run_in_sandbox(const SandboxConfig& config, const SandboxJob& job,
                                  const fs::path& log) {
  int fd = open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot open " + log.string() + ": " + std::strerror(errno));
  Spawn s;
  s.out_fd = fd;
  s.wall_seconds = config.limits.wall_seconds;
  for (const auto& [k, v] : job.env) s.env.push_back(k + "=" + v);
  switch (config.kind) {
    case SandboxKind::kBwrap:
      s.argv = bwrap_argv(config, job);
      s.limits = &config.limits;
      s.drop_to_nobody = config.drop_to_nobody;
      if (config.drop_to_nobody) {
        for (const auto& m : job.mounts) {
          if (!m.writable) continue;
          if (auto g = give_to_nobody(m.host); !g) {
            close(fd);
            return std::unexpected(g.error());
          }
        }
      }
      break;
    case SandboxKind::kDocker:
    case SandboxKind::kPodman:
      s.argv = engine_argv(config, job);
      // The engine client needs the caller's environment (DOCKER_HOST, XDG_RUNTIME_DIR...).
      s.env.clear();
      for (char** e = environ; *e; ++e) s.env.push_back(*e);
      s.on_timeout = {config.engine, "kill", config.container_name};
      break;
    case SandboxKind::kNone:
      s.argv = job.argv;
      s.limits = &config.limits;
      break;
    case SandboxKind::kAuto:
      close(fd);
      return fail("internal error: the sandbox was not chosen");
  }
  if (config.kind == SandboxKind::kNone) s.cwd = job.cwd;
  Result<RunOutcome> r = spawn(s);
  close(fd);
  return r;
}

}  // namespace funcpack
