// diagnostic.h: one diagnostic shape for every problem a user can cause, and the sink that
// collects them.
//
// Text form (ninja's lexer errors, uv's PEP 508 errors):
//   path:line:col: severity[RULE-ID]: message
//     <source line>
//     <spaces>^~~~
//     hint: <fix hint>
// The `[RULE-ID]` part is omitted when `rule_id` is empty (parse errors); the source/caret
// lines when `source_line` is empty or the column is unknown; the hint line when `hint` is
// empty. Tabs in the source line are kept and mirrored in the caret's padding so the caret
// lines up in a terminal.
//
// The sink does not stop on the first error: inputs with many problems report and go on, and
// commands check `has_errors()` at phase boundaries (mold's checkpoint()).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace funcpack {

enum class Severity { kError, kWarning, kInfo };

std::string_view severity_name(Severity s);  // "error", "warning", "info"

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string rule_id;      // empty for input/parse errors
  std::string message;
  Location location;
  std::string source_line;  // the whole line the location points into (no newline)
  std::string hint;         // one-line fix hint, may be empty
};

// Formats one diagnostic as above, ending with '\n'. With `color`, wraps the severity and
// caret in ANSI escapes (callers decide: TTY and NO_COLOR unset).
std::string format_diagnostic(const Diagnostic& d, bool color = false);

// Builds a diagnostic from an Error whose location is already in file coordinates.
Diagnostic diagnostic_from_error(const Error& e, std::string source_line = {},
                                 Severity severity = Severity::kError);

class DiagnosticSink {
 public:
  void report(Diagnostic d);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  bool has_errors() const { return errors_ > 0; }
  size_t error_count() const { return errors_; }
  // Moves every diagnostic of `other` in here.
  void absorb(DiagnosticSink&& other);

 private:
  std::vector<Diagnostic> diagnostics_;
  size_t errors_ = 0;
};

}  // namespace funcpack
