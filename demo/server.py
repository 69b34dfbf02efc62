"""Serve the bundled sample news site on loopback, for `akhbar demo` and the end-to-end tests.

The site's files hold the placeholder `__BASE_URL__` wherever a page needs an absolute address; the server
swaps in its real base URL as it answers, so one set of files works on any free port. Tests can swap
`transform` while the site runs to simulate an edited article or a site redesign, and count requests in
`request_log` (for example to prove that a backfill fetched nothing).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any
from urllib.parse import unquote, urlsplit

BASE_URL_PLACEHOLDER = "__BASE_URL__"

Transform = Callable[[str, bytes], bytes]

# The site's files were all "published" at this instant; a transform that changes a page moves its date on.
_ORIGINAL_LAST_MODIFIED = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)

_STATIC_ROUTES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/feed.xml": ("feed.xml", "application/rss+xml"),
    "/sitemap.xml": ("sitemap.xml", "application/xml"),
    "/robots.txt": ("robots.txt", "text/plain; charset=utf-8"),
}


def _site_files() -> Traversable:
    return resources.files(__package__)


def _page_file(path: str) -> Traversable | None:
    """The file under `pages/` that serves an article path such as `/world/asia/4686136-kim-jong-un-russia`."""
    segments = [segment for segment in path.split("/") if segment]
    if not segments or any(segment in (".", "..") or "\\" in segment for segment in segments):
        return None
    candidate = _site_files().joinpath("pages", *segments[:-1], segments[-1] + ".html")
    return candidate if candidate.is_file() else None


def _html_content_type(body: bytes) -> str:
    # A page in a legacy charset declares it only in a <meta> tag, as old Arabic CMSs do, so the header names
    # no charset and the fetcher must find it in the markup.
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "text/html"
    return "text/html; charset=utf-8"


@dataclass
class SampleSite:
    """A running sample site: its address, the requests it answered, and the transform applied to bodies."""

    base_url: str
    request_log: list[tuple[str, str, int]] = field(default_factory=list)  # (method, path, status)
    _transform: Transform | None = None
    _transform_changed_at: datetime = _ORIGINAL_LAST_MODIFIED
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def transform(self) -> Transform | None:
        """A function `(path, body) -> body` applied to every body after the base URL is filled in."""
        return self._transform

    @transform.setter
    def transform(self, transform: Transform | None) -> None:
        with self._lock:
            self._transform = transform
            # Whole seconds, strictly later than before, so If-Modified-Since sees every change.
            now = datetime.now(UTC).replace(microsecond=0)
            self._transform_changed_at = max(now, self._transform_changed_at + timedelta(seconds=1))

    def set_transform(self, transform: Transform | None) -> None:
        """Same as assigning `transform`; handy in a lambda."""
        self.transform = transform

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def requests_for(self, path: str, method: str = "GET") -> list[tuple[str, str, int]]:
        """The logged requests for one path (query string ignored)."""
        return [entry for entry in self.request_log if entry[0] == method and urlsplit(entry[1]).path == path]

    def _log(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.request_log.append((method, path, status))

    def _resolve(self, path: str) -> tuple[bytes, str, datetime] | None:
        """Body, Content-Type and Last-Modified for a path, or None when the site has no such page."""
        if path in _STATIC_ROUTES:
            name, content_type = _STATIC_ROUTES[path]
            source = _site_files().joinpath(name)
        else:
            page = _page_file(path)
            if page is None:
                return None
            source, content_type = page, ""
        original = source.read_bytes().replace(
            BASE_URL_PLACEHOLDER.encode("ascii"), self.base_url.encode("ascii")
        )
        with self._lock:
            transform, changed_at = self._transform, self._transform_changed_at
        body = transform(path, original) if transform else original
        last_modified = _ORIGINAL_LAST_MODIFIED if body == original else changed_at
        return body, content_type or _html_content_type(body), last_modified


def _make_handler(site: SampleSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "AkhbarSample/1.0"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            # Tests run many requests; an access log on stderr would only bury real failures.
            return

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, *, send_body: bool) -> None:
            path = unquote(urlsplit(self.path).path) or "/"
            try:
                found = site._resolve(path)
            except Exception as error:  # a failing test transform must surface as a 500, not a hung client
                self._send(
                    500, b"transform failed: " + str(error).encode(), "text/plain; charset=utf-8", send_body
                )
                return
            if found is None:
                self._send(
                    404, "<h1>404 - الصفحة غير موجودة</h1>".encode(), "text/html; charset=utf-8", send_body
                )
                return
            body, content_type, last_modified = found
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            validators = {"ETag": etag, "Last-Modified": format_datetime(last_modified, usegmt=True)}
            if self._not_modified(etag, last_modified):
                self._send(304, b"", None, send_body=False, extra=validators)
                return
            self._send(200, body, content_type, send_body, extra=validators)

        def _not_modified(self, etag: str, last_modified: datetime) -> bool:
            # RFC 9110: If-None-Match wins; If-Modified-Since counts only when there is no If-None-Match.
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:
                tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
                return etag in tags or "*" in tags
            if_modified_since = self.headers.get("If-Modified-Since")
            if if_modified_since:
                try:
                    since = parsedate_to_datetime(if_modified_since)
                except (TypeError, ValueError):
                    return False
                if since.tzinfo is None:
                    since = since.replace(tzinfo=UTC)
                return last_modified <= since
            return False

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str | None,
            send_body: bool,
            extra: dict[str, str] | None = None,
        ) -> None:
            # Logged before the response goes out, so a client that has its answer always finds it in the log.
            site._log(self.command, self.path, status)
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if send_body and status != 304:
                self.wfile.write(body)

    return Handler


@contextmanager
def serve_sample_site(
    host: str = "127.0.0.1", port: int = 0, *, transform: Transform | None = None
) -> Iterator[SampleSite]:
    """Serve the sample site on `host:port` (port 0 picks a free one) until the block ends."""
    server = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)
    server.daemon_threads = True
    bound_host, bound_port = server.server_address[:2]
    site = SampleSite(base_url=f"http://{bound_host}:{bound_port}")
    if transform is not None:
        site.transform = transform
    server.RequestHandlerClass = _make_handler(site)
    thread = threading.Thread(target=server.serve_forever, name="sample-site", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def sites_yaml(base_url: str) -> str:
    """A sites file that points Akhbar at a sample site served at `base_url`."""
    base_url = base_url.rstrip("/")
    return (
        "# The bundled sample site, served on loopback (hence allow_private_networks).\n"
        "allow_private_networks: true\n"
        "sites:\n"
        "  - name: aawsat\n"
        f"    feeds: [{base_url}/feed.xml]\n"
        f"    sitemaps: [{base_url}/sitemap.xml]\n"
        "    language: ar\n"
        "    delay_seconds: 0.05\n"
    )


def _fill_base_url(value: Any, base_url: str) -> Any:
    if isinstance(value, str):
        return value.replace(BASE_URL_PLACEHOLDER, base_url)
    if isinstance(value, list):
        return [_fill_base_url(item, base_url) for item in value]
    if isinstance(value, dict):
        return {key: _fill_base_url(item, base_url) for key, item in value.items()}
    return value


def expected(base_url: str | None = None) -> dict[str, Any]:
    """The ground truth of every sample page (see expected.json); with `base_url`, placeholders are filled."""
    data = json.loads(_site_files().joinpath("expected.json").read_text(encoding="utf-8"))
    return _fill_base_url(data, base_url.rstrip("/")) if base_url else data
