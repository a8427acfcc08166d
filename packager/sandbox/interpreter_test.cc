#include "sandbox/interpreter.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "base/fs.h"

namespace funcpack {
namespace {

// The version of Debian's /usr/bin/python3, asked directly.
std::string host_python_version() {
  FILE* p = popen("/usr/bin/python3 -S -c \"import sys; print('%d.%d.%d' % sys.version_info[:3])\"", "r");
  char buf[64] = {0};
  if (p) {
    if (!fgets(buf, sizeof buf, p)) buf[0] = 0;
    pclose(p);
  }
  std::string v = buf;
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

class FindInterpreter : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("funcpack-interp-test");
    ASSERT_TRUE(t);
    dir_ = std::make_unique<TempDir>(std::move(*t));
    config_.kind = SandboxKind::kNone;
    version_ = host_python_version();
    ASSERT_FALSE(version_.empty());
    minor_ = std::stoi(version_.substr(2, version_.find('.', 2) - 2));
  }
  std::unique_ptr<TempDir> dir_;
  SandboxConfig config_;
  std::string version_;
  int minor_ = 0;
};

TEST_F(FindInterpreter, ExplicitPathIsCheckedByRunningIt) {
  auto i = find_interpreter(config_, 3, minor_, "/usr/bin/python3", dir_->path());
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->path, "/usr/bin/python3");
  EXPECT_EQ(i->version, version_);
}

TEST_F(FindInterpreter, WrongVersionIsRefusedWithWhatItIs) {
  auto i = find_interpreter(config_, 3, 99, "/usr/bin/python3", dir_->path());
  ASSERT_FALSE(i);
  EXPECT_EQ(i.error().message,
            "no Python 3.99 interpreter for the none sandbox: tried /usr/bin/python3 (is Python " +
                version_ + "); install Python 3.99 (Debian: python3.99) or pass --sandbox-python PATH");
}

TEST_F(FindInterpreter, SearchFindsTheSystemOne) {
  auto i = find_interpreter(config_, 3, minor_, "", dir_->path());
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_TRUE(i->version == version_ || i->version.starts_with("3." + std::to_string(minor_) + "."))
      << i->version;
}

TEST_F(FindInterpreter, SandboxRootIsSearchedInside) {
  // An empty root has no interpreter: nothing is tried outside it.
  config_.kind = SandboxKind::kBwrap;
  config_.root = dir_->path();
  auto i = find_interpreter(config_, 3, 11, "", dir_->path());
  ASSERT_FALSE(i);
  EXPECT_EQ(i.error().message,
            "no Python 3.11 interpreter for the bwrap sandbox; install Python 3.11 (Debian: "
            "python3.11) or pass --sandbox-python PATH");
}

}  // namespace
}  // namespace funcpack
