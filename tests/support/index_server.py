#!/usr/bin/env python3
"""index_server: a static package-index HTTP server for funcpack's tests (stdlib only).

Serves a directory (typically the tree scripts/fixturegen.py writes) on 127.0.0.1, on an
ephemeral port unless --port is given, and prints the port number on the first line of
stdout once it is listening, so a test can start it and read where it is.

  index_server.py --root DIR [--port N] [--log FILE] [--auth USER:PASSWORD]
                  [--validators both|etag|last-modified|none] [--hang-seconds S]
                  [--fault PATH=KIND[:COUNT]]... [--exit-on-stdin-eof]
                  [--tls-cert CERT.pem --tls-key KEY.pem] [--max-age SECONDS]

Behaviour
- A path naming a directory without a trailing slash is redirected (301) to PATH/, as PyPI
  does. A directory is served by content negotiation (PEP 691): index.json as
  "application/vnd.pypi.simple.v1+json" when the Accept header gives that type the highest
  quality (and index.json exists), else index.html as "text/html". Every response of a
  negotiated directory says "Vary: Accept". A directory without an index file is 404 (no
  listings). Files are served by name; *.json under a simple/ tree as the PEP 691 type.
- Validators: a strong ETag (hash of the bytes) and Last-Modified (the file's mtime);
  If-None-Match (preferred) or If-Modified-Since answer 304 Not Modified.
- --auth USER:PASSWORD: every request needs Basic credentials, else 401 with
  WWW-Authenticate.
- Faults (--fault, repeatable), for the first COUNT matching requests (default: all).
  PATH is an exact URL path or a prefix ending in '*':
    500, 503, 404, ... (a number)  answer with that status and a short body
    hang     sleep --hang-seconds (default 30) before answering, to trip client timeouts
    drop     send the headers and half of the body, then reset the connection
    close    close the connection without sending anything
- --log FILE: one JSON object per line and request, written when the response is decided
  (before its first byte is sent, so a client that has its answer sees the record):
  {"method", "path", "status", "accept", "if_none_match", "if_modified_since",
   "authorized", "fault", "bytes"} ("bytes": body bytes sent, 0 for 304/HEAD).
- --max-age SECONDS: every page and file (200 and 304) says "Cache-Control: max-age=SECONDS",
  as PyPI does (600 for simple pages), so clients may reuse them that long without asking.
- --tls-cert/--tls-key: serve HTTPS (HTTP/1.1) with that certificate, for --cert tests.
- Stops on SIGTERM/SIGINT, and with --exit-on-stdin-eof when its stdin closes (so a test
  that dies does not leave the server behind).
"""

import argparse
import base64
import email.utils
import hashlib
import json
import os
import posixpath
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from harness import serve_on_loopback

PEP691_JSON = "application/vnd.pypi.simple.v1+json"
PEP691_HTML = "application/vnd.pypi.simple.v1+html"


def parse_accept(header):
    """Returns [(media_type, q)] of an Accept header (malformed q values count as 0)."""
    out = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q))
    return out


def wants_json(header):
    """True when the Accept header ranks PEP 691 JSON strictly first among what we serve."""
    if not header:
        return False
    ranks = parse_accept(header)

    def quality(kinds):
        best = 0.0
        for media, q in ranks:
            if media in kinds:
                best = max(best, q)
        return best

    q_json = quality({PEP691_JSON})
    q_html = quality({PEP691_HTML, "text/html", "text/*", "*/*"})
    return q_json > 0 and q_json >= q_html


class Fault:
    def __init__(self, spec):
        if "=" not in spec:
            raise ValueError(f"--fault {spec!r}: expected PATH=KIND[:COUNT]")
        path, action = spec.rsplit("=", 1)
        kind, _, count = action.partition(":")
        self.path = path
        self.kind = kind
        self.remaining = int(count) if count else None
        if not (kind in ("hang", "drop", "close") or kind.isdigit()):
            raise ValueError(f"--fault {spec!r}: unknown kind {kind!r}")

    def matches(self, path):
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


class State:
    def __init__(self, args):
        self.root = os.path.realpath(args.root)
        self.faults = [Fault(s) for s in args.fault]
        self.hang_seconds = args.hang_seconds
        self.validators = args.validators
        self.max_age = args.max_age
        self.auth = None
        if args.auth:
            self.auth = "Basic " + base64.b64encode(args.auth.encode()).decode()
        self.lock = threading.Lock()
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None

    def take_fault(self, path):
        with self.lock:
            for f in self.faults:
                if f.matches(path):
                    if f.remaining is not None:
                        f.remaining -= 1
                    return f.kind
        return None

    def write_log(self, record):
        if not self.log:
            return
        with self.lock:
            self.log.write(json.dumps(record, sort_keys=True) + "\n")
            self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "funcpack-index-server/1"
    state = None  # set by main

    def log_message(self, fmt, *args):  # keep stderr quiet; the JSON log is the record
        pass

    def do_HEAD(self):
        self.handle_request(head=True)

    def do_GET(self):
        self.handle_request(head=False)

    def record(self, status, fault=None, nbytes=0, path=None):
        self.state.write_log({
            "method": self.command,
            "path": path if path is not None else self.path,
            "status": status,
            "accept": self.headers.get("Accept", ""),
            "if_none_match": self.headers.get("If-None-Match", ""),
            "if_modified_since": self.headers.get("If-Modified-Since", ""),
            "authorized": self.headers.get("Authorization") is not None,
            "fault": fault,
            "bytes": nbytes,
        })

    def send_simple(self, status, text, headers=(), head=False, fault=None):
        body = text.encode()
        self.record(status, fault, 0 if head else len(body))
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def handle_request(self, head):
        url_path = urllib.parse.urlsplit(self.path).path
        st = self.state
        if st.auth is not None and self.headers.get("Authorization") != st.auth:
            self.send_simple(401, "credentials required\n",
                             [("WWW-Authenticate", 'Basic realm="index"')], head)
            return
        fault = st.take_fault(url_path)
        if fault == "hang":
            time.sleep(st.hang_seconds)
        elif fault == "close":
            self.record(0, fault)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        elif fault and fault.isdigit():
            self.send_simple(int(fault), f"injected fault {fault}\n", (), head, fault)
            return

        rel = posixpath.normpath(urllib.parse.unquote(url_path)).lstrip("/")
        if rel.startswith(".."):
            self.send_simple(404, "not found\n", (), head, fault)
            return
        fs_path = os.path.join(st.root, rel) if rel not in ("", ".") else st.root
        content_type = None
        vary = False
        if os.path.isdir(fs_path):
            if not url_path.endswith("/"):
                self.send_simple(301, "moved\n", [("Location", url_path + "/")], head, fault)
                return
            json_index = os.path.join(fs_path, "index.json")
            html_index = os.path.join(fs_path, "index.html")
            vary = True
            if wants_json(self.headers.get("Accept")) and os.path.isfile(json_index):
                fs_path, content_type = json_index, PEP691_JSON
            elif os.path.isfile(html_index):
                fs_path, content_type = html_index, "text/html; charset=utf-8"
            else:
                self.send_simple(404, "not found\n", [("Vary", "Accept")], head, fault)
                return
        elif not os.path.isfile(fs_path):
            self.send_simple(404, "not found\n", (), head, fault)
            return
        if content_type is None:
            if fs_path.endswith(".html"):
                content_type = "text/html; charset=utf-8"
            elif fs_path.endswith(".json"):
                content_type = PEP691_JSON if "/simple/" in "/" + rel else "application/json"
            else:
                content_type = "application/octet-stream"

        with open(fs_path, "rb") as f:
            body = f.read()
        mtime = int(os.stat(fs_path).st_mtime)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        send_etag = st.validators in ("both", "etag")
        send_lm = st.validators in ("both", "last-modified")

        not_modified = False
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None and send_etag:
            tags = [t.strip() for t in inm.split(",")]
            not_modified = "*" in tags or etag in tags
        elif ims is not None and send_lm:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                not_modified = mtime <= since
            except (TypeError, ValueError):
                not_modified = False

        headers = []
        if send_etag:
            headers.append(("ETag", etag))
        if send_lm:
            headers.append(("Last-Modified", last_modified))
        if vary:
            headers.append(("Vary", "Accept"))
        if st.max_age is not None:
            headers.append(("Cache-Control", f"max-age={st.max_age}"))
        if not_modified:
            self.record(304, fault, 0)
            self.send_response(304)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return

        half = body[: len(body) // 2]
        self.record(200, fault, 0 if head else len(half) if fault == "drop" else len(body))
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if head:
            return
        if fault == "drop":
            self.wfile.write(half)
            self.wfile.flush()
            self.close_connection = True
            # SO_LINGER 0: the close sends a reset, the client sees the body cut short.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            return
        self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--auth")
    ap.add_argument("--validators", choices=["both", "etag", "last-modified", "none"],
                    default="both")
    ap.add_argument("--hang-seconds", type=float, default=30.0)
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--exit-on-stdin-eof", action="store_true")
    ap.add_argument("--max-age", type=int)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    args = ap.parse_args()
    if not os.path.isdir(args.root):
        print(f"index_server: --root {args.root}: not a directory", file=sys.stderr)
        return 2
    try:
        Handler.state = State(args)
    except ValueError as e:
        print(f"index_server: {e}", file=sys.stderr)
        return 2

    serve_on_loopback(Handler, args.port, args.tls_cert, args.tls_key, args.exit_on_stdin_eof)
    return 0


if __name__ == "__main__":
    sys.exit(main())
