#include "inputs/app_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "base/fs.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

void put(const fs::path& p, const std::string& text = "x") {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string render(const FileListing& l) {
  std::string out;
  for (const auto& f : l.included)
    out += "+ " + f.path + (f.executable ? " (x)" : "") + (f.via_symlink ? " (link)" : "") +
           " " + std::to_string(f.size) + "\n";
  for (const auto& e : l.excluded) out += "- " + e.path + "  " + e.reason + "\n";
  for (const auto& s : l.symlinks)
    out += "@ " + s.path + " -> " + s.target + (s.outside_app ? " outside" : "") +
           (s.included ? " included" : "") + "\n";
  return out;
}

class AppFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::create("appfiles");
    ASSERT_TRUE(d);
    tmp_.emplace(std::move(*d));
    app_ = tmp_->path() / "app";
    fs::create_directories(app_);
  }
  std::optional<TempDir> tmp_;
  fs::path app_;
};

TEST_F(AppFilesTest, DiscoverFindsKnownFiles) {
  put(app_ / "function_app.py");
  put(app_ / "requirements.txt");
  put(app_ / ".funcignore");
  put(app_ / "funcpack.toml");
  auto a = discover_app(app_.string() + "/");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->root, app_);
  EXPECT_TRUE(a->is_app_root());
  EXPECT_EQ(a->function_app_py, app_ / "function_app.py");
  EXPECT_EQ(a->requirements_txt, app_ / "requirements.txt");
  EXPECT_EQ(a->funcignore, app_ / ".funcignore");
  EXPECT_EQ(a->funcpack_toml, app_ / "funcpack.toml");
  EXPECT_FALSE(a->host_json);
  EXPECT_FALSE(a->local_settings_json);
  EXPECT_FALSE(a->pyproject_toml);

  auto missing = discover_app(app_ / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, (app_ / "nope").string() + ": no such directory");
  auto file = discover_app(app_ / "function_app.py");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().message, (app_ / "function_app.py").string() + ": not a directory");
}

TEST_F(AppFilesTest, FindAppRootWalksUpAndStopsAtRepositoryRoot) {
  put(tmp_->path() / "repo" / ".git" / "HEAD");
  put(tmp_->path() / "repo" / "apps" / "one" / "host.json");
  put(tmp_->path() / "repo" / "apps" / "one" / "reqs" / "base.txt");
  put(tmp_->path() / "repo" / "tools" / "requirements.txt");
  put(tmp_->path() / "function_app.py");  // above the repository: never reached
  EXPECT_EQ(find_app_root(tmp_->path() / "repo" / "apps" / "one" / "reqs" / "base.txt"),
            tmp_->path() / "repo" / "apps" / "one");
  EXPECT_EQ(find_app_root(tmp_->path() / "repo" / "apps" / "one"),
            tmp_->path() / "repo" / "apps" / "one");
  EXPECT_EQ(find_app_root(tmp_->path() / "repo" / "tools" / "requirements.txt"), std::nullopt);
}

TEST_F(AppFilesTest, ListingWithReasons) {
  put(app_ / "function_app.py", "import azure.functions\n");
  put(app_ / "host.json", "{}");
  put(app_ / "requirements.txt", "azure-functions\n");
  put(app_ / "local.settings.json", "{\"Values\":{}}");
  put(app_ / ".funcignore",
      "# dev files\n"
      "tests/\n"
      "*.log\n"
      "!keep.log\n"
      "build/\n"
      "!build/keep.txt\n"
      "docs/*\n"
      "!docs/index.md\n");
  put(app_ / ".git" / "HEAD");
  put(app_ / ".vscode" / "settings.json");
  put(app_ / "pkg" / "__pycache__" / "m.cpython-311.pyc");
  put(app_ / "pkg" / "__init__.py", "");
  put(app_ / "pkg" / "local.settings.json");
  put(app_ / "env" / "pyvenv.cfg", "home = /usr\n");
  put(app_ / "env" / "lib" / "x.py");
  put(app_ / ".venv" / "pyvenv.cfg");
  put(app_ / "venvlike" / "lib.py");  // no pyvenv.cfg: an ordinary directory
  put(app_ / ".python_packages" / "lib" / "site-packages" / "a.py");
  put(app_ / "pkg" / ".python_packages" / "b.py");  // not at the root: kept
  put(app_ / "tests" / "test_a.py");
  put(app_ / "app.log");
  put(app_ / "keep.log", "keep");
  put(app_ / "build" / "keep.txt");
  put(app_ / "docs" / "index.md", "# docs");
  put(app_ / "docs" / "other.md");
  put(app_ / "dist" / "app.zip");
  put(app_ / "run.sh", "#!/bin/sh\n");
  fs::permissions(app_ / "run.sh", fs::perms::owner_exec, fs::perm_options::add);

  auto a = discover_app(app_);
  ASSERT_TRUE(a);
  FileListOptions opts;
  opts.outputs = {app_ / "dist" / "app.zip", tmp_->path() / "elsewhere.zip"};
  auto l = list_deployment_files(*a, opts);
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(render(*l),
            "+ docs/index.md 6\n"
            "+ function_app.py 23\n"
            "+ host.json 2\n"
            "+ keep.log 4\n"
            "+ pkg/.python_packages/b.py 1\n"
            "+ pkg/__init__.py 0\n"
            "+ requirements.txt 16\n"
            "+ run.sh (x) 10\n"
            "+ venvlike/lib.py 1\n"
            "- .funcignore  always excluded (.funcignore)\n"
            "- .git/  always excluded (.git)\n"
            "- .python_packages/  host .python_packages (the build installs its own)\n"
            "- .venv/  virtual environment (contains pyvenv.cfg)\n"
            "- .vscode/  always excluded (.vscode)\n"
            "- app.log  .funcignore:3: *.log\n"
            "- build/  .funcignore:5: build/\n"
            "- dist/app.zip  build output\n"
            "- docs/other.md  .funcignore:7: docs/*\n"
            "- env/  virtual environment (contains pyvenv.cfg)\n"
            "- local.settings.json  always excluded (local.settings.json)\n"
            "- pkg/__pycache__/  always excluded (__pycache__)\n"
            "- pkg/local.settings.json  always excluded (local.settings.json)\n"
            "- tests/  .funcignore:2: tests/\n");
  const ExcludedPath* build = nullptr;
  for (const auto& e : l->excluded)
    if (e.path == "build/") build = &e;
  ASSERT_NE(build, nullptr);
  EXPECT_EQ(build->kind, ExclusionKind::kFuncignore);
  EXPECT_EQ(build->pattern.str(), (app_ / ".funcignore").string() + ":5");

  // Without .funcignore only the always-excluded set applies.
  opts.use_funcignore = false;
  auto all = list_deployment_files(*a, opts);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->included.size(), 13u);  // + app.log, build/keep.txt, docs/other.md, tests/test_a.py
}

TEST_F(AppFilesTest, SymlinksAreReportedAndDirectoriesNeverFollowed) {
  put(app_ / "function_app.py");
  put(app_ / "real" / "mod.py");
  put(tmp_->path() / "shared" / "lib.py");
  put(tmp_->path() / "secret.txt", "outside");
  fs::create_directory_symlink("../shared", app_ / "shared");
  fs::create_directory_symlink("real", app_ / "alias");
  fs::create_symlink("real/mod.py", app_ / "mod_link.py");
  fs::create_symlink("../secret.txt", app_ / "secret.txt");
  fs::create_symlink("missing.txt", app_ / "dangling");
  ASSERT_EQ(::mkfifo((app_ / "pipe").c_str(), 0600), 0);

  auto a = discover_app(app_);
  ASSERT_TRUE(a);
  auto l = list_deployment_files(*a);
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(render(*l),
            "+ function_app.py 1\n"
            "+ mod_link.py (link) 1\n"
            "+ real/mod.py 1\n"
            "+ secret.txt (link) 7\n"
            "- alias  symlink to a directory (not followed): -> real\n"
            "- dangling  dangling symlink: -> missing.txt\n"
            "- pipe  not a regular file (fifo)\n"
            "- shared  symlink to a directory outside the app (not followed): -> ../shared\n"
            "@ alias -> real\n"
            "@ dangling -> missing.txt\n"
            "@ mod_link.py -> real/mod.py included\n"
            "@ secret.txt -> ../secret.txt outside included\n"
            "@ shared -> ../shared outside\n");

  auto files = list_tree_files(app_);
  ASSERT_TRUE(files);
  std::vector<std::string> expected = {"function_app.py", "mod_link.py", "real/mod.py",
                                       "secret.txt"};
  EXPECT_EQ(*files, expected);
}

TEST_F(AppFilesTest, UnreadableFuncignoreIsAnError) {
  put(app_ / "host.json");
  fs::create_directory(app_ / ".funcignore");  // a directory where a file is expected
  auto a = discover_app(app_);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->funcignore);  // not a regular file: not found
  put(app_ / "sub" / "x");
  auto l = list_deployment_files(*a);
  ASSERT_TRUE(l);
  EXPECT_EQ(render(*l), "+ host.json 1\n+ sub/x 1\n- .funcignore/  always excluded (.funcignore)\n");
}

}  // namespace
}  // namespace funcpack
