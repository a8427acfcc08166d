// url.h: the URL handling every io module shares: parsing into parts, RFC 3986 reference
// resolution, credential redaction and file:// <-> path conversion.
//
// Owns: the one place that knows where credentials live in a URL (the userinfo before '@').
// Every message, log line and lock entry that shows a URL passes it through `redact_url`.
//
// Traps:
// - Userinfo may be a token alone ("https://TOKEN@host/"): it is a secret too, so redaction
//   replaces the whole userinfo, not only the password.
// - An href on a simple page may be relative ("../../files/foo.whl"), scheme-relative
//   ("//host/x") or absolute; `resolve_url` implements RFC 3986 section 5.2 including
//   dot-segment removal, so the result matches what a browser (and pip) computes.
// - Filenames in URLs are percent-encoded ("foo%2Bbar-1.0.tar.gz"); `url_filename` decodes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace funcpack {

struct UrlParts {
  std::string scheme;    // lowercase, without ':'
  bool has_authority = false;
  std::string userinfo;  // raw, without '@'
  std::string host;      // host[:port], as written (lowercased)
  std::string path;
  std::optional<std::string> query;     // without '?'
  std::optional<std::string> fragment;  // without '#'

  // Recomposes the URL (RFC 3986 section 5.3).
  std::string str() const;
};

// Returns the parts of an absolute URL ("scheme:..."), or nullopt when `url` has no scheme.
std::optional<UrlParts> parse_url(std::string_view url);

// `url` with any userinfo replaced by "***" ("https://u:p@h/x" -> "https://***@h/x").
// Text that is not a URL is returned unchanged.
std::string redact_url(std::string_view url);

// `url` without userinfo and without fragment (the form stored in DistributionFile::url).
std::string strip_credentials(std::string_view url);

// The reference `ref` resolved against `base` (RFC 3986 section 5.2). When `base` is not an
// absolute URL, `ref` is returned as is.
std::string resolve_url(std::string_view base, std::string_view ref);

// %XX decoding; malformed escapes are kept verbatim.
std::string percent_decode(std::string_view s);
// Escapes bytes outside RFC 3986 unreserved and '/' (for building file:// URLs).
std::string percent_encode_path(std::string_view s);

// The last path segment of `url`, percent-decoded ("https://h/a/foo-1.0.whl#x" ->
// "foo-1.0.whl"). Empty when the path ends in '/'.
std::string url_filename(std::string_view url);

// Returns true for "file:" URLs.
bool is_file_url(std::string_view url);
// The local path of a file:// URL (only empty or "localhost" hosts), or nullopt.
std::optional<std::filesystem::path> file_url_to_path(std::string_view url);
// "file://" + absolute path, percent-encoded.
std::string path_to_file_url(const std::filesystem::path& path);

}  // namespace funcpack
