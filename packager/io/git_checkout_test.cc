#include "io/git_checkout.h"

#include <fcntl.h>
#include <git2.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "io/testing_index_server.h"

extern char** environ;

namespace funcpack {
namespace {

namespace fs = std::filesystem;

// ---- the machine's git configuration stays out ---------------------------------------------
//
// Before anything uses libgit2 or git: HOME, XDG_CONFIG_HOME and libgit2's config search path
// point at an empty directory of our own (so ~/.gitconfig, /etc/gitconfig, ~/.netrc and
// ~/.ssh of the machine are never read), proxies and ssh-agent are unset, and commits get a
// fixed author and date. Tests that need a global config write `config_home()/.gitconfig`.
struct Sandbox {
  fs::path dir;
  Sandbox() {
    char tmpl[] = "/tmp/git-checkout-test.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    dir = tmpl;
    fs::create_directories(dir / "home");
    fs::create_directories(dir / "xdg");
    ::setenv("HOME", (dir / "home").c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", (dir / "xdg").c_str(), 1);
    ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    ::setenv("GIT_CONFIG_GLOBAL", (dir / "home" / ".gitconfig").c_str(), 1);
    for (const char* v : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                          "ALL_PROXY", "no_proxy", "NO_PROXY", "NETRC", "SSH_AUTH_SOCK", "GIT_DIR",
                          "GIT_INDEX_FILE", "GIT_SSL_CAINFO", "GIT_CONFIG_PARAMETERS"})
      ::unsetenv(v);
    ::setenv("GIT_AUTHOR_NAME", "Test", 1);
    ::setenv("GIT_AUTHOR_EMAIL", "test@example.invalid", 1);
    ::setenv("GIT_COMMITTER_NAME", "Test", 1);
    ::setenv("GIT_COMMITTER_EMAIL", "test@example.invalid", 1);
    ::setenv("GIT_AUTHOR_DATE", "2026-01-02T03:04:05Z", 1);
    ::setenv("GIT_COMMITTER_DATE", "2026-01-02T03:04:05Z", 1);
    git_libgit2_init();
    for (git_config_level_t level : {GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG,
                                     GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_PROGRAMDATA})
      git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, (dir / "home").c_str());
  }
  ~Sandbox() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};
const Sandbox kSandbox;

fs::path config_home() { return kSandbox.dir / "home"; }

// ---- processes -----------------------------------------------------------------------------

struct Output {
  int status = -1;
  std::string out;  // stdout
};

// Runs argv (argv[0] a full path) with `input` on stdin and `extra_env` ("NAME=value") added;
// stderr is the test's unless `quiet`.
Output run(const std::vector<std::string>& argv, const std::string& input = "",
           const std::vector<std::string>& extra_env = {}, bool quiet = false) {
  Output o;
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return o;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  if (quiet) posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings(extra_env);
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    return o;
  }
  // Small inputs only (fixture files): the pipe buffer holds them.
  if (!input.empty() && ::write(in[1], input.data(), input.size()) != ssize_t(input.size()))
    std::abort();
  ::close(in[1]);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0) o.out.append(buf, size_t(n));
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

// `git ARGS` that must succeed; returns its stdout without the trailing newline.
std::string git(const std::vector<std::string>& args, const std::string& input = "",
                const std::vector<std::string>& extra_env = {}) {
  std::vector<std::string> argv = {"/usr/bin/git"};
  argv.insert(argv.end(), args.begin(), args.end());
  Output o = run(argv, input, extra_env);
  if (o.status != 0) {
    std::string cmd = join(argv, " ");
    ADD_FAILURE() << "failed: " << cmd;
    return "";
  }
  return std::string(trim_right(o.out));
}

// ---- fixture repositories --------------------------------------------------------------

// Builds commits in a bare repository with plumbing only, so blobs hold exactly the bytes
// given (no .gitattributes or autocrlf on the way in).
class Builder {
 public:
  struct Entry {
    std::string mode;  // "100644", "100755", "120000" (content = target), "160000" (sha)
    std::string path;
    std::string content;  // or the commit id of a gitlink
  };
  explicit Builder(fs::path git_dir) : dir_(std::move(git_dir)) {
    git({"init", "-q", "--bare", "-b", "main", dir_.string()});
  }
  std::string g(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), "--git-dir=" + dir_.string());
    return git(args, input, {"GIT_INDEX_FILE=" + (dir_ / "fixture-index").string()});
  }
  std::string blob(const std::string& content) {
    return g({"hash-object", "-w", "--no-filters", "--stdin"}, content);
  }
  std::string commit(const std::vector<Entry>& entries, const std::vector<std::string>& parents,
                     const std::string& message) {
    std::error_code ec;
    fs::remove(dir_ / "fixture-index", ec);
    std::string info;
    for (const Entry& e : entries) {
      std::string id = e.mode == "160000" ? e.content : blob(e.content);
      info += e.mode + " " + id + "\t" + e.path + "\n";
    }
    g({"update-index", "--add", "--index-info"}, info);
    std::string tree = g({"write-tree"});
    return commit_tree(tree, parents, message);
  }
  std::string commit_tree(const std::string& tree, const std::vector<std::string>& parents,
                          const std::string& message) {
    std::vector<std::string> args = {"commit-tree", tree, "-m", message};
    for (const std::string& p : parents) args.insert(args.end(), {"-p", p});
    return g(args);
  }
  void ref(const std::string& name, const std::string& id) { g({"update-ref", name, id}); }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

std::string file_url(const fs::path& p) { return "file://" + p.string(); }

struct Repos {
  fs::path dir;                            // holds remotes/
  fs::path remotes;                        // served over HTTP as they are
  std::string app, sub, deep, odd, empty;  // file:// URLs
  // app: c1 (main's parent, tag v1.0), c2 (main, annotated tag v1.1 = tag_object), c3 (dev),
  // c4 (refs/changes/1 only), c5 (refs/hidden/h only: hidden from HTTP clients).
  std::string c1, c2, c3, c4, c5, tag_object, sub_commit, deep_commit;
  // odd: one branch per oddity.
  std::string escape, absolute, dotgit, nourl, localsub, hidden_odd;
  std::string ambiguous_prefix;
};

// Two blob contents whose ids share their first 4 hex digits (found by hashing as git does).
std::pair<std::string, std::string> colliding_blobs(std::string* prefix) {
  std::map<std::string, std::string> seen;
  for (int i = 0;; ++i) {
    std::string content = "ambiguous " + std::to_string(i) + "\n";
    git_oid oid;
    git_odb_hash(&oid, content.data(), content.size(), GIT_OBJECT_BLOB);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &oid);
    std::string p(hex, 4);
    auto [it, fresh] = seen.emplace(p, content);
    if (!fresh) {
      *prefix = p;
      return {it->second, content};
    }
  }
}

const Repos& repos() {
  static Repos r = [] {
    Repos x;
    x.dir = kSandbox.dir / "fixtures";
    x.remotes = x.dir / "remotes";
    fs::create_directories(x.remotes);

    Builder deep(x.remotes / "deep.git");
    x.deep_commit = deep.commit({{"100644", "deep.txt", "deep\n"}}, {}, "deep");
    deep.ref("refs/heads/main", x.deep_commit);

    Builder sub(x.remotes / "sub.git");
    x.sub_commit = sub.commit({{"100644", ".gitmodules",
                                "[submodule \"nested\"]\n\tpath = nested\n\turl = ../deep.git\n"},
                               {"100644", "sub.py", "print('sub')\n"},
                               {"120000", "link-in-sub", "sub.py"},
                               {"160000", "nested", x.deep_commit}},
                              {}, "sub");
    sub.ref("refs/heads/main", x.sub_commit);

    Builder app(x.remotes / "app.git");
    std::vector<Builder::Entry> base = {
        {"100644", ".gitattributes", "* text=auto eol=crlf\n*.py ident\n"},
        {"100644", "README.md", "hello\n"},
        {"100755", "bin/run.sh", "#!/bin/sh\necho run\n"},
        {"120000", "link", "README.md"},
        {"100644", "pkg/__init__.py", "VERSION = '1'\n"},
        {"100644", "pkg/data.txt", "a\r\nb\n"},
        {"100644", "pkg/id.py", "# $Id$\n"},
    };
    x.c1 = app.commit(base, {}, "one");
    std::vector<Builder::Entry> two = base;
    two[1].content = "hello again\n";
    two.push_back({"100644", ".gitmodules",
                   "[submodule \"vendor/sub\"]\n\tpath = vendor/sub\n\turl = ../sub.git\n"});
    two.push_back({"160000", "vendor/sub", x.sub_commit});
    x.c2 = app.commit(two, {x.c1}, "two");
    std::vector<Builder::Entry> dev = base;
    dev.push_back({"100644", "dev.txt", "dev\n"});
    x.c3 = app.commit(dev, {x.c1}, "dev");
    x.c4 = app.commit({{"100644", "change.txt", "change\n"}}, {x.c2}, "change");
    x.c5 = app.commit({{"100644", "hidden.txt", "hidden\n"}}, {x.c2}, "hidden");
    app.ref("refs/heads/main", x.c2);
    app.ref("refs/heads/dev", x.c3);
    app.ref("refs/changes/1", x.c4);
    app.ref("refs/hidden/h", x.c5);
    app.g({"tag", "v1.0", x.c1});
    app.g({"tag", "-a", "-m", "release 1.1", "v1.1", x.c2});
    x.tag_object = app.g({"rev-parse", "refs/tags/v1.1"});
    app.g({"config", "uploadpack.hideRefs", "refs/hidden"});
    app.g({"config", "uploadpack.allowAnySHA1InWant", "true"});

    Builder odd(x.remotes / "odd.git");
    x.escape =
        odd.commit({{"120000", "d", "."}, {"120000", "l", "d/../x"}, {"100644", "x", "inside\n"}},
                   {}, "escape");
    x.absolute = odd.commit({{"120000", "abs", "/etc/passwd"}}, {}, "absolute");
    std::string b = odd.blob("hi\n");
    std::string inner = odd.g({"mktree"}, "100644 blob " + b + "\tconfig\n");
    std::string top =
        odd.g({"mktree"}, "040000 tree " + inner + "\t.git\n100644 blob " + b + "\tok.txt\n");
    x.dotgit = odd.commit_tree(top, {}, "dotgit");
    x.nourl = odd.commit({{"160000", "s", x.sub_commit}}, {}, "nourl");
    x.localsub = odd.commit(
        {{"100644", ".gitmodules",
          "[submodule \"s\"]\n\tpath = s\n\turl = " + file_url(x.remotes) + "/sub.git\n"},
         {"160000", "s", x.sub_commit}},
        {}, "localsub");
    auto [amb1, amb2] = colliding_blobs(&x.ambiguous_prefix);
    std::string amb = odd.commit({{"100644", "a1", amb1}, {"100644", "a2", amb2}}, {}, "amb");
    x.hidden_odd = odd.commit({{"100644", "h", "h\n"}}, {}, "hidden");
    for (auto [name, id] :
         std::vector<std::pair<std::string, std::string>>{{"escape", x.escape},
                                                          {"absolute", x.absolute},
                                                          {"dotgit", x.dotgit},
                                                          {"nourl", x.nourl},
                                                          {"localsub", x.localsub},
                                                          {"main", amb}})
      odd.ref("refs/heads/" + name, id);
    odd.ref("refs/hidden/x", x.hidden_odd);
    odd.g({"tag", "treetag", amb + "^{tree}"});
    odd.g({"config", "uploadpack.hideRefs", "refs/hidden"});

    Builder empty(x.remotes / "empty.git");

    x.app = file_url(x.remotes / "app.git");
    x.sub = file_url(x.remotes / "sub.git");
    x.deep = file_url(x.remotes / "deep.git");
    x.odd = file_url(x.remotes / "odd.git");
    x.empty = file_url(x.remotes / "empty.git");
    return x;
  }();
  return r;
}

// ---- what a checkout looks like ----------------------------------------------------------

std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else
      out += c;
  }
  return out;
}

// One line per entry, sorted: "d MODE path", "f MODE path content", "l path -> target".
std::string listing(const fs::path& root) {
  std::vector<std::string> lines;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = it->path().lexically_relative(root).generic_string();
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) return "lstat failed";
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    if (S_ISLNK(st.st_mode)) {
      lines.push_back("l " + rel + " -> " + fs::read_symlink(it->path()).string());
    } else if (S_ISDIR(st.st_mode)) {
      lines.push_back("d " + std::string(mode) + " " + rel);
    } else {
      Result<std::string> content = read_file(it->path());
      lines.push_back("f " + std::string(mode) + " " + rel + " " +
                      escaped(content ? *content : "?"));
    }
  }
  std::sort(lines.begin(), lines.end());
  return join(lines, "\n") + "\n";
}

// Every file under `dir` concatenated (to look for a secret anywhere in a cache).
std::string all_bytes(const fs::path& dir) {
  std::string out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec))
      if (Result<std::string> c = read_file(it->path())) out += *c;
  return out;
}

std::string app_c2_listing() {
  return "d 0755 bin\n"
         "d 0755 pkg\n"
         "d 0755 vendor\n"
         "d 0755 vendor/sub\n"
         "d 0755 vendor/sub/nested\n"
         "f 0644 .gitattributes * text=auto eol=crlf\\n*.py ident\\n\n"
         "f 0644 .gitmodules [submodule \"vendor/sub\"]\\n\\tpath = vendor/sub\\n\\turl = "
         "../sub.git\\n\n"
         "f 0644 README.md hello again\\n\n"
         "f 0644 pkg/__init__.py VERSION = '1'\\n\n"
         "f 0644 pkg/data.txt a\\r\\nb\\n\n"
         "f 0644 pkg/id.py # $Id$\\n\n"
         "f 0644 vendor/sub/.gitmodules [submodule \"nested\"]\\n\\tpath = nested\\n\\turl = "
         "../deep.git\\n\n"
         "f 0644 vendor/sub/nested/deep.txt deep\\n\n"
         "f 0644 vendor/sub/sub.py print('sub')\\n\n"
         "f 0755 bin/run.sh #!/bin/sh\\necho run\\n\n"
         "l link -> README.md\n"
         "l vendor/sub/link-in-sub -> sub.py\n";
}

// ---- a git smart-HTTP server on 127.0.0.1 (tests/support/git_http_server.py) -------------

class GitServer {
 public:
  // `cert`/`key` set: HTTPS.
  static std::optional<GitServer> start(const fs::path& root, const fs::path& log,
                                        const std::string& auth, std::string* error,
                                        const fs::path& cert = {}, const fs::path& key = {}) {
    std::vector<std::string> args = {"--root", root.string(), "--log", log.string()};
    if (!auth.empty()) args.insert(args.end(), {"--auth", auth});
    if (!cert.empty())
      args.insert(args.end(), {"--tls-cert", cert.string(), "--tls-key", key.string()});
    auto server = testing::ScriptServer::start("git_http_server.py", args, log, !cert.empty(), error);
    if (!server) return std::nullopt;
    return GitServer(std::move(*server));
  }
  // "http(s)://" + userinfo + "127.0.0.1:PORT/" + path
  std::string url(const std::string& path, const std::string& userinfo = "") const {
    return server_.scheme() + "://" + (userinfo.empty() ? "" : userinfo + "@") + host() + "/" + path;
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  std::vector<nlohmann::json> requests() const { return server_.requests(); }

 private:
  explicit GitServer(testing::ScriptServer server) : server_(std::move(server)) {}
  testing::ScriptServer server_;
};

// ---- tests -------------------------------------------------------------------------------

class GitCheckoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(repos().c2.empty());
    Result<TempDir> t = TempDir::create("git-checkout-test");
    ASSERT_TRUE(t);
    tmp_.emplace(std::move(*t));
    cache_ = tmp_->path() / "cache";
  }
  GitCheckoutOptions logging() {
    GitCheckoutOptions o;
    o.log = [this](std::string_view line) {
      std::lock_guard lock(log_mu_);
      log_.emplace_back(line);
    };
    return o;
  }
  std::vector<std::string> take_log() {
    std::lock_guard lock(log_mu_);
    return std::exchange(log_, {});
  }
  std::optional<TempDir> tmp_;
  fs::path cache_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

const std::string kBaseRefspecs =
    " +refs/heads/*:refs/heads/* +refs/tags/*:refs/tags/* +HEAD:refs/funcpack/HEAD";

TEST_F(GitCheckoutTest, ResolvesEveryRevisionForm) {
  const Repos& x = repos();
  GitCheckouts g(cache_, logging());
  // Read back with git itself.
  std::string app_git = "--git-dir=" + (x.remotes / "app.git").string();
  ASSERT_EQ(git({app_git, "rev-parse", "main"}), x.c2);
  ASSERT_EQ(git({app_git, "rev-parse", "v1.1^{commit}"}), x.c2);
  ASSERT_NE(x.tag_object, x.c2);
  struct Case {
    std::string rev, want;
  };
  std::vector<Case> cases = {
      {"", x.c2},
      {"HEAD", x.c2},
      {"main", x.c2},
      {"dev", x.c3},
      {"v1.0", git({app_git, "rev-parse", "v1.0"})},
      {"v1.1", git({app_git, "rev-parse", "v1.1^{commit}"})},
      {"refs/heads/dev", x.c3},
      {"refs/tags/v1.1", x.c2},
      {"refs/changes/1", x.c4},
      {x.c1, x.c1},
      {x.c1.substr(0, 10), x.c1},
      {x.tag_object, x.c2},
  };
  std::string upper = x.c3;
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  cases.push_back({upper, x.c3});
  for (const Case& c : cases) {
    Result<std::string> got = g.resolve(x.app, c.rev);
    ASSERT_TRUE(got) << "'" << c.rev << "': " << got.error().message;
    EXPECT_EQ(*got, c.want) << "'" << c.rev << "'";
  }
  EXPECT_EQ(x.c1, git({app_git, "rev-parse", "v1.0"}));
  // Each name was fetched (branches move); refs/changes/1 by name; full ids in the mirror
  // (c1 after the first fetch, the tag object, c3) needed no fetch at all.
  std::vector<std::string> log = take_log();
  std::string fetch = "git fetch git+" + x.app + kBaseRefspecs;
  std::vector<std::string> want = {fetch, fetch, fetch,
                                   fetch, fetch, fetch,
                                   fetch, fetch, fetch + " +refs/changes/1:refs/changes/1",
                                   fetch};
  EXPECT_EQ(log, want);
}

TEST_F(GitCheckoutTest, BadRevisionsSayWhatThereIs) {
  const Repos& x = repos();
  GitCheckouts g(cache_);
  Result<std::string> r = g.resolve(x.app, "v9");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "git+" + x.app +
                                   ": no branch, tag or commit 'v9' (branches: dev, main; tags: "
                                   "v1.0, v1.1)");
  r = g.resolve(x.app, "refs/nothing/here");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "git+" + x.app +
                                   ": no branch, tag or commit 'refs/nothing/here' (branches: "
                                   "dev, main; tags: v1.0, v1.1)");
  std::string absent(40, 'e');
  r = g.resolve(x.app, absent);
  ASSERT_FALSE(r);
  // The local transport sends only what an advertised ref reaches.
  EXPECT_EQ(r.error().message,
            "git+" + x.app + ": commit " + absent +
                " is on no branch or tag, and the server did not send it when asked for it by id "
                "(target OID for the reference doesn't exist on the repository)");

  r = g.resolve(x.odd, x.ambiguous_prefix);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "git+" + x.odd + ": abbreviated commit id '" + x.ambiguous_prefix + "' is ambiguous");
  r = g.resolve(x.odd, "treetag");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "git+" + x.odd + ": 'treetag' names a tree, not a commit");
  r = g.resolve(x.empty, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "git+" + x.empty + ": the repository has no default branch (HEAD)");
  r = g.resolve(x.empty, "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "git+" + x.empty + ": no branch, tag or commit 'main' (branches: none; tags: none)");
  r = g.resolve(file_url(x.remotes / "missing.git"), "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "git+" + file_url(x.remotes / "missing.git") +
                                   ": cannot fetch: no repository at " +
                                   (x.remotes / "missing.git").string());
  r = g.resolve("ftp://host/repo.git", "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(
      r.error().message,
      "git+ftp://host/repo.git: unsupported URL scheme 'ftp' (https, http, ssh, git or file)");
  r = g.resolve("host/repo.git", "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "git+host/repo.git: not a URL");
}

TEST_F(GitCheckoutTest, LongRefListsAreCut) {
  const Repos& x = repos();
  fs::path copy = tmp_->path() / "many.git";
  git({"clone", "-q", "--bare", (x.remotes / "app.git").string(), copy.string()});
  for (int i = 0; i < 25; ++i)
    git({"--git-dir=" + copy.string(), "branch", "b" + std::to_string(100 + i), x.c1});
  GitCheckouts g(cache_);
  Result<std::string> r = g.resolve(file_url(copy), "nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "git+" + file_url(copy) +
                ": no branch, tag or commit 'nope' (branches: b100, b101, b102, b103, b104, b105, "
                "b106, b107, b108, b109, b110, b111, b112, b113, b114, b115, b116, b117, b118, "
                "b119, and 7 more; tags: v1.0, v1.1)");
}

TEST_F(GitCheckoutTest, ChecksOutExactBytesModesAndSubmodules) {
  const Repos& x = repos();
  // A user config that would rewrite line endings if anything applied filters.
  ASSERT_TRUE(
      write_file_atomic(config_home() / ".gitconfig", "[core]\n\tautocrlf = true\n\teol = crlf\n"));
  GitCheckouts g(cache_);
  mode_t old = ::umask(077);  // modes must not depend on it
  Result<void> c = g.checkout(x.app, x.c2, tmp_->path() / "out" / "app");
  ::umask(old);
  fs::remove(config_home() / ".gitconfig");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(listing(tmp_->path() / "out" / "app"), app_c2_listing());
  // Nothing else beside it (the temporary directory was renamed into place).
  std::string nested = "d 0755 app\n";
  {
    std::istringstream in(app_c2_listing());
    std::string line;
    while (std::getline(in, line)) {
      size_t sp = line[0] == 'l' ? 2 : 7;
      nested += line.substr(0, sp) + "app/" + line.substr(sp) + "\n";
    }
  }
  EXPECT_EQ(listing(tmp_->path() / "out"), nested);

  // Another commit, another tree; an empty existing directory may be the destination.
  fs::create_directories(tmp_->path() / "dev");
  c = g.checkout(x.app, x.c3, tmp_->path() / "dev");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(listing(tmp_->path() / "dev"),
            "d 0755 bin\n"
            "d 0755 pkg\n"
            "f 0644 .gitattributes * text=auto eol=crlf\\n*.py ident\\n\n"
            "f 0644 README.md hello\\n\n"
            "f 0644 dev.txt dev\\n\n"
            "f 0644 pkg/__init__.py VERSION = '1'\\n\n"
            "f 0644 pkg/data.txt a\\r\\nb\\n\n"
            "f 0644 pkg/id.py # $Id$\\n\n"
            "f 0755 bin/run.sh #!/bin/sh\\necho run\\n\n"
            "l link -> README.md\n");
}

TEST_F(GitCheckoutTest, CheckoutRefusals) {
  const Repos& x = repos();
  GitCheckouts g(cache_);
  fs::create_directories(tmp_->path() / "full");
  ASSERT_TRUE(write_file_atomic(tmp_->path() / "full" / "x", "x"));
  Result<void> c = g.checkout(x.app, x.c2, tmp_->path() / "full");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "cannot check out into " + (tmp_->path() / "full").string() +
                                   ": it exists and is not empty");
  c = g.checkout(x.app, x.c2.substr(0, 12), tmp_->path() / "a");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "git+" + x.app + ": '" + x.c2.substr(0, 12) + "' is not a full commit id");
  c = g.checkout(x.app, x.tag_object, tmp_->path() / "a");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "git+" + x.app + ": '" + x.tag_object + "' names a tag, not a commit");

  struct Case {
    std::string commit, message;
  };
  std::string at = "git+" + x.odd + "@";
  std::vector<Case> cases = {
      {x.escape, at + x.escape + ": symlink 'l' -> 'd/../x' points outside the repository's tree"},
      {x.absolute,
       at + x.absolute + ": symlink 'abs' -> '/etc/passwd' points outside the repository's tree"},
      {x.dotgit,
       at + x.dotgit + ": refusing to check out '.git' (not a valid path in a work tree)"},
      {x.nourl, at + x.nourl + ": submodule 's' has no url in .gitmodules"},
  };
  ASSERT_TRUE(g.resolve(x.odd, "main"));
  for (const Case& k : cases) {
    fs::path dest = tmp_->path() / ("odd-" + k.commit);
    c = g.checkout(x.odd, k.commit, dest);
    ASSERT_FALSE(c) << k.message;
    EXPECT_EQ(c.error().message, k.message);
    // Nothing is left behind: neither the destination nor a temporary directory.
    EXPECT_FALSE(fs::exists(dest));
  }
  std::vector<std::string> left;
  for (const fs::directory_entry& e : fs::directory_iterator(tmp_->path()))
    left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(join(left, " "), "cache full");
  // A local submodule is fine when the parent is local too.
  c = g.checkout(x.odd, x.localsub, tmp_->path() / "localsub");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(listing(tmp_->path() / "localsub"),
            "d 0755 s\n"
            "d 0755 s/nested\n"
            "f 0644 .gitmodules [submodule \"s\"]\\n\\tpath = s\\n\\turl = " +
                file_url(x.remotes) +
                "/sub.git\\n\n"
                "f 0644 s/.gitmodules [submodule \"nested\"]\\n\\tpath = nested\\n\\turl = "
                "../deep.git\\n\n"
                "f 0644 s/nested/deep.txt deep\\n\n"
                "f 0644 s/sub.py print('sub')\\n\n"
                "l s/link-in-sub -> sub.py\n");
}

TEST_F(GitCheckoutTest, OfflineUsesOnlyTheMirror) {
  const Repos& x = repos();
  GitCheckoutOptions off;
  off.offline = true;
  GitCheckouts offline(cache_, off);
  Result<std::string> r = offline.resolve(x.app, "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "git+" + x.app + ": not in the cache (offline mode)");
  Result<void> c = offline.checkout(x.app, x.c2, tmp_->path() / "o");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "git+" + x.app + ": not in the cache (offline mode)");

  GitCheckouts online(cache_);
  ASSERT_TRUE(online.resolve(x.app, "main"));
  ASSERT_TRUE(online.resolve(x.sub, x.sub_commit));
  ASSERT_TRUE(online.resolve(x.deep, x.deep_commit));

  // The remotes may vanish now: offline needs none of them.
  fs::path moved = tmp_->path() / "moved";
  fs::rename(x.remotes, moved);
  struct Restore {
    fs::path from, to;
    ~Restore() { fs::rename(from, to); }
  } restore{moved, x.remotes};
  for (auto [rev, want] :
       std::vector<std::pair<std::string, std::string>>{{"", x.c2},
                                                        {"main", x.c2},
                                                        {"dev", x.c3},
                                                        {"v1.0", x.c1},
                                                        {"v1.1", x.c2},
                                                        {x.c1, x.c1},
                                                        {x.c2.substr(0, 8), x.c2}}) {
    r = offline.resolve(x.app, rev);
    ASSERT_TRUE(r) << rev << ": " << r.error().message;
    EXPECT_EQ(*r, want) << rev;
  }
  r = offline.resolve(x.app, "v9");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "git+" + x.app +
                ": no branch, tag or commit 'v9' in the cache (offline mode; branches: dev, main; "
                "tags: v1.0, v1.1)");
  std::string absent(40, 'e');
  r = offline.resolve(x.app, absent);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "git+" + x.app + ": commit " + absent + " is not in the cache (offline mode)");
  c = offline.checkout(x.app, x.c2, tmp_->path() / "o");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(listing(tmp_->path() / "o"), app_c2_listing());
  // An online GitCheckouts does not need the network for a commit it has either.
  c = online.checkout(x.app, x.c1, tmp_->path() / "o1");
  ASSERT_TRUE(c) << c.error().message;
}

TEST_F(GitCheckoutTest, ConcurrentResolversShareOneMirror) {
  const Repos& x = repos();
  std::vector<Result<std::string>> results(4, fail("not run"));
  std::vector<Result<void>> checkouts(4, fail("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      GitCheckouts g(cache_);  // one per "process": nothing shared but the cache directory
      results[i] = g.resolve(x.app, i % 2 ? "main" : "v1.1");
      if (results[i])
        checkouts[i] = g.checkout(x.app, *results[i], tmp_->path() / ("t" + std::to_string(i)));
    });
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(results[i]) << results[i].error().message;
    EXPECT_EQ(*results[i], x.c2);
    ASSERT_TRUE(checkouts[i]) << checkouts[i].error().message;
    EXPECT_EQ(listing(tmp_->path() / ("t" + std::to_string(i))), app_c2_listing());
  }
  Result<fs::path> mirror = GitCheckouts(cache_).mirror_path(x.app);
  ASSERT_TRUE(mirror);
  EXPECT_EQ(*mirror, cache_ / "git-v1" / sha256_hex(x.app));
  // (git fsck notes that the mirror's HEAD is unborn: resolution uses refs/funcpack/HEAD.)
  EXPECT_EQ(
      run({"/usr/bin/git", "--git-dir=" + mirror->string(), "fsck", "--no-progress"}, "", {}, true)
          .status,
      0);
  EXPECT_EQ(
      git({"--git-dir=" + mirror->string(), "for-each-ref", "--format=%(refname) %(objectname)"}),
      "refs/funcpack/HEAD " + x.c2 + "\nrefs/heads/dev " + x.c3 + "\nrefs/heads/main " + x.c2 +
          "\nrefs/tags/v1.0 " + x.c1 + "\nrefs/tags/v1.1 " + x.tag_object);
  // One mirror per repository and nothing half-made beside them.
  std::vector<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(cache_ / "git-v1"))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  std::vector<std::string> want;
  for (const std::string& u : {x.app, x.sub, x.deep})
    for (const char* suffix : {"", ".lock"}) want.push_back(sha256_hex(u) + suffix);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names, want);
}

TEST_F(GitCheckoutTest, KilledRunsLeaveNothingThatBreaksTheMirror) {
  const Repos& x = repos();
  fs::path copy = tmp_->path() / "moving.git";
  git({"clone", "-q", "--bare", (x.remotes / "app.git").string(), copy.string()});
  std::string url = file_url(copy);
  GitCheckouts g(cache_);
  ASSERT_TRUE(g.resolve(url, "main"));
  fs::path mirror = cache_ / "git-v1" / sha256_hex(url);
  // What a run killed in the middle of a fetch or of creating a mirror leaves.
  for (const fs::path& p : {mirror / "refs/heads/main.lock", mirror / "packed-refs.lock",
                            mirror / "objects/pack/pack_git2_1a2b3c"})
    ASSERT_TRUE(write_file_atomic(p, "stale"));
  fs::create_directories(cache_ / "git-v1" / (".tmp-" + sha256_hex(url) + ".Xy12Zw") / "objects");
  // The remote moves on, so the fetch must update refs/heads/main.
  git({"--git-dir=" + copy.string(), "update-ref", "refs/heads/main", x.c4});
  Result<std::string> r = g.resolve(url, "main");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, x.c4);
  EXPECT_FALSE(fs::exists(mirror / "refs/heads/main.lock"));
  EXPECT_FALSE(fs::exists(mirror / "packed-refs.lock"));
  EXPECT_FALSE(fs::exists(mirror / "objects/pack/pack_git2_1a2b3c"));
  EXPECT_FALSE(fs::exists(cache_ / "git-v1" / (".tmp-" + sha256_hex(url) + ".Xy12Zw")));
  // A branch deleted upstream is gone from the mirror too (pip would not find it either).
  git({"--git-dir=" + copy.string(), "branch", "-D", "dev"});
  r = g.resolve(url, "dev");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "git+" + url + ": no branch, tag or commit 'dev' (branches: main; tags: v1.0, v1.1)");
  // A mirror someone half removed is made again.
  fs::remove(mirror / "HEAD");
  r = g.resolve(url, "main");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, x.c4);
  EXPECT_TRUE(fs::is_regular_file(mirror / "HEAD"));
}

TEST_F(GitCheckoutTest, UserGitConfigInsteadOfApplies) {
  const Repos& x = repos();
  ASSERT_TRUE(write_file_atomic(
      config_home() / ".gitconfig",
      "[url \"" + file_url(x.remotes) + "/\"]\n\tinsteadOf = https://git.invalid/org/\n"));
  GitCheckouts g(cache_);
  Result<std::string> r = g.resolve("https://git.invalid/org/app.git", "dev");
  fs::remove(config_home() / ".gitconfig");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, x.c3);
  // The mirror is named and configured after the URL as written.
  fs::path mirror = cache_ / "git-v1" / sha256_hex("https://git.invalid/org/app.git");
  Result<std::string> config = read_file(mirror / "config");
  ASSERT_TRUE(config);
  EXPECT_NE(config->find("\turl = https://git.invalid/org/app.git\n"), std::string::npos)
      << *config;
}

TEST_F(GitCheckoutTest, MirrorPathIgnoresCredentials) {
  GitCheckouts g(cache_);
  Result<fs::path> p = g.mirror_path("git+https://user:s3cret-token@Example.COM/org/repo.git");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, cache_ / "git-v1" / sha256_hex("https://example.com/org/repo.git"));
  // ssh keeps its account name (it selects what the key may read), never a password.
  p = g.mirror_path("ssh://git:pw@example.com/org/repo.git");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, cache_ / "git-v1" / sha256_hex("ssh://git@example.com/org/repo.git"));
}

// ---- over HTTP -------------------------------------------------------------------------------

class GitHttpTest : public GitCheckoutTest {
 protected:
  void SetUp() override {
    GitCheckoutTest::SetUp();
    std::string error;
    server_ = GitServer::start(repos().remotes, tmp_->path() / "server.log",
                               std::string(kUser) + ":" + kToken, &error);
    ASSERT_TRUE(server_) << error;
  }
  static constexpr const char* kUser = "builder";
  static constexpr const char* kToken = "s3cret-token-9f8e7d";
  std::string with_token(const std::string& repo) const {
    return server_->url(repo, std::string(kUser) + ":" + kToken);
  }
  std::string redacted(const std::string& repo) const { return "git+" + server_->url(repo, "***"); }
  std::optional<GitServer> server_;
};

TEST_F(GitHttpTest, ClonesWithTokenInTheUrl) {
  const Repos& x = repos();
  GitCheckouts g(cache_, logging());
  Result<std::string> r = g.resolve("git+" + with_token("app.git"), "v1.1");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, x.c2);
  Result<void> c = g.checkout(with_token("app.git"), x.c2, tmp_->path() / "out");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(listing(tmp_->path() / "out"), app_c2_listing());

  // The server saw Basic credentials; submodules (../sub.git, ../deep.git) got them too.
  std::set<std::string> paths;
  std::string basic = "Basic " + std::string("YnVpbGRlcjpzM2NyZXQtdG9rZW4tOWY4ZTdk");
  for (const nlohmann::json& q : server_->requests()) {
    if (q.value("authorized", false)) {
      EXPECT_EQ(q.value("authorization", ""), basic);
      paths.insert(q.value("path", ""));
    }
  }
  EXPECT_EQ(paths, (std::set<std::string>{"/app.git/info/refs", "/app.git/git-upload-pack",
                                          "/sub.git/info/refs", "/sub.git/git-upload-pack",
                                          "/deep.git/info/refs", "/deep.git/git-upload-pack"}));
  // The token is nowhere: not in the log lines, not in any file of the cache.
  std::vector<std::string> log = take_log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], "git fetch " + redacted("app.git") + kBaseRefspecs);
  EXPECT_EQ(log[1], "git fetch " + redacted("sub.git") + kBaseRefspecs);
  EXPECT_EQ(log[2], "git fetch " + redacted("deep.git") + kBaseRefspecs);
  EXPECT_EQ(all_bytes(cache_).find(kToken), std::string::npos);
  Result<std::string> config =
      read_file(cache_ / "git-v1" / sha256_hex(server_->url("app.git")) / "config");
  ASSERT_TRUE(config);
  EXPECT_NE(config->find("\turl = " + server_->url("app.git") + "\n"), std::string::npos)
      << *config;

  // A commit in the mirror: not one request.
  size_t before = server_->requests().size();
  r = g.resolve(with_token("app.git"), x.c1);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, x.c1);
  EXPECT_EQ(server_->requests().size(), before);
  EXPECT_TRUE(take_log().empty());
}

TEST_F(GitHttpTest, CredentialErrorsNeverShowTheToken) {
  GitCheckouts g(cache_);
  Result<std::string> r = g.resolve(server_->url("app.git", "builder:wrong-token-1234"), "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            redacted("app.git") +
                ": authentication failed: the server refused the credentials from the URL");
  r = g.resolve(server_->url("app.git", "token-only-5678"), "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            redacted("app.git") +
                ": authentication failed: the server refused the credentials from the URL");
  r = g.resolve(server_->url("app.git"), "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "git+" + server_->url("app.git") +
                                   ": the server asks for credentials: put user:token in the URL "
                                   "or a machine entry for 127.0.0.1 in netrc");
  r = g.resolve(with_token("missing.git"), "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            redacted("missing.git") + ": cannot fetch: unexpected http status code: 404");
  EXPECT_EQ(all_bytes(cache_).find("wrong-token"), std::string::npos);
}

TEST_F(GitHttpTest, NetrcSuppliesCredentials) {
  const Repos& x = repos();
  fs::path netrc = tmp_->path() / "netrc";
  ASSERT_TRUE(write_file_atomic(netrc,
                                "machine other.example login a password b\n"
                                "machine 127.0.0.1\n  login builder\n  password \"" +
                                    std::string(kToken) + "\"\n"));
  GitCheckoutOptions o;
  o.netrc_file = netrc;
  GitCheckouts g(cache_, o);
  Result<std::string> r = g.resolve(server_->url("app.git"), "dev");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, x.c3);
  ASSERT_TRUE(write_file_atomic(netrc, "default login builder password nope-nope\n"));
  GitCheckouts wrong(tmp_->path() / "cache2", o);
  r = wrong.resolve(server_->url("app.git"), "dev");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "git+" + server_->url("app.git") +
                ": authentication failed: the server refused the credentials from netrc");
}

// The only test that sets a CA bundle: libgit2 keeps it process-wide, and the untrusted case
// must run before it is set.
TEST_F(GitHttpTest, HttpsWithCertBundle) {
  const Repos& x = repos();
  fs::path cert = tmp_->path() / "cert.pem", key = tmp_->path() / "key.pem";
  // No subjectAltName: mbedTLS (Debian's libgit2 TLS backend) matches an IP address only
  // against the CN.
  ASSERT_EQ(run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                 "/CN=127.0.0.1", "-days", "2", "-keyout", key.string(), "-out", cert.string()},
                "", {}, /*quiet=*/true)
                .status,
            0);
  std::string error;
  std::optional<GitServer> tls =
      GitServer::start(x.remotes, tmp_->path() / "tls.log", "", &error, cert, key);
  ASSERT_TRUE(tls) << error;
  std::string url = tls->url("app.git");
  ASSERT_TRUE(url.starts_with("https://"));

  Result<std::string> r = GitCheckouts(cache_).resolve(url, "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "git+" + url +
                ": the server's TLS certificate is not trusted (the SSL certificate is invalid: "
                "0x08 - The certificate is not correctly signed by the trusted CA); give the CA "
                "bundle that signed it with --cert");
  GitCheckoutOptions missing;
  missing.ca_bundle = tmp_->path() / "nope.pem";
  r = GitCheckouts(cache_, missing).resolve(url, "main");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "git+" + url + ": cannot read the CA bundle " + (tmp_->path() / "nope.pem").string());
  GitCheckoutOptions trusted;
  trusted.ca_bundle = cert;
  r = GitCheckouts(cache_, trusted).resolve(url, "main");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, x.c2);
}

// Over HTTP only: libgit2's local (file://) transport sends every object any advertised ref
// reaches, so a file:// mirror has refs/changes/1's commit after the first fetch anyway.
TEST_F(GitHttpTest, CommitOnNoBranchIsFetchedById) {
  const Repos& x = repos();
  GitCheckouts g(cache_, logging());
  Result<std::string> got = g.resolve("git+" + with_token("app.git"), x.c4);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, x.c4);
  std::vector<std::string> want = {
      "git fetch " + redacted("app.git") + kBaseRefspecs,
      "git fetch " + redacted("app.git") + " +" + x.c4 + ":refs/funcpack/commits/" + x.c4};
  EXPECT_EQ(take_log(), want);
  // Now in the mirror: no fetch at all, even online.
  got = g.resolve(with_token("app.git"), x.c4);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, x.c4);
  EXPECT_TRUE(take_log().empty());
}

TEST_F(GitHttpTest, HiddenCommitsById) {
  const Repos& x = repos();
  GitCheckouts g(cache_, logging());
  // app.git hides refs/hidden but allows any commit to be asked for by id.
  Result<std::string> r = g.resolve(with_token("app.git"), x.c5);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, x.c5);
  EXPECT_EQ(take_log(),
            (std::vector<std::string>{"git fetch " + redacted("app.git") + kBaseRefspecs,
                                      "git fetch " + redacted("app.git") + " +" + x.c5 +
                                          ":refs/funcpack/commits/" + x.c5}));
  Result<void> c = g.checkout(with_token("app.git"), x.c5, tmp_->path() / "h");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(listing(tmp_->path() / "h"), "f 0644 hidden.txt hidden\\n\n");
  // odd.git does not allow it (git's default).
  r = g.resolve(with_token("odd.git"), x.hidden_odd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            redacted("odd.git") + ": commit " + x.hidden_odd +
                " is on no branch or tag, and the server did not send it when asked for it by id "
                "(cannot fetch a specific object from the remote repository)");
}

TEST_F(GitHttpTest, LocalSubmoduleOfRemoteRepositoryIsRefused) {
  const Repos& x = repos();
  GitCheckouts g(cache_);
  ASSERT_TRUE(g.resolve(with_token("odd.git"), "main"));
  Result<void> c = g.checkout(with_token("odd.git"), x.localsub, tmp_->path() / "ls");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, redacted("odd.git") + "@" + x.localsub +
                                   ": submodule 's' has a local URL (git+" + x.sub +
                                   ") but the repository is not local");
  EXPECT_FALSE(fs::exists(tmp_->path() / "ls"));
}

TEST_F(GitHttpTest, SubmoduleOnTheSameHostBorrowsTheCredentials) {
  const Repos& x = repos();
  // A parent whose .gitmodules names its submodules by absolute URLs on the server (its port
  // is known only now), without credentials, as a repository on Azure DevOps would.
  std::string name = "abs-" + server_->host().substr(server_->host().find(':') + 1) + ".git";
  Builder parent(x.remotes / name);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{x.remotes / name};
  std::string good =
      parent.commit({{"100644", ".gitmodules",
                      "[submodule \"s\"]\n\tpath = s\n\turl = " + server_->url("sub.git") + "\n"},
                     {"160000", "s", x.sub_commit}},
                    {}, "good");
  std::string absent(40, 'e');
  std::string bad =
      parent.commit({{"100644", ".gitmodules",
                      "[submodule \"s\"]\n\tpath = s\n\turl = " + server_->url("sub.git") + "\n"},
                     {"160000", "s", absent}},
                    {}, "bad");
  parent.ref("refs/heads/main", good);
  parent.ref("refs/heads/bad", bad);
  GitCheckouts g(cache_);
  Result<std::string> r = g.resolve(with_token(name), "main");
  ASSERT_TRUE(r) << r.error().message;
  Result<void> c = g.checkout(with_token(name), *r, tmp_->path() / "abs");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(listing(tmp_->path() / "abs"),
            "d 0755 s\n"
            "d 0755 s/nested\n"
            "f 0644 .gitmodules [submodule \"s\"]\\n\\tpath = s\\n\\turl = " +
                server_->url("sub.git") +
                "\\n\n"
                "f 0644 s/.gitmodules [submodule \"nested\"]\\n\\tpath = nested\\n\\turl = "
                "../deep.git\\n\n"
                "f 0644 s/nested/deep.txt deep\\n\n"
                "f 0644 s/sub.py print('sub')\\n\n"
                "l s/link-in-sub -> sub.py\n");

  // A submodule's own error comes whole, after where it was met.
  r = g.resolve(with_token(name), "bad");
  ASSERT_TRUE(r) << r.error().message;
  c = g.checkout(with_token(name), *r, tmp_->path() / "bad");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            redacted(name) + "@" + bad + ": submodule 's': " + redacted("sub.git") + ": commit " +
                absent +
                " is on no branch or tag, and the server did not send it when asked for it by id "
                "(cannot fetch a specific object from the remote repository)");
  EXPECT_FALSE(fs::exists(tmp_->path() / "bad"));
}

}  // namespace
}  // namespace funcpack
