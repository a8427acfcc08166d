// Resolver behaviour on in-memory indexes: choices, extras, constraints, markers, pre-releases,
// yanked files, binary policy, and the exact text of "no solution" explanations.
#include "resolve/resolver.h"

#include <gtest/gtest.h>

#include "resolve/memory_source.h"

namespace funcpack {
namespace {

std::vector<Requirement> reqs(std::initializer_list<const char*> texts) {
  std::vector<Requirement> out;
  for (const char* t : texts) {
    auto r = Requirement::parse(t);
    EXPECT_TRUE(r.has_value()) << t;
    if (r) out.push_back(*r);
  }
  return out;
}

DistributionFile file(std::string name, bool yanked = false, std::string reason = "") {
  DistributionFile f;
  f.filename = std::move(name);
  f.yanked = yanked;
  f.yanked_reason = std::move(reason);
  return f;
}

ResolveRequest request(std::initializer_list<const char*> roots) {
  ResolveRequest r;
  r.requirements = reqs(roots);
  return r;
}

std::string pins(const Resolution& res) {
  std::string out;
  for (const auto& p : res.packages) {
    if (!out.empty()) out += " ";
    out += p.name + "==" + p.version.str();
  }
  return out;
}

std::string explain(MemorySource& src, const ResolveRequest& req) {
  auto r = resolve(src, req);
  if (r) return "resolved: " + pins(*r);
  EXPECT_EQ(r.error().kind, ResolveFailure::Kind::kNoSolution);
  return r.error().message;
}

TEST(Resolver, PicksHighestVersionsAndRecordsWhoRequiredWhat) {
  MemorySource src;
  src.add_wheel("A", "1.0", {"b>=1"});
  src.add_wheel("a", "2.0", {"b>=2", "c; python_version < '3.0'"});
  src.add_wheel("b", "1.0");
  src.add_wheel("b", "2.0");
  src.add_wheel("b", "3.0a1");
  src.add_wheel("c", "1.0");
  auto res = resolve(src, request({"a"}));
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(pins(*res), "a==2.0 b==2.0");
  EXPECT_TRUE(res->packages[0].direct);
  EXPECT_FALSE(res->packages[1].direct);
  EXPECT_EQ(res->packages[1].required_by, std::vector<std::string>{"a"});
  EXPECT_EQ(res->packages[0].file.filename, "a-2.0-py3-none-any.whl");
  EXPECT_EQ(res->requires_python, "==3.11.*");
  // Pages are prefetched as soon as a project is discovered, before they are needed.
  EXPECT_EQ(src.prefetch_calls(), (std::vector<std::string>{"a", "b"}));
}

TEST(Resolver, ExtrasAddDependenciesAndPinTheSameVersion) {
  MemorySource src;
  src.add_file("a", file("a-1.0-py3-none-any.whl"),
               make_core_metadata("a", "1.0", {"b ; extra == 'x'", "c ; extra == 'all'", "a[x] ; extra == 'all'"},
                                  std::nullopt, {"x", "all"}));
  src.add_wheel("b", "1.0");
  src.add_wheel("c", "1.0");
  auto res = resolve(src, request({"a[all]"}));
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(pins(*res), "a==1.0 b==1.0 c==1.0");
  EXPECT_EQ(res->packages[0].extras, (std::vector<std::string>{"all", "x"}));
  auto plain = resolve(src, request({"a"}));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(pins(*plain), "a==1.0");
}

TEST(Resolver, ConstraintsRestrictButNeverAdd) {
  MemorySource src;
  src.add_wheel("a", "1.0", {"b"});
  src.add_wheel("b", "1.0");
  src.add_wheel("b", "2.0");
  src.add_wheel("c", "1.0");
  ResolveRequest req = request({"a"});
  req.constraints = reqs({"b<2", "c==1.0"});
  auto res = resolve(src, req);
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(pins(*res), "a==1.0 b==1.0");

  req.constraints = reqs({"b>2"});
  EXPECT_EQ(explain(src, req),
            "Because a==1.0 depends on b and your constraint requires b>2, a==1.0 is forbidden.\n"
            "And because you require a, no solution exists.");
}

TEST(Resolver, ExplainsAMissingVersion) {
  MemorySource src;
  src.add_wheel("a", "1.0", {"b>=2"});
  src.add_wheel("b", "1.0");
  EXPECT_EQ(explain(src, request({"a==1.0"})),
            "Because a==1.0 depends on b>=2 and no versions of b match >=2, a==1.0 is forbidden.\n"
            "And because you require a==1.0, no solution exists.");
}

TEST(Resolver, ExplainsAProjectThatDoesNotExist) {
  MemorySource src;
  EXPECT_EQ(explain(src, request({"nope>=1"})),
            "Because no versions of nope exist and you require nope>=1, no solution exists.");
}

TEST(Resolver, ExplainsConflictingDependencies) {
  MemorySource src;
  src.add_wheel("a", "1.0", {"c==1.0"});
  src.add_wheel("b", "1.0", {"c==2.0"});
  src.add_wheel("c", "1.0");
  src.add_wheel("c", "2.0");
  EXPECT_EQ(explain(src, request({"a", "b"})),
            "Because a==1.0 depends on c==1.0 and b==1.0 depends on c==2.0, a==1.0 is incompatible "
            "with b==1.0.\n"
            "And because you require a and you require b, no solution exists.");
}

TEST(Resolver, BacktracksThroughDependencyRanges) {
  MemorySource src;
  src.add_wheel("a", "1.0", {"b==1.0"});
  src.add_wheel("a", "2.0", {"b==2.0"});
  src.add_wheel("a", "3.0", {"b==3.0"});
  src.add_wheel("b", "1.0");
  src.add_wheel("b", "2.0");
  src.add_wheel("b", "3.0");
  auto res = resolve(src, request({"a", "b<3"}));
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(pins(*res), "a==2.0 b==2.0");
}

TEST(Resolver, NamesEveryRejectedFileWhenNoWheelFits) {
  MemorySource src;
  src.add_wheel("foo", "1.0", {}, "cp312-cp312-win_amd64");
  src.add_wheel("foo", "1.0", {}, "cp311-cp311-manylinux_2_34_x86_64");
  src.add_file("foo", file("foo-1.0.tar.gz"), make_core_metadata("foo", "1.0", {}));
  EXPECT_EQ(explain(src, request({"foo"})),
            "Because no usable versions of foo exist (foo==1.0: no wheel for cp311 manylinux_2_31 "
            "x86_64; found: foo-1.0-cp312-cp312-win_amd64.whl (platform win_amd64), "
            "foo-1.0-cp311-cp311-manylinux_2_34_x86_64.whl (platform manylinux_2_34_x86_64 needs "
            "glibc 2.34, the target has 2.31), foo-1.0.tar.gz (sdist, only wheels are allowed)) "
            "and you require foo, no solution exists.");
  // With sdists allowed (pip's default) the sdist is chosen.
  ResolveRequest req = request({"foo"});
  req.binary = BinaryPolicy::pip_default();
  auto res = resolve(src, req);
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_FALSE(res->packages[0].is_wheel);
  EXPECT_EQ(res->packages[0].file.filename, "foo-1.0.tar.gz");
}

TEST(Resolver, PrefersTheBestRankedWheel) {
  MemorySource src;
  src.add_wheel("foo", "1.0", {}, "py3-none-any");
  src.add_wheel("foo", "1.0", {}, "cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64");
  src.add_wheel("foo", "1.0", {}, "cp311-cp311-manylinux_2_28_x86_64");
  auto res = resolve(src, request({"foo"}));
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(res->packages[0].file.filename, "foo-1.0-cp311-cp311-manylinux_2_28_x86_64.whl");
}

TEST(Resolver, RequiresPythonOfMetadataIsChecked) {
  MemorySource src;
  // The index does not publish data-requires-python; only the metadata says it.
  src.add_file("a", file("a-2.0-py3-none-any.whl"), make_core_metadata("a", "2.0", {}, ">=3.12"));
  src.add_wheel("a", "1.0");
  auto res = resolve(src, request({"a"}));
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(pins(*res), "a==1.0");
  EXPECT_EQ(explain(src, request({"a>=2"})),
            "Because a==2.0 requires Python >=3.12 (the target has 3.11.0) and you require a>=2, "
            "no solution exists.");
}

TEST(Resolver, YankedOnlyWhenPinned) {
  MemorySource src;
  src.add_wheel("a", "1.0");
  src.add_file("a", file("a-2.0-py3-none-any.whl", true, "broken"),
               make_core_metadata("a", "2.0", {}));
  auto res = resolve(src, request({"a"}));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(pins(*res), "a==1.0");
  res = resolve(src, request({"a==2.0"}));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(pins(*res), "a==2.0");
  EXPECT_EQ(explain(src, request({"a>1"})),
            "Because no usable versions of a match >1 (a==2.0 is yanked (broken)) and you require "
            "a>1, no solution exists.");
}

TEST(Resolver, PreReleasesFollowPip) {
  MemorySource src;
  src.add_wheel("a", "1.0");
  src.add_wheel("a", "2.0b1");
  src.add_wheel("only-pre", "1.0a1");
  EXPECT_EQ(explain(src, request({"a", "only-pre"})), "resolved: a==1.0 only-pre==1.0a1");
  EXPECT_EQ(explain(src, request({"a>=2.0b1"})), "resolved: a==2.0b1");
  ResolveRequest pre = request({"a"});
  pre.pre = true;
  EXPECT_EQ(explain(src, pre), "resolved: a==2.0b1");
  // A specifier that names no pre-release never matches one, even when nothing else does.
  EXPECT_EQ(explain(src, request({"only-pre>0.1"})),
            "Because no versions of only-pre match >0.1 and you require only-pre>0.1, no solution "
            "exists.");
}

TEST(Resolver, MarkersAreEvaluatedForTheTarget) {
  MemorySource src;
  src.add_wheel("a", "1.0", {"winonly ; sys_platform == 'win32'", "b ; python_version >= '3.11'"});
  src.add_wheel("b", "1.0");
  ResolveRequest req = request({"a", "other ; sys_platform == 'darwin'"});
  auto res = resolve(src, req);
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(pins(*res), "a==1.0 b==1.0");
  req.target.python_minor = 10;
  req.target.python_full_version = "3.10.12";
  res = resolve(src, req);
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(pins(*res), "a==1.0");
}

TEST(Resolver, SourceErrorsAreReportedAsSuch) {
  MemorySource src;
  src.add_wheel("a", "1.0", {"b"});
  src.fail_project("b", "cannot fetch https://index.invalid/simple/b/: HTTP 500");
  auto res = resolve(src, request({"a"}));
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().kind, ResolveFailure::Kind::kSource);
  EXPECT_EQ(res.error().message, "cannot fetch https://index.invalid/simple/b/: HTTP 500");
}

TEST(Resolver, DirectUrlRequirementsAreInputErrors) {
  MemorySource src;
  auto res = resolve(src, request({"a @ https://example.invalid/a-1.0-py3-none-any.whl"}));
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().kind, ResolveFailure::Kind::kInput);
}

TEST(Resolver, InvalidMetadataRulesOutThatVersionOnly) {
  MemorySource src;
  src.add_file("a", file("a-2.0-py3-none-any.whl"), "Metadata-Version: 2.1\nName: a\n");
  src.add_wheel("a", "1.0");
  auto res = resolve(src, request({"a"}));
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(pins(*res), "a==1.0");
}

TEST(Resolver, LongConflictTailsArePrioritised) {
  // packse's wrong-backtracking-basic: deciding b before a avoids walking b's old versions.
  MemorySource src;
  src.add_wheel("a", "1.0.0");
  src.add_wheel("a", "2.0.0");
  src.add_wheel("too-old", "1.0.0");
  src.add_wheel("b", "1.0.0", {"too-old"});
  for (int i = 0; i <= 9; ++i) src.add_wheel("b", "2.0." + std::to_string(i), {"a==1.0.0"});
  EXPECT_EQ(explain(src, request({"a", "b"})), "resolved: a==1.0.0 b==2.0.9");
}

TEST(Resolver, SameInputSameResult) {
  auto run = [] {
    MemorySource src;
    src.add_wheel("a", "1.0", {"c==1.0"});
    src.add_wheel("b", "1.0", {"c==2.0"});
    src.add_wheel("c", "1.0");
    src.add_wheel("c", "2.0");
    return explain(src, request({"a", "b"}));
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace funcpack

namespace funcpack {
namespace {

TEST(Resolver, ExplainsALongDerivation) {
  // packse's dependency-excludes-range-of-compatible-versions.
  MemorySource src;
  src.add_wheel("a", "1.0.0", {"b==1.0.0"});
  for (const char* v : {"2.0.0", "2.1.0", "2.2.0", "2.3.0"}) src.add_wheel("a", v, {"b==2.0.0"});
  src.add_wheel("a", "3.0.0", {"b==3.0.0"});
  for (const char* v : {"1.0.0", "2.0.0", "3.0.0"}) src.add_wheel("b", v);
  src.add_wheel("c", "1.0.0", {"a<2.0.0"});
  src.add_wheel("c", "2.0.0", {"a>=3.0.0"});
  EXPECT_EQ(explain(src, request({"a", "b>=2.0.0,<3.0.0", "c"})),
            "Because a==1.0.0 depends on b==1.0.0 and c==1.0.0 depends on a<2.0.0, c==1.0.0 "
            "requires b==1.0.0.\n"
            "And because c==2.0.0 depends on a>=3.0.0 and a==3.0.0 depends on b==3.0.0, c requires "
            "b!=2.0.0.\n"
            "And because you require b<3.0.0,>=2.0.0 and you require c, no solution exists.");
}


// --- direct references -----------------------------------------------------------------------

DirectDistribution direct_tree(std::string name, std::string version,
                               const std::vector<std::string>& requires_dist,
                               const std::optional<std::string>& requires_python = std::nullopt) {
  DirectDistribution d;
  d.name = name;
  d.origin.kind = DirectOrigin::Kind::kVcs;
  d.origin.url = "https://git.example/" + name + ".git";
  d.origin.commit_id = std::string(40, 'a');
  d.file.url = "git+" + d.origin.url + "@" + d.origin.commit_id;
  d.metadata = make_core_metadata(name, version, requires_dist, requires_python);
  return d;
}

TEST(Resolver, DirectReferenceReplacesTheIndexForItsProject) {
  MemorySource src;
  src.add_wheel("lib", "9.0");  // the index's newer version is never a candidate
  src.add_wheel("dep", "1.0");
  src.add_wheel("dep", "2.0");
  ResolveRequest req = request({"lib", "app-tool"});
  req.direct.push_back(direct_tree("lib", "1.5.dev3", {"dep<2"}));
  src.add_wheel("app-tool", "1.0", {"lib>=1"});
  auto res = resolve(src, req);
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(pins(*res), "app-tool==1.0 dep==1.0 lib==1.5.dev3");
  const ResolvedPackage* lib = res->find("lib");
  ASSERT_NE(lib, nullptr);
  ASSERT_TRUE(lib->origin.has_value());
  EXPECT_EQ(lib->origin->commit_id, std::string(40, 'a'));
  EXPECT_EQ(lib->file.url, "git+https://git.example/lib.git@" + std::string(40, 'a'));
  EXPECT_FALSE(lib->is_wheel);
  EXPECT_TRUE(lib->direct);
  EXPECT_FALSE(res->find("dep")->origin.has_value());
  // The index page of a direct project is never asked for.
  for (const auto& c : src.project_calls()) EXPECT_NE(c, "lib");
}

TEST(Resolver, OtherRequirementsStillApplyToTheDirectVersion) {
  MemorySource src;
  src.add_wheel("app-tool", "1.0", {"lib>=2"});
  ResolveRequest req = request({"lib", "app-tool"});
  req.direct.push_back(direct_tree("lib", "1.5", {}));
  EXPECT_EQ(explain(src, req),
            "Because app-tool==1.0 depends on lib>=2 and you require lib @ "
            "git+https://git.example/lib.git@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, "
            "app-tool==1.0 is forbidden.\n"
            "And because you require app-tool, no solution exists.");
}

TEST(Resolver, DirectReferenceRequiresPythonIsChecked) {
  MemorySource src;
  ResolveRequest req = request({"lib"});
  req.direct.push_back(direct_tree("lib", "1.0", {}, ">=3.12"));
  EXPECT_EQ(explain(src, req),
            "Because lib==1.0 requires Python >=3.12 (the target has 3.11.0) and you require lib @ "
            "git+https://git.example/lib.git@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, no solution exists.");
}

TEST(Resolver, DependencyUrlIsFollowedOnlyThroughTheRootsReference) {
  MemorySource src;
  src.add_wheel("a", "1.0", {"lib @ https://elsewhere.example/lib-0.1.tar.gz"});
  ResolveRequest with_root = request({"a", "lib"});
  with_root.direct.push_back(direct_tree("lib", "1.0", {}));
  auto res = resolve(src, with_root);
  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(pins(*res), "a==1.0 lib==1.0");
  EXPECT_EQ(res->find("lib")->required_by, std::vector<std::string>{"a"});

  auto refused = resolve(src, request({"a"}));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message,
            "a 1.0 depends on 'lib@ https://elsewhere.example/lib-0.1.tar.gz', a direct "
            "reference; funcpack fetches only the URLs your requirements name (add it to "
            "requirements.txt to use it)");
}

TEST(Resolver, DirectReferenceMetadataMustNameTheProject) {
  MemorySource src;
  ResolveRequest req = request({"lib"});
  DirectDistribution d = direct_tree("lib", "1.0", {});
  d.metadata = make_core_metadata("other", "1.0", {});
  req.direct.push_back(d);
  auto res = resolve(src, req);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().kind, ResolveFailure::Kind::kInput);
  EXPECT_EQ(res.error().message,
            "git+https://git.example/lib.git@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa is other "
            "1.0, not lib");
}

}  // namespace
}  // namespace funcpack
