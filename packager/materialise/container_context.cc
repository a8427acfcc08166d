#include "materialise/container_context.h"

#include <fcntl.h>
#include <git2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>
#include <set>

#include "base/hash.h"

namespace funcpack {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int e) { return std::strerror(e); }

bool valid_path(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.find('\\') != std::string_view::npos ||
      p.find('\0') != std::string_view::npos)
    return false;
  size_t start = 0;
  while (true) {
    size_t slash = p.find('/', start);
    std::string_view part = p.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// Escapes a LABEL value for a double-quoted Dockerfile string.
std::string quote_label(std::string_view v) {
  std::string s = "\"";
  for (char c : v) {
    if (c == '\\' || c == '"' || c == '$') {
      s += '\\';
      s += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      s += ' ';
    } else {
      s += c;
    }
  }
  return s + "\"";
}

// Copies `source` to the new file `dest` (mode `mode`), hashing the bytes on the way.
// Returns the size, or an Error.
Result<uint64_t> copy_hashed(const fs::path& source, const fs::path& dest, mode_t mode,
                             Sha256& hash) {
  int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return fail("cannot read " + source.string() + ": " + errno_text(errno));
  int out = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (out < 0) {
    int e = errno;
    ::close(in);
    return fail("cannot write " + dest.string() + ": " + errno_text(e));
  }
  std::string buf(64 * 1024, '\0');
  uint64_t total = 0;
  while (true) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(in);
      ::close(out);
      return fail("cannot read " + source.string() + ": " + errno_text(e));
    }
    if (n == 0) break;
    hash.update(buf.data(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out, buf.data() + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        int e = errno;
        ::close(in);
        ::close(out);
        return fail("cannot write " + dest.string() + ": " + errno_text(e));
      }
      off += w;
    }
  }
  ::close(in);
  // The umask may have narrowed the mode given to open().
  if (::fchmod(out, mode) != 0 || ::close(out) != 0)
    return fail("cannot write " + dest.string() + ": " + errno_text(errno));
  return total;
}

Result<void> write_small(const fs::path& dest, std::string_view data) {
  int out = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out < 0) return fail("cannot write " + dest.string() + ": " + errno_text(errno));
  for (size_t off = 0; off < data.size();) {
    ssize_t w = ::write(out, data.data() + off, data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      int e = errno;
      ::close(out);
      return fail("cannot write " + dest.string() + ": " + errno_text(e));
    }
    off += static_cast<size_t>(w);
  }
  if (::fchmod(out, 0644) != 0 || ::close(out) != 0)
    return fail("cannot write " + dest.string() + ": " + errno_text(errno));
  return {};
}

Result<void> set_mtime(const fs::path& p, int64_t mtime) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(mtime);
  times[0].tv_nsec = times[1].tv_nsec = 0;
  if (::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return fail("cannot write " + p.string() + ": " + errno_text(errno));
  return {};
}

// An existing DIR may be replaced when it is empty or holds a context we wrote.
Result<bool> may_replace(const fs::path& dir) {
  std::error_code ec;
  auto st = fs::symlink_status(dir, ec);
  if (ec || st.type() == fs::file_type::not_found) return false;  // nothing there
  if (st.type() != fs::file_type::directory) return fail(dir.string() + ": not a directory");
  if (fs::is_empty(dir, ec) && !ec) return true;
  std::FILE* f = std::fopen((dir / "Dockerfile").c_str(), "rb");
  if (f != nullptr) {
    std::string head(kDockerfileMarker.size(), '\0');
    size_t n = std::fread(head.data(), 1, head.size(), f);
    std::fclose(f);
    if (n == head.size() && head == kDockerfileMarker) return true;
  }
  return fail(dir.string() +
              " exists and is not a container context written by funcpack (remove it or "
              "choose another directory)");
}

}  // namespace

std::string rfc3339_utc(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string render_dockerfile(const ContainerContextOptions& o) {
  std::string s(kDockerfileMarker);
  s += " from an Azure Functions Python app: its packages are already installed in\n"
       "# wwwroot/.python_packages for this image's Python and glibc, so building the image\n"
       "# runs no pip and needs no network beyond pulling the base image.\n";
  s += "FROM " + o.base_image + "\n";
  s += "ENV AzureWebJobsScriptRoot=/home/site/wwwroot \\\n"
       "    AzureFunctionsJobHost__Logging__Console__IsEnabled=true\n";
  bool first = true;
  for (const auto& [k, v] : o.labels) {
    s += first ? "LABEL " : " \\\n      ";
    s += k + "=" + quote_label(v);
    first = false;
  }
  if (!first) s += "\n";
  s += "COPY ";
  s += kContextAppDir;
  s += "/ /home/site/wwwroot/\n";
  return s;
}

std::string render_dockerignore() {
  std::string s =
      "# Only wwwroot/ (the app and its installed packages) goes into the image build.\n"
      "*\n!";
  s += kContextAppDir;
  s += "\n";
  return s;
}

Result<ContextSummary> write_container_context(std::vector<ContextFile> files,
                                               const fs::path& dir_in,
                                               const ContainerContextOptions& options) {
  fs::path dir = fs::absolute(dir_in).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // "ctx/"
  std::sort(files.begin(), files.end(),
            [](const ContextFile& a, const ContextFile& b) { return a.path < b.path; });
  for (size_t i = 0; i < files.size(); ++i) {
    if (!valid_path(files[i].path))
      return fail(files[i].path + ": invalid path in the container context");
    if (i > 0 && files[i].path == files[i - 1].path)
      return fail(files[i].path + ": duplicate path in the container context");
  }
  auto replace = may_replace(dir);
  if (!replace) return std::unexpected(replace.error());

  // Assemble beside DIR (same file system, so the rename is atomic).
  fs::path parent = dir.parent_path();
  std::string tmpl = (parent / (dir.filename().string() + ".tmp.XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    return fail("cannot write " + dir.string() + ": " + errno_text(errno));
  const fs::path tmp = tmpl;
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      if (!p.empty()) {
        std::error_code ec;
        fs::remove_all(p, ec);
      }
    }
  } cleanup{tmp};

  // (context path, sha256) for the manifest.
  std::vector<std::pair<std::string, std::string>> manifest;
  ContextSummary summary;
  std::set<fs::path> dirs = {tmp};
  const std::string dockerfile = render_dockerfile(options);
  const std::string dockerignore = render_dockerignore();
  for (const auto& [name, text] : {std::pair<std::string, const std::string*>{"Dockerfile", &dockerfile},
                                   {".dockerignore", &dockerignore}}) {
    if (auto w = write_small(tmp / name, *text); !w) return std::unexpected(w.error());
    manifest.emplace_back(name, sha256_hex(*text));
    summary.bytes += text->size();
  }
  const fs::path root = tmp / kContextAppDir;
  for (const auto& f : files) {
    fs::path dest = root / f.path;
    // Parents first, each recorded for the final mtime pass.
    fs::path d = dest.parent_path();
    while (dirs.insert(d).second) d = d.parent_path();
    std::error_code ec;
    fs::create_directories(dest.parent_path(), ec);
    if (ec) return fail("cannot write " + dir.string() + ": " + ec.message());
    struct stat st{};
    if (::stat(f.source.c_str(), &st) != 0)
      return fail("cannot read " + f.source.string() + ": " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return fail("cannot read " + f.source.string() + ": not a regular file");
    mode_t mode = (st.st_mode & 0111) != 0 ? 0755 : 0644;
    Sha256 h;
    auto n = copy_hashed(f.source, dest, mode, h);
    if (!n) return std::unexpected(n.error());
    manifest.emplace_back(std::string(kContextAppDir) + "/" + f.path, h.finish_hex());
    summary.bytes += *n;
  }
  // Fixed modes and times, files first, then directories deepest first (writing into a
  // directory changes its mtime).
  for (const auto& [path, digest] : manifest) {
    if (auto t = set_mtime(tmp / path, options.mtime); !t) return std::unexpected(t.error());
  }
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    if (::chmod(it->c_str(), 0755) != 0)
      return fail("cannot write " + it->string() + ": " + errno_text(errno));
    if (auto t = set_mtime(*it, options.mtime); !t) return std::unexpected(t.error());
  }
  std::sort(manifest.begin(), manifest.end());
  std::string manifest_text;
  for (const auto& [path, digest] : manifest) manifest_text += digest + "  " + path + "\n";
  summary.sha256 = sha256_hex(manifest_text);
  summary.files = manifest.size();

  // Into place. An old context is moved aside onto an empty directory (rename(2) may replace
  // an empty directory), the new one renamed in, and the old one removed; if the second
  // rename fails the old context is put back.
  std::error_code empty_ec;
  if (*replace && !fs::is_empty(dir, empty_ec)) {
    std::string old_tmpl = (parent / (dir.filename().string() + ".old.XXXXXX")).string();
    if (::mkdtemp(old_tmpl.data()) == nullptr)
      return fail("cannot write " + dir.string() + ": " + errno_text(errno));
    if (::rename(dir.c_str(), old_tmpl.c_str()) != 0) {
      int e = errno;
      ::rmdir(old_tmpl.c_str());
      return fail("cannot write " + dir.string() + ": " + errno_text(e));
    }
    if (::rename(tmp.c_str(), dir.c_str()) != 0) {
      int e = errno;
      ::rename(old_tmpl.c_str(), dir.c_str());
      return fail("cannot write " + dir.string() + ": " + errno_text(e));
    }
    std::error_code ec;
    fs::remove_all(old_tmpl, ec);
  } else if (::rename(tmp.c_str(), dir.c_str()) != 0) {
    return fail("cannot write " + dir.string() + ": " + errno_text(errno));
  }
  cleanup.p.clear();
  return summary;
}

// ---- git ----

namespace {

void ensure_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

std::string git_error_text() {
  const git_error* e = git_error_last();
  return "git: " + std::string(e != nullptr && e->message != nullptr ? e->message : "unknown error");
}

fs::path canonical_or_normal(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal() : c;
}

}  // namespace

std::string strip_url_credentials(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t host_start = scheme + 3;
  size_t path_start = url.find_first_of("/?#", host_start);
  std::string_view authority =
      url.substr(host_start, path_start == std::string_view::npos ? path_start : path_start - host_start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, host_start)) + std::string(authority.substr(at + 1)) +
         std::string(path_start == std::string_view::npos ? std::string_view{}
                                                          : url.substr(path_start));
}

Result<std::optional<GitSource>> git_source(const fs::path& app_dir,
                                            const std::vector<std::string>& deployed) {
  ensure_libgit2();
  git_repository* repo = nullptr;
  const fs::path app = canonical_or_normal(app_dir);
  int rc = git_repository_open_ext(&repo, app.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) return std::optional<GitSource>();
  if (rc != 0) return fail(git_error_text());
  std::unique_ptr<git_repository, void (*)(git_repository*)> repo_guard(repo, git_repository_free);
  if (git_repository_is_bare(repo) || git_repository_workdir(repo) == nullptr)
    return std::optional<GitSource>();

  GitSource out;
  // The app's directory inside the work tree, "" at its root, else "sub/dir/".
  fs::path workdir = canonical_or_normal(git_repository_workdir(repo));
  std::string prefix = app.lexically_relative(workdir).generic_string();
  if (prefix == "." || prefix.empty()) prefix.clear();
  else prefix += "/";

  if (git_repository_head_unborn(repo) != 1) {
    git_oid oid;
    if (git_reference_name_to_id(&oid, repo, "HEAD") != 0) return fail(git_error_text());
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &oid);
    out.commit = hex;
  }

  git_status_options opts;
  git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_EXCLUDE_SUBMODULES | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX;
  git_status_list* list = nullptr;
  if (git_status_list_new(&list, repo, &opts) != 0) return fail(git_error_text());
  std::unique_ptr<git_status_list, void (*)(git_status_list*)> list_guard(list,
                                                                          git_status_list_free);
  const std::set<std::string> deploys(deployed.begin(), deployed.end());
  auto in_app = [&](const char* p) {
    return p != nullptr && std::string_view(p).starts_with(prefix);
  };
  auto deployed_path = [&](const char* p) {
    return in_app(p) && deploys.count(std::string(p).substr(prefix.size())) != 0;
  };
  const size_t n = git_status_list_entrycount(list);
  for (size_t i = 0; i < n && !out.dirty; ++i) {
    const git_status_entry* e = git_status_byindex(list, i);
    if (e == nullptr || e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED)) continue;
    for (const git_diff_delta* d : {e->head_to_index, e->index_to_workdir}) {
      if (d == nullptr) continue;
      // A tracked file gone (deleted, or renamed away) from the app's directory.
      if ((d->status == GIT_DELTA_DELETED || d->status == GIT_DELTA_RENAMED) &&
          in_app(d->old_file.path))
        out.dirty = true;
      if (d->status != GIT_DELTA_DELETED && deployed_path(d->new_file.path)) out.dirty = true;
    }
  }

  git_strarray remotes{};
  if (git_remote_list(&remotes, repo) != 0) return fail(git_error_text());
  std::vector<std::string> names(remotes.strings, remotes.strings + remotes.count);
  git_strarray_dispose(&remotes);
  std::sort(names.begin(), names.end());
  if (!names.empty()) {
    std::string pick = std::find(names.begin(), names.end(), "origin") != names.end()
                           ? "origin" : names.front();
    git_remote* remote = nullptr;
    if (git_remote_lookup(&remote, repo, pick.c_str()) != 0) return fail(git_error_text());
    const char* url = git_remote_url(remote);
    if (url != nullptr) out.remote_url = strip_url_credentials(url);
    git_remote_free(remote);
  }
  return std::optional<GitSource>(std::move(out));
}

std::map<std::string, std::string> container_labels(std::string_view base_image, int64_t mtime,
                                                    const std::optional<GitSource>& git,
                                                    std::string_view lock_sha256,
                                                    std::string_view python) {
  std::map<std::string, std::string> labels;
  labels["org.opencontainers.image.base.name"] = std::string(base_image);
  labels["org.opencontainers.image.created"] = rfc3339_utc(mtime);
  if (git && !git->revision().empty()) labels["org.opencontainers.image.revision"] = git->revision();
  if (git && !git->remote_url.empty()) labels["org.opencontainers.image.source"] = git->remote_url;
  labels["dev.funcpack.lock.sha256"] = std::string(lock_sha256);
  labels["dev.funcpack.python"] = std::string(python);
  return labels;
}

}  // namespace funcpack
