#include "materialise/build_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/progress.h"

namespace funcpack {

void summarise_build(BuildReport& report, const std::vector<ReportFile>& files) {
  report.app_files = report.package_files = report.app_bytes = report.package_bytes = 0;
  for (const auto& f : files) {
    if (f.package.empty()) {
      ++report.app_files;
      report.app_bytes += f.bytes;
    } else {
      ++report.package_files;
      report.package_bytes += f.bytes;
    }
  }
  std::sort(report.packages.begin(), report.packages.end(),
            [](const ReportPackage& a, const ReportPackage& b) {
              if (a.bytes != b.bytes) return a.bytes > b.bytes;
              return a.name < b.name;
            });
  // The top ten by a partial sort over indexes: no copy of every path.
  std::vector<size_t> order(files.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const size_t n = std::min(kLargestFiles, files.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                    [&](size_t a, size_t b) {
                      if (files[a].bytes != files[b].bytes) return files[a].bytes > files[b].bytes;
                      return files[a].path < files[b].path;
                    });
  report.largest.clear();
  for (size_t i = 0; i < n; ++i) report.largest.push_back(files[order[i]]);
}

std::string build_report_json(const BuildReport& r) {
  using J = nlohmann::ordered_json;
  J doc;
  doc["version"] = 1;
  doc["target"] = {{"python", r.python}, {"machine", r.machine}, {"manylinux", r.manylinux}};
  doc["lock"] = {{"path", r.lock_path}, {"sha256", r.lock_sha256}};
  J outputs = J::array();
  for (const auto& o : r.outputs) {
    outputs.push_back({{"kind", o.kind}, {"path", o.path}, {"sha256", o.sha256},
                       {"bytes", o.bytes}});
  }
  doc["outputs"] = std::move(outputs);
  doc["files"] = {{"total", r.total_files()}, {"app", r.app_files},
                  {"packages", r.package_files}};
  doc["bytes"] = {{"total", r.total_bytes()}, {"app", r.app_bytes},
                  {"packages", r.package_bytes}};
  J packages = J::array();
  for (const auto& p : r.packages) {
    packages.push_back({{"name", p.name}, {"version", p.version}, {"files", p.files},
                        {"bytes", p.bytes}});
  }
  doc["packages"] = std::move(packages);
  J largest = J::array();
  for (const auto& f : r.largest) {
    largest.push_back({{"path", f.path}, {"bytes", f.bytes},
                       {"package", f.package.empty() ? J(nullptr) : J(f.package)}});
  }
  doc["largest_files"] = std::move(largest);
  doc["size_warning"] = {{"threshold_bytes", r.size_warning_bytes},
                         {"exceeded", r.over_size_warning()}};
  // Paths are UTF-8 as deployed; replace (never throw on) anything that is not.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string pad_left(std::string s, size_t width) {
  if (s.size() < width) s.insert(0, width - s.size(), ' ');
  return s;
}

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

std::string build_report_text(const BuildReport& r) {
  std::string s;
  if (!r.outputs.empty()) s += "built " + r.outputs.front().path + "\n";
  s += "  files:    " + std::to_string(r.total_files()) + " (" + std::to_string(r.app_files) +
       " app, " + std::to_string(r.package_files) + " from " +
       plural(r.packages.size(), "package", "packages") + ")\n";
  s += "  size:     " + progress_size(r.total_bytes()) + " unpacked (app " +
       progress_size(r.app_bytes) + ", packages " + progress_size(r.package_bytes) + ")\n";
  s += "  target:   Python " + r.python + ", " + r.machine + ", " + r.manylinux + "\n";
  for (const auto& o : r.outputs) {
    s += pad("  " + std::string(o.kind == "zip" ? "zip" : "context") + ":", 12) + o.path +
         ", " + progress_size(o.bytes) + ", sha256 " + o.sha256 + "\n";
  }
  if (!r.lock_path.empty()) s += "  lock:     " + r.lock_path + ", sha256 " + r.lock_sha256 + "\n";
  if (!r.packages.empty()) {
    s += "  packages (installed size):\n";
    std::vector<std::string> names, sizes;
    size_t name_w = 0, size_w = 0;
    for (const auto& p : r.packages) {
      names.push_back(p.name + " " + p.version);
      sizes.push_back(progress_size(p.bytes));
      name_w = std::max(name_w, names.back().size());
      size_w = std::max(size_w, sizes.back().size());
    }
    for (size_t i = 0; i < r.packages.size(); ++i) {
      s += "    " + pad(names[i], name_w) + "  " + pad_left(sizes[i], size_w) + "  " +
           plural(r.packages[i].files, "file", "files") + "\n";
    }
  }
  if (!r.largest.empty()) {
    s += "  largest files:\n";
    size_t size_w = 0;
    for (const auto& f : r.largest) size_w = std::max(size_w, progress_size(f.bytes).size());
    for (const auto& f : r.largest) {
      s += "    " + pad_left(progress_size(f.bytes), size_w) + "  " + f.path + "\n";
    }
  }
  return s;
}

std::optional<std::string> build_report_size_warning(const BuildReport& r) {
  if (!r.over_size_warning()) return std::nullopt;
  std::string s = "warning: the package is " + progress_size(r.total_bytes()) +
                  " unpacked, over the " + progress_size(r.size_warning_bytes) +
                  " warning threshold";
  if (!r.packages.empty()) {
    const auto& p = r.packages.front();  // sorted: the largest
    s += "; the largest package is " + p.name + " " + p.version + " (" +
         progress_size(p.bytes) + ")";
  }
  s += ". Consider a container image (--container-context) or raise the threshold "
       "(--size-warning MB, size_warning_mb in funcpack.toml)";
  return s;
}

}  // namespace funcpack
