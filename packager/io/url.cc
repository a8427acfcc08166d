#include "io/url.h"

#include <vector>

#include "base/strings.h"

namespace funcpack {
namespace {

bool is_scheme_char(char c) { return is_ascii_alnum(c) || c == '+' || c == '-' || c == '.'; }

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> out;
  bool absolute = !path.empty() && path.front() == '/';
  std::string_view rest = absolute ? path.substr(1) : path;
  std::vector<std::string_view> segs = split(rest, '/');
  bool trailing_slash = false;
  for (size_t i = 0; i < segs.size(); ++i) {
    std::string_view s = segs[i];
    bool last = i + 1 == segs.size();
    if (s == ".") {
      if (last) trailing_slash = true;
      continue;
    }
    if (s == "..") {
      if (!out.empty()) out.pop_back();
      if (last) trailing_slash = true;
      continue;
    }
    out.push_back(s);
  }
  std::string result = absolute ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) result += '/';
    result += out[i];
  }
  if (trailing_slash && !out.empty()) result += '/';
  return result;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string UrlParts::str() const {
  std::string out = scheme + ":";
  if (has_authority) {
    out += "//";
    if (!userinfo.empty()) out += userinfo + "@";
    out += host;
  }
  out += path;
  if (query) out += "?" + *query;
  if (fragment) out += "#" + *fragment;
  return out;
}

std::optional<UrlParts> parse_url(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0 || !is_ascii_alpha(url[0])) return std::nullopt;
  for (size_t i = 0; i < colon; ++i)
    if (!is_scheme_char(url[i])) return std::nullopt;
  UrlParts p;
  p.scheme = to_lower(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 1);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    p.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    p.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (rest.starts_with("//")) {
    p.has_authority = true;
    rest = rest.substr(2);
    size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    // The last '@' ends the userinfo: passwords may contain an unescaped '@'.
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
      p.userinfo = std::string(authority.substr(0, at));
      authority = authority.substr(at + 1);
    }
    p.host = to_lower(authority);
  }
  p.path = std::string(rest);
  return p;
}

std::string redact_url(std::string_view url) {
  std::optional<UrlParts> p = parse_url(url);
  if (!p || p->userinfo.empty()) return std::string(url);
  p->userinfo = "***";
  return p->str();
}

std::string strip_credentials(std::string_view url) {
  std::optional<UrlParts> p = parse_url(url);
  if (!p) {
    std::string_view u = url.substr(0, url.find('#'));
    return std::string(u);
  }
  p->userinfo.clear();
  p->fragment.reset();
  return p->str();
}

std::string resolve_url(std::string_view base, std::string_view ref) {
  std::optional<UrlParts> b = parse_url(base);
  if (!b) return std::string(ref);
  if (std::optional<UrlParts> r = parse_url(ref)) {
    r->path = remove_dot_segments(r->path);
    return r->str();
  }
  UrlParts t;
  t.scheme = b->scheme;
  std::string_view rest = ref;
  std::optional<std::string> fragment;
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  std::optional<std::string> query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (rest.starts_with("//")) {
    std::optional<UrlParts> r = parse_url(b->scheme + ":" + std::string(ref));
    if (!r) return std::string(ref);
    r->path = remove_dot_segments(r->path);
    return r->str();
  }
  t.has_authority = b->has_authority;
  t.userinfo = b->userinfo;
  t.host = b->host;
  if (rest.empty()) {
    t.path = b->path;
    t.query = query ? query : b->query;
  } else {
    if (rest.front() == '/') {
      t.path = remove_dot_segments(rest);
    } else {
      std::string merged;
      if (b->has_authority && b->path.empty()) {
        merged = "/" + std::string(rest);
      } else {
        size_t slash = b->path.rfind('/');
        merged = (slash == std::string::npos ? std::string() : b->path.substr(0, slash + 1)) +
                 std::string(rest);
      }
      t.path = remove_dot_segments(merged);
    }
    t.query = query;
  }
  t.fragment = fragment;
  return t.str();
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string percent_encode_path(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (is_ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += c;
    } else {
      auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string url_filename(std::string_view url) {
  std::string_view u = url.substr(0, url.find('#'));
  u = u.substr(0, u.find('?'));
  size_t slash = u.rfind('/');
  std::string_view last = slash == std::string_view::npos ? u : u.substr(slash + 1);
  return percent_decode(last);
}

bool is_file_url(std::string_view url) { return istarts_with(url, "file:"); }

std::optional<std::filesystem::path> file_url_to_path(std::string_view url) {
  std::optional<UrlParts> p = parse_url(url);
  if (!p || p->scheme != "file") return std::nullopt;
  if (!p->host.empty() && p->host != "localhost") return std::nullopt;
  if (p->path.empty()) return std::nullopt;
  return std::filesystem::path(percent_decode(p->path));
}

std::string path_to_file_url(const std::filesystem::path& path) {
  return "file://" + percent_encode_path(std::filesystem::absolute(path).lexically_normal().string());
}

}  // namespace funcpack
