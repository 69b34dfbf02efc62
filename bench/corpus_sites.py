"""The corpus served as news sites on loopback, one site per dataset, by a minimal HTTP/1.1 server in its own
process: the stand-in for remote servers, whose CPU is not the pipeline's.

Python's `http.server` parses each request's headers with the email package and hands it to a thread: on the
same two cores as the pipeline it cost 1.1 ms of CPU per request, about 5% of the pipeline's time per page,
which the floor never pays. This server reads a request line and the two headers it needs (Host,
If-None-Match) on one asyncio loop, and keeps connections alive as news sites do.

Each site serves `/robots.txt`, `/sitemap.xml` (every page `scale` times) and `/p/<copy>/<index>`: page
`index` of its dataset, the same article with a small distinct edit for every copy after the first, with an
ETag that answers a conditional request with 304.
"""

from __future__ import annotations

import asyncio
import gzip
import multiprocessing
import re
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

_PAGE = re.compile(r"/p/(\d+)/(\d+)")
_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found"}


def load_corpus(corpus: Path) -> dict[str, list[bytes]]:
    """Raw page bytes per dataset, exactly as saved."""
    return {
        folder.name: [gzip.decompress(path.read_bytes()) for path in sorted((folder / "html").rglob("*.gz"))]
        for folder in sorted(corpus.iterdir())
        if (folder / "html").is_dir()
    }


def _response(
    status: int, body: bytes = b"", content_type: str = "text/plain", etag: str | None = None
) -> bytes:
    head = f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Length: {len(body)}\r\n"
    if status != 304:
        head += f"Content-Type: {content_type}\r\n"
    if etag:
        head += f"ETag: {etag}\r\n"
    return (head + "\r\n").encode() + body


def _answer(pages: list[bytes], scale: int, path: str, headers: dict[str, str]) -> bytes:
    if path == "/robots.txt":
        return _response(200, b"User-agent: *\nAllow: /\n")
    if path == "/sitemap.xml":
        urls = "".join(
            f"<url><loc>http://{headers.get('host', '')}/p/{copy}/{index}</loc></url>"
            for copy in range(scale)
            for index in range(len(pages))
        )
        body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        return _response(200, body.encode(), "application/xml")
    match = _PAGE.fullmatch(path)
    if not match or int(match[2]) >= len(pages):
        return _response(404, b"not found")
    copy, index = int(match[1]), int(match[2])
    etag = f'"{copy}-{index}"'
    if headers.get("if-none-match") == etag:
        return _response(304, etag=etag)
    body = pages[index]
    if copy:  # a distinct page: the same article with a small edit
        body = body.replace(b"</body>", f"<!-- copy {copy} --></body>".encode(), 1)
    return _response(200, body, "text/html", etag)


async def _serve_connection(
    pages: list[bytes], scale: Synchronized, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            request, *lines = head.split("\r\n")
            path = request.split(" ")[1]
            headers = {}
            for line in lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            writer.write(_answer(pages, scale.value, path, headers))
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, IndexError):
        pass
    finally:
        writer.close()


async def _serve_all(corpus: Path, scale: Synchronized, ports: Connection) -> None:
    servers = {}
    for name, pages in load_corpus(corpus).items():
        servers[name] = await asyncio.start_server(
            lambda reader, writer, pages=pages: _serve_connection(pages, scale, reader, writer),
            "127.0.0.1",
            0,
        )
    ports.send({name: server.sockets[0].getsockname()[1] for name, server in servers.items()})
    await asyncio.gather(*(server.serve_forever() for server in servers.values()))


def _main(corpus: Path, scale: Synchronized, ports: Connection) -> None:
    asyncio.run(_serve_all(corpus, scale, ports))


class CorpusSites:
    """The servers' process; `scale` sets how many copies of the corpus the sitemaps list."""

    def __init__(self, corpus: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self._scale = context.Value("i", 1)
        receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_main, args=(corpus, self._scale, send), name="corpus-sites", daemon=True
        )
        self._process.start()
        if not receive.poll(60):
            raise RuntimeError("the corpus servers did not start within a minute")
        self.base_urls = {name: f"http://127.0.0.1:{port}" for name, port in receive.recv().items()}

    @property
    def scale(self) -> int:
        return self._scale.value

    @scale.setter
    def scale(self, copies: int) -> None:
        self._scale.value = copies

    def close(self) -> None:
        self._process.terminate()
        self._process.join(10)
