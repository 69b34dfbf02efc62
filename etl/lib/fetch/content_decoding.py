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


class _ZlibLayer:
    def __init__(self, wbits: int | None) -> None:
        self.wbits = wbits  # None: "deflate", decided from the first two bytes
        self._decompressor: zlib._Decompress | None = None
        self._head = b""  # the first bytes of a "deflate" body, until there are two to look at

    def step(self, data: bytes, max_out: int) -> bytes:
        if self._decompressor is None:
            if self.wbits is None:
                self._head += data
                if len(self._head) < 2:
                    return b""
                data, self._head = self._head, b""
                # "deflate" should be zlib-wrapped, but some servers send raw deflate; the header tells which.
                is_zlib = data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0
                self.wbits = zlib.MAX_WBITS if is_zlib else -zlib.MAX_WBITS
            elif not data:
                return b""
            self._decompressor = zlib.decompressobj(self.wbits)
        out = self._decompressor.decompress(data, max_out)
        # A gzip stream may hold several members; start the next one where the last ended.
        while self._decompressor.eof and self._decompressor.unused_data and len(out) < max_out:
            rest = self._decompressor.unused_data
            self._decompressor = zlib.decompressobj(self.wbits)
            out += self._decompressor.decompress(rest, max_out - len(out))
        return out

    def finished(self) -> bool:
        if self._decompressor is None:
            return not self._head  # nothing at all is an empty body; one lone byte is a truncated one
        return self._decompressor.eof


class _BrotliLayer:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()
        self._started = False

    def step(self, data: bytes, max_out: int) -> bytes:
        self._started = self._started or bool(data)
        return self._decompressor.process(data, output_buffer_limit=max_out)

    def finished(self) -> bool:
        return not self._started or self._decompressor.is_finished()


_LAYERS: dict[str, Callable[[], _ZlibLayer | _BrotliLayer]] = {
    "gzip": lambda: _ZlibLayer(zlib.MAX_WBITS | 16),
    "x-gzip": lambda: _ZlibLayer(zlib.MAX_WBITS | 16),
    "deflate": lambda: _ZlibLayer(None),
    "br": _BrotliLayer,
}


class BoundedDecoder:
    """Decodes a body through its Content-Encoding list, refusing to produce more than `limit` bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        names = [name.strip().lower() for name in (content_encoding or "").split(",") if name.strip()]
        names = [name for name in names if name != "identity"]
        unknown = [name for name in names if name not in _LAYERS]
        if unknown:
            raise ContentDecodingError(f"unsupported Content-Encoding {', '.join(unknown)}")
        # Encodings are listed in the order they were applied, so they are undone in reverse.
        self._layers = [_LAYERS[name]() for name in reversed(names)]
        self.limit = limit
        self.produced = 0

    def feed(self, chunk: bytes) -> bytes:
        data = chunk
        remaining = self.limit - self.produced
        for layer in self._layers:
            try:
                data = layer.step(data, remaining + 1)
            except (zlib.error, brotli.error) as error:
                raise ContentDecodingError(f"corrupt compressed body: {error}") from None
            # An intermediate layer larger than the cap is refused too: it would be dropped data otherwise.
            if len(data) > remaining:
                raise BodyTooLargeError(f"decoded body exceeds {self.limit} bytes")
        self.produced += len(data)
        return data

    def finish(self) -> None:
        """Raise `ContentDecodingError` if the compressed stream ended before its end marker (truncated)."""
        if not all(layer.finished() for layer in self._layers):
            raise ContentDecodingError("compressed body ends before its end marker (truncated)")
