#include "inputs/requirements_txt.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "base/fs.h"
#include "base/strings.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

// Renders an entry on one line so a test can compare a whole parse result exactly.
std::string describe(const RequirementEntry& e) {
  std::string out = e.location.str();
  if (e.location.end_column > 0) out += "-" + std::to_string(e.location.end_column);
  out += e.kind == RequirementEntry::Kind::kConstraint ? " constraint" : " requirement";
  switch (e.form) {
    case RequirementEntry::Form::kNamed: out += " named"; break;
    case RequirementEntry::Form::kUrl: out += " url"; break;
    case RequirementEntry::Form::kVcs: out += " vcs"; break;
    case RequirementEntry::Form::kLocalPath: out += " path"; break;
  }
  if (e.editable) out += " editable";
  out += " [" + e.req.str() + "]";
  if (!e.req.extras.empty()) out += " extras=" + join(e.req.extras, ",");
  if (!e.url.empty()) out += " url=" + e.url;
  if (!e.vcs_revision.empty()) out += " rev=" + e.vcs_revision;
  for (const auto& h : e.hashes) out += " hash=" + h;
  for (const auto& [k, v] : e.config_settings) out += " config=" + k + "=" + v;
  if (!e.include_chain.empty()) out += " via=" + join(e.include_chain, ">");
  return out;
}

std::string describe_all(const RequirementsFile& f) {
  std::string out;
  for (const auto& e : f.entries) out += describe(e) + "\n";
  return out;
}

std::string diagnostics(const DiagnosticSink& sink) {
  std::string out;
  for (const auto& d : sink.diagnostics()) out += format_diagnostic(d);
  return out;
}

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

struct Parsed {
  RequirementsFile file;
  std::string entries;
  std::string diags;
  size_t errors = 0;
};

Parsed parse(std::string_view text, const fs::path& path = "requirements.txt",
             const EnvLookup& env = fake_env({})) {
  DiagnosticSink sink;
  Parsed p;
  p.file = parse_requirements_text(text, path, sink, env);
  p.entries = describe_all(p.file);
  p.diags = diagnostics(sink);
  p.errors = sink.error_count();
  return p;
}

// A scratch directory with files, for includes and local paths.
class Tree {
 public:
  Tree() : dir_(*TempDir::create("reqtxt-test")) {}
  void write(const std::string& rel, std::string_view content) {
    fs::path p = dir_.path() / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  void mkdir(const std::string& rel) { fs::create_directories(dir_.path() / rel); }
  const fs::path& root() const { return dir_.path(); }
  // Parses the file `rel` with diagnostics shown relative to the tree (cwd-independent).
  Parsed parse_file(const std::string& rel, const EnvLookup& env = fake_env({})) {
    DiagnosticSink sink;
    Parsed p;
    p.file = parse_requirements_file(dir_.path() / rel, sink, env);
    const std::string prefix = dir_.path().string() + "/";
    p.entries = replace_all(describe_all(p.file), prefix, "");
    p.diags = replace_all(diagnostics(sink), prefix, "");
    p.errors = sink.error_count();
    return p;
  }

 private:
  TempDir dir_;
};

// ---- Lines, comments, continuations -------------------------------------------------------

TEST(RequirementsTxt, NamedRequirementsCommentsAndBlankLines) {
  Parsed p = parse(
      "# a comment\n"
      "\n"
      "requests[socks]>=2.31,<3  # trailing comment\n"
      "   \n"
      "Azure_Functions==1.21.3\n"
      "uvloop; sys_platform != \"win32\"\n");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.entries,
            "requirements.txt:3:1-25 requirement named [requests[socks]<3,>=2.31] extras=socks\n"
            "requirements.txt:5:1-24 requirement named [Azure_Functions==1.21.3]\n"
            "requirements.txt:6:1-32 requirement named [uvloop; sys_platform != \"win32\"]\n");
  EXPECT_EQ(p.file.entries[0].text, "requests[socks]>=2.31,<3");
  EXPECT_EQ(p.file.entries[0].source_line, "requests[socks]>=2.31,<3  # trailing comment");
  EXPECT_EQ(p.file.files, std::vector<fs::path>{"requirements.txt"});
}

TEST(RequirementsTxt, HashInsideAWordIsNotAComment) {
  // pip's COMMENT_RE needs whitespace (or the line start) before '#'.
  Parsed p = parse(
      "https://example.com/pkgs/foo-1.0.tar.gz#egg=foo\n"
      "https://example.com/pkgs/bar-2.0.tar.gz #egg=bar\n");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-48 requirement url [foo] "
            "url=https://example.com/pkgs/foo-1.0.tar.gz#egg=foo\n"
            "requirements.txt:2:1-40 requirement url [] "
            "url=https://example.com/pkgs/bar-2.0.tar.gz\n");
}

TEST(RequirementsTxt, ContinuationsJoinLinesAndKeepPhysicalLocations) {
  Parsed p = parse(
      "requests==2.31.0 \\\n"
      "    --hash=sha256:" + std::string(64, 'a') + " \\\n"
      "    --hash=sha256:" + std::string(64, 'b') + "\n"
      "idna\\\n"
      "==3.6\n");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-17 requirement named [requests==2.31.0] hash=sha256:" +
                std::string(64, 'a') + " hash=sha256:" + std::string(64, 'b') +
                "\n"
                "requirements.txt:4:1-5 requirement named [idna==3.6]\n");
  EXPECT_EQ(p.file.entries[1].text, "idna==3.6");
}

TEST(RequirementsTxt, ErrorInAContinuedLinePointsAtThatLine) {
  Parsed p = parse(
      "requests==2.31.0 \\\n"
      "    --hash=md5:0123\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:2:12: error: unsupported hash algorithm 'md5' (pip accepts sha256, "
            "sha384, sha512)\n"
            "      --hash=md5:0123\n"
            "             ^~~~~~~~\n");
  EXPECT_EQ(p.entries, "");
}

TEST(RequirementsTxt, BackslashAtEndOfLastLineAndCommentLinesInsideContinuations) {
  Parsed p = parse(
      "alpha \\\n"
      "# a comment line ends the joined line\n"
      "beta \\");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-6 requirement named [alpha]\n"
            "requirements.txt:3:1-5 requirement named [beta]\n");
}

TEST(RequirementsTxt, CommentEndingInBackslashSwallowsTheNextLine) {
  Parsed p = parse(
      "alpha  # pinned by ops \\\n"
      "beta==1.0\n"
      "gamma\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:2:1: warning: this line is ignored: it continues the comment on "
            "line 1, which ends with '\\'\n"
            "  beta==1.0\n"
            "  ^~~~~~~~~\n"
            "  hint: remove the trailing '\\' from the comment\n");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-6 requirement named [alpha]\n"
            "requirements.txt:3:1-6 requirement named [gamma]\n");
}

TEST(RequirementsTxt, CrlfBomAndOldMacLineEnds) {
  Parsed p = parse("\xEF\xBB\xBF" "alpha==1.0\r\nbeta\r\n\r\ngamma\rdelta  # c\r\n");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-11 requirement named [alpha==1.0]\n"
            "requirements.txt:2:1-5 requirement named [beta]\n"
            "requirements.txt:4:1-6 requirement named [gamma]\n"
            "requirements.txt:5:1-6 requirement named [delta]\n");
  EXPECT_EQ(p.file.entries[0].source_line, "alpha==1.0");
}

TEST(RequirementsTxt, Utf16WithBomIsDecoded) {
  // What Windows PowerShell 5's `pip freeze > requirements.txt` writes.
  std::string text = "\xFF\xFE";
  for (char c : std::string("alpha==1.0\r\nbeta\r\n")) {
    text += c;
    text += '\0';
  }
  Parsed p = parse(text);
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-11 requirement named [alpha==1.0]\n"
            "requirements.txt:2:1-5 requirement named [beta]\n");
}

TEST(RequirementsTxt, InvalidUtf8IsAnErrorAtItsPositionAndParsingGoesOn) {
  Parsed p = parse("alpha\nbeta  # caf\xE9\ngamma\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:2:12: error: invalid UTF-8 byte 0xE9; pip reads requirements files "
            "as UTF-8\n"
            "  beta  # caf\xE9\n"
            "             ^\n"
            "  hint: save the file as UTF-8\n");
  EXPECT_EQ(p.file.entries.size(), 3u);
}

TEST(RequirementsTxt, TabsAreWhitespaceButNotOptionSeparators) {
  Parsed p = parse(
      "\talpha==1.0\t# comment after a tab\n"
      "--index-url\thttps://example.com/simple\n"
      "beta==2.0\t--hash=sha256:" + std::string(64, 'c') + "\n");
  EXPECT_EQ(p.file.options.index_url, "https://example.com/simple");
  ASSERT_EQ(p.file.entries.size(), 1u);
  EXPECT_EQ(describe(p.file.entries[0]), "requirements.txt:1:2-12 requirement named [alpha==1.0]");
  EXPECT_EQ(p.errors, 1u);
  EXPECT_TRUE(p.diags.starts_with("requirements.txt:3:5: error: invalid requirement: "))
      << p.diags;
  EXPECT_TRUE(p.diags.ends_with(
      "  hint: separate options from the requirement with a space: pip does not split on tabs\n"))
      << p.diags;
}

TEST(RequirementsTxt, NonBreakingSpaceIsStrippedAsPythonDoes) {
  Parsed p = parse("alpha==1.0\xC2\xA0\n");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.entries, "requirements.txt:1:1-11 requirement named [alpha==1.0]\n");
}

// ---- Environment variables ---------------------------------------------------------------

TEST(RequirementsTxt, EnvironmentVariablesAreExpandedAfterCommentRemoval) {
  Parsed p = parse(
      "--extra-index-url https://${USER}:${TOKEN}@pkgs.example.com/simple\n"
      "alpha==${ALPHA_VERSION}\n"
      "beta==${UNSET}  # stays as written, then fails to parse\n"
      "gamma ${EMPTY}\n"
      "delta==$ALPHA_VERSION ${lower}\n",
      "requirements.txt",
      fake_env({{"USER", "me"}, {"TOKEN", "s#cret"}, {"ALPHA_VERSION", "1.2"}, {"EMPTY", ""}}));
  EXPECT_EQ(p.file.options.extra_index_urls,
            std::vector<std::string>{"https://me:s#cret@pkgs.example.com/simple"});
  ASSERT_GE(p.file.entries.size(), 1u);
  EXPECT_EQ(describe(p.file.entries[0]), "requirements.txt:2:1-24 requirement named [alpha==1.2]");
  EXPECT_EQ(p.file.entries[0].text, "alpha==1.2");
  // beta, gamma and delta keep their unexpanded references and are invalid requirements.
  EXPECT_EQ(p.errors, 3u) << p.diags;
  EXPECT_NE(p.diags.find("requirements.txt:3:5: error: invalid requirement: "),
            std::string::npos)
      << p.diags;
}

TEST(RequirementsTxt, ErrorAfterAnExpansionPointsIntoTheWrittenLine) {
  Parsed p = parse("--index-url ${URL} --nope\n", "requirements.txt",
                   fake_env({{"URL", "https://a-much-longer-value.example.com/simple"}}));
  EXPECT_EQ(p.diags,
            "requirements.txt:1:20: error: unknown option '--nope'\n"
            "  --index-url ${URL} --nope\n"
            "                     ^~~~~~\n");
}

// ---- Options -------------------------------------------------------------------------------

TEST(RequirementsTxt, EveryIndexOptionForm) {
  Parsed p = parse(
      "-i https://one.example.com/simple\n"
      "--index-url=https://two.example.com/simple\n"
      "--extra-index-url https://extra1.example.com/simple\n"
      "--extra-index-url=https://extra2.example.com/simple\n"
      "-f ./wheels\n"
      "--find-links=https://example.com/links/\n"
      "--pre\n"
      "--prefer-binary\n"
      "--require-hashes\n"
      "--trusted-host example.com\n"
      "--trusted-host=other.example.com:8080\n"
      "--only-binary :all:\n"
      "--no-binary Foo_Bar,baz\n"
      "--use-feature=truststore\n"
      "alpha\n");
  EXPECT_EQ(p.diags, "");
  const IndexOptions& o = p.file.options;
  EXPECT_EQ(o.index_url, "https://two.example.com/simple");
  EXPECT_EQ(o.extra_index_urls, (std::vector<std::string>{"https://extra1.example.com/simple",
                                                          "https://extra2.example.com/simple"}));
  EXPECT_EQ(o.find_links,
            (std::vector<std::string>{"./wheels", "https://example.com/links/"}));
  EXPECT_TRUE(o.pre);
  EXPECT_TRUE(o.prefer_binary);
  EXPECT_TRUE(o.require_hashes);
  EXPECT_FALSE(o.no_index);
  EXPECT_EQ(o.trusted_hosts,
            (std::vector<std::string>{"example.com", "other.example.com:8080"}));
  // --no-binary names leave only_binary's ":all:" in place (pip's mutual excludes).
  EXPECT_EQ(o.only_binary, (std::set<std::string>{":all:"}));
  EXPECT_EQ(o.no_binary, (std::set<std::string>{"baz", "foo-bar"}));
  EXPECT_EQ(o.locations.size(), 13u);
  EXPECT_EQ(o.locations[0].str(), "requirements.txt:1:1");
  EXPECT_EQ(o.locations[0].end_column, 34);
  EXPECT_EQ(p.entries, "requirements.txt:15:1-6 requirement named [alpha]\n");
}

TEST(RequirementsTxt, ShortOptionsBundledAbbreviationsAndAliases) {
  Parsed p = parse(
      "-ihttps://one.example.com/simple\n"
      "--index https://two.example.com/simple\n"
      "--pypi-url https://three.example.com/simple\n"
      "--extra https://extra.example.com/simple\n"
      "--trusted 'quoted.example.com'\n");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.file.options.index_url, "https://three.example.com/simple");
  EXPECT_EQ(p.file.options.extra_index_urls,
            std::vector<std::string>{"https://extra.example.com/simple"});
  EXPECT_EQ(p.file.options.trusted_hosts, std::vector<std::string>{"quoted.example.com"});
}

TEST(RequirementsTxt, NoIndexClearsIndexUrlsAndOutlastsLaterOnes) {
  Parsed p = parse(
      "--index-url https://one.example.com/simple\n"
      "--extra-index-url https://extra.example.com/simple\n"
      "--no-index\n"
      "--index-url https://two.example.com/simple\n");
  EXPECT_TRUE(p.file.options.no_index);
  EXPECT_EQ(p.file.options.index_url, std::nullopt);
  EXPECT_TRUE(p.file.options.extra_index_urls.empty());
  EXPECT_EQ(p.diags,
            "requirements.txt:4:1: warning: '--index-url' has no effect: --no-index is in force\n"
            "  --index-url https://two.example.com/simple\n"
            "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

TEST(RequirementsTxt, IndexUrlReplacesEarlierExtraIndexUrls) {
  Parsed p = parse(
      "--extra-index-url https://extra.example.com/simple\n"
      "-i https://main.example.com/simple --extra-index-url https://x.example.com/simple\n");
  EXPECT_EQ(p.file.options.index_url, "https://main.example.com/simple");
  EXPECT_EQ(p.file.options.extra_index_urls,
            std::vector<std::string>{"https://x.example.com/simple"});
  EXPECT_EQ(p.diags,
            "requirements.txt:2:1: warning: '-i' replaces the extra index URLs set before it; "
            "pip no longer uses them\n"
            "  -i https://main.example.com/simple --extra-index-url https://x.example.com/simple\n"
            "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: put --index-url before any --extra-index-url\n");
}

TEST(RequirementsTxt, FormatControlFollowsPipsMutualExcludes) {
  Parsed p = parse(
      "--no-binary :all:\n"
      "--only-binary alpha,Beta.Two\n"
      "--no-binary beta-two\n");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.file.options.no_binary, (std::set<std::string>{":all:", "beta-two"}));
  EXPECT_EQ(p.file.options.only_binary, (std::set<std::string>{"alpha"}));

  Parsed q = parse("--only-binary a,b\n--only-binary :none:,c\n--no-binary :all:,:none:,d\n");
  EXPECT_EQ(q.diags, "");
  EXPECT_EQ(q.file.options.only_binary, (std::set<std::string>{}));
  EXPECT_EQ(q.file.options.no_binary, (std::set<std::string>{"d"}));

  // pip applies format control on any line, even a requirement line.
  Parsed r = parse("alpha --only-binary=alpha\n");
  EXPECT_EQ(r.diags, "");
  EXPECT_EQ(r.file.options.only_binary, (std::set<std::string>{"alpha"}));
}

TEST(RequirementsTxt, UnknownOptionIsAnErrorWithColumnAndSuggestion) {
  Parsed p = parse(
      "alpha\n"
      "--requirements base.txt\n"
      "beta --hsah=sha256:abc\n"
      "-pre\n"
      "--frobnicate\n"
      "gamma\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:2:1: error: unknown option '--requirements'\n"
            "  --requirements base.txt\n"
            "  ^~~~~~~~~~~~~~\n"
            "  hint: did you mean '--requirement'?\n"
            "requirements.txt:3:6: error: unknown option '--hsah'\n"
            "  beta --hsah=sha256:abc\n"
            "       ^~~~~~\n"
            "  hint: did you mean '--hash'?\n"
            "requirements.txt:4:1: error: unknown option '-p'\n"
            "  -pre\n"
            "  ^~\n"
            "  hint: did you mean '--pre'?\n"
            "requirements.txt:5:1: error: unknown option '--frobnicate'\n"
            "  --frobnicate\n"
            "  ^~~~~~~~~~~~\n");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-6 requirement named [alpha]\n"
            "requirements.txt:6:1-6 requirement named [gamma]\n");
}

TEST(RequirementsTxt, OptionSyntaxErrors) {
  Parsed p = parse(
      "--no\n"
      "--pre=yes\n"
      "--index-url\n"
      "-r\n"
      "--trusted-host 'unterminated\n"
      "--use-feature=warp-drive\n"
      "--no-binary --pre\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:1:1: error: ambiguous option '--no' (could be --no-binary, "
            "--no-index)\n"
            "  --no\n"
            "  ^~~~\n"
            "requirements.txt:2:1: error: option '--pre' does not take a value\n"
            "  --pre=yes\n"
            "  ^~~~~~~~~\n"
            "requirements.txt:3:1: error: option '--index-url' requires a value\n"
            "  --index-url\n"
            "  ^~~~~~~~~~~\n"
            "requirements.txt:4:1: error: option '-r' requires a value\n"
            "  -r\n"
            "  ^~\n"
            "requirements.txt:5:16: error: unterminated single quote\n"
            "  --trusted-host 'unterminated\n"
            "                 ^~~~~~~~~~~~~\n"
            "  hint: close the quote with '\n"
            "requirements.txt:6:15: error: unknown feature 'warp-drive' for --use-feature (pip "
            "knows fast-deps, truststore, no-binary-enable-wheel-cache)\n"
            "  --use-feature=warp-drive\n"
            "                ^~~~~~~~~~\n"
            "requirements.txt:7:1: error: option '--no-binary' requires a value (got the option "
            "'--pre')\n"
            "  --no-binary --pre\n"
            "  ^~~~~~~~~~~~~~~~~\n");
  EXPECT_EQ(p.errors, 7u);
}

TEST(RequirementsTxt, OptionsPipIgnoresAreWarnings) {
  Parsed p = parse(
      "alpha --pre\n"
      "--hash=sha256:" + std::string(64, 'a') + "\n"
      "--pre stray\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:1:7: warning: option '--pre' has no effect on a requirement line "
            "(pip ignores it)\n"
            "  alpha --pre\n"
            "        ^~~~~\n"
            "  hint: put it on a line of its own\n"
            "requirements.txt:2:1: warning: '--hash' without a requirement is ignored (pip "
            "ignores it too)\n"
            "  --hash=sha256:" + std::string(64, 'a') + "\n"
            "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: put --hash on the requirement's line (or continue that line with '\\')\n"
            "requirements.txt:3:7: warning: ignored argument 'stray': pip ignores arguments "
            "after options\n"
            "  --pre stray\n"
            "        ^~~~~\n");
  EXPECT_TRUE(p.file.options.pre);  // from line 3 (line 1's is ignored)
}

TEST(RequirementsTxt, HashesPerRequirement) {
  const std::string a(64, 'a'), b(96, 'b');
  Parsed p = parse(
      "alpha==1.0 --hash=sha256:" + a + " --hash sha384:" + b + "\n"
      "beta==1.0 --hash=sha256:ABC\n"
      "gamma==1.0 --hash=sha256\n");
  EXPECT_EQ(p.entries, "requirements.txt:1:1-11 requirement named [alpha==1.0] hash=sha256:" + a +
                           " hash=sha384:" + b +
                           "\n"
                           "requirements.txt:2:1-10 requirement named [beta==1.0] "
                           "hash=sha256:ABC\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:2:18: warning: the sha256 digest must be 64 lowercase hex digits; "
            "pip compares it as written, so it can never match\n"
            "  beta==1.0 --hash=sha256:ABC\n"
            "                   ^~~~~~~~~~\n"
            "requirements.txt:3:19: error: '--hash' needs ALGORITHM:DIGEST, like "
            "--hash=sha256:abcdef...\n"
            "  gamma==1.0 --hash=sha256\n"
            "                    ^~~~~~\n");
}

TEST(RequirementsTxt, ConfigSettings) {
  Parsed p = parse(
      "alpha --config-settings editable_mode=compat -C \"--build-option=--fast x\"\n"
      "beta --config-settings novalue\n");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-6 requirement named [alpha] config=editable_mode=compat "
            "config=--build-option=--fast x\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:2:24: error: '--config-settings' needs KEY=VALUE (got 'novalue')\n"
            "  beta --config-settings novalue\n"
            "                         ^~~~~~~\n");
}

// ---- Includes -----------------------------------------------------------------------------

TEST(RequirementsTxt, IncludesAreRelativeToTheIncludingFile) {
  Tree t;
  t.write("app/requirements.txt",
          "alpha\n"
          "-r common/base.txt\n"
          "--constraint=../constraints.txt\n"
          "omega\n");
  t.write("app/common/base.txt", "beta>=1\n-rmore.txt\n");
  t.write("app/common/more.txt", "gamma\n");
  t.write("constraints.txt", "beta<2\n-r app/common/more.txt\n");
  Parsed p = t.parse_file("app/requirements.txt");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.entries,
            "app/requirements.txt:1:1-6 requirement named [alpha]\n"
            "app/common/base.txt:1:1-8 requirement named [beta>=1] via=app/requirements.txt\n"
            "app/common/more.txt:1:1-6 requirement named [gamma] "
            "via=app/requirements.txt>app/common/base.txt\n"
            "constraints.txt:1:1-7 constraint named [beta<2] via=app/requirements.txt\n"
            // pip: -r inside a constraints file reads requirements.
            "app/common/more.txt:1:1-6 requirement named [gamma] "
            "via=app/requirements.txt>constraints.txt\n"
            "app/requirements.txt:4:1-6 requirement named [omega]\n");
  std::vector<std::string> files;
  for (const auto& f : p.file.files) files.push_back(replace_all(f.string(), t.root().string() + "/", ""));
  EXPECT_EQ(files, (std::vector<std::string>{"app/requirements.txt", "app/common/base.txt",
                                              "app/common/more.txt", "constraints.txt",
                                              "app/common/more.txt"}));
}

TEST(RequirementsTxt, IncludeCycleIsReportedWithItsChain) {
  Tree t;
  t.write("requirements.txt", "alpha\n-r a.txt\n");
  t.write("a.txt", "beta\n-r sub/b.txt\n");
  t.write("sub/b.txt", "gamma\n-r ../a.txt\n");
  Parsed p = t.parse_file("requirements.txt");
  EXPECT_EQ(p.diags,
            "sub/b.txt:2:4: error: include cycle: a.txt -> sub/b.txt -> a.txt\n"
            "  -r ../a.txt\n"
            "     ^~~~~~~~\n"
            "  hint: remove one of these includes\n");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-6 requirement named [alpha]\n"
            "a.txt:1:1-5 requirement named [beta] via=requirements.txt\n"
            "sub/b.txt:1:1-6 requirement named [gamma] via=requirements.txt>a.txt\n");
}

TEST(RequirementsTxt, SelfIncludeIsACycle) {
  Tree t;
  t.write("requirements.txt", "-r ./requirements.txt\n");
  Parsed p = t.parse_file("requirements.txt");
  EXPECT_EQ(p.diags,
            "requirements.txt:1:4: error: include cycle: requirements.txt -> requirements.txt\n"
            "  -r ./requirements.txt\n"
            "     ^~~~~~~~~~~~~~~~~~\n"
            "  hint: remove one of these includes\n");
}

TEST(RequirementsTxt, MissingOrUnreadableIncludeIsAnErrorAtTheIncludingLine) {
  Tree t;
  t.mkdir("adir");
  t.write("requirements.txt",
          "-r missing.txt\n"
          "-c adir\n"
          "-r https://example.com/requirements.txt\n"
          "alpha\n");
  Parsed p = t.parse_file("requirements.txt");
  EXPECT_EQ(p.diags,
            "requirements.txt:1:4: error: cannot read missing.txt: No such file or directory\n"
            "  -r missing.txt\n"
            "     ^~~~~~~~~~~\n"
            "requirements.txt:2:4: error: cannot read adir: is a directory\n"
            "  -c adir\n"
            "     ^~~~\n"
            "requirements.txt:3:4: error: cannot include 'https://example.com/requirements.txt': "
            "funcpack reads local requirements files only\n"
            "  -r https://example.com/requirements.txt\n"
            "     ^" + std::string(35, '~') + "\n"
            "  hint: download the file and include it by its path\n");
  EXPECT_EQ(p.entries, "requirements.txt:4:1-6 requirement named [alpha]\n");
}

TEST(RequirementsTxt, MissingRootFile) {
  Tree t;
  Parsed p = t.parse_file("nope.txt");
  EXPECT_EQ(p.diags, "nope.txt: error: cannot read requirements file: No such file or directory\n");
  EXPECT_TRUE(p.file.entries.empty());
  EXPECT_TRUE(p.file.files.empty());
}

TEST(RequirementsTxt, ConstraintsMustBeNamedPlainRequirements) {
  Tree t;
  t.write("requirements.txt", "-c constraints.txt\n");
  t.write("constraints.txt",
          "alpha[extra]<2\n"
          "https://example.com/x.tar.gz\n"
          "beta==1.0\n");
  Parsed p = t.parse_file("requirements.txt");
  EXPECT_EQ(p.diags,
            "constraints.txt:1:1: error: a constraint cannot have extras (pip refuses them)\n"
            "  alpha[extra]<2\n"
            "  ^~~~~~~~~~~~~~\n"
            "  hint: constraints take the form NAME SPECIFIER [; MARKER]\n"
            "constraints.txt:2:1: error: a constraint must name a project (pip refuses unnamed "
            "constraints)\n"
            "  https://example.com/x.tar.gz\n"
            "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: constraints take the form NAME SPECIFIER [; MARKER]\n");
  EXPECT_EQ(p.file.entries.size(), 3u);
}

// ---- Requirement forms ---------------------------------------------------------------------

TEST(RequirementsTxt, EditableForms) {
  Tree t;
  t.write("libs/mylib/pyproject.toml", "[project]\nname='mylib'\n");
  t.write("requirements.txt",
          "-e ./libs/mylib\n"
          "--editable=./libs/mylib[dev,test]\n"
          "-e git+https://github.com/org/repo.git@v1.2#egg=repo\n"
          "-e git://github.com/org/other.git#egg=other\n"
          "-e git+https://github.com/org/noname.git\n"
          "-e ./does-not-exist\n"
          "-e git+https://github.com/org/r.git@#egg=r\n");
  Parsed p = t.parse_file("requirements.txt");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:4-16 requirement path editable [] url=./libs/mylib\n"
            "requirements.txt:2:12-34 requirement path editable [[dev,test]] extras=dev,test "
            "url=./libs/mylib\n"
            "requirements.txt:3:4-53 requirement vcs editable [repo] "
            "url=git+https://github.com/org/repo.git@v1.2#egg=repo rev=v1.2\n"
            "requirements.txt:4:4-44 requirement vcs editable [other] "
            "url=git+git://github.com/org/other.git#egg=other\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:5:4: error: cannot tell the project name of editable "
            "'git+https://github.com/org/noname.git'\n"
            "  -e git+https://github.com/org/noname.git\n"
            "     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: add #egg=NAME to the URL\n"
            "requirements.txt:6:4: error: './does-not-exist' is not a valid editable requirement: "
            "expected a local project directory or a VCS URL (git+https://..., hg+https://..., "
            "svn+https://..., bzr+https://...)\n"
            "  -e ./does-not-exist\n"
            "     ^~~~~~~~~~~~~~~~\n"
            "requirements.txt:7:4: error: the VCS URL has an empty revision after '@'\n"
            "  -e git+https://github.com/org/r.git@#egg=r\n"
            "     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: add a revision after '@' or remove the '@'\n");
}

TEST(RequirementsTxt, EditableLineIgnoresPerRequirementOptions) {
  Tree t;
  t.write("pkg/setup.py", "");
  t.write("requirements.txt", "-e ./pkg --hash=sha256:" + std::string(64, 'a') + "\n");
  Parsed p = t.parse_file("requirements.txt");
  EXPECT_EQ(p.entries, "requirements.txt:1:4-9 requirement path editable [] url=./pkg\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:1:10: warning: option '--hash' has no effect on an editable "
            "requirement (pip ignores it)\n"
            "  -e ./pkg --hash=sha256:" + std::string(64, 'a') + "\n"
            "           ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

TEST(RequirementsTxt, UrlsAndVcsUrls) {
  Parsed p = parse(
      "https://files.example.com/alpha-1.0-py3-none-any.whl\n"
      "https://files.example.com/beta-2.0.tar.gz#egg=beta[fast]; python_version >= \"3.11\"\n"
      "git+https://github.com/org/gamma.git@v1.2.3#egg=gamma\n"
      "git+ssh://git@github.com/org/delta.git@main#egg=delta&subdirectory=src\n"
      "epsilon @ git+https://github.com/org/epsilon.git@0123abcd\n"
      "zeta @ https://files.example.com/zeta-3.0.tar.gz ; sys_platform == \"linux\"\n"
      "hg+https://hg.example.com/eta#egg=eta\n");
  EXPECT_EQ(p.diags, "");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-53 requirement url [alpha==1.0] "
            "url=https://files.example.com/alpha-1.0-py3-none-any.whl\n"
            "requirements.txt:2:1-83 requirement url [beta[fast]; python_version >= \"3.11\"] "
            "extras=fast url=https://files.example.com/beta-2.0.tar.gz#egg=beta[fast]\n"
            "requirements.txt:3:1-54 requirement vcs [gamma] "
            "url=git+https://github.com/org/gamma.git@v1.2.3#egg=gamma rev=v1.2.3\n"
            "requirements.txt:4:1-71 requirement vcs [delta] "
            "url=git+ssh://git@github.com/org/delta.git@main#egg=delta&subdirectory=src "
            "rev=main\n"
            "requirements.txt:5:1-58 requirement vcs "
            "[epsilon@ git+https://github.com/org/epsilon.git@0123abcd] "
            "url=git+https://github.com/org/epsilon.git@0123abcd rev=0123abcd\n"
            "requirements.txt:6:1-75 requirement url "
            "[zeta@ https://files.example.com/zeta-3.0.tar.gz ; sys_platform == \"linux\"] "
            "url=https://files.example.com/zeta-3.0.tar.gz\n"
            "requirements.txt:7:1-38 requirement vcs [eta] "
            "url=hg+https://hg.example.com/eta#egg=eta\n");
}

TEST(RequirementsTxt, BadUrlRequirements) {
  Parsed p = parse(
      "https://files.example.com/not_a-wheel.whl\n"
      "https://files.example.com/x.tar.gz#egg=\n"
      "https://files.example.com/x.tar.gz; python_version >>> \"3\"\n");
  EXPECT_EQ(p.errors, 3u) << p.diags;
  EXPECT_TRUE(p.diags.starts_with("requirements.txt:1:1: error: invalid wheel filename "
                                  "'not_a-wheel.whl': "))
      << p.diags;
  EXPECT_NE(p.diags.find("requirements.txt:2:40: error: empty #egg= name\n"), std::string::npos)
      << p.diags;
  EXPECT_NE(p.diags.find("requirements.txt:3:53: error: invalid marker: "), std::string::npos)
      << p.diags;
}

TEST(RequirementsTxt, LocalPaths) {
  Tree t;
  t.write("pkgs/proj/pyproject.toml", "");
  t.mkdir("pkgs/empty");
  t.write("dist/alpha-1.0-py3-none-any.whl", "not really a zip");
  t.write("requirements.txt",
          "./pkgs/proj\n"
          "./pkgs/proj[extra]; python_version < \"3.12\"\n"
          "dist/alpha-1.0-py3-none-any.whl\n"
          "./dist/missing-2.0.tar.gz\n"
          "./pkgs/empty\n"
          "beta @ file:///opt/wheels/beta-1.0-py3-none-any.whl\n");
  Parsed p = t.parse_file("requirements.txt");
  EXPECT_EQ(p.entries,
            "requirements.txt:1:1-12 requirement path [] url=./pkgs/proj\n"
            "requirements.txt:2:1-44 requirement path [[extra]; python_version < \"3.12\"] "
            "extras=extra url=./pkgs/proj\n"
            "requirements.txt:3:1-32 requirement path [alpha==1.0] "
            "url=dist/alpha-1.0-py3-none-any.whl\n"
            "requirements.txt:4:1-26 requirement path [] url=./dist/missing-2.0.tar.gz\n"
            "requirements.txt:6:1-52 requirement url "
            "[beta@ file:///opt/wheels/beta-1.0-py3-none-any.whl] "
            "url=file:///opt/wheels/beta-1.0-py3-none-any.whl\n");
  EXPECT_EQ(p.diags,
            "requirements.txt:4:1: warning: './dist/missing-2.0.tar.gz' looks like a file name, "
            "but the file does not exist\n"
            "  ./dist/missing-2.0.tar.gz\n"
            "  ^~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "requirements.txt:5:1: error: directory './pkgs/empty' is not installable: it has "
            "neither pyproject.toml nor setup.py\n"
            "  ./pkgs/empty\n"
            "  ^~~~~~~~~~~~\n");
}

TEST(RequirementsTxt, InvalidRequirementsAreAllReportedWithHints) {
  Parsed p = parse(
      "alpha=1.0\n"
      "beta==1.0\n"
      "./not/here\n"
      "gamma[>=1.0\n");
  EXPECT_EQ(p.errors, 3u) << p.diags;
  EXPECT_NE(p.diags.find("  hint: '=' is not a version operator; did you mean '=='?\n"),
            std::string::npos)
      << p.diags;
  EXPECT_NE(
      p.diags.find("  hint: it looks like a path, but no such directory or archive exists\n"),
      std::string::npos)
      << p.diags;
  EXPECT_NE(p.diags.find("requirements.txt:4:"), std::string::npos) << p.diags;
  EXPECT_EQ(p.entries, "requirements.txt:2:1-10 requirement named [beta==1.0]\n");
}

TEST(RequirementsTxt, ArbitraryBytesNeverCrash) {
  // A few nasty inputs; the fuzz target covers the rest.
  for (std::string_view s :
       {std::string_view("\\"), std::string_view("\\\\\n\\"), std::string_view("-"),
        std::string_view("--"), std::string_view("-- x"), std::string_view("${"),
        std::string_view("${A}"), std::string_view("#"), std::string_view("\xFF\xFE"),
        std::string_view("\xFF\xFE\x00"), std::string_view("\xFE\xFF\xD8\x00"),
        std::string_view("a \"\\"), std::string_view("-e"), std::string_view("-e ["),
        std::string_view("x[]"), std::string_view("a; "), std::string_view("http://"),
        std::string_view("git+https://@"), std::string_view("-r \"\""),
        std::string_view("\xE2\x80"), std::string_view("a\xC2")}) {
    Parsed p = parse(s);
    (void)p;
  }
  SUCCEED();
}

}  // namespace
}  // namespace funcpack
