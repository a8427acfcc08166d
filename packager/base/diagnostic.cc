#include "base/diagnostic.h"

namespace funcpack {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "info";
  }
  return "error";
}

namespace {
const char* severity_color(Severity s) {
  switch (s) {
    case Severity::kError: return "\x1b[1;31m";
    case Severity::kWarning: return "\x1b[1;33m";
    case Severity::kInfo: return "\x1b[1;36m";
  }
  return "";
}
}  // namespace

std::string format_diagnostic(const Diagnostic& d, bool color) {
  std::string out;
  std::string where = d.location.str();
  if (!where.empty()) out += where + ": ";
  if (color) out += severity_color(d.severity);
  out += severity_name(d.severity);
  if (!d.rule_id.empty()) out += "[" + d.rule_id + "]";
  if (color) out += "\x1b[0m";
  out += ": " + d.message + "\n";
  const int col = d.location.column;
  if (!d.source_line.empty() && col > 0) {
    out += "  " + d.source_line + "\n  ";
    // Mirror tabs so the caret lines up under the same display column.
    for (int i = 0; i < col - 1; ++i) {
      const bool in_line = static_cast<size_t>(i) < d.source_line.size();
      out += (in_line && d.source_line[i] == '\t') ? '\t' : ' ';
    }
    int width = d.location.end_column > col ? d.location.end_column - col : 1;
    if (color) out += "\x1b[1;32m";
    out += '^';
    for (int i = 1; i < width; ++i) out += '~';
    if (color) out += "\x1b[0m";
    out += "\n";
  }
  if (!d.hint.empty()) out += "  hint: " + d.hint + "\n";
  return out;
}

Diagnostic diagnostic_from_error(const Error& e, std::string source_line, Severity severity) {
  Diagnostic d;
  d.severity = severity;
  d.message = e.message;
  d.location = e.location;
  d.source_line = std::move(source_line);
  return d;
}

void DiagnosticSink::report(Diagnostic d) {
  if (d.severity == Severity::kError) ++errors_;
  diagnostics_.push_back(std::move(d));
}

void DiagnosticSink::absorb(DiagnosticSink&& other) {
  for (auto& d : other.diagnostics_) report(std::move(d));
  other.diagnostics_.clear();
  other.errors_ = 0;
}

}  // namespace funcpack
