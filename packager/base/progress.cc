#include "base/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace funcpack {

ProgressMode progress_mode(bool is_tty, const char* term, const char* no_color) {
  if (!is_tty) return ProgressMode::kOff;
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return ProgressMode::kOff;
  if (no_color != nullptr && no_color[0] != '\0') return ProgressMode::kPlain;
  return ProgressMode::kColor;
}

ProgressMode stderr_progress_mode() {
  return progress_mode(::isatty(STDERR_FILENO) == 1, std::getenv("TERM"),
                       std::getenv("NO_COLOR"));
}

std::string progress_size(uint64_t n) {
  char buf[64];
  constexpr double kKiB = 1024.0;
  if (n < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  } else if (n < 1024ull * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / kKiB);
  } else if (n < 1024ull * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (kKiB * kKiB));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(n) / (kKiB * kKiB * kKiB));
  }
  return buf;
}

ProgressBar::ProgressBar(std::ostream& out, std::string label, uint64_t total,
                         ProgressOptions options)
    : out_(out), label_(std::move(label)), total_(total), options_(std::move(options)) {
  if (options_.width < 1) options_.width = 1;
}

ProgressBar::~ProgressBar() {
  if (!finished_) interrupt();
}

uint64_t ProgressBar::now() const {
  if (options_.clock) return options_.clock();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

void ProgressBar::update(uint64_t done) {
  if (options_.mode == ProgressMode::kOff || finished_) return;
  done_ = std::min(done, total_);
  uint64_t t = now();
  // First draw, completion, or the interval has passed.
  if (!drawn_ || done_ == total_ || t - last_draw_ms_ >= options_.min_interval_ms) {
    last_draw_ms_ = t;
    draw();
  }
}

void ProgressBar::draw() {
  const int width = options_.width;
  int filled = total_ == 0 ? width
                           : static_cast<int>((static_cast<unsigned __int128>(done_) *
                                               static_cast<unsigned>(width)) /
                                              total_);
  std::string line = "\r" + label_;
  if (line.size() < 11) line.append(11 - line.size(), ' ');
  line += ' ';
  line += '[';
  if (filled > 0) {
    if (options_.mode == ProgressMode::kColor) line += "\x1b[32m";
    line.append(static_cast<size_t>(filled), '#');
    if (options_.mode == ProgressMode::kColor) line += "\x1b[0m";
  }
  line.append(static_cast<size_t>(width - filled), ' ');
  line += "] ";
  if (options_.bytes) {
    unsigned pct = total_ == 0 ? 100u
                               : static_cast<unsigned>((static_cast<unsigned __int128>(done_) *
                                                        100u) / total_);
    line += std::to_string(pct) + "% " + progress_size(done_) + "/" + progress_size(total_);
  } else {
    line += std::to_string(done_) + "/" + std::to_string(total_);
  }
  line += "\x1b[K";
  out_ << line << std::flush;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (options_.mode == ProgressMode::kOff || finished_) return;
  draw();
  out_ << "\n" << std::flush;
  finished_ = true;
  drawn_ = false;
}

void ProgressBar::interrupt() {
  if (options_.mode == ProgressMode::kOff || !drawn_) return;
  out_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace funcpack
