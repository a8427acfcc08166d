// requirements_txt.h: requirements files as pip reads them (pip's "Requirements File Format").
//
// Owns: reading a requirements file and everything it includes into a flat list of entries and
// the index options in force, each entry with its source location.
//
// Handled as pip does:
// - comments ('#' at line start, or after whitespace), blank lines, '\' line continuations
//   (joined before comments are stripped; a location always names the physical line where the
//   entry starts), ${VAR} expansion (only that form, names [A-Z0-9_], from the environment
//   lookup; an unset variable stays as written, as pip does);
// - -r/--requirement and -c/--constraint, relative to the including file; a cycle is an error
//   naming the chain; an unreadable include is an error at the including line;
// - -e/--editable; -i/--index-url; --extra-index-url; -f/--find-links; --no-index; --pre;
//   --only-binary, --no-binary (":all:", ":none:", comma-separated names); --prefer-binary;
//   --require-hashes; --trusted-host; per-requirement --hash=algo:digest and
//   --config-settings KEY=VALUE; options with "=" or a space before their value;
// - requirement forms: PEP 508 strings, `name @ url`, bare URLs and archive paths
//   (name taken from #egg= or the file name), local directories/paths, VCS URLs
//   (git+https://…@rev#egg=name).
// Every malformed line gets a diagnostic `path:line:col: error: message` with the source line
// and a caret; parsing goes on, so a user sees every problem at once. No byte sequence
// crashes it (fuzzed).
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
    kNamed,      // PEP 508 name with optional specifier (may still have `@ url`, see req.url)
    kUrl,        // bare URL or `name @ url` to an archive (http(s)/file)
    kVcs,        // git+..., hg+..., svn+..., bzr+...
    kLocalPath,  // a local directory or archive path
  };
  Kind kind = Kind::kRequirement;
  Form form = Form::kNamed;
  Requirement req;       // name may be empty for an unnamed URL/path (no #egg=)
  bool editable = false;
  std::string url;       // for kUrl/kVcs: the URL (env-expanded); for kLocalPath: the path as
                         // written; empty for kNamed without `@`
  std::string vcs_revision;  // for kVcs: the part after '@' in the URL path, if any
  std::vector<std::string> hashes;  // "sha256:HEX", as written after --hash=
  std::vector<std::pair<std::string, std::string>> config_settings;
  Location location;     // file, physical line of the entry's start, column span of the
                         // requirement text
  std::string source_line;  // that physical line, for diagnostics
  std::string text;      // the requirement text after continuation joining and expansion,
                         // options and comment removed
  std::vector<std::string> include_chain;  // files that led here, outermost first
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
  std::vector<Location> locations;  // where each option was set, for diagnostics (in order)
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
// parsed. A root file that cannot be read is reported as an error with no location line.
RequirementsFile parse_requirements_file(const std::filesystem::path& path, DiagnosticSink& sink,
                                         const EnvLookup& env = process_env_lookup());

// Parses `text` as if read from `path` (includes are resolved relative to `path`'s directory).
RequirementsFile parse_requirements_text(std::string_view text, const std::filesystem::path& path,
                                         DiagnosticSink& sink,
                                         const EnvLookup& env = process_env_lookup());

}  // namespace funcpack
