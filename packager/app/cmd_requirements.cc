// cmd_requirements.cc: `funcpack requirements [APP_DIR|FILE] [--python X.Y] [--format text|json]`
//
// Prints the fully expanded requirement set of an app (APP_DIR/requirements.txt, or FILE) for
// the deployment target: every entry with its normalised name, extras, specifier and marker,
// whether the marker applies to the target, URL, hashes, editable flag, kind and source
// location, plus the index options in force. The JSON keys are documented in README.md
// (section "requirements"); they are a stable interface. Exit codes: 0 success (warnings go to
// stderr), 2 usage or input errors (diagnostics on stderr, nothing on stdout).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "base/diagnostic.h"
#include "base/strings.h"
#include "inputs/requirements_txt.h"
#include "inputs/runtime_profile.h"
#include "spec/package_name.h"
#include "spec/target.h"

namespace funcpack {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPypiSimple = "https://pypi.org/simple";

// One entry, reduced to what the command prints.
struct Row {
  const RequirementEntry* entry;
  std::string name;  // normalised, "" when unnamed
  std::vector<std::string> extras;  // normalised, sorted, unique
  std::string specifier;
  std::string marker;  // normalised, "" when none
  bool applies = true;
  std::string source;  // file:line
};

std::string_view kind_name(RequirementEntry::Kind k) {
  return k == RequirementEntry::Kind::kConstraint ? "constraint" : "requirement";
}

std::string_view form_name(RequirementEntry::Form f) {
  switch (f) {
    case RequirementEntry::Form::kNamed: return "named";
    case RequirementEntry::Form::kUrl: return "url";
    case RequirementEntry::Form::kVcs: return "vcs";
    case RequirementEntry::Form::kLocalPath: return "path";
  }
  return "named";
}

std::vector<Row> make_rows(const RequirementsFile& file, const MarkerEnvironment& env) {
  std::vector<Row> rows;
  rows.reserve(file.entries.size());
  for (const auto& e : file.entries) {
    Row r;
    r.entry = &e;
    if (!e.req.name.empty()) r.name = normalize_name(e.req.name);
    std::set<std::string> extras;
    for (const auto& x : e.req.extras) extras.insert(normalize_name(x));
    r.extras.assign(extras.begin(), extras.end());
    r.specifier = e.req.specifier.str();
    if (e.req.marker) {
      r.marker = e.req.marker->str();
      // pip evaluates a top-level requirement's marker with `extra` empty.
      r.applies = e.req.marker->evaluate(env, "");
    }
    r.source = e.location.path + ":" + std::to_string(e.location.line);
    rows.push_back(std::move(r));
  }
  return rows;
}

bool hash_checking(const RequirementsFile& file) {
  if (file.options.require_hashes) return true;
  return std::any_of(file.entries.begin(), file.entries.end(),
                     [](const RequirementEntry& e) { return !e.hashes.empty(); });
}

std::string display_name(const Row& r) {
  std::string out = r.name.empty() ? "(unnamed)" : r.name;
  if (!r.extras.empty()) out += "[" + join(r.extras, ",") + "]";
  return out;
}

void pad(std::string& line, size_t width) {
  if (line.size() < width) line.append(width - line.size(), ' ');
}

std::string list_or_dash(const std::vector<std::string>& v) {
  return v.empty() ? std::string("-") : join(v, " ");
}

std::string set_or_dash(const std::set<std::string>& s) {
  return s.empty() ? std::string("-") : join(std::vector<std::string>(s.begin(), s.end()), ",");
}

void print_text(std::ostream& out, const std::string& root, const Target& target,
                const RequirementsFile& file, const std::vector<Row>& rows) {
  std::string text;
  text.reserve(rows.size() * 120 + 1024);
  text += "requirements: " + root + "\n";
  text += "target: CPython " + target.python_full_version + " on linux " + target.machine + "\n";
  text += "\n";

  const std::vector<std::string> headers = {"KIND", "NAME", "SPECIFIER", "MARKER", "APPLIES",
                                            "SOURCE"};
  std::vector<size_t> width(headers.size());
  for (size_t c = 0; c < headers.size(); ++c) width[c] = headers[c].size();
  std::vector<std::array<std::string, 6>> cells;
  cells.reserve(rows.size());
  for (const Row& r : rows) {
    std::array<std::string, 6> row = {std::string(kind_name(r.entry->kind)),
                                      display_name(r),
                                      r.specifier.empty() ? "-" : r.specifier,
                                      r.marker.empty() ? "-" : r.marker,
                                      r.applies ? "yes" : "no",
                                      r.source};
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    cells.push_back(std::move(row));
  }
  auto emit = [&](const auto& row) {
    std::string line;
    size_t start = 0;
    for (size_t c = 0; c < row.size(); ++c) {
      pad(line, start);
      line += row[c];
      start += width[c] + 2;
    }
    text += line + "\n";
  };
  if (rows.empty()) {
    text += "(no requirements)\n";
  } else {
    emit(headers);
  }
  const std::string detail_indent(width[0] + 2, ' ');
  for (size_t i = 0; i < rows.size(); ++i) {
    emit(cells[i]);
    const RequirementEntry& e = *rows[i].entry;
    if (e.editable) text += detail_indent + "editable\n";
    if (!e.url.empty()) {
      text += detail_indent + (e.form == RequirementEntry::Form::kLocalPath ? "path " : "url ") +
              e.url + "\n";
    }
    if (!e.vcs_revision.empty()) text += detail_indent + "revision " + e.vcs_revision + "\n";
    for (const auto& h : e.hashes) text += detail_indent + "hash " + h + "\n";
    for (const auto& [k, v] : e.config_settings)
      text += detail_indent + "config-settings " + k + "=" + v + "\n";
  }

  const IndexOptions& o = file.options;
  text += "\nindex options:\n";
  std::string index_url = o.no_index  ? "- (--no-index)"
                          : o.index_url ? *o.index_url
                                        : std::string(kPypiSimple) + " (pip's default)";
  const std::vector<std::pair<std::string, std::string>> opts = {
      {"index-url", index_url},
      {"extra-index-url", list_or_dash(o.extra_index_urls)},
      {"find-links", list_or_dash(o.find_links)},
      {"trusted-host", list_or_dash(o.trusted_hosts)},
      {"no-index", o.no_index ? "yes" : "no"},
      {"pre", o.pre ? "yes" : "no"},
      {"prefer-binary", o.prefer_binary ? "yes" : "no"},
      {"require-hashes", o.require_hashes ? "yes" : "no"},
      {"hash-checking", hash_checking(file) ? "yes" : "no"},
      {"only-binary", set_or_dash(o.only_binary)},
      {"no-binary", set_or_dash(o.no_binary)},
  };
  for (const auto& [k, v] : opts) {
    std::string line = "  " + k;
    pad(line, 19);
    text += line + v + "\n";
  }

  size_t constraints = 0, applicable = 0;
  for (const Row& r : rows) {
    if (r.entry->kind == RequirementEntry::Kind::kConstraint) ++constraints;
    if (r.applies) ++applicable;
  }
  const size_t requirements = rows.size() - constraints;
  text += "\n" + std::to_string(requirements) +
          (requirements == 1 ? " requirement, " : " requirements, ") +
          std::to_string(constraints) + (constraints == 1 ? " constraint" : " constraints") +
          " from " + std::to_string(file.files.size()) +
          (file.files.size() == 1 ? " file" : " files") + "; " + std::to_string(applicable) +
          " of " + std::to_string(rows.size()) + " apply to the target\n";
  out << text;
}

// A streaming JSON writer with nlohmann::json's dump(2) layout (2-space indent, "key": value,
// empty containers as [] and {}). Building an nlohmann DOM for thousands of entries cost 3x
// the parse itself (measured with scripts/bench-requirements), so the output is written
// directly.
class JsonWriter {
 public:
  // Appends to `out`; the text is complete once finish() has been called.
  explicit JsonWriter(std::string& out) : out_(out), len_(out.size()) {}
  void finish() { out_.resize(len_); }
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {  // `k` is one of our own keys: nothing to escape
    before_value();
    char* p = room(k.size() + 4);
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p += k.size();
    std::memcpy(p, "\": ", 3);
    len_ += k.size() + 4;
    after_key_ = true;
  }
  void value(std::string_view s) {
    before_value();
    quoted(s);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(bool b) {
    before_value();
    put(b ? std::string_view("true") : std::string_view("false"));
  }
  void value(long long n) {
    before_value();
    put(std::to_string(n));
  }
  void null() {
    before_value();
    put("null");
  }
  void string_or_null(std::string_view s) { s.empty() ? null() : value(s); }
  void strings(const std::vector<std::string>& v) {
    begin_array();
    for (const auto& s : v) value(s);
    end_array();
  }

 private:
  // Makes room for `n` more bytes and returns where they go (len_ is not advanced).
  char* room(size_t n) {
    if (len_ + n > out_.size()) out_.resize(std::max(out_.size() * 2, len_ + n + 4096));
    return out_.data() + len_;
  }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    len_ += s.size();
  }
  void put(char c) {
    *room(1) = c;
    ++len_;
  }
  // A newline and the indentation of the current depth, after a comma when `comma`.
  void newline(bool comma) {
    const size_t indent = 2 * depth_.size();
    char* p = room(indent + 2);
    if (comma) *p++ = ',';
    *p++ = '\n';
    std::memset(p, ' ', indent);
    len_ += indent + 1 + (comma ? 1 : 0);
  }
  void before_value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_.empty()) return;
    newline(depth_.back() != 0);
    depth_.back() = 1;
  }
  void open(char c) {
    before_value();
    put(c);
    depth_.push_back(0);
  }
  void close(char c) {
    const bool any = depth_.back() != 0;
    depth_.pop_back();
    if (any) newline(false);
    put(c);
  }
  void quoted(std::string_view s) {
    put('"');
    size_t run = 0;  // start of the pending run of characters that need no escape
    for (size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      put(s.substr(run, i - run));
      run = i + 1;
      switch (c) {
        case '"': put("\\\""); break;
        case '\\': put("\\\\"); break;
        case '\b': put("\\b"); break;
        case '\f': put("\\f"); break;
        case '\n': put("\\n"); break;
        case '\r': put("\\r"); break;
        case '\t': put("\\t"); break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          put(std::string_view(esc, sizeof esc));
        }
      }
    }
    put(s.substr(run));
    put('"');
  }

  std::string& out_;
  size_t len_;               // bytes of out_ written so far
  std::vector<char> depth_;  // per open container: has it a member yet?
  bool after_key_ = false;
};

void print_json(std::ostream& out, const std::string& root, const Target& target,
                const RequirementsFile& file, const std::vector<Row>& rows) {
  std::string text;
  text.reserve(rows.size() * 700 + 2048);
  JsonWriter j(text);
  j.begin_object();
  j.key("root");
  j.value(root);
  j.key("target");
  j.begin_object();
  j.key("implementation");
  j.value("cpython");
  j.key("python_version");
  j.value(target.python_version());
  j.key("python_full_version");
  j.value(target.python_full_version);
  j.key("platform");
  j.value("linux");
  j.key("machine");
  j.value(target.machine);
  j.end_object();
  j.key("files");
  j.begin_array();
  for (const auto& f : file.files) j.value(f.string());
  j.end_array();

  const IndexOptions& o = file.options;
  j.key("index");
  j.begin_object();
  j.key("index_url");
  if (o.index_url) {
    j.value(*o.index_url);
  } else {
    j.null();
  }
  j.key("extra_index_urls");
  j.strings(o.extra_index_urls);
  j.key("find_links");
  j.strings(o.find_links);
  j.key("trusted_hosts");
  j.strings(o.trusted_hosts);
  j.key("no_index");
  j.value(o.no_index);
  j.key("pre");
  j.value(o.pre);
  j.key("prefer_binary");
  j.value(o.prefer_binary);
  j.key("require_hashes");
  j.value(o.require_hashes);
  j.key("hash_checking");
  j.value(hash_checking(file));
  j.key("only_binary");
  j.strings(std::vector<std::string>(o.only_binary.begin(), o.only_binary.end()));
  j.key("no_binary");
  j.strings(std::vector<std::string>(o.no_binary.begin(), o.no_binary.end()));
  j.end_object();

  long long constraints = 0, applicable = 0;
  j.key("requirements");
  j.begin_array();
  for (const Row& r : rows) {
    const RequirementEntry& e = *r.entry;
    if (e.kind == RequirementEntry::Kind::kConstraint) ++constraints;
    if (r.applies) ++applicable;
    j.begin_object();
    j.key("kind");
    j.value(kind_name(e.kind));
    j.key("name");
    j.string_or_null(r.name);
    j.key("extras");
    j.strings(r.extras);
    j.key("specifier");
    j.value(r.specifier);
    j.key("marker");
    j.string_or_null(r.marker);
    j.key("applies");
    j.value(r.applies);
    j.key("form");
    j.value(form_name(e.form));
    j.key("url");
    j.string_or_null(e.url);
    j.key("vcs_revision");
    j.string_or_null(e.vcs_revision);
    j.key("editable");
    j.value(e.editable);
    j.key("hashes");
    j.strings(e.hashes);
    j.key("config_settings");
    j.begin_array();
    for (const auto& [k, v] : e.config_settings) {
      j.begin_object();
      j.key("key");
      j.value(k);
      j.key("value");
      j.value(v);
      j.end_object();
    }
    j.end_array();
    j.key("text");
    j.value(e.text);
    j.key("source");
    j.begin_object();
    j.key("file");
    j.value(e.location.path);
    j.key("line");
    j.value(static_cast<long long>(e.location.line));
    j.key("column");
    j.value(static_cast<long long>(e.location.column));
    j.end_object();
    j.key("include_chain");
    j.strings(e.include_chain);
    j.end_object();
  }
  j.end_array();
  j.key("summary");
  j.begin_object();
  j.key("requirements");
  j.value(static_cast<long long>(rows.size()) - constraints);
  j.key("constraints");
  j.value(constraints);
  j.key("applicable");
  j.value(applicable);
  j.end_object();
  j.end_object();
  j.finish();
  text += '\n';
  out << text;
}

}  // namespace

int cmd_requirements(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Print the fully expanded requirement set of an app for the deployment target.",
               "requirements"};
  std::string input = ".";
  std::string python;
  std::string format = "text";
  app.add_option("APP_DIR|FILE", input,
                 "app directory (reads its requirements.txt) or a requirements file "
                 "(default: the current directory)");
  app.add_option("--python", python, "target Python version X.Y (default: the runtime profile's)");
  app.add_option("--format", format, "output format: text or json (default: text)");

  if (auto code = parse_command_line(app, args, out, err)) return *code;
  if (format != "text" && format != "json") {
    err << "funcpack requirements: --format must be 'text' or 'json' (got '" << format << "')\n";
    return 2;
  }

  Result<RuntimeProfile> profile = RuntimeProfile::load();
  if (!profile) {
    err << "funcpack requirements: " << profile.error().message << "\n";
    return 2;
  }
  Result<Target> target = make_target(*profile, python);
  if (!target) {
    err << "funcpack requirements: " << target.error().message << "\n";
    return 2;
  }

  std::error_code ec;
  fs::path path = input;
  if (fs::is_directory(path, ec)) path /= "requirements.txt";
  path = path.lexically_normal();
  const std::string root = path.string();

  DiagnosticSink sink;
  RequirementsFile file = parse_requirements_file(path, sink);
  std::string diagnostics;
  for (const auto& d : sink.diagnostics()) diagnostics += format_diagnostic(d);
  err << diagnostics;
  if (sink.has_errors()) {
    const size_t n = sink.error_count();
    err << "funcpack requirements: " << n << (n == 1 ? " error" : " errors") << " in " << root
        << "\n";
    return 2;
  }

  std::vector<Row> rows = make_rows(file, target->marker_environment());
  if (format == "json") {
    print_json(out, root, *target, file, rows);
  } else {
    print_text(out, root, *target, file, rows);
  }
  out.flush();
  return 0;
}

}  // namespace funcpack
