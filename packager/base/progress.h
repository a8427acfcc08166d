// progress.h: one-line progress bars on a terminal (`funcpack build`: downloads, installs,
// compression).
//
// Owns: deciding whether bars are shown (`progress_mode`) and rendering one bar to a stream
// (`ProgressBar`). The bar redraws its line in place with a carriage return and ends it with
// "erase to end of line" (ESC [ K) so a shorter redraw leaves no stale characters; `finish`
// ends the line with '\n'.
//
// When bars are shown (`progress_mode`):
//  - never when the stream is not a terminal (logs, CI, pipes stay byte-for-byte clean);
//  - never when TERM is "dumb" (no cursor control: ESC [ K would print as garbage);
//  - in colour (the filled part of the bar green) unless NO_COLOR is set to a non-empty value
//    (https://no-color.org); without colour the bar has no escape other than ESC [ K.
//
// Rendered line (exact bytes; tests assert them):
//   "\r" LABEL (padded with spaces to 10 columns) " [" BAR "] " COUNT "\x1b[K"
// BAR is `width` cells: filled cells '#' (in colour: "\x1b[32m" ... "\x1b[0m"), the rest ' '.
// COUNT for a count bar: "DONE/TOTAL"; for a byte bar: "PCT% DONE/TOTAL" with sizes as
// "12.3 MiB" (see `progress_size`). A bar with total 0 is drawn full.
//
// Throttling: an update redraws only when at least `min_interval_ms` passed on the clock since
// the last draw, or when it completes the bar (done == total), so a tight loop costs a clock
// read and a comparison, not terminal output. The clock is injected so tests are exact.
//
// Trap: the bar assumes it owns the line. Anything else written to the same terminal while a
// bar is open must first call `interrupt()` (which ends the bar's line) or the text is glued
// onto the bar.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace funcpack {

enum class ProgressMode { kOff, kPlain, kColor };

// Whether (and how) to show bars on a stream: `is_tty` (isatty of the stream's fd), `term` and
// `no_color` (the environment's TERM and NO_COLOR; nullptr when unset).
ProgressMode progress_mode(bool is_tty, const char* term, const char* no_color);

// progress_mode for standard error of this process (isatty(2), getenv).
ProgressMode stderr_progress_mode();

// "512 B", "1.5 KiB", "12.3 MiB", "1.2 GiB" (one decimal above bytes, binary units).
std::string progress_size(uint64_t bytes);

struct ProgressOptions {
  ProgressMode mode = ProgressMode::kPlain;
  bool bytes = false;             // count bytes (percent and sizes) instead of items
  int width = 30;                 // bar cells
  uint64_t min_interval_ms = 100; // between redraws
  // Milliseconds from an arbitrary origin; the default reads std::chrono::steady_clock.
  std::function<uint64_t()> clock;
};

class ProgressBar {
 public:
  // Draws nothing yet when mode is kOff (then every call is a no-op).
  ProgressBar(std::ostream& out, std::string label, uint64_t total, ProgressOptions options);
  // Ends the line if the bar is on it (an early return after an error: the bar is left as it
  // was, not redrawn below the error message).
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Sets the amount done (clamped to total) and redraws if due (see Throttling).
  void update(uint64_t done);
  // Changes the total (a producer that learns it late, e.g. a zip writer reusing entries);
  // takes effect at the next draw.
  void set_total(uint64_t total) { total_ = total; }
  // Adds `n` to the amount done.
  void advance(uint64_t n = 1) { update(done_ + n); }
  // Draws the final state (whatever `done` is) and ends the line. Idempotent.
  void finish();
  // Ends the bar's line without a final redraw (before other output); the next update
  // redraws on a new line.
  void interrupt();

 private:
  void draw();
  uint64_t now() const;

  std::ostream& out_;
  std::string label_;
  uint64_t total_;
  ProgressOptions options_;
  uint64_t done_ = 0;
  uint64_t last_draw_ms_ = 0;
  bool drawn_ = false;     // something was drawn on the current line
  bool finished_ = false;
};

}  // namespace funcpack
