#include "io/index_source.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <system_error>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "spec/package_name.h"
#include "io/cache.h"
#include "io/sdist_metadata.h"
#include "io/simple_index.h"
#include "io/url.h"
#include "io/wheel_metadata.h"

namespace funcpack {
namespace {

constexpr std::string_view kPageVariant = "simple-page-v1";
constexpr std::string_view kFindLinksVariant = "find-links-v1";
constexpr std::string_view kMetadataVariant = "core-metadata-v1";
constexpr std::string_view kArtifactVariant = "artifact-sha256-v1";


std::vector<std::string> split_whitespace(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_ascii_space(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !is_ascii_space(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

bool truthy(std::string_view v) {
  std::string s = to_lower(trim(v));
  return s == "1" || s == "true" || s == "yes" || s == "on";
}

// Whether a distribution filename belongs to project `name` (normalised): wheels by their
// first field; sdists ("name-version.tar.gz", legacy names may contain '-') by any split
// point whose left side normalises to `name` and whose right side starts like a version.
bool filename_is_for(std::string_view filename, std::string_view name) {
  if (filename.ends_with(".whl")) {
    return normalize_name(filename.substr(0, filename.find('-'))) == name;
  }
  static const std::string_view kExt[] = {".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz",
                                          ".tar"};
  std::string_view stem;
  for (std::string_view ext : kExt) {
    if (filename.size() > ext.size() && iequals(filename.substr(filename.size() - ext.size()), ext)) {
      stem = filename.substr(0, filename.size() - ext.size());
      break;
    }
  }
  if (stem.empty()) return false;
  for (size_t p = stem.find('-'); p != std::string_view::npos; p = stem.find('-', p + 1)) {
    std::string_view version = stem.substr(p + 1);
    if (version.empty()) continue;
    bool versionish = is_ascii_digit(version[0]) ||
                      ((version[0] == 'v' || version[0] == 'V') && version.size() > 1 &&
                       is_ascii_digit(version[1]));
    if (versionish && normalize_name(stem.substr(0, p)) == name) return true;
  }
  return false;
}

std::string trim_slashes(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

std::string sha256_of(const DistributionFile& f) {
  auto it = f.hashes.find("sha256");
  return it == f.hashes.end() ? std::string() : it->second;
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Until when a response may be reused without asking again (RFC 9111 section 5.2.2): now +
// max-age, unless no-cache or no-store says otherwise; 0 (revalidate) without max-age. funcpack
// is a private cache, so "private" does not matter; heuristic freshness is never assumed (an
// index without Cache-Control is asked every time, and answers 304 when nothing changed).
int64_t fresh_until(std::string_view cache_control) {
  int64_t max_age = -1;
  for (std::string_view part : split(cache_control, ',')) {
    std::string d = to_lower(trim(part));
    if (d == "no-cache" || d == "no-store" || d.starts_with("no-cache=")) return 0;
    if (d.starts_with("max-age=")) {
      std::string_view v = std::string_view(d).substr(8);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      int64_t n = 0;
      bool ok = !v.empty() && v.size() < 12;
      for (char c : v) {
        if (!is_ascii_digit(c)) ok = false;
        else n = n * 10 + (c - '0');
      }
      if (ok) max_age = n;
    }
  }
  return max_age > 0 ? unix_now() + max_age : 0;
}

struct PageState {
  bool exists = false;
  ProjectPage page;
};

struct LocalFile {
  std::filesystem::path path;
  std::string filename;
  std::string display;  // the find-links entry it came from
};

}  // namespace

void apply_environment(IndexSourceOptions& options, const EnvLookup& env) {
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> v = env(name);
    if (v && v->empty()) v.reset();
    return v;
  };
  if (!options.index_url)
    if (auto v = get("PIP_INDEX_URL")) options.index_url = std::string(trim(*v));
  if (options.extra_index_urls.empty())
    if (auto v = get("PIP_EXTRA_INDEX_URL")) options.extra_index_urls = split_whitespace(*v);
  if (options.find_links.empty())
    if (auto v = get("PIP_FIND_LINKS")) options.find_links = split_whitespace(*v);
  if (!options.no_index)
    if (auto v = get("PIP_NO_INDEX"); v && truthy(*v)) options.no_index = true;
  if (!options.index_credentials) {
    std::optional<std::string> user = get("FUNCPACK_INDEX_USERNAME");
    std::optional<std::string> password = get("FUNCPACK_INDEX_PASSWORD");
    if (user) options.index_credentials = std::make_pair(*user, password.value_or(""));
  }
}

void apply_requirements_options(IndexSourceOptions& options, const IndexOptions& from_file) {
  if (from_file.index_url) options.index_url = from_file.index_url;
  for (const std::string& u : from_file.extra_index_urls) options.extra_index_urls.push_back(u);
  for (const std::string& f : from_file.find_links) options.find_links.push_back(f);
  if (from_file.no_index) options.no_index = true;
}

struct IndexSource::Impl {
  IndexSourceOptions o;
  std::vector<std::string> indexes;  // search order, credentials stripped, no trailing '/'
  std::unique_ptr<HttpClient> http;
  std::optional<Cache> cache;
  std::optional<TempDir> scratch;  // downloads when there is no cache
  // Recursive: sdist_metadata_builder re-enters the source (it resolves build requirements)
  // while metadata() holds the lock, on the same thread.
  std::recursive_mutex mu;
  std::map<std::pair<size_t, std::string>, Result<PageState>> pages;
  bool find_links_loaded = false;
  std::optional<Error> find_links_error;
  std::vector<DistributionFile> find_link_pages;  // every anchor of find-links HTML pages
  std::vector<LocalFile> find_link_files;         // every file of find-links directories
  std::map<std::string, std::string> local_sha256;  // path -> hex
  // PEP 658 responses fetched ahead of need (prefetch_metadata), by metadata URL; consumed by
  // core_metadata_file exactly as if it had made the request itself.
  std::map<std::string, Result<HttpResponse>> prefetched_metadata;
  // Every metadata() outcome, by file URL: asking twice never transfers twice, and an error
  // met by a prefetch is the error a later metadata() call reports.
  std::map<std::string, Result<std::string>> metadata_memo;

  void register_credentials(const std::string& url_with_userinfo) {
    std::optional<UrlParts> p = parse_url(url_with_userinfo);
    if (!p || p->userinfo.empty()) return;
    std::string_view ui = p->userinfo;
    size_t colon = ui.find(':');
    std::string user = percent_decode(ui.substr(0, colon));
    std::string password = colon == std::string_view::npos ? "" : percent_decode(ui.substr(colon + 1));
    o.http.credentials.emplace(p->host, std::make_pair(user, password));
  }

  explicit Impl(IndexSourceOptions options) : o(std::move(options)) {
    std::vector<std::string> raw;
    if (!o.no_index) {
      for (const std::string& u : o.extra_index_urls) raw.push_back(u);
      raw.push_back(o.index_url.value_or(std::string(kDefaultIndexUrl)));
    }
    for (const std::string& u : raw) {
      std::string url = u;
      if (!parse_url(url)) url = path_to_file_url(url);  // a bare directory path
      register_credentials(url);
      std::string clean = trim_slashes(strip_credentials(url));
      if (std::find(indexes.begin(), indexes.end(), clean) == indexes.end()) indexes.push_back(clean);
    }
    for (const std::string& f : o.find_links) register_credentials(f);
    if (o.index_credentials && !o.no_index) {
      std::optional<UrlParts> p = parse_url(o.index_url.value_or(std::string(kDefaultIndexUrl)));
      if (p && p->userinfo.empty()) o.http.credentials.emplace(p->host, *o.index_credentials);
    }
    http = std::make_unique<HttpClient>(o.http);
    if (!o.no_cache) cache.emplace(o.cache_dir.value_or(Cache::default_root()));
  }

  std::string page_url(size_t index, const std::string& name) const {
    return indexes[index] + "/" + name + "/";
  }

  // Turns one HTTP outcome (or cache entry) into a page state, updating the cache.
  Result<PageState> page_from_response(const std::string& url, const std::string& name,
                                       const std::optional<CachedResponse>& cached,
                                       Result<HttpResponse> r, std::string_view variant) {
    if (!r) return std::unexpected(r.error());
    CachedResponse entry;
    if (r->status == 304 && cached) {
      entry = *cached;
      // A 304 renews the stored response's freshness (RFC 9111 section 4.3.4).
      int64_t fresh = fresh_until(r->cache_control);
      if (fresh != entry.fresh_until && cache) {
        entry.fresh_until = fresh;
        (void)cache->store_response(url, variant, entry);
      }
    } else if (r->status == 200 || r->status == 404 || r->status == 410) {
      entry.status = r->status == 410 ? 404 : r->status;
      entry.etag = r->etag;
      entry.last_modified = r->last_modified;
      entry.content_type = r->content_type;
      entry.effective_url = r->effective_url;
      entry.fresh_until = fresh_until(r->cache_control);
      if (r->status == 200) entry.body = std::move(r->body);
      if (cache) {
        // A cache that cannot be written slows the next run down; it does not fail this one.
        (void)cache->store_response(url, variant, entry);
      }
    } else {
      std::string reason = "HTTP " + std::to_string(r->status);
      if (r->status == 401 || r->status == 403) reason += " (credentials missing or rejected)";
      return fail("GET " + redact_url(url) + ": " + reason);
    }
    return state_from_entry(url, name, entry);
  }

  Result<PageState> state_from_entry(const std::string& url, const std::string& name,
                                     const CachedResponse& entry) {
    PageState st;
    if (entry.status != 200) return st;
    std::string base = entry.effective_url.empty() ? url : entry.effective_url;
    Result<ProjectPage> page = parse_project_page(entry.body, entry.content_type, base, name);
    if (!page) return std::unexpected(page.error());
    st.exists = true;
    st.page = std::move(*page);
    return st;
  }

  Result<PageState> local_page(const std::string& url, const std::string& name) {
    std::optional<std::filesystem::path> dir = file_url_to_path(url);
    if (!dir) return fail("unsupported index URL " + redact_url(url));
    std::error_code ec;
    std::filesystem::path html = *dir / "index.html";
    if (!std::filesystem::is_regular_file(html, ec)) return PageState{};
    Result<std::string> text = read_file(html);
    if (!text) return std::unexpected(text.error());
    Result<ProjectPage> page = parse_html_page(*text, path_to_file_url(html), name);
    if (!page) return std::unexpected(page.error());
    return PageState{true, std::move(*page)};
  }

  // Fetches the given (index, name) pages, in parallel over HTTP, and records the results.
  void fetch_pages(const std::vector<std::pair<size_t, std::string>>& keys) {
    std::vector<HttpRequest> requests;
    std::vector<std::pair<size_t, std::string>> http_keys;
    std::vector<std::optional<CachedResponse>> cached;
    const int64_t now = unix_now();
    for (const auto& key : keys) {
      if (pages.contains(key)) continue;
      std::string url = page_url(key.first, key.second);
      if (is_file_url(url)) {
        pages.emplace(key, local_page(url, key.second));
        continue;
      }
      std::optional<CachedResponse> c;
      if (cache) c = cache->load_response(url, kPageVariant);
      if (o.offline || (c && c->fresh_until > now)) {
        // Offline, or the index said the page stays fresh until then (Cache-Control max-age,
        // as PyPI sends): no request.
        if (c)
          pages.emplace(key, state_from_entry(url, key.second, *c));
        else
          pages.emplace(key, fail("GET " + redact_url(url) + ": not in the cache (offline mode)"));
        continue;
      }
      HttpRequest req;
      req.url = url;
      req.headers.emplace_back(kSimpleAcceptHeader);
      if (c && c->status == 200) {
        if (!c->etag.empty()) req.if_none_match = c->etag;
        if (!c->last_modified.empty()) req.if_modified_since = c->last_modified;
      }
      requests.push_back(std::move(req));
      http_keys.push_back(key);
      cached.push_back(std::move(c));
    }
    if (requests.empty()) return;
    std::vector<Result<HttpResponse>> responses = http->get_all(requests);
    for (size_t i = 0; i < responses.size(); ++i) {
      pages.emplace(http_keys[i], page_from_response(requests[i].url, http_keys[i].second,
                                                     cached[i], std::move(responses[i]),
                                                     kPageVariant));
    }
  }

  void fetch_names(const std::vector<std::string>& names) {
    if (indexes.empty()) return;
    if (o.strategy == IndexStrategy::kMergeAll) {
      std::vector<std::pair<size_t, std::string>> keys;
      for (size_t i = 0; i < indexes.size(); ++i)
        for (const std::string& n : names) keys.emplace_back(i, n);
      fetch_pages(keys);
      return;
    }
    // One round per index: a name goes on to the next index only if no earlier index has it.
    for (size_t i = 0; i < indexes.size(); ++i) {
      std::vector<std::pair<size_t, std::string>> keys;
      for (const std::string& n : names) {
        bool settled = false;
        for (size_t j = 0; j < i && !settled; ++j) {
          auto it = pages.find({j, n});
          settled = it != pages.end() && (!it->second || it->second->exists);
        }
        if (!settled) keys.emplace_back(i, n);
      }
      if (keys.empty()) break;
      fetch_pages(keys);
    }
  }

  void load_find_links() {
    if (find_links_loaded) return;
    find_links_loaded = true;
    std::vector<HttpRequest> requests;
    std::vector<std::optional<CachedResponse>> cached;
    std::vector<std::string> displays;
    for (const std::string& entry : o.find_links) {
      std::string display = redact_url(entry);
      std::optional<UrlParts> parts = parse_url(entry);
      if (parts && parts->scheme != "file") {
        std::string url = strip_credentials(entry);
        std::optional<CachedResponse> c;
        if (cache) c = cache->load_response(url, kFindLinksVariant);
        if (o.offline) {
          if (!c) {
            find_links_error = Error{"GET " + display + ": not in the cache (offline mode)", {}};
            return;
          }
          add_find_links_page(url, *c, display);
          continue;
        }
        HttpRequest req;
        req.url = url;
        req.headers.emplace_back("Accept: text/html");
        if (c && c->status == 200) {
          if (!c->etag.empty()) req.if_none_match = c->etag;
          if (!c->last_modified.empty()) req.if_modified_since = c->last_modified;
        }
        requests.push_back(std::move(req));
        cached.push_back(std::move(c));
        displays.push_back(display);
        continue;
      }
      std::filesystem::path path;
      if (parts) {
        std::optional<std::filesystem::path> p = file_url_to_path(entry);
        if (!p) {
          find_links_error = Error{"--find-links " + display + ": unsupported file URL", {}};
          return;
        }
        path = *p;
      } else {
        path = entry;
      }
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec)) {
        std::vector<LocalFile> found;
        for (const auto& de : std::filesystem::directory_iterator(path, ec)) {
          std::error_code ec2;
          if (!de.is_regular_file(ec2)) continue;
          found.push_back({de.path(), de.path().filename().string(), display});
        }
        std::sort(found.begin(), found.end(),
                  [](const LocalFile& a, const LocalFile& b) { return a.filename < b.filename; });
        for (LocalFile& f : found) find_link_files.push_back(std::move(f));
      } else if (std::filesystem::is_regular_file(path, ec)) {
        Result<std::string> text = read_file(path);
        if (!text) {
          find_links_error = text.error();
          return;
        }
        CachedResponse c;
        c.body = std::move(*text);
        c.content_type = "text/html";
        c.effective_url = path_to_file_url(path);
        add_find_links_page(c.effective_url, c, display);
      } else {
        find_links_error = Error{"--find-links " + display + ": no such file or directory", {}};
        return;
      }
    }
    if (requests.empty()) return;
    std::vector<Result<HttpResponse>> responses = http->get_all(requests);
    for (size_t i = 0; i < responses.size(); ++i) {
      Result<HttpResponse>& r = responses[i];
      if (!r) {
        find_links_error = r.error();
        return;
      }
      CachedResponse entry;
      if (r->status == 304 && cached[i]) {
        entry = *cached[i];
      } else if (r->status == 200) {
        entry.status = 200;
        entry.etag = r->etag;
        entry.last_modified = r->last_modified;
        entry.content_type = r->content_type;
        entry.effective_url = r->effective_url;
        entry.body = std::move(r->body);
        if (cache) (void)cache->store_response(requests[i].url, kFindLinksVariant, entry);
      } else {
        find_links_error =
            Error{"GET " + redact_url(requests[i].url) + ": HTTP " + std::to_string(r->status), {}};
        return;
      }
      add_find_links_page(requests[i].url, entry, displays[i]);
    }
  }

  void add_find_links_page(const std::string& url, const CachedResponse& c,
                           const std::string& display) {
    std::string base = c.effective_url.empty() ? url : c.effective_url;
    // Find-links pages are plain HTML link lists (pip reads them so), whatever the type says.
    Result<ProjectPage> page = parse_html_page(c.body, base, "");
    if (!page) {
      find_links_error = page.error();
      return;
    }
    for (DistributionFile& f : page->files) {
      f.index = display;
      find_link_pages.push_back(std::move(f));
    }
  }

  Result<std::string> local_sha(const std::filesystem::path& p) {
    auto it = local_sha256.find(p.string());
    if (it != local_sha256.end()) return it->second;
    Result<std::string> bytes = read_file(p);
    if (!bytes) return std::unexpected(bytes.error());
    std::string hex = sha256_hex(*bytes);
    local_sha256[p.string()] = hex;
    return hex;
  }

  Result<ProjectPage> assemble(const std::string& name) {
    ProjectPage out;
    out.name = name;
    for (size_t i = 0; i < indexes.size(); ++i) {
      auto it = pages.find({i, name});
      if (it == pages.end()) continue;
      if (!it->second) return std::unexpected(it->second.error());
      if (!it->second->exists) continue;
      for (DistributionFile f : it->second->page.files) {
        f.index = redact_url(indexes[i]);
        out.files.push_back(std::move(f));
      }
      if (o.strategy == IndexStrategy::kFirstIndex) break;
    }
    load_find_links();
    if (find_links_error) return std::unexpected(*find_links_error);
    for (const DistributionFile& f : find_link_pages)
      if (filename_is_for(f.filename, name)) out.files.push_back(f);
    for (const LocalFile& lf : find_link_files) {
      if (!filename_is_for(lf.filename, name)) continue;
      DistributionFile f;
      f.filename = lf.filename;
      f.url = path_to_file_url(lf.path);
      Result<std::string> hex = local_sha(lf.path);
      if (!hex) return std::unexpected(hex.error());
      f.hashes["sha256"] = *hex;
      std::error_code ec;
      uintmax_t size = std::filesystem::file_size(lf.path, ec);
      if (!ec) f.size = size;
      f.index = lf.display;
      // A local wheel's metadata is read from the wheel itself; no .metadata file is assumed.
      out.files.push_back(std::move(f));
    }
    return out;
  }

  static Result<void> check_sha(const DistributionFile& f, const std::string& got) {
    std::string expected = sha256_of(f);
    if (!expected.empty() && got != expected)
      return fail("sha256 mismatch for " + f.filename + " from " + redact_url(f.url) +
                  ": expected " + expected + ", got " + got);
    return {};
  }

  // The path of `f` when no transfer is needed (a local file, or a cache hit), an Error when
  // none is possible (offline), or nullopt: it must be downloaded.
  std::optional<Result<std::filesystem::path>> without_network(const DistributionFile& f) {
    std::string expected = sha256_of(f);
    std::string display = redact_url(f.url);
    if (is_file_url(f.url)) {
      std::optional<std::filesystem::path> p = file_url_to_path(f.url);
      if (!p) return fail("unsupported file URL " + display);
      if (!expected.empty()) {
        Result<std::string> hex = local_sha(*p);
        if (!hex) return std::unexpected(hex.error());
        if (auto ok = check_sha(f, *hex); !ok) return std::unexpected(ok.error());
      } else {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(*p, ec))
          return fail("cannot read " + p->string() + ": no such file");
      }
      return *p;
    }
    std::string key = expected;
    if (key.empty() && cache) {
      if (auto c = cache->load_response(f.url, kArtifactVariant)) key = c->body;
    }
    if (cache && !key.empty())
      if (auto p = cache->artifact_path(key)) return *p;
    if (o.offline) return fail("GET " + display + ": not in the cache (offline mode)");
    return std::nullopt;
  }

  // Verifies a downloaded body and stores it (cache, else a private scratch directory).
  Result<std::filesystem::path> store_download(const DistributionFile& f, Result<HttpResponse> r) {
    if (!r) return std::unexpected(r.error());
    if (r->status != 200)
      return fail("GET " + redact_url(f.url) + ": HTTP " + std::to_string(r->status));
    std::string got = sha256_hex(r->body);
    if (auto ok = check_sha(f, got); !ok) return std::unexpected(ok.error());
    if (cache) {
      Result<std::filesystem::path> p = cache->store_artifact(r->body);
      if (!p) return std::unexpected(p.error());
      if (sha256_of(f).empty()) {
        CachedResponse m;
        m.body = got;
        (void)cache->store_response(f.url, kArtifactVariant, m);
      }
      return *p;
    }
    if (!scratch) {
      Result<TempDir> t = TempDir::create("funcpack-download");
      if (!t) return std::unexpected(t.error());
      scratch.emplace(std::move(*t));
    }
    std::filesystem::path dir = scratch->path() / got;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::filesystem::path p = dir / (f.filename.empty() ? "download" : f.filename);
    if (auto ok = write_file_atomic(p, r->body); !ok) return std::unexpected(ok.error());
    return p;
  }

  std::vector<Result<std::filesystem::path>> download_all(const std::vector<DistributionFile>& files) {
    std::vector<std::optional<Result<std::filesystem::path>>> out(files.size());
    std::vector<HttpRequest> requests;
    std::vector<size_t> which;
    std::map<std::string, size_t> first_request;  // the same URL twice is fetched once
    std::vector<std::pair<size_t, size_t>> duplicates;
    for (size_t i = 0; i < files.size(); ++i) {
      out[i] = without_network(files[i]);
      if (out[i]) continue;
      auto [it, fresh] = first_request.emplace(files[i].url, i);
      if (!fresh) {
        duplicates.emplace_back(i, it->second);
        continue;
      }
      HttpRequest req;
      req.url = files[i].url;
      requests.push_back(std::move(req));
      which.push_back(i);
    }
    if (!requests.empty()) {
      std::vector<Result<HttpResponse>> responses = http->get_all(requests);
      for (size_t k = 0; k < responses.size(); ++k)
        out[which[k]] = store_download(files[which[k]], std::move(responses[k]));
    }
    for (auto [dup, orig] : duplicates) {
      // Same URL: same bytes, but each entry's own hash is checked.
      if (!*out[orig]) {
        out[dup] = *out[orig];
        continue;
      }
      Result<std::string> bytes = read_file(**out[orig]);
      if (!bytes) {
        out[dup] = std::unexpected(bytes.error());
        continue;
      }
      if (auto ok = check_sha(files[dup], sha256_hex(*bytes)); !ok)
        out[dup] = std::unexpected(ok.error());
      else
        out[dup] = *out[orig];
    }
    std::vector<Result<std::filesystem::path>> results;
    results.reserve(out.size());
    for (auto& r : out) results.push_back(std::move(*r));
    return results;
  }

  Result<std::filesystem::path> download(const DistributionFile& f) {
    return std::move(download_all({f}).front());
  }

  // The PEP 658 file: its text, nullopt when the index does not actually serve it (404).
  Result<std::optional<std::string>> core_metadata_file(const DistributionFile& f) {
    std::string url = f.url + ".metadata";
    std::string display = redact_url(url);
    std::optional<std::string> text;
    if (is_file_url(url)) {
      std::optional<std::filesystem::path> p = file_url_to_path(url);
      std::error_code ec;
      if (!p || !std::filesystem::is_regular_file(*p, ec)) return std::optional<std::string>{};
      Result<std::string> t = read_file(*p);
      if (!t) return std::unexpected(t.error());
      text = std::move(*t);
    } else {
      std::optional<CachedResponse> c;
      if (cache) c = cache->load_response(url, kMetadataVariant);
      if (c && c->status == 200) {
        text = c->body;  // files on an index are immutable: no revalidation
      } else if (o.offline) {
        return fail("GET " + display + ": not in the cache (offline mode)");
      } else {
        Result<HttpResponse> r = fail("");
        if (auto pre = prefetched_metadata.find(url); pre != prefetched_metadata.end()) {
          r = std::move(pre->second);
          prefetched_metadata.erase(pre);
        } else {
          HttpRequest req;
          req.url = url;
          r = http->get(req);
        }
        if (!r) return std::unexpected(r.error());
        if (r->status == 404) return std::optional<std::string>{};
        if (r->status != 200) return fail("GET " + display + ": HTTP " + std::to_string(r->status));
        text = std::move(r->body);
      }
    }
    if (f.core_metadata) {
      auto it = f.core_metadata->find("sha256");
      if (it != f.core_metadata->end()) {
        std::string got = sha256_hex(*text);
        if (got != it->second)
          return fail("sha256 mismatch for " + display + ": expected " + it->second + ", got " + got);
      }
    }
    if (cache && !is_file_url(url)) {
      CachedResponse m;
      m.body = *text;
      (void)cache->store_response(url, kMetadataVariant, m);
    }
    return text;
  }

  Result<std::string> metadata(const DistributionFile& f) {
    if (auto memo = metadata_memo.find(f.url); memo != metadata_memo.end()) return memo->second;
    Result<std::string> r = metadata_uncached(f);
    metadata_memo.emplace(f.url, r);
    return r;
  }

  // Whether metadata(f) would fetch f's PEP 658 file over HTTP: nothing about it is cached.
  bool needs_metadata_fetch(const DistributionFile& f) {
    if (!f.core_metadata || is_file_url(f.url) || o.offline || metadata_memo.contains(f.url))
      return false;
    std::string url = f.url + ".metadata";
    if (prefetched_metadata.contains(url)) return false;
    std::string sha = sha256_of(f);
    if (cache && !sha.empty()) {
      if (cache->load_metadata(sha)) return false;
      if (f.filename.ends_with(".whl") && cache->artifact_path(sha)) return false;
    }
    if (cache) {
      std::optional<CachedResponse> c = cache->load_response(url, kMetadataVariant);
      if (c && c->status == 200) return false;
    }
    return true;
  }

  void prefetch_metadata(const std::vector<DistributionFile>& files) {
    std::vector<HttpRequest> requests;
    std::set<std::string> seen;
    for (const DistributionFile& f : files) {
      if (!needs_metadata_fetch(f)) continue;
      std::string url = f.url + ".metadata";
      if (!seen.insert(url).second) continue;
      HttpRequest req;
      req.url = url;
      requests.push_back(std::move(req));
    }
    if (requests.empty()) return;
    std::vector<Result<HttpResponse>> responses = http->get_all(requests);
    for (size_t i = 0; i < responses.size(); ++i)
      prefetched_metadata.emplace(requests[i].url, std::move(responses[i]));
    // Finish every file the index answered (hash check, cache) now: the next run then finds
    // it cached even if the resolver never asks for it in this one. Other outcomes wait for
    // metadata(), which may fall back to the wheel (a transfer this hint must not start).
    for (const DistributionFile& f : files) {
      auto pre = prefetched_metadata.find(f.url + ".metadata");
      if (pre != prefetched_metadata.end() && pre->second && pre->second->status == 200)
        (void)metadata(f);
    }
  }

  std::optional<std::string> cached_metadata(const DistributionFile& f) {
    auto text = [](const Result<std::string>& r) -> std::optional<std::string> {
      if (r) return *r;
      return std::nullopt;
    };
    if (auto memo = metadata_memo.find(f.url); memo != metadata_memo.end()) return text(memo->second);
    // Local files, and files whose PEP 658 answer is here: metadata() needs no transfer.
    if (is_file_url(f.url)) return text(metadata(f));
    std::string sha = sha256_of(f);
    if (cache && !sha.empty())
      if (auto m = cache->load_metadata(sha)) return m;
    auto pre = prefetched_metadata.find(f.url + ".metadata");
    if (pre != prefetched_metadata.end() && pre->second && pre->second->status == 200)
      return text(metadata(f));
    return std::nullopt;
  }

  Result<std::string> metadata_uncached(const DistributionFile& f) {
    std::string sha = sha256_of(f);
    if (cache && !sha.empty())
      if (auto m = cache->load_metadata(sha)) return *m;
    // A wheel already in the cache is cheaper to read than any round trip.
    bool cached_wheel = cache && !sha.empty() && f.filename.ends_with(".whl") &&
                        cache->artifact_path(sha).has_value();
    if (f.core_metadata && !cached_wheel) {
      Result<std::optional<std::string>> text = core_metadata_file(f);
      if (!text) return std::unexpected(text.error());
      if (*text) {
        if (cache && !sha.empty()) (void)cache->store_metadata(sha, **text);
        return **text;
      }
    }
    bool wheel = f.filename.ends_with(".whl");
    if (!wheel && !is_readable_sdist(f.filename))
      return fail(f.filename + ": the index serves no metadata file for it, and an sdist's "
                  "metadata needs a build");
    Result<std::filesystem::path> path = download(f);
    if (!path) return std::unexpected(path.error());
    Result<std::string> bytes = read_file(*path);
    if (!bytes) return std::unexpected(bytes.error());
    // An sdist's PKG-INFO stands in for it when PEP 643 says it is final (sdist_metadata.h).
    std::string project = normalize_name(f.filename.substr(0, f.filename.find('-')));
    Result<std::string> text =
        wheel ? wheel_metadata(*bytes, project) : sdist_metadata(*bytes, f.filename);
    if (!text && !wheel && o.sdist_metadata_builder) {
      // Not final under PEP 643 (a corrupt or unreadable sdist stays an error): ask the build
      // backend.
      Result<std::string> pkg_info = sdist_pkg_info(*bytes, f.filename);
      Result<CoreMetadata> md = pkg_info ? CoreMetadata::parse(*pkg_info, "PKG-INFO")
                                         : Result<CoreMetadata>(std::unexpected(pkg_info.error()));
      if (md && sdist_not_final_reason(*md)) {
        text = o.sdist_metadata_builder(*path, f);
        if (!text) return text;  // its message names the sdist already
      }
    }
    if (!text) return fail(f.filename + ": " + text.error().message);
    if (cache) (void)cache->store_metadata(sha.empty() ? sha256_hex(*bytes) : sha, *text);
    return *text;
  }
};

IndexSource::IndexSource(IndexSourceOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

IndexSource::~IndexSource() = default;

Result<ProjectPage> IndexSource::project(std::string_view normalized_name) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mu);
  std::string name(normalized_name);
  impl_->fetch_names({name});
  return impl_->assemble(name);
}

void IndexSource::prefetch(const std::vector<std::string>& normalized_names) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mu);
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const std::string& n : normalized_names)
    if (seen.insert(n).second) names.push_back(n);
  impl_->fetch_names(names);
}

Result<std::string> IndexSource::metadata(const DistributionFile& file) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mu);
  return impl_->metadata(file);
}

void IndexSource::prefetch_metadata(const std::vector<DistributionFile>& files) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mu);
  impl_->prefetch_metadata(files);
}

std::optional<std::string> IndexSource::cached_metadata(const DistributionFile& file) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mu);
  return impl_->cached_metadata(file);
}

Result<std::filesystem::path> IndexSource::download(const DistributionFile& file) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mu);
  return impl_->download(file);
}

std::vector<Result<std::filesystem::path>> IndexSource::download_all(
    const std::vector<DistributionFile>& files) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mu);
  return impl_->download_all(files);
}

std::vector<std::string> IndexSource::index_urls() const {
  std::vector<std::string> out;
  for (const std::string& u : impl_->indexes) out.push_back(redact_url(u));
  return out;
}

}  // namespace funcpack
