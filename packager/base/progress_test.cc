#include "base/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace funcpack {
namespace {

TEST(ProgressMode, OnlyOnATerminalThatIsNotDumb) {
  EXPECT_EQ(progress_mode(false, "xterm", nullptr), ProgressMode::kOff);
  EXPECT_EQ(progress_mode(true, "dumb", nullptr), ProgressMode::kOff);
  EXPECT_EQ(progress_mode(true, "xterm-256color", nullptr), ProgressMode::kColor);
  EXPECT_EQ(progress_mode(true, nullptr, nullptr), ProgressMode::kColor);
  EXPECT_EQ(progress_mode(true, "xterm", "1"), ProgressMode::kPlain);
  // NO_COLOR set but empty does not count (no-color.org).
  EXPECT_EQ(progress_mode(true, "xterm", ""), ProgressMode::kColor);
  EXPECT_EQ(progress_mode(true, "dumb", "1"), ProgressMode::kOff);
}

TEST(ProgressSize, BinaryUnitsOneDecimal) {
  EXPECT_EQ(progress_size(0), "0 B");
  EXPECT_EQ(progress_size(1023), "1023 B");
  EXPECT_EQ(progress_size(1536), "1.5 KiB");
  EXPECT_EQ(progress_size(12897485), "12.3 MiB");
  EXPECT_EQ(progress_size(1288490189), "1.2 GiB");
}

struct FakeClock {
  uint64_t ms = 1000;
  std::function<uint64_t()> fn() {
    return [this] { return ms; };
  }
};

TEST(ProgressBar, CountBarThrottledByTheClock) {
  std::ostringstream out;
  FakeClock clock;
  {
    ProgressBar bar(out, "install", 4, {ProgressMode::kPlain, false, 8, 100, clock.fn()});
    bar.update(0);   // first draw
    bar.advance();   // same instant: skipped
    clock.ms += 99;
    bar.advance();   // 99 ms: skipped
    clock.ms += 1;
    bar.advance();   // 100 ms: drawn (3/4)
    bar.advance();   // completion: drawn at once
    bar.finish();    // final state and newline
    bar.finish();    // idempotent
    bar.advance();   // after finish: nothing
  }
  EXPECT_EQ(out.str(),
            "\rinstall    [        ] 0/4\x1b[K"
            "\rinstall    [######  ] 3/4\x1b[K"
            "\rinstall    [########] 4/4\x1b[K"
            "\rinstall    [########] 4/4\x1b[K\n");
}

TEST(ProgressBar, ByteBarInColour) {
  std::ostringstream out;
  FakeClock clock;
  ProgressBar bar(out, "compress", 4 * 1024 * 1024,
                  {ProgressMode::kColor, true, 10, 100, clock.fn()});
  bar.update(1024 * 1024);
  clock.ms += 500;
  bar.update(10ull * 1024 * 1024);  // clamped to the total
  bar.finish();
  EXPECT_EQ(out.str(),
            "\rcompress   [\x1b[32m##\x1b[0m        ] 25% 1.0 MiB/4.0 MiB\x1b[K"
            "\rcompress   [\x1b[32m##########\x1b[0m] 100% 4.0 MiB/4.0 MiB\x1b[K"
            "\rcompress   [\x1b[32m##########\x1b[0m] 100% 4.0 MiB/4.0 MiB\x1b[K\n");
}

TEST(ProgressBar, TotalLearnedLate) {
  std::ostringstream out;
  FakeClock clock;
  ProgressBar bar(out, "compress", 0, {ProgressMode::kPlain, true, 4, 100, clock.fn()});
  bar.set_total(2048);
  bar.update(1024);
  bar.finish();
  EXPECT_EQ(out.str(),
            "\rcompress   [##  ] 50% 1.0 KiB/2.0 KiB\x1b[K"
            "\rcompress   [##  ] 50% 1.0 KiB/2.0 KiB\x1b[K\n");
}

TEST(ProgressBar, OffWritesNothing) {
  std::ostringstream out;
  {
    ProgressBar bar(out, "download", 3, {ProgressMode::kOff, false, 10, 0, {}});
    bar.update(1);
    bar.interrupt();
    bar.update(3);
    bar.finish();
  }
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressBar, EmptyTotalIsFullAndLongLabelsAreKept) {
  std::ostringstream out;
  FakeClock clock;
  ProgressBar bar(out, "downloads!!", 0, {ProgressMode::kPlain, false, 3, 100, clock.fn()});
  bar.finish();
  EXPECT_EQ(out.str(), "\rdownloads!! [###] 0/0\x1b[K\n");
}

TEST(ProgressBar, InterruptEndsTheLineAndTheDestructorEndsIt) {
  std::ostringstream out;
  FakeClock clock;
  {
    ProgressBar bar(out, "download", 2, {ProgressMode::kPlain, false, 4, 100, clock.fn()});
    bar.update(1);
    bar.interrupt();
    out << "warning: slow mirror\n";
    bar.update(1);  // redrawn at once on the new line, whatever the clock says
  }
  // The destructor ends the line without a redraw.
  EXPECT_EQ(out.str(),
            "\rdownload   [##  ] 1/2\x1b[K\n"
            "warning: slow mirror\n"
            "\rdownload   [##  ] 1/2\x1b[K\n");
  // An error after interrupt(): nothing more from the destructor.
  std::ostringstream out2;
  {
    ProgressBar bar(out2, "install", 2, {ProgressMode::kPlain, false, 4, 100, clock.fn()});
    bar.update(1);
    bar.interrupt();
    out2 << "error\n";
  }
  EXPECT_EQ(out2.str(), "\rinstall    [##  ] 1/2\x1b[K\nerror\n");
}

}  // namespace
}  // namespace funcpack
