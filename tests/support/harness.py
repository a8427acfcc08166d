"""Pieces the end-to-end test scripts under tests/ share (standard library only).

- Checks: collects failed checks and reports each at once ("FAIL: what"), so one run shows
  every problem; `exit()` ends the script with 1 when any failed.
- build_index(): a fixturegen scenario (TOML text) built into WORK/index, with its manifest
  by filename.
- IndexServer: tests/support/index_server.py on 127.0.0.1 (an ephemeral port), started here
  and stopped by `stop()` or the `with` block; `base` is "http://127.0.0.1:PORT".
- serve_on_loopback(): the serving loop of the tests/support servers (index_server.py,
  git_http_server.py): 127.0.0.1, optional TLS, stop on SIGTERM/SIGINT or (with
  exit_on_stdin_eof) when stdin closes, the port printed as the first line of stdout.
- unescape(): reads back a field an oracle tool wrote with base/strings.h's
  escape_controls(s, backslash=true) (\\t \\n \\r \\xHH and an escaped backslash).
- clean_env(): the caller's environment without the variables that would change which index
  funcpack or pip reads (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX)
  or its HTTP timeout (FUNCPACK_HTTP_TIMEOUT).
"""
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Checks:
    def __init__(self):
        self.failures = []

    def __call__(self, cond, what):
        if not cond:
            self.failures.append(what)
            print("FAIL:", what)

    def exit(self):
        if self.failures:
            print(f"{len(self.failures)} failures")
            sys.exit(1)


def build_index(work, scenario_text, name="scenario.toml"):
    """Writes the scenario to WORK/NAME, builds it into WORK/index with fixturegen and returns
    (index directory, {filename: manifest entry})."""
    scenario = os.path.join(work, name)
    with open(scenario, "w") as f:
        f.write(scenario_text)
    index = os.path.join(work, "index")
    subprocess.run([sys.executable, os.path.join(SOURCE, "scripts", "fixturegen.py"), "build",
                    scenario, "-o", index], check=True, capture_output=True)
    with open(os.path.join(index, "manifest.json")) as f:
        return index, {m["filename"]: m for m in json.load(f)}


class IndexServer:
    def __init__(self, root, *args):
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(SOURCE, "tests", "support", "index_server.py"),
             "--root", root, "--exit-on-stdin-eof", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.base = f"http://127.0.0.1:{int(self.process.stdout.readline())}"

    def stop(self):
        self.process.stdin.close()
        self.process.terminate()
        self.process.wait()
        self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def clean_env(extra=None):
    env = dict(os.environ)
    for k in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX",
              "FUNCPACK_HTTP_TIMEOUT"):
        env.pop(k, None)
    env.update(extra or {})
    return env


def unescape(s):
    """The text an oracle tool escaped with escape_controls(s, true)."""
    out = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch != "\\" or i + 1 >= len(s):
            out.append(ch)
            i += 1
            continue
        k = s[i + 1]
        if k == "t":
            out.append("\t")
        elif k == "n":
            out.append("\n")
        elif k == "r":
            out.append("\r")
        elif k == "x":
            out.append(chr(int(s[i + 2 : i + 4], 16)))
            i += 2
        else:
            out.append(k)
        i += 2
    return "".join(out)


def serve_on_loopback(handler, port=0, tls_cert=None, tls_key=None, exit_on_stdin_eof=False):
    """Serves `handler` (a BaseHTTPRequestHandler class) on 127.0.0.1:PORT until stopped."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    if tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls_cert, tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if exit_on_stdin_eof:
        def watch():
            # os.read, not sys.stdin: a daemon thread blocked in a buffered read would hold
            # the buffer's lock at interpreter shutdown.
            try:
                while os.read(0, 4096):
                    pass
            except OSError:
                pass
            stop()
        threading.Thread(target=watch, daemon=True).start()

    print(server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.1)
    server.server_close()
