"""The raw archive: every fetched body, content-addressed and zstd-compressed, so any day can be re-extracted.

Keys are the SHA-256 of the body, so an identical page fetched twice is stored once, and no URL or header can
steer where a file lands (the path is built from hex digits only).
"""

from __future__ import annotations

import hashlib
import re
import uuid

import fsspec
import zstandard

_KEY = re.compile(r"^[0-9a-f]{64}$")


class RawArchive:
    """A folder (any fsspec URL) of `ab/cd/<sha256>.zst` files."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")
        self._fs, self._base = fsspec.core.url_to_fs(self.root)

    def _path(self, key: str) -> str:
        if not _KEY.match(key):
            raise ValueError(f"not an archive key: {key[:80]!r}")
        return f"{self._base}/{key[:2]}/{key[2:4]}/{key}.zst"

    def put(self, body: bytes) -> str:
        """Store `body` and return its key; storing the same bytes again writes nothing."""
        key = hashlib.sha256(body).hexdigest()
        path = self._path(key)
        if not self._fs.exists(path):
            self._fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            tmp = f"{path}.{uuid.uuid4().hex}.tmp"  # unique, so two writers of one body never share a file
            with self._fs.open(tmp, "wb") as handle:
                handle.write(zstandard.ZstdCompressor(level=3).compress(body))
            self._fs.mv(tmp, path)  # readers never see half a file
        return key

    def get(self, key: str) -> bytes:
        """The body stored under `key`."""
        with self._fs.open(self._path(key), "rb") as handle:
            return zstandard.ZstdDecompressor().decompress(handle.read())

    def __contains__(self, key: str) -> bool:
        return self._fs.exists(self._path(key))
