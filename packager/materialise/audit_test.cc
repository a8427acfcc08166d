// Audit tests on real ELF files compiled here by gcc, inside real wheels made by `zip`.
#include "materialise/audit.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "base/fs.h"

namespace funcpack {
namespace {

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::create("audit_test");
    ASSERT_TRUE(d.has_value());
    dir_ = std::move(*d);
    auto p = PolicySet::load();
    ASSERT_TRUE(p.has_value()) << p.error().message;
    policies_ = std::move(*p);
  }
  std::filesystem::path path(const std::string& rel) { return dir_.path() / rel; }
  void write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(path(rel).parent_path());
    std::ofstream(path(rel)) << text;
  }
  void sh(const std::string& cmd) {
    std::string full = "cd '" + dir_.path().string() + "' && " + cmd;
    ASSERT_EQ(std::system(full.c_str()), 0) << full;
  }
  // Compiles `src` (C) into a shared object at `out`, with extra gcc flags.
  void cc(const std::string& src, const std::string& out, const std::string& flags = "") {
    write("src.c", src);
    std::filesystem::create_directories(path(out).parent_path());
    sh("gcc -shared -fPIC -O1 -o " + out + " src.c " + flags);
  }
  AuditReport audit_wheel(const std::string& wheel, const std::string& policy) {
    auto files = collect_elf_files(path(wheel));
    EXPECT_TRUE(files.has_value()) << files.error().message;
    const PlatformPolicy* p = policies_.find(policy);
    EXPECT_NE(p, nullptr);
    return audit(*files, policies_, *p, "x86_64");
  }
  TempDir dir_ = std::move(*TempDir::create("unused"));
  PolicySet policies_;
};

TEST_F(AuditTest, CleanExtensionSatisfiesOldestPolicy) {
  cc("#include <string.h>\nint ext(const char* s) { return (int)strlen(s); }\n", "w/pkg/_ext.so");
  sh("cd w && zip -qr ../clean.whl pkg");
  auto r = audit_wheel("clean.whl", "manylinux_2_17");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.best, "manylinux_2_5");
  EXPECT_EQ(r.elf_paths, std::vector<std::string>{"pkg/_ext.so"});
}

TEST_F(AuditTest, SymbolVersionAboveTheCeilingIsNamed) {
  // arc4random appeared in glibc 2.36; .symver pins the reference to that version.
  cc("#include <stdint.h>\n"
     "extern uint32_t arc4random(void);\n"
     "__asm__(\".symver arc4random,arc4random@GLIBC_2.36\");\n"
     "unsigned ext(void) { return arc4random(); }\n",
     "w/pkg/_ext.so");
  sh("cd w && zip -qr ../new.whl pkg");
  auto r = audit_wheel("new.whl", "manylinux_2_31");
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].message,
            "pkg/_ext.so: needs GLIBC_2.36 from libc.so.6, newer than manylinux_2_31 allows "
            "(GLIBC up to 2.31)");
  EXPECT_EQ(r.best, "manylinux_2_36");
  EXPECT_TRUE(audit_wheel("new.whl", "manylinux_2_36").ok());
}

TEST_F(AuditTest, UnbundledLibraryOutsideTheWhitelistIsNamedAndBundlingFixesIt) {
  cc("int helper(void) { return 7; }\n", "libs/libhelper.so.1", "-Wl,-soname,libhelper.so.1");
  sh("ln -s libhelper.so.1 libs/libhelper.so");
  cc("extern int helper(void);\nint ext(void) { return helper(); }\n", "w/pkg/_ext.so",
     "-Llibs -lhelper");
  sh("cd w && zip -qr ../unbundled.whl pkg");
  auto r = audit_wheel("unbundled.whl", "manylinux_2_17");
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].message,
            "pkg/_ext.so: links libhelper.so.1, which manylinux_2_17 does not allow and the wheel "
            "does not bundle");
  EXPECT_EQ(r.best, "linux");

  sh("mkdir -p w/pkg.libs && cp libs/libhelper.so.1 w/pkg.libs/ && cd w && zip -qr ../bundled.whl pkg pkg.libs");
  auto b = audit_wheel("bundled.whl", "manylinux_2_17");
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(b.elf_paths, (std::vector<std::string>{"pkg.libs/libhelper.so.1", "pkg/_ext.so"}));
}

TEST_F(AuditTest, PureWheelHasNoElfFilesAndPasses) {
  write("w/pkg/__init__.py", "x = 1\n");
  sh("cd w && zip -qr ../pure.whl pkg");
  auto r = audit_wheel("pure.whl", "manylinux_2_17");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.best, "");
  EXPECT_TRUE(r.elf_paths.empty());
}

TEST_F(AuditTest, CorruptElfIsAClearErrorNamingTheMember) {
  cc("int ext(void) { return 1; }\n", "full.so");
  sh("mkdir -p w/pkg && head -c 100 full.so > w/pkg/_bad.so && cd w && zip -qr ../bad.whl pkg");
  auto files = collect_elf_files(path("bad.whl"));
  ASSERT_FALSE(files.has_value());
  EXPECT_EQ(files.error().message,
            path("bad.whl").string() + ": pkg/_bad.so: corrupt ELF: section headers beyond end of file");
}

TEST_F(AuditTest, WrongArchitectureIsAViolation) {
  ElfFile f{"pkg/_ext.so", {}};
  f.info.machine = "aarch64";
  auto v = check_policy({f}, *policies_.find("manylinux2014"), "x86_64");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].message, "pkg/_ext.so: built for aarch64, not x86_64");
}

TEST_F(AuditTest, BlacklistedSymbolFromWhitelistedLibrary) {
  ElfFile f{"pkg/_z.so", {}};
  f.info.machine = "x86_64";
  f.info.needed = {"libz.so.1"};
  f.info.undefined_symbols = {"_tr_init", "deflate"};
  auto v = check_policy({f}, *policies_.find("manylinux_2_17"), "x86_64");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].message, "pkg/_z.so: imports _tr_init from libz.so.1, which manylinux_2_17 forbids");
}

TEST(PolicySet, FindsByNameAliasAndPlatformTag) {
  auto p = PolicySet::load();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->find("manylinux2014")->name, "manylinux_2_17");
  EXPECT_EQ(p->find("manylinux_2_17_x86_64")->name, "manylinux_2_17");
  EXPECT_EQ(p->find("manylinux1_x86_64")->name, "manylinux_2_5");
  EXPECT_EQ(p->find("manylinux_2_1"), nullptr);
  EXPECT_EQ(p->policies().front().name, "manylinux_2_5");
  auto m = PolicySet::load("musllinux");
  ASSERT_TRUE(m.has_value());
  EXPECT_NE(m->find("musllinux_1_2"), nullptr);
}

}  // namespace
}  // namespace funcpack
