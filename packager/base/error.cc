#include "base/error.h"

namespace funcpack {

Location Location::shifted(std::string file, int at_line, int first_column) const {
  Location out;
  out.path = std::move(file);
  out.line = at_line;
  out.column = column > 0 ? column + first_column - 1 : 0;
  out.end_column = end_column > 0 ? end_column + first_column - 1 : 0;
  return out;
}

std::string Location::str() const {
  std::string out = path;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

}  // namespace funcpack
