"""Real HTTP servers on loopback that misbehave on purpose, for fetch and discovery tests.

`LoopbackServer` runs a threaded `http.server` on 127.0.0.1 (or another loopback address) on a free port and
dispatches each path to a handler function; `hostile_routes()` holds one route per kind of bad server.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler], None]

ARTICLE_TEXT = (
    "This is the body of a perfectly ordinary news article. It has several sentences, enough visible text "
    "to count as a page rather than an empty shell, and nothing hostile in it at all. "
)


def article_html(title: str = "A good page", charset: str | None = "utf-8", extra: str = "") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f"<!doctype html><html><head>{meta}<title>{title}</title></head>"
        f"<body><article><h1>{title}</h1><p>{ARTICLE_TEXT}</p>{extra}</article></body></html>"
    )


def send(
    handler: BaseHTTPRequestHandler,
    body: bytes,
    *,
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def page(html: str | bytes, **kwargs: object) -> Handler:
    body = html.encode() if isinstance(html, str) else html
    return lambda handler: send(handler, body, **kwargs)  # type: ignore[arg-type]


def reset_connection(handler: BaseHTTPRequestHandler) -> None:
    """Close with an RST instead of a FIN: SO_LINGER with a zero timeout."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.connection.close()


def truncated(handler: BaseHTTPRequestHandler) -> None:
    body = article_html("truncated").encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body) * 2))
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()
    handler.close_connection = True


def slow(seconds: float) -> Handler:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        send(handler, article_html("slow").encode())

    return handle


def drip(total_seconds: float) -> Handler:
    """Headers at once, then one byte every 0.1 s: each read is quick, the whole page is not."""

    def handle(handler: BaseHTTPRequestHandler) -> None:
        body = article_html("drip").encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        deadline = time.monotonic() + total_seconds
        for byte in body:
            if time.monotonic() > deadline:
                break
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    return handle


def gzip_bomb_stream(decoded_size: int) -> Iterator[bytes]:
    """A gzip stream of `decoded_size` zero bytes, produced lazily: a 2 GB bomb costs the server nothing."""
    block = 1024 * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    # A full flush resets the compressor's history, so this segment can be repeated as often as needed.
    segment = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    crc = 0
    for _ in range(decoded_size // block):
        crc = zlib.crc32(bytes(block), crc)
        yield segment
    yield compressor.flush(zlib.Z_FINISH)
    yield struct.pack("<II", crc, decoded_size & 0xFFFFFFFF)


def gzip_bomb(decoded_size: int) -> Handler:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Encoding", "gzip")
        handler.end_headers()
        handler.close_connection = True
        try:
            for chunk in gzip_bomb_stream(decoded_size):
                handler.wfile.write(chunk)
        except OSError:
            return  # the client hung up, as it should

    return handle


def huge_page(size: int, *, declare_length: bool) -> Handler:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if declare_length:
            handler.send_header("Content-Length", str(size))
        handler.end_headers()
        handler.close_connection = True
        chunk = (b"<p>" + b"x" * 65_529 + b"</p>\n")[:65_536]
        sent = 0
        try:
            while sent < size:
                handler.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            return

    return handle


def redirect(location: str, status: int = 302) -> Handler:
    def handle(handler: BaseHTTPRequestHandler) -> None:
        send(handler, b"", status=status, headers={"Location": location})

    return handle


def conditional(body: bytes, etag: str, last_modified: str) -> Handler:
    """Answers 304 when the client already holds this ETag or Last-Modified."""

    def handle(handler: BaseHTTPRequestHandler) -> None:
        if (
            handler.headers.get("If-None-Match") == etag
            or handler.headers.get("If-Modified-Since") == last_modified
        ):
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        send(handler, body, headers={"ETag": etag, "Last-Modified": last_modified})

    return handle


def gzipped(body: bytes, **kwargs: object) -> Handler:
    compressed = gzip.compress(body)
    headers = {"Content-Encoding": "gzip", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    return lambda handler: send(handler, compressed, headers=headers, **kwargs)  # type: ignore[arg-type]


class Counter:
    """Counts calls per path, so a test can assert how often a server was asked."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.headers: dict[str, list[dict[str, str]]] = {}
        self.times: dict[str, list[float]] = {}  # time.monotonic() of each request
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def record(self, path: str, headers: dict[str, str]) -> int:
        with self._lock:
            self.calls[path] = self.calls.get(path, 0) + 1
            self.headers.setdefault(path, []).append(headers)
            self.times.setdefault(path, []).append(time.monotonic())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.calls[path]

    def done(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def all_times(self) -> list[float]:
        with self._lock:
            return sorted(moment for moments in self.times.values() for moment in moments)


class LoopbackServer:
    """A threaded HTTP server on a loopback address; use as a context manager."""

    def __init__(
        self, routes: dict[str, Handler], host: str = "127.0.0.1", tls: tuple[str, str] | None = None
    ) -> None:
        self.routes = dict(routes)
        self.counter = Counter()
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.counter.record(self.path, dict(self.headers.items()))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    server.counter.done()
                    send(self, b"not found", status=404, content_type="text/plain")
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                finally:
                    server.counter.done()

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 1024

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients that hang up mid-request are what these servers are for

        self._httpd = Server((host, 0), RequestHandler)
        self.scheme = "http"
        if tls is not None:  # (certificate file, key file)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self.host = host
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
