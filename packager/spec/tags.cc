#include "spec/tags.h"

#include <charconv>

#include "base/strings.h"

namespace funcpack {

std::string Tag::str() const { return interpreter + "-" + abi + "-" + platform; }

std::vector<Tag> expand_tag_set(std::string_view interpreters, std::string_view abis,
                                std::string_view platforms) {
  std::vector<Tag> out;
  for (std::string_view i : split(interpreters, '.'))
    for (std::string_view a : split(abis, '.'))
      for (std::string_view p : split(platforms, '.'))
        out.push_back(Tag{to_lower(i), to_lower(a), to_lower(p)});
  return out;
}

namespace {

// Reads a run of decimal digits at the front of `s` into `value` (which must fit an int);
// returns the number of characters consumed, 0 when there is no number.
size_t read_int(std::string_view s, int& value) {
  size_t n = 0;
  while (n < s.size() && is_ascii_digit(s[n])) ++n;
  if (n == 0) return 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + n, value);
  if (ec != std::errc() || ptr != s.data() + n) return 0;
  return n;
}

bool valid_arch(std::string_view arch) {
  if (arch.empty()) return false;
  for (char c : arch)
    if (!(is_ascii_digit(c) || (c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}

bool has_pre_2014_aliases(std::string_view arch) { return arch == "x86_64" || arch == "i686"; }

// "X_Y_<arch>" after a "manylinux_" or "musllinux_" prefix.
bool parse_versioned(std::string_view rest, int& major, int& minor, std::string& arch) {
  size_t n = read_int(rest, major);
  if (n == 0 || n >= rest.size() || rest[n] != '_') return false;
  rest.remove_prefix(n + 1);
  n = read_int(rest, minor);
  if (n == 0 || n >= rest.size() || rest[n] != '_') return false;
  rest.remove_prefix(n + 1);
  if (!valid_arch(rest)) return false;
  arch = std::string(rest);
  return true;
}

// The oldest glibc minor that has manylinux wheels for `arch` (packaging's
// _manylinux.platform_tags: 2.5 for x86_64/i686, 2.17 for the architectures PEP 599 added).
int oldest_glibc_minor(std::string_view arch) { return has_pre_2014_aliases(arch) ? 5 : 17; }

}  // namespace

std::optional<ManylinuxTag> parse_manylinux_tag(std::string_view platform) {
  constexpr std::string_view kPep600 = "manylinux_";
  if (platform.starts_with(kPep600)) {
    ManylinuxTag t{};
    if (!parse_versioned(platform.substr(kPep600.size()), t.glibc_major, t.glibc_minor, t.arch))
      return std::nullopt;
    return t;
  }
  struct Legacy {
    std::string_view prefix;
    int minor;
  };
  for (const Legacy& l : {Legacy{"manylinux2014_", 17}, Legacy{"manylinux2010_", 12},
                          Legacy{"manylinux1_", 5}}) {
    if (!platform.starts_with(l.prefix)) continue;
    std::string_view arch = platform.substr(l.prefix.size());
    if (!valid_arch(arch)) return std::nullopt;
    if (l.minor != 17 && !has_pre_2014_aliases(arch)) return std::nullopt;
    return ManylinuxTag{2, l.minor, std::string(arch)};
  }
  return std::nullopt;
}

std::optional<MusllinuxTag> parse_musllinux_tag(std::string_view platform) {
  constexpr std::string_view kPep656 = "musllinux_";
  if (!platform.starts_with(kPep656)) return std::nullopt;
  MusllinuxTag t{};
  if (!parse_versioned(platform.substr(kPep656.size()), t.musl_major, t.musl_minor, t.arch))
    return std::nullopt;
  return t;
}

std::optional<std::string> manylinux_legacy_alias(int glibc_minor, std::string_view arch) {
  switch (glibc_minor) {
    case 17:
      return "manylinux2014_" + std::string(arch);
    case 12:
      if (has_pre_2014_aliases(arch)) return "manylinux2010_" + std::string(arch);
      return std::nullopt;
    case 5:
      if (has_pre_2014_aliases(arch)) return "manylinux1_" + std::string(arch);
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::vector<std::string> linux_platform_tags(std::string_view arch, int glibc_major,
                                             int glibc_minor, bool allow_linux_tag) {
  std::vector<std::string> out;
  if (glibc_major == 2) {
    for (int minor = glibc_minor; minor >= oldest_glibc_minor(arch); --minor) {
      out.push_back("manylinux_2_" + std::to_string(minor) + "_" + std::string(arch));
      if (auto alias = manylinux_legacy_alias(minor, arch)) out.push_back(std::move(*alias));
    }
  }
  if (allow_linux_tag) out.push_back("linux_" + std::string(arch));
  return out;
}

std::vector<Tag> cpython_compatible_tags(int python_major, int python_minor,
                                         const std::vector<std::string>& platforms) {
  std::vector<Tag> out;
  const std::string major = std::to_string(python_major);
  const std::string cp = "cp" + major + std::to_string(python_minor);
  auto add_all = [&](const std::string& interpreter, const std::string& abi) {
    for (const std::string& p : platforms) out.push_back(Tag{interpreter, abi, p});
  };
  // Interpreter-specific tags (packaging's cpython_tags): own ABI, abi3, none, then the
  // stable ABI of every older 3.x down to 3.2, the first version that had abi3.
  add_all(cp, cp);
  const bool abi3 = python_major == 3 && python_minor >= 2;
  if (abi3) add_all(cp, "abi3");
  add_all(cp, "none");
  if (abi3)
    for (int m = python_minor - 1; m >= 2; --m) add_all("cp3" + std::to_string(m), "abi3");
  // Generic tags (packaging's compatible_tags): pyXY, pyX, then pyX(Y-1) ... pyX0.
  std::vector<std::string> py;
  py.push_back("py" + major + std::to_string(python_minor));
  py.push_back("py" + major);
  for (int m = python_minor - 1; m >= 0; --m) py.push_back("py" + major + std::to_string(m));
  for (const std::string& v : py) add_all(v, "none");
  out.push_back(Tag{cp, "none", "any"});
  for (const std::string& v : py) out.push_back(Tag{v, "none", "any"});
  return out;
}

TagPriority::TagPriority(std::vector<Tag> ordered) : ordered_(std::move(ordered)) {
  rank_.reserve(ordered_.size());
  for (size_t i = 0; i < ordered_.size(); ++i) rank_.emplace(ordered_[i].str(), i);
}

std::optional<size_t> TagPriority::rank(const Tag& tag) const {
  auto it = rank_.find(tag.str());
  if (it == rank_.end()) return std::nullopt;
  return it->second;
}

std::optional<size_t> TagPriority::best_rank(const std::vector<Tag>& tags) const {
  std::optional<size_t> best;
  for (const Tag& t : tags) {
    auto r = rank(t);
    if (r && (!best || *r < *best)) best = r;
  }
  return best;
}

}  // namespace funcpack
