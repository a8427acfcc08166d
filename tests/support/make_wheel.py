#!/usr/bin/env python3
"""make_wheel.py: writes a wheel (a real zip) from a JSON description, including broken ones.

Tests of the installer need wheels that a well-behaved generator (scripts/fixturegen.py) never
makes: paths with '..', symlinks, duplicate members, RECORD mismatches. Usage:

  make_wheel.py SPEC.json OUT.whl

SPEC: {"name": "demo", "version": "1.0",           -> demo-1.0.dist-info/{METADATA,WHEEL}
       "metadata_name": "demo", "metadata_version": "1.0",   (optional overrides)
       "files": {"demo/__init__.py": "x = 1\\n", ...},
       "executable": ["demo-1.0.data/scripts/run"],
       "symlinks": {"demo/link": "../../etc/passwd"},
       "duplicate": ["demo/__init__.py"],          -> written twice
       "record": "auto" | "omit:<path>" | "tamper:<path>" | "extra:<path>"}
The RECORD is computed from the final bytes unless "record" says otherwise.
"""
import base64
import hashlib
import json
import sys
import warnings
import zipfile


def digest(data):
    d = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(d).rstrip(b"=").decode()


def main():
    spec = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    name, version = spec["name"], spec["version"]
    di = f"{name}-{version}.dist-info"
    files = dict(spec.get("files", {}))
    files[f"{di}/METADATA"] = (
        "Metadata-Version: 2.1\n"
        f"Name: {spec.get('metadata_name', name)}\n"
        f"Version: {spec.get('metadata_version', version)}\n\n")
    files[f"{di}/WHEEL"] = spec.get(
        "wheel", "Wheel-Version: 1.0\nGenerator: make_wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    record_mode = spec.get("record", "auto")
    rows = []
    for path, text in sorted(files.items()):
        data = text.encode()
        if record_mode == f"omit:{path}":
            continue
        h = digest(data)
        if record_mode == f"tamper:{path}":
            h = digest(data + b"tampered")
        rows.append(f"{path},{h},{len(data)}")
    if record_mode.startswith("extra:"):
        rows.append(f"{record_mode[6:]},{digest(b'')},0")
    rows.append(f"{di}/RECORD,,")
    files[f"{di}/RECORD"] = "\n".join(rows) + "\n"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names warn
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for path, text in sorted(files.items()):
                info = zipfile.ZipInfo(path, (1980, 1, 1, 0, 0, 0))
                mode = 0o755 if path in spec.get("executable", []) else 0o644
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, text)
                if path in spec.get("duplicate", []):
                    z.writestr(info, text)
            for path, target in spec.get("symlinks", {}).items():
                info = zipfile.ZipInfo(path, (1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o120777) << 16
                z.writestr(info, target)


if __name__ == "__main__":
    main()
