// config.h: funcpack's per-app configuration, read from `funcpack.toml` beside
// function_app.py or from the `[tool.funcpack]` table of pyproject.toml (toml11).
//
// Keys (all optional; any other key is an error with file:line:col):
//   python  = "3.12"                       target Python version
//   plan    = "flex"                       consumption | flex | premium | dedicated
//   policy  = "minimum"                    lint pinning policy: minimum | exact
//   disable = ["FP210", "FP401"]           lint rules that are not run
//   [severity]  FP103 = "error"            per-rule severity override (error|warning|info)
//   size_warning_mb = 500                  build: warn when the unpacked package is over this
//                                          many MiB (a non-negative integer; 0: never)
// In pyproject.toml the same keys live under [tool.funcpack] (and [tool.funcpack.severity]);
// other tables of pyproject.toml are not ours and are ignored.
//
// Lookup (find_config): an explicit file (`--config FILE`) wins; otherwise funcpack.toml in the
// app directory; otherwise pyproject.toml's [tool.funcpack] there. funcpack.toml and a
// pyproject.toml with [tool.funcpack] side by side is an error (which one applies would be a
// guess).
//
// This module checks syntax and types only. Values whose validity depends on data of a higher
// layer (rule ids, Python versions, plans) are checked by their users, which report at the
// value's Location kept here.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/error.h"

namespace funcpack {

struct ConfigString {
  std::string value;
  Location location;  // of the value (of the key for table entries such as severity.FP103)
};

struct ConfigInteger {
  int64_t value = 0;
  Location location;  // of the value
};

struct FuncpackConfig {
  std::filesystem::path path;  // the file read; empty when the app has no configuration
  std::optional<ConfigString> python;
  std::optional<ConfigString> plan;
  std::optional<ConfigString> policy;
  std::vector<ConfigString> disable;                              // rule ids
  std::vector<std::pair<ConfigString, Severity>> severity;        // rule id -> severity
  std::optional<ConfigInteger> size_warning_mb;                   // build's size warning
};

// Parses configuration text. `pyproject` selects the [tool.funcpack] form (an absent table yields an
// empty config whose `path` is empty). Errors: TOML syntax (toml11's message, with
// line), "unknown key 'x' in funcpack configuration", wrong types ("'python' must be a
// string"), a severity other than error|warning|info, a policy other than minimum|exact.
Result<FuncpackConfig> parse_config(std::string_view text, const std::filesystem::path& path,
                                    bool pyproject);

// Finds and reads the configuration for the app in `app_dir` (see Lookup above). `explicit_file`
// is parsed in pyproject form when its file name is pyproject.toml, else in funcpack.toml form.
// Returns an empty FuncpackConfig (path empty) when there is none; errors as parse_config, plus
// "cannot read PATH: reason" and the two-files conflict.
Result<FuncpackConfig> find_config(const std::filesystem::path& app_dir,
                                   const std::optional<std::filesystem::path>& explicit_file);

// toml11 (v3) gives a value's location, not its key's. Returns `value_location` moved to where
// `key` is written on `line` before the value (bare or quoted), spanning the key; unchanged
// when the key is not found there (dotted keys, multi-line values).
Location locate_toml_key(const Location& value_location, std::string_view line,
                         std::string_view key);

}  // namespace funcpack
