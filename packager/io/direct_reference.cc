#include "io/direct_reference.h"

#include <algorithm>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "inputs/pyproject_metadata.h"
#include "io/sdist_metadata.h"
#include "io/url.h"
#include "io/wheel_metadata.h"
#include "spec/metadata.h"
#include "spec/package_name.h"
#include "spec/tags.h"
#include "spec/wheel_filename.h"

namespace funcpack {

namespace fs = std::filesystem;

namespace {

bool is_archive_name(std::string_view filename) {
  return filename.ends_with(".whl") || is_readable_sdist(filename);
}

// "key=value&key=value" of a URL fragment (#egg=, #subdirectory=, #sha256=).
std::map<std::string, std::string> fragment_params(std::string_view fragment) {
  std::map<std::string, std::string> out;
  for (auto part : split(fragment, '&')) {
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(part.substr(0, eq)), percent_decode(part.substr(eq + 1)));
  }
  return out;
}

// The expected sha256 from --hash lines and a #sha256= fragment.
Result<std::map<std::string, std::string>> expected_sha256(const RequirementEntry& e,
                                                            const std::map<std::string, std::string>& params) {
  std::map<std::string, std::string> out;
  std::vector<std::string> other;
  auto add = [&](std::string algo, std::string hex) -> Result<void> {
    algo = to_lower(algo);
    hex = to_lower(hex);
    if (algo != "sha256") {
      other.push_back(algo);
      return {};
    }
    auto [it, fresh] = out.emplace("sha256", hex);
    if (!fresh && it->second != hex) return fail("two different sha256 hashes");
    return {};
  };
  for (const auto& h : e.hashes) {
    size_t colon = h.find(':');
    if (colon == std::string::npos) continue;  // the parser reports malformed --hash values
    if (auto ok = add(h.substr(0, colon), h.substr(colon + 1)); !ok) return std::unexpected(ok.error());
  }
  for (const char* algo : {"sha256", "sha384", "sha512", "md5", "sha1", "sha224"}) {
    auto it = params.find(algo);
    if (it != params.end())
      if (auto ok = add(algo, it->second); !ok) return std::unexpected(ok.error());
  }
  if (out.empty() && !other.empty())
    return fail("--hash=" + other.front() + ":... is not checked by funcpack (sha256 only)");
  return out;
}

Error at_entry(const RequirementEntry& e, const std::string& message) {
  return Error{message, e.location};
}

// Fills a local (path) reference: a directory or an archive.
Result<void> local_target(const fs::path& path, DirectReference& ref, const std::string& shown) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    ref.origin.kind = DirectOrigin::Kind::kDirectory;
    ref.origin.path = path;
    ref.url = path_to_file_url(path);
    return {};
  }
  if (!fs::exists(path, ec)) return fail(shown + " does not exist");
  ref.filename = path.filename().string();
  if (!is_archive_name(ref.filename))
    return fail("'" + shown + "' is not a wheel, an sdist (.tar.gz, .zip) or a directory");
  ref.origin.kind = DirectOrigin::Kind::kArchive;
  ref.origin.path = path;
  ref.url = path_to_file_url(path);
  return {};
}

// "NAME VERSION" of a metadata text, checked against the name the reference gives.
Result<void> check_names(const DirectReference& ref, const std::string& metadata) {
  auto md = CoreMetadata::parse(metadata, "METADATA");
  if (!md) return fail(redact_url(ref.url) + ": " + md.error().message);
  if (!ref.name.empty() && normalize_name(md->name) != ref.name)
    return fail(redact_url(ref.url) + " is " + md->name + " " + md->version.str() + ", not " +
                ref.name);
  return {};
}

}  // namespace

Result<DirectReference> parse_direct_reference(const RequirementEntry& e, const fs::path& base_dir) {
  DirectReference ref;
  if (!e.req.name.empty()) ref.name = normalize_name(e.req.name);
  ref.origin.editable = e.editable;
  std::string url = e.url;
  std::map<std::string, std::string> params;
  if (size_t hash = url.find('#'); hash != std::string::npos && e.form != RequirementEntry::Form::kLocalPath) {
    params = fragment_params(std::string_view(url).substr(hash + 1));
    url.erase(hash);
  }
  if (auto it = params.find("subdirectory"); it != params.end()) {
    std::string sub = it->second;
    while (sub.ends_with("/")) sub.pop_back();
    fs::path p(sub);
    bool bad = sub.empty() || p.is_absolute();
    for (const auto& part : p) bad = bad || part == "..";
    if (bad) return std::unexpected(at_entry(e, "#subdirectory='" + it->second + "' must be a relative path inside the project"));
    ref.origin.subdirectory = p.lexically_normal().generic_string();
  }
  auto hashes = expected_sha256(e, params);
  if (!hashes) return std::unexpected(at_entry(e, hashes.error().message));
  ref.sha256 = std::move(*hashes);

  switch (e.form) {
    case RequirementEntry::Form::kVcs: {
      if (!url.starts_with("git+"))
        return std::unexpected(at_entry(e, "only git repositories are supported (hg+/svn+/bzr+ need "
                                           "their own tools)"));
      auto parts = parse_url(std::string_view(url).substr(4));
      if (!parts) return std::unexpected(at_entry(e, "'" + redact_url(url) + "' is not a URL"));
      ref.origin.kind = DirectOrigin::Kind::kVcs;
      ref.origin.requested_revision = e.vcs_revision;
      if (!e.vcs_revision.empty() && parts->path.ends_with("@" + e.vcs_revision))
        parts->path.erase(parts->path.size() - e.vcs_revision.size() - 1);
      parts->fragment.reset();
      ref.fetch_url = parts->str();
      ref.origin.url = strip_credentials(ref.fetch_url);
      ref.url = "git+" + ref.origin.url + (e.vcs_revision.empty() ? "" : "@" + e.vcs_revision);
      if (!ref.sha256.empty())
        return std::unexpected(at_entry(e, "a git requirement cannot have a hash (the commit id pins it)"));
      return ref;
    }
    case RequirementEntry::Form::kUrl: {
      if (is_file_url(url)) {
        auto path = file_url_to_path(url);
        if (!path) return std::unexpected(at_entry(e, "unsupported file URL '" + url + "'"));
        if (auto ok = local_target(*path, ref, url); !ok) return std::unexpected(at_entry(e, ok.error().message));
        break;
      }
      ref.filename = url_filename(url);
      if (!is_archive_name(ref.filename))
        return std::unexpected(at_entry(e, "'" + redact_url(url) +
                                               "' is not a wheel, an sdist (.tar.gz, .zip) or a directory"));
      ref.origin.kind = DirectOrigin::Kind::kArchive;
      ref.fetch_url = url;
      ref.origin.url = strip_credentials(url);
      ref.url = ref.origin.url;
      break;
    }
    case RequirementEntry::Form::kLocalPath: {
      fs::path p(url);
      if (p.is_relative()) p = base_dir / p;
      p = fs::absolute(p).lexically_normal();
      if (p.has_filename() == false) p = p.parent_path();
      if (auto ok = local_target(p, ref, url); !ok) return std::unexpected(at_entry(e, ok.error().message));
      break;
    }
    case RequirementEntry::Form::kNamed:
      return std::unexpected(at_entry(e, "not a URL, VCS or path requirement"));
  }
  if (ref.origin.kind == DirectOrigin::Kind::kDirectory && !ref.sha256.empty())
    return std::unexpected(at_entry(e, "a directory cannot have a hash (pip refuses it too)"));
  if (ref.origin.kind == DirectOrigin::Kind::kArchive && ref.name.empty() &&
      ref.filename.ends_with(".whl")) {
    if (auto wf = WheelFilename::parse(ref.filename)) ref.name = normalize_name(wf->name);
  }
  return ref;
}

std::string source_tree_url(const DirectOrigin& o) {
  std::string url = o.kind == DirectOrigin::Kind::kVcs ? "git+" + o.url + "@" + o.commit_id
                                                       : path_to_file_url(o.path);
  return o.subdirectory.empty() ? url : url + "#subdirectory=" + o.subdirectory;
}

std::map<std::string, std::string> fetch_urls_by_origin(const RequirementsFile& file) {
  std::map<std::string, std::string> out;
  const fs::path base_dir = file.files.empty() ? fs::path(".") : file.files.front().parent_path();
  for (const auto& e : file.entries) {
    if (e.form == RequirementEntry::Form::kNamed || e.kind == RequirementEntry::Kind::kConstraint)
      continue;
    auto ref = parse_direct_reference(e, base_dir);
    if (ref && !ref->fetch_url.empty() && ref->fetch_url != ref->origin.url)
      out.emplace(ref->origin.url, ref->fetch_url);
  }
  return out;
}

DirectReference locked_reference(const DirectOrigin& origin, const DistributionFile& file,
                                 const std::string& name,
                                 const std::map<std::string, std::string>& fetch_urls) {
  DirectReference ref;
  ref.origin = origin;
  ref.name = name;
  ref.filename = file.filename;
  ref.url = file.url;
  if (auto it = file.hashes.find("sha256"); it != file.hashes.end()) ref.sha256["sha256"] = it->second;
  if (auto it = fetch_urls.find(origin.url); it != fetch_urls.end()) ref.fetch_url = it->second;
  return ref;
}

DirectFetcher::DirectFetcher(IndexSource& source, const GitCheckouts& git, fs::path work_dir)
    : source_(source), git_(git), work_dir_(std::move(work_dir)) {}

Result<FetchedReference> DirectFetcher::fetch(const DirectReference& ref, const Target& target,
                                              bool want_metadata) {
  FetchedReference out;
  out.ref = ref;
  const std::string shown = redact_url(ref.url);
  DirectOrigin& o = out.ref.origin;

  if (o.kind == DirectOrigin::Kind::kArchive) {
    DistributionFile f;
    f.filename = ref.filename;
    f.url = o.path.empty() ? (ref.fetch_url.empty() ? o.url : ref.fetch_url) : path_to_file_url(o.path);
    f.hashes = ref.sha256;
    auto local = source_.download(f);
    if (!local) return std::unexpected(local.error());
    auto bytes = read_file(*local);
    if (!bytes) return std::unexpected(bytes.error());
    f.url = o.path.empty() ? o.url : f.url;  // never keep credentials
    f.hashes["sha256"] = sha256_hex(*bytes);
    f.size = bytes->size();
    out.local = *local;
    out.file = f;
    out.is_wheel = ref.filename.ends_with(".whl");
    if (out.is_wheel) {
      auto wf = WheelFilename::parse(ref.filename);
      if (!wf) return fail(shown + ": " + wf.error().message);
      TagPriority priority(target.compatible_tags());
      if (!priority.best_rank(wf->tags)) {
        std::vector<std::string> tags;
        for (const auto& t : wf->tags) tags.push_back(t.str());
        return fail(ref.filename + " does not run on the target (CPython " +
                    target.python_version() + ", manylinux_" + std::to_string(target.glibc_major) +
                    "_" + std::to_string(target.glibc_minor) + " " + target.machine + "; its tags: " +
                    join(tags, ", ") + ")");
      }
      if (want_metadata) {
        auto md = wheel_metadata(*bytes, normalize_name(wf->name));
        if (!md) return fail(ref.filename + ": " + md.error().message);
        out.metadata = std::move(*md);
      }
    } else if (want_metadata) {
      auto pkg_info = sdist_pkg_info(*bytes, ref.filename);
      if (!pkg_info) return fail(ref.filename + ": " + pkg_info.error().message);
      auto md = CoreMetadata::parse(*pkg_info, "PKG-INFO");
      if (!md) return fail(ref.filename + ": PKG-INFO: " + md.error().message);
      if (auto why = sdist_not_final_reason(*md))
        out.needs_build = *why;
      else
        out.metadata = std::move(*pkg_info);
    }
  } else {
    fs::path tree;
    if (o.kind == DirectOrigin::Kind::kVcs) {
      const std::string& url = ref.fetch_url.empty() ? o.url : ref.fetch_url;
      if (o.commit_id.empty()) {
        auto commit = git_.resolve(url, o.requested_revision);
        if (!commit) return std::unexpected(commit.error());
        o.commit_id = *commit;
      }
      tree = work_dir_ / ("checkout-" + std::to_string(++checkouts_));
      if (auto ok = git_.checkout(url, o.commit_id, tree); !ok) return std::unexpected(ok.error());
    } else {
      tree = o.path;
    }
    out.file.url = source_tree_url(o);
    out.local = o.subdirectory.empty() ? tree : tree / o.subdirectory;
    std::error_code ec;
    const bool has_pyproject = fs::is_regular_file(out.local / "pyproject.toml", ec);
    if (!has_pyproject && !fs::is_regular_file(out.local / "setup.py", ec))
      return fail(redact_url(out.file.url) + ": no pyproject.toml or setup.py in " +
                  (o.subdirectory.empty() ? std::string("the project") : "'" + o.subdirectory + "'"));
    if (want_metadata) {
      if (!has_pyproject) {
        out.needs_build = "a setup.py project declares its metadata only when it is built";
      } else {
        // A checkout's path is a temporary directory: locations name the repository instead.
        fs::path file = out.local / "pyproject.toml";
        std::string shown_file = o.kind == DirectOrigin::Kind::kVcs
                                     ? "git+" + redact_url(o.url) + "@" + o.commit_id + "/" +
                                           (o.subdirectory.empty() ? "" : o.subdirectory + "/") +
                                           "pyproject.toml"
                                     : file.string();
        auto text = read_file(file);
        if (!text) return std::unexpected(text.error());
        auto md = parse_pyproject_metadata(*text, shown_file);
        if (!md) {
          const Error& err = md.error();
          return fail((err.location.str().empty() ? "" : err.location.str() + ": ") + err.message);
        }
        if (const auto* st = std::get_if<StaticMetadata>(&*md))
          out.metadata = st->core_metadata;
        else
          out.needs_build = "pyproject.toml: " + std::get<NotStatic>(*md).message;
      }
    }
  }
  if (!out.metadata.empty())
    if (auto ok = check_names(out.ref, out.metadata); !ok) return std::unexpected(ok.error());
  return out;
}

}  // namespace funcpack
