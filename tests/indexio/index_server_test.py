#!/usr/bin/env python3
"""Checks tests/support/index_server.py: the server every index test relies on.

Usage: index_server_test.py PATH/TO/index_server.py
"""

import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import unittest

SERVER = sys.argv.pop(1) if len(sys.argv) > 1 else None
JSON_TYPE = "application/vnd.pypi.simple.v1+json"


class Server:
    def __init__(self, root, *extra):
        self.log = os.path.join(root, "requests.log")
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--root", os.path.join(root, "tree"), "--log", self.log,
             "--exit-on-stdin-eof", *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline())

    def request(self, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return r.status, dict(r.getheaders()), body

    def records(self):
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        self.proc.stdin.close()  # --exit-on-stdin-eof
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


class IndexServerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = os.path.join(self.tmp.name, "tree")
        os.makedirs(os.path.join(root, "simple", "foo"))
        os.makedirs(os.path.join(root, "files"))
        with open(os.path.join(root, "simple", "foo", "index.html"), "w") as f:
            f.write("<a href='../../files/foo-1.0.tar.gz'>foo-1.0.tar.gz</a>\n")
        with open(os.path.join(root, "simple", "foo", "index.json"), "w") as f:
            f.write('{"meta": {"api-version": "1.1"}, "files": []}\n')
        with open(os.path.join(root, "files", "foo-1.0.tar.gz"), "wb") as f:
            f.write(b"x" * 1000)
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        self.tmp.cleanup()

    def start(self, *extra):
        s = Server(self.tmp.name, *extra)
        self.servers.append(s)
        return s

    def test_content_negotiation(self):
        s = self.start()
        status, headers, body = s.request("/simple/foo/", {
            "Accept": JSON_TYPE + ", application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"})
        self.assertEqual((status, headers["Content-Type"], headers["Vary"]), (200, JSON_TYPE, "Accept"))
        self.assertTrue(body.startswith(b'{"meta"'))
        status, headers, body = s.request("/simple/foo/", {"Accept": "text/html"})
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        status, headers, _ = s.request("/simple/foo/", {"Accept": JSON_TYPE + ";q=0.1, text/html"})
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        status, headers, _ = s.request("/simple/foo/")
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        status, headers, _ = s.request("/simple/foo")
        self.assertEqual((status, headers["Location"]), (301, "/simple/foo/"))
        self.assertEqual(s.request("/simple/bar/")[0], 404)
        self.assertEqual(s.request("/../etc/passwd")[0], 404)
        self.assertEqual([(r["status"], r["path"]) for r in s.records()],
                         [(200, "/simple/foo/"), (200, "/simple/foo/"), (200, "/simple/foo/"),
                          (200, "/simple/foo/"), (301, "/simple/foo"), (404, "/simple/bar/"),
                          (404, "/../etc/passwd")])

    def test_validators_answer_304(self):
        s = self.start()
        _, headers, _ = s.request("/files/foo-1.0.tar.gz")
        etag, modified = headers["ETag"], headers["Last-Modified"]
        self.assertEqual(s.request("/files/foo-1.0.tar.gz", {"If-None-Match": etag})[0], 304)
        self.assertEqual(s.request("/files/foo-1.0.tar.gz", {"If-None-Match": '"other"'})[0], 200)
        self.assertEqual(s.request("/files/foo-1.0.tar.gz", {"If-Modified-Since": modified})[0], 304)
        lm_only = self.start("--validators", "last-modified")
        _, headers, _ = lm_only.request("/files/foo-1.0.tar.gz")
        self.assertNotIn("ETag", headers)
        self.assertEqual(lm_only.request("/files/foo-1.0.tar.gz", {"If-None-Match": etag})[0], 200)

    def test_basic_auth(self):
        s = self.start("--auth", "user:pw")
        status, headers, _ = s.request("/simple/foo/")
        self.assertEqual((status, headers["WWW-Authenticate"]), (401, 'Basic realm="index"'))
        good = {"Authorization": "Basic " + base64.b64encode(b"user:pw").decode()}
        self.assertEqual(s.request("/simple/foo/", good)[0], 200)
        self.assertEqual([r["authorized"] for r in s.records()], [False, True])

    def test_faults_by_count_and_prefix(self):
        s = self.start("--fault", "/simple/foo/=503:2", "--fault", "/files/*=404")
        self.assertEqual([s.request("/simple/foo/")[0] for _ in range(3)], [503, 503, 200])
        self.assertEqual(s.request("/files/foo-1.0.tar.gz")[0], 404)
        self.assertEqual([r["fault"] for r in s.records()], ["503", "503", None, "404"])

    def test_drop_sends_half_the_body(self):
        s = self.start("--fault", "/files/foo-1.0.tar.gz=drop:1")
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        conn.request("GET", "/files/foo-1.0.tar.gz")
        r = conn.getresponse()
        with self.assertRaises((http.client.IncompleteRead, ConnectionError)):
            r.read()
        conn.close()
        self.assertEqual(s.request("/files/foo-1.0.tar.gz")[2], b"x" * 1000)
        self.assertEqual([r["bytes"] for r in s.records()], [500, 1000])

    def test_bad_arguments(self):
        p = subprocess.run([sys.executable, SERVER, "--root", self.tmp.name, "--fault", "nonsense"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, "index_server: --fault 'nonsense': expected PATH=KIND[:COUNT]\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
