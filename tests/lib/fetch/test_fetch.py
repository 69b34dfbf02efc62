"""fetch_pages against real misbehaving servers on loopback: every hostile page ends as its outcome class while
the good pages of the same run load, memory stays low and the run keeps to its time caps."""

from __future__ import annotations

import threading
import time
import zlib

import brotli
import psutil
import pytest

from etl.lib.extract import extract_article
from etl.lib.fetch import FetchSettings, fetch_pages
from etl.lib.records import FetchRequest
from etl.lib.schema import FETCH_OUTCOMES
from etl.lib.sites import SitesFile
from etl.lib.warehouse.archive import RawArchive
from tests.hostile_server import (
    LoopbackServer,
    article_html,
    drip,
    gzip_bomb,
    huge_page,
    page,
    redirect,
    reset_connection,
    slow,
    truncated,
)

GOOD_PAGES = [f"/good/{number}" for number in range(8)]
ARABIC_TITLE = "السعودية تستضيف قمة عربية"
CLOUDFLARE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    '<div id="challenge"></div><script src="/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1"></script>'
    "</body></html>"
)
SETTINGS = FetchSettings(
    user_agent="Akhbar-test/1.0 (+https://example.org/akhbar)",
    allow_private_networks=True,
    connect_timeout=1.0,
    read_timeout=0.5,
    total_timeout=1.5,
    max_attempts=2,
    backoff_base=0.05,
    retry_after_cap=5.0,
)
MiB = 1024 * 1024


def _routes() -> dict:
    routes = {path: page(article_html(f"good {path}")) for path in GOOD_PAGES}
    arabic = article_html(ARABIC_TITLE, charset="windows-1256").encode("cp1256")
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    routes |= {
        "/robots.txt": page("User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/slow": slow(5),
        "/drip": drip(10),
        "/500": page("oops", status=500, content_type="text/plain"),
        "/429": page("slow down", status=429, content_type="text/plain", headers={"Retry-After": "1"}),
        "/429-long": page(
            "come back tomorrow", status=429, content_type="text/plain", headers={"Retry-After": "3600"}
        ),
        "/reset": reset_connection,
        "/truncated": truncated,
        "/loop-a": redirect("/loop-b"),
        "/loop-b": redirect("/loop-a"),
        **{f"/chain/{n}": redirect(f"/chain/{n + 1}", status=301) for n in range(30)},
        "/moved": redirect("/good/0?utm_source=rss", status=308),
        "/bomb": gzip_bomb(2 * 1024 * MiB),
        "/huge": huge_page(200 * MiB, declare_length=False),
        "/huge-declared": huge_page(200 * MiB, declare_length=True),
        "/png": page(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, content_type="text/html"),
        "/pdf": page(b"%PDF-1.7 ...", content_type="application/pdf"),
        "/arabic": page(arabic, content_type="text/html"),  # charset only in the meta tag
        "/private/page": page(article_html("private")),
        "/empty": page(
            '<html><head><script src="/app.js"></script></head><body><div id="root"></div></body></html>'
        ),
        "/challenge": page(CLOUDFLARE, status=503),
        "/challenge-200": page(CLOUDFLARE),
        "/brotli": page(brotli.compress(article_html("brotli").encode()), headers={"Content-Encoding": "br"}),
        "/deflate": page(
            raw_deflate.compress(article_html("deflate").encode()) + raw_deflate.flush(),
            headers={"Content-Encoding": "deflate"},
        ),
        "/corrupt-gzip": page(
            b"\x1f\x8b\x08\x00garbage-that-is-not-deflate", headers={"Content-Encoding": "gzip"}
        ),
    }
    return routes


# path -> final outcome
EXPECTED = {
    **dict.fromkeys(GOOD_PAGES, "ok"),
    "/slow": "timeout",
    "/drip": "timeout",
    "/500": "http_error",
    "/429": "http_error",
    "/429-long": "http_error",
    "/reset": "connection_error",
    "/truncated": "connection_error",
    "/loop-a": "redirect_loop",
    "/chain/0": "too_many_redirects",
    "/moved": "ok",
    "/bomb": "too_large",
    "/huge": "too_large",
    "/huge-declared": "too_large",
    "/png": "not_html",
    "/pdf": "not_html",
    "/arabic": "ok",
    "/private/page": "robots_denied",
    "/empty": "empty_page",
    "/challenge": "bot_challenge",
    "/challenge-200": "bot_challenge",
    "/brotli": "ok",
    "/deflate": "ok",
    "/corrupt-gzip": "decode_error",
}


class PeakRss:
    """Samples this process's resident memory every 5 ms while the block runs."""

    def __enter__(self) -> PeakRss:
        self._process = psutil.Process()
        self.baseline = self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    archive = RawArchive(str(tmp_path_factory.mktemp("archive")))
    with LoopbackServer(_routes()) as server:
        sites = SitesFile(
            allow_private_networks=True,
            sites=[
                {
                    "name": "hostile",
                    "urls": [server.url("/good/0")],
                    "delay_seconds": 0,
                    "max_concurrency": 16,
                }
            ],
        )
        requests = [FetchRequest(url=server.url(path), site="hostile") for path in EXPECTED]
        requests.append(FetchRequest(url="ftp://example.com/file", site="hostile"))
        seen = []
        started = time.monotonic()
        with PeakRss() as memory:
            attempts = fetch_pages(
                requests, sites=sites, archive=archive, settings=SETTINGS, on_attempt=seen.append
            )
        elapsed = time.monotonic() - started
        yield {"attempts": attempts, "seen": seen, "elapsed": elapsed, "memory": memory, "server": server,
               "archive": archive}  # fmt: skip


def _final(run, path):
    finals = [a for a in run["attempts"] if a.is_final and a.url.endswith(path) and "//" in a.url]
    finals = [a for a in finals if a.url.split("/", 3)[-1] == path.lstrip("/")]
    assert len(finals) == 1, finals
    return finals[0]


@pytest.mark.parametrize(("path", "outcome"), EXPECTED.items())
def test_each_page_ends_as_its_outcome_class(run, path, outcome):
    final = _final(run, path)
    assert final.outcome == outcome, final
    assert final.outcome in FETCH_OUTCOMES
    if outcome != "ok":
        assert final.error and "\n" not in final.error


def test_every_request_has_exactly_one_final_attempt_and_the_callback_saw_them_all(run):
    finals = [a for a in run["attempts"] if a.is_final]
    assert len(finals) == len(EXPECTED) + 1
    assert run["seen"] == run["attempts"] or sorted(map(id, run["seen"])) == sorted(map(id, run["attempts"]))


def test_invalid_url_is_an_outcome_not_an_exception(run):
    [final] = [a for a in run["attempts"] if a.url.startswith("ftp:")]
    assert final.outcome == "invalid_url"


def test_good_pages_are_archived_with_their_encoding(run):
    for path in [*GOOD_PAGES, "/brotli", "/deflate", "/moved"]:
        final = _final(run, path)
        assert final.status == 200 and final.encoding == "utf-8"
        body = run["archive"].get(final.archive_key)
        assert final.body_sha256 == final.archive_key
        assert b"perfectly ordinary news article" in body
        assert final.bytes_decoded == len(body)


def test_windows_1256_declared_only_in_meta_decodes_right(run):
    final = _final(run, "/arabic")
    assert final.encoding == "windows-1256"
    assert ARABIC_TITLE in run["archive"].get(final.archive_key).decode(final.encoding)


def test_redirect_final_url_is_canonical(run):
    final = _final(run, "/moved")
    assert final.final_url == run["server"].url("/good/0")


@pytest.mark.parametrize("path", ["/500", "/429", "/slow", "/reset", "/truncated"])
def test_retryable_failures_are_retried_up_to_the_attempt_limit(run, path):
    attempts = [a for a in run["attempts"] if a.url.endswith(path)]
    assert [(a.attempt, a.is_final) for a in attempts] == [(1, False), (2, True)]


@pytest.mark.parametrize(
    "path", ["/pdf", "/png", "/loop-a", "/private/page", "/bomb", "/challenge", "/429-long"]
)
def test_permanent_failures_are_not_retried(run, path):
    assert [a.attempt for a in run["attempts"] if a.url.endswith(path)] == [1]


def test_retry_after_is_honoured(run):
    first, second = run["server"].counter.times["/429"]
    assert second - first >= 0.95


def test_retry_after_beyond_the_cap_gives_up_at_once(run):
    assert "exceeds the cap" in _final(run, "/429-long").error


def test_truncated_body_says_so(run):
    assert "truncated" in _final(run, "/truncated").error


def test_robots_denied_page_is_never_requested(run):
    assert "/private/page" not in run["server"].counter.calls
    assert run["server"].counter.calls["/robots.txt"] == 1  # cached for the run


def test_not_html_by_type_reads_no_body(run):
    assert _final(run, "/pdf").bytes_received == 0


def test_gzip_bomb_costs_kilobytes(run):
    final = _final(run, "/bomb")
    assert final.bytes_received < 1 * MiB
    assert final.bytes_decoded <= SETTINGS.max_decoded_bytes


def test_huge_page_stops_at_the_wire_cap(run):
    assert _final(run, "/huge").bytes_received <= SETTINGS.max_wire_bytes + 64 * 1024
    assert _final(run, "/huge-declared").bytes_received == 0  # refused on its Content-Length


def test_run_memory_stays_low(run):
    memory = run["memory"]
    assert memory.peak < 1024 * MiB
    assert memory.peak - memory.baseline < 300 * MiB


def test_run_keeps_to_its_time_caps(run):
    for path in ["/slow", "/drip"]:
        for attempt in (a for a in run["attempts"] if a.url.endswith(path)):
            assert attempt.elapsed_ms < SETTINGS.total_timeout * 1000 + 500
    assert run["elapsed"] < 15


def test_request_headers_name_akhbar_and_ask_for_html(run):
    sent = run["server"].counter.headers["/good/1"][0]
    assert sent["User-Agent"] == SETTINGS.user_agent
    assert sent["Accept"].startswith("text/html")
    assert sent["Accept-Encoding"] == "gzip, deflate, br"


def test_with_the_check_left_to_extraction_pages_are_archived_unjudged_and_extraction_judges_them(tmp_path):
    archive = RawArchive(str(tmp_path / "archive"))
    paths = ["/good/0", "/empty", "/challenge-200", "/challenge"]
    with LoopbackServer(_routes()) as server:
        sites = SitesFile(
            allow_private_networks=True,
            sites=[{"name": "hostile", "urls": [server.url("/good/0")], "delay_seconds": 0}],
        )
        requests = [FetchRequest(url=server.url(path), site="hostile") for path in paths]
        attempts = fetch_pages(requests, sites=sites, archive=archive, settings=SETTINGS, check_pages=False)
    finals = {attempt.url.rsplit("/", 1)[-1]: attempt for attempt in attempts if attempt.is_final}
    # a 503 challenge page is no body to extract: the fetcher still says what it is
    assert finals["challenge"].outcome == "bot_challenge"
    judged = {}
    for name in ("0", "empty", "challenge-200"):
        attempt = finals[name]
        assert attempt.outcome == "ok" and attempt.archive_key in archive
        article = extract_article(
            archive.get(attempt.archive_key),
            attempt.url,
            encoding=attempt.encoding,
            min_text_chars=SETTINGS.min_text_chars,
        )
        judged[name] = article.page_outcome
    assert judged == {"0": None, "empty": "empty_page", "challenge-200": "bot_challenge"}


def test_a_malformed_url_ends_as_its_own_attempt_and_the_run_goes_on(tmp_path):
    with LoopbackServer({"/good": page(article_html("good"))}) as server:
        sites = SitesFile(
            allow_private_networks=True,
            sites=[{"name": "s", "urls": [server.url("/good")], "delay_seconds": 0}],
        )
        requests = [FetchRequest("http://[::1/broken", "s"), FetchRequest(server.url("/good"), "s")]
        broken, good = fetch_pages(
            requests, sites=sites, archive=RawArchive(str(tmp_path)), settings=SETTINGS
        )
    assert (broken.outcome, broken.is_final, good.outcome) == ("invalid_url", True, "ok")
