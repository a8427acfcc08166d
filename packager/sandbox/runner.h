// runner.h: runs one command of a source build inside a sandbox, with resource limits.
//
// Owns: choosing the backend (`--sandbox auto|bwrap|docker|podman|none`), turning a job (argv,
// environment, mounts, working directory) into the argv of bubblewrap or of a container engine,
// and running it with its output appended to a log file.
//
// Backends and what they promise:
//  - bwrap (bubblewrap): `--unshare-all` (no network: a fresh network namespace with only
//    loopback, on which nothing listens; fresh PID/IPC/UTS/cgroup namespaces), the root file
//    system read-only (the host's `/`, or `root` such as an exported manylinux image), a
//    private tmpfs on /tmp, fresh /dev and /proc, empty tmpfs over every `hide` path (the
//    invoking user's $HOME, /root, /home, /run: where host secrets live), only the job's
//    writable mounts writable, the environment cleared to exactly the job's (`--clearenv`),
//    `--new-session` (no TIOCSTI into the caller's terminal), `--die-with-parent`.
//    When funcpack runs as root, the child drops to nobody (65534:65534, no supplementary
//    groups) before exec'ing bwrap, which then runs unprivileged in a user namespace: a
//    process that is uid 0 without capabilities still reads root-owned files such as
//    /etc/shadow, nobody does not. The writable mounts are chowned to nobody first.
//  - docker / podman: `run --rm --network none --read-only --tmpfs /tmp` with the job's mounts
//    as bind volumes (`:ro` unless writable), `--user UID:GID` of the caller, `--env` for each
//    variable, `--memory`, `--ulimit cpu=`, `--pids-limit`, a fixed `--name` so a timed-out
//    container is killed by name (the client's death does not stop it).
//  - none: runs the command on the host with the job's environment and the limits, nothing
//    else; only when asked for, and callers print `kNoneWarning`.
// `auto` picks bwrap when a probe (`bwrap --unshare-all --ro-bind / / true`) succeeds, else
// docker or podman when `ENGINE info` answers, else fails saying how to proceed.
//
// Limits (every backend but docker/podman, which get them as engine flags): RLIMIT_CPU (soft
// N: SIGXCPU, hard N+2: SIGKILL) and
// RLIMIT_AS are set in the child before exec and inherited by everything it starts;
// RLIMIT_NPROC only when the child drops to nobody (it counts every process of the real uid,
// so for a normal user it would count their whole session); a wall-clock timer in the parent SIGKILLs the child's process group (bwrap's
// --die-with-parent and the PID namespace take the rest down with it).
//
// Traps: bwrap resolves the source of every bind as the (possibly dropped) calling user, so
// anything a job mounts or runs must be readable by nobody when funcpack runs as root (an
// interpreter under /root/.pyenv is not). Mount targets live under /tmp inside the sandbox,
// because the read-only root cannot grow new directories.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace funcpack {

enum class SandboxKind { kAuto, kBwrap, kDocker, kPodman, kNone };

// "auto" | "bwrap" | "docker" | "podman" | "none"; anything else is an Error
// "unknown sandbox 'X' (expected auto, bwrap, docker, podman or none)".
Result<SandboxKind> parse_sandbox_kind(std::string_view text);
std::string_view sandbox_kind_name(SandboxKind kind);

inline constexpr std::string_view kNoneWarning =
    "warning: --sandbox none builds on the host without isolation: the build can reach the "
    "network, read your files and write anywhere you can";

struct SandboxLimits {
  uint64_t cpu_seconds = 900;               // RLIMIT_CPU (per process)
  uint64_t memory_bytes = 4ULL << 30;       // RLIMIT_AS / --memory
  uint64_t processes = 512;                 // RLIMIT_NPROC / --pids-limit
  uint64_t wall_seconds = 1800;             // whole command
};

struct SandboxConfig {
  SandboxKind kind = SandboxKind::kNone;     // never kAuto once chosen
  std::filesystem::path root;                // bwrap: the read-only root; empty = host's /
  std::string engine;                        // docker/podman: the client program
  std::string image;                         // docker/podman: the image
  SandboxLimits limits;
  std::vector<std::filesystem::path> hide;   // bwrap: host paths masked by an empty tmpfs
  bool drop_to_nobody = false;               // bwrap: the child drops root (see above)
  std::string container_name;                // docker/podman: --name (killed on timeout)
};

struct SandboxMount {
  std::filesystem::path host;  // a directory or a file on the host
  std::string inside;          // where the job sees it (bwrap/engines; none: `host`)
  bool writable = false;
};

struct SandboxJob {
  std::vector<std::string> argv;  // argv[0] is a path as the job sees it
  std::vector<std::pair<std::string, std::string>> env;  // the whole environment
  std::vector<SandboxMount> mounts;
  std::string cwd;                // as the job sees it
};

// Where the job sees `m`: `m.inside`, or `m.host` for the none backend.
std::string inside_path(const SandboxConfig& config, const SandboxMount& m);

// The manylinux_2_28 image for an architecture ("x86_64" -> "quay.io/pypa/manylinux_2_28_x86_64").
std::string default_sandbox_image(std::string_view machine);

// The full argv that runs `job` under bwrap (argv[0] "bwrap"). Pure; see the file comment.
std::vector<std::string> bwrap_argv(const SandboxConfig& config, const SandboxJob& job);
// The full argv that runs `job` with `config.engine` (docker or podman). Pure.
std::vector<std::string> engine_argv(const SandboxConfig& config, const SandboxJob& job);

struct SandboxRequest {
  SandboxKind kind = SandboxKind::kAuto;
  std::filesystem::path root;  // --sandbox-root
  std::string image;           // --sandbox-image ("" = default_sandbox_image(machine))
  std::string machine = "x86_64";
};

// Resolves the request to a usable backend: checks that bwrap works (or the engine answers),
// that `root` is a directory, fills `hide`, `drop_to_nobody`, the image and a container name.
// Errors say what failed and how to proceed (install bubblewrap, start an engine, or pass
// --sandbox none to build without isolation).
Result<SandboxConfig> choose_sandbox(const SandboxRequest& request);

struct RunOutcome {
  int exit_code = -1;   // when the command exited
  int signal = 0;       // when it was killed by a signal
  bool timed_out = false;
  // "exited with status N", "killed by signal N (SIGNAME)", "CPU time limit (N s) exceeded",
  // "timed out after N s (wall-clock limit)".
  std::string describe(const SandboxLimits& limits) const;
  bool ok() const { return !timed_out && signal == 0 && exit_code == 0; }
};

// Runs `job` under `config`, appending its stdout and stderr to `log` (created if missing).
// Returns how it ended (a non-zero exit is an outcome, not an Error); an Error only when it
// could not be started: "cannot open LOG: reason", "cannot start PROGRAM: reason".
Result<RunOutcome> run_in_sandbox(const SandboxConfig& config, const SandboxJob& job,
                                  const std::filesystem::path& log);

}  // namespace funcpack
