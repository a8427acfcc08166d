// build_report.h: what `funcpack build` made, for people (the summary printed at the end) and
// for machines (`--report FILE`, JSON).
//
// Owns: the report's figures (file counts, unpacked sizes, size per installed distribution,
// the ten largest files, the lock's digest, each output's digest), their two renderings, and
// the size warning. It computes nothing from the file system: the caller hands in every
// deployed file with its size, so the figures are exactly those of the artifact.
//
// Definitions (the README's "build report" section documents the JSON keys):
//  - "unpacked size": the sum of the sizes of the deployed files (what the zip inflates to and
//    what the container image's /home/site/wwwroot holds); app files plus installed files;
//  - package size: the installed bytes of one distribution (its files under
//    .python_packages/lib/site-packages, dist-info included);
//  - order: packages by bytes descending, then name; largest files by bytes descending, then
//    path (byte order). Ties therefore never depend on input order;
//  - sizes in text use binary units ("12.3 MiB", see progress_size); JSON has exact bytes.
//  - the size warning is given when the unpacked size is strictly over the threshold; a
//    threshold of 0 disables it.
//
// JSON (2-space indent, keys in this order, '\n' at the end):
//   {"version": 1,
//    "target": {"python", "machine", "manylinux"},
//    "lock": {"path", "sha256"},
//    "outputs": [{"kind": "zip"|"container-context", "path", "sha256", "bytes"}],
//    "files": {"total", "app", "packages"},
//    "bytes": {"total", "app", "packages"},
//    "packages": [{"name", "version", "files", "bytes"}],
//    "largest_files": [{"path", "bytes", "package"}],   // package: "name" or null (app file)
//    "size_warning": {"threshold_bytes", "exceeded"}}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace funcpack {

// Ten: what fits on a screen and still names the usual culprits (native extensions, bundled
// shared libraries, test data).
inline constexpr size_t kLargestFiles = 10;

// Default size warning: 500 MiB unpacked. The runtime reference advises a custom container
// image for "very large dependency trees" (ML stacks), and FIELD-NOTES' worst accident (a
// .venv shipped by mistake) is a 1.5 GB upload; ordinary apps (even the 28-wheel, 160 MB
// corpus of DESIGN.md) stay well below. Override: --size-warning MB or size_warning_mb in
// funcpack.toml / [tool.funcpack].
inline constexpr uint64_t kDefaultSizeWarningMiB = 500;

struct ReportFile {
  std::string path;     // as deployed, '/'-separated
  uint64_t bytes = 0;
  std::string package;  // distribution name for installed files, "" for app files
};

struct ReportPackage {
  std::string name;
  std::string version;
  uint64_t files = 0;
  uint64_t bytes = 0;
};

struct ReportOutput {
  std::string kind;    // "zip" or "container-context"
  std::string path;    // absolute
  std::string sha256;  // zip: of the file; container context: see container_context.h
  uint64_t bytes = 0;  // zip: its size; container context: total size of its files
};

struct BuildReport {
  // Inputs.
  std::string python;     // "3.11"
  std::string machine;    // "x86_64"
  std::string manylinux;  // "manylinux_2_31"
  std::string lock_path;  // the lock used (given, or kept beside the output)
  std::string lock_sha256;
  std::vector<ReportOutput> outputs;
  std::vector<ReportPackage> packages;
  uint64_t size_warning_bytes = kDefaultSizeWarningMiB * 1024 * 1024;

  // Derived by `summarise_build`.
  uint64_t app_files = 0, package_files = 0;
  uint64_t app_bytes = 0, package_bytes = 0;
  std::vector<ReportFile> largest;  // at most kLargestFiles

  uint64_t total_files() const { return app_files + package_files; }
  uint64_t total_bytes() const { return app_bytes + package_bytes; }
  bool over_size_warning() const {
    return size_warning_bytes != 0 && total_bytes() > size_warning_bytes;
  }
};

// Fills the derived fields of `report` from every deployed file and sorts `packages`.
void summarise_build(BuildReport& report, const std::vector<ReportFile>& files);

// The JSON document described above.
std::string build_report_json(const BuildReport& report);

// The human summary (stdout of `funcpack build`), e.g.
//   built /abs/dist/app.zip
//     files:    12 (3 app, 9 from 2 packages)
//     size:     1.2 MiB unpacked (app 1.0 KiB, packages 1.2 MiB)
//     target:   Python 3.11, x86_64, manylinux_2_31
//     zip:      /abs/dist/app.zip, 400.0 KiB, sha256 <hex>
//     context:  /abs/ctx, 1.2 MiB, sha256 <hex>
//     lock:     /abs/dist/app.pylock.toml, sha256 <hex>
//     packages (installed size):
//       pydantic-core 2.23.4  1.0 MiB  45 files
//     largest files:
//       1.0 MiB  .python_packages/lib/site-packages/x.so
// The first line names the first output; the packages and largest-files blocks are left out
// when empty.
std::string build_report_text(const BuildReport& report);

// The warning line (without the "funcpack build: " prefix) when over the threshold, e.g.
// "warning: the package is 612.0 MiB unpacked, over the 500 MiB warning threshold; the
// largest package is torch 2.5.1 (540.2 MiB). Consider a container image (--container-context)
// or raise the threshold (--size-warning MB, size_warning_mb in funcpack.toml)"; nullopt
// otherwise.
std::optional<std::string> build_report_size_warning(const BuildReport& report);

}  // namespace funcpack
