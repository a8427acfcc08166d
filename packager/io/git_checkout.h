// git_checkout.h: VCS requirements (`git+https://host/org/repo.git@v1.2#egg=name`, pip's
// "VCS support") without a `git` executable: libgit2 1.5 resolves a revision to a commit id in
// a cached bare mirror of the repository (what `funcpack lock` pins) and writes a commit's tree
// into a directory (what `funcpack build` installs from).
//
// Owns: the mirrors under the cache root, fetching into them, revision resolution, and turning
// a commit into files. Parsing requirement lines (`name @ git+URL@REV#subdirectory=...`,
// `#egg=`) is the caller's job: `url` below is the repository URL with the "git+" prefix,
// "@REV" and "#fragment" already removed (a leading "git+" is tolerated). Schemes: https, http,
// ssh, git, file. `#subdirectory=` is applied by the caller to the checked-out tree.
//
// Cache layout (see cache.h for the root):
//   ROOT/git-v1/SHA/        a bare mirror: refs/heads/*, refs/tags/* as on the remote (pruned),
//                           refs/funcpack/HEAD = the remote's HEAD, refs/funcpack/commits/ID for
//                           commits fetched by id, plus any refs/... revision asked for.
//   ROOT/git-v1/SHA.lock    flock(2)ed exclusively while the mirror is created or fetched into.
// SHA = sha256 of the URL without credentials (https/http/git: no userinfo; ssh: the user name
// is kept and a password dropped; file: as given). A mirror is created in
// ROOT/git-v1/.tmp-SHA.XXXXXX and renamed into place, so it either exists whole or not at all;
// a directory there that is not a repository is removed and made again. Fetches write packs
// under temporary names and refs through lock files; a killed fetch can leave only stale lock
// and temporary files, which the next fetch removes while it holds SHA.lock (no live writer can
// own them then). Readers (a commit already in the mirror, offline mode, checkout) take no lock:
// git's on-disk format is safe to read while a fetch appends to it. Mirrors are never gc'ed.
//
// Revisions (`resolve`), as pip (which clones and asks `git`) understands them:
//   ""  or "HEAD"   the remote's default branch (its HEAD)
//   "refs/..."      that exact ref (fetched by name, so refs/pull/1/head works)
//   NAME            the branch NAME, else the tag NAME (a branch wins, as in pip); annotated
//                   tags are peeled to their commit
//   40 hex digits   that commit. Already in the mirror: returned with no network access at all.
//                   Else every branch and tag is fetched; if none has it, the commit is fetched
//                   by id (needs uploadpack.allowReachableSHA1InWant/allowAnySHA1InWant on the
//                   server, as `git fetch URL SHA` does).
//   4-39 hex digits an abbreviated commit id, when it names one commit in the mirror (after the
//                   fetch) and no branch or tag has that name.
// The result always names a commit: a tag of a tree or blob is an error.
//
// Checkout (`checkout`) is deterministic: the same commit gives the same bytes on any host.
// Blobs are written raw: no CRLF conversion, no .gitattributes (eol, text, ident, filter,
// smudge/LFS), no keyword expansion, whatever the user's git config says. Regular files get
// mode 0644, or 0755 when git records them executable; directories 0755; no .git anywhere.
// Symlinks are created as recorded only when they resolve inside their repository's tree (each
// component walked the way the kernel would, through the tree's other symlinks); one that
// points outside, is absolute, or loops makes the checkout fail (a package must not pick up
// host files). Tree entries that git itself refuses to check out (".", "..", ".git" in any
// case or NTFS spelling, names with '/') fail it too. mtimes are the time of the checkout
// (archivers normalise them).
//
// Submodules are checked out recursively at the commit the parent's tree records (gitlink),
// from the URL its .gitmodules (of that same commit) gives for the path: "./x" and "../x" are
// resolved against the parent's URL (credentials included, as git resolves them against the
// parent's remote), "host:path" scp syntax is ssh, an absolute URL on the parent's host without
// its own credentials borrows the parent's. Each submodule has its own mirror and follows the
// same rules (its symlinks must stay inside the submodule). A local (file:// or path) submodule
// of a non-local parent is refused, as git >= 2.38 does (protocol.file.allow=user). A gitlink
// without a URL in .gitmodules is an error (as `git submodule update --init`). Nesting deeper
// than 8 levels is an error.
//
// Credentials:
// - https://user:token@host/... (Azure DevOps style; a token alone is the user name with an
//   empty password): handed to libgit2 through its credential callback, only for that URL's
//   host (never to another host after a redirect or insteadOf rewrite), once: a second request
//   means the server refused them. The URL given to libgit2 and stored in the mirror's config
//   (remote.origin.url, informational) carries no userinfo (ssh: the user name only), and no
//   message or log line says the token: every URL in one is `redact_url`ed and libgit2's
//   messages are scrubbed of userinfo and of the password/token text.
// - No userinfo: the netrc entry for the host (GitCheckoutOptions::netrc_file, else $NETRC, else
//   ~/.netrc; "machine", "default", "login", "password"; quoted tokens), as curl (and so pip's
//   git) reads it.
// - ssh: ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa without passphrase; libgit2 1.5.1
//   checks host keys against ~/.ssh/known_hosts. (Untested here: no ssh server in the tests.)
//
// Git configuration: the user's global, XDG and system git config DO apply, as with pip, which
// runs the git CLI: url.<base>.insteadOf rewrites (the common way CI gives a token to private
// GitHub dependencies), http.proxy (and $https_proxy etc., libgit2's GIT_PROXY_AUTO). They
// cannot change checkout bytes (see above). Tests point libgit2's search path
// (GIT_OPT_SET_SEARCH_PATH) and $HOME at empty directories so the machine's config is not read.
//
// TLS: the system CAs, or GitCheckoutOptions::ca_bundle (--cert) instead. libgit2 keeps the
// CA bundle process-wide (GIT_OPT_SET_SSL_CERT_LOCATIONS): it is set before each fetch, so
// GitCheckouts with different bundles must not fetch concurrently in one process (funcpack has
// one --cert per run).
//
// libgit2 1.5 traps met here:
// - The local transport (file://) sends every object any advertised ref reaches, whatever the
//   refspecs: a file:// mirror holds more than was asked (harmless; tests of fetch-by-id use
//   HTTP). A path that does not exist is an "unsupported URL protocol" to it (checked first).
// - Fetching by id needs the server's allow-tip/reachable-sha1-in-want capability, else
//   libgit2 refuses before asking: "cannot fetch a specific object from the remote repository".
// - git_remote_create_anonymous leaks pcre2 match data (its url.*.insteadOf matching): a few KB
//   per fetch, reported by LeakSanitizer (run the tests with ASAN_OPTIONS=detect_leaks=0).
//
// Thread safety: one GitCheckouts may be used from several threads, and several processes may
// share a cache root; fetches of one repository are serialised by its lock file.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace funcpack {

struct GitCheckoutOptions {
  // Use only the mirrors: no network. A repository or commit that is not there is an error
  // "... not in the cache (offline mode)". Branches and tags resolve to what the mirror has.
  bool offline = false;
  std::optional<std::filesystem::path> ca_bundle;   // --cert: PEM bundle instead of system CAs
  std::optional<std::filesystem::path> netrc_file;  // default: $NETRC, else ~/.netrc
  bool use_netrc = true;
  // Called once per network fetch (from the thread doing it), before it starts, with one
  // redacted line: "git fetch git+URL" and the refspecs, each after a space; for a branch
  // " +refs/heads/*:refs/heads/* +refs/tags/*:refs/tags/* +HEAD:refs/funcpack/HEAD".
  std::function<void(std::string_view)> log;
};

class GitCheckouts {
 public:
  // `cache_root`: Cache::root() (mirrors go to cache_root/git-v1, created on first fetch).
  explicit GitCheckouts(std::filesystem::path cache_root, GitCheckoutOptions options = {});

  // Returns the full commit id (40 lowercase hex digits) that `revision` names in the
  // repository at `url` (forms above), fetching into the mirror first unless offline or the
  // revision is a full commit id already there.
  // Errors, URL being "git+" + the redacted URL:
  //   "URL: no branch, tag or commit 'REV' (branches: dev, main; tags: v1.0, v1.1)"
  //       (offline: "... in the cache (offline mode; branches: ...)"; a list longer than 20
  //        names ends "..., and N more"; an empty one is "none")
  //   "URL: abbreviated commit id 'REV' is ambiguous"
  //   "URL: 'REV' names a tree, not a commit" (or a blob)
  //   "URL: the repository has no default branch (HEAD)"
  //   "URL: commit ID is on no branch or tag, and the server did not send it when asked for it
  //    by id (REASON)"
  //   "URL: not in the cache (offline mode)", "URL: commit ID is not in the cache (offline mode)"
  //   "URL: the server asks for credentials: put user:token in the URL or a machine entry for
  //    HOST in netrc"
  //   "URL: authentication failed: the server refused the credentials from the URL" (or "from
  //    netrc", or "from ssh-agent and ~/.ssh keys")
  //   "URL: the server's TLS certificate is not trusted (REASON); give the CA bundle that signed
  //    it with --cert"
  //   "URL: cannot fetch: REASON" (libgit2's message, scrubbed of credentials; for a file: URL
  //    whose directory is missing, "no repository at PATH")
  //   "URL: cannot read the CA bundle PATH", "URL: unsupported URL scheme 'ftp' (https, http,
  //    ssh, git or file)", "URL: not a URL", "cannot write PATH: reason".
  Result<std::string> resolve(const std::string& url, const std::string& revision) const;

  // Writes the tree of commit `commit_id` (40 hex digits) of `url` into `dest`, with its
  // submodules (rules above). `dest` must not exist or be an empty directory; its parents are
  // created. The tree is written into a temporary directory beside `dest` and renamed into
  // place, so `dest` is either complete or untouched. The commit is fetched by id when the
  // mirror lacks it (as `resolve`), except offline.
  // Errors: those of `resolve` (for the commit and each submodule's), and, with LOC being
  //   "git+" + redacted URL + "@" + commit id:
  //   "URL: 'ID' is not a full commit id", "URL: 'ID' names a tag, not a commit",
  //   "cannot check out into DEST: it exists and is not empty",
  //   "LOC: symlink 'PATH' -> 'TARGET' points outside the repository's tree",
  //   "LOC: refusing to check out 'PATH' (not a valid path in a work tree)",
  //   "LOC: submodule 'PATH' has no url in .gitmodules",
  //   "LOC: submodule 'PATH' has a local URL (SUBURL) but the repository is not local",
  //   "LOC: submodule 'PATH': ERROR" (an error of the submodule's own resolve or checkout),
  //   "LOC: submodules nested deeper than 8 levels", "cannot write PATH: reason".
  Result<void> checkout(const std::string& url, const std::string& commit_id,
                        const std::filesystem::path& dest) const;

  // The mirror directory of `url` (it may not exist yet), or an error for a URL `resolve`
  // would reject.
  Result<std::filesystem::path> mirror_path(const std::string& url) const;

 private:
  std::filesystem::path root_;
  GitCheckoutOptions options_;
};

}  // namespace funcpack
