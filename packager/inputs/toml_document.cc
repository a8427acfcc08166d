#include "inputs/toml_document.h"

#include <exception>
#include <sstream>

namespace funcpack {

Result<toml::value> parse_toml_document(std::string_view text, const std::string& name) {
  try {
    std::istringstream in{std::string(text)};
    return toml::parse(in, name);
  } catch (const toml::syntax_error& e) {
    // toml11's what() is a multi-line report; its first line is the reason.
    std::string what = e.what();
    std::string reason = what.substr(0, what.find('\n'));
    if (reason.starts_with("[error] ")) reason = reason.substr(8);
    // "toml::parse_key_value_pair: missing key-value separator" -> the part after the colon.
    if (reason.starts_with("toml::")) {
      auto colon = reason.find(": ");
      if (colon != std::string::npos) reason = reason.substr(colon + 2);
    }
    return fail("invalid TOML: " + reason, Location{name, static_cast<int>(e.location().line()),
                                                    static_cast<int>(e.location().column()), 0});
  } catch (const std::exception& e) {
    return fail(std::string("invalid TOML: ") + e.what(), Location{name, 0, 0, 0});
  }
}

}  // namespace funcpack
