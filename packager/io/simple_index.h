// simple_index.h: project pages of the "simple repository API": PEP 503 HTML and PEP 691
// JSON, with the attributes of PEP 592 (yanked), PEP 658/714 (core metadata files) and
// PEP 700 (size), parsed into package_source.h's ProjectPage.
//
// Owns: the parsers and the content negotiation (the Accept header we send and the
// Content-Type -> parser decision). Pure functions: no I/O, no exceptions escape; every byte
// sequence yields a page or an Error (fuzzed by simple_index_fuzz.cc).
//
// Traps (read before changing):
// - HTML attribute values are HTML-escaped: data-requires-python="&gt;=3.8" means ">=3.8", and
//   an href may contain "&amp;". Every attribute value is unescaped before use.
// - hrefs are resolved against the page's URL *after redirects* (PyPI redirects /simple/Foo to
//   /simple/foo/), or against a <base href> when the page has one; relative paths such as
//   "../../packages/foo-1.0.whl" are common on static mirrors.
// - The hash lives in the URL fragment ("#sha256=HEX"); the stored URL has no fragment.
// - The filename is the URL's last path segment (percent-decoded), not the anchor text: the
//   text is only a fallback when the path ends in '/'.
// - PEP 714 renamed data-dist-info-metadata to data-core-metadata (and the JSON key
//   data-dist-info-metadata to core-metadata); all are read, the new name wins. The value is
//   "true" (no hash known) or "ALGO=HEX"; anything else means no metadata file.
// - JSON "yanked" is a bool or a reason string; a string (even empty) means yanked.
// - JSON api-version "1.x" is accepted; a higher major version is an error (PEP 691 says a
//   client must not guess).
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "io/package_source.h"

namespace funcpack {

// The Accept header for project pages: PEP 691 JSON preferred, HTML accepted.
inline constexpr std::string_view kSimpleAcceptHeader =
    "Accept: application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01";

enum class PageFormat { kHtml, kJson };

// The parser a response needs, from its Content-Type (parameters ignored). An absent or
// unknown type is read as HTML (static servers say text/html or nothing). Returns an Error
// "unsupported simple API content type 'T'" for a PEP 691 JSON of another major version.
Result<PageFormat> page_format(std::string_view content_type);

// Parses a PEP 503 HTML page served at `page_url` (the URL after redirects). `name` becomes
// ProjectPage::name. Never fails: HTML is parsed leniently, anchors without href are skipped.
Result<ProjectPage> parse_html_page(std::string_view html, std::string_view page_url,
                                    std::string_view name);

// Parses a PEP 691 JSON page. Returns an Error "PAGE_URL: invalid PEP 691 JSON: REASON"
// when the text is not JSON or a file entry lacks filename/url or has a wrong type.
Result<ProjectPage> parse_json_page(std::string_view json, std::string_view page_url,
                                    std::string_view name);

// Dispatches on `content_type` (see page_format).
Result<ProjectPage> parse_project_page(std::string_view body, std::string_view content_type,
                                       std::string_view page_url, std::string_view name);

// HTML character references: the named ones simple pages use (&amp; &lt; &gt; &quot; &apos;
// &nbsp;) and every numeric one (&#62; &#x3e;), emitted as UTF-8. Unknown ones are kept.
std::string html_unescape(std::string_view text);

// A stable one-line-per-file text form of a page, for tests and `-v` logs:
//   FILENAME URL [ALGO=HEX]... [requires-python=SPEC] [yanked[=REASON]] [metadata[=ALGO=HEX]]
//   [size=N]
std::string describe_page(const ProjectPage& page);

}  // namespace funcpack
