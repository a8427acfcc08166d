// parse_timer: the in-process cost of reading a requirements file set, for
// scripts/bench-requirements (not a test). Usage: parse_timer FILE RUNS
// Parses FILE (and its includes) RUNS times with parse_requirements_file and prints
// "BEST_CPU_SECONDS MEDIAN_CPU_SECONDS ENTRIES ERRORS": process CPU time (user + system, from
// clock_gettime(CLOCK_PROCESS_CPUTIME_ID)) around the parse alone, the way the bench times
// pip's parser in-process. Exit 2 on bad arguments.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "base/diagnostic.h"
#include "inputs/requirements_txt.h"

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::atoi(argv[2]) < 1) {
    std::fprintf(stderr, "usage: parse_timer FILE RUNS\n");
    return 2;
  }
  const int runs = std::atoi(argv[2]);
  std::vector<double> times;
  size_t entries = 0, errors = 0;
  for (int i = 0; i < runs; ++i) {
    funcpack::DiagnosticSink sink;
    const double t0 = cpu_seconds();
    funcpack::RequirementsFile file = funcpack::parse_requirements_file(argv[1], sink);
    times.push_back(cpu_seconds() - t0);
    entries = file.entries.size();
    errors = sink.error_count();
  }
  std::sort(times.begin(), times.end());
  std::printf("%.6f %.6f %zu %zu\n", times.front(), times[times.size() / 2], entries, errors);
  return 0;
}
