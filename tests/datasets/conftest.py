"""Fixtures for the loader tests: no test here ever reaches the network.

``fake_web`` (autouse) replaces the ``urlopen`` that ``skvision.datasets`` calls:
a URL serves what a test registered, and anything else fails as if offline.
``loopback`` instead runs a real HTTP server on 127.0.0.1 and restores the real
``urlopen``, for what only a real connection shows (endless or malformed bodies).
``declare`` makes a dataset's file spec expect the checksum and size of a file
the test built, so the loaders' real verification runs on tiny files.
"""

import dataclasses
import hashlib
import io
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import URLError

import pytest

from skvision.datasets import _base


class FakeResponse(io.BytesIO):
    """What ``urlopen`` returns: a readable stream with ``headers``."""

    def __init__(self, content, *, fail_after=None, error=None, length=None):
        super().__init__(content)
        self.headers = {
            "Content-Length": str(len(content) if length is None else length)
        }
        self.fail_after, self.error = fail_after, error

    def read(self, size=-1):
        if self.fail_after is not None:  # serve up to fail_after bytes, then fail
            left = self.fail_after - self.tell()
            if left <= 0:
                raise self.error
            size = left if size is None or size < 0 else min(size, left)
        return super().read(size)


class FakeWeb:
    """URL -> content; unknown URLs raise ``URLError`` like an offline machine."""

    def __init__(self):
        self.pages, self.requests = {}, []

    def serve(self, url, content, **response_options):
        self.pages[url] = (content, response_options)

    def urlopen(self, request, timeout=None):
        url = getattr(request, "full_url", request)
        self.requests.append(url)
        if url not in self.pages:
            raise URLError("[Errno -3] Temporary failure in name resolution (fake)")
        content, options = self.pages[url]
        return FakeResponse(content, **options)


@pytest.fixture(autouse=True)
def fake_web(monkeypatch):
    web = FakeWeb()
    monkeypatch.setattr(_base, "urlopen", web.urlopen)
    return web


@pytest.fixture
def declare(monkeypatch):
    """``declare(owner, key, content)``: make the spec at ``owner[key]`` (a dict
    entry) or ``owner.key`` (a module attribute) expect ``content``'s sha256 and
    size; return the new spec."""

    def declare(owner, key, content, **changes):
        spec = owner[key] if isinstance(owner, dict) else getattr(owner, key)
        defaults = {"md5": None, "gunzip_sha256": None, "size": len(content)}
        changes = {**defaults, **changes}
        digest = hashlib.sha256(content).hexdigest()
        new = dataclasses.replace(spec, sha256=digest, **changes)
        if isinstance(owner, dict):
            monkeypatch.setitem(owner, key, new)
        else:
            monkeypatch.setattr(owner, key, new)
        return new

    return declare


@pytest.fixture
def loopback(monkeypatch):
    """``loopback(respond) -> url``: a real HTTP server on 127.0.0.1 whose GET
    handler is ``respond(handler)`` (a ``BaseHTTPRequestHandler``, HTTP/1.0, so
    a body without Content-Length ends when ``respond`` returns). Downloads in
    the test then go through the real ``urlopen``, with no proxy."""
    monkeypatch.setattr(_base, "urlopen", urllib.request.urlopen)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "*")
    servers = []

    def start(respond):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                respond(self)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Polling every 0.05 s (not 0.5) makes the teardown's shutdown quick.
        thread = threading.Thread(target=server.serve_forever, args=(0.05,))
        thread.daemon = True
        thread.start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/file.bin"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
