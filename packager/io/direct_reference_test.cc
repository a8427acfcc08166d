// What each requirements.txt form of a direct reference points at (parse_direct_reference),
// with the exact errors; where credentials go; the reference a lock's origin is fetched from.
// Fetching is exercised end to end by tests/direct/ (real index server, git repository,
// sandboxed builds).
#include "io/direct_reference.h"

#include <gtest/gtest.h>

#include "base/fs.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

class DirectReferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("direct-reference-test");
    ASSERT_TRUE(t);
    tmp_.emplace(std::move(*t));
    fs::create_directories(tmp_->path() / "app/libs/mylib");
    fs::create_directories(tmp_->path() / "app/dist");
    ASSERT_TRUE(write_file_atomic(tmp_->path() / "app/libs/mylib/pyproject.toml", "[project]\n"));
    ASSERT_TRUE(write_file_atomic(tmp_->path() / "app/dist/w-1.0-py3-none-any.whl", "zip"));
    ASSERT_TRUE(write_file_atomic(tmp_->path() / "app/dist/notes.txt", "x"));
  }

  // The entries of a requirements file with `text`, in the app directory.
  RequirementsFile parse(const std::string& text) {
    DiagnosticSink sink;
    auto file = parse_requirements_text(text, tmp_->path() / "app/requirements.txt", sink,
                                        [](std::string_view) { return std::nullopt; });
    EXPECT_FALSE(sink.has_errors()) << (sink.diagnostics().empty() ? "" : sink.diagnostics()[0].message);
    return file;
  }

  Result<DirectReference> ref(const std::string& line) {
    RequirementsFile f = parse(line + "\n");
    EXPECT_EQ(f.entries.size(), 1u);
    if (f.entries.empty()) return fail("no entry");
    return parse_direct_reference(f.entries[0], tmp_->path() / "app");
  }

  std::string error(const std::string& line) {
    auto r = ref(line);
    if (r) return "(no error)";
    return r.error().location.str().substr(tmp_->path().string().size() + 1) + ": " +
           r.error().message;
  }

  std::optional<TempDir> tmp_;
};

TEST_F(DirectReferenceTest, GitUrlsKeepCredentialsOnlyInTheFetchUrl) {
  auto r = ref("git+https://user:s3cret@dev.example/org/repo.git@v1.2#egg=tool&subdirectory=py/src/");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->origin.kind, DirectOrigin::Kind::kVcs);
  EXPECT_EQ(r->name, "tool");
  EXPECT_EQ(r->origin.url, "https://dev.example/org/repo.git");
  EXPECT_EQ(r->origin.requested_revision, "v1.2");
  EXPECT_EQ(r->origin.subdirectory, "py/src");
  EXPECT_EQ(r->url, "git+https://dev.example/org/repo.git@v1.2");
  EXPECT_EQ(r->fetch_url, "https://user:s3cret@dev.example/org/repo.git");
  EXPECT_TRUE(r->origin.commit_id.empty());

  auto ssh = ref("tool @ git+ssh://git@host.example/org/repo.git");
  ASSERT_TRUE(ssh) << ssh.error().message;
  EXPECT_EQ(ssh->origin.requested_revision, "");
  EXPECT_EQ(ssh->fetch_url, "ssh://git@host.example/org/repo.git");

  // The credentials are found again for the same (credential-free) URL, and only for it.
  RequirementsFile f = parse("git+https://user:s3cret@dev.example/org/repo.git@v1.2#egg=tool\n"
                             "other @ https://files.example/other-1.0-py3-none-any.whl\n");
  auto urls = fetch_urls_by_origin(f);
  EXPECT_EQ(urls, (std::map<std::string, std::string>{
                      {"https://dev.example/org/repo.git", "https://user:s3cret@dev.example/org/repo.git"}}));
  DistributionFile locked;
  locked.url = "git+https://dev.example/org/repo.git@" + std::string(40, 'a');
  DirectReference again = locked_reference(r->origin, locked, "tool", urls);
  EXPECT_EQ(again.fetch_url, "https://user:s3cret@dev.example/org/repo.git");
  EXPECT_EQ(again.url, locked.url);
}

TEST_F(DirectReferenceTest, ArchivesByUrlAndPathDirectoriesByPathOrFileUrl) {
  auto wheel = ref("https://files.example/pkgs/w-1.0-py3-none-any.whl#sha256=ABCDEF");
  ASSERT_TRUE(wheel) << wheel.error().message;
  EXPECT_EQ(wheel->origin.kind, DirectOrigin::Kind::kArchive);
  EXPECT_EQ(wheel->name, "w");  // from the wheel's file name
  EXPECT_EQ(wheel->filename, "w-1.0-py3-none-any.whl");
  EXPECT_EQ(wheel->origin.url, "https://files.example/pkgs/w-1.0-py3-none-any.whl");
  EXPECT_EQ(wheel->sha256, (std::map<std::string, std::string>{{"sha256", "abcdef"}}));

  auto sdist = ref("https://files.example/s-2.0.tar.gz");
  ASSERT_TRUE(sdist);
  EXPECT_EQ(sdist->name, "");  // known from its metadata only
  EXPECT_EQ(sdist->filename, "s-2.0.tar.gz");

  auto local = ref("./dist/w-1.0-py3-none-any.whl --hash=sha256:00ff");
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ(local->origin.path, tmp_->path() / "app/dist/w-1.0-py3-none-any.whl");
  EXPECT_EQ(local->url, "file://" + (tmp_->path() / "app/dist/w-1.0-py3-none-any.whl").string());
  EXPECT_EQ(local->sha256.at("sha256"), "00ff");

  auto dir = ref("-e ./libs/mylib");
  ASSERT_TRUE(dir) << dir.error().message;
  EXPECT_EQ(dir->origin.kind, DirectOrigin::Kind::kDirectory);
  EXPECT_EQ(dir->origin.path, tmp_->path() / "app/libs/mylib");
  EXPECT_TRUE(dir->origin.editable);

  auto by_url = ref("mylib @ file://" + (tmp_->path() / "app/libs/mylib").string());
  ASSERT_TRUE(by_url) << by_url.error().message;
  EXPECT_EQ(by_url->origin.kind, DirectOrigin::Kind::kDirectory);
  EXPECT_EQ(by_url->name, "mylib");
}

TEST_F(DirectReferenceTest, ErrorsAreLocatedAtTheRequirement) {
  EXPECT_EQ(error("hg+https://hg.example/repo#egg=repo"),
            "app/requirements.txt:1:1: only git repositories are supported (hg+/svn+/bzr+ need "
            "their own tools)");
  EXPECT_EQ(error("x @ https://files.example/x-1.0.exe"),
            "app/requirements.txt:1:1: 'https://files.example/x-1.0.exe' is not a wheel, an sdist "
            "(.tar.gz, .zip) or a directory");
  EXPECT_EQ(error("https://files.example/w-1.0-py3-none-any.whl --hash=sha512:abcd"),
            "app/requirements.txt:1:1: --hash=sha512:... is not checked by funcpack (sha256 only)");
  EXPECT_EQ(error("https://files.example/w-1.0-py3-none-any.whl#sha256=aa --hash=sha256:bb"),
            "app/requirements.txt:1:1: two different sha256 hashes");
  EXPECT_EQ(error("git+https://host.example/r.git@main#egg=r&subdirectory=../up"),
            "app/requirements.txt:1:1: #subdirectory='../up' must be a relative path inside the "
            "project");
  EXPECT_EQ(error("./dist/notes.txt.zip"), "app/requirements.txt:1:1: ./dist/notes.txt.zip does not exist");
  EXPECT_EQ(error("./libs/mylib --hash=sha256:aa"),
            "app/requirements.txt:1:1: a directory cannot have a hash (pip refuses it too)");
}

}  // namespace
}  // namespace funcpack
