// requirements_txt.h: requirements files as pip reads them (pip's "Requirements File Format").
//
// Owns: reading a requirements file and everything it includes into a flat list of entries and
// the index options in force, each entry with its source location.
//
// Handled as pip 23.x does (pip/_internal/req/req_file.py and req/constructors.py):
// - decoding: a UTF-8 BOM is skipped, a UTF-16 BOM selects UTF-16; otherwise UTF-8 (an
//   invalid byte is an error at its line:col; parsing goes on);
// - lines split as Python's str.splitlines (\n, \r\n, \r, \v, \f, \x1c-\x1e, U+0085,
//   U+2028, U+2029); whitespace is Python's (ASCII plus U+00A0 and the other Unicode spaces);
// - '\' at the very end of a non-comment line continues it (backslashes are stripped from
//   both ends of a continued piece; "\ " with a trailing space does not continue); a
//   location always names the physical line (and column) where the text was written;
// - comments: '#' at line start or after whitespace; a '#' inside a word (URL fragments
//   such as #egg= or #sha256=) is not a comment. A comment ending in '\' swallows the next
//   line (pip's behaviour; reported as a warning);
// - ${VAR} expansion after comment removal (names [A-Z0-9_]+, from the EnvLookup; an unset
//   or empty variable stays as written, as in pip);
// - a line is split into requirement and options at the first space-separated token that
//   starts with '-' (spaces only: a tab before "--hash" keeps it in the requirement, which
//   then fails to parse, as in pip); options are split shell-like (quotes, backslashes) and
//   parsed as optparse does: "--opt=value" or "--opt value", "-rfile" or "-r file", unique
//   prefixes of long options ("--index" = "--index-url"), "--" ends options;
// - -r/--requirement and -c/--constraint, relative to the including file; a cycle is an error
//   naming the chain ("include cycle: a.txt -> b.txt -> a.txt"); an unreadable include is an
//   error at the including line; -r inside a constraints file reads requirements (pip);
//   http(s)/file: URLs as includes are an error (funcpack reads local files only);
// - -e/--editable (a local project directory with optional [extras], a file: URL, or a VCS
//   URL with #egg=NAME); -i/--index-url/--pypi-url; --extra-index-url; -f/--find-links;
//   --no-index; --pre; --only-binary, --no-binary (":all:", ":none:", comma-separated names);
//   --prefer-binary; --require-hashes; --trusted-host; --use-feature; per-requirement
//   --hash=algo:digest (sha256/384/512), -C/--config-settings KEY=VALUE and --global-option;
// - pip's option scoping: on a requirement line only --hash/--config-settings/--global-option
//   apply (nothing on an editable line), on an include line only the include; other options
//   there are ignored by pip and reported as warnings; --no-binary/--only-binary apply
//   wherever they are written; --no-index clears the index URLs and outlasts later ones;
//   --index-url replaces extra index URLs set before it; only a line's first -r/-c/-e/-f
//   counts;
// - requirement forms (pip's parse_req_from_line): URLs by scheme (http, https, file, ftp,
//   git+..., hg+..., svn+..., bzr+...) with a marker after "; "; a path (contains '/' or
//   starts with '.') to an existing directory (must hold pyproject.toml or setup.py), or a
//   name ending in an archive extension (.whl, .zip, .tar.gz, ...; a missing file is a
//   warning); otherwise a PEP 508 string (`name @ url` included). Wheels are named
//   NAME==VERSION from their file name, other URLs by #egg=NAME (which may carry extras).
//   Local paths are taken relative to the ROOT file's directory (pip: the current
//   directory; Azure's remote build runs pip in the app root, where requirements.txt is);
// - constraints must be named, not editable and without extras (pip's resolver refuses the
//   other forms).
// Every malformed line gets a diagnostic `path:line:col: error: message` with the source line
// and a caret; parsing goes on, so a user sees every problem at once. No byte sequence
// crashes it (fuzzed). Deliberate differences from pip: pip stops at the first error; pip
// recurses forever on an include cycle; pip fetches remote includes.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/error.h"
#include "spec/requirement.h"

namespace funcpack {

struct RequirementEntry {
  enum class Kind { kRequirement, kConstraint };
  enum class Form {
    kNamed,      // PEP 508 name with optional specifier, no URL
    kUrl,        // bare URL, or `name @ url`, to an archive or directory (http(s)/file/ftp)
    kVcs,        // bare or `name @` VCS URL: git+..., hg+..., svn+..., bzr+...
    kLocalPath,  // a local directory or archive path
  };
  Kind kind = Kind::kRequirement;
  Form form = Form::kNamed;
  Requirement req;       // name may be empty for an unnamed URL/path (no #egg=)
  bool editable = false;
  std::string url;       // for kUrl/kVcs: the URL (env-expanded); for kLocalPath: the path as
                         // written; empty for kNamed without `@`
  std::string vcs_revision;  // for kVcs: the part after the last '@' in the URL path, or ""
  std::vector<std::string> hashes;  // "sha256:HEX", as written after --hash=
  std::vector<std::pair<std::string, std::string>> config_settings;
  Location location;     // file, physical line of the entry's start, column span of the
                         // requirement text
  std::string source_line;  // that physical line, for diagnostics
  std::string text;      // the requirement text after continuation joining and expansion,
                         // options and comment removed
  std::vector<std::string> include_chain;  // files that led here, outermost first (the
                                           // entry's own file, location.path, excluded)
};

struct IndexOptions {
  std::optional<std::string> index_url;
  std::vector<std::string> extra_index_urls;
  std::vector<std::string> find_links;
  bool no_index = false;
  bool pre = false;
  bool prefer_binary = false;
  bool require_hashes = false;
  std::vector<std::string> trusted_hosts;
  // Normalised names, or ":all:". pip semantics: a later --no-binary X removes X from
  // only_binary and vice versa; ":none:" clears.
  std::set<std::string> only_binary;
  std::set<std::string> no_binary;
  std::vector<Location> locations;  // where each applied option was set (value included), in
                                    // order, for diagnostics
};

struct RequirementsFile {
  std::vector<RequirementEntry> entries;  // in file order, includes expanded in place
  IndexOptions options;
  std::vector<std::filesystem::path> files;  // every file read, the root first
};

// Looks up an environment variable; returns nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvLookup process_env_lookup();

// Reads `path` and its includes. Problems go to `sink`; the result holds everything that
// parsed (a line with an error contributes nothing). A root file that cannot be read is
// reported as "PATH: error: cannot read requirements file: REASON" (no line) and gives an
// empty result. Paths in diagnostics and entries are `path` and its includes, lexically
// normalised, as the user wrote them (not made absolute).
RequirementsFile parse_requirements_file(const std::filesystem::path& path, DiagnosticSink& sink,
                                         const EnvLookup& env = process_env_lookup());

// Parses `text` (raw bytes, BOM and all) as if read from `path` (includes and local paths are
// resolved relative to `path`'s directory). Never fails; problems go to `sink`.
RequirementsFile parse_requirements_text(std::string_view text, const std::filesystem::path& path,
                                         DiagnosticSink& sink,
                                         const EnvLookup& env = process_env_lookup());

}  // namespace funcpack
