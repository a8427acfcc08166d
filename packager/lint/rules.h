// rules.h: the lint rule registry. Every rule is one data file rules/lint/<ID>.toml (embedded
// in the binary, FUNCPACK_RULES_DIR overrides; see inputs/rules_data.h) and one check in
// checks.cc; this module loads and validates the data.
//
// A rule file has exactly these top-level keys (any other key is an error):
//   id        "FP101" — must match the file name
//   name      kebab-case slug ("no-version-constraint"), used as SARIF rule name
//   severity  "error" | "warning" | "info" (the default; configuration can override)
//   summary   one line (`funcpack rules`, SARIF shortDescription)
//   rationale why it matters (`funcpack explain`, SARIF fullDescription)
//   hint      one-line fix hint printed under each finding
//   help      examples that trigger and that do not (`funcpack explain`, SARIF help)
//   fixable   whether `--fix` rewrites it
//   source    where the facts come from (FIELD-NOTES / the runtime reference)
//   [facts]   optional; the keys and types the rule's check declares (CheckSpec), no others
//
// Traps: toml11 tables are unordered, so rules are sorted by id here; every mismatch between
// the data and the checks (a file without a check, a check without a file, a missing or
// extra fact) is a load error naming the file, so a broken rules/ cannot ship silently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/diagnostic.h"
#include "base/error.h"

namespace funcpack {

enum class FactType { kInteger, kString, kStringList, kIntegerList };

// What a check needs from its rule file: the rule id and its facts.
struct FactSpec {
  std::string_view key;
  FactType type;
};
struct CheckSpec {
  std::string_view id;
  std::vector<FactSpec> facts;
};

using FactValue =
    std::variant<int64_t, std::string, std::vector<std::string>, std::vector<int64_t>>;

struct Rule {
  std::string id;
  std::string name;
  Severity severity = Severity::kError;
  std::string summary;
  std::string rationale;
  std::string hint;
  std::string help;
  bool fixable = false;
  std::string source;
  std::map<std::string, FactValue, std::less<>> facts;

  // Typed fact lookups. Facts are validated against the CheckSpec at load time, so a missing
  // key or a wrong type is a programming error; these then return 0 / "" / {}.
  int64_t integer(std::string_view key) const;
  const std::string& text(std::string_view key) const;
  const std::vector<std::string>& strings(std::string_view key) const;
  const std::vector<int64_t>& integers(std::string_view key) const;
};

// Parses "error" / "warning" / "info"; nullopt otherwise.
std::optional<Severity> parse_severity(std::string_view s);

class RuleRegistry {
 public:
  // Loads every rules/lint/*.toml and validates it against `specs` (default: the checks'
  // own table, check_specs() in checks.h). Returns the registry, or the first Error (with
  // file:line:col where toml11 knows it).
  static Result<RuleRegistry> load();
  static Result<RuleRegistry> load(std::span<const CheckSpec> specs);
  // As load, from (path, text) pairs; `path` is used in messages and must end in "<ID>.toml".
  static Result<RuleRegistry> parse(const std::vector<std::pair<std::string, std::string>>& files,
                                    std::span<const CheckSpec> specs);

  const std::vector<Rule>& rules() const { return rules_; }  // sorted by id
  const Rule* find(std::string_view id) const;                // nullptr if unknown
  // Index of `id` in rules() (SARIF ruleIndex); -1 if unknown.
  int index_of(std::string_view id) const;

 private:
  std::vector<Rule> rules_;
};

}  // namespace funcpack
