// direct_reference.h: requirements that say where a distribution is instead of asking an index
// (pip's "URL, VCS and local path" requirements; PEP 508 `name @ URL`; PEP 610's direct URL
// forms): what each points at, fetching it, and its core metadata when that is known without a
// build.
//
// Owns: turning a requirements.txt entry of form kUrl, kVcs or kLocalPath into a
// DirectReference (package_source.h's DirectOrigin plus the hashes and name it gives), and
// fetching one (for `funcpack lock`, and for `funcpack build` from a lock's origin):
// - archives (a wheel or sdist by http(s)/file URL or local path): the bytes through the
//   IndexSource (its credentials, retries, cache and `--offline`), checked against every
//   sha256 the requirement gives (`--hash=sha256:…` and `#sha256=` in the URL); the lock
//   records the sha256 of the bytes;
// - git (`git+https://…@REV`, `git+ssh://…`, `git+file://…`; `#subdirectory=`): the revision is
//   resolved to a commit id and that commit's tree checked out (git_checkout.h);
// - local directories (a path, or a file: URL to a directory): used in place.
// Metadata without a build: a wheel's METADATA; an sdist's PKG-INFO when PEP 643 makes it
// final (sdist_metadata.h); a source tree's static [project] table (pyproject_metadata.h).
// Otherwise the caller asks the build backend (sandbox/builder.h's metadata), and
// FetchedReference::needs_build says why.
//
// Decisions:
// - Only git: hg+, svn+ and bzr+ URLs are refused with a message (pip shells out to those
//   tools; funcpack has no client for them and will not run one on the build host).
// - A relative path is relative to the root requirements file's directory (the parser's rule:
//   Azure's remote build runs pip in the app root, where requirements.txt is).
// - `-e` (editable) is recorded, but a deployment cannot use an editable install (its .pth
//   would point at the build host), so build installs a regular wheel of the project.
// - Hash algorithms: funcpack checks sha256. A requirement whose hashes are all of another
//   algorithm is refused (pip's sha384/sha512 are not checked silently as if they were none).
// - A wheel must run on the target (its tags against the target's; spec/tags.h), else an
//   Error naming the wheel and the target.
// - A URL without a hash is downloaded once and kept in the cache by URL (pip's wheel cache
//   does the same for direct URLs); `--no-cache` fetches it again.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "inputs/requirements_txt.h"
#include "io/git_checkout.h"
#include "io/index_source.h"
#include "io/package_source.h"
#include "spec/target.h"

namespace funcpack {

struct DirectReference {
  DirectOrigin origin;   // commit_id is empty until fetched (unless read from a lock)
  std::string name;      // normalised; "" when the requirement does not name the project
  std::string filename;  // kArchive: the archive's file name (URL's last segment, decoded)
  std::string url;       // the PEP 610-style URL without credentials, for messages and
                         // DistributionFile::url ("git+URL@REV", "file:///…", "https://…")
  std::map<std::string, std::string> sha256;  // expected: "sha256" -> hex (at most one)
  std::string fetch_url;  // remote archive or repository URL as written, credentials included:
                          // only ever handed to the HTTP client or libgit2, never printed,
                          // logged or stored ("" = origin.url, as after reading a lock)
};

// The reference `entry` (form kUrl, kVcs or kLocalPath) points at. `base_dir` is the directory
// relative paths are read from (the root requirements file's). Errors, located at the entry:
//   "only git repositories are supported (hg+/svn+/bzr+ need their own tools)"
//   "'URL' is not a wheel, an sdist (.tar.gz, .zip) or a directory"
//   "PATH does not exist"
//   "--hash=ALGO:… is not checked by funcpack (sha256 only)"
//   "two different sha256 hashes" (from --hash and #sha256=)
Result<DirectReference> parse_direct_reference(const RequirementEntry& entry,
                                               const std::filesystem::path& base_dir);

// The PEP 610-style URL of a source tree (kVcs, kDirectory), as lock files and messages show
// it: "git+URL@COMMIT" or the directory's file:// URL, then "#subdirectory=S" when set.
std::string source_tree_url(const DirectOrigin& origin);

// The fetch URLs (credentials included) of the direct references in `file`, by the
// credential-free URL a lock records (DirectOrigin::url), so a locked origin can be fetched
// again in the same run with the credentials its requirement gave. Entries that do not parse
// are skipped (run_lock_job reports them); references without credentials are not listed.
std::map<std::string, std::string> fetch_urls_by_origin(const RequirementsFile& file);

// The reference a lock's package was fetched from: its origin (with the commit id), archive
// file name and hashes; fetch_url from `fetch_urls` (fetch_urls_by_origin) when it is there.
DirectReference locked_reference(const DirectOrigin& origin, const DistributionFile& file,
                                 const std::string& name,
                                 const std::map<std::string, std::string>& fetch_urls);

// What fetching a reference gave.
struct FetchedReference {
  DirectReference ref;           // origin.commit_id filled for git
  DistributionFile file;         // archive: filename, url, hashes{"sha256"}, size; tree: url
  bool is_wheel = false;
  std::filesystem::path local;   // the archive file, or the source tree (subdirectory applied)
  std::string metadata;          // core metadata text, when known without a build
  std::string needs_build;       // else why not (a user-facing reason)
};

class DirectFetcher {
 public:
  // `work_dir`: where git checkouts are written (one directory per fetch; the caller owns and
  // removes it). `source` downloads archives; `git` resolves and checks out repositories.
  DirectFetcher(IndexSource& source, const GitCheckouts& git, std::filesystem::path work_dir);

  // Fetches `ref` for `target`: downloads and checks an archive, resolves (unless
  // origin.commit_id is already set) and checks out a git revision, or finds a directory.
  // With `want_metadata`, also reads the metadata when it is known without a build (else
  // needs_build is set); the metadata must name ref.name when that is set. Errors name the
  // reference's URL (redacted) and the reason: download errors (io/http.h), "sha256
  // mismatch …", git_checkout.h's errors, "FILE does not run on TARGET (tags: …)", "no
  // pyproject.toml or setup.py in DIR", metadata errors, "URL is NAME VERSION, not WANTED".
  Result<FetchedReference> fetch(const DirectReference& ref, const Target& target,
                                 bool want_metadata);

 private:
  IndexSource& source_;
  const GitCheckouts& git_;
  std::filesystem::path work_dir_;
  int checkouts_ = 0;
};

}  // namespace funcpack
