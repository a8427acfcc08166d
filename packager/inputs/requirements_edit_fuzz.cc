// libFuzzer target for the requirements editor: the first bytes choose edits, the rest is the
// file. Invariants (abort on violation): without edits the text comes back byte for byte; a
// refused edit changes nothing; a file that ended with a newline still does.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "inputs/requirements_edit.h"

using funcpack::RequirementsEditor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const uint8_t* ops = data;
  std::string text(reinterpret_cast<const char*>(data + 4), size - 4);
  RequirementsEditor ed(text, "fuzz.txt");
  if (ed.render() != text) std::abort();
  int lines = ed.line_count();
  if (lines == 0) return 0;
  for (int i = 0; i < 4; ++i) {
    int line = 1 + ops[i] % lines;
    std::string before = ed.render();
    bool ok = false;
    switch (ops[i] >> 6) {
      case 0: ok = ed.delete_entry(line).has_value(); break;
      case 1: ok = ed.replace_line(line, "x==1").has_value(); break;
      case 2: {
        int len = static_cast<int>(ed.line(line).size());
        int col = 1 + (ops[i] & 0x0f) % (len + 1);
        ok = ed.replace(line, col, col + (ops[(i + 1) % 4] % (len + 2 - col)), "Y").has_value();
        break;
      }
      default: ok = ed.insert_after(line, "# added").has_value(); break;
    }
    if (!ok && ed.render() != before) std::abort();
  }
  std::string out = ed.render();
  // A file that ended with a newline still does. (The converse cannot be checked from the
  // bytes: when the new last line is empty, "a\n" is line "a" plus an empty unterminated line.)
  bool final_nl = !text.empty() && text.back() == '\n';
  if (!out.empty() && final_nl && out.back() != '\n') std::abort();
  return 0;
}
