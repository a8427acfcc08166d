// distfiles_reader: reads distribution filenames and core metadata files with funcpack's
// parsers and prints what it understood, one tab-separated line per input, for
// fixturegen_test.py to compare with pypa/packaging's reading of the same files.
//   distfiles_reader wheel FILENAME...            -> wheel NAME VERSION BUILD TAGS
//   distfiles_reader sdist PROJECT FILENAME       -> sdist NAME VERSION EXTENSION
//   distfiles_reader metadata PATH...             -> metadata NAME VERSION REQUIRES_PYTHON
//                                                    EXTRAS REQUIREMENTS
//   distfiles_reader wheel -  |  sdist -         the same, inputs read from stdin, one per
//                                                  line (sdist lines: PROJECT<TAB>FILENAME)
// BUILD is "-" or "NUMBER:SUFFIX"; TAGS, EXTRAS and REQUIREMENTS are joined with " | ".
// A parse failure prints "error<TAB>MESSAGE<TAB>LOCATION" and makes the exit status 1.
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/strings.h"
#include "spec/metadata.h"
#include "spec/wheel_filename.h"

namespace {

int failures = 0;

void print_error(const funcpack::Error& e) {
  std::printf("error\t%s\t%s:%d:%d\n", e.message.c_str(), e.location.path.c_str(),
              e.location.line, e.location.column);
  ++failures;
}

void wheel(std::string_view filename) {
  auto w = funcpack::WheelFilename::parse(filename);
  if (!w) return print_error(w.error());
  std::string build = "-";
  if (w->build) build = std::to_string(w->build->first) + ":" + w->build->second;
  std::vector<std::string> tags;
  for (const funcpack::Tag& t : w->tags) tags.push_back(t.str());
  std::printf("wheel\t%s\t%s\t%s\t%s\n", w->name.c_str(), w->version.str().c_str(),
              build.c_str(), funcpack::join(tags, " | ").c_str());
}

void sdist(std::string_view project, std::string_view filename) {
  auto s = funcpack::SdistFilename::parse(filename, project);
  if (!s) return print_error(s.error());
  std::printf("sdist\t%s\t%s\t%s\n", s->name.c_str(), s->version.str().c_str(),
              s->extension.c_str());
}

void metadata(const char* path) {
  auto text = funcpack::read_file(path);
  if (!text) return print_error(text.error());
  auto m = funcpack::CoreMetadata::parse(*text, path);
  if (!m) return print_error(m.error());
  std::vector<std::string> reqs;
  for (const funcpack::Requirement& r : m->requires_dist) reqs.push_back(r.str());
  std::string python = m->requires_python ? m->requires_python->str() : "-";
  std::printf("metadata\t%s\t%s\t%s\t%s\t%s\n", m->name.c_str(), m->version.str().c_str(),
              python.c_str(), funcpack::join(m->provides_extra, " | ").c_str(),
              funcpack::join(reqs, " | ").c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fputs("usage: distfiles_reader wheel|sdist|metadata ARGS...\n", stderr);
    return 2;
  }
  std::string_view mode = argv[1];
  if (argc == 3 && std::string_view(argv[2]) == "-" && (mode == "wheel" || mode == "sdist")) {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (mode == "wheel") {
        wheel(line);
      } else {
        size_t tab = line.find('\t');
        if (tab == std::string::npos) {
          std::fputs("distfiles_reader: sdist lines are PROJECT<TAB>FILENAME\n", stderr);
          return 2;
        }
        sdist(std::string_view(line).substr(0, tab), std::string_view(line).substr(tab + 1));
      }
    }
  } else if (mode == "wheel") {
    for (int i = 2; i < argc; ++i) wheel(argv[i]);
  } else if (mode == "sdist" && argc == 4) {
    sdist(argv[2], argv[3]);
  } else if (mode == "metadata") {
    for (int i = 2; i < argc; ++i) metadata(argv[i]);
  } else {
    std::fputs("usage: distfiles_reader wheel|sdist|metadata ARGS...\n", stderr);
    return 2;
  }
  return failures ? 1 : 0;
}
