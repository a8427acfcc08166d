#include "sandbox/runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/fs.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

SandboxJob sample_job() {
  SandboxJob job;
  job.argv = {"/usr/bin/python3.11", "-S", "/tmp/funcpack/frontend.py", "build_wheel"};
  job.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/tmp/funcpack/home"}};
  job.mounts = {{"/w/src", "/tmp/funcpack/src", true}, {"/w/env", "/tmp/funcpack/env", false}};
  job.cwd = "/tmp/funcpack/src";
  return job;
}

TEST(SandboxKind, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(*parse_sandbox_kind("auto"), SandboxKind::kAuto);
  EXPECT_EQ(*parse_sandbox_kind("bwrap"), SandboxKind::kBwrap);
  EXPECT_EQ(*parse_sandbox_kind("docker"), SandboxKind::kDocker);
  EXPECT_EQ(*parse_sandbox_kind("podman"), SandboxKind::kPodman);
  EXPECT_EQ(*parse_sandbox_kind("none"), SandboxKind::kNone);
  auto bad = parse_sandbox_kind("chroot");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "unknown sandbox 'chroot' (expected auto, bwrap, docker, podman or none)");
  EXPECT_EQ(sandbox_kind_name(SandboxKind::kPodman), "podman");
}

TEST(BwrapArgv, IsExact) {
  SandboxConfig c;
  c.kind = SandboxKind::kBwrap;
  c.hide = {"/root", "/home/me"};
  EXPECT_EQ(bwrap_argv(c, sample_job()),
            (std::vector<std::string>{
                "bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--hostname",
                "funcpack-sandbox", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--tmpfs", "/tmp", "--tmpfs", "/root", "--tmpfs", "/home/me",
                "--bind", "/w/src", "/tmp/funcpack/src", "--ro-bind", "/w/env", "/tmp/funcpack/env",
                "--chdir", "/tmp/funcpack/src", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
                "--setenv", "HOME", "/tmp/funcpack/home", "--", "/usr/bin/python3.11", "-S",
                "/tmp/funcpack/frontend.py", "build_wheel"}));
  c.root = "/images/manylinux";
  c.hide.clear();
  auto a = bwrap_argv(c, sample_job());
  EXPECT_EQ(std::vector<std::string>(a.begin() + 6, a.begin() + 9),
            (std::vector<std::string>{"--ro-bind", "/images/manylinux", "/"}));
}

TEST(EngineArgv, IsExactForDockerAndPodman) {
  SandboxConfig c;
  c.kind = SandboxKind::kDocker;
  c.engine = "docker";
  c.image = default_sandbox_image("x86_64");
  c.container_name = "funcpack-build-1";
  c.limits = SandboxLimits{60, 1ULL << 30, 100, 120};
  std::string user = std::to_string(getuid()) + ":" + std::to_string(getgid());
  std::vector<std::string> want = {
      "docker", "run", "--rm", "--name", "funcpack-build-1", "--network", "none", "--read-only",
      "--tmpfs", "/tmp:rw,exec,size=2g", "--security-opt", "no-new-privileges", "--user", user,
      "--memory", "1073741824", "--pids-limit", "100", "--ulimit", "cpu=60:62",
      "--volume", "/w/src:/tmp/funcpack/src", "--volume", "/w/env:/tmp/funcpack/env:ro",
      "--workdir", "/tmp/funcpack/src", "--env", "PATH=/usr/bin:/bin",
      "--env", "HOME=/tmp/funcpack/home", "quay.io/pypa/manylinux_2_28_x86_64",
      "/usr/bin/python3.11", "-S", "/tmp/funcpack/frontend.py", "build_wheel"};
  EXPECT_EQ(engine_argv(c, sample_job()), want);
  c.kind = SandboxKind::kPodman;
  c.engine = "podman";
  want[0] = "podman";
  EXPECT_EQ(engine_argv(c, sample_job()), want);
  EXPECT_EQ(default_sandbox_image("aarch64"), "quay.io/pypa/manylinux_2_28_aarch64");
}

TEST(InsidePath, IsTheHostPathWithoutSandbox) {
  SandboxMount m{"/w/src", "/tmp/funcpack/src", true};
  SandboxConfig c;
  c.kind = SandboxKind::kNone;
  EXPECT_EQ(inside_path(c, m), "/w/src");
  c.kind = SandboxKind::kBwrap;
  EXPECT_EQ(inside_path(c, m), "/tmp/funcpack/src");
}

TEST(ChooseSandbox, RejectsARootThatIsNotADirectory) {
  SandboxRequest r;
  r.kind = SandboxKind::kBwrap;
  r.root = "/nonexistent-funcpack-root";
  auto c = choose_sandbox(r);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "--sandbox-root /nonexistent-funcpack-root: not a directory");
  r.kind = SandboxKind::kDocker;
  r.root = "/";
  EXPECT_EQ(choose_sandbox(r).error().message,
            "--sandbox-root works with the bwrap sandbox only");
}

TEST(ChooseSandbox, NoneNeedsNothing) {
  SandboxRequest r;
  r.kind = SandboxKind::kNone;
  auto c = choose_sandbox(r);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->kind, SandboxKind::kNone);
  EXPECT_TRUE(c->hide.empty());
}

// The limits, on the none backend (no isolation needed to see them work).
class RunLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("funcpack-runner-test");
    ASSERT_TRUE(t);
    dir_ = std::make_unique<TempDir>(std::move(*t));
    config_.kind = SandboxKind::kNone;
  }
  RunOutcome run(std::vector<std::string> argv) {
    SandboxJob job;
    job.argv = std::move(argv);
    job.env = {{"PATH", "/usr/bin:/bin"}, {"MARK", "seen"}};
    job.cwd = dir_->path().string();
    auto r = run_in_sandbox(config_, job, dir_->path() / "log");
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RunOutcome{};
  }
  std::string log() { return *read_file(dir_->path() / "log"); }
  std::unique_ptr<TempDir> dir_;
  SandboxConfig config_;
};

TEST_F(RunLimits, EnvironmentIsExactlyTheJobsAndOutputGoesToTheLog) {
  auto o = run({"/bin/sh", "-c", "env | sort; pwd; echo err >&2; exit 7"});
  EXPECT_EQ(o.describe(config_.limits), "exited with status 7");
  EXPECT_FALSE(o.ok());
  EXPECT_EQ(log(), "MARK=seen\nPATH=/usr/bin:/bin\nPWD=" + dir_->path().string() + "\n" +
                       dir_->path().string() + "\nerr\n");
}

TEST_F(RunLimits, WallClockKillsTheWholeProcessGroup) {
  config_.limits.wall_seconds = 1;
  auto start = std::chrono::steady_clock::now();
  // The grandchild would outlive a kill of the shell alone and keep the log open.
  auto o = run({"/bin/sh", "-c", "sleep 30 & sleep 30; echo never"});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(o.timed_out);
  EXPECT_EQ(o.describe(config_.limits), "timed out after 1 s (wall-clock limit)");
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_EQ(log(), "");
}

TEST_F(RunLimits, CpuTimeLimitStopsABusyLoop) {
  config_.limits.cpu_seconds = 1;
  auto o = run({"/bin/sh", "-c", "while :; do :; done"});
  EXPECT_EQ(o.describe(config_.limits), "CPU time limit (1 s) exceeded");
}

TEST_F(RunLimits, MemoryLimitRefusesAHugeAllocation) {
  config_.limits.memory_bytes = 256ULL << 20;
  auto o = run({"/usr/bin/python3", "-S", "-c",
                "try:\n b = bytearray(512 * 1024 * 1024)\nexcept MemoryError:\n print('MemoryError')"});
  EXPECT_TRUE(o.ok()) << o.describe(config_.limits);
  EXPECT_EQ(log(), "MemoryError\n");
}

TEST_F(RunLimits, AMissingProgramIsAnError) {
  SandboxJob job;
  job.argv = {"/nonexistent/python"};
  auto r = run_in_sandbox(config_, job, dir_->path() / "log");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot start /nonexistent/python: no such executable file");
}

// The real thing (bubblewrap is in scripts/setup's package list).
class Bwrap : public RunLimits {
 protected:
  void SetUp() override {
    RunLimits::SetUp();
    SandboxRequest req;
    req.kind = SandboxKind::kBwrap;
    auto c = choose_sandbox(req);
    ASSERT_TRUE(c) << c.error().message;
    config_ = *c;
    fs::permissions(dir_->path(), fs::perms(0755));
    fs::create_directories(dir_->path() / "rw");
  }
  RunOutcome run_inside(const std::string& script) {
    SandboxJob job;
    job.argv = {"/bin/sh", "-c", script};
    job.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/tmp/funcpack/rw"}};
    job.mounts = {{dir_->path() / "rw", "/tmp/funcpack/rw", true}};
    job.cwd = "/tmp/funcpack/rw";
    auto r = run_in_sandbox(config_, job, dir_->path() / "log");
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RunOutcome{};
  }
};

TEST_F(Bwrap, SeesOnlyWhatTheJobGives) {
  auto o = run_inside(
      "id -u; hostname; env | sort; pwd; echo hi > out.txt; "
      "touch /usr/x 2>&1 | sed 's/.*: //'; ls /tmp; cat /proc/net/dev | tail -n +3 | cut -d: -f1");
  EXPECT_TRUE(o.ok()) << o.describe(config_.limits) << log();
  std::string uid = geteuid() == 0 ? "65534" : std::to_string(getuid());
  EXPECT_EQ(log(), uid + "\nfuncpack-sandbox\nHOME=/tmp/funcpack/rw\nPATH=/usr/bin:/bin\n"
                         "PWD=/tmp/funcpack/rw\n/tmp/funcpack/rw\nRead-only file system\n"
                         "funcpack\n    lo\n");
  EXPECT_EQ(*read_file(dir_->path() / "rw" / "out.txt"), "hi\n");
}

TEST_F(Bwrap, WallClockKillsEverythingInside) {
  config_.limits.wall_seconds = 1;
  auto o = run_inside("sleep 31.25 & sleep 31.25");
  EXPECT_TRUE(o.timed_out);
  // Nothing of the sandbox survives its timeout.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int left = 0;
  for (const auto& p : fs::directory_iterator("/proc")) {
    auto cmd = read_file(p.path() / "cmdline");
    if (cmd && *cmd == std::string("sleep\0" "31.25\0", 12)) ++left;
  }
  EXPECT_EQ(left, 0);
}

}  // namespace
}  // namespace funcpack
