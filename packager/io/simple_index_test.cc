#include "io/simple_index.h"

#include <gtest/gtest.h>

#include "io/url.h"

namespace funcpack {
namespace {

constexpr std::string_view kPage = "https://idx.example/simple/foo/";

std::string html(std::string_view text, std::string_view url = kPage) {
  Result<ProjectPage> p = parse_html_page(text, url, "foo");
  if (!p) return "error: " + p.error().message;
  return describe_page(*p);
}

std::string json(std::string_view text, std::string_view url = kPage) {
  Result<ProjectPage> p = parse_json_page(text, url, "foo");
  if (!p) return "error: " + p.error().message;
  return describe_page(*p);
}

TEST(Url, ResolvesReferencesAsRfc3986) {
  const std::string base = "http://a/b/c/d;p?q";
  // RFC 3986 section 5.4 examples.
  EXPECT_EQ(resolve_url(base, "g"), "http://a/b/c/g");
  EXPECT_EQ(resolve_url(base, "./g"), "http://a/b/c/g");
  EXPECT_EQ(resolve_url(base, "g/"), "http://a/b/c/g/");
  EXPECT_EQ(resolve_url(base, "/g"), "http://a/g");
  EXPECT_EQ(resolve_url(base, "//g"), "http://g");
  EXPECT_EQ(resolve_url(base, "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(resolve_url(base, "g?y"), "http://a/b/c/g?y");
  EXPECT_EQ(resolve_url(base, "#s"), "http://a/b/c/d;p?q#s");
  EXPECT_EQ(resolve_url(base, ""), "http://a/b/c/d;p?q");
  EXPECT_EQ(resolve_url(base, "."), "http://a/b/c/");
  EXPECT_EQ(resolve_url(base, ".."), "http://a/b/");
  EXPECT_EQ(resolve_url(base, "../g"), "http://a/b/g");
  EXPECT_EQ(resolve_url(base, "../.."), "http://a/");
  EXPECT_EQ(resolve_url(base, "../../../g"), "http://a/g");
  EXPECT_EQ(resolve_url(base, "g;x=1/../y"), "http://a/b/c/y");
  EXPECT_EQ(resolve_url(base, "https://other/x/../y"), "https://other/y");
  EXPECT_EQ(resolve_url("file:///srv/simple/foo/", "../../files/a.whl"), "file:///srv/files/a.whl");
}

TEST(Url, RedactsEveryUserinfo) {
  EXPECT_EQ(redact_url("https://user:s3cret@host:8443/simple/"), "https://***@host:8443/simple/");
  EXPECT_EQ(redact_url("https://TOKEN@host/simple/"), "https://***@host/simple/");
  EXPECT_EQ(redact_url("https://u:p@ss@host/x"), "https://***@host/x");
  EXPECT_EQ(redact_url("https://host/x?a=b"), "https://host/x?a=b");
  EXPECT_EQ(redact_url("/local/dir"), "/local/dir");
  EXPECT_EQ(strip_credentials("https://u:p@host/x/f.whl#sha256=ab"), "https://host/x/f.whl");
}

TEST(Url, FilenamesAndFilePaths) {
  EXPECT_EQ(url_filename("https://h/a/foo%2Bbar-1.0.tar.gz?x=1#y"), "foo+bar-1.0.tar.gz");
  EXPECT_EQ(url_filename("https://h/a/"), "");
  EXPECT_EQ(path_to_file_url("/tmp/a b/c.whl"), "file:///tmp/a%20b/c.whl");
  EXPECT_EQ(file_url_to_path("file:///tmp/a%20b/c.whl")->string(), "/tmp/a b/c.whl");
  EXPECT_EQ(file_url_to_path("file://localhost/x")->string(), "/x");
  EXPECT_FALSE(file_url_to_path("file://remote/x").has_value());
}

TEST(HtmlUnescape, NamedAndNumericReferences) {
  EXPECT_EQ(html_unescape("&gt;=3.8,&lt;4&amp;&quot;&#39;&#x27;&apos;"), ">=3.8,<4&\"'''");
  EXPECT_EQ(html_unescape("&#233;&#x1F600;"), "\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(html_unescape("a & b &unknown; &#xZZ; &"), "a & b &unknown; &#xZZ; &");
  EXPECT_EQ(html_unescape("&#0;&#9999999;&#xD800;"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(SimpleHtml, AnchorsWithAllAttributes) {
  EXPECT_EQ(html(R"(<!DOCTYPE html><html><body><h1>Links for foo</h1>
<a href="../../files/foo-1.0-py3-none-any.whl#sha256=ABCDEF01" data-requires-python="&gt;=3.8, &lt;4"
   data-dist-info-metadata="sha256=1111" data-core-metadata="sha256=2222">foo-1.0-py3-none-any.whl</a><br/>
<A HREF='https://cdn.example/p/foo-1.1.tar.gz#md5=aa&amp;sha256=bb' data-yanked="">foo-1.1.tar.gz</A>
<a href="/abs/foo-2.0-py3-none-any.whl" data-yanked="bad &lt;build&gt;" data-dist-info-metadata=true>x</a>
<a href=foo-3.0.zip#egg=foo data-core-metadata="false">foo-3.0.zip</a>
<!-- <a href="commented-out-1.0.whl">c</a> -->
<a name="no-href">ignored</a>
</body></html>)"),
            "foo-1.0-py3-none-any.whl https://idx.example/files/foo-1.0-py3-none-any.whl "
            "sha256=abcdef01 requires-python=>=3.8, <4 metadata=sha256=2222\n"
            "foo-1.1.tar.gz https://cdn.example/p/foo-1.1.tar.gz md5=aa sha256=bb yanked\n"
            "foo-2.0-py3-none-any.whl https://idx.example/abs/foo-2.0-py3-none-any.whl "
            "yanked=bad <build> metadata\n"
            "foo-3.0.zip https://idx.example/simple/foo/foo-3.0.zip\n");
}

TEST(SimpleHtml, BaseHrefAndRedirectedPageUrl) {
  EXPECT_EQ(html(R"(<html><head><base href="https://mirror.example/pkgs/"></head>
<a href="foo-1.0.tar.gz">foo-1.0.tar.gz</a></html>)"),
            "foo-1.0.tar.gz https://mirror.example/pkgs/foo-1.0.tar.gz\n");
  // Relative to the URL the page was served from (after a redirect to the trailing slash).
  EXPECT_EQ(html(R"(<a href="foo-1.0.tar.gz">t</a>)", "https://h/simple/foo"),
            "foo-1.0.tar.gz https://h/simple/foo-1.0.tar.gz\n");
}

TEST(SimpleHtml, CredentialsNeverKeptInFileUrls) {
  EXPECT_EQ(html(R"(<a href="https://u:tok@h/f/foo-1.0.tar.gz#sha256=aa">x</a>)"),
            "foo-1.0.tar.gz https://h/f/foo-1.0.tar.gz sha256=aa\n");
}

TEST(SimpleHtml, MalformedHtmlIsLenient) {
  EXPECT_EQ(html("<a href=\"foo-1.0.tar.gz"), "foo-1.0.tar.gz https://idx.example/simple/foo/foo-1.0.tar.gz\n");
  EXPECT_EQ(html("< a href=x>< <<>><a"), "");
  EXPECT_EQ(html(""), "");
  // Anchor text is the fallback name when the path has no file name.
  EXPECT_EQ(html("<a href=\"dir/\"> foo-9.tar.gz </a>"), "foo-9.tar.gz https://idx.example/simple/foo/dir/\n");
}

TEST(SimpleJson, Pep691FilesWithEveryField) {
  EXPECT_EQ(json(R"({
  "meta": {"api-version": "1.1"},
  "name": "foo",
  "files": [
    {"filename": "foo-1.0-py3-none-any.whl", "url": "../../files/foo-1.0-py3-none-any.whl",
     "hashes": {"sha256": "ABCD", "unknown": "zz"}, "requires-python": ">=3.8",
     "yanked": false, "core-metadata": {"sha256": "beef"}, "size": 1234},
    {"filename": "foo-1.1.tar.gz", "url": "https://cdn.example/foo-1.1.tar.gz#sha256=11",
     "hashes": {}, "requires-python": null, "yanked": "security issue",
     "data-dist-info-metadata": true},
    {"filename": "foo-1.2.tar.gz", "url": "foo-1.2.tar.gz", "hashes": {"sha256": "22"},
     "yanked": true, "dist-info-metadata": false}
  ],
  "versions": ["1.0", "1.1", "1.2"]
})"),
            "foo-1.0-py3-none-any.whl https://idx.example/files/foo-1.0-py3-none-any.whl "
            "sha256=abcd requires-python=>=3.8 metadata=sha256=beef size=1234\n"
            "foo-1.1.tar.gz https://cdn.example/foo-1.1.tar.gz sha256=11 yanked=security issue "
            "metadata\n"
            "foo-1.2.tar.gz https://idx.example/simple/foo/foo-1.2.tar.gz sha256=22 yanked\n");
}

TEST(SimpleJson, ErrorsNameThePageAndTheEntry) {
  EXPECT_EQ(json("{", "https://u:p@h/simple/foo/"),
            "error: https://***@h/simple/foo/: invalid PEP 691 JSON: not valid JSON");
  EXPECT_EQ(json(R"({"files": [{"filename": "a.whl"}]})"),
            "error: https://idx.example/simple/foo/: invalid PEP 691 JSON: files[0]: 'url' is "
            "missing or not a string");
  EXPECT_EQ(json(R"({"files": [{"filename": "a.whl", "url": "a.whl", "size": -1}]})"),
            "error: https://idx.example/simple/foo/: invalid PEP 691 JSON: files[0]: 'size' is "
            "not a non-negative integer");
  EXPECT_EQ(json(R"({"meta": {"api-version": "2.0"}, "files": []})"),
            "error: https://idx.example/simple/foo/: unsupported PEP 691 api-version '2.0'");
  EXPECT_EQ(json(R"([])"),
            "error: https://idx.example/simple/foo/: invalid PEP 691 JSON: the top level is not "
            "an object");
  EXPECT_EQ(json(R"({"meta": {"api-version": "1.0"}})"), "");
}

TEST(Negotiation, ContentTypeChoosesTheParser) {
  EXPECT_EQ(*page_format("application/vnd.pypi.simple.v1+json"), PageFormat::kJson);
  EXPECT_EQ(*page_format("Application/VND.pypi.simple.v1+json; charset=utf-8"), PageFormat::kJson);
  EXPECT_EQ(*page_format("application/vnd.pypi.simple.v1+html"), PageFormat::kHtml);
  EXPECT_EQ(*page_format("text/html; charset=utf-8"), PageFormat::kHtml);
  EXPECT_EQ(*page_format(""), PageFormat::kHtml);
  EXPECT_EQ(page_format("application/vnd.pypi.simple.v2+json").error().message,
            "unsupported simple API content type 'application/vnd.pypi.simple.v2+json'");
  EXPECT_EQ(kSimpleAcceptHeader,
            "Accept: application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;"
            "q=0.2, text/html;q=0.01");
  Result<ProjectPage> p = parse_project_page(R"({"files":[{"filename":"foo-1.whl","url":"f"}]})",
                                             "application/vnd.pypi.simple.v1+json", kPage, "foo");
  ASSERT_TRUE(p);
  EXPECT_EQ(describe_page(*p), "foo-1.whl https://idx.example/simple/foo/f\n");
}

}  // namespace
}  // namespace funcpack
