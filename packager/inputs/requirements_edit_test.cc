#include "inputs/requirements_edit.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/fs.h"

namespace funcpack {
namespace {

TEST(RequirementsEdit, NoEditsRendersIdenticalBytes) {
  for (std::string text : {std::string(""), std::string("a\n"), std::string("a"),
                           std::string("a\r\nb\r\n"), std::string("a\r\nb"),
                           std::string("\n\n# c\n  x==1  # t \\\n")}) {
    RequirementsEditor ed(text, "r.txt");
    EXPECT_EQ(ed.render(), text);
  }
}

TEST(RequirementsEdit, ReplaceSpanKeepsCommentsAndCrlf) {
  std::string text =
      "# header comment\r\n"
      "Azure_Functions>=1.0  # keep me\r\n"
      "\r\n"
      "requests==2.31.0\r\n";
  RequirementsEditor ed(text, "r.txt");
  ASSERT_TRUE(ed.replace(2, 1, 16, "azure-functions"));
  EXPECT_EQ(ed.render(),
            "# header comment\r\n"
            "azure-functions>=1.0  # keep me\r\n"
            "\r\n"
            "requests==2.31.0\r\n");
}

TEST(RequirementsEdit, DeleteLineKeepsEverythingElse) {
  std::string text =
      "azure-functions\n"
      "azure-functions-worker==1.0  # never\n"
      "  # indented comment\n"
      "requests\n";
  RequirementsEditor ed(text, "r.txt");
  auto n = ed.delete_entry(2);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(ed.render(), "azure-functions\n  # indented comment\nrequests\n");
}

TEST(RequirementsEdit, DeleteEntryWithContinuationLines) {
  std::string text =
      "a==1 \\\n"
      "    --hash=sha256:00 \\\n"
      "    --hash=sha256:11\n"
      "b==2\n";
  RequirementsEditor ed(text, "r.txt");
  auto n = ed.delete_entry(1);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(ed.render(), "b==2\n");
}

TEST(RequirementsEdit, CommentLineEndingInBackslashDoesNotContinue) {
  RequirementsEditor ed("# note \\\nb==2\nc\n", "r.txt");
  auto n = ed.delete_entry(1);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(ed.render(), "b==2\nc\n");
}

TEST(RequirementsEdit, DeletingLastLineWithoutFinalNewlineKeepsNoFinalNewline) {
  RequirementsEditor ed("a\nb", "r.txt");
  ASSERT_TRUE(ed.delete_entry(2));
  EXPECT_EQ(ed.render(), "a");
}

TEST(RequirementsEdit, NoFinalNewlineKeptAfterReplace) {
  RequirementsEditor ed("x\r\nFoo_Bar", "r.txt");
  ASSERT_TRUE(ed.replace_line(2, "foo-bar==1.0"));
  EXPECT_EQ(ed.render(), "x\r\nfoo-bar==1.0");
}

TEST(RequirementsEdit, InsertUsesFileLineEnding) {
  RequirementsEditor ed("a\r\nb\r\n", "r.txt");
  ASSERT_TRUE(ed.insert_after(0, "# top"));
  ASSERT_TRUE(ed.insert_after(2, "c"));
  ASSERT_TRUE(ed.insert_after(2, "d"));
  EXPECT_EQ(ed.render(), "# top\r\na\r\nb\r\nc\r\nd\r\n");
}

TEST(RequirementsEdit, InsertAfterLastLineWithoutFinalNewline) {
  RequirementsEditor ed("a\nb", "r.txt");
  ASSERT_TRUE(ed.insert_after(2, "c"));
  EXPECT_EQ(ed.render(), "a\nb\nc");
}

TEST(RequirementsEdit, SeveralSpansOnOneLineUseOriginalColumns) {
  RequirementsEditor ed("Foo_Bar>=1;python_version<'3.12'\n", "r.txt");
  ASSERT_TRUE(ed.replace(1, 1, 8, "foo-bar"));
  ASSERT_TRUE(ed.replace(1, 11, 11, " "));  // insert a space before ';'
  EXPECT_EQ(ed.render(), "foo-bar>=1 ;python_version<'3.12'\n");
}

TEST(RequirementsEdit, OverlapAndRangeErrors) {
  RequirementsEditor ed("abcdef\nx\n", "dir/r.txt");
  ASSERT_TRUE(ed.replace(1, 2, 4, "Z"));
  auto overlap = ed.replace(1, 3, 5, "Y");
  ASSERT_FALSE(overlap);
  EXPECT_EQ(overlap.error().location.str() + ": " + overlap.error().message,
            "dir/r.txt:1:3: edit overlaps an earlier edit");
  auto del = ed.delete_entry(1);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().message, "edit overlaps an earlier edit");
  auto range = ed.replace(1, 5, 9, "");
  ASSERT_FALSE(range);
  EXPECT_EQ(range.error().location.str() + ": " + range.error().message,
            "dir/r.txt:1:5: edit out of range (columns 5-9 on a line of 6 bytes)");
  auto line = ed.replace_line(3, "");
  ASSERT_FALSE(line);
  EXPECT_EQ(line.error().message, "edit out of range (the file has 2 lines)");
  // The failed edits left nothing behind.
  EXPECT_EQ(ed.render(), "aZdef\nx\n");
}

TEST(RequirementsEdit, WriteIsAtomicKeepsModeAndSkipsWhenUnchanged) {
  auto dir = TempDir::create("reqedit");
  ASSERT_TRUE(dir);
  auto path = dir->path() / "requirements.txt";
  std::string text = "# pinned\r\nazure-functions-worker\r\nazure-functions\r\n";
  ASSERT_TRUE(write_file_atomic(path, text, 0600));
  auto ed = RequirementsEditor::load(path);
  ASSERT_TRUE(ed);
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  ASSERT_TRUE(ed->write());  // no edits: file untouched (same inode)
  struct stat same {};
  ASSERT_EQ(::stat(path.c_str(), &same), 0);
  EXPECT_EQ(same.st_ino, before.st_ino);

  ASSERT_TRUE(ed->delete_entry(2));
  ASSERT_TRUE(ed->write());
  auto after = read_file(path);
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, "# pinned\r\nazure-functions\r\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // No temporary file is left beside it.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir->path())) ++entries;
  EXPECT_EQ(entries, 1);

  auto missing = RequirementsEditor::load(dir->path() / "nope.txt");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "cannot read " + (dir->path() / "nope.txt").string() + ": No such file or directory");
}

}  // namespace
}  // namespace funcpack
