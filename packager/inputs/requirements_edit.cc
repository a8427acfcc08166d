#include "inputs/requirements_edit.h"

#include <sys/stat.h>

#include <algorithm>

#include "base/fs.h"

namespace funcpack {

Result<RequirementsEditor> RequirementsEditor::load(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error());
  return RequirementsEditor(std::move(*text), path);
}

RequirementsEditor::RequirementsEditor(std::string text, std::filesystem::path path)
    : path_(std::move(path)), text_(std::move(text)) {
  size_t pos = 0;
  bool eol_known = false;
  while (pos < text_.size()) {
    size_t nl = text_.find('\n', pos);
    Line l;
    l.begin = pos;
    if (nl == std::string::npos) {
      l.length = text_.size() - pos;
      pos = text_.size();
    } else {
      l.length = nl - pos;
      l.eol_len = 1;
      if (l.length > 0 && text_[nl - 1] == '\r') {
        --l.length;
        l.eol_len = 2;
      }
      if (!eol_known) {
        eol_ = l.eol_len == 2 ? "\r\n" : "\n";
        eol_known = true;
      }
      pos = nl + 1;
    }
    lines_.push_back(l);
  }
}

std::string_view RequirementsEditor::line(int line) const {
  if (line < 1 || line > line_count()) return {};
  const Line& l = lines_[static_cast<size_t>(line - 1)];
  return std::string_view(text_).substr(l.begin, l.length);
}

Location RequirementsEditor::where(int line, int column) const {
  Location loc;
  loc.path = path_.string();
  loc.line = line;
  loc.column = column;
  return loc;
}

Result<void> RequirementsEditor::check_overlap(const Edit& e) const {
  using K = Edit::Kind;
  for (const Edit& o : edits_) {
    if (e.kind == K::kInsertAfter || o.kind == K::kInsertAfter) continue;
    int a1 = e.line, a2 = e.kind == K::kDeleteLines ? e.last_line : e.line;
    int b1 = o.line, b2 = o.kind == K::kDeleteLines ? o.last_line : o.line;
    if (a2 < b1 || b2 < a1) continue;
    // Same line(s): two span replacements may coexist when their spans are disjoint (an
    // insertion at a point is allowed next to, not inside, another span).
    if (e.kind == K::kReplace && o.kind == K::kReplace) {
      bool disjoint = e.end_column <= o.column || o.end_column <= e.column;
      bool same_point = e.column == e.end_column && o.column == o.end_column &&
                        e.column == o.column;
      if (disjoint && !same_point) continue;
    }
    return fail("edit overlaps an earlier edit", where(e.line, e.column));
  }
  return {};
}

Result<void> RequirementsEditor::replace(int line, int column, int end_column,
                                         std::string_view text) {
  if (line < 1 || line > line_count())
    return fail("edit out of range (the file has " + std::to_string(line_count()) + " lines)",
                where(line, column));
  const Line& l = lines_[static_cast<size_t>(line - 1)];
  if (column < 1 || end_column < column || static_cast<size_t>(end_column) > l.length + 1)
    return fail("edit out of range (columns " + std::to_string(column) + "-" +
                    std::to_string(end_column) + " on a line of " + std::to_string(l.length) +
                    " bytes)",
                where(line, column));
  Edit e;
  e.kind = Edit::Kind::kReplace;
  e.line = line;
  e.column = column;
  e.end_column = end_column;
  e.text = std::string(text);
  e.order = edits_.size();
  if (auto ok = check_overlap(e); !ok) return ok;
  edits_.push_back(std::move(e));
  return {};
}

Result<void> RequirementsEditor::replace_line(int line, std::string_view content) {
  if (line < 1 || line > line_count())
    return fail("edit out of range (the file has " + std::to_string(line_count()) + " lines)",
                where(line));
  return replace(line, 1, static_cast<int>(lines_[static_cast<size_t>(line - 1)].length) + 1,
                 content);
}

Result<int> RequirementsEditor::delete_entry(int line) {
  if (line < 1 || line > line_count())
    return fail("edit out of range (the file has " + std::to_string(line_count()) + " lines)",
                where(line));
  // pip joins a line ending in '\' with the next, except comment-only lines.
  auto continues = [&](int n) {
    std::string_view c = this->line(n);
    size_t first = c.find_first_not_of(" \t");
    if (first != std::string_view::npos && c[first] == '#') return false;
    return !c.empty() && c.back() == '\\';
  };
  int last = line;
  while (last < line_count() && continues(last)) ++last;
  Edit e;
  e.kind = Edit::Kind::kDeleteLines;
  e.line = line;
  e.last_line = last;
  e.order = edits_.size();
  if (auto ok = check_overlap(e); !ok) return std::unexpected(ok.error());
  edits_.push_back(std::move(e));
  return last - line + 1;
}

Result<void> RequirementsEditor::insert_after(int line, std::string_view content) {
  if (line < 0 || line > line_count())
    return fail("edit out of range (the file has " + std::to_string(line_count()) + " lines)",
                where(line));
  Edit e;
  e.kind = Edit::Kind::kInsertAfter;
  e.line = line;
  e.text = std::string(content);
  e.order = edits_.size();
  edits_.push_back(std::move(e));
  return {};
}

std::string RequirementsEditor::render() const {
  using K = Edit::Kind;
  std::vector<bool> deleted(lines_.size() + 1, false);
  std::vector<std::vector<const Edit*>> replaces(lines_.size() + 1);
  std::vector<std::vector<const Edit*>> inserts(lines_.size() + 1);
  for (const Edit& e : edits_) {
    if (e.kind == K::kDeleteLines) {
      for (int n = e.line; n <= e.last_line; ++n) deleted[static_cast<size_t>(n)] = true;
    } else if (e.kind == K::kReplace) {
      replaces[static_cast<size_t>(e.line)].push_back(&e);
    } else {
      inserts[static_cast<size_t>(e.line)].push_back(&e);
    }
  }
  for (auto& v : replaces)
    std::sort(v.begin(), v.end(), [](const Edit* a, const Edit* b) {
      return a->column != b->column ? a->column < b->column : a->order < b->order;
    });
  // Inserts keep call order (edits_ is already in call order).

  struct Out {
    std::string content;
    std::string eol;
  };
  std::vector<Out> out;
  auto emit_inserts = [&](int after) {
    for (const Edit* e : inserts[static_cast<size_t>(after)]) out.push_back({e->text, eol_});
  };
  emit_inserts(0);
  for (int n = 1; n <= line_count(); ++n) {
    const Line& l = lines_[static_cast<size_t>(n - 1)];
    if (!deleted[static_cast<size_t>(n)]) {
      std::string content;
      std::string_view orig = std::string_view(text_).substr(l.begin, l.length);
      size_t at = 0;
      for (const Edit* e : replaces[static_cast<size_t>(n)]) {
        size_t from = static_cast<size_t>(e->column - 1);
        content.append(orig.substr(at, from - at));
        content += e->text;
        at = static_cast<size_t>(e->end_column - 1);
      }
      content.append(orig.substr(at));
      out.push_back({std::move(content), text_.substr(l.begin + l.length, l.eol_len)});
    }
    emit_inserts(n);
  }
  // Keep the file's convention about a final newline: when the original ended without one,
  // the new last line ends without one too (and an inserted last line does not add one).
  bool final_newline = lines_.empty() || lines_.back().eol_len > 0;
  if (!out.empty()) {
    if (!final_newline) {
      out.back().eol.clear();
    } else if (out.back().eol.empty()) {
      out.back().eol = eol_;
    }
    // A line that used to be last (no terminator) but is now followed by others needs one.
    for (size_t i = 0; i + 1 < out.size(); ++i)
      if (out[i].eol.empty()) out[i].eol = eol_;
  }
  std::string result;
  for (const auto& o : out) {
    result += o.content;
    result += o.eol;
  }
  return result;
}

Result<void> RequirementsEditor::write() const {
  if (edits_.empty()) return {};
  unsigned mode = 0644;
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) mode = st.st_mode & 07777;
  return write_file_atomic(path_, render(), mode);
}

}  // namespace funcpack
