// `funcpack audit WHEEL|DIR... [--policy TAG] [--python X.Y] [--arch ARCH] [--format text|json]`:
// reads every ELF file of each wheel or installed tree and judges it against a manylinux
// policy (default: the target runtime's glibc ceiling). Exit 0 when every input satisfies the
// policy, 1 when one does not, 2 on usage or input errors.
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/commands.h"
#include "inputs/runtime_profile.h"
#include "materialise/audit.h"

namespace funcpack {

namespace {

std::string_view kind_name(AuditViolation::Kind k) {
  switch (k) {
    case AuditViolation::Kind::kArchitecture: return "architecture";
    case AuditViolation::Kind::kLibrary: return "library";
    case AuditViolation::Kind::kSymbolVersion: return "symbol-version";
    case AuditViolation::Kind::kBlacklistedSymbol: return "blacklisted-symbol";
  }
  return "";
}

struct Audited {
  std::string input;
  std::vector<ElfFile> files;
  AuditReport report;
};

void print_text(const std::vector<Audited>& all, std::ostream& out) {
  for (const auto& a : all) {
    const auto& r = a.report;
    out << a.input << ": " << (r.ok() ? "ok for " : "fails ") << r.policy;
    if (r.elf_paths.empty()) {
      out << " (no ELF files)\n";
    } else {
      out << " (best policy: " << r.best << ", " << r.elf_paths.size() << " ELF file"
          << (r.elf_paths.size() == 1 ? "" : "s") << ")\n";
    }
    for (const auto& v : r.violations) out << "  " << v.message << "\n";
  }
}

void print_json(const std::vector<Audited>& all, std::string_view policy, std::string_view arch,
                std::ostream& out) {
  nlohmann::ordered_json doc;
  doc["policy"] = policy;
  doc["arch"] = arch;
  doc["inputs"] = nlohmann::ordered_json::array();
  for (const auto& a : all) {
    nlohmann::ordered_json in;
    in["path"] = a.input;
    in["ok"] = a.report.ok();
    in["best_policy"] = a.report.best.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(a.report.best);
    in["elf_files"] = nlohmann::ordered_json::array();
    for (const auto& f : a.files) {
      nlohmann::ordered_json e;
      e["path"] = f.path;
      e["machine"] = f.info.machine;
      e["soname"] = f.info.soname;
      e["needed"] = f.info.needed;
      e["version_needs"] = nlohmann::ordered_json::array();
      for (const auto& v : f.info.version_needs)
        e["version_needs"].push_back({{"library", v.library}, {"version", v.version}});
      in["elf_files"].push_back(std::move(e));
    }
    in["violations"] = nlohmann::ordered_json::array();
    for (const auto& v : a.report.violations)
      in["violations"].push_back({{"kind", kind_name(v.kind)},
                                  {"file", v.path},
                                  {"library", v.library},
                                  {"detail", v.detail},
                                  {"message", v.message}});
    doc["inputs"].push_back(std::move(in));
  }
  out << doc.dump(2) << "\n";
}

}  // namespace

int cmd_audit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"Audit the native libraries of wheels or installed trees", "audit"};
  std::vector<std::string> inputs;
  std::string policy_name, python, arch = "x86_64", format = "text";
  app.add_option("inputs", inputs, "wheels (.whl) or directories")->required();
  app.add_option("--policy", policy_name,
                 "platform tag to judge against (default: manylinux_2_N for the target's glibc)");
  app.add_option("--python", python, "target Python X.Y (picks the runtime's glibc ceiling)");
  app.add_option("--arch", arch, "target architecture")->check(CLI::IsMember({"x86_64", "aarch64"}));
  app.add_option("--format", format, "output format")->check(CLI::IsMember({"text", "json"}));
  if (auto code = parse_command_line(app, args, out, err)) return *code;

  if (policy_name.empty()) {
    auto profile = RuntimeProfile::load();
    if (!profile) {
      err << "funcpack audit: " << profile.error().message << "\n";
      return 2;
    }
    auto target = make_target(*profile, python);
    if (!target) {
      err << "funcpack audit: " << target.error().message << "\n";
      return 2;
    }
    policy_name = "manylinux_" + std::to_string(target->glibc_major) + "_" +
                  std::to_string(target->glibc_minor);
  }
  auto policies = PolicySet::load(policy_name.starts_with("musllinux") ? "musllinux" : "manylinux");
  if (!policies) {
    err << "funcpack audit: " << policies.error().message << "\n";
    return 2;
  }
  const PlatformPolicy* policy = policies->find(policy_name);
  if (!policy) {
    err << "funcpack audit: unknown policy '" << policy_name << "'\n";
    return 2;
  }

  std::vector<Audited> all;
  bool input_error = false;
  for (const auto& in : inputs) {
    auto files = collect_elf_files(in);
    if (!files) {
      err << "funcpack audit: " << files.error().message << "\n";
      input_error = true;
      continue;
    }
    AuditReport report = audit(*files, *policies, *policy, arch);
    all.push_back({in, std::move(*files), std::move(report)});
  }
  if (input_error) return 2;
  if (format == "json") print_json(all, policy->name, arch, out);
  else print_text(all, out);
  for (const auto& a : all)
    if (!a.report.ok()) return 1;
  return 0;
}

}  // namespace funcpack
