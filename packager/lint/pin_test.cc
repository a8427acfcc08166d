// lint --fix --pin edits: exact bytes after pinning (names and extras as written, markers,
// comments, hashes, CRLF, a missing final newline), the lines left as written with their notes,
// entries deleted by FP203, and -r includes / -c constraints on real files.
#include "lint/pin.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "lint/fix.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

ResolvedPackage package(std::string name, std::string version, std::string sha = "aa") {
  ResolvedPackage p;
  p.name = std::move(name);
  p.version = *Version::parse(version);
  p.file.filename = p.name + "-" + version + "-py3-none-any.whl";
  p.file.hashes["sha256"] = std::move(sha);
  return p;
}

Resolution resolution() {
  Resolution r;
  r.target.python_full_version = "3.11.14";
  r.packages = {package("attrs", "23.2.0"), package("azure-functions", "1.21.3"),
                package("charset-normalizer", "3.3.2", "c0ffee"), package("requests", "2.31.0"),
                package("six", "1.16.0")};
  return r;
}

const EnvLookup kNoEnv = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };

struct Pinned {
  std::string text;
  int pinned = 0;
  std::vector<std::string> notes;  // formatted, first line only
};

Pinned pin_text(const std::string& text, EntryLines deleted = {}) {
  DiagnosticSink sink;
  RequirementsFile file = parse_requirements_text(text, "requirements.txt", sink, kNoEnv);
  EXPECT_FALSE(sink.has_errors());
  std::vector<Diagnostic> notes;
  (void)entries_to_resolve(file, deleted, notes);
  PinJob job{file.entries, resolution(), std::move(deleted)};
  RequirementsEditor editor(text, "requirements.txt");
  auto n = queue_pins(editor, job, notes);
  EXPECT_TRUE(n) << n.error().message;
  Pinned out{editor.render(), n ? *n : -1, {}};
  for (const auto& d : notes) {
    std::string f = format_diagnostic(d);
    out.notes.push_back(f.substr(0, f.find('\n')));
  }
  return out;
}

TEST(Pin, RewritesOnlyTheSpecifierBytes) {
  Pinned p = pin_text(
      "# app deps\r\n"
      "Requests [socks,security] >=2.0, <3 ; python_version >= \"3.8\"  # http\r\n"
      "azure-functions\r\n"
      "\r\n"
      "attrs~=23.1\t\r\n"
      "six (>=1.10)\r\n"
      "charset_normalizer==3.*; sys_platform == 'linux'");
  EXPECT_EQ(p.text,
            "# app deps\r\n"
            "Requests [socks,security]==2.31.0 ; python_version >= \"3.8\"  # http\r\n"
            "azure-functions==1.21.3\r\n"
            "\r\n"
            "attrs==23.2.0\t\r\n"
            "six==1.16.0\r\n"
            "charset_normalizer==3.3.2; sys_platform == 'linux'");
  EXPECT_EQ(p.pinned, 5);
  EXPECT_TRUE(p.notes.empty());
}

TEST(Pin, ExactPinsAreLeftAloneSilently) {
  const std::string text = "requests==2.30.0\nsix===1.15.0\nattrs>=23,==23.1.0\n";
  Pinned p = pin_text(text);
  EXPECT_EQ(p.text, text);
  EXPECT_EQ(p.pinned, 0);
  EXPECT_TRUE(p.notes.empty());
}

TEST(Pin, HashesKeptWhenTheyCoverTheResolvedFile) {
  Pinned p = pin_text(
      "charset-normalizer>=3 \\\n    --hash=sha256:00 \\\n    --hash=sha256:c0ffee\n"
      "requests>=2 --hash=sha256:bb\n");
  EXPECT_EQ(p.text,
            "charset-normalizer==3.3.2 \\\n    --hash=sha256:00 \\\n    --hash=sha256:c0ffee\n"
            "requests>=2 --hash=sha256:bb\n");
  EXPECT_EQ(p.pinned, 1);
  EXPECT_EQ(p.notes, std::vector<std::string>{
                         "requirements.txt:4:1: info: not pinned: its --hash values do not include "
                         "requests-2.31.0-py3-none-any.whl, the file resolved for "
                         "requests==2.31.0"});
}

TEST(Pin, LinesLeftAsWrittenHaveNotes) {
  const std::string text =
      "pywin32>=300; sys_platform == 'win32'\n"
      "requests>=2  # funcpack: ignore[FP105]\n"
      "six  # funcpack: ignore\n"
      "attrs # funcpack: ignore[FP210]\n"
      "pkg @ https://example.invalid/pkg-1.0-py3-none-any.whl\n"
      "git+https://example.invalid/repo.git#egg=repo\n"
      "azure-functions \\\n  >=1.0\n";
  Pinned p = pin_text(text);
  EXPECT_EQ(p.text,
            "pywin32>=300; sys_platform == 'win32'\n"
            "requests>=2  # funcpack: ignore[FP105]\n"
            "six  # funcpack: ignore\n"
            "attrs==23.2.0 # funcpack: ignore[FP210]\n"
            "pkg @ https://example.invalid/pkg-1.0-py3-none-any.whl\n"
            "git+https://example.invalid/repo.git#egg=repo\n"
            "azure-functions \\\n  >=1.0\n");
  EXPECT_EQ(p.pinned, 1);
  EXPECT_EQ(p.notes,
            (std::vector<std::string>{
                "requirements.txt:5:1: info: not pinned: a URL, VCS, path or editable requirement "
                "is not resolved from an index (nor are its dependencies)",
                "requirements.txt:6:1: info: not pinned: a URL, VCS, path or editable requirement "
                "is not resolved from an index (nor are its dependencies)",
                "requirements.txt:1:1: info: not pinned: its marker is false on the target "
                "(CPython 3.11.14 on Linux x86_64)",
                "requirements.txt:2:1: info: not pinned: its pinning findings are suppressed on "
                "this line",
                "requirements.txt:3:1: info: not pinned: its pinning findings are suppressed on "
                "this line",
                "requirements.txt:7:1: info: not pinned: the requirement is written over several "
                "lines or with ${VAR}; pin it by hand to ==1.21.3",
            }));
}

TEST(Pin, ExpandedVariablesAreNotRewritten) {
  // The parser sees "requests>=2" but the file says "requests>=${MIN}": no exact edit exists.
  const std::string text = "requests>=${MIN}\nsix\n";
  const EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "MIN") return "2";
    return std::nullopt;
  };
  DiagnosticSink sink;
  RequirementsFile file = parse_requirements_text(text, "requirements.txt", sink, env);
  ASSERT_FALSE(sink.has_errors());
  ASSERT_EQ(file.entries.size(), 2u);
  EXPECT_EQ(file.entries[0].req.str(), "requests>=2");
  PinJob job{file.entries, resolution(), {}};
  RequirementsEditor editor(text, "requirements.txt");
  std::vector<Diagnostic> notes;
  auto n = queue_pins(editor, job, notes);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(editor.render(), "requests>=${MIN}\nsix==1.16.0\n");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].message,
            "not pinned: the requirement is written over several lines or with ${VAR}; pin it "
            "by hand to ==2.31.0");
}

TEST(Pin, DeletedEntriesAreNeitherResolvedNorPinned) {
  const std::string text = "azure-functions\nazure-functions-worker\nsix\n";
  DiagnosticSink sink;
  RequirementsFile file = parse_requirements_text(text, "requirements.txt", sink, kNoEnv);
  std::vector<Diagnostic> notes;
  auto entries = entries_to_resolve(file, {{"requirements.txt", 2}}, notes);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].req.name, "azure-functions");
  EXPECT_EQ(entries[1].req.name, "six");
  // apply_fixes deletes line 2 (FP203) and pins the others in one edit of the file.
  Pinned p = pin_text(text, {{"requirements.txt", 2}});
  EXPECT_EQ(p.text, "azure-functions==1.21.3\nazure-functions-worker\nsix==1.16.0\n");
}

TEST(Pin, IncludesAndConstraintsOnRealFilesInOneAtomicPass) {
  fs::path dir = fs::temp_directory_path() / ("funcpack-pin-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_TRUE(write_file_atomic(dir / "requirements.txt",
                                "-r base.txt\n-c constraints.txt\nazure-functions-worker\nrequests\n"));
  ASSERT_TRUE(write_file_atomic(dir / "base.txt", "azure-functions>=1  # base\nsix"));
  ASSERT_TRUE(write_file_atomic(dir / "constraints.txt", "requests<3\nattrs==23.2.0\n"));
  DiagnosticSink sink;
  RequirementsFile file = parse_requirements_file(dir / "requirements.txt", sink, kNoEnv);
  ASSERT_FALSE(sink.has_errors());
  const std::string root = (dir / "requirements.txt").string();
  Diagnostic worker;
  worker.rule_id = "FP203";
  worker.location.path = root;
  worker.location.line = 3;
  worker.location.column = 1;
  auto rules = RuleRegistry::load();
  ASSERT_TRUE(rules);
  EntryLines deleted = lines_deleted_by_fixes({worker}, *rules);
  EXPECT_EQ(deleted, (EntryLines{{root, 3}}));
  PinJob job{file.entries, resolution(), deleted};
  auto summary = apply_fixes({worker}, *rules, &job);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->findings, 1);
  EXPECT_EQ(summary->pinned, 3);
  EXPECT_EQ(summary->files, 2);
  ASSERT_EQ(summary->notes.size(), 1u);
  EXPECT_EQ(summary->notes[0].message,
            "not pinned: a -c constraint restricts versions and is left to the requirement it "
            "constrains");
  EXPECT_EQ(summary->notes[0].location.line, 1);
  EXPECT_EQ(*read_file(dir / "requirements.txt"), "-r base.txt\n-c constraints.txt\nrequests==2.31.0\n");
  EXPECT_EQ(*read_file(dir / "base.txt"), "azure-functions==1.21.3  # base\nsix==1.16.0");
  EXPECT_EQ(*read_file(dir / "constraints.txt"), "requests<3\nattrs==23.2.0\n");
  // A second pass has nothing left to do and writes nothing.
  DiagnosticSink sink2;
  RequirementsFile again = parse_requirements_file(dir / "requirements.txt", sink2, kNoEnv);
  PinJob job2{again.entries, resolution(), {}};
  auto second = apply_fixes({}, *rules, &job2);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->pinned, 0);
  EXPECT_EQ(second->files, 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace funcpack
