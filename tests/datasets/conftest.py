"""Fixtures for the loader tests: no test here ever reaches the network.

``fake_web`` (autouse) replaces the ``urlopen`` that ``skvision.datasets`` calls:
a URL serves what a test registered, and anything else fails as if offline.
``declare`` makes a dataset's file spec expect the checksum of a file the test
built, so the loaders' real verification runs on tiny files.
"""

import dataclasses
import hashlib
import io
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
    entry) or ``owner.key`` (a module attribute) expect ``content``'s sha256;
    return the new spec."""

    def declare(owner, key, content, **changes):
        spec = owner[key] if isinstance(owner, dict) else getattr(owner, key)
        changes = {"md5": None, "gunzip_sha256": None, **changes}
        digest = hashlib.sha256(content).hexdigest()
        new = dataclasses.replace(spec, sha256=digest, **changes)
        if isinstance(owner, dict):
            monkeypatch.setitem(owner, key, new)
        else:
            monkeypatch.setattr(owner, key, new)
        return new

    return declare
