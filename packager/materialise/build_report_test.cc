#include "materialise/build_report.h"

#include <gtest/gtest.h>

namespace funcpack {
namespace {

BuildReport sample() {
  BuildReport r;
  r.python = "3.11";
  r.machine = "x86_64";
  r.manylinux = "manylinux_2_31";
  r.lock_path = "/w/dist/app.pylock.toml";
  r.lock_sha256 = std::string(64, 'a');
  r.outputs.push_back({"zip", "/w/dist/app.zip", std::string(64, 'b'), 3000});
  r.packages = {{"idna", "3.10", 2, 1500}, {"pydantic-core", "2.23.4", 2, 2100000},
                {"certifi", "2024.8.30", 1, 1500}};
  r.size_warning_bytes = 2 * 1024 * 1024;
  std::vector<ReportFile> files = {
      {"function_app.py", 700, ""},
      {"host.json", 300, ""},
      {".python_packages/lib/site-packages/idna/core.py", 1000, "idna"},
      {".python_packages/lib/site-packages/idna-3.10.dist-info/RECORD", 500, "idna"},
      {".python_packages/lib/site-packages/pydantic_core/_core.so", 2099000, "pydantic-core"},
      {".python_packages/lib/site-packages/pydantic_core/__init__.py", 1000, "pydantic-core"},
      {".python_packages/lib/site-packages/certifi/cacert.pem", 1500, "certifi"},
  };
  summarise_build(r, files);
  return r;
}

TEST(BuildReport, SummariseCountsAndSorts) {
  BuildReport r = sample();
  EXPECT_EQ(r.app_files, 2u);
  EXPECT_EQ(r.package_files, 5u);
  EXPECT_EQ(r.app_bytes, 1000u);
  EXPECT_EQ(r.package_bytes, 2103000u);
  ASSERT_EQ(r.packages.size(), 3u);
  // Bytes descending, ties by name.
  EXPECT_EQ(r.packages[0].name, "pydantic-core");
  EXPECT_EQ(r.packages[1].name, "certifi");
  EXPECT_EQ(r.packages[2].name, "idna");
  ASSERT_EQ(r.largest.size(), 7u);
  EXPECT_EQ(r.largest[0].path, ".python_packages/lib/site-packages/pydantic_core/_core.so");
  // 1000-byte tie: path order.
  EXPECT_EQ(r.largest[2].path, ".python_packages/lib/site-packages/idna/core.py");
  EXPECT_EQ(r.largest[3].path, ".python_packages/lib/site-packages/pydantic_core/__init__.py");
  EXPECT_TRUE(r.over_size_warning());
}

TEST(BuildReport, OnlyTheTenLargest) {
  BuildReport r;
  std::vector<ReportFile> files;
  for (int i = 0; i < 25; ++i) files.push_back({"f" + std::to_string(100 + i), uint64_t(i), ""});
  summarise_build(r, files);
  ASSERT_EQ(r.largest.size(), kLargestFiles);
  EXPECT_EQ(r.largest.front().path, "f124");
  EXPECT_EQ(r.largest.back().path, "f115");
  EXPECT_EQ(r.total_files(), 25u);
  EXPECT_EQ(r.total_bytes(), 300u);
}

TEST(BuildReport, ExactJson) {
  EXPECT_EQ(build_report_json(sample()),
            R"({
  "version": 1,
  "target": {
    "python": "3.11",
    "machine": "x86_64",
    "manylinux": "manylinux_2_31"
  },
  "lock": {
    "path": "/w/dist/app.pylock.toml",
    "sha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  },
  "outputs": [
    {
      "kind": "zip",
      "path": "/w/dist/app.zip",
      "sha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      "bytes": 3000
    }
  ],
  "files": {
    "total": 7,
    "app": 2,
    "packages": 5
  },
  "bytes": {
    "total": 2104000,
    "app": 1000,
    "packages": 2103000
  },
  "packages": [
    {
      "name": "pydantic-core",
      "version": "2.23.4",
      "files": 2,
      "bytes": 2100000
    },
    {
      "name": "certifi",
      "version": "2024.8.30",
      "files": 1,
      "bytes": 1500
    },
    {
      "name": "idna",
      "version": "3.10",
      "files": 2,
      "bytes": 1500
    }
  ],
  "largest_files": [
    {
      "path": ".python_packages/lib/site-packages/pydantic_core/_core.so",
      "bytes": 2099000,
      "package": "pydantic-core"
    },
    {
      "path": ".python_packages/lib/site-packages/certifi/cacert.pem",
      "bytes": 1500,
      "package": "certifi"
    },
    {
      "path": ".python_packages/lib/site-packages/idna/core.py",
      "bytes": 1000,
      "package": "idna"
    },
    {
      "path": ".python_packages/lib/site-packages/pydantic_core/__init__.py",
      "bytes": 1000,
      "package": "pydantic-core"
    },
    {
      "path": "function_app.py",
      "bytes": 700,
      "package": null
    },
    {
      "path": ".python_packages/lib/site-packages/idna-3.10.dist-info/RECORD",
      "bytes": 500,
      "package": "idna"
    },
    {
      "path": "host.json",
      "bytes": 300,
      "package": null
    }
  ],
  "size_warning": {
    "threshold_bytes": 2097152,
    "exceeded": true
  }
}
)");
}

TEST(BuildReport, ExactText) {
  BuildReport r = sample();
  r.outputs.push_back({"container-context", "/w/ctx", std::string(64, 'c'), 2104500});
  EXPECT_EQ(build_report_text(r),
            "built /w/dist/app.zip\n"
            "  files:    7 (2 app, 5 from 3 packages)\n"
            "  size:     2.0 MiB unpacked (app 1000 B, packages 2.0 MiB)\n"
            "  target:   Python 3.11, x86_64, manylinux_2_31\n"
            "  zip:      /w/dist/app.zip, 2.9 KiB, sha256 " + std::string(64, 'b') + "\n"
            "  context:  /w/ctx, 2.0 MiB, sha256 " + std::string(64, 'c') + "\n"
            "  lock:     /w/dist/app.pylock.toml, sha256 " + std::string(64, 'a') + "\n"
            "  packages (installed size):\n"
            "    pydantic-core 2.23.4  2.0 MiB  2 files\n"
            "    certifi 2024.8.30     1.5 KiB  1 file\n"
            "    idna 3.10             1.5 KiB  2 files\n"
            "  largest files:\n"
            "    2.0 MiB  .python_packages/lib/site-packages/pydantic_core/_core.so\n"
            "    1.5 KiB  .python_packages/lib/site-packages/certifi/cacert.pem\n"
            "     1000 B  .python_packages/lib/site-packages/idna/core.py\n"
            "     1000 B  .python_packages/lib/site-packages/pydantic_core/__init__.py\n"
            "      700 B  function_app.py\n"
            "      500 B  .python_packages/lib/site-packages/idna-3.10.dist-info/RECORD\n"
            "      300 B  host.json\n");
}

TEST(BuildReport, TextWithoutPackages) {
  BuildReport r;
  r.python = "3.12";
  r.machine = "x86_64";
  r.manylinux = "manylinux_2_36";
  r.outputs.push_back({"container-context", "/w/ctx", std::string(64, 'c'), 10});
  summarise_build(r, {{"function_app.py", 10, ""}});
  EXPECT_EQ(build_report_text(r),
            "built /w/ctx\n"
            "  files:    1 (1 app, 0 from 0 packages)\n"
            "  size:     10 B unpacked (app 10 B, packages 0 B)\n"
            "  target:   Python 3.12, x86_64, manylinux_2_36\n"
            "  context:  /w/ctx, 10 B, sha256 " + std::string(64, 'c') + "\n"
            "  largest files:\n"
            "    10 B  function_app.py\n");
}

TEST(BuildReport, SizeWarning) {
  BuildReport r = sample();
  EXPECT_EQ(build_report_size_warning(r),
            "warning: the package is 2.0 MiB unpacked, over the 2.0 MiB warning threshold; "
            "the largest package is pydantic-core 2.23.4 (2.0 MiB). Consider a container "
            "image (--container-context) or raise the threshold (--size-warning MB, "
            "size_warning_mb in funcpack.toml)");
  r.size_warning_bytes = r.total_bytes();  // at the threshold: no warning (strictly over)
  EXPECT_EQ(build_report_size_warning(r), std::nullopt);
  r.size_warning_bytes = 0;  // disabled
  EXPECT_EQ(build_report_size_warning(r), std::nullopt);
  EXPECT_FALSE(r.over_size_warning());
}

}  // namespace
}  // namespace funcpack
