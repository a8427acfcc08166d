#include "sandbox/frontend.h"

namespace funcpack {

std::string_view pep517_frontend_script() {
  // Written for this project (see frontend.h for the contract); standard library only.
  static constexpr std::string_view kScript = R"PY("""funcpack's in-sandbox PEP 517 frontend (see packager/sandbox/frontend.h)."""
import importlib
import json
import os
import site
import sys


def load_backend(spec, paths, src):
    module_name, _, obj_path = spec.partition(":")
    roots = [os.path.normpath(os.path.join(src, p)) for p in paths]
    sys.path[:0] = roots
    try:
        backend = importlib.import_module(module_name)
    except ImportError as e:
        print(f"funcpack-frontend: cannot import the build backend '{module_name}': {e}",
              file=sys.stderr)
        sys.exit(2)
    if roots:
        where = os.path.normpath(os.path.abspath(getattr(backend, "__file__", "") or ""))
        if not any(where.startswith(r + os.sep) for r in roots):
            print(f"funcpack-frontend: backend-path is set but '{module_name}' was loaded "
                  f"from {where}", file=sys.stderr)
            sys.exit(2)
    for part in filter(None, obj_path.split(".")):
        backend = getattr(backend, part)
    return backend


def main():
    env, src, out, hook, spec, paths = sys.argv[1:7]
    site.addsitedir(env)
    os.chdir(src)
    print(f"funcpack-frontend: calling {hook} of {spec}", flush=True)
    backend = load_backend(spec, json.loads(paths), src)
    if hook == "get_requires_for_build_wheel":
        fn = getattr(backend, hook, None)
        result = list(fn({})) if fn is not None else []
    elif hook == "build_wheel":
        fn = getattr(backend, hook, None)
        if fn is None:
            print(f"funcpack-frontend: the build backend '{spec}' has no build_wheel hook",
                  file=sys.stderr)
            sys.exit(2)
        wheel_dir = os.path.join(out, "wheel")
        os.makedirs(wheel_dir, exist_ok=True)
        result = fn(wheel_dir, {})
    elif hook == "prepare_metadata_for_build_wheel":
        fn = getattr(backend, hook, None)
        if fn is not None:
            metadata_dir = os.path.join(out, "metadata")
            os.makedirs(metadata_dir, exist_ok=True)
            result = {"metadata": fn(metadata_dir, {})}
        else:
            # PEP 517: without the hook, the frontend builds the wheel and reads it.
            build = getattr(backend, "build_wheel", None)
            if build is None:
                print(f"funcpack-frontend: the build backend '{spec}' has no build_wheel hook",
                      file=sys.stderr)
                sys.exit(2)
            wheel_dir = os.path.join(out, "wheel")
            os.makedirs(wheel_dir, exist_ok=True)
            result = {"wheel": build(wheel_dir, {})}
    else:
        print(f"funcpack-frontend: unknown hook {hook}", file=sys.stderr)
        sys.exit(2)
    with open(os.path.join(out, hook + ".json"), "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
)PY";
  return kScript;
}

}  // namespace funcpack
