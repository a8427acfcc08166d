// frontend.h: funcpack's PEP 517 frontend script, the Python program that runs inside the
// sandbox and calls the build backend's hooks.
//
// Usage (inside the sandbox): python3 -S -u -B frontend.py ENV SRC OUT HOOK BACKEND PATHS
//   ENV   the build environment (a site-packages holding build-system.requires); added with
//         site.addsitedir so its .pth files (setuptools' distutils-precedence.pth) run;
//         -S keeps the interpreter's own site-packages (Debian's dist-packages) out, as PEP
//         517's isolated builds require;
//   SRC   the source tree (the working directory of the hooks);
//   OUT   the output directory: wheels go to OUT/wheel/, the hook's answer to OUT/HOOK.json;
//   HOOK  get_requires_for_build_wheel (optional in a backend: [] when missing), build_wheel,
//         or prepare_metadata_for_build_wheel: its answer is {"metadata": NAME} (the
//         .dist-info directory it wrote under OUT/metadata/), or, when the backend lacks that
//         optional hook, {"wheel": NAME} (PEP 517's fallback: build_wheel wrote OUT/wheel/NAME);
//   BACKEND  "module" or "module:object" (PEP 517), imported with PATHS (a JSON list of
//         source-relative directories, backend-path) first on sys.path.
// Exit status: 0 when the hook returned; 2 when the backend cannot be imported or a hook is
// missing (a line "funcpack-frontend: ..." says which); 1 when the hook raised (traceback
// printed); anything the build itself exits with otherwise (a setup.py may call sys.exit).
// Output: one line "funcpack-frontend: calling HOOK of BACKEND" first, then the backend's
// own output, unbuffered (-u), so a failing build's log ends with its last words.
#pragma once

#include <string_view>

namespace funcpack {

// The script's source text.
std::string_view pep517_frontend_script();

}  // namespace funcpack
