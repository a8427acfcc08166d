#include <ostream>

#include "app/commands.h"

namespace funcpack {

// Placeholder until the requirements.txt reader lands (issue 2); reports itself as such.
int cmd_requirements(const std::vector<std::string>&, std::ostream&, std::ostream& err) {
  err << "funcpack requirements: not implemented yet\n";
  return 2;
}

}  // namespace funcpack
