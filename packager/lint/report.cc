#include "lint/report.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "base/strings.h"

namespace funcpack {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

std::string_view sarif_level(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "note";
  }
  return "error";
}

std::string_view github_command(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "notice";
  }
  return "error";
}

ojson int_or_null(int v) { return v > 0 ? ojson(v) : ojson(nullptr); }

std::string_view policy_name(Policy p) { return p == Policy::kExact ? "exact" : "minimum"; }

// Percent-encodes what may not appear raw in a relative URI reference path.
std::string uri_path(std::string_view p) {
  std::string out;
  for (unsigned char c : p) {
    if (is_ascii_alnum(static_cast<char>(c)) || std::string_view("-._~/!$&'()*+,;=:@").find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// Rule texts are wrapped at ~95 columns in the TOML files; viewers of SARIF reflow text
// themselves, so single line breaks become spaces and blank lines stay paragraph breaks.
std::string unwrap(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && i + 1 < text.size() && text[i + 1] != '\n' &&
        (i == 0 || text[i - 1] != '\n'))
      out += ' ';
    else
      out += text[i];
  }
  return out;
}

}  // namespace

std::optional<OutputFormat> parse_output_format(std::string_view s) {
  if (s == "text") return OutputFormat::kText;
  if (s == "json") return OutputFormat::kJson;
  if (s == "sarif") return OutputFormat::kSarif;
  if (s == "github") return OutputFormat::kGithub;
  return std::nullopt;
}

std::string relative_to_root(const fs::path& path, const fs::path& root) {
  const fs::path p = path.lexically_normal();
  const fs::path r = (root.empty() ? fs::path(".") : root).lexically_normal();
  // Mixed absolute/relative spellings are compared as absolute paths.
  fs::path rel = p.is_absolute() == r.is_absolute()
                     ? p.lexically_relative(r)
                     : fs::absolute(p).lexically_normal().lexically_relative(
                           fs::absolute(r).lexically_normal());
  if (rel.empty()) return p.generic_string();
  return rel.generic_string();
}

std::string summary_line(const std::vector<Diagnostic>& findings) {
  if (findings.empty()) return "no findings\n";
  size_t counts[3] = {0, 0, 0};
  std::set<std::string> files;
  for (const auto& d : findings) {
    ++counts[static_cast<int>(d.severity)];
    if (!d.location.path.empty()) files.insert(d.location.path);
  }
  auto n = [](size_t c, std::string_view one, std::string_view many) {
    return std::to_string(c) + " " + std::string(c == 1 ? one : many);
  };
  std::string s = n(counts[0], "error", "errors") + ", " + n(counts[1], "warning", "warnings") +
                  ", " + n(counts[2], "info", "info");
  if (!files.empty()) s += " in " + n(files.size(), "file", "files");
  return s + "\n";
}

std::string format_text(const LintReport& report, bool color) {
  std::string out;
  for (const auto& d : report.findings) out += format_diagnostic(d, color);
  if (!report.findings.empty()) out += "\n";
  return out + summary_line(report.findings);
}

std::string format_json(const LintReport& report) {
  ojson doc;
  doc["schema"] = "funcpack-lint/1";
  doc["app"] = report.app_root.generic_string();
  doc["target"] = {{"python", report.python},
                   {"plan", report.plan},
                   {"policy", policy_name(report.policy)}};
  ojson findings = ojson::array();
  size_t counts[3] = {0, 0, 0};
  std::set<std::string> files;
  for (const auto& d : report.findings) {
    ++counts[static_cast<int>(d.severity)];
    ojson f;
    f["rule"] = d.rule_id;
    f["severity"] = severity_name(d.severity);
    f["message"] = d.message;
    if (d.location.path.empty()) {
      f["path"] = nullptr;
    } else {
      f["path"] = relative_to_root(d.location.path, report.app_root);
      files.insert(d.location.path);
    }
    f["line"] = int_or_null(d.location.line);
    f["column"] = int_or_null(d.location.column);
    f["end_column"] = int_or_null(d.location.end_column);
    f["source_line"] = d.source_line.empty() ? ojson(nullptr) : ojson(d.source_line);
    f["hint"] = d.hint.empty() ? ojson(nullptr) : ojson(d.hint);
    findings.push_back(std::move(f));
  }
  doc["findings"] = std::move(findings);
  doc["summary"] = {{"errors", counts[0]},
                    {"warnings", counts[1]},
                    {"info", counts[2]},
                    {"files", files.size()}};
  return doc.dump(2) + "\n";
}

std::string format_sarif(const LintReport& report, const RuleRegistry& rules) {
  ojson driver;
  driver["name"] = "funcpack";
  driver["informationUri"] = "https://github.com/funcpack/funcpack";
  ojson rule_list = ojson::array();
  for (const auto& r : rules.rules()) {
    ojson j;
    j["id"] = r.id;
    j["name"] = r.name;
    j["shortDescription"] = {{"text", r.summary}};
    j["fullDescription"] = {{"text", unwrap(r.rationale)}};
    j["help"] = {{"text", r.help + "\n\nFix: " + r.hint}};
    j["defaultConfiguration"] = {{"level", sarif_level(r.severity)}};
    j["properties"] = {{"fixable", r.fixable}, {"source", r.source}};
    rule_list.push_back(std::move(j));
  }
  driver["rules"] = std::move(rule_list);

  ojson results = ojson::array();
  for (const auto& d : report.findings) {
    ojson res;
    res["ruleId"] = d.rule_id;
    res["ruleIndex"] = rules.index_of(d.rule_id);
    res["level"] = sarif_level(d.severity);
    res["message"] = {{"text", d.hint.empty() ? d.message : d.message + " (hint: " + d.hint + ")"}};
    if (!d.location.path.empty()) {
      ojson phys;
      phys["artifactLocation"] = {{"uri", uri_path(relative_to_root(d.location.path, report.app_root))},
                                  {"uriBaseId", "APPROOT"}};
      if (d.location.line > 0) {
        ojson region;
        region["startLine"] = d.location.line;
        if (d.location.column > 0) {
          region["startColumn"] = d.location.column;
          region["endColumn"] = d.location.end_column > d.location.column ? d.location.end_column
                                                                          : d.location.column + 1;
        }
        if (!d.source_line.empty()) region["snippet"] = {{"text", d.source_line}};
        phys["region"] = std::move(region);
      }
      res["locations"] = ojson::array({ojson{{"physicalLocation", std::move(phys)}}});
    }
    results.push_back(std::move(res));
  }

  ojson run;
  run["tool"] = {{"driver", std::move(driver)}};
  std::string root_uri = "file://" + uri_path(fs::absolute(report.app_root.empty() ? fs::path(".") : report.app_root)
                                                  .lexically_normal()
                                                  .generic_string());
  if (!root_uri.ends_with('/')) root_uri += '/';
  run["originalUriBaseIds"] = {{"APPROOT", {{"uri", root_uri}}}};
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = std::move(results);

  ojson doc;
  doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  doc["version"] = "2.1.0";
  doc["runs"] = ojson::array({std::move(run)});
  return doc.dump(2) + "\n";
}

std::string github_escape_data(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string github_escape_property(std::string_view s) {
  std::string out;
  for (char c : github_escape_data(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

std::string format_github(const LintReport& report) {
  std::string out;
  for (const auto& d : report.findings) {
    out += "::";
    out += github_command(d.severity);
    std::vector<std::string> props;
    if (!d.location.path.empty()) {
      props.push_back("file=" + github_escape_property(fs::path(d.location.path).lexically_normal().generic_string()));
      if (d.location.line > 0) props.push_back("line=" + std::to_string(d.location.line));
      if (d.location.column > 0) props.push_back("col=" + std::to_string(d.location.column));
      if (d.location.end_column > d.location.column && d.location.column > 0)
        props.push_back("endColumn=" + std::to_string(d.location.end_column));
    }
    props.push_back("title=" + github_escape_property(d.rule_id));
    out += " " + join(props, ",");
    std::string msg = d.message;
    if (!d.hint.empty()) msg += "\nhint: " + d.hint;
    out += "::" + github_escape_data(msg) + "\n";
  }
  return out;
}

}  // namespace funcpack
