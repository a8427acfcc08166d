#!/usr/bin/env python3
"""fixturegen: makes REAL Python distributions and a static package index from a scenario.

Python 3.11+ standard library only (runs on Debian's /usr/bin/python3). Output is
deterministic: the same scenario (or the same bench seed) gives the same bytes on every run
(fixed timestamps 1980-01-01, sorted members, fixed modes, gzip mtime 0).

Usage
  fixturegen.py build SCENARIO.toml -o OUT        one scenario -> OUT/
  fixturegen.py bench --seed N [--packages 300] [--versions 20] [--requirements 40] -o OUT
                                                   a large generated index for benchmarks

Output layout (what an HTTP test server serves; stable contract)
  OUT/simple/index.html             PEP 503 project list, links "<name>/"
  OUT/simple/index.json             PEP 691 project list (application/vnd.pypi.simple.v1+json)
  OUT/simple/<name>/index.html      PEP 503 project page (<name> is PEP 503-normalised)
  OUT/simple/<name>/index.json      PEP 691 project page (api-version 1.1)
  OUT/files/<filename>              wheels and sdists (also usable as a --find-links dir)
  OUT/files/<wheel>.metadata        PEP 658 core metadata of each wheel (unless disabled)
  OUT/manifest.json                 every file: project, version, filename, sha256, size,
                                    yanked, requires_python (for tests that check a lock)
  OUT/requirements.txt              (bench mode only) the top-level requirements to resolve

  Links inside the pages are RELATIVE: "../../files/<filename>#sha256=<hex>" from
  simple/<name>/ (HTML and JSON alike), so the same tree works as a file:// index
  (pip --index-url file://OUT/simple) and behind any HTTP server mounted at any prefix.
  A server content-negotiates by serving simple/<name>/index.json for
  "Accept: application/vnd.pypi.simple.v1+json" and index.html otherwise (a request for
  "simple/<name>/" maps to the directory's index file); the .html/.json files can also be
  fetched by their own names. The project page <a> attributes are: href with #sha256=,
  data-requires-python (HTML-escaped), data-yanked (reason, may be empty) when yanked,
  data-dist-info-metadata and data-core-metadata ("sha256=<hex>") when a .metadata file
  exists. The JSON files carry "hashes", "requires-python", "yanked" (false or the reason),
  "core-metadata"/"dist-info-metadata" ({"sha256": ...} or false), "size", and the
  top-level "versions" list (PEP 700).

Scenario format (TOML): see the `fixtures` section of README.md; a short example:

  [index]
  metadata_files = true          # write <wheel>.metadata + data-core-metadata (default true)

  [[package]]
  name = "alpha"
  summary = "Alpha does things"
  requires_python = ">=3.8"      # package-level defaults, inherited by every release
  wheels = ["py3-none-any"]
  versions = ["1.0.0", "1.1.0"]  # shorthand releases using the defaults

  [[package.release]]            # a release with its own settings (overrides defaults)
  version = "2.0.0"
  dependencies = ["beta>=1.0", "gamma; python_version < '3.12'"]
  extras = { fast = ["delta>=2"] }
  wheels = ["cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", "py3-none-any"]
  sdist = true
  yanked = "broken build"
  entry_points = { console_scripts = { alpha = "alpha.cli:main" } }
  files = { "alpha/data.txt" = "payload" }
  native = [{ path = "alpha/_speed.so", glibc = "2.28", needed = ["libc.so.6"] }]
"""
