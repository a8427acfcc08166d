// testing_index_server.h: test-only helpers (header-only; included by *_test.cc, never by
// the library): runs a tests/support/ server script (index_server.py, git_http_server.py) as
// a child process on 127.0.0.1 and reads its request log; builds fixture trees with
// scripts/fixturegen.py.
//
// The server's stdin is a pipe held by this object: if the test process dies, the pipe
// closes and the server exits (--exit-on-stdin-eof), so no server outlives its test.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/hash.h"

extern char** environ;

namespace funcpack::testing {

inline std::filesystem::path source_dir() { return FUNCPACK_SOURCE_DIR; }

// Runs argv (argv[0] a full path) and waits; returns the exit status, or -1 if it could not
// start. stdout/stderr are inherited.
inline int run_process(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Generates a fixture tree from scenario TOML text with scripts/fixturegen.py into `out`.
// Returns true on success.
inline bool generate_fixture(const std::string& scenario_toml, const std::filesystem::path& out) {
  std::filesystem::create_directories(out.parent_path());
  std::filesystem::path scenario = out.parent_path() / (out.filename().string() + ".toml");
  if (!write_file_atomic(scenario, scenario_toml)) return false;
  return run_process({"/usr/bin/python3", (source_dir() / "scripts/fixturegen.py").string(),
                      "build", scenario.string(), "-o", out.string()}) == 0;
}

// The fixture tree of `scenario_toml`, generated once per build directory and reused (ctest
// runs every test case as its own process). Keyed by the scenario and the generator's own
// bytes, and published with an atomic rename, so parallel test processes never see half a
// tree. Returns the tree's path, or an empty path when generation failed.
inline std::filesystem::path cached_fixture(const std::string& scenario_toml) {
  Result<std::string> generator = read_file(source_dir() / "scripts/fixturegen.py");
  if (!generator) return {};
  std::string key = sha256_hex(*generator + "\n" + scenario_toml).substr(0, 16);
  std::filesystem::path root = std::filesystem::path(FUNCPACK_BINARY_DIR) / "test-fixtures";
  std::filesystem::path dir = root / key;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return dir;
  std::filesystem::create_directories(root, ec);
  Result<TempDir> tmp = TempDir::create(".gen-" + key, root);
  if (!tmp) return {};
  if (!generate_fixture(scenario_toml, tmp->path() / "tree")) return {};
  std::filesystem::rename(tmp->path() / "tree", dir, ec);  // loses harmlessly to a racer
  return std::filesystem::is_directory(dir, ec) ? dir : std::filesystem::path();
}

// A tests/support/ server script run as a child process on 127.0.0.1: started with
// --exit-on-stdin-eof (its stdin is a pipe held here), it prints its port as its first line
// and writes its request log as JSON lines to the path given with --log.
class ScriptServer {
 public:
  // Starts /usr/bin/python3 tests/support/SCRIPT ARGS... --exit-on-stdin-eof; returns nullopt
  // (and fills *error) when it does not come up. `tls`: the script serves HTTPS.
  static std::optional<ScriptServer> start(const std::string& script,
                                           const std::vector<std::string>& args,
                                           const std::filesystem::path& log, bool tls,
                                           std::string* error) {
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     (source_dir() / "tests/support" / script).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--exit-on-stdin-eof");
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
      *error = "pipe failed";
      return std::nullopt;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    std::vector<char*> cargs;
    for (const std::string& a : argv) cargs.push_back(const_cast<char*>(a.c_str()));
    cargs.push_back(nullptr);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, cargs[0], &fa, nullptr, cargs.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
      close(in[1]);
      close(out[0]);
      *error = "cannot start " + script;
      return std::nullopt;
    }
    ScriptServer s;
    s.scheme_ = tls ? "https" : "http";
    s.pid_ = pid;
    s.stdin_fd_ = in[1];
    s.log_ = log;
    std::string line;
    for (;;) {
      pollfd p{out[0], POLLIN, 0};
      if (poll(&p, 1, 20000) <= 0) break;
      char c;
      ssize_t n = read(out[0], &c, 1);
      if (n <= 0 || c == '\n') break;
      line += c;
    }
    close(out[0]);
    if (line.empty()) {
      *error = script + " did not report a port";
      return std::nullopt;
    }
    s.port_ = std::stoi(line);
    return s;
  }

  ScriptServer(ScriptServer&& o) noexcept { *this = std::move(o); }
  ScriptServer& operator=(ScriptServer&& o) noexcept {
    std::swap(pid_, o.pid_);
    std::swap(stdin_fd_, o.stdin_fd_);
    std::swap(port_, o.port_);
    std::swap(log_, o.log_);
    std::swap(scheme_, o.scheme_);
    return *this;
  }
  ~ScriptServer() { stop(); }

  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (stdin_fd_ >= 0) {
      close(stdin_fd_);
      stdin_fd_ = -1;
    }
  }

  int port() const { return port_; }
  const std::string& scheme() const { return scheme_; }
  const std::filesystem::path& log() const { return log_; }

  // Every request logged so far, in order.
  std::vector<nlohmann::json> requests() const {
    std::vector<nlohmann::json> out;
    Result<std::string> text = read_file(log_);
    if (!text) return out;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) out.push_back(nlohmann::json::parse(line, nullptr, false));
    return out;
  }

 private:
  ScriptServer() = default;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = 0;
  std::filesystem::path log_;
  std::string scheme_ = "http";
};

// tests/support/index_server.py (see its --help for the options).
class IndexServer {
 public:
  struct Options {
    std::filesystem::path root;
    std::filesystem::path log;  // request log (JSON lines); required
    std::vector<std::string> faults;  // "PATH=KIND[:COUNT]"
    std::string auth;                 // "user:password"
    std::string validators = "both";
    double hang_seconds = 30;
    std::filesystem::path tls_cert, tls_key;  // both set: HTTPS
    std::optional<int> max_age;               // --max-age: Cache-Control on every answer
  };

  // Starts the server; returns nullopt (and fills *error) when it does not come up.
  static std::optional<IndexServer> start(const Options& o, std::string* error) {
    std::vector<std::string> args = {"--root", o.root.string(), "--log", o.log.string(),
                                     "--validators", o.validators, "--hang-seconds",
                                     std::to_string(o.hang_seconds)};
    for (const std::string& f : o.faults) args.insert(args.end(), {"--fault", f});
    if (!o.auth.empty()) args.insert(args.end(), {"--auth", o.auth});
    if (o.max_age) args.insert(args.end(), {"--max-age", std::to_string(*o.max_age)});
    if (!o.tls_cert.empty())
      args.insert(args.end(), {"--tls-cert", o.tls_cert.string(), "--tls-key", o.tls_key.string()});
    auto server = ScriptServer::start("index_server.py", args, o.log, !o.tls_cert.empty(), error);
    if (!server) return std::nullopt;
    return IndexServer(std::move(*server));
  }

  void stop() { server_.stop(); }
  int port() const { return server_.port(); }
  std::string url(const std::string& path = "") const {
    return server_.scheme() + "://127.0.0.1:" + std::to_string(server_.port()) + path;
  }

  // Every request logged so far, in order.
  std::vector<nlohmann::json> requests() const { return server_.requests(); }

  // "STATUS PATH" for each request, one per line (compact form for exact assertions).
  std::string request_summary() const {
    std::string out;
    for (const nlohmann::json& r : requests())
      out += std::to_string(r.value("status", 0)) + " " + r.value("path", std::string()) + "\n";
    return out;
  }

  // Truncates (not replaces) the log: the server keeps it open in append mode.
  void clear_log() const {
    std::error_code ec;
    std::filesystem::resize_file(server_.log(), 0, ec);
  }

 private:
  explicit IndexServer(ScriptServer server) : server_(std::move(server)) {}
  ScriptServer server_;
};

}  // namespace funcpack::testing
