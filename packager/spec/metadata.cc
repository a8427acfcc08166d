#include "spec/metadata.h"

#include <algorithm>
#include <array>

#include "base/strings.h"
#include "spec/package_name.h"

namespace funcpack {

namespace {

// Where the bytes of a field's value came from, so a column a sub-parser reports inside the
// value can be mapped back to the file's line and column across folded lines.
struct Segment {
  size_t value_offset;  // offset in the unfolded value where this piece starts
  int line;             // 1-based file line
  int column;           // 1-based column of the piece's first byte in that line
};

struct RawField {
  std::string name;
  std::string value;
  int line = 0;
  int name_end_column = 0;  // 1-based column just after the field name
  std::vector<Segment> segments;
};

bool is_free_text(std::string_view field) {
  return iequals(field, "Description") || iequals(field, "License");
}

// RFC 5322 field name characters: printable ASCII except ':' (and, strictly, not space).
bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == ':') return false;
  }
  return true;
}

Location at(std::string_view path, int line, int column, int end_column = 0) {
  Location loc;
  loc.path = std::string(path);
  loc.line = line;
  loc.column = column;
  loc.end_column = end_column;
  return loc;
}

// Maps a 0-based offset in the field's unfolded value to a file location.
std::pair<int, int> map_offset(const RawField& f, size_t offset) {
  const Segment* best = &f.segments.front();
  for (const Segment& s : f.segments)
    if (s.value_offset <= offset) best = &s;
  return {best->line, best->column + static_cast<int>(offset - best->value_offset)};
}

// An Error for field `f`, prefixed "field 'NAME': ", located at the sub-parser's 1-based
// [column, end_column) within the value (whole value when unknown).
std::unexpected<Error> field_error(std::string_view path, const RawField& f,
                                   const std::string& message, int column = 0,
                                   int end_column = 0) {
  size_t begin = column > 0 ? static_cast<size_t>(column - 1) : 0;
  size_t end = end_column > 0 ? static_cast<size_t>(end_column - 1) : f.value.size();
  begin = std::min(begin, f.value.size());
  end = std::max(begin, std::min(end, f.value.size()));
  auto [line, col] = map_offset(f, begin);
  auto [end_line, end_col] = map_offset(f, end);
  int end_c = end_line == line && end > begin ? end_col : 0;
  return fail("field '" + f.name + "': " + message, at(path, line, col, end_c));
}

bool supported_metadata_version(std::string_view v) {
  if (v == "1.0" || v == "1.1" || v == "1.2") return true;
  if (!v.starts_with("2.") || v.size() == 2) return false;
  for (char c : v.substr(2))
    if (!is_ascii_digit(c)) return false;
  return true;
}

}  // namespace

Result<CoreMetadata> CoreMetadata::parse(std::string_view text, std::string_view path) {
  std::vector<RawField> raw;
  CoreMetadata out;

  // Pass 1: split into header fields (with folding) and the body.
  size_t pos = 0;
  int line_no = 0;
  bool in_body = false;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    const size_t line_end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, line_end - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    ++line_no;
    if (line.empty()) {
      in_body = true;
      pos = next;
      break;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (raw.empty())
        return fail("continuation line before any field", at(path, line_no, 1));
      RawField& f = raw.back();
      if (is_free_text(f.name)) {
        f.value += '\n';
        f.segments.push_back(Segment{f.value.size(), line_no, 1});
        f.value += line;
      } else {
        // RFC 822 unfolding: drop the line break, keep the whitespace.
        f.segments.push_back(Segment{f.value.size(), line_no, 1});
        f.value += line;
      }
      pos = next;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return fail("malformed header line (expected 'Field: value')",
                  at(path, line_no, 1, static_cast<int>(line.size()) + 1));
    std::string_view name = line.substr(0, colon);
    if (!valid_field_name(name))
      return fail("invalid field name '" + std::string(name) + "'",
                  at(path, line_no, 1, static_cast<int>(colon) + 1));
    size_t value_start = colon + 1;
    if (value_start < line.size() && (line[value_start] == ' ' || line[value_start] == '\t'))
      ++value_start;
    RawField f;
    f.name = std::string(name);
    f.line = line_no;
    f.name_end_column = static_cast<int>(colon) + 1;
    f.value = std::string(line.substr(value_start));
    f.segments.push_back(Segment{0, line_no, static_cast<int>(value_start) + 1});
    raw.push_back(std::move(f));
    pos = next;
  }
  if (in_body) out.body = std::string(text.substr(pos));

  // Pass 2: single-use fields must not repeat.
  constexpr std::array<std::string_view, 5> kSingle = {"Metadata-Version", "Name", "Version",
                                                       "Summary", "Requires-Python"};
  for (std::string_view single : kSingle) {
    const RawField* first = nullptr;
    for (const RawField& f : raw) {
      if (!iequals(f.name, single)) continue;
      if (first)
        return fail("duplicate field '" + std::string(single) + "' (first at line " +
                        std::to_string(first->line) + ")",
                    at(path, f.line, 1, f.name_end_column));
      first = &f;
    }
  }
  auto find = [&](std::string_view field) -> const RawField* {
    for (const RawField& f : raw)
      if (iequals(f.name, field)) return &f;
    return nullptr;
  };
  for (std::string_view required : {"Metadata-Version", "Name", "Version"})
    if (!find(required))
      return fail("missing required field '" + std::string(required) + "'", at(path, 0, 0));

  // Pass 3: validate the fields we understand, in file order so the first error reported is
  // the first in the file.
  for (const RawField& f : raw) {
    std::string_view value = trim(f.value);
    // Offset of the trimmed value inside f.value, for column mapping.
    size_t lead = static_cast<size_t>(value.data() - f.value.data());
    auto sub_error = [&](const Error& e) {
      int col = e.location.column > 0 ? e.location.column + static_cast<int>(lead) : 0;
      int end = e.location.end_column > 0 ? e.location.end_column + static_cast<int>(lead) : 0;
      return field_error(path, f, e.message, col, end);
    };
    auto whole = [&](const std::string& message) {
      return field_error(path, f, message, static_cast<int>(lead) + 1,
                         static_cast<int>(lead + value.size()) + 1);
    };
    if (iequals(f.name, "Metadata-Version")) {
      if (!supported_metadata_version(value))
        return whole("unsupported version '" + std::string(value) +
                     "' (expected 1.0, 1.1, 1.2 or 2.x)");
      out.metadata_version = std::string(value);
    } else if (iequals(f.name, "Name")) {
      if (!is_valid_name(value)) return whole("invalid project name '" + std::string(value) + "'");
      out.name = std::string(value);
    } else if (iequals(f.name, "Version")) {
      auto v = Version::parse(value);
      if (!v) return sub_error(v.error());
      out.version = std::move(*v);
    } else if (iequals(f.name, "Summary")) {
      out.summary = std::string(value);
    } else if (iequals(f.name, "Requires-Python")) {
      auto s = SpecifierSet::parse(value);
      if (!s) return sub_error(s.error());
      out.requires_python = std::move(*s);
      out.requires_python_text = std::string(value);
    } else if (iequals(f.name, "Requires-Dist")) {
      auto r = Requirement::parse(value);
      if (!r) return sub_error(r.error());
      out.requires_dist.push_back(std::move(*r));
    } else if (iequals(f.name, "Provides-Extra")) {
      if (!is_valid_name(value)) return whole("invalid extra name '" + std::string(value) + "'");
      out.provides_extra.emplace_back(value);
    } else if (iequals(f.name, "Dynamic")) {
      if (!valid_field_name(value)) return whole("invalid field name '" + std::string(value) + "'");
      for (std::string_view fixed : {"Name", "Version", "Metadata-Version"})
        if (iequals(value, fixed)) return whole("'" + std::string(value) + "' cannot be dynamic");
      out.dynamic.emplace_back(value);
    }
  }
  for (RawField& f : raw)
    out.fields.push_back(MetadataField{std::move(f.name), std::move(f.value), f.line});
  return out;
}

std::vector<std::string> CoreMetadata::get_all(std::string_view field) const {
  std::vector<std::string> out;
  for (const MetadataField& f : fields)
    if (iequals(f.name, field)) out.push_back(f.value);
  return out;
}

std::string CoreMetadata::description() const {
  if (!body.empty()) return body;
  for (const MetadataField& f : fields)
    if (iequals(f.name, "Description")) return f.value;
  return {};
}

}  // namespace funcpack
