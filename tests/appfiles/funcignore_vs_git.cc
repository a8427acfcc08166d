// funcignore_vs_git: GitIgnoreMatcher (libgit2) against real `git check-ignore` on generated
// trees and pattern files.
//
// Each round builds a random tree on disk inside a fresh `git init` repository, writes random
// patterns to its .gitignore (negations, `**`, anchoring, directory patterns, character
// classes, escapes, comments, trailing spaces, CRLF lines), asks
// `git check-ignore --no-index -v -n -z --stdin` about every file and directory, and compares
// both the verdict (excluded or not) and the deciding pattern's line with our answer.
// Deterministic: a fixed seed and std::mt19937 (whose output sequence is specified by the
// standard), with our own reduction to ranges (distributions are implementation-defined).
// Usage: funcignore_vs_git [ROUNDS] [SEED]
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/fs.h"
#include "inputs/funcignore.h"

namespace fs = std::filesystem;
using namespace funcpack;

namespace {

struct Rng {
  std::mt19937 gen;
  explicit Rng(unsigned seed) : gen(seed) {}
  size_t below(size_t n) { return static_cast<size_t>(gen()) % n; }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }
};

// Names chosen so that random patterns hit them often, with the characters gitignore treats
// specially (`#`, `!`, `[`, `?`, `*`, `\`, spaces) in some of them.
const std::vector<std::string> kNames = {
    "a", "b", "ab", "abc", "foo", "bar", "build", "lib", "logs", "src", "x.py", "y.pyc",
    "keep.txt", "README.md", ".venv", "venv", "tests", "test_a.py", "#hash", "!bang",
    "sp ace", "[x]", "a?b", "star*", "back\\slash", "trail ", "Foo", "data.json", "node",
    "deep"};

const std::vector<std::string> kSegments = {
    "a", "b", "foo", "bar", "build", "lib", "logs", "src", "tests", "*", "*", "**", "**",
    "*.py", "*.pyc", "?", "a?", "[ab]", "[a-c]*", "[!a]*", "x.*", "\\#hash", "\\!bang", "#hash",
    "sp ace", "sp\\ ace", "\\[x]", "a\\?b", "star\\*", "back\\\\slash", "trail\\ ", ".venv",
    "venv", "keep.txt", "test_*", "*test*", "deep", "d*p", "Foo", "[[:alpha:]]*",
    "data.json", "README.md", "node"};

std::string make_pattern(Rng& r) {
  std::string p;
  if (r.chance(25)) p += '!';
  if (r.chance(25)) p += '/';
  size_t n = 1 + r.below(3);
  for (size_t i = 0; i < n; ++i) {
    if (i) p += '/';
    p += r.pick(kSegments);
  }
  if (r.chance(25)) p += '/';
  if (r.chance(8)) p += "  ";  // trailing spaces are trimmed unless escaped
  return p;
}

std::string make_ignore_file(Rng& r) {
  std::string text;
  size_t n = 1 + r.below(8);
  for (size_t i = 0; i < n; ++i) {
    if (r.chance(8)) text += "# a comment\n";
    if (r.chance(5)) text += "\n";
    text += make_pattern(r);
    text += r.chance(10) ? "\r\n" : "\n";
  }
  if (r.chance(20) && !text.empty()) text.pop_back();  // no final newline
  return text;
}

struct Node {
  std::string rel;
  bool dir = false;
};

void make_tree(Rng& r, const fs::path& root, const std::string& prefix, int depth,
               std::vector<Node>& out) {
  size_t n = 1 + r.below(depth == 0 ? 7 : 4);
  std::set<std::string> used;
  for (size_t i = 0; i < n; ++i) {
    std::string name = r.pick(kNames);
    if (!used.insert(name).second) continue;
    std::string rel = prefix.empty() ? name : prefix + "/" + name;
    bool dir = depth < 3 && r.chance(40);
    if (dir) {
      fs::create_directory(root / rel);
      out.push_back({rel, true});
      make_tree(r, root, rel, depth + 1, out);
    } else {
      std::ofstream(root / rel) << "x";
      out.push_back({rel, false});
    }
  }
}

struct GitAnswer {
  bool excluded = false;
  int line = 0;  // 0: no pattern matched
};

// Runs git check-ignore in `repo` for `paths`; returns path -> answer.
std::map<std::string, GitAnswer> ask_git(const fs::path& repo, const std::vector<Node>& nodes,
                                         const fs::path& scratch) {
  fs::path in = scratch / "stdin";
  fs::path outp = scratch / "stdout";
  {
    std::ofstream f(in, std::ios::binary);
    for (const auto& n : nodes) f << n.rel << '\0';
  }
  std::string cmd = "cd '" + repo.string() +
                    "' && git check-ignore --no-index -v -n -z --stdin < '" + in.string() +
                    "' > '" + outp.string() + "'";
  int rc = std::system(cmd.c_str());
  // Exit 1 means "nothing ignored", not an error.
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) > 1) {
    std::cerr << "git check-ignore failed (" << rc << ")\n";
    std::exit(2);
  }
  auto data = read_file(outp);
  if (!data) {
    std::cerr << data.error().message << "\n";
    std::exit(2);
  }
  std::vector<std::string> fields;
  size_t pos = 0;
  while (pos < data->size()) {
    size_t z = data->find('\0', pos);
    if (z == std::string::npos) break;
    fields.push_back(data->substr(pos, z - pos));
    pos = z + 1;
  }
  std::map<std::string, GitAnswer> out;
  for (size_t i = 0; i + 3 < fields.size(); i += 4) {
    GitAnswer a;
    const std::string& pattern = fields[i + 2];
    if (!fields[i + 1].empty()) a.line = std::stoi(fields[i + 1]);
    a.excluded = !pattern.empty() && pattern[0] != '!';
    out[fields[i + 3]] = a;
  }
  return out;
}

std::string visible(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n\n      ";
    else out += c;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 300;
  unsigned seed = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 20261124u;
  auto scratch = TempDir::create("funcignore-vs-git");
  if (!scratch) {
    std::cerr << scratch.error().message << "\n";
    return 2;
  }
  // Keep the user's git configuration (global excludes!) out of the oracle.
  setenv("HOME", scratch->path().c_str(), 1);
  setenv("XDG_CONFIG_HOME", scratch->path().c_str(), 1);
  setenv("GIT_CONFIG_NOSYSTEM", "1", 1);

  Rng rng(seed);
  size_t checked = 0, excluded = 0, failures = 0, negations = 0;
  // One repository and one `git check-ignore` run for every round (processes are slow to
  // start): round N lives in directory rN/ with its patterns in rN/.gitignore, which git applies
  // relative to rN/ exactly as a .funcignore at an app root.
  fs::path repo = scratch->path() / "repo";
  fs::create_directories(repo);
  std::string init = "git init -q '" + repo.string() + "'";
  if (std::system(init.c_str()) != 0) {
    std::cerr << "git init failed\n";
    return 2;
  }
  struct Round {
    std::string dir;
    std::vector<Node> nodes;
    std::string text;
  };
  std::vector<Round> all;
  std::vector<Node> every;
  for (int round = 0; round < rounds; ++round) {
    Round r;
    r.dir = "r" + std::to_string(round);
    fs::create_directory(repo / r.dir);
    make_tree(rng, repo / r.dir, "", 0, r.nodes);
    r.text = make_ignore_file(rng);
    std::ofstream(repo / r.dir / ".gitignore", std::ios::binary) << r.text;
    for (const auto& n : r.nodes) every.push_back({r.dir + "/" + n.rel, n.dir});
    all.push_back(std::move(r));
  }
  auto git = ask_git(repo, every, scratch->path());
  for (size_t round = 0; round < all.size(); ++round) {
    const Round& r = all[round];
    IgnoreFile file = parse_ignore_text(r.text, ".gitignore");
    auto matcher = GitIgnoreMatcher::create(file);
    if (!matcher) {
      std::cerr << matcher.error().message << "\n";
      return 2;
    }
    for (const auto& n : r.nodes) {
      auto v = matcher->check(n.rel, n.dir);
      if (!v) {
        std::cerr << v.error().message << "\n";
        return 2;
      }
      ++checked;
      auto it = git.find(r.dir + "/" + n.rel);
      if (it == git.end()) {
        std::cerr << "round " << round << ": git said nothing about '" << n.rel << "'\n";
        return 2;
      }
      int our_line = v->pattern >= 0 ? file.patterns[static_cast<size_t>(v->pattern)].line : 0;
      if (it->second.excluded) ++excluded;
      if (our_line && !v->excluded) ++negations;
      if (v->excluded != it->second.excluded || our_line != it->second.line) {
        if (++failures <= 15) {
          std::cerr << "MISMATCH round " << round << " path '" << n.rel << "'"
                    << (n.dir ? " (dir)" : "") << ": git "
                    << (it->second.excluded ? "excludes" : "keeps") << " (line "
                    << it->second.line << "), funcpack " << (v->excluded ? "excludes" : "keeps")
                    << " (line " << our_line << ")\n"
                    << "  .gitignore:\n      " << visible(r.text) << "\n";
        }
      }
    }
  }
  std::cout << "funcignore_vs_git: " << rounds << " trees, " << checked << " paths, " << excluded
            << " excluded by git, " << negations << " re-included by a negation, " << failures
            << " mismatches\n";
  // Guard against a generator that stopped exercising anything.
  if (excluded == 0 || excluded == checked || negations == 0) {
    std::cerr << "the generator no longer produces both outcomes\n";
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
