// IndexSource end to end: real wheels from scripts/fixturegen.py, served by
// tests/support/index_server.py on 127.0.0.1 (or read as file:// / find-links), with the
// request log as the witness of what went over the wire.
#include "io/index_source.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "io/simple_index.h"
#include "io/testing_index_server.h"
#include "io/url.h"
#include "io/wheel_metadata.h"

namespace funcpack {
namespace {

using testing::IndexServer;

// Two indexes: "private" has alpha 1.0.0 (and gamma, whose wheel has no PEP 658 file);
// "public" has alpha 9.0.0 (the dependency-confusion impostor) and beta.
constexpr const char* kPrivate = R"(
[[package]]
name = "alpha"
requires_python = ">=3.8"
versions = ["1.0.0"]

[[package]]
name = "gamma"
versions = ["1.0"]
metadata_file = false
)";

constexpr const char* kPublic = R"(
[[package]]
name = "alpha"
versions = ["9.0.0"]

[[package]]
name = "beta"
versions = ["2.0", "2.1"]
)";

std::filesystem::path g_private, g_public;  // generated trees (shared, read-only)

class IndexSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g_private = testing::cached_fixture(kPrivate);
    g_public = testing::cached_fixture(kPublic);
    ASSERT_FALSE(g_private.empty());
    ASSERT_FALSE(g_public.empty());
  }

  void SetUp() override {
    Result<TempDir> t = TempDir::create("index-source-test");
    ASSERT_TRUE(t);
    tmp_.emplace(std::move(*t));
    // Each test gets its own copy, so a test may tamper with files.
    std::filesystem::copy(g_private, tmp_->path() / "private",
                          std::filesystem::copy_options::recursive);
    std::filesystem::copy(g_public, tmp_->path() / "public",
                          std::filesystem::copy_options::recursive);
  }

  IndexServer serve(const std::string& tree, std::vector<std::string> faults = {},
                    std::string auth = "") {
    IndexServer::Options o;
    o.root = tmp_->path() / tree;
    o.log = tmp_->path() / (tree + ".log");
    o.faults = std::move(faults);
    o.auth = std::move(auth);
    o.hang_seconds = 5;
    std::string error;
    std::optional<IndexServer> s = IndexServer::start(o, &error);
    EXPECT_TRUE(s) << error;
    if (!s) std::abort();
    return std::move(*s);
  }

  IndexSourceOptions options(std::string index_url) {
    IndexSourceOptions o;
    o.index_url = std::move(index_url);
    o.cache_dir = tmp_->path() / "cache";
    o.http.max_attempts = 3;
    o.http.backoff_initial_ms = 10;
    o.http.use_netrc = false;
    return o;
  }

  std::string sha_of(const std::string& tree, const std::string& rel) {
    Result<std::string> bytes = read_file(tmp_->path() / tree / rel);
    EXPECT_TRUE(bytes);
    return bytes ? sha256_hex(*bytes) : "";
  }

  // What describe_page must print for one fixture wheel, computed from the bytes on disk.
  std::string expected_line(const std::string& tree, const std::string& filename,
                            const std::string& base_url, const std::string& extra_before_md,
                            bool metadata, const std::string& size) {
    std::string line = filename + " " + base_url + "/files/" + filename + " sha256=" +
                       sha_of(tree, "files/" + filename) + extra_before_md;
    if (metadata) line += " metadata=sha256=" + sha_of(tree, "files/" + filename + ".metadata");
    return line + size + "\n";
  }

  std::optional<TempDir> tmp_;
};

TEST_F(IndexSourceTest, Pep691JsonIsNegotiatedAndParsed) {
  IndexServer s = serve("private");
  IndexSource src(options(s.url("/simple")));
  Result<ProjectPage> page = src.project("alpha");
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->name, "alpha");
  EXPECT_EQ(describe_page(*page),
            expected_line("private", "alpha-1.0.0-py3-none-any.whl", s.url(),
                          " requires-python=>=3.8", true,
                          " size=" + std::to_string(std::filesystem::file_size(
                                         tmp_->path() / "private/files/alpha-1.0.0-py3-none-any.whl"))));
  ASSERT_EQ(page->files.size(), 1u);
  EXPECT_EQ(page->files[0].index, s.url("/simple"));
  std::vector<nlohmann::json> log = s.requests();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["path"], "/simple/alpha/");
  EXPECT_EQ(log[0]["accept"], std::string(kSimpleAcceptHeader.substr(8)));
}

TEST_F(IndexSourceTest, HtmlWhenTheIndexHasNoJson) {
  std::filesystem::remove(tmp_->path() / "private/simple/alpha/index.json");
  IndexServer s = serve("private");
  IndexSource src(options(s.url("/simple/")));
  Result<ProjectPage> page = src.project("alpha");
  ASSERT_TRUE(page) << page.error().message;
  // HTML carries no size (PEP 700 is JSON only).
  EXPECT_EQ(describe_page(*page), expected_line("private", "alpha-1.0.0-py3-none-any.whl",
                                                s.url(), " requires-python=>=3.8", true, ""));
}

TEST_F(IndexSourceTest, UnknownProjectIsAnEmptyPage) {
  IndexServer s = serve("private");
  IndexSource src(options(s.url("/simple")));
  Result<ProjectPage> page = src.project("nothing-here");
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->name, "nothing-here");
  EXPECT_TRUE(page->files.empty());
  EXPECT_EQ(s.request_summary(), "404 /simple/nothing-here/\n");
}

TEST_F(IndexSourceTest, MetadataFromPep658FileWithoutDownloadingTheWheel) {
  IndexServer s = serve("private");
  IndexSource src(options(s.url("/simple")));
  Result<ProjectPage> page = src.project("alpha");
  ASSERT_TRUE(page);
  Result<std::string> md = src.metadata(page->files.at(0));
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(*md, *read_file(tmp_->path() / "private/files/alpha-1.0.0-py3-none-any.whl.metadata"));
  EXPECT_EQ(s.request_summary(),
            "200 /simple/alpha/\n200 /files/alpha-1.0.0-py3-none-any.whl.metadata\n");
}

TEST_F(IndexSourceTest, MetadataFromTheWheelWhenNoPep658File) {
  IndexServer s = serve("private");
  IndexSource src(options(s.url("/simple")));
  Result<ProjectPage> page = src.project("gamma");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->files.size(), 1u);
  EXPECT_FALSE(page->files[0].core_metadata.has_value());
  Result<std::string> md = src.metadata(page->files[0]);
  ASSERT_TRUE(md) << md.error().message;
  Result<std::string> wheel = read_file(tmp_->path() / "private/files/gamma-1.0-py3-none-any.whl");
  ASSERT_TRUE(wheel);
  EXPECT_EQ(*md, *zip_read_member(*wheel, "gamma-1.0.dist-info/METADATA"));
  EXPECT_TRUE(md->starts_with("Metadata-Version: "));
  EXPECT_NE(md->find("\nName: gamma\n"), std::string::npos);
  EXPECT_EQ(s.request_summary(), "200 /simple/gamma/\n200 /files/gamma-1.0-py3-none-any.whl\n");
}

TEST_F(IndexSourceTest, TamperedMetadataFileIsAHashMismatch) {
  std::string md_rel = "files/alpha-1.0.0-py3-none-any.whl.metadata";
  std::string good = sha_of("private", md_rel);
  ASSERT_TRUE(write_file_atomic(tmp_->path() / "private" / md_rel, "Metadata-Version: 2.1\nName: evil\n"));
  IndexServer s = serve("private");
  IndexSource src(options(s.url("/simple")));
  Result<ProjectPage> page = src.project("alpha");
  ASSERT_TRUE(page);
  Result<std::string> md = src.metadata(page->files.at(0));
  ASSERT_FALSE(md);
  EXPECT_EQ(md.error().message, "sha256 mismatch for " + s.url("/" + md_rel) + ": expected " +
                                    good + ", got " + sha256_hex("Metadata-Version: 2.1\nName: evil\n"));
}

TEST_F(IndexSourceTest, DownloadVerifiesAndCachesByHash) {
  IndexServer s = serve("private");
  {
    IndexSource src(options(s.url("/simple")));
    Result<ProjectPage> page = src.project("alpha");
    ASSERT_TRUE(page);
    Result<std::filesystem::path> p = src.download(page->files.at(0));
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(sha256_hex(*read_file(*p)), page->files[0].hashes.at("sha256"));
    EXPECT_EQ(p->parent_path().parent_path(), tmp_->path() / "cache/artifacts-v1/sha256");
  }
  s.clear_log();
  {
    IndexSource warm(options(s.url("/simple")));
    Result<ProjectPage> page = warm.project("alpha");
    ASSERT_TRUE(page);
    ASSERT_TRUE(warm.download(page->files.at(0)));
    ASSERT_TRUE(warm.metadata(page->files.at(0)));
  }
  // Warm: one revalidation of the page, zero downloads (the metadata comes out of the cached
  // wheel, not from the network).
  EXPECT_EQ(s.request_summary(), "304 /simple/alpha/\n");
}

TEST_F(IndexSourceTest, TamperedWheelIsRejected) {
  std::string rel = "files/alpha-1.0.0-py3-none-any.whl";
  IndexServer s = serve("private");
  IndexSource src(options(s.url("/simple")));
  Result<ProjectPage> page = src.project("alpha");
  ASSERT_TRUE(page);
  std::string good = page->files.at(0).hashes.at("sha256");
  ASSERT_TRUE(write_file_atomic(tmp_->path() / "private" / rel, "not a wheel"));
  Result<std::filesystem::path> p = src.download(page->files[0]);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message, "sha256 mismatch for alpha-1.0.0-py3-none-any.whl from " +
                                   s.url("/" + rel) + ": expected " + good + ", got " +
                                   sha256_hex("not a wheel"));
}

TEST_F(IndexSourceTest, DownloadAllFetchesInParallelAndChecksEachFile) {
  IndexServer pub = serve("public");
  IndexSource src(options(pub.url("/simple")));
  Result<ProjectPage> beta = src.project("beta");
  ASSERT_TRUE(beta);
  ASSERT_EQ(beta->files.size(), 2u);
  std::vector<DistributionFile> files = {beta->files[0], beta->files[1], beta->files[0]};
  files[2].hashes["sha256"] = std::string(64, '0');  // same URL, wrong hash
  std::vector<Result<std::filesystem::path>> paths = src.download_all(files);
  ASSERT_EQ(paths.size(), 3u);
  ASSERT_TRUE(paths[0]) << paths[0].error().message;
  ASSERT_TRUE(paths[1]) << paths[1].error().message;
  EXPECT_EQ(sha256_hex(*read_file(*paths[0])), beta->files[0].hashes.at("sha256"));
  EXPECT_EQ(sha256_hex(*read_file(*paths[1])), beta->files[1].hashes.at("sha256"));
  ASSERT_FALSE(paths[2]);
  EXPECT_EQ(paths[2].error().message,
            "sha256 mismatch for " + files[2].filename + " from " + files[2].url + ": expected " +
                std::string(64, '0') + ", got " + beta->files[0].hashes.at("sha256"));
  // Each URL went over the wire once; a second call is served by the cache.
  EXPECT_EQ(pub.requests().size(), 3u);
  std::vector<Result<std::filesystem::path>> again = src.download_all({beta->files[1]});
  ASSERT_TRUE(again[0]);
  EXPECT_EQ(*again[0], *paths[1]);
  EXPECT_EQ(pub.requests().size(), 3u);
}

TEST_F(IndexSourceTest, OfflineRunServesFromTheCache) {
  std::string url;
  {
    IndexServer s = serve("private");
    url = s.url("/simple");
    IndexSource src(options(url));
    Result<ProjectPage> page = src.project("alpha");
    ASSERT_TRUE(page);
    ASSERT_TRUE(src.metadata(page->files.at(0)));
    ASSERT_TRUE(src.download(page->files.at(0)));
    ASSERT_TRUE(src.project("nothing-here"));
  }  // the server is gone now
  IndexSourceOptions o = options(url);
  o.offline = true;
  IndexSource offline(o);
  Result<ProjectPage> page = offline.project("alpha");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->files.size(), 1u);
  Result<std::string> md = offline.metadata(page->files[0]);
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(*md, *read_file(tmp_->path() / "private/files/alpha-1.0.0-py3-none-any.whl.metadata"));
  ASSERT_TRUE(offline.download(page->files[0]));
  Result<ProjectPage> absent = offline.project("nothing-here");
  ASSERT_TRUE(absent);
  EXPECT_TRUE(absent->files.empty());
  Result<ProjectPage> never = offline.project("beta");
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().message, "GET " + url + "/beta/: not in the cache (offline mode)");
}

TEST_F(IndexSourceTest, FirstIndexWinsAgainstDependencyConfusion) {
  IndexServer priv = serve("private");
  IndexServer pub = serve("public");
  IndexSourceOptions o = options(pub.url("/simple"));
  o.extra_index_urls = {priv.url("/simple")};
  IndexSource src(o);
  EXPECT_EQ(src.index_urls(), (std::vector<std::string>{priv.url("/simple"), pub.url("/simple")}));
  src.prefetch({"alpha", "beta", "gamma"});
  Result<ProjectPage> alpha = src.project("alpha");
  ASSERT_TRUE(alpha);
  ASSERT_EQ(alpha->files.size(), 1u);
  EXPECT_EQ(alpha->files[0].filename, "alpha-1.0.0-py3-none-any.whl");
  EXPECT_EQ(alpha->files[0].index, priv.url("/simple"));
  Result<ProjectPage> beta = src.project("beta");
  ASSERT_TRUE(beta);
  ASSERT_EQ(beta->files.size(), 2u);
  EXPECT_EQ(beta->files[0].index, pub.url("/simple"));
  // The public index was never asked about the names the private one has.
  EXPECT_EQ(pub.request_summary(), "200 /simple/beta/\n");
  std::vector<nlohmann::json> plog = priv.requests();
  EXPECT_EQ(plog.size(), 3u);
}

TEST_F(IndexSourceTest, MergeAllIsPipsBehaviour) {
  IndexServer priv = serve("private");
  IndexServer pub = serve("public");
  IndexSourceOptions o = options(pub.url("/simple"));
  o.extra_index_urls = {priv.url("/simple")};
  o.strategy = IndexStrategy::kMergeAll;
  IndexSource src(o);
  Result<ProjectPage> alpha = src.project("alpha");
  ASSERT_TRUE(alpha);
  ASSERT_EQ(alpha->files.size(), 2u);
  EXPECT_EQ(alpha->files[0].filename, "alpha-1.0.0-py3-none-any.whl");
  EXPECT_EQ(alpha->files[1].filename, "alpha-9.0.0-py3-none-any.whl");
  EXPECT_EQ(alpha->files[1].index, pub.url("/simple"));
}

TEST_F(IndexSourceTest, FileIndexAndFindLinksDirectory) {
  IndexSourceOptions o = options(path_to_file_url(tmp_->path() / "private/simple"));
  o.find_links = {(tmp_->path() / "public/files").string()};
  o.strategy = IndexStrategy::kFirstIndex;
  IndexSource src(o);
  Result<ProjectPage> alpha = src.project("alpha");
  ASSERT_TRUE(alpha) << alpha.error().message;
  std::string priv_base = path_to_file_url(tmp_->path() / "private");
  std::string pub_files = path_to_file_url(tmp_->path() / "public/files");
  std::string pub_wheel = "alpha-9.0.0-py3-none-any.whl";
  EXPECT_EQ(describe_page(*alpha),
            expected_line("private", "alpha-1.0.0-py3-none-any.whl", priv_base,
                          " requires-python=>=3.8", true, "") +
                pub_wheel + " " + pub_files + "/" + pub_wheel + " sha256=" +
                sha_of("public", "files/" + pub_wheel) + " size=" +
                std::to_string(std::filesystem::file_size(tmp_->path() / "public/files" / pub_wheel)) +
                "\n");
  // Local PEP 658 file, then a local wheel read directly.
  Result<std::string> md = src.metadata(alpha->files[0]);
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(*md, *read_file(tmp_->path() / "private/files/alpha-1.0.0-py3-none-any.whl.metadata"));
  Result<std::string> md2 = src.metadata(alpha->files[1]);
  ASSERT_TRUE(md2) << md2.error().message;
  EXPECT_NE(md2->find("\nVersion: 9.0.0\n"), std::string::npos);
  Result<std::filesystem::path> local = src.download(alpha->files[1]);
  ASSERT_TRUE(local);
  EXPECT_EQ(*local, tmp_->path() / "public/files" / pub_wheel);
}

TEST_F(IndexSourceTest, NoIndexUsesOnlyFindLinks) {
  IndexSourceOptions o = options("http://127.0.0.1:1/never-asked");
  o.no_index = true;
  o.find_links = {(tmp_->path() / "public/files").string(), tmp_->path() / "missing"};
  IndexSource src(o);
  EXPECT_TRUE(src.index_urls().empty());
  Result<ProjectPage> beta = src.project("beta");
  ASSERT_FALSE(beta);
  EXPECT_EQ(beta.error().message,
            "--find-links " + (tmp_->path() / "missing").string() + ": no such file or directory");
  o.find_links.pop_back();
  IndexSource ok(o);
  Result<ProjectPage> beta2 = ok.project("beta");
  ASSERT_TRUE(beta2) << beta2.error().message;
  EXPECT_EQ(beta2->files.size(), 2u);
}

TEST_F(IndexSourceTest, FindLinksHtmlPageOverHttp) {
  ASSERT_TRUE(write_file_atomic(tmp_->path() / "public/links.html",
                                "<a href=\"files/beta-2.0-py3-none-any.whl\">b</a>\n"
                                "<a href=\"files/alpha-9.0.0-py3-none-any.whl\">a</a>\n"));
  IndexServer pub = serve("public");
  IndexSourceOptions o = options("unused");
  o.no_index = true;
  o.find_links = {pub.url("/links.html")};
  IndexSource src(o);
  Result<ProjectPage> beta = src.project("beta");
  ASSERT_TRUE(beta) << beta.error().message;
  EXPECT_EQ(describe_page(*beta), "beta-2.0-py3-none-any.whl " +
                                      pub.url("/files/beta-2.0-py3-none-any.whl") + "\n");
  Result<std::filesystem::path> p = src.download(beta->files[0]);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(sha256_hex(*read_file(*p)), sha_of("public", "files/beta-2.0-py3-none-any.whl"));
}

TEST_F(IndexSourceTest, RetriesAndClearErrorsThroughTheSource) {
  IndexServer s = serve("private", {"/simple/alpha/=500:2", "/simple/gamma/=hang"});
  IndexSourceOptions o = options(s.url("/simple"));
  o.http.timeout_ms = 300;
  o.http.max_attempts = 3;
  IndexSource src(o);
  Result<ProjectPage> alpha = src.project("alpha");
  ASSERT_TRUE(alpha) << alpha.error().message;
  EXPECT_EQ(alpha->files.size(), 1u);
  Result<ProjectPage> gamma = src.project("gamma");
  ASSERT_FALSE(gamma);
  EXPECT_EQ(gamma.error().message,
            "GET " + s.url("/simple/gamma/") + ": timed out after 300 ms (3 attempts)");
}

TEST_F(IndexSourceTest, CredentialsInTheIndexUrlReachFilesAndAreNeverShown) {
  IndexServer s = serve("private", {"/simple/gamma/=502"}, "user:s3cret");
  std::string port = std::to_string(s.port());
  IndexSource src(options("http://user:s3cret@127.0.0.1:" + port + "/simple"));
  EXPECT_EQ(src.index_urls(), std::vector<std::string>{s.url("/simple")});
  Result<ProjectPage> alpha = src.project("alpha");
  ASSERT_TRUE(alpha) << alpha.error().message;
  EXPECT_EQ(alpha->files.at(0).url, s.url("/files/alpha-1.0.0-py3-none-any.whl"));
  Result<std::filesystem::path> p = src.download(alpha->files[0]);
  ASSERT_TRUE(p) << p.error().message;
  Result<ProjectPage> gamma = src.project("gamma");
  ASSERT_FALSE(gamma);
  EXPECT_EQ(gamma.error().message, "GET " + s.url("/simple/gamma/") + ": HTTP 502 after 3 attempts");
  // Nothing in the cache holds the password.
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp_->path() / "cache")) {
    if (!e.is_regular_file()) continue;
    EXPECT_EQ(read_file(e.path())->find("s3cret"), std::string::npos) << e.path();
  }
  for (const nlohmann::json& r : s.requests()) EXPECT_TRUE(r["authorized"].get<bool>());
}

TEST_F(IndexSourceTest, WrongCredentialsAreAClearError) {
  IndexServer s = serve("private", {}, "user:s3cret");
  IndexSource src(options("http://user:wrong@127.0.0.1:" + std::to_string(s.port()) + "/simple"));
  Result<ProjectPage> alpha = src.project("alpha");
  ASSERT_FALSE(alpha);
  EXPECT_EQ(alpha.error().message,
            "GET " + s.url("/simple/alpha/") + ": HTTP 401 (credentials missing or rejected)");
}

std::string sorted_lines(const std::string& text) {
  std::vector<std::string> lines;
  for (std::string_view l : split(text, '\n'))
    if (!l.empty()) lines.emplace_back(l);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

TEST_F(IndexSourceTest, PrefetchedMetadataIsCachedAndNeverFetchedTwice) {
  IndexServer s = serve("public");
  std::string base = s.url("/simple");
  IndexSource src(options(base));
  Result<ProjectPage> page = src.project("beta");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->files.size(), 2u);
  src.prefetch_metadata(page->files);
  src.prefetch_metadata(page->files);  // nothing left to fetch
  std::string md20 = *read_file(tmp_->path() / "public/files/beta-2.0-py3-none-any.whl.metadata");
  std::string md21 = *read_file(tmp_->path() / "public/files/beta-2.1-py3-none-any.whl.metadata");
  EXPECT_EQ(src.cached_metadata(page->files[0]), md20);
  Result<std::string> md = src.metadata(page->files[1]);
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(*md, md21);
  // The two files went out in parallel (in either order), once each.
  EXPECT_EQ(sorted_lines(s.request_summary()),
            "200 /files/beta-2.0-py3-none-any.whl.metadata\n"
            "200 /files/beta-2.1-py3-none-any.whl.metadata\n"
            "200 /simple/beta/\n");
  // Both are in the cache for the next run, which needs no metadata transfer at all.
  s.clear_log();
  IndexSource next(options(base));
  Result<ProjectPage> again = next.project("beta");
  ASSERT_TRUE(again);
  EXPECT_EQ(next.cached_metadata(again->files[1]), md21);
  next.prefetch_metadata(again->files);
  EXPECT_EQ(s.request_summary(), "304 /simple/beta/\n");
}

TEST_F(IndexSourceTest, PrefetchedMetadataFailureIsWhatMetadataReports) {
  IndexServer s = serve("public", {"/files/beta-2.1-py3-none-any.whl.metadata=500"});
  IndexSource src(options(s.url("/simple")));
  Result<ProjectPage> page = src.project("beta");
  ASSERT_TRUE(page);
  src.prefetch_metadata(page->files);
  EXPECT_EQ(src.cached_metadata(page->files[1]), std::nullopt);
  Result<std::string> md = src.metadata(page->files[1]);
  ASSERT_FALSE(md);
  EXPECT_EQ(md.error().message,
            "GET " + s.url("/files/beta-2.1-py3-none-any.whl.metadata") + ": HTTP 500 after 3 attempts");
  ASSERT_FALSE(src.metadata(page->files[1]));
  // The three attempts of the prefetch, and no more.
  int attempts = 0;
  for (const auto& r : s.requests())
    if (r.value("path", std::string()) == "/files/beta-2.1-py3-none-any.whl.metadata") ++attempts;
  EXPECT_EQ(attempts, 3);
}

TEST_F(IndexSourceTest, PagesStayFreshForTheirMaxAge) {
  std::string base;
  {
    IndexServer::Options o;
    o.root = tmp_->path() / "public";
    o.log = tmp_->path() / "fresh.log";
    o.max_age = 600;
    std::string error;
    std::optional<IndexServer> s = IndexServer::start(o, &error);
    ASSERT_TRUE(s) << error;
    base = s->url("/simple");
    IndexSource first(options(base));
    ASSERT_TRUE(first.project("beta"));
    s->clear_log();
    IndexSource second(options(base));
    Result<ProjectPage> page = second.project("beta");
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->files.size(), 2u);
    EXPECT_EQ(s->request_summary(), "");  // max-age=600: used as is
  }
  // Without max-age (the default server), every run revalidates.
  IndexServer plain = serve("public");
  IndexSource a(options(plain.url("/simple")));
  ASSERT_TRUE(a.project("beta"));
  IndexSource b(options(plain.url("/simple")));
  ASSERT_TRUE(b.project("beta"));
  EXPECT_EQ(plain.request_summary(), "200 /simple/beta/\n304 /simple/beta/\n");
}

TEST_F(IndexSourceTest, SdistWithoutFinalMetadataAsksTheBuilderOnce) {
  // delta's sdist has a Metadata-Version 2.1 PKG-INFO and no PEP 658 file: not final (PEP 643).
  std::filesystem::path tree = testing::cached_fixture(R"(
[[package]]
name = "delta"
versions = ["1.0"]
wheels = []
sdist = true
dependencies = ["alpha"]
)");
  ASSERT_FALSE(tree.empty());
  IndexSourceOptions o = options(path_to_file_url(tree / "simple"));
  int calls = 0;
  std::string seen;
  IndexSource* self = nullptr;
  o.sdist_metadata_builder = [&](const std::filesystem::path& sdist, const DistributionFile& f) {
    ++calls;
    seen = f.filename + " " + std::to_string(std::filesystem::file_size(sdist));
    // The builder may use the source again (it resolves build requirements): no deadlock.
    if (self) {
      EXPECT_TRUE(self->project("setuptools"));
    }
    return Result<std::string>("Metadata-Version: 2.1\nName: delta\nVersion: 1.0\n"
                               "Requires-Dist: built-dependency\n");
  };
  IndexSource src(o);
  self = &src;
  Result<ProjectPage> page = src.project("delta");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->files.size(), 1u);
  Result<std::string> md = src.metadata(page->files[0]);
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(*md, "Metadata-Version: 2.1\nName: delta\nVersion: 1.0\nRequires-Dist: built-dependency\n");
  EXPECT_EQ(seen, "delta-1.0.tar.gz " +
                      std::to_string(std::filesystem::file_size(tree / "files/delta-1.0.tar.gz")));
  // A second source on the same cache finds the built metadata there.
  self = nullptr;
  IndexSource again(o);
  Result<std::string> md2 = again.metadata(again.project("delta")->files[0]);
  ASSERT_TRUE(md2);
  EXPECT_EQ(*md2, *md);
  EXPECT_EQ(calls, 1);

  // Without a builder it stays the PEP 643 error.
  IndexSourceOptions plain = options(path_to_file_url(tree / "simple"));
  plain.cache_dir = tmp_->path() / "cache2";
  IndexSource no_builder(plain);
  Result<std::string> refused = no_builder.metadata(no_builder.project("delta")->files[0]);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "delta-1.0.tar.gz: PKG-INFO is Metadata-Version 2.1 (static metadata starts at 2.2, "
            "PEP 643), so its dependencies are only known after a build; lock it from a wheel "
            "instead (leave it out of --no-binary, or build a wheel and pass its directory with "
            "--find-links)");
}

TEST(IndexSourceOptionsTest, PipEnvironmentFillsWhatIsUnset) {
  std::map<std::string, std::string> env = {
      {"PIP_INDEX_URL", "https://mirror.example/simple"},
      {"PIP_EXTRA_INDEX_URL", "https://a.example/simple  https://b.example/simple"},
      {"PIP_FIND_LINKS", "/wheels\n/more"},
      {"PIP_NO_INDEX", "true"},
      {"FUNCPACK_INDEX_USERNAME", "me"},
      {"FUNCPACK_INDEX_PASSWORD", "pw"}};
  auto lookup = [&](std::string_view k) -> std::optional<std::string> {
    auto it = env.find(std::string(k));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  IndexSourceOptions o;
  apply_environment(o, lookup);
  EXPECT_EQ(o.index_url, "https://mirror.example/simple");
  EXPECT_EQ(o.extra_index_urls,
            (std::vector<std::string>{"https://a.example/simple", "https://b.example/simple"}));
  EXPECT_EQ(o.find_links, (std::vector<std::string>{"/wheels", "/more"}));
  EXPECT_TRUE(o.no_index);
  EXPECT_EQ(o.index_credentials, std::make_pair(std::string("me"), std::string("pw")));
  IndexSourceOptions set;
  set.index_url = "https://cli.example/simple";
  set.extra_index_urls = {"https://x.example/simple"};
  apply_environment(set, lookup);
  EXPECT_EQ(set.index_url, "https://cli.example/simple");
  EXPECT_EQ(set.extra_index_urls, std::vector<std::string>{"https://x.example/simple"});
}

}  // namespace
}  // namespace funcpack
