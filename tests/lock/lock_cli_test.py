"""funcpack lock against a real HTTP index on 127.0.0.1.

Builds wheels (zip + METADATA + WHEEL + RECORD) and a PEP 503 tree with sha256 fragments and
data-requires-python, serves it with `python3 -m http.server`, and checks the lock text, the
exit codes (0 locked, 1 no resolution, 2 input errors) and that nothing is written on failure.
"""
import base64
import hashlib
import html
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

FUNCPACK = sys.argv[1]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def wheel(root, name, version, tag="py3-none-any", requires=(), requires_python=None):
    stem = name.replace("-", "_")
    fn = f"{stem}-{version}-{tag}.whl"
    d = os.path.join(root, "simple", name)
    os.makedirs(d, exist_ok=True)
    di = f"{stem}-{version}.dist-info"
    md = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if requires_python:
        md += f"Requires-Python: {requires_python}\n"
    md += "".join(f"Requires-Dist: {r}\n" for r in requires)
    files = {f"{stem}/__init__.py": "", f"{di}/METADATA": md,
             f"{di}/WHEEL": f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: {tag}\n"}
    record = ""
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record += f"{path},sha256={digest},{len(text.encode())}\n"
    record += f"{di}/RECORD,,\n"
    path = os.path.join(d, fn)
    with zipfile.ZipFile(path, "w") as z:
        for p, text in files.items():
            z.writestr(zipfile.ZipInfo(p, (2020, 1, 1, 0, 0, 0)), text)
        z.writestr(zipfile.ZipInfo(f"{di}/RECORD", (2020, 1, 1, 0, 0, 0)), record)
    data = open(path, "rb").read()
    attrs = f' data-requires-python="{html.escape(requires_python)}"' if requires_python else ""
    return name, f'<a href="{fn}#sha256={hashlib.sha256(data).hexdigest()}"{attrs}>{fn}</a>', data


def write_index(root, links):
    pages = {}
    for name, link, _ in links:
        pages.setdefault(name, []).append(link)
    for name, ls in pages.items():
        with open(os.path.join(root, "simple", name, "index.html"), "w") as f:
            f.write("<!DOCTYPE html><html><body>\n" + "\n".join(ls) + "\n</body></html>\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, cwd=None):
    env = dict(os.environ)
    for k in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
        env.pop(k, None)
    return subprocess.run([FUNCPACK, "lock", *args], capture_output=True, text=True, cwd=cwd, env=env)


with tempfile.TemporaryDirectory() as tmp:
    index = os.path.join(tmp, "index")
    links = [
        wheel(index, "app-core", "1.0", requires=["helper>=2", "winonly; sys_platform == 'win32'"]),
        wheel(index, "app-core", "2.0", requires_python=">=3.13"),
        wheel(index, "helper", "1.0"),
        wheel(index, "helper", "2.1"),
        wheel(index, "helper", "3.0a1"),
        wheel(index, "native", "1.0", tag="cp311-cp311-manylinux_2_34_x86_64"),
        wheel(index, "native", "1.0", tag="cp312-cp312-win_amd64"),
    ]
    write_index(index, links)
    sha = {l[1].split('"')[1].split("#")[0]: hashlib.sha256(l[2]).hexdigest() for l in links}
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", index], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/simple/helper/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        cache = os.path.join(tmp, "cache")
        app = os.path.join(tmp, "app")
        os.makedirs(app)
        with open(os.path.join(app, "requirements.txt"), "w") as f:
            f.write("app-core\n")

        r = run(app, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache)
        check(r.returncode == 0, f"lock exit {r.returncode}: {r.stderr}")
        lock_path = os.path.join(app, "pylock.toml")
        check(r.stdout == f"locked 2 packages for CPython 3.11.14 on Linux x86_64 (glibc 2.31) to {lock_path}\n",
              f"stdout: {r.stdout!r}")
        text = open(lock_path).read() if os.path.exists(lock_path) else ""
        check("[[packages]]\nname = \"app-core\"\nversion = \"1.0\"\n" in text, f"app-core 1.0 locked: {text}")
        check(f'wheels = [{{name = "helper-2.1-py3-none-any.whl", url = "{base}/simple/helper/helper-2.1-py3-none-any.whl", '
              f'hashes = {{sha256 = "{sha["helper-2.1-py3-none-any.whl"]}"}}}}]' in text, f"helper 2.1 wheel entry: {text}")
        check(text.startswith('lock-version = "1.0"\n') and 'created-by = "funcpack"\n' in text, "pylock header")
        check("winonly" not in text, "markers evaluated for Linux")

        # Same inputs, same bytes.
        r2 = run(app, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache, "-o", "-")
        check(r2.returncode == 0 and r2.stdout == text, "second run gives the same bytes")

        r = run(app, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache,
                "--format", "requirements", "-o", "-")
        check(r.returncode == 0 and f"helper==2.1 \\\n    --hash=sha256:{sha['helper-2.1-py3-none-any.whl']}\n    # via app-core\n" in r.stdout,
              f"requirements format: {r.stdout}")

        # No resolution: exit 1, an explanation, and no lock file.
        bad = os.path.join(tmp, "bad")
        os.makedirs(bad)
        with open(os.path.join(bad, "requirements.txt"), "w") as f:
            f.write("app-core==1.0\nhelper<2\n")
        r = run(bad, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache)
        check(r.returncode == 1, f"no-solution exit {r.returncode}: {r.stderr}")
        check(r.stderr == "funcpack lock: no resolution for CPython 3.11.14 on Linux x86_64:\n"
              "Because app-core==1.0 depends on helper>=2 and you require app-core==1.0, helper>=2 is required.\n"
              "And because you require helper<2, no solution exists.\n", f"explanation: {r.stderr}")
        check(not os.path.exists(os.path.join(bad, "pylock.toml")), "nothing written on failure")

        # A project with no wheel for the runtime: the files found and why they do not fit.
        with open(os.path.join(bad, "requirements.txt"), "w") as f:
            f.write("native\n")
        r = run(bad, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache)
        check(r.returncode == 1, f"native exit {r.returncode}")
        check("no wheel for cp311 manylinux_2_31 x86_64; found: native-1.0-cp311-cp311-manylinux_2_34_x86_64.whl "
              "(platform manylinux_2_34_x86_64 needs glibc 2.34, the target has 2.31), "
              "native-1.0-cp312-cp312-win_amd64.whl (platform win_amd64)" in r.stderr, f"native: {r.stderr}")
        r = run(bad, "--python", "3.11", "--glibc", "2.34", "--index-url", base + "/simple", "--cache-dir", cache, "-o", "-")
        check(r.returncode == 0 and "native-1.0-cp311-cp311-manylinux_2_34_x86_64.whl" in r.stdout, f"--glibc 2.34: {r.stderr}")

        # Input errors: exit 2.
        with open(os.path.join(bad, "requirements.txt"), "w") as f:
            f.write("pkg @ https://example.invalid/pkg-1.0-py3-none-any.whl\n")
        r = run(bad, "--index-url", base + "/simple", "--cache-dir", cache)
        check(r.returncode == 2 and "is a URL, VCS or path requirement" in r.stderr, f"URL requirement: {r.returncode} {r.stderr}")
        r = run(bad, "--format", "yaml")
        check(r.returncode == 2, "bad --format is a usage error")
    finally:
        server.terminate()
        server.wait()

if failures:
    sys.exit(1)
print("ok")
