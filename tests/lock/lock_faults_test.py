"""funcpack lock against a misbehaving index: tests/support/index_server.py on 127.0.0.1 with
injected faults (500 once, 503 always, a hang past the client timeout, a connection dropped
mid-body, a closed connection, failing metadata and wheel downloads), over an index generated
by scripts/fixturegen.py and protected by Basic auth given in the index URL.

For each fault: the exit code, the exact error line (redacted URL, reason, attempts), the
server's request log (how many attempts really reached it), a pre-existing pylock.toml left
byte-identical with no temporary file beside it, and the password absent from every output.

usage: lock_faults_test.py FUNCPACK SOURCE_DIR WORK_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import time

FUNCPACK, SOURCE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
SERVER = os.path.join(SOURCE, "tests", "support", "index_server.py")
FIXTUREGEN = os.path.join(SOURCE, "scripts", "fixturegen.py")
SECRET = "s3cr3t-token"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


SCENARIO = """
[[package]]
name = "app-core"
versions = ["1.0"]
dependencies = ["helper>=2"]

[[package]]
name = "helper"
versions = ["1.0", "2.1"]

[[package]]
name = "plain"
versions = ["1.0"]
metadata_file = false
"""

shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
scenario = os.path.join(WORK, "faults.toml")
with open(scenario, "w") as f:
    f.write(SCENARIO)
index = os.path.join(WORK, "index")
subprocess.run([sys.executable, FIXTUREGEN, "build", scenario, "-o", index], check=True)


class Server:
    """index_server.py with the given faults, started on an ephemeral port."""

    def __init__(self, name, faults=(), hang_seconds=None):
        self.log = os.path.join(WORK, name + ".log")
        args = [sys.executable, SERVER, "--root", index, "--log", self.log,
                "--auth", "user:" + SECRET, "--exit-on-stdin-eof"]
        for fault in faults:
            args += ["--fault", fault]
        if hang_seconds is not None:
            args += ["--hang-seconds", str(hang_seconds)]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline())
        self.base = f"http://127.0.0.1:{self.port}"
        self.index_url = f"http://user:{SECRET}@127.0.0.1:{self.port}/simple"
        # The credentials move from the URL into the client's per-host table (io/index_source.h),
        # so messages show the URL without them.
        self.shown = self.base

    def requests(self, path, expect=None):
        """[(status, fault)] of the requests for `path`, in order. A hung request is logged
        only when its sleep ends, so with `expect` (a count) this waits up to 15 s for it."""
        deadline = time.monotonic() + 15
        while True:
            out = []
            with open(self.log) as f:
                for line in f:
                    r = json.loads(line)
                    if r["path"] == path:
                        out.append((r["status"], r["fault"]))
            if expect is None or len(out) >= expect or time.monotonic() > deadline:
                return out
            time.sleep(0.1)

    def stop(self):
        self.proc.stdin.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def lock(app, server, *extra, env_extra=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX",
                        "FUNCPACK_HTTP_TIMEOUT", "NETRC")}
    env.update(env_extra or {})
    cache = os.path.join(WORK, "cache-" + str(time.monotonic_ns()))  # every run starts cold
    r = subprocess.run([FUNCPACK, "lock", app, "--python", "3.11", "--index-url", server.index_url,
                        "--cache-dir", cache, *extra], capture_output=True, text=True, env=env)
    check(SECRET not in r.stdout + r.stderr, f"password printed: {r.stdout!r} {r.stderr!r}")
    for root, _, files in os.walk(cache):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                check(SECRET.encode() not in fh.read(), f"password stored in the cache: {name}")
    return r


def make_app(name, requirements):
    app = os.path.join(WORK, name)
    os.makedirs(app)
    with open(os.path.join(app, "requirements.txt"), "w") as f:
        f.write(requirements)
    return app


# A good lock first: its bytes are what every failure must leave alone.
good_app = make_app("good", "app-core\nplain\n")
server = Server("good")
GOOD_BASE = server.base
try:
    r = lock(good_app, server)
    check(r.returncode == 0, f"baseline lock: {r.returncode} {r.stderr}")
    check(all(authorized for authorized in
              (json.loads(l)["authorized"] for l in open(server.log))),
          "every request (pages, metadata, wheels) carried the URL's credentials")
finally:
    server.stop()
with open(os.path.join(good_app, "pylock.toml"), "rb") as f:
    GOOD_LOCK = f.read()
check(b"user" not in GOOD_LOCK and SECRET.encode() not in GOOD_LOCK and b"***" not in GOOD_LOCK
      and f'url = "{GOOD_BASE}/files/helper-2.1-py3-none-any.whl"'.encode() in GOOD_LOCK,
      "the lock holds URLs without credentials")
check(b'name = "helper"\nversion = "2.1"\n' in GOOD_LOCK and b'name = "plain"\nversion = "1.0"\n' in GOOD_LOCK,
      f"baseline lock content: {GOOD_LOCK.decode()}")

HELPER_PAGE = "/simple/helper/"
HELPER_METADATA = "/files/helper-2.1-py3-none-any.whl.metadata"
PLAIN_WHEEL = "/files/plain-1.0-py3-none-any.whl"


def recovers(name, faults, path, expected_log, args=(), hang_seconds=None, ordered=True):
    """The fault is retried away: exit 0 and the same lock as without it."""
    app = make_app(name, "app-core\nplain\n")
    server = Server(name, faults, hang_seconds=hang_seconds)
    try:
        start = time.monotonic()
        r = lock(app, server, *args)
        elapsed = time.monotonic() - start
        check(r.returncode == 0, f"{name}: exit {r.returncode}: {r.stderr}")
        check(r.stderr == "", f"{name}: stderr {r.stderr!r}")
        got = server.requests(path, len(expected_log))
        check(got == expected_log if ordered else sorted(got, key=str) == sorted(expected_log, key=str),
              f"{name}: requests of {path}: {got}")
        with open(os.path.join(app, "pylock.toml"), "rb") as f:
            check(same_lock(f.read(), server), f"{name}: the lock differs from the fault-free one")
        return elapsed
    finally:
        server.stop()


def same_lock(data, server):
    """The lock equals the fault-free one but for the server's port."""
    return data.replace(server.base.encode(), b"BASE") == GOOD_LOCK.replace(GOOD_BASE.encode(), b"BASE")


def fails(name, faults, path, expected_stderr, attempts, args=(), env_extra=None, hang_seconds=None):
    """The fault outlasts the retries: exit 2, one exact error line, nothing written."""
    app = make_app(name, "app-core\nplain\n")
    with open(os.path.join(app, "pylock.toml"), "wb") as f:
        f.write(GOOD_LOCK)
    before = sorted(os.listdir(app))
    server = Server(name, faults, hang_seconds=hang_seconds)
    try:
        start = time.monotonic()
        r = lock(app, server, *args, env_extra=env_extra)
        elapsed = time.monotonic() - start
        check(r.returncode == 2, f"{name}: exit {r.returncode}: {r.stderr}")
        check(r.stdout == "", f"{name}: stdout {r.stdout!r}")
        check(r.stderr == expected_stderr.format(url=server.shown),
              f"{name}: stderr {r.stderr!r}, expected {expected_stderr.format(url=server.shown)!r}")
        got = len(server.requests(path, attempts if isinstance(attempts, int) else attempts[0]))
        if isinstance(attempts, int):
            check(got == attempts, f"{name}: {got} requests of {path}, expected {attempts}")
        else:
            check(attempts[0] <= got <= attempts[1],
                  f"{name}: {got} requests of {path}, expected {attempts[0]}..{attempts[1]}")
        with open(os.path.join(app, "pylock.toml"), "rb") as f:
            check(f.read() == GOOD_LOCK, f"{name}: the existing lock was changed")
        check(sorted(os.listdir(app)) == before, f"{name}: files left beside the lock: {os.listdir(app)}")
        # Same failure with no lock beforehand: none is created.
        os.remove(os.path.join(app, "pylock.toml"))
        return elapsed
    finally:
        server.stop()


# 500 once on a project page: retried, locked, and the log shows both attempts.
recovers("page-500-once", [HELPER_PAGE + "=500:1"], HELPER_PAGE, [(500, "500"), (200, None)])
# A connection reset halfway through the metadata body, once: retried.
recovers("metadata-drop-once", [HELPER_METADATA + "=drop:1"], HELPER_METADATA,
         [(200, "drop"), (200, None)])
# A hang longer than the timeout, once: the attempt times out, the retry succeeds (the hung
# request is logged when its sleep ends, after the retry's).
recovers("page-hang-once", [HELPER_PAGE + "=hang:1"], HELPER_PAGE, [(200, "hang"), (200, None)],
         hang_seconds=1.5, args=("--timeout", "0.5"), ordered=False)

# 503 on every attempt: 4 attempts (io/http.h), then an error naming the redacted URL.
fails("page-503", [HELPER_PAGE + "=503"], HELPER_PAGE,
      "funcpack lock: GET {url}/simple/helper/: HTTP 503 after 4 attempts\n", 4)
# A hang past the client timeout on every attempt (timeout from the environment here).
elapsed = fails("page-hang", [HELPER_PAGE + "=hang"], HELPER_PAGE,
                "funcpack lock: GET {url}/simple/helper/: timed out after 400 ms (4 attempts)\n", 4,
                env_extra={"FUNCPACK_HTTP_TIMEOUT": "0.4"}, hang_seconds=1.5)
# Without the 0.4 s timeout each attempt would wait out the 1.5 s hang and succeed; the bound
# is loose so a loaded machine does not fail it.
check(elapsed < 30, f"page-hang: took {elapsed:.1f} s")
# --timeout wins over the environment.
fails("page-hang-flag", [HELPER_PAGE + "=hang"], HELPER_PAGE,
      "funcpack lock: GET {url}/simple/helper/: timed out after 300 ms (4 attempts)\n", 4,
      args=("--timeout", "0.3"), env_extra={"FUNCPACK_HTTP_TIMEOUT": "100"}, hang_seconds=1.5)
# The connection dropped mid-body on every attempt.
fails("page-drop", [HELPER_PAGE + "=drop"], HELPER_PAGE,
      "funcpack lock: GET {url}/simple/helper/: connection dropped before the whole response "
      "arrived (4 attempts)\n", 4)
# The connection closed before any response. curl itself sends a request once more when a
# reused connection turns out closed, so each of the 4 attempts may reach the server twice.
fails("page-close", [HELPER_PAGE + "=close"], HELPER_PAGE,
      "funcpack lock: GET {url}/simple/helper/: connection closed without a response (4 attempts)\n",
      (4, 8))
# The PEP 658 metadata file fails on every attempt.
fails("metadata-500", [HELPER_METADATA + "=500"], HELPER_METADATA,
      "funcpack lock: GET {url}" + HELPER_METADATA + ": HTTP 500 after 4 attempts\n", 4)
# A wheel that has to be downloaded (no metadata file) is gone: 404 is final, not retried.
fails("wheel-404", [PLAIN_WHEEL + "=404"], PLAIN_WHEEL,
      "funcpack lock: GET {url}" + PLAIN_WHEEL + ": HTTP 404\n", 1)

# A bad timeout is an input error before any request.
app = make_app("bad-timeout", "app-core\n")
server = Server("bad-timeout")
try:
    r = lock(app, server, env_extra={"FUNCPACK_HTTP_TIMEOUT": "soon"})
    check(r.returncode == 2 and r.stderr ==
          "funcpack lock: FUNCPACK_HTTP_TIMEOUT: expected a positive number of seconds, got 'soon'\n",
          f"bad FUNCPACK_HTTP_TIMEOUT: {r.returncode} {r.stderr!r}")
    r = lock(app, server, "--timeout", "0")
    check(r.returncode == 2 and "--timeout" in r.stderr, f"--timeout 0: {r.returncode} {r.stderr!r}")
    check(os.path.getsize(server.log) == 0, "no request before the timeout is validated")
    check(sorted(os.listdir(app)) == ["requirements.txt"], "nothing written on input errors")
finally:
    server.stop()

if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)
print("ok")
