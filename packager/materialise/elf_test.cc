#include "materialise/elf.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "base/fs.h"

namespace funcpack {
namespace {

TEST(Elf, ReadsNeededSonameAndVersionNeedsOfARealLibrary) {
  auto dir = TempDir::create("elf_test");
  ASSERT_TRUE(dir.has_value());
  std::ofstream(dir->path() / "a.c") << "#include <math.h>\n#include <string.h>\n"
                                        "double f(const char* s) { return sqrt((double)strlen(s)); }\n";
  std::string cmd = "cd '" + dir->path().string() +
                    "' && gcc -shared -fPIC -o liba.so.2 a.c -lm -Wl,-soname,liba.so.2";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto bytes = read_file(dir->path() / "liba.so.2");
  ASSERT_TRUE(bytes.has_value());
  auto info = read_elf(*bytes);
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->machine, "x86_64");
  EXPECT_EQ(info->bits, 64);
  EXPECT_EQ(info->soname, "liba.so.2");
  EXPECT_EQ(info->needed, (std::vector<std::string>{"libm.so.6", "libc.so.6"}));
  bool has_glibc = false;
  for (const auto& v : info->version_needs)
    if (v.library == "libc.so.6" && v.version.starts_with("GLIBC_2.")) has_glibc = true;
  EXPECT_TRUE(has_glibc);
  EXPECT_NE(std::find(info->undefined_symbols.begin(), info->undefined_symbols.end(), "strlen"),
            info->undefined_symbols.end());
}

TEST(Elf, RejectsNonElfAndTruncatedInput) {
  EXPECT_EQ(read_elf("hello").error().message, "not an ELF file");
  EXPECT_EQ(read_elf(std::string("\x7f" "ELF\x02\x01", 6)).error().message,
            "corrupt ELF: truncated header");
  std::string bad_class("\x7f" "ELF\x07\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", 16);
  EXPECT_EQ(read_elf(bad_class).error().message, "corrupt ELF: unknown class 7");
  EXPECT_FALSE(is_elf("\x7f" "EL"));
}

}  // namespace
}  // namespace funcpack
