"""Incremental Content-Encoding decoding with a hard cap on the output.

Each chunk is inflated with an output limit one byte above what is still allowed, so a decompression bomb
(2 GB of zeros in 2 MB of gzip) is stopped after producing at most `limit + 1` bytes: it costs kilobytes of
memory and microseconds, never gigabytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import brotli

# What we ask for; zstd is left out because its Python binding has no bounded incremental decompressor.
ACCEPT_ENCODING = "gzip, deflate, br"


class BodyTooLargeError(Exception):
    """The decoded body would exceed the cap."""


class ContentDecodingError(Exception):
    """The body is not valid in its declared Content-Encoding."""


def _zlib_step(wbits: int) -> Callable[[bytes, int], bytes]:
    decompressor = zlib.decompressobj(wbits)

    def step(data: bytes, max_out: int) -> bytes:
        nonlocal decompressor
        out = decompressor.decompress(data, max_out)
        # A gzip stream may hold several members; start the next one where the last ended.
        while decompressor.eof and decompressor.unused_data and len(out) < max_out:
            rest = decompressor.unused_data
            decompressor = zlib.decompressobj(wbits)
            out += decompressor.decompress(rest, max_out - len(out))
        return out

    return step


def _deflate_step() -> Callable[[bytes, int], bytes]:
    # "deflate" should be zlib-wrapped, but some servers send raw deflate; the first two bytes tell which.
    inner: Callable[[bytes, int], bytes] | None = None

    def step(data: bytes, max_out: int) -> bytes:
        nonlocal inner
        if inner is None:
            if not data:
                return b""
            is_zlib = len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            inner = _zlib_step(zlib.MAX_WBITS if is_zlib else -zlib.MAX_WBITS)
        return inner(data, max_out)

    return step


def _brotli_step() -> Callable[[bytes, int], bytes]:
    decompressor = brotli.Decompressor()

    def step(data: bytes, max_out: int) -> bytes:
        return decompressor.process(data, output_buffer_limit=max_out)

    return step


_STEPS: dict[str, Callable[[], Callable[[bytes, int], bytes]]] = {
    "gzip": lambda: _zlib_step(zlib.MAX_WBITS | 16),
    "x-gzip": lambda: _zlib_step(zlib.MAX_WBITS | 16),
    "deflate": _deflate_step,
    "br": _brotli_step,
}


class BoundedDecoder:
    """Decodes a body through its Content-Encoding list, refusing to produce more than `limit` bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        names = [name.strip().lower() for name in (content_encoding or "").split(",") if name.strip()]
        names = [name for name in names if name != "identity"]
        unknown = [name for name in names if name not in _STEPS]
        if unknown:
            raise ContentDecodingError(f"unsupported Content-Encoding {', '.join(unknown)}")
        # Encodings are listed in the order they were applied, so they are undone in reverse.
        self._steps = [_STEPS[name]() for name in reversed(names)]
        self.limit = limit
        self.produced = 0

    def feed(self, chunk: bytes) -> bytes:
        data = chunk
        remaining = self.limit - self.produced
        for step in self._steps:
            try:
                data = step(data, remaining + 1)
            except (zlib.error, brotli.error) as error:
                raise ContentDecodingError(f"corrupt compressed body: {error}") from None
            # An intermediate layer larger than the cap is refused too: it would be dropped data otherwise.
            if len(data) > remaining:
                raise BodyTooLargeError(f"decoded body exceeds {self.limit} bytes")
        self.produced += len(data)
        return data
