#include "inputs/requirements_txt.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "base/fs.h"
#include "base/strings.h"
#include "spec/package_name.h"
#include "spec/wheel_filename.h"

namespace funcpack {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------
// Characters. pip works on decoded text with Python's notion of whitespace (str.isspace,
// re's \s) and line boundaries (str.splitlines); these helpers reproduce both on UTF-8 bytes.

constexpr bool is_ascii_py_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

// Byte length of the whitespace character starting at s[i] (0 when there is none): ASCII
// whitespace plus U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
// U+3000, which Python's str.strip() and re's \s also treat as whitespace.
size_t space_at(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return is_ascii_py_space(c) ? 1 : 0;
  const size_t n = s.size();
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  if (c == 0xC2) return (i + 1 < n && (at(i + 1) == 0x85 || at(i + 1) == 0xA0)) ? 2 : 0;
  if (i + 2 >= n) return 0;
  const unsigned char d = at(i + 1), e = at(i + 2);
  if (c == 0xE1) return (d == 0x9A && e == 0x80) ? 3 : 0;
  if (c == 0xE2) {
    if (d == 0x80 && ((e >= 0x80 && e <= 0x8A) || e == 0xA8 || e == 0xA9 || e == 0xAF)) return 3;
    if (d == 0x81 && e == 0x9F) return 3;
    return 0;
  }
  if (c == 0xE3) return (d == 0x80 && e == 0x80) ? 3 : 0;
  return 0;
}

// Byte length of the whitespace character that ends just before s[i], or 0.
size_t space_before(std::string_view s, size_t i) {
  if (i == 0) return 0;
  const auto c = static_cast<unsigned char>(s[i - 1]);
  if (c < 0x80) return is_ascii_py_space(c) ? 1 : 0;
  if (i >= 2 && space_at(s, i - 2) == 2) return 2;
  if (i >= 3 && space_at(s, i - 3) == 3) return 3;
  return 0;
}

// [b, e) narrowed to exclude leading and trailing whitespace (Python's str.strip()).
void strip_range(std::string_view s, size_t& b, size_t& e) {
  while (b < e) {
    size_t k = space_at(s.substr(0, e), b);
    if (k == 0) break;
    b += k;
  }
  while (e > b) {
    size_t k = space_before(s.substr(0, e), e);
    if (k == 0 || e - k < b) break;
    e -= k;
  }
}

std::string_view py_strip(std::string_view s) {
  size_t b = 0, e = s.size();
  strip_range(s, b, e);
  return s.substr(b, e - b);
}

// Offset of the first invalid UTF-8 sequence in `s`, or npos. Rejects what Python's strict
// UTF-8 decoder rejects: stray continuation bytes, overlong forms, surrogates, > U+10FFFF.
size_t invalid_utf8_offset(std::string_view s) {
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    auto cont = [&](size_t k) {
      return k < n && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80;
    };
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    if (c >= 0xC2 && c <= 0xDF) {
      if (!cont(i + 1)) return i;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(i + 1) || !cont(i + 2)) return i;
      if (c == 0xE0 && byte(i + 1) < 0xA0) return i;   // overlong
      if (c == 0xED && byte(i + 1) >= 0xA0) return i;  // surrogate
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return i;
      if (c == 0xF0 && byte(i + 1) < 0x90) return i;  // overlong
      if (c == 0xF4 && byte(i + 1) >= 0x90) return i;  // > U+10FFFF
      i += 4;
    } else {
      return i;
    }
  }
  return std::string_view::npos;
}

// Decodes UTF-16 (after its BOM) to UTF-8. On malformed input, decodes up to the problem and
// sets `error`.
std::string utf16_to_utf8(std::string_view bytes, bool big_endian, std::string& error) {
  std::string out;
  out.reserve(bytes.size() / 2);
  auto unit = [&](size_t k) -> uint32_t {
    const auto a = static_cast<unsigned char>(bytes[k]);
    const auto b = static_cast<unsigned char>(bytes[k + 1]);
    return big_endian ? (uint32_t(a) << 8 | b) : (uint32_t(b) << 8 | a);
  };
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) {
    uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= bytes.size()) {
        error = "truncated surrogate pair";
        return out;
      }
      uint32_t low = unit(i + 2);
      if (low < 0xDC00 || low > 0xDFFF) {
        error = "unpaired surrogate";
        return out;
      }
      append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
      i += 2;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      error = "unpaired surrogate";
      return out;
    } else {
      append_utf8(out, u);
    }
  }
  if (i < bytes.size()) error = "odd number of bytes";
  return out;
}

// Python's str.splitlines(): \n, \r\n, \r, \v, \f, \x1c, \x1d, \x1e, U+0085, U+2028, U+2029.
std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  lines.reserve(s.size() / 24 + 1);
  const size_t n = s.size();
  size_t start = 0, i = 0;
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t brk = 0;  // length of the line break at i
    if (c == '\n' || c == '\v' || c == '\f' || c == 0x1c || c == 0x1d || c == 0x1e) {
      brk = 1;
    } else if (c == '\r') {
      brk = (i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
    } else if (c == 0xC2) {
      if (i + 1 < n && static_cast<unsigned char>(s[i + 1]) == 0x85) brk = 2;
    } else if (c == 0xE2) {
      if (i + 2 < n && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
          (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
           static_cast<unsigned char>(s[i + 2]) == 0xA9))
        brk = 3;
    }
    if (brk == 0) {
      ++i;
      continue;
    }
    lines.push_back(s.substr(start, i - start));
    i += brk;
    start = i;
  }
  if (start < n) lines.push_back(s.substr(start));
  return lines;
}

// pip's COMMENT_RE.match: the line is a comment when its first non-space character is '#'.
bool is_comment_line(std::string_view line) {
  size_t i = 0;
  while (i < line.size()) {
    size_t k = space_at(line, i);
    if (k == 0) break;
    i += k;
  }
  return i < line.size() && line[i] == '#';
}

bool is_env_name_char(char c) { return (c >= 'A' && c <= 'Z') || is_ascii_digit(c) || c == '_'; }

// ---------------------------------------------------------------------------------------
// Options, as pip's optparse-based line parser knows them.

enum class Opt {
  kIndexUrl,
  kExtraIndexUrl,
  kNoIndex,
  kConstraint,
  kRequirement,
  kEditable,
  kFindLinks,
  kNoBinary,
  kOnlyBinary,
  kPreferBinary,
  kRequireHashes,
  kPre,
  kTrustedHost,
  kUseFeature,
  kGlobalOption,
  kHash,
  kConfigSettings,
};

struct OptSpec {
  std::string_view long_name;
  char short_name;  // 0: none
  bool takes_value;
  Opt id;
};

constexpr OptSpec kOptions[] = {
    {"--index-url", 'i', true, Opt::kIndexUrl},
    {"--pypi-url", 0, true, Opt::kIndexUrl},
    {"--extra-index-url", 0, true, Opt::kExtraIndexUrl},
    {"--no-index", 0, false, Opt::kNoIndex},
    {"--constraint", 'c', true, Opt::kConstraint},
    {"--requirement", 'r', true, Opt::kRequirement},
    {"--editable", 'e', true, Opt::kEditable},
    {"--find-links", 'f', true, Opt::kFindLinks},
    {"--no-binary", 0, true, Opt::kNoBinary},
    {"--only-binary", 0, true, Opt::kOnlyBinary},
    {"--prefer-binary", 0, false, Opt::kPreferBinary},
    {"--require-hashes", 0, false, Opt::kRequireHashes},
    {"--pre", 0, false, Opt::kPre},
    {"--trusted-host", 0, true, Opt::kTrustedHost},
    {"--use-feature", 0, true, Opt::kUseFeature},
    {"--global-option", 0, true, Opt::kGlobalOption},
    {"--hash", 0, true, Opt::kHash},
    {"--config-settings", 'C', true, Opt::kConfigSettings},
};

constexpr std::string_view kFeatures[] = {"fast-deps", "truststore",
                                          "no-binary-enable-wheel-cache"};

constexpr std::string_view kVcsSchemes[] = {
    "git+http", "git+https", "git+ssh",  "git+git",  "git+file",       "hg+file",
    "hg+http",  "hg+https",  "hg+ssh",   "hg+static-http", "svn+ssh",  "svn+http",
    "svn+https", "svn+svn",  "svn+file", "bzr+http", "bzr+https",      "bzr+ssh",
    "bzr+sftp", "bzr+ftp",   "bzr+lp",   "bzr+file",
};
constexpr std::string_view kVcsNames[] = {"git", "hg", "svn", "bzr"};

constexpr std::string_view kArchiveExtensions[] = {
    ".zip", ".whl", ".tar.bz2", ".tbz", ".tar.gz", ".tgz", ".tar",
    ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
};

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

// "did you mean '--pre'?" for an unknown option, when one is close enough.
std::string suggest_option(std::string_view written) {
  std::string name(written);
  if (name.size() >= 2 && name[0] == '-' && name[1] != '-') name = "-" + name;  // "-pre"
  std::string_view best;
  size_t best_distance = 3;
  for (const auto& o : kOptions) {
    size_t d = edit_distance(name, o.long_name);
    if (d < best_distance) {
      best_distance = d;
      best = o.long_name;
    }
  }
  return best.empty() ? std::string() : "did you mean '" + std::string(best) + "'?";
}

// The scheme of `s` as pip's get_url_scheme sees it (text before the first ':', lowercased),
// or "" when there is no ':'.
std::string url_scheme(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return {};
  return to_lower(s.substr(0, colon));
}

bool is_vcs_scheme(std::string_view scheme) {
  return std::find(std::begin(kVcsSchemes), std::end(kVcsSchemes), scheme) !=
         std::end(kVcsSchemes);
}

// pip's vcs.is_url: an archive or VCS URL pip recognises by its scheme.
bool is_url(std::string_view s) {
  std::string scheme = url_scheme(s);
  if (scheme.empty()) return false;
  return scheme == "http" || scheme == "https" || scheme == "file" || scheme == "ftp" ||
         is_vcs_scheme(scheme);
}

bool is_archive_name(std::string_view s) {
  for (auto ext : kArchiveExtensions) {
    if (s.size() > ext.size() && iequals(s.substr(s.size() - ext.size()), ext)) return true;
  }
  return false;
}

// pip's _looks_like_path.
bool looks_like_path(std::string_view s) {
  return s.find('/') != std::string_view::npos || (!s.empty() && s[0] == '.');
}

// pip's _strip_extras: "path[extra1,extra2]" -> offset of '[' (npos when there is none).
size_t extras_start(std::string_view s) {
  if (s.size() < 3 || s.back() != ']') return std::string_view::npos;
  for (size_t i = s.size() - 1; i-- > 0;) {
    if (s[i] == ']') return std::string_view::npos;
    if (s[i] == '[') return (i > 0 && i + 2 < s.size()) ? i : std::string_view::npos;
  }
  return std::string_view::npos;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (is_ascii_digit(c)) return c - '0';
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The path component of a URL: after "scheme://netloc" (or "scheme:"), before '?' or '#'.
std::string_view url_path(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view rest = url.substr(colon + 1);
  if (rest.starts_with("//")) {
    size_t slash = rest.find_first_of("/?#", 2);
    if (slash == std::string_view::npos) return {};
    rest = rest.substr(slash);
  }
  size_t end = rest.find_first_of("?#");
  return rest.substr(0, end);
}

// pip's Link.egg_fragment: the value of the first "#egg=" or "&egg=" up to the next '&'.
// Returns the offset of the value in `url`, or npos.
size_t egg_fragment(std::string_view url, std::string_view& value) {
  for (size_t i = 0; (i = url.find("egg=", i)) != std::string_view::npos; ++i) {
    if (i > 0 && (url[i - 1] == '#' || url[i - 1] == '&')) {
      size_t b = i + 4;
      size_t e = url.find('&', b);
      if (e == std::string_view::npos) e = url.size();
      value = url.substr(b, e - b);
      return b;
    }
  }
  return std::string_view::npos;
}

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!(is_ascii_digit(c) || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// One logical line: physical lines joined at '\' continuations, the comment removed, the
// ends stripped and ${VAR}s expanded. Offsets into `text` map back to physical positions.

struct Segment {
  size_t logical;  // offset in the joined buffer
  size_t length;
  int line;        // 1-based physical line
  size_t col0;     // 0-based byte offset of the segment in that line
};

struct Expansion {
  size_t out_pos, out_len;  // the value in `text`
  size_t in_pos, in_len;    // the ${NAME} in the joined buffer (relative to the strip start)
};

struct LogicalLine {
  std::string_view text;
  std::string storage;  // backs `text` when expansion rewrote it
  size_t strip_offset = 0;
  const std::vector<Segment>* segments = nullptr;
  std::vector<Expansion> expansions;

  size_t to_joined(size_t pos) const {
    size_t delta_in = 0, delta_out = 0;
    for (const auto& e : expansions) {
      if (pos < e.out_pos) break;
      if (pos < e.out_pos + e.out_len) return strip_offset + e.in_pos;
      delta_in = e.in_pos + e.in_len;
      delta_out = e.out_pos + e.out_len;
    }
    return strip_offset + delta_in + (pos - delta_out);
  }
  // The joined offset just past text[pos - 1] (pos > 0): past the whole ${NAME} when that
  // character came from an expansion.
  size_t to_joined_end(size_t pos) const {
    for (const auto& e : expansions) {
      if (pos - 1 < e.out_pos) break;
      if (pos - 1 < e.out_pos + e.out_len) return strip_offset + e.in_pos + e.in_len;
    }
    return to_joined(pos - 1) + 1;
  }

  const Segment& segment_of(size_t joined) const {
    const auto& segs = *segments;
    size_t k = segs.size() - 1;
    while (k > 0 && segs[k].logical > joined) --k;
    return segs[k];
  }

  int first_line() const { return (*segments)[0].line; }

  // The location of text[b, e) (e == b: a single caret at b).
  Location location(const std::string& path, size_t b, size_t e) const {
    Location loc;
    loc.path = path;
    const size_t jb = to_joined(b);
    const Segment& sb = segment_of(jb);
    loc.line = sb.line;
    loc.column = static_cast<int>(sb.col0 + (jb - sb.logical)) + 1;
    if (e > b) {
      const size_t je = to_joined_end(e);
      const Segment& se = segment_of(je - 1);
      if (&se == &sb) {
        loc.end_column = static_cast<int>(sb.col0 + (je - sb.logical)) + 1;
      } else {
        loc.end_column = static_cast<int>(sb.col0 + sb.length) + 1;
      }
      if (loc.end_column <= loc.column) loc.end_column = 0;
    }
    return loc;
  }
};

struct Token {
  std::string value;
  size_t begin = 0, end = 0;  // span in the line text
  bool raw = false;           // value == text[begin, end) (no quotes or escapes)
};

struct OptUse {
  const OptSpec* spec = nullptr;
  std::string written;  // the option as written ("-r", "--index-url", "--index")
  std::string value;
  size_t begin = 0, end = 0;   // the option's span
  size_t vbegin = 0, vend = 0; // the value's span
};

struct FileCtx {
  std::string path;                       // as displayed
  std::string content;                    // decoded text
  std::vector<std::string_view> lines;    // physical lines of `content`
  RequirementEntry::Kind kind = RequirementEntry::Kind::kRequirement;
};

class Parser {
 public:
  Parser(DiagnosticSink& sink, const EnvLookup& env, RequirementsFile& out, fs::path base_dir)
      : sink_(sink), env_(env), out_(out), base_dir_(std::move(base_dir)) {}

  // Parses `bytes` as the file `display`; `canonical` identifies it for cycle detection.
  void parse_content(std::string_view bytes, const std::string& display, const fs::path& canonical,
                     RequirementEntry::Kind kind);

 private:
  void report(Severity severity, std::string message, const Location& loc, std::string hint = {});
  void error(std::string message, const Location& loc, std::string hint = {}) {
    report(Severity::kError, std::move(message), loc, std::move(hint));
  }
  void warning(std::string message, const Location& loc, std::string hint = {}) {
    report(Severity::kWarning, std::move(message), loc, std::move(hint));
  }

  void process_logical(std::string_view joined, const std::vector<Segment>& segments);
  void handle_line(LogicalLine& line);
  bool split_options(const LogicalLine& line, size_t start, std::vector<Token>& tokens);
  bool parse_options(const LogicalLine& line, const std::vector<Token>& tokens,
                     std::vector<OptUse>& uses, std::vector<const Token*>& positional);
  bool validate_option(const LogicalLine& line, const OptUse& use);
  void apply_format_control(const OptUse& use);
  void apply_index_options(const LogicalLine& line, const std::vector<OptUse>& uses);
  void include(const LogicalLine& line, const OptUse& use);
  void add_requirement(const LogicalLine& line, std::string_view value, size_t b, size_t e,
                       bool editable, const std::vector<OptUse>& uses);
  bool classify(RequirementEntry& entry, const LogicalLine& line, std::string_view value,
                size_t b, size_t e, bool editable);
  bool parse_named(RequirementEntry& entry, const LogicalLine& line, std::string_view value,
                   size_t b, size_t e);
  bool set_name_from_url(RequirementEntry& entry, const LogicalLine& line, size_t b, size_t e);
  bool parse_marker(RequirementEntry& entry, const LogicalLine& line, std::string_view text,
                    size_t b);
  void check_constraint(const RequirementEntry& entry, const LogicalLine& line, size_t b,
                        size_t e);

  Location loc(const LogicalLine& line, size_t b, size_t e) const {
    return line.location(file_->path, b, e);
  }

  DiagnosticSink& sink_;
  const EnvLookup& env_;
  RequirementsFile& out_;
  fs::path base_dir_;  // local paths are relative to the root file's directory
  FileCtx* file_ = nullptr;
  std::vector<std::string> chain_;        // display paths of the files being read, root first
  std::vector<fs::path> canonical_chain_;
  std::string joined_;                    // scratch for continuation joining
  int swallowed_warned_line_ = 0;
};

void Parser::report(Severity severity, std::string message, const Location& loc,
                    std::string hint) {
  Diagnostic d;
  d.severity = severity;
  d.message = std::move(message);
  d.location = loc;
  if (file_ != nullptr && loc.line > 0 && static_cast<size_t>(loc.line) <= file_->lines.size())
    d.source_line = std::string(file_->lines[loc.line - 1]);
  d.hint = std::move(hint);
  sink_.report(std::move(d));
}

void Parser::parse_content(std::string_view bytes, const std::string& display,
                           const fs::path& canonical, RequirementEntry::Kind kind) {
  FileCtx ctx;
  ctx.path = display;
  ctx.kind = kind;
  // pip's auto_decode: a BOM selects UTF-8 or UTF-16; otherwise the text is UTF-8.
  std::string decode_error;
  if (bytes.starts_with("\xEF\xBB\xBF")) {
    ctx.content.assign(bytes.substr(3));
  } else if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    ctx.content = utf16_to_utf8(bytes.substr(2), bytes[0] == '\xFE', decode_error);
  } else {
    ctx.content.assign(bytes);
  }
  ctx.lines = split_lines(ctx.content);

  FileCtx* saved = file_;
  file_ = &ctx;
  chain_.push_back(display);
  canonical_chain_.push_back(canonical);
  out_.files.emplace_back(display);

  if (!decode_error.empty()) {
    error("cannot decode UTF-16 text: " + decode_error + " (only the text before it is read)",
          Location{display, 0, 0, 0});
  } else if (size_t bad = invalid_utf8_offset(ctx.content); bad != std::string_view::npos) {
    // Locate the byte; pip would refuse the whole file, we go on to report everything else.
    const char* p = ctx.content.data() + bad;
    size_t k = 0;
    while (k + 1 < ctx.lines.size() && ctx.lines[k + 1].data() <= p) ++k;
    Location at{display, static_cast<int>(k) + 1,
                static_cast<int>(p - ctx.lines[k].data()) + 1, 0};
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(*p));
    error(std::string("invalid UTF-8 byte ") + hex + "; pip reads requirements files as UTF-8",
          at, "save the file as UTF-8");
  }

  // pip's join_lines: a line ending in '\' (that is not a comment line) continues on the
  // next one; backslashes are stripped from both ends of the continued piece. A comment line
  // ends the joined line (pip appends " " + comment, which its comment removal then drops).
  std::vector<Segment> segments;
  bool pending = false;
  for (size_t i = 0; i < ctx.lines.size(); ++i) {
    std::string_view line = ctx.lines[i];
    const int lineno = static_cast<int>(i) + 1;
    const bool comment = is_comment_line(line);
    if (!comment && !line.empty() && line.back() == '\\') {
      size_t b = 0, e = line.size();
      while (b < e && line[b] == '\\') ++b;
      while (e > b && line[e - 1] == '\\') --e;
      if (!pending) {
        joined_.clear();
        segments.clear();
        pending = true;
      }
      segments.push_back({joined_.size(), e - b, lineno, b});
      joined_.append(line.substr(b, e - b));
      continue;
    }
    if (pending) {
      if (!comment) {
        segments.push_back({joined_.size(), line.size(), lineno, 0});
        joined_.append(line);
      }
      pending = false;
      std::string joined = std::move(joined_);
      process_logical(joined, segments);
      joined_ = std::move(joined);
    } else if (!comment) {
      segments.clear();
      segments.push_back({0, line.size(), lineno, 0});
      process_logical(line, segments);
    }
  }
  if (pending) {
    std::string joined = std::move(joined_);
    process_logical(joined, segments);
    joined_ = std::move(joined);
  }

  chain_.pop_back();
  canonical_chain_.pop_back();
  file_ = saved;
}

void Parser::process_logical(std::string_view joined, const std::vector<Segment>& segments) {
  // pip's COMMENT_RE (^|\s+)#.*$: a '#' at the start or after whitespace starts a comment;
  // a '#' inside a word (a URL fragment such as #egg= or #sha256=) does not.
  size_t end = joined.size();
  for (size_t i = joined.find('#'); i != std::string_view::npos; i = joined.find('#', i + 1)) {
    if (i == 0 || space_before(joined, i) > 0) {
      end = i;
      break;
    }
  }
  // A comment whose line ends in '\' swallows the following lines: say so, they vanish.
  if (end < joined.size() && segments.size() > 1) {
    for (size_t k = 1; k < segments.size(); ++k) {
      const Segment& s = segments[k];
      if (s.logical <= end) continue;
      std::string_view piece = joined.substr(s.logical, s.length);
      if (!py_strip(piece).empty() && s.line != swallowed_warned_line_) {
        swallowed_warned_line_ = s.line;
        const Segment& owner = segments[k - 1];
        Location at{file_->path, s.line, static_cast<int>(s.col0) + 1,
                    static_cast<int>(s.col0 + s.length) + 1};
        warning("this line is ignored: it continues the comment on line " +
                    std::to_string(owner.line) + ", which ends with '\\'",
                at, "remove the trailing '\\' from the comment");
        break;
      }
    }
  }
  size_t b = 0;
  strip_range(joined, b, end);
  if (b >= end) return;

  LogicalLine line;
  line.segments = &segments;
  line.strip_offset = b;
  std::string_view text = joined.substr(b, end - b);
  // pip's expand_env_variables: ${NAME} with NAME in [A-Z0-9_]+; unset or empty values leave
  // the reference as written. Expansion happens after comment removal, so a value's '#' is
  // never a comment.
  size_t dollar = text.find("${");
  if (dollar != std::string_view::npos) {
    std::string out;
    size_t copied = 0;
    for (size_t i = dollar; i != std::string_view::npos; i = text.find("${", i)) {
      size_t k = i + 2;
      while (k < text.size() && is_env_name_char(text[k])) ++k;
      if (k == i + 2 || k >= text.size() || text[k] != '}') {
        i += 2;
        continue;
      }
      std::optional<std::string> value = env_ ? env_(text.substr(i + 2, k - i - 2)) : std::nullopt;
      if (!value || value->empty()) {
        i = k + 1;
        continue;
      }
      out.append(text.substr(copied, i - copied));
      line.expansions.push_back({out.size(), value->size(), i, k + 1 - i});
      out.append(*value);
      copied = k + 1;
      i = k + 1;
    }
    if (!line.expansions.empty()) {
      out.append(text.substr(copied));
      line.storage = std::move(out);
      text = line.storage;
    }
  }
  line.text = text;
  handle_line(line);
}

// pip's break_args_options: the requirement is everything before the first space-separated
// token that starts with '-'; the rest is options (split on spaces only, not tabs).
void Parser::handle_line(LogicalLine& line) {
  std::string_view t = line.text;
  size_t opt_start = std::string_view::npos;
  for (size_t i = t.find('-'); i != std::string_view::npos; i = t.find('-', i + 1)) {
    if (i == 0 || t[i - 1] == ' ') {
      opt_start = i;
      break;
    }
  }
  size_t args_end = opt_start == std::string_view::npos ? t.size() : opt_start;
  size_t args_begin = 0;
  strip_range(t, args_begin, args_end);

  std::vector<OptUse> uses;
  std::vector<const Token*> positional;
  std::vector<Token> tokens;
  if (opt_start != std::string_view::npos) {
    if (!split_options(line, opt_start, tokens)) return;
    if (!parse_options(line, tokens, uses, positional)) return;
    for (const auto& u : uses) {
      if (!validate_option(line, u)) return;
    }
    // pip's --no-binary/--only-binary callbacks change the finder's format control while the
    // line is parsed, whatever else the line holds.
    for (const auto& u : uses) {
      if (u.spec->id == Opt::kNoBinary || u.spec->id == Opt::kOnlyBinary) {
        apply_format_control(u);
        out_.options.locations.push_back(loc(line, u.begin, u.end));
      }
    }
  }

  const bool has_args = args_end > args_begin;
  const OptUse* editable = nullptr;
  for (const auto& u : uses) {
    if (u.spec->id == Opt::kEditable) {
      editable = &u;
      break;
    }
  }
  for (const Token* p : positional) {
    warning("ignored argument '" + p->value + "': pip ignores arguments after options",
            loc(line, p->begin, p->end));
  }

  if (has_args || editable != nullptr) {
    // A requirement line: only --hash, --config-settings and --global-option belong to it
    // (and none to an editable); pip ignores every other option here.
    const bool is_editable = !has_args;
    for (const auto& u : uses) {
      const Opt id = u.spec->id;
      if (id == Opt::kNoBinary || id == Opt::kOnlyBinary) continue;
      if (&u == editable && is_editable) continue;
      if (!is_editable && (id == Opt::kHash || id == Opt::kConfigSettings)) continue;
      if (id == Opt::kGlobalOption && !is_editable) {
        warning("'" + u.written + "' is deprecated in pip and ignored by funcpack",
                loc(line, u.begin, u.vend));
        continue;
      }
      std::string where = is_editable ? "an editable requirement" : "a requirement line";
      std::string hint = (id == Opt::kHash || id == Opt::kConfigSettings)
                             ? std::string()
                             : "put it on a line of its own";
      warning("option '" + u.written + "' has no effect on " + where + " (pip ignores it)",
              loc(line, u.begin, u.end), hint);
    }
    if (has_args) {
      add_requirement(line, t.substr(args_begin, args_end - args_begin), args_begin, args_end,
                      false, uses);
    } else {
      add_requirement(line, editable->value, editable->vbegin, editable->vend, true, uses);
    }
    return;
  }

  // An option line. pip handles one -r (preferred) or -c and ignores the line's other options.
  const OptUse* inc = nullptr;
  for (const auto& u : uses) {
    if (u.spec->id == Opt::kRequirement) {
      inc = &u;
      break;
    }
  }
  if (inc == nullptr) {
    for (const auto& u : uses) {
      if (u.spec->id == Opt::kConstraint) {
        inc = &u;
        break;
      }
    }
  }
  if (inc != nullptr) {
    for (const auto& u : uses) {
      if (&u == inc || u.spec->id == Opt::kNoBinary || u.spec->id == Opt::kOnlyBinary) continue;
      warning("option '" + u.written + "' has no effect on a line that includes a file " +
                  "(pip ignores it)",
              loc(line, u.begin, u.end), "put it on a line of its own");
    }
    include(line, *inc);
    return;
  }
  apply_index_options(line, uses);
}

// POSIX shell-like splitting of the options part (pip uses shlex.split): whitespace is
// space, tab, CR, LF; quotes group; a backslash escapes outside single quotes.
bool Parser::split_options(const LogicalLine& line, size_t start, std::vector<Token>& tokens) {
  std::string_view s = line.text;
  const size_t n = s.size();
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  size_t i = start;
  for (;;) {
    while (i < n && ws(s[i])) ++i;
    if (i >= n) return true;
    Token t;
    t.begin = i;
    bool quoted = false, plain = true;
    while (i < n && !ws(s[i])) {
      const char c = s[i];
      if (c == '\'' || c == '"') {
        quoted = true;
        plain = false;
        const size_t q = i++;
        while (i < n && s[i] != c) {
          if (c == '"' && s[i] == '\\' && i + 1 < n) {
            const char nx = s[i + 1];
            if (nx != '"' && nx != '\\') t.value += '\\';
            t.value += nx;
            i += 2;
            continue;
          }
          t.value += s[i++];
        }
        if (i >= n) {
          error(std::string("unterminated ") + (c == '"' ? "double" : "single") + " quote",
                loc(line, q, n), std::string("close the quote with ") + c);
          return false;
        }
        ++i;
      } else if (c == '\\') {
        plain = false;
        if (i + 1 >= n) {
          error("a backslash at the end of the options escapes nothing", loc(line, i, i + 1));
          return false;
        }
        t.value += s[i + 1];
        i += 2;
      } else {
        size_t j = i + 1;  // a run of ordinary characters, appended at once
        while (j < n && !ws(s[j]) && s[j] != '\'' && s[j] != '"' && s[j] != '\\') ++j;
        t.value.append(s.substr(i, j - i));
        i = j;
      }
    }
    t.end = i;
    t.raw = plain;
    if (!t.value.empty() || quoted) tokens.push_back(std::move(t));
  }
}

// optparse semantics: long options with '=' or a separate value and unique-prefix
// abbreviations; bundled short options ("-rfile"); "--" ends options; a value is taken from
// the next token even when it starts with '-'. Other arguments are collected as positional.
bool Parser::parse_options(const LogicalLine& line, const std::vector<Token>& tokens,
                           std::vector<OptUse>& uses, std::vector<const Token*>& positional) {
  bool options_done = false;
  for (size_t k = 0; k < tokens.size(); ++k) {
    const Token& tok = tokens[k];
    std::string_view arg = tok.value;
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      positional.push_back(&tok);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    OptUse use;
    use.begin = tok.begin;
    use.end = tok.end;
    if (arg.starts_with("--")) {
      size_t eq = arg.find('=');
      std::string_view name = arg.substr(0, eq);
      const OptSpec* spec = nullptr;
      std::vector<std::string_view> candidates;
      for (const auto& o : kOptions) {
        if (o.long_name == name) {
          spec = &o;
          candidates.clear();
          break;
        }
        if (o.long_name.starts_with(name)) candidates.push_back(o.long_name);
      }
      if (spec == nullptr && candidates.size() == 1) {
        for (const auto& o : kOptions)
          if (o.long_name == candidates[0]) spec = &o;
      }
      const size_t name_end = tok.raw ? tok.begin + name.size() : tok.end;
      if (spec == nullptr && candidates.empty()) {
        error("unknown option '" + std::string(name) + "'", loc(line, tok.begin, name_end),
              suggest_option(name));
        return false;
      }
      if (spec == nullptr) {
        std::sort(candidates.begin(), candidates.end());
        std::vector<std::string> names(candidates.begin(), candidates.end());
        error("ambiguous option '" + std::string(name) + "' (could be " + join(names, ", ") + ")",
              loc(line, tok.begin, name_end));
        return false;
      }
      use.spec = spec;
      use.written = std::string(name);
      if (eq != std::string_view::npos) {
        if (!spec->takes_value) {
          error("option '" + use.written + "' does not take a value", loc(line, tok.begin, tok.end));
          return false;
        }
        use.value = std::string(arg.substr(eq + 1));
        use.vbegin = tok.raw ? tok.begin + eq + 1 : tok.begin;
        use.vend = tok.end;
      } else if (spec->takes_value) {
        if (k + 1 >= tokens.size()) {
          error("option '" + use.written + "' requires a value", loc(line, tok.begin, tok.end));
          return false;
        }
        const Token& v = tokens[++k];
        use.value = v.value;
        use.vbegin = v.begin;
        use.vend = v.end;
      } else {
        use.vbegin = tok.begin;
        use.vend = tok.end;
      }
      uses.push_back(std::move(use));
      continue;
    }
    // Short options, possibly bundled; every short option pip knows here takes a value.
    for (size_t c = 1; c < arg.size(); ++c) {
      const OptSpec* spec = nullptr;
      for (const auto& o : kOptions)
        if (o.short_name != 0 && o.short_name == arg[c]) spec = &o;
      const size_t at = tok.raw ? tok.begin + c - 1 : tok.begin;
      if (spec == nullptr) {
        std::string written = "-" + std::string(1, arg[c]);
        error("unknown option '" + written + "'", loc(line, at, tok.raw ? at + 2 : tok.end),
              c == 1 ? suggest_option(arg) : std::string());
        return false;
      }
      OptUse u;
      u.spec = spec;
      u.written = "-" + std::string(1, arg[c]);
      u.begin = tok.begin;
      u.end = tok.raw ? at + 2 : tok.end;
      if (c + 1 < arg.size()) {
        u.value = std::string(arg.substr(c + 1));
        u.vbegin = tok.raw ? at + 2 : tok.begin;
        u.vend = tok.end;
      } else if (k + 1 < tokens.size()) {
        const Token& v = tokens[++k];
        u.value = v.value;
        u.vbegin = v.begin;
        u.vend = v.end;
      } else {
        error("option '" + u.written + "' requires a value", loc(line, u.begin, u.end));
        return false;
      }
      uses.push_back(std::move(u));
      break;
    }
  }
  return true;
}

// The checks pip's option callbacks make while parsing (they fail the line whatever it holds).
bool Parser::validate_option(const LogicalLine& line, const OptUse& u) {
  const Location vloc = loc(line, u.vbegin, u.vend);
  switch (u.spec->id) {
    case Opt::kHash: {
      size_t colon = u.value.find(':');
      if (colon == std::string::npos) {
        error("'" + u.written + "' needs ALGORITHM:DIGEST, like --hash=sha256:abcdef...", vloc);
        return false;
      }
      std::string_view algo = std::string_view(u.value).substr(0, colon);
      std::string_view digest = std::string_view(u.value).substr(colon + 1);
      size_t want = algo == "sha256" ? 64 : algo == "sha384" ? 96 : algo == "sha512" ? 128 : 0;
      if (want == 0) {
        error("unsupported hash algorithm '" + std::string(algo) +
                  "' (pip accepts sha256, sha384, sha512)",
              vloc);
        return false;
      }
      if (digest.size() != want || !is_hex(digest)) {
        warning("the " + std::string(algo) + " digest must be " + std::to_string(want) +
                    " lowercase hex digits; pip compares it as written, so it can never match",
                vloc);
      }
      return true;
    }
    case Opt::kConfigSettings:
      if (u.value.find('=') == std::string::npos) {
        error("'" + u.written + "' needs KEY=VALUE (got '" + u.value + "')", vloc);
        return false;
      }
      return true;
    case Opt::kUseFeature:
      if (std::find(std::begin(kFeatures), std::end(kFeatures), u.value) == std::end(kFeatures)) {
        error("unknown feature '" + u.value +
                  "' for --use-feature (pip knows fast-deps, truststore, "
                  "no-binary-enable-wheel-cache)",
              vloc);
        return false;
      }
      return true;
    case Opt::kNoBinary:
    case Opt::kOnlyBinary:
      if (u.value.starts_with("-")) {
        error("option '" + u.written + "' requires a value (got the option '" + u.value + "')",
              loc(line, u.begin, u.vend));
        return false;
      }
      return true;
    default:
      return true;
  }
}

// pip's FormatControl.handle_mutual_excludes.
void Parser::apply_format_control(const OptUse& u) {
  auto& target = u.spec->id == Opt::kNoBinary ? out_.options.no_binary : out_.options.only_binary;
  auto& other = u.spec->id == Opt::kNoBinary ? out_.options.only_binary : out_.options.no_binary;
  std::vector<std::string_view> items = split(u.value, ',');
  size_t from = 0;
  for (;;) {
    size_t all = items.size();
    for (size_t k = from; k < items.size(); ++k) {
      if (items[k] == ":all:") {
        all = k;
        break;
      }
    }
    if (all == items.size()) break;
    other.clear();
    target.clear();
    target.insert(":all:");
    from = all + 1;
    bool none_follows = false;
    for (size_t k = from; k < items.size(); ++k) none_follows |= items[k] == ":none:";
    if (!none_follows) return;
  }
  for (size_t k = from; k < items.size(); ++k) {
    if (items[k] == ":none:") {
      target.clear();
      continue;
    }
    if (items[k].empty()) continue;
    std::string name = normalize_name(items[k]);
    other.erase(name);
    target.insert(std::move(name));
  }
}

// pip's handle_option_line: --no-index clears the index URLs and wins over later ones;
// --index-url replaces the whole URL list (extra index URLs set before it included);
// only the first --find-links of a line counts, and a relative one that exists next to the
// requirements file is taken relative to it.
void Parser::apply_index_options(const LogicalLine& line, const std::vector<OptUse>& uses) {
  IndexOptions& o = out_.options;
  const OptUse* index_url = nullptr;
  bool seen_find_links = false;
  for (const auto& u : uses) {
    const Location at = loc(line, u.begin, u.vend);
    switch (u.spec->id) {
      case Opt::kNoIndex:
        o.no_index = true;
        o.index_url.reset();
        o.extra_index_urls.clear();
        o.locations.push_back(at);
        break;
      case Opt::kIndexUrl:
        index_url = &u;  // pip keeps the last one of a line
        break;
      case Opt::kFindLinks: {
        if (seen_find_links) {
          warning("only the first --find-links of a line is used (pip ignores the others)", at,
                  "put each --find-links on its own line");
          break;
        }
        seen_find_links = true;
        std::string value = u.value;
        if (!value.empty() && url_scheme(value).size() < 2) {
          fs::path rel = fs::path(file_->path).parent_path() / value;
          std::error_code ec;
          if (fs::exists(rel, ec)) value = rel.lexically_normal().string();
        }
        if (!value.empty()) o.find_links.push_back(std::move(value));
        o.locations.push_back(at);
        break;
      }
      case Opt::kPre:
        o.pre = true;
        o.locations.push_back(at);
        break;
      case Opt::kPreferBinary:
        o.prefer_binary = true;
        o.locations.push_back(at);
        break;
      case Opt::kRequireHashes:
        o.require_hashes = true;
        o.locations.push_back(at);
        break;
      case Opt::kTrustedHost:
        o.trusted_hosts.push_back(u.value);
        o.locations.push_back(at);
        break;
      case Opt::kHash:
        warning("'" + u.written + "' without a requirement is ignored (pip ignores it too)", at,
                "put --hash on the requirement's line (or continue that line with '\\')");
        break;
      case Opt::kConfigSettings:
      case Opt::kGlobalOption:
        warning("'" + u.written + "' without a requirement has no effect (pip ignores it)", at);
        break;
      case Opt::kEditable:
      case Opt::kRequirement:
      case Opt::kConstraint:
      case Opt::kNoBinary:
      case Opt::kOnlyBinary:
      case Opt::kUseFeature:
      case Opt::kExtraIndexUrl:
        break;
    }
  }
  const bool no_index_now = o.no_index;
  if (index_url != nullptr && !index_url->value.empty()) {
    const Location at = loc(line, index_url->begin, index_url->vend);
    if (no_index_now) {
      warning("'" + index_url->written + "' has no effect: --no-index is in force", at);
    } else {
      if (!o.extra_index_urls.empty()) {
        warning("'" + index_url->written + "' replaces the extra index URLs set before it; " +
                    "pip no longer uses them",
                at, "put --index-url before any --extra-index-url");
        o.extra_index_urls.clear();
      }
      o.index_url = index_url->value;
      o.locations.push_back(at);
    }
  }
  for (const auto& u : uses) {
    if (u.spec->id != Opt::kExtraIndexUrl || u.value.empty()) continue;
    const Location at = loc(line, u.begin, u.vend);
    if (no_index_now) {
      warning("'" + u.written + "' has no effect: --no-index is in force", at);
      continue;
    }
    o.extra_index_urls.push_back(u.value);
    o.locations.push_back(at);
  }
}

void Parser::include(const LogicalLine& line, const OptUse& u) {
  const Location at = loc(line, u.vbegin, u.vend);
  const auto kind = u.spec->id == Opt::kConstraint ? RequirementEntry::Kind::kConstraint
                                                   : RequirementEntry::Kind::kRequirement;
  std::string scheme = url_scheme(u.value);
  if (scheme == "http" || scheme == "https" || scheme == "file") {
    error("cannot include '" + u.value + "': funcpack reads local requirements files only", at,
          "download the file and include it by its path");
    return;
  }
  if (u.value.empty()) {
    error("option '" + u.written + "' needs a file name", at);
    return;
  }
  // Relative to the including file (pip joins with the including file's directory).
  const fs::path path = (fs::path(file_->path).parent_path() / u.value).lexically_normal();
  const std::string display = path.string();
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  if (ec) canonical = fs::absolute(path, ec).lexically_normal();
  for (size_t k = 0; k < canonical_chain_.size(); ++k) {
    if (canonical_chain_[k] == canonical) {
      std::vector<std::string> cycle(chain_.begin() + static_cast<std::ptrdiff_t>(k), chain_.end());
      cycle.push_back(display);
      error("include cycle: " + join(cycle, " -> "), at, "remove one of these includes");
      return;
    }
  }
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    error("cannot read " + display + ": " +
              (S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file"),
          at);
    return;
  }
  Result<std::string> content = read_file(path);
  if (!content) {
    error(content.error().message, at);
    return;
  }
  parse_content(*content, display, canonical, kind);
}

void Parser::add_requirement(const LogicalLine& line, std::string_view value, size_t b,
                             size_t e, bool editable, const std::vector<OptUse>& uses) {
  RequirementEntry entry;
  entry.kind = file_->kind;
  entry.editable = editable;
  entry.location = loc(line, b, e);
  entry.source_line = std::string(file_->lines[entry.location.line - 1]);
  entry.text = std::string(value);
  entry.include_chain.assign(chain_.begin(), chain_.end() - 1);
  if (!classify(entry, line, value, b, e, editable)) return;
  if (!editable) {
    for (const auto& u : uses) {
      if (u.spec->id == Opt::kHash) entry.hashes.push_back(u.value);
      if (u.spec->id == Opt::kConfigSettings) {
        size_t eq = u.value.find('=');
        entry.config_settings.emplace_back(u.value.substr(0, eq), u.value.substr(eq + 1));
      }
    }
  }
  if (entry.kind == RequirementEntry::Kind::kConstraint) check_constraint(entry, line, b, e);
  out_.entries.push_back(std::move(entry));
}

// pip's check_invalid_constraint_type (its resolver refuses these forms).
void Parser::check_constraint(const RequirementEntry& entry, const LogicalLine& line, size_t b,
                              size_t e) {
  std::string problem;
  if (entry.req.name.empty()) {
    problem = "a constraint must name a project (pip refuses unnamed constraints)";
  } else if (entry.editable) {
    problem = "a constraint cannot be editable (pip refuses editable constraints)";
  } else if (!entry.req.extras.empty()) {
    problem = "a constraint cannot have extras (pip refuses them)";
  }
  if (!problem.empty())
    error(problem, loc(line, b, e), "constraints take the form NAME SPECIFIER [; MARKER]");
}

bool Parser::parse_marker(RequirementEntry& entry, const LogicalLine& line,
                          std::string_view text, size_t b) {
  size_t mb = 0, me = text.size();
  strip_range(text, mb, me);
  if (mb >= me) return true;
  Result<Marker> m = Marker::parse(text.substr(mb, me - mb));
  if (!m) {
    const Location& el = m.error().location;
    size_t cb = b + mb + (el.column > 0 ? static_cast<size_t>(el.column) - 1 : 0);
    size_t ce = el.end_column > el.column ? b + mb + static_cast<size_t>(el.end_column) - 1 : cb;
    error("invalid marker: " + m.error().message, loc(line, cb, std::min(ce, line.text.size())));
    return false;
  }
  entry.req.marker = std::move(*m);
  return true;
}

// Names a URL or archive requirement as pip does: a wheel's file name gives NAME==VERSION,
// otherwise #egg=NAME (which may carry extras), otherwise the entry stays unnamed.
bool Parser::set_name_from_url(RequirementEntry& entry, const LogicalLine& line, size_t b,
                               size_t e) {
  std::string_view url = entry.url;
  std::string_view path = entry.form == RequirementEntry::Form::kLocalPath ? url : url_path(url);
  if (entry.form == RequirementEntry::Form::kLocalPath) {
    size_t end = path.find_first_of("#");
    path = path.substr(0, end);
  }
  size_t slash = path.rfind('/');
  std::string filename =
      percent_decode(slash == std::string_view::npos ? path : path.substr(slash + 1));
  if (entry.form != RequirementEntry::Form::kVcs && filename.size() > 4 &&
      iequals(std::string_view(filename).substr(filename.size() - 4), ".whl")) {
    Result<WheelFilename> wheel = WheelFilename::parse(filename);
    if (!wheel) {
      error(wheel.error().message, loc(line, b, e));
      return false;
    }
    Result<Requirement> r = Requirement::parse(wheel->name + "==" + wheel->version.str());
    if (!r) {
      error("invalid requirement from wheel file name: " + r.error().message, loc(line, b, e));
      return false;
    }
    std::optional<Marker> marker = std::move(entry.req.marker);
    std::vector<std::string> extras = std::move(entry.req.extras);
    entry.req = std::move(*r);
    entry.req.marker = std::move(marker);
    if (!extras.empty()) entry.req.extras = std::move(extras);
    return true;
  }
  std::string_view egg;
  size_t egg_at = egg_fragment(url, egg);
  if (egg_at == std::string_view::npos) return true;  // unnamed
  // Columns of the egg value inside the line, when the URL is written as-is in it.
  size_t url_at = line.text.substr(b, e - b).find(url);
  size_t eb = url_at == std::string_view::npos ? b : b + url_at + egg_at;
  size_t ee = url_at == std::string_view::npos ? e : eb + egg.size();
  if (egg.empty()) {
    error("empty #egg= name", loc(line, eb, eb));
    return false;
  }
  Result<Requirement> r = Requirement::parse(egg);
  if (!r || !r->specifier.empty() || !r->url.empty() || r->marker) {
    error("invalid #egg= name '" + std::string(egg) + "' (expected a project name)",
          loc(line, eb, ee));
    return false;
  }
  std::optional<Marker> marker = std::move(entry.req.marker);
  entry.req = std::move(*r);
  entry.req.marker = std::move(marker);
  return true;
}

// The revision of a VCS URL: what follows the last '@' of its path (pip's
// get_url_rev_and_auth). Returns false when there is an '@' with nothing after it.
bool set_vcs_revision(RequirementEntry& entry, const std::string& url) {
  std::string_view path = url_path(url);
  size_t at = path.rfind('@');
  if (at == std::string_view::npos) return true;
  entry.vcs_revision = std::string(path.substr(at + 1));
  return !entry.vcs_revision.empty();
}

bool Parser::parse_named(RequirementEntry& entry, const LogicalLine& line, std::string_view value,
                         size_t b, size_t e) {
  Result<Requirement> r = Requirement::parse(value);
  if (!r) {
    const Location& el = r.error().location;
    size_t cb = b + (el.column > 0 ? static_cast<size_t>(el.column) - 1 : 0);
    size_t ce = el.end_column > el.column ? b + static_cast<size_t>(el.end_column) - 1 : cb;
    cb = std::min(cb, e);
    ce = std::min(ce, e);
    std::string hint;
    if (value.find("\t-") != std::string_view::npos) {
      hint = "separate options from the requirement with a space: pip does not split on tabs";
    } else if (value.find('=') != std::string_view::npos &&
               value.find("==") == std::string_view::npos &&
               value.find_first_of("<>!~") == std::string_view::npos) {
      hint = "'=' is not a version operator; did you mean '=='?";
    } else if (looks_like_path(value)) {
      hint = "it looks like a path, but no such directory or archive exists";
    }
    error("invalid requirement: " + r.error().message, loc(line, cb, ce), hint);
    return false;
  }
  entry.req = std::move(*r);
  if (!entry.req.url.empty()) {
    entry.url = entry.req.url;
    if (is_vcs_scheme(url_scheme(entry.url))) {
      entry.form = RequirementEntry::Form::kVcs;
      if (!set_vcs_revision(entry, entry.url)) {
        error("the VCS URL has an empty revision after '@'", loc(line, b, e),
              "add a revision after '@' or remove the '@'");
        return false;
      }
    } else {
      entry.form = RequirementEntry::Form::kUrl;
    }
  }
  return true;
}

bool Parser::classify(RequirementEntry& entry, const LogicalLine& line, std::string_view value,
                      size_t b, size_t e, bool editable) {
  using Form = RequirementEntry::Form;
  std::error_code ec;
  if (editable) {
    // pip's parse_editable: a local project directory (with optional [extras]), a file: URL,
    // or a VCS URL naming its project with #egg=.
    size_t xb = extras_start(value);
    std::string_view path = xb == std::string_view::npos ? value : value.substr(0, xb);
    if (fs::is_directory(base_dir_ / path, ec)) {
      entry.form = Form::kLocalPath;
      entry.url = std::string(path);
      if (xb != std::string_view::npos) {
        Result<Requirement> r = Requirement::parse("placeholder" + std::string(value.substr(xb)));
        if (!r) {
          error("invalid extras '" + std::string(value.substr(xb)) + "'", loc(line, b, e));
          return false;
        }
        entry.req.extras = std::move(r->extras);
      }
      return true;
    }
    if (istarts_with(path, "file:")) {
      entry.form = Form::kUrl;
      entry.url = std::string(path);
      return set_name_from_url(entry, line, b, e);
    }
    std::string url(value);
    for (auto vcs : kVcsNames) {
      if (istarts_with(url, std::string(vcs) + ":")) {
        url = std::string(vcs) + "+" + url;
        break;
      }
    }
    if (!is_vcs_scheme(url_scheme(url))) {
      error("'" + std::string(value) +
                "' is not a valid editable requirement: expected a local project directory or "
                "a VCS URL (git+https://..., hg+https://..., svn+https://..., bzr+https://...)",
            loc(line, b, e));
      return false;
    }
    entry.form = Form::kVcs;
    entry.url = url;
    if (!set_vcs_revision(entry, url)) {
      error("the VCS URL has an empty revision after '@'", loc(line, b, e),
            "add a revision after '@' or remove the '@'");
      return false;
    }
    if (!set_name_from_url(entry, line, b, e)) return false;
    if (entry.req.name.empty()) {
      error("cannot tell the project name of editable '" + std::string(value) + "'",
            loc(line, b, e), "add #egg=NAME to the URL");
      return false;
    }
    return true;
  }

  // pip's parse_req_from_line. URLs take their marker after "; ", other forms after ';'.
  const bool url = is_url(value);
  size_t semi = value.find(url ? "; " : ";");
  std::string_view head = value.substr(0, semi);
  size_t hb = 0, he = head.size();
  strip_range(head, hb, he);
  std::string_view name = head.substr(hb, he - hb);
  if (url) {
    entry.url = std::string(name);
    entry.form = is_vcs_scheme(url_scheme(name)) ? Form::kVcs : Form::kUrl;
    if (entry.form == Form::kVcs) {
      if (!set_vcs_revision(entry, entry.url)) {
        error("the VCS URL has an empty revision after '@'", loc(line, b + hb, b + he),
              "add a revision after '@' or remove the '@'");
        return false;
      }
    }
    if (semi != std::string_view::npos && !parse_marker(entry, line, value.substr(semi + 2),
                                                         b + semi + 2))
      return false;
    return set_name_from_url(entry, line, b + hb, b + he);
  }
  size_t xb = extras_start(name);
  std::string_view path = xb == std::string_view::npos ? name : name.substr(0, xb);
  bool local = false;
  if (looks_like_path(name) && fs::is_directory(base_dir_ / path, ec)) {
    const fs::path dir = base_dir_ / path;
    if (!fs::is_regular_file(dir / "pyproject.toml", ec) &&
        !fs::is_regular_file(dir / "setup.py", ec)) {
      error("directory '" + std::string(path) +
                "' is not installable: it has neither pyproject.toml nor setup.py",
            loc(line, b + hb, b + he));
      return false;
    }
    local = true;
  } else if (is_archive_name(path)) {
    if (fs::is_regular_file(base_dir_ / path, ec)) {
      local = true;
    } else {
      size_t at = name.find('@');
      if (at == std::string_view::npos || looks_like_path(name.substr(0, at))) {
        warning("'" + std::string(path) + "' looks like a file name, but the file does not exist",
                loc(line, b + hb, b + he));
        local = true;
      }
    }
  }
  if (!local) return parse_named(entry, line, value, b, e);

  entry.form = Form::kLocalPath;
  entry.url = std::string(path);
  if (xb != std::string_view::npos) {
    Result<Requirement> r = Requirement::parse("placeholder" + std::string(name.substr(xb)));
    if (!r) {
      error("invalid extras '" + std::string(name.substr(xb)) + "'",
            loc(line, b + hb + xb, b + he));
      return false;
    }
    entry.req.extras = std::move(r->extras);
  }
  if (semi != std::string_view::npos &&
      !parse_marker(entry, line, value.substr(semi + 1), b + semi + 1))
    return false;
  return set_name_from_url(entry, line, b + hb, b + he);
}

}  // namespace

EnvLookup process_env_lookup() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

RequirementsFile parse_requirements_file(const fs::path& path, DiagnosticSink& sink,
                                         const EnvLookup& env) {
  RequirementsFile out;
  const std::string display = path.lexically_normal().string();
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    Diagnostic d;
    d.message = std::string("cannot read requirements file: ") +
                (S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
    d.location.path = display;
    sink.report(std::move(d));
    return out;
  }
  Result<std::string> content = read_file(path);
  if (!content) {
    Diagnostic d;
    std::string msg = content.error().message;
    size_t colon = msg.rfind(": ");
    d.message = "cannot read requirements file" +
                (colon == std::string::npos ? std::string() : msg.substr(colon));
    d.location.path = display;
    sink.report(std::move(d));
    return out;
  }
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  if (ec) canonical = fs::absolute(path, ec).lexically_normal();
  Parser parser(sink, env, out, path.parent_path());
  parser.parse_content(*content, display, canonical, RequirementEntry::Kind::kRequirement);
  return out;
}

RequirementsFile parse_requirements_text(std::string_view text, const fs::path& path,
                                         DiagnosticSink& sink, const EnvLookup& env) {
  RequirementsFile out;
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  if (ec) canonical = fs::absolute(path, ec).lexically_normal();
  Parser parser(sink, env, out, path.parent_path());
  parser.parse_content(text, path.lexically_normal().string(), canonical,
                       RequirementEntry::Kind::kRequirement);
  return out;
}

}  // namespace funcpack
