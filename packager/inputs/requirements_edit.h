// requirements_edit.h: text-preserving edits of requirements files (`funcpack lint --fix`,
// later `funcpack lock` pinning unpinned lines).
//
// Owns: the mechanism only (which edit a rule wants is the caller's business): replacing a
// column span of a line, replacing a line's content, deleting an entry (a physical line plus
// the continuation lines it joins), inserting a line; rendering the result; writing it
// atomically (base/fs.h write_file_atomic, keeping the file's permission bits).
//
// Byte-for-byte contract: every byte not covered by an edit is kept: comments, blank lines,
// order, trailing whitespace, each line's own terminator ("\n", "\r\n", or none on the last
// line). Lines and columns are those of the ORIGINAL text (1-based, columns in bytes, end
// exclusive), as reported by requirements_txt.h, however many edits come before: edits are
// queued and applied together by render(). Inserted lines take the file's line ending (the
// first terminator found; "\n" when there is none).
// Traps:
// - A requirement continued with a trailing backslash spans several physical lines; deleting
//   the entry deletes them all (as pip joins them: a line ending in '\' continues unless it is a
//   comment-only line).
// - Deleting the last line of a file that has no final newline also removes the terminator of
//   the line before it, so the file still ends without one ("a\nb" minus line 2 is "a").
// - Overlapping edits, or two edits of one line where one deletes or replaces the whole line,
//   are refused with an Error (the caller has a bug) rather than guessed at.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace funcpack {

class RequirementsEditor {
 public:
  // Reads `path`. Returns the editor, or an Error "cannot read PATH: reason".
  static Result<RequirementsEditor> load(const std::filesystem::path& path);
  // Edits `text` as if it were the contents of `path` (used for writing and in errors).
  RequirementsEditor(std::string text, std::filesystem::path path);

  const std::filesystem::path& path() const { return path_; }
  const std::string& original() const { return text_; }
  int line_count() const { return static_cast<int>(lines_.size()); }
  // Content of 1-based physical line `line`, without its terminator ("" when out of range).
  std::string_view line(int line) const;
  // The line terminator of the file ("\r\n" or "\n").
  std::string_view eol() const { return eol_; }

  // Replaces bytes [column, end_column) of `line` (1-based, end exclusive; end_column may be
  // one past the last byte of the content, never into the terminator). Returns an Error
  // "PATH:LINE:COL: edit out of range" or "... overlaps an earlier edit".
  Result<void> replace(int line, int column, int end_column, std::string_view text);
  // Replaces the whole content of `line` (terminator kept).
  Result<void> replace_line(int line, std::string_view content);
  // Deletes the entry starting at `line`: that physical line and the continuation lines it
  // joins, with their terminators. Returns the number of physical lines deleted, or an Error.
  Result<int> delete_entry(int line);
  // Inserts a new line with `content` after `line` (0 = at the top). Several inserts after the
  // same line keep their call order.
  Result<void> insert_after(int line, std::string_view content);

  bool has_edits() const { return !edits_.empty(); }
  // The text with every queued edit applied.
  std::string render() const;
  // Writes render() to path() atomically (permission bits of the existing file kept). Does not
  // touch the file when there are no edits. Returns an Error "cannot write PATH: reason".
  Result<void> write() const;

 private:
  struct Edit {
    enum class Kind { kReplace, kDeleteLines, kInsertAfter } kind = Kind::kReplace;
    int line = 0;        // first line
    int last_line = 0;   // kDeleteLines: last line deleted (inclusive)
    int column = 0;      // kReplace
    int end_column = 0;  // kReplace
    std::string text;
    size_t order = 0;
  };
  Result<void> check_overlap(const Edit& e) const;
  Location where(int line, int column = 0) const;

  std::filesystem::path path_;
  std::string text_;
  struct Line {
    size_t begin = 0;    // offset of the content
    size_t length = 0;   // content bytes
    size_t eol_len = 0;  // 0, 1 or 2
  };
  std::vector<Line> lines_;
  std::string eol_ = "\n";
  std::vector<Edit> edits_;
};

}  // namespace funcpack
