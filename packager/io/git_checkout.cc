#include "io/git_checkout.h"

#include <fcntl.h>
#include <git2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "io/url.h"

namespace funcpack {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxSubmoduleDepth = 8;
constexpr size_t kMaxListedRefs = 20;
constexpr int kMaxSymlinkHops = 40;
constexpr const char* kHeadRef = "refs/funcpack/HEAD";  // the remote's HEAD, in a mirror  // the
                                                        // kernel's own limit (MAXSYMLINKS)

void ensure_libgit2() {
  // One init for the whole process, never undone (as in inputs/funcignore.cc).
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Freer<T, Free>>;
using RepoPtr = Owned<git_repository, git_repository_free>;
using ObjectPtr = Owned<git_object, git_object_free>;
using RefPtr = Owned<git_reference, git_reference_free>;
using TreePtr = Owned<git_tree, git_tree_free>;
using BlobPtr = Owned<git_blob, git_blob_free>;
using CommitPtr = Owned<git_commit, git_commit_free>;
using RemotePtr = Owned<git_remote, git_remote_free>;
using ConfigPtr = Owned<git_config, git_config_free>;
using TreeEntryPtr = Owned<git_tree_entry, git_tree_entry_free>;

std::string git_last_message() {
  const git_error* e = git_error_last();
  return e != nullptr && e->message != nullptr ? e->message : "unknown error";
}

std::string oid_hex(const git_oid& oid) {
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

std::string errno_text(int err) { return std::strerror(err); }

// A repository URL taken apart once: what to show, what to fetch, what to hash.
struct Remote {
  std::string original;  // as given, without "git+" (credentials included)
  std::string display;   // "git+" + redact_url(original): the only form in messages
  std::string scheme;
  std::string hostname;   // without port, lowercase; empty for file
  std::string fetch_url;  // handed to libgit2: no password (and no userinfo but for ssh)
  std::string key_url;    // hashed into the mirror's directory name
  bool has_userinfo = false;
  std::string user, password;  // percent-decoded userinfo
  bool local = false;
  std::vector<std::string> secrets;  // texts scrubbed from libgit2's messages
};

std::string hostname_of(std::string_view host) {
  // "[::1]:8080" keeps its brackets; "h:443" loses the port.
  if (host.starts_with('[')) {
    size_t close = host.find(']');
    return std::string(host.substr(0, close == std::string_view::npos ? host.size() : close + 1));
  }
  return std::string(host.substr(0, host.find(':')));
}

Result<Remote> parse_remote(std::string_view given) {
  Remote r;
  r.original = std::string(given.starts_with("git+") ? given.substr(4) : given);
  r.display = "git+" + redact_url(r.original);
  std::optional<UrlParts> p = parse_url(r.original);
  if (!p) return fail(r.display + ": not a URL");
  r.scheme = p->scheme;
  if (r.scheme == "file") {
    std::optional<fs::path> path = file_url_to_path(r.original);
    if (!path) return fail(r.display + ": not a local file URL");
    r.local = true;
    r.fetch_url = path->string();
    r.key_url = strip_credentials(r.original);
    return r;
  }
  if (r.scheme != "https" && r.scheme != "http" && r.scheme != "ssh" && r.scheme != "git")
    return fail(r.display + ": unsupported URL scheme '" + r.scheme +
                "' (https, http, ssh, git or file)");
  if (!p->has_authority || p->host.empty()) return fail(r.display + ": not a URL");
  r.hostname = hostname_of(p->host);
  std::string raw_user;
  if (!p->userinfo.empty()) {
    r.has_userinfo = true;
    size_t colon = p->userinfo.find(':');
    raw_user = p->userinfo.substr(0, colon);
    std::string raw_password = colon == std::string::npos ? "" : p->userinfo.substr(colon + 1);
    r.user = percent_decode(raw_user);
    r.password = percent_decode(raw_password);
    // A token alone ("https://TOKEN@host") is the user name: a secret as much as a password.
    for (const std::string& s : {raw_password, r.password}) r.secrets.push_back(s);
    if (raw_password.empty())
      for (const std::string& s : {raw_user, r.user}) r.secrets.push_back(s);
  }
  UrlParts clean = *p;
  clean.fragment.reset();
  // ssh names the account in the URL ("ssh://git@host/..."): not a secret, and needed.
  clean.userinfo = r.scheme == "ssh" ? raw_user : "";
  r.fetch_url = clean.str();
  r.key_url = r.fetch_url;
  return r;
}

// `text` without userinfo in any URL it contains and without the remote's secrets.
std::string scrub(std::string text, const Remote& r) {
  size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string::npos) {
    size_t start = pos + 3, end = start;
    while (end < text.size() && std::strchr("/ \t\r\n'\"<>", text[end]) == nullptr) ++end;
    size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string::npos && at >= start && at < end) {
      text.replace(start, at - start, "***");
      pos = start + 4;
    } else {
      pos = end;
    }
  }
  // Short secrets would mangle ordinary words; a real token is long.
  for (const std::string& s : r.secrets)
    if (s.size() >= 4) text = replace_all(text, s, "***");
  return text;
}

// ---- netrc -------------------------------------------------------------------------------

struct NetrcEntry {
  std::string login, password;
};

// The entry for `host` (or the "default" entry) of a netrc file, as curl reads it: tokens
// separated by whitespace, double-quoted tokens with backslash escapes, macdef bodies skipped.
std::optional<NetrcEntry> netrc_lookup(const fs::path& file, const std::string& host) {
  Result<std::string> text = read_file(file);
  if (!text) return std::nullopt;
  const std::string& s = *text;
  size_t i = 0;
  auto next = [&]() -> std::optional<std::string> {
    while (i < s.size() && is_ascii_space(s[i])) ++i;
    if (i >= s.size()) return std::nullopt;
    std::string tok;
    if (s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        tok += s[i];
      }
      ++i;
      return tok;
    }
    while (i < s.size() && !is_ascii_space(s[i])) tok += s[i++];
    return tok;
  };
  std::optional<NetrcEntry> found, fallback;
  enum { kNone, kMatch, kOther, kDefault } state = kNone;
  NetrcEntry current;
  auto finish = [&] {
    if (state == kMatch && !found) found = current;
    if (state == kDefault && !fallback) fallback = current;
    current = {};
  };
  while (std::optional<std::string> tok = next()) {
    if (*tok == "machine") {
      finish();
      std::optional<std::string> name = next();
      state = name && to_lower(*name) == host ? kMatch : kOther;
    } else if (*tok == "default") {
      finish();
      state = kDefault;
    } else if (*tok == "login") {
      if (auto v = next()) current.login = *v;
    } else if (*tok == "password") {
      if (auto v = next()) current.password = *v;
    } else if (*tok == "account") {
      next();
    } else if (*tok == "macdef") {
      next();
      size_t end = s.find("\n\n", i);
      i = end == std::string::npos ? s.size() : end + 2;
    }
  }
  finish();
  return found ? found : fallback;
}

fs::path home_dir() {
  const char* h = std::getenv("HOME");
  return h != nullptr ? fs::path(h) : fs::path();
}

// ---- credentials ---------------------------------------------------------------------------

struct AuthState {
  const Remote* remote = nullptr;
  const GitCheckoutOptions* options = nullptr;
  bool tried_userpass = false;
  int ssh_step = 0;
  std::string source;           // "the URL", "netrc", "ssh-agent and ~/.ssh keys"
  bool no_credentials = false;  // the server asked and there was nothing to give
  bool refused = false;         // given once and asked again
  std::string asked_host;
};

int acquire_credentials(git_credential** out, const char* url, const char* username_from_url,
                        unsigned int allowed, void* payload) {
  auto* a = static_cast<AuthState*>(payload);
  std::string host;
  if (url != nullptr)
    if (std::optional<UrlParts> p = parse_url(url)) host = hostname_of(p->host);
  if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0) {
    if (a->tried_userpass) {
      a->refused = true;
      git_error_set_str(GIT_ERROR_NET, "authentication failed");
      return GIT_EAUTH;
    }
    a->tried_userpass = true;
    // The URL's credentials go to the URL's host only (not after a redirect elsewhere).
    if (a->remote->has_userinfo && host == a->remote->hostname) {
      a->source = "the URL";
      return git_credential_userpass_plaintext_new(out, a->remote->user.c_str(),
                                                   a->remote->password.c_str());
    }
    if (a->options->use_netrc && !host.empty()) {
      fs::path file;
      if (a->options->netrc_file) {
        file = *a->options->netrc_file;
      } else if (const char* env = std::getenv("NETRC"); env != nullptr && *env != '\0') {
        file = env;
      } else if (!home_dir().empty()) {
        file = home_dir() / ".netrc";
      }
      if (!file.empty()) {
        if (std::optional<NetrcEntry> e = netrc_lookup(file, host)) {
          a->source = "netrc";
          return git_credential_userpass_plaintext_new(out, e->login.c_str(), e->password.c_str());
        }
      }
    }
    a->no_credentials = true;
    a->asked_host = host;
    git_error_set_str(GIT_ERROR_NET, "no credentials");
    return GIT_EAUTH;
  }
  if ((allowed & GIT_CREDENTIAL_SSH_KEY) != 0) {
    std::string user =
        username_from_url != nullptr && *username_from_url != '\0' ? username_from_url : "git";
    a->source = "ssh-agent and ~/.ssh keys";
    static const char* const kKeys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
    while (a->ssh_step < 4) {
      int step = a->ssh_step++;
      if (step == 0) return git_credential_ssh_key_from_agent(out, user.c_str());
      fs::path key = home_dir() / ".ssh" / kKeys[step - 1];
      std::error_code ec;
      if (!home_dir().empty() && fs::is_regular_file(key, ec))
        return git_credential_ssh_key_new(out, user.c_str(), nullptr, key.c_str(), nullptr);
    }
    a->refused = true;
    git_error_set_str(GIT_ERROR_NET, "authentication failed");
    return GIT_EAUTH;
  }
  if ((allowed & GIT_CREDENTIAL_USERNAME) != 0)
    return git_credential_username_new(
        out,
        username_from_url != nullptr && *username_from_url != '\0' ? username_from_url : "git");
  a->no_credentials = true;
  a->asked_host = host;
  git_error_set_str(GIT_ERROR_NET, "unsupported authentication method");
  return GIT_EAUTH;
}

// ---- the mirror on disk ------------------------------------------------------------------

class FileLock {
 public:
  static Result<FileLock> acquire(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot write " + path.string() + ": " + errno_text(errno));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return fail("cannot lock " + path.string() + ": " + errno_text(err));
    }
    return FileLock(fd);
  }
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

bool is_mirror(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "HEAD", ec) && fs::is_directory(dir / "objects", ec);
}

// What a killed run can leave behind: git's lock files (which would make every later ref update
// fail), libgit2's temporary packs, and half-made mirrors. Only called with the mirror's lock
// held, so no live process owns any of them.
void remove_stale_files(const fs::path& mirror) {
  std::error_code ec;
  const std::string stale_prefix = ".tmp-" + mirror.filename().string() + ".";
  for (const fs::directory_entry& e : fs::directory_iterator(mirror.parent_path(), ec))
    if (e.path().filename().string().starts_with(stale_prefix)) fs::remove_all(e.path(), ec);
  if (!fs::is_directory(mirror, ec)) return;
  for (const char* name :
       {"packed-refs.lock", "HEAD.lock", "config.lock", "FETCH_HEAD.lock", "shallow.lock"})
    fs::remove(mirror / name, ec);
  std::vector<fs::path> doomed;
  for (auto it = fs::recursive_directory_iterator(mirror / "refs", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->path().extension() == ".lock") doomed.push_back(it->path());
  for (const fs::directory_entry& e : fs::directory_iterator(mirror / "objects" / "pack", ec))
    if (e.path().filename().string().starts_with("pack_git2_")) doomed.push_back(e.path());
  for (const fs::path& p : doomed) fs::remove(p, ec);
}

// Creates the bare mirror at `dir` unless it exists: built in a temporary directory beside it
// and renamed into place, so `dir` is never half a repository.
Result<void> create_mirror(const fs::path& dir, const Remote& r) {
  if (is_mirror(dir)) return {};
  // Something that is not a mirror (a half-finished `rm -r`, say): we hold the lock, so no
  // funcpack is using it.
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir, ec))) fs::remove_all(dir, ec);
  Result<TempDir> tmp = TempDir::create(".tmp-" + dir.filename().string(), dir.parent_path());
  if (!tmp) return std::unexpected(tmp.error());
  git_repository_init_options o;
  git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
  o.flags = GIT_REPOSITORY_INIT_BARE;
  git_repository* raw = nullptr;
  if (git_repository_init_ext(&raw, tmp->path().c_str(), &o) != 0)
    return fail("cannot write " + dir.string() + ": " + git_last_message());
  RepoPtr repo(raw);
  git_config* cfg_raw = nullptr;
  if (git_repository_config(&cfg_raw, repo.get()) != 0)
    return fail("cannot write " + dir.string() + ": " + git_last_message());
  ConfigPtr cfg(cfg_raw);
  // Informational (funcpack fetches through an anonymous remote); never credentials.
  if (git_config_set_string(cfg.get(), "remote.origin.url", r.key_url.c_str()) != 0)
    return fail("cannot write " + dir.string() + ": " + git_last_message());
  cfg.reset();
  repo.reset();
  ::chmod(tmp->path().c_str(), 0755);  // mkdtemp made it 0700
  fs::rename(tmp->path(), dir, ec);
  if (ec) {
    if (is_mirror(dir)) return {};
    return fail("cannot write " + dir.string() + ": " + ec.message());
  }
  tmp->release();
  return {};
}

Result<RepoPtr> open_mirror(const fs::path& dir) {
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, dir.c_str(),
                              GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
                              nullptr) != 0)
    return fail("cannot read the git mirror " + dir.string() + ": " + git_last_message());
  return RepoPtr(raw);
}

// ---- revision lookups in a mirror ------------------------------------------------------

const char* type_name(git_object_t t) {
  switch (t) {
    case GIT_OBJECT_TREE:
      return "a tree";
    case GIT_OBJECT_BLOB:
      return "a blob";
    case GIT_OBJECT_TAG:
      return "a tag";
    default:
      return "an object";
  }
}

// The commit `obj` is or (through tags) points to, or an error naming what it is instead.
Result<std::string> commit_of(git_object* obj, const Remote& r, const std::string& rev) {
  ObjectPtr peeled;
  git_object* target = obj;
  // git_tag_peel, not git_object_peel(GIT_OBJECT_ANY): the latter peels a commit to its tree.
  if (git_object_type(obj) == GIT_OBJECT_TAG) {
    git_object* raw = nullptr;
    if (git_tag_peel(&raw, reinterpret_cast<git_tag*>(obj)) != 0)
      return fail(r.display + ": cannot read '" + rev + "': " + scrub(git_last_message(), r));
    peeled.reset(raw);
    target = raw;
  }
  if (git_object_type(target) != GIT_OBJECT_COMMIT)
    return fail(r.display + ": '" + rev + "' names " + type_name(git_object_type(target)) +
                ", not a commit");
  return oid_hex(*git_object_id(target));
}

using Lookup = Result<std::optional<std::string>>;

Lookup ref_commit(git_repository* repo, const std::string& refname, const Remote& r,
                  const std::string& rev) {
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, repo, refname.c_str());
  if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC) return std::nullopt;
  if (rc != 0) return fail(r.display + ": cannot read " + refname + ": " + git_last_message());
  RefPtr ref(raw);
  git_object* obj_raw = nullptr;
  if (git_reference_peel(&obj_raw, ref.get(), GIT_OBJECT_ANY) != 0)
    return fail(r.display + ": cannot read " + refname + ": " + git_last_message());
  ObjectPtr obj(obj_raw);
  Result<std::string> c = commit_of(obj.get(), r, rev);
  if (!c) return std::unexpected(c.error());
  return *c;
}

Lookup object_commit(git_repository* repo, std::string hex, const Remote& r,
                     const std::string& rev) {
  hex = to_lower(hex);
  git_oid oid;
  if (git_oid_fromstrn(&oid, hex.c_str(), hex.size()) != 0) return std::nullopt;
  git_object* raw = nullptr;
  int rc = hex.size() == GIT_OID_HEXSZ
               ? git_object_lookup(&raw, repo, &oid, GIT_OBJECT_ANY)
               : git_object_lookup_prefix(&raw, repo, &oid, hex.size(), GIT_OBJECT_ANY);
  if (rc == GIT_ENOTFOUND) return std::nullopt;
  if (rc == GIT_EAMBIGUOUS)
    return fail(r.display + ": abbreviated commit id '" + rev + "' is ambiguous");
  if (rc != 0) return fail(r.display + ": cannot read '" + rev + "': " + git_last_message());
  ObjectPtr obj(raw);
  Result<std::string> c = commit_of(obj.get(), r, rev);
  if (!c) return std::unexpected(c.error());
  return *c;
}

// `rev` looked up in the mirror in pip's order; nullopt when nothing matches.
Lookup lookup_revision(git_repository* repo, const std::string& rev, const Remote& r) {
  if (rev.empty()) {
    Lookup head = ref_commit(repo, kHeadRef, r, "HEAD");
    if (head && !*head) return fail(r.display + ": the repository has no default branch (HEAD)");
    return head;
  }
  if (rev.starts_with("refs/")) return ref_commit(repo, rev, r, rev);
  for (const char* prefix : {"refs/heads/", "refs/tags/"}) {
    Lookup l = ref_commit(repo, prefix + rev, r, rev);
    if (!l || *l) return l;
  }
  if (rev.size() >= GIT_OID_MINPREFIXLEN && rev.size() <= GIT_OID_HEXSZ && is_hex(rev))
    return object_commit(repo, rev, r, rev);
  return std::nullopt;
}

std::string name_list(std::vector<std::string> names) {
  if (names.empty()) return "none";
  std::sort(names.begin(), names.end());
  std::string out;
  size_t shown = std::min(names.size(), kMaxListedRefs);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > shown) out += ", and " + std::to_string(names.size() - shown) + " more";
  return out;
}

Error not_found(git_repository* repo, const std::string& rev, const Remote& r, bool offline) {
  std::vector<std::string> branches, tags;
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_new(&it, repo) == 0) {
    const char* name = nullptr;
    while (git_reference_next_name(&name, it) == 0) {
      std::string_view n = name;
      if (n.starts_with("refs/heads/")) branches.emplace_back(n.substr(11));
      if (n.starts_with("refs/tags/")) tags.emplace_back(n.substr(10));
    }
    git_reference_iterator_free(it);
  }
  std::string lists = "branches: " + name_list(branches) + "; tags: " + name_list(tags);
  if (offline)
    return Error{r.display + ": no branch, tag or commit '" + rev +
                     "' in the cache (offline mode; " + lists + ")",
                 {}};
  return Error{r.display + ": no branch, tag or commit '" + rev + "' (" + lists + ")", {}};
}

// ---- symlinks and paths --------------------------------------------------------------------

// Whether a tree entry name may be written (git's verify_path, with its NTFS/HFS-safe ".git"
// checks, which git applies by default).
bool valid_entry_name(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos)
    return false;
  std::string_view t = name;
  while (!t.empty() && (t.back() == ' ' || t.back() == '.')) t.remove_suffix(1);
  return !iequals(t, ".git") && !iequals(t, "git~1");
}

std::vector<std::string> path_components(std::string_view p) {
  std::vector<std::string> out;
  for (std::string_view c : split(p, '/')) out.emplace_back(c);
  return out;
}

// Whether the symlink at `link` (tree-relative, '/'-separated) resolves inside the tree: each
// component is walked as the kernel would, following the tree's other symlinks.
bool symlink_stays_inside(const std::map<std::string, std::string>& links,
                          const std::string& link) {
  std::vector<std::string> stack = path_components(link);
  stack.pop_back();
  std::deque<std::string> todo;
  const std::string& target = links.at(link);
  if (target.empty() || target.front() == '/') return false;
  for (std::string& c : path_components(target)) todo.push_back(std::move(c));
  int hops = 1;
  while (!todo.empty()) {
    std::string c = std::move(todo.front());
    todo.pop_front();
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (stack.empty()) return false;
      stack.pop_back();
      continue;
    }
    stack.push_back(c);
    auto it = links.find(join(stack, "/"));
    if (it == links.end()) continue;
    if (++hops > kMaxSymlinkHops || it->second.empty() || it->second.front() == '/') return false;
    stack.pop_back();
    std::vector<std::string> more = path_components(it->second);
    todo.insert(todo.begin(), more.begin(), more.end());
  }
  return true;
}

Result<void> make_directory(const fs::path& path) {
  if (::mkdir(path.c_str(), 0755) != 0)
    return fail("cannot write " + path.string() + ": " + errno_text(errno));
  ::chmod(path.c_str(), 0755);  // whatever the umask
  return {};
}

Result<void> write_new_file(const fs::path& path, const void* data, size_t size, mode_t mode) {
  // O_EXCL | O_NOFOLLOW: never through a symlink, never over a file written before.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot write " + path.string() + ": " + errno_text(errno));
  Result<void> w = write_all(fd, static_cast<const char*>(data), size);
  if (w && ::fchmod(fd, mode) != 0) w = fail(errno_text(errno));
  if (::close(fd) != 0 && w) w = fail(errno_text(errno));
  if (!w) return fail("cannot write " + path.string() + ": " + w.error().message);
  return {};
}

// ---- submodules ----------------------------------------------------------------------------

// path -> url from the .gitmodules blob of `tree` (empty when there is none).
Result<std::map<std::string, std::string>> read_gitmodules(git_repository* repo, git_tree* tree,
                                                           const std::string& loc) {
  std::map<std::string, std::string> out;
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree, ".gitmodules") != 0) return out;
  TreeEntryPtr entry(raw);
  if (git_tree_entry_filemode(entry.get()) != GIT_FILEMODE_BLOB &&
      git_tree_entry_filemode(entry.get()) != GIT_FILEMODE_BLOB_EXECUTABLE)
    return out;  // git ignores a .gitmodules that is a symlink
  git_blob* blob_raw = nullptr;
  if (git_blob_lookup(&blob_raw, repo, git_tree_entry_id(entry.get())) != 0)
    return fail(loc + ": cannot read .gitmodules: " + git_last_message());
  BlobPtr blob(blob_raw);
  // libgit2 parses config syntax only from files.
  Result<TempDir> tmp = TempDir::create("funcpack-gitmodules");
  if (!tmp) return std::unexpected(tmp.error());
  fs::path file = tmp->path() / "gitmodules";
  Result<void> w = write_file_atomic(
      file, std::string_view(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                             static_cast<size_t>(git_blob_rawsize(blob.get()))));
  if (!w) return std::unexpected(w.error());
  git_config* cfg_raw = nullptr;
  if (git_config_open_ondisk(&cfg_raw, file.c_str()) != 0)
    return fail(loc + ": cannot parse .gitmodules: " + git_last_message());
  ConfigPtr cfg(cfg_raw);
  std::map<std::string, std::string> path_of, url_of;  // by submodule name
  git_config_iterator* it = nullptr;
  if (git_config_iterator_glob_new(&it, cfg.get(), "^submodule\\..*\\.(path|url)$") != 0)
    return fail(loc + ": cannot parse .gitmodules: " + git_last_message());
  git_config_entry* e = nullptr;
  while (git_config_next(&e, it) == 0) {
    std::string_view n = e->name;
    n.remove_prefix(std::string_view("submodule.").size());
    bool is_path = n.ends_with(".path");
    std::string name(n.substr(0, n.size() - (is_path ? 5 : 4)));
    (is_path ? path_of : url_of)[name] = e->value;
  }
  git_config_iterator_free(it);
  for (const auto& [name, path] : path_of) {
    auto u = url_of.find(name);
    if (u != url_of.end() && !out.count(path)) out[path] = u->second;
  }
  return out;
}

// The URL of a submodule whose .gitmodules says `raw`, as git computes it from the parent's.
std::string submodule_url(const Remote& parent, std::string raw) {
  raw = std::string(trim(raw));
  if (raw.starts_with("./") || raw.starts_with("../")) {
    std::string base = parent.original;
    while (base.ends_with('/')) base.pop_back();
    return resolve_url(base + "/", raw);
  }
  if (raw.starts_with('/')) return path_to_file_url(raw);
  if (raw.find("://") == std::string::npos) {
    size_t colon = raw.find(':'), slash = raw.find('/');
    if (colon != std::string::npos && (slash == std::string::npos || colon < slash)) {
      std::string path = raw.substr(colon + 1);
      return "ssh://" + raw.substr(0, colon) + (path.starts_with('/') ? "" : "/") + path;
    }
    return raw;
  }
  std::optional<UrlParts> sub = parse_url(raw), par = parse_url(parent.original);
  if (sub && par && sub->userinfo.empty() && !par->userinfo.empty() && sub->scheme == par->scheme &&
      sub->host == par->host) {
    sub->userinfo = par->userinfo;
    return sub->str();
  }
  return raw;
}

}  // namespace

// ---- GitCheckouts --------------------------------------------------------------------------

// The implementation's entry points work on parsed remotes so that submodules reuse them.
class GitCheckoutsImpl {
 public:
  GitCheckoutsImpl(const fs::path& root, const GitCheckoutOptions& options)
      : root_(root), options_(options) {}

  fs::path mirror_dir(const Remote& r) const { return root_ / "git-v1" / sha256_hex(r.key_url); }

  Result<std::string> resolve(const Remote& r, std::string rev) const;
  Result<void> write_commit(const Remote& r, const std::string& id, const fs::path& root,
                            int depth) const;

 private:
  struct FetchFailure {
    std::string message;  // complete, for the user
    std::string reason;   // libgit2's scrubbed message (generic failures)
  };
  std::expected<void, FetchFailure> fetch(const Remote& r, const fs::path& mirror,
                                          const std::vector<std::string>& refspecs,
                                          bool prune) const;

  const fs::path& root_;
  const GitCheckoutOptions& options_;
};

std::expected<void, GitCheckoutsImpl::FetchFailure> GitCheckoutsImpl::fetch(
    const Remote& r, const fs::path& mirror, const std::vector<std::string>& refspecs,
    bool prune) const {
  auto failure = [&](std::string message, std::string reason = {}) {
    return std::unexpected(FetchFailure{std::move(message), std::move(reason)});
  };
  if (options_.ca_bundle) {
    if (::access(options_.ca_bundle->c_str(), R_OK) != 0)
      return failure(r.display + ": cannot read the CA bundle " + options_.ca_bundle->string());
    // Process-wide in libgit2 (see the header): set under a lock, only when it changes.
    static std::mutex mu;
    static std::string current;
    std::lock_guard lock(mu);
    if (current != options_.ca_bundle->string()) {
      if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, options_.ca_bundle->c_str(), nullptr) !=
          0)
        return failure(r.display + ": cannot read the CA bundle " + options_.ca_bundle->string() +
                       ": " + git_last_message());
      current = options_.ca_bundle->string();
    }
  }
  if (options_.log) options_.log("git fetch " + r.display + " " + join(refspecs, " "));
  std::error_code ec;
  // libgit2 calls a path that does not exist an "unsupported URL protocol".
  if (r.local && !fs::exists(r.fetch_url, ec))
    return failure(r.display + ": cannot fetch: no repository at " + r.fetch_url);
  Result<RepoPtr> repo = open_mirror(mirror);
  if (!repo) return failure(repo.error().message);
  git_remote* remote_raw = nullptr;
  // Anonymous: nothing about the remote is written to the mirror's config, and FETCH_HEAD is
  // not written either (update_fetchhead = 0). url.*.insteadOf of the user's config applies.
  if (git_remote_create_anonymous(&remote_raw, repo->get(), r.fetch_url.c_str()) != 0)
    return failure(r.display + ": cannot fetch: " + scrub(git_last_message(), r));
  RemotePtr remote(remote_raw);
  AuthState auth;
  auth.remote = &r;
  auth.options = &options_;
  git_fetch_options fo;
  git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
  fo.callbacks.credentials = acquire_credentials;
  fo.callbacks.payload = &auth;
  fo.prune = prune ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE;
  fo.update_fetchhead = 0;
  fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;  // refs/tags/* is asked for explicitly
  fo.proxy_opts.type = GIT_PROXY_AUTO;
  std::vector<char*> specs;
  for (const std::string& s : refspecs) specs.push_back(const_cast<char*>(s.c_str()));
  git_strarray sa{specs.data(), specs.size()};
  int rc = git_remote_fetch(remote.get(), &sa, &fo, nullptr);
  if (rc == 0) return {};
  std::string reason = scrub(git_last_message(), r);
  if (auth.no_credentials)
    return failure(r.display +
                   ": the server asks for credentials: put user:token in the URL or "
                   "a machine entry for " +
                   auth.asked_host + " in netrc");
  if (auth.refused || rc == GIT_EAUTH)
    return failure(r.display + ": authentication failed: the server refused the credentials " +
                   (auth.source.empty() ? std::string("given") : "from " + auth.source));
  if (rc == GIT_ECERTIFICATE)
    return failure(r.display + ": the server's TLS certificate is not trusted (" + reason +
                   "); give the CA bundle that signed it with --cert");
  return failure(r.display + ": cannot fetch: " + reason, reason);
}

Result<std::string> GitCheckoutsImpl::resolve(const Remote& r, std::string rev) const {
  if (rev == "HEAD") rev.clear();
  const bool full_id = rev.size() == GIT_OID_HEXSZ && is_hex(rev);
  if (full_id) rev = to_lower(rev);
  const fs::path dir = mirror_dir(r);
  // A full commit id already in the mirror needs no network (commits never change).
  if (full_id && is_mirror(dir)) {
    Result<RepoPtr> repo = open_mirror(dir);
    if (!repo) return std::unexpected(repo.error());
    Lookup l = object_commit(repo->get(), rev, r, rev);
    if (!l) return std::unexpected(l.error());
    if (*l) return **l;
  }
  if (options_.offline) {
    if (!is_mirror(dir)) return fail(r.display + ": not in the cache (offline mode)");
    if (full_id) return fail(r.display + ": commit " + rev + " is not in the cache (offline mode)");
    Result<RepoPtr> repo = open_mirror(dir);
    if (!repo) return std::unexpected(repo.error());
    Lookup l = lookup_revision(repo->get(), rev, r);
    if (!l) return std::unexpected(l.error());
    if (*l) return **l;
    return std::unexpected(not_found(repo->get(), rev, r, true));
  }

  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  if (ec) return fail("cannot write " + dir.parent_path().string() + ": " + ec.message());
  Result<FileLock> lock = FileLock::acquire(dir.string() + ".lock");
  if (!lock) return std::unexpected(lock.error());
  remove_stale_files(dir);
  if (Result<void> c = create_mirror(dir, r); !c) return std::unexpected(c.error());

  std::vector<std::string> refspecs = {"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*",
                                       std::string("+HEAD:") + kHeadRef};
  if (rev.starts_with("refs/") && !rev.starts_with("refs/heads/") &&
      !rev.starts_with("refs/tags/")) {
    int valid = 0;
    // A valid ref name cannot hold ':' or '*', so it cannot smuggle a refspec in.
    if (git_reference_name_is_valid(&valid, rev.c_str()) == 0 && valid)
      refspecs.push_back("+" + rev + ":" + rev);
  }
  if (auto f = fetch(r, dir, refspecs, /*prune=*/true); !f) return fail(f.error().message);
  {
    Result<RepoPtr> repo = open_mirror(dir);
    if (!repo) return std::unexpected(repo.error());
    Lookup l = lookup_revision(repo->get(), rev, r);
    if (!l) return std::unexpected(l.error());
    if (*l) return **l;
    if (!full_id) return std::unexpected(not_found(repo->get(), rev, r, false));
  }
  // A commit no branch or tag has (an old or unmerged one): ask for it by id, as pip does.
  std::string keep = "refs/funcpack/commits/" + rev;
  if (auto f = fetch(r, dir, {"+" + rev + ":" + keep}, /*prune=*/false); !f) {
    if (f.error().reason.empty()) return fail(f.error().message);
    return fail(r.display + ": commit " + rev +
                " is on no branch or tag, and the server did not send it when asked for it by "
                "id (" +
                f.error().reason + ")");
  }
  Result<RepoPtr> repo = open_mirror(dir);
  if (!repo) return std::unexpected(repo.error());
  Lookup l = lookup_revision(repo->get(), rev, r);
  if (!l) return std::unexpected(l.error());
  if (*l) return **l;
  return std::unexpected(not_found(repo->get(), rev, r, false));
}

Result<void> GitCheckoutsImpl::write_commit(const Remote& r, const std::string& id,
                                            const fs::path& root, int depth) const {
  const std::string loc = r.display + "@" + id;
  Result<RepoPtr> repo = open_mirror(mirror_dir(r));
  if (!repo) return std::unexpected(repo.error());
  git_oid oid;
  if (git_oid_fromstr(&oid, id.c_str()) != 0)
    return fail(r.display + ": '" + id + "' is not a full commit id");
  git_commit* commit_raw = nullptr;
  if (git_commit_lookup(&commit_raw, repo->get(), &oid) != 0)
    return fail(loc + ": cannot read the commit: " + git_last_message());
  CommitPtr commit(commit_raw);
  git_tree* tree_raw = nullptr;
  if (git_commit_tree(&tree_raw, commit.get()) != 0)
    return fail(loc + ": cannot read the commit's tree: " + git_last_message());
  TreePtr top(tree_raw);

  std::map<std::string, std::string> links;               // tree path -> target
  std::vector<std::pair<std::string, git_oid>> gitlinks;  // tree path -> commit
  // Depth-first over the tree, writing directories and files as met; symlinks wait until the
  // whole tree is known (they are checked against each other) and are made last, so nothing
  // is ever written through one.
  std::function<Result<void>(git_tree*, const std::string&)> walk =
      [&](git_tree* tree, const std::string& prefix) -> Result<void> {
    size_t n = git_tree_entrycount(tree);
    for (size_t i = 0; i < n; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(tree, i);
      std::string name = git_tree_entry_name(e);
      std::string rel = prefix + name;
      if (!valid_entry_name(name))
        return fail(loc + ": refusing to check out '" + rel +
                    "' (not a valid path in a work tree)");
      fs::path path = root / rel;
      git_filemode_t mode = git_tree_entry_filemode(e);
      if (mode == GIT_FILEMODE_TREE) {
        if (Result<void> m = make_directory(path); !m) return m;
        git_tree* sub_raw = nullptr;
        if (git_tree_lookup(&sub_raw, repo->get(), git_tree_entry_id(e)) != 0)
          return fail(loc + ": cannot read '" + rel + "': " + git_last_message());
        TreePtr sub(sub_raw);
        if (Result<void> w = walk(sub.get(), rel + "/"); !w) return w;
      } else if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE ||
                 mode == GIT_FILEMODE_LINK) {
        git_blob* blob_raw = nullptr;
        if (git_blob_lookup(&blob_raw, repo->get(), git_tree_entry_id(e)) != 0)
          return fail(loc + ": cannot read '" + rel + "': " + git_last_message());
        BlobPtr blob(blob_raw);
        const void* data = git_blob_rawcontent(blob.get());
        auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
        if (mode == GIT_FILEMODE_LINK) {
          links[rel] = std::string(static_cast<const char*>(data), size);
          continue;
        }
        Result<void> w =
            write_new_file(path, data, size, mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
        if (!w) return w;
      } else if (mode == GIT_FILEMODE_COMMIT) {
        if (Result<void> m = make_directory(path); !m) return m;
        gitlinks.emplace_back(rel, *git_tree_entry_id(e));
      } else {
        return fail(loc + ": refusing to check out '" + rel + "' (unknown file mode " +
                    std::to_string(static_cast<int>(mode)) + ")");
      }
    }
    return {};
  };
  if (Result<void> w = walk(top.get(), ""); !w) return w;

  for (const auto& [path, target] : links)
    if (target.find('\0') != std::string::npos || !symlink_stays_inside(links, path))
      return fail(loc + ": symlink '" + path + "' -> '" + target +
                  "' points outside the repository's tree");

  if (!gitlinks.empty()) {
    if (depth >= kMaxSubmoduleDepth)
      return fail(loc + ": submodules nested deeper than " + std::to_string(kMaxSubmoduleDepth) +
                  " levels");
    Result<std::map<std::string, std::string>> modules =
        read_gitmodules(repo->get(), top.get(), loc);
    if (!modules) return std::unexpected(modules.error());
    for (const auto& [path, sub_oid] : gitlinks) {
      auto m = modules->find(path);
      if (m == modules->end())
        return fail(loc + ": submodule '" + path + "' has no url in .gitmodules");
      std::string sub_url = submodule_url(r, m->second);
      std::string where = loc + ": submodule '" + path + "': ";
      Result<Remote> sub = parse_remote(sub_url);
      if (!sub) return fail(where + sub.error().message);
      if (sub->local && !r.local)
        return fail(loc + ": submodule '" + path + "' has a local URL (" + sub->display +
                    ") but the repository is not local");
      std::string sub_id = oid_hex(sub_oid);
      Result<std::string> got = resolve(*sub, sub_id);
      if (!got) return fail(where + got.error().message);
      if (Result<void> w = write_commit(*sub, sub_id, root / path, depth + 1); !w)
        return fail(where + w.error().message);
    }
  }

  for (const auto& [path, target] : links)
    if (::symlink(target.c_str(), (root / path).c_str()) != 0)
      return fail("cannot write " + (root / path).string() + ": " + errno_text(errno));
  return {};
}

GitCheckouts::GitCheckouts(fs::path cache_root, GitCheckoutOptions options)
    : root_(std::move(cache_root)), options_(std::move(options)) {}

Result<fs::path> GitCheckouts::mirror_path(const std::string& url) const {
  Result<Remote> r = parse_remote(url);
  if (!r) return std::unexpected(r.error());
  return GitCheckoutsImpl(root_, options_).mirror_dir(*r);
}

Result<std::string> GitCheckouts::resolve(const std::string& url,
                                          const std::string& revision) const {
  ensure_libgit2();
  Result<Remote> r = parse_remote(url);
  if (!r) return std::unexpected(r.error());
  return GitCheckoutsImpl(root_, options_).resolve(*r, revision);
}

Result<void> GitCheckouts::checkout(const std::string& url, const std::string& commit_id,
                                    const fs::path& dest_in) const {
  ensure_libgit2();
  Result<Remote> r = parse_remote(url);
  if (!r) return std::unexpected(r.error());
  if (commit_id.size() != GIT_OID_HEXSZ || !is_hex(commit_id))
    return fail(r->display + ": '" + commit_id + "' is not a full commit id");
  const std::string id = to_lower(commit_id);
  GitCheckoutsImpl impl(root_, options_);
  Result<std::string> got = impl.resolve(*r, id);
  if (!got) return std::unexpected(got.error());
  if (*got != id) return fail(r->display + ": '" + id + "' names a tag, not a commit");

  fs::path dest = dest_in.lexically_normal();
  if (!dest.has_filename()) dest = dest.parent_path();
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dest, ec)) &&
      !(fs::is_directory(fs::symlink_status(dest, ec)) && fs::is_empty(dest, ec)))
    return fail("cannot check out into " + dest.string() + ": it exists and is not empty");
  fs::path parent = dest.parent_path().empty() ? fs::path(".") : dest.parent_path();
  fs::create_directories(parent, ec);
  if (ec) return fail("cannot write " + parent.string() + ": " + ec.message());
  Result<TempDir> tmp = TempDir::create("." + dest.filename().string() + ".tmp", parent);
  if (!tmp) return std::unexpected(tmp.error());
  if (::chmod(tmp->path().c_str(), 0755) != 0)
    return fail("cannot write " + tmp->path().string() + ": " + errno_text(errno));
  if (Result<void> w = impl.write_commit(*r, id, tmp->path(), 0); !w) return w;
  if (::rename(tmp->path().c_str(), dest.c_str()) != 0) {
    if (errno == ENOTEMPTY || errno == EEXIST)
      return fail("cannot check out into " + dest.string() + ": it exists and is not empty");
    return fail("cannot write " + dest.string() + ": " + errno_text(errno));
  }
  tmp->release();
  return {};
}

}  // namespace funcpack
