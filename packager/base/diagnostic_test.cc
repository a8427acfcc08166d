#include "base/diagnostic.h"

#include <gtest/gtest.h>

namespace funcpack {
namespace {

TEST(Diagnostic, FormatsLocationRuleSourceCaretAndHint) {
  Diagnostic d;
  d.severity = Severity::kWarning;
  d.rule_id = "FP001";
  d.message = "requests is not pinned";
  d.location = {"app/requirements.txt", 3, 1, 9};
  d.source_line = "requests";
  d.hint = "pin it: requests>=2.32";
  EXPECT_EQ(format_diagnostic(d),
            "app/requirements.txt:3:1: warning[FP001]: requests is not pinned\n"
            "  requests\n"
            "  ^~~~~~~~\n"
            "  hint: pin it: requests>=2.32\n");
}

TEST(Diagnostic, ParseErrorWithoutRuleMirrorsTabs) {
  Diagnostic d;
  d.message = "expected a version";
  d.location = {"r.txt", 2, 6, 0};
  d.source_line = "\tfoo>=";
  EXPECT_EQ(format_diagnostic(d),
            "r.txt:2:6: error: expected a version\n"
            "  \tfoo>=\n"
            "  \t    ^\n");
}

TEST(Diagnostic, UnknownLocationOmitsCaret) {
  Diagnostic d;
  d.severity = Severity::kInfo;
  d.message = "no requirements";
  d.location = {"r.txt", 0, 0, 0};
  d.source_line = "ignored";
  EXPECT_EQ(format_diagnostic(d), "r.txt: info: no requirements\n");
}

TEST(Diagnostic, ColorWrapsSeverityAndCaret) {
  Diagnostic d;
  d.message = "m";
  d.location = {"f", 1, 1, 0};
  d.source_line = "x";
  EXPECT_EQ(format_diagnostic(d, true),
            "f:1:1: \x1b[1;31merror\x1b[0m: m\n  x\n  \x1b[1;32m^\x1b[0m\n");
}

TEST(DiagnosticSink, CountsErrorsAndAbsorbs) {
  DiagnosticSink a, b;
  a.report({Severity::kWarning, "", "w", {}, "", ""});
  EXPECT_FALSE(a.has_errors());
  b.report({Severity::kError, "", "e", {}, "", ""});
  a.absorb(std::move(b));
  EXPECT_TRUE(a.has_errors());
  EXPECT_EQ(a.error_count(), 1u);
  EXPECT_EQ(a.diagnostics().size(), 2u);
}

TEST(Location, ShiftsIntoFileCoordinates) {
  Location l{"", 0, 3, 5};
  Location s = l.shifted("req.txt", 7, 10);
  EXPECT_EQ(s.str(), "req.txt:7:12");
  EXPECT_EQ(s.end_column, 14);
}

}  // namespace
}  // namespace funcpack
