#include "spec/version.h"

#include <charconv>

#include "base/strings.h"

namespace funcpack {
namespace {

// A hand-written scanner for packaging's VERSION_PATTERN. The regex backtracks, but greedy
// scanning gives the same answer: every optional part starts with a label or a '-digit' that
// no later part can start with, and a separator left unconsumed by one part is allowed to
// lead the next part. Labels are tried longest first ("preview" before "pre").
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  bool overflow() const { return overflow_; }
  size_t overflow_at() const { return overflow_at_; }

  static bool is_sep(char c) { return c == '-' || c == '_' || c == '.'; }

  bool skip_sep() {
    if (is_sep(peek())) {
      ++pos_;
      return true;
    }
    return false;
  }

  // Consumes `word` case-insensitively if it is next.
  bool word(std::string_view w) {
    if (s_.size() - pos_ >= w.size() && iequals(s_.substr(pos_, w.size()), w)) {
      pos_ += w.size();
      return true;
    }
    return false;
  }

  // Consumes [0-9]+ into `out`; false (nothing consumed) when no digit is next. Sets the
  // overflow flag when the value does not fit.
  bool number(uint64_t& out) {
    if (!is_ascii_digit(peek())) return false;
    uint64_t v = 0;
    size_t start = pos_;
    while (is_ascii_digit(peek())) {
      uint64_t d = uint64_t(s_[pos_] - '0');
      if (v > (UINT64_MAX - d) / 10 && !overflow_) {
        overflow_ = true;
        overflow_at_ = start;
      }
      v = v * 10 + d;
      ++pos_;
    }
    out = v;
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  bool overflow_ = false;
  size_t overflow_at_ = 0;
};

void append_number(std::string& out, uint64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;  // 24 bytes always hold a uint64_t
  out.append(buf, end);
}

// Optional "[-_.]?LABEL[-_.]?[0-9]*" with the labels in `labels` (longest first). On success
// returns the index of the label and stores the number (0 when absent); on failure nothing is
// consumed.
int letter_part(Scanner& sc, std::initializer_list<std::string_view> labels, uint64_t& n) {
  size_t start = sc.pos();
  sc.skip_sep();
  int index = 0;
  for (std::string_view label : labels) {
    if (sc.word(label)) {
      size_t after_label = sc.pos();
      n = 0;
      sc.skip_sep();
      if (!sc.number(n)) {
        // "1.0a." is valid (the separator belongs to the pre-release), but leaving the
        // separator for the next part is equivalent and keeps "-N" post releases intact.
        sc.set_pos(after_label);
        if (Scanner::is_sep(sc.peek()) && !is_ascii_digit(sc.peek(1))) sc.skip_sep();
      }
      return index;
    }
    ++index;
  }
  sc.set_pos(start);
  return -1;
}

int compare_local(const Version::LocalSegment& a, const Version::LocalSegment& b) {
  const uint64_t* an = std::get_if<uint64_t>(&a);
  const uint64_t* bn = std::get_if<uint64_t>(&b);
  if (an && bn) return *an < *bn ? -1 : (*an > *bn ? 1 : 0);
  if (an) return 1;  // a number sorts after a string
  if (bn) return -1;
  int c = std::get<std::string>(a).compare(std::get<std::string>(b));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::strong_ordering to_ordering(int c) {
  return c < 0 ? std::strong_ordering::less
               : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

}  // namespace

Result<Version> Version::parse(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && is_python_space(text[begin])) ++begin;
  while (end > begin && is_python_space(text[end - 1])) --end;
  Scanner sc(text.substr(0, end));
  sc.set_pos(begin);

  auto error = [&](size_t at) -> Result<Version> {
    std::string message = "invalid version '" + std::string(text) + "'";
    if (sc.overflow()) {
      message += ": number too large";
      at = sc.overflow_at();
    }
    return fail(std::move(message),
                Location{"", 0, int(at) + 1, int(text.size()) + 1});
  };

  Version v{Unset{}};
  if (sc.peek() == 'v' || sc.peek() == 'V') sc.set_pos(sc.pos() + 1);
  uint64_t n = 0;
  if (!sc.number(n)) return error(sc.pos());
  if (sc.peek() == '!') {
    v.epoch_ = n;
    sc.set_pos(sc.pos() + 1);
    if (!sc.number(n)) return error(sc.pos());
  }
  // Collect the release in a small buffer first, so the vector is allocated once.
  uint64_t small[8];
  size_t count = 0;
  small[count++] = n;
  while (sc.peek() == '.' && is_ascii_digit(sc.peek(1))) {
    sc.set_pos(sc.pos() + 1);
    sc.number(n);
    if (count < std::size(small)) {
      small[count++] = n;
    } else {
      if (v.release_.empty()) v.release_.assign(small, small + count);
      v.release_.push_back(n);
    }
  }
  if (v.release_.empty()) v.release_.assign(small, small + count);

  // Pre-release.
  static constexpr PreKind kPreKinds[] = {PreKind::kRc,   PreKind::kAlpha, PreKind::kBeta,
                                          PreKind::kRc,   PreKind::kRc,    PreKind::kAlpha,
                                          PreKind::kBeta, PreKind::kRc};
  int label = letter_part(sc, {"preview", "alpha", "beta", "pre", "rc", "a", "b", "c"}, n);
  if (label >= 0) v.pre_ = Pre{kPreKinds[label], n};

  // Post-release: "-N" or "[-_.]?(post|rev|r)[-_.]?N?".
  if (sc.peek() == '-' && is_ascii_digit(sc.peek(1))) {
    sc.set_pos(sc.pos() + 1);
    sc.number(n);
    v.post_ = n;
  } else if (letter_part(sc, {"post", "rev", "r"}, n) >= 0) {
    v.post_ = n;
  }

  // Development release.
  if (letter_part(sc, {"dev"}, n) >= 0) v.dev_ = n;

  // Local version label: "+" [a-z0-9]+ ([-_.][a-z0-9]+)*.
  if (sc.peek() == '+') {
    sc.set_pos(sc.pos() + 1);
    for (;;) {
      size_t seg_start = sc.pos();
      bool digits_only = true;
      while (is_ascii_alnum(sc.peek())) {
        digits_only = digits_only && is_ascii_digit(sc.peek());
        sc.set_pos(sc.pos() + 1);
      }
      if (sc.pos() == seg_start) {
        // An empty segment: point at the separator (or '+') before it.
        return error(seg_start - 1);
      }
      std::string_view seg = text.substr(seg_start, sc.pos() - seg_start);
      if (digits_only) {
        Scanner num(seg);
        uint64_t value = 0;
        num.number(value);
        if (num.overflow()) {
          std::string message =
              "invalid version '" + std::string(text) + "': number too large";
          return fail(std::move(message),
                      Location{"", 0, int(seg_start) + 1, int(text.size()) + 1});
        }
        v.local_.emplace_back(value);
      } else {
        v.local_.emplace_back(to_lower(seg));
      }
      if (!Scanner::is_sep(sc.peek())) break;
      sc.set_pos(sc.pos() + 1);
    }
  }

  if (sc.overflow()) return error(sc.overflow_at());
  if (!sc.at_end()) return error(sc.pos());
  return v;
}

Version Version::from_release(std::vector<uint64_t> release) {
  Version v;
  if (!release.empty()) v.release_ = std::move(release);
  return v;
}

Version Version::public_version() const {
  Version v = *this;
  v.local_.clear();
  return v;
}

Version Version::base_version() const {
  Version v{Unset{}};
  v.epoch_ = epoch_;
  v.release_ = release_;
  return v;
}

namespace {

void append_release_and_suffixes(const Version& v, size_t release_len, std::string& out) {
  if (v.epoch() != 0) {
    append_number(out, v.epoch());
    out += '!';
  }
  for (size_t i = 0; i < release_len; ++i) {
    if (i) out += '.';
    append_number(out, v.release()[i]);
  }
  if (v.pre()) {
    switch (v.pre()->kind) {
      case Version::PreKind::kAlpha: out += 'a'; break;
      case Version::PreKind::kBeta: out += 'b'; break;
      case Version::PreKind::kRc: out += "rc"; break;
    }
    append_number(out, v.pre()->number);
  }
  if (v.post()) {
    out += ".post";
    append_number(out, *v.post());
  }
  if (v.dev()) {
    out += ".dev";
    append_number(out, *v.dev());
  }
  for (size_t i = 0; i < v.local().size(); ++i) {
    out += i ? '.' : '+';
    if (const uint64_t* n = std::get_if<uint64_t>(&v.local()[i])) {
      append_number(out, *n);
    } else {
      out += std::get<std::string>(v.local()[i]);
    }
  }
}

// Length of the release without trailing zeros (comparison ignores them).
size_t significant_release(const std::vector<uint64_t>& r) {
  size_t n = r.size();
  while (n > 0 && r[n - 1] == 0) --n;
  return n;
}

}  // namespace

std::string Version::str() const {
  std::string out;
  append_release_and_suffixes(*this, release_.size(), out);
  return out;
}

std::string Version::canonical_str() const {
  std::string out;
  append_release_and_suffixes(*this, std::max<size_t>(1, significant_release(release_)), out);
  return out;
}

std::strong_ordering Version::operator<=>(const Version& o) const {
  if (auto c = epoch_ <=> o.epoch_; c != 0) return c;

  size_t na = significant_release(release_), nb = significant_release(o.release_);
  for (size_t i = 0; i < na && i < nb; ++i)
    if (auto c = release_[i] <=> o.release_[i]; c != 0) return c;
  if (auto c = na <=> nb; c != 0) return c;

  // Pre-release key: a dev release with neither pre nor post sorts before every
  // pre-release ("1.0.dev0" < "1.0a0"); no pre-release sorts after every pre-release.
  auto pre_rank = [](const Version& v) {
    if (!v.pre_ && !v.post_ && v.dev_) return 0;
    return v.pre_ ? 1 : 2;
  };
  int ra = pre_rank(*this), rb = pre_rank(o);
  if (auto c = ra <=> rb; c != 0) return c;
  if (ra == 1) {
    if (auto c = int(pre_->kind) <=> int(o.pre_->kind); c != 0) return c;
    if (auto c = pre_->number <=> o.pre_->number; c != 0) return c;
  }

  // Post: absent sorts first.
  if (auto c = post_.has_value() <=> o.post_.has_value(); c != 0) return c;
  if (post_) {
    if (auto c = *post_ <=> *o.post_; c != 0) return c;
  }

  // Dev: absent sorts last.
  if (auto c = o.dev_.has_value() <=> dev_.has_value(); c != 0) return c;
  if (dev_) {
    if (auto c = *dev_ <=> *o.dev_; c != 0) return c;
  }

  // Local: absent sorts first; segment-wise, then shorter first.
  for (size_t i = 0; i < local_.size() && i < o.local_.size(); ++i)
    if (int c = compare_local(local_[i], o.local_[i]); c != 0) return to_ordering(c);
  return local_.size() <=> o.local_.size();
}

}  // namespace funcpack
