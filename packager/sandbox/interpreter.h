// interpreter.h: finds the Python interpreter a sandboxed build runs, for the target's X.Y.
//
// A wheel with a C extension is built for the interpreter that builds it, so that interpreter
// must be CPython X.Y of the target. Candidates, in order:
//  - `explicit_path` (--sandbox-python), alone when given;
//  - bwrap on the host root, and none: pythonX.Y on PATH, pyenv's
//    ($PYENV_ROOT or ~/.pyenv)/versions/X.Y.*/bin/pythonX.Y (newest first), /usr/local/bin and
//    /usr/bin pythonX.Y;
//  - bwrap with --sandbox-root DIR: /opt/python/cpXY-cpXY/bin/python (the manylinux layout),
//    /usr/local/bin/pythonX.Y, /usr/bin/pythonX.Y inside DIR;
//  - docker/podman: /opt/python/cpXY-cpXY/bin/python (manylinux images).
// Each candidate that exists is asked for its version inside the sandbox itself (so it is one
// the build can run: an interpreter under a hidden or unreadable directory is not); the first
// that answers X.Y.* is used. For docker/podman the image is asked (one container start).
#pragma once

#include <filesystem>
#include <string>

#include "base/error.h"
#include "sandbox/runner.h"

namespace funcpack {

struct Interpreter {
  std::string path;     // as the sandbox sees it
  std::string version;  // "3.11.2"
};

// Returns the interpreter, or an Error "no Python X.Y interpreter for the BACKEND sandbox:
// tried PATH (why), ...; install Python X.Y or pass --sandbox-python PATH". `scratch` is a
// directory for the probes' output.
Result<Interpreter> find_interpreter(const SandboxConfig& config, int major, int minor,
                                     const std::string& explicit_path,
                                     const std::filesystem::path& scratch);

}  // namespace funcpack
