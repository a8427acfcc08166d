#!/usr/bin/env python3
"""git_http_server: serves git repositories over git's smart HTTP protocol for funcpack's tests
(stdlib only; the protocol itself is spoken by `git http-backend`, run as a CGI per request).

Serves the repositories under --root on 127.0.0.1, on an ephemeral port unless --port is
given, and prints the port number on the first line of stdout once it is listening.

  git_http_server.py --root DIR [--port N] [--log FILE] [--auth USER:PASSWORD]
                     [--backend PATH] [--exit-on-stdin-eof]
                     [--tls-cert CERT.pem --tls-key KEY.pem]

Behaviour
- GET /REPO/info/refs?service=git-upload-pack and POST /REPO/git-upload-pack are handed to
  git http-backend (GIT_PROJECT_ROOT=--root, GIT_HTTP_EXPORT_ALL); everything else it answers
  (dumb-protocol files, 404s) is passed through as it answers it.
- Request bodies may be Content-Length or chunked (libgit2 sends chunked POSTs); a
  "Content-Encoding: gzip" body is left to http-backend (HTTP_CONTENT_ENCODING).
- --auth USER:PASSWORD: every request needs those Basic credentials, else 401 with
  'WWW-Authenticate: Basic realm="git"' (the backend is not run).
- --log FILE: one JSON object per line and request, written before the response is sent:
  {"method", "path", "query", "status", "authorized", "authorization"} where "authorization"
  is the raw Authorization header or "" (tests check what a client sent).
- --backend: the http-backend program (default /usr/lib/git-core/git-http-backend).
- --tls-cert/--tls-key: serve HTTPS with that certificate.
- Stops on SIGTERM/SIGINT, and with --exit-on-stdin-eof when its stdin closes (so a test that
  dies does not leave the server behind).
"""

import argparse
import base64
import json
import os
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler

from harness import serve_on_loopback


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log")
    p.add_argument("--auth")
    p.add_argument("--backend", default="/usr/lib/git-core/git-http-backend")
    p.add_argument("--exit-on-stdin-eof", action="store_true")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    return p.parse_args()


ARGS = None
LOG_LOCK = threading.Lock()


def log(record):
    if not ARGS.log:
        return
    with LOG_LOCK:
        with open(ARGS.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, sort_keys=True) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is the record
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";", 1)[0], 16)
                if size == 0:
                    # Trailers (none expected) end with an empty line.
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # CRLF after each chunk
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(length) if length > 0 else b""

    def authorized(self):
        if not ARGS.auth:
            return True
        header = self.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(ARGS.auth.encode()).decode()
        return header == expected

    def send(self, status, headers, body, record):
        record["status"] = status
        log(record)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.read_body() if self.command == "POST" else b""
        record = {
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "authorization": self.headers.get("Authorization", ""),
            "authorized": self.authorized(),
        }
        if not record["authorized"]:
            # The Content-Type matters: libgit2 1.5 leaves the body of a 401 that has none
            # unread on the kept-alive connection and then fails to parse the next response
            # ("http parser error: invalid constant string"). Real servers always send one.
            self.send(401, [("WWW-Authenticate", 'Basic realm="git"'),
                            ("Content-Type", "text/plain")],
                      b"authentication required\n", record)
            return
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": os.path.abspath(ARGS.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": os.path.abspath(ARGS.root),
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": urllib.parse.unquote(url.path),
            "QUERY_STRING": url.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_USER": ARGS.auth.split(":", 1)[0] if ARGS.auth else "",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        proc = subprocess.run([ARGS.backend], input=body, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False)
        out = proc.stdout
        sep = out.find(b"\r\n\r\n")
        sep_len = 4
        if sep < 0:
            sep = out.find(b"\n\n")
            sep_len = 2
        if sep < 0:
            record["backend_stderr"] = proc.stderr.decode("utf-8", "replace")
            self.send(500, [("Content-Type", "text/plain")], b"bad CGI output\n", record)
            return
        status = 200
        headers = []
        for line in out[:sep].decode("latin-1").splitlines():
            if not line.strip():
                continue
            name, _, value = line.partition(":")
            value = value.strip()
            if name.lower() == "status":
                status = int(value.split()[0])
            else:
                headers.append((name, value))
        if proc.stderr:
            record["backend_stderr"] = proc.stderr.decode("utf-8", "replace")
        self.send(status, headers, out[sep + sep_len:], record)

    do_GET = handle_any
    do_POST = handle_any
    do_HEAD = handle_any


def main():
    global ARGS
    ARGS = parse_args()
    serve_on_loopback(Handler, ARGS.port, ARGS.tls_cert, ARGS.tls_key, ARGS.exit_on_stdin_eof)

if __name__ == "__main__":
    main()
