#include "spec/wheel_filename.h"

#include <charconv>

#include "base/strings.h"
#include "spec/package_name.h"

namespace funcpack {

namespace {

// An Error for `filename` whose caret covers [begin, end) (0-based offsets into filename).
std::unexpected<Error> bad(std::string_view kind, std::string_view filename, std::string reason,
                           size_t begin, size_t end) {
  Location loc;
  loc.column = static_cast<int>(begin) + 1;
  loc.end_column = static_cast<int>(end) + 1;
  return fail("invalid " + std::string(kind) + " filename '" + std::string(filename) +
                  "': " + std::move(reason),
              std::move(loc));
}

// The name part of a wheel filename: runs of ASCII letters/digits joined by '_' or '.'
// (the binary distribution format escapes every other character to '_'). packaging also
// rejects "__", which an escaped name never contains.
bool valid_wheel_name(std::string_view name) {
  if (name.empty()) return false;
  if (name.find("__") != std::string_view::npos) return false;
  for (char c : name)
    if (!(is_ascii_alnum(c) || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace

Result<WheelFilename> WheelFilename::parse(std::string_view filename) {
  constexpr std::string_view kKind = "wheel";
  constexpr std::string_view kExt = ".whl";
  if (!filename.ends_with(kExt))
    return bad(kKind, filename, "extension must be '.whl'", 0, filename.size());
  const std::string_view stem = filename.substr(0, filename.size() - kExt.size());

  // Split on '-' keeping each part's offset for error columns.
  std::vector<std::pair<size_t, std::string_view>> parts;
  size_t start = 0;
  for (size_t i = 0; i <= stem.size(); ++i) {
    if (i == stem.size() || stem[i] == '-') {
      parts.emplace_back(start, stem.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 5 && parts.size() != 6)
    return bad(kKind, filename,
               "expected {name}-{version}[-{build tag}]-{python tag}-{abi tag}-{platform "
               "tag}.whl",
               0, filename.size());

  auto span_of = [&](size_t i) {
    return std::pair<size_t, size_t>{parts[i].first, parts[i].first + parts[i].second.size()};
  };

  WheelFilename out;
  {
    auto [b, e] = span_of(0);
    if (!valid_wheel_name(parts[0].second))
      return bad(kKind, filename,
                 "invalid project name '" + std::string(parts[0].second) + "'", b, e);
    out.name = std::string(parts[0].second);
  }
  {
    auto [b, e] = span_of(1);
    auto v = Version::parse(parts[1].second);
    if (!v)
      return bad(kKind, filename, "invalid version '" + std::string(parts[1].second) + "'", b,
                 e);
    out.version = std::move(*v);
  }
  size_t next = 2;
  if (parts.size() == 6) {
    auto [b, e] = span_of(2);
    std::string_view build = parts[2].second;
    size_t digits = 0;
    while (digits < build.size() && is_ascii_digit(build[digits])) ++digits;
    if (digits == 0)
      return bad(kKind, filename,
                 "build tag '" + std::string(build) + "' must start with a digit", b, e);
    uint64_t number = 0;
    auto [ptr, ec] = std::from_chars(build.data(), build.data() + digits, number);
    if (ec != std::errc() || ptr != build.data() + digits)
      return bad(kKind, filename,
                 "build number in '" + std::string(build) + "' is too large", b, e);
    out.build.emplace(number, std::string(build.substr(digits)));
    next = 3;
  }
  for (size_t i = next; i < parts.size(); ++i) {
    std::string_view part = parts[i].second;
    for (std::string_view piece : split(part, '.')) {
      if (piece.empty()) {
        auto [b, e] = span_of(i);
        return bad(kKind, filename, "empty tag in '" + std::string(part) + "'", b, e);
      }
    }
  }
  out.tags = expand_tag_set(parts[next].second, parts[next + 1].second, parts[next + 2].second);
  return out;
}

Result<SdistFilename> SdistFilename::parse(std::string_view filename, std::string_view project) {
  constexpr std::string_view kKind = "sdist";
  std::string_view ext;
  for (std::string_view candidate : {std::string_view(".tar.gz"), std::string_view(".zip")}) {
    if (filename.ends_with(candidate)) {
      ext = candidate;
      break;
    }
  }
  if (ext.empty())
    return bad(kKind, filename, "extension must be '.tar.gz' or '.zip'", 0, filename.size());
  const std::string_view stem = filename.substr(0, filename.size() - ext.size());
  const std::string want = normalize_name(project);

  // Try every '-' as the name/version boundary: the name matches the project after
  // normalisation and the rest is a version. The first such split wins; a split whose name
  // matches but whose version does not parse is remembered for the error message.
  std::optional<size_t> name_matched_at;
  for (size_t i = 0; i < stem.size(); ++i) {
    if (stem[i] != '-') continue;
    std::string_view name = stem.substr(0, i);
    if (name.empty() || normalize_name(name) != want) continue;
    std::string_view version = stem.substr(i + 1);
    auto v = Version::parse(version);
    if (!v) {
      if (!name_matched_at) name_matched_at = i;
      continue;
    }
    SdistFilename out;
    out.name = std::string(name);
    out.version = std::move(*v);
    out.extension = std::string(ext);
    return out;
  }
  if (name_matched_at) {
    size_t b = *name_matched_at + 1;
    return bad(kKind, filename,
               "invalid version '" + std::string(stem.substr(b)) + "'", b, stem.size());
  }
  return bad(kKind, filename, "name does not match project '" + std::string(project) + "'", 0,
             stem.size());
}

}  // namespace funcpack
