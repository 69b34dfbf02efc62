"""Politeness, robots.txt, conditional GET and the private-address guard, against real loopback servers."""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import shutil
import subprocess
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from etl.lib.fetch import FetchSettings, fetch_pages
from etl.lib.fetch.politeness import HostGate
from etl.lib.records import FetchRequest
from etl.lib.sites import SitesFile
from etl.lib.warehouse.archive import RawArchive
from tests.hostile_server import Handler, LoopbackServer, article_html, conditional, page, redirect, slow

UA = "Akhbar-test/1.0 (+https://example.org/akhbar)"
FAST = FetchSettings(
    user_agent=UA, allow_private_networks=True, read_timeout=3, total_timeout=5, backoff_base=0.05
)


def _sites(*sites: dict, allow_private: bool = True) -> SitesFile:
    return SitesFile(allow_private_networks=allow_private, sites=list(sites))


def _site(name: str, server: LoopbackServer, **politeness) -> dict:
    return {"name": name, "urls": [server.url("/")], **politeness}


def _pages(count: int, prefix: str = "/p") -> dict:
    return {f"{prefix}/{n}": page(article_html(f"page {n}")) for n in range(count)}


def _arrival_order(server: LoopbackServer) -> list[str]:
    return [
        path for _, path in sorted((t, path) for path, times in server.counter.times.items() for t in times)
    ]


def _keeps_pace(arrivals: list[float], started: float, delay: float) -> bool:
    """Whether the k-th request (from 0) reached the server no sooner than k delays after `started`.

    The gaps between arrivals cannot show the client's spacing (a request held up on its way shortens the gap to
    the next one, which made this test flaky under load), but causality bounds each arrival from below: the k-th
    start is at least k delays after the first, the first is after `started`, and a request arrives after it
    starts. Load only makes arrivals later, so this cannot flake; without the delay every request arrives
    within milliseconds of `started`. asyncio may wake a timer up to its clock resolution early: 1 ms covers it.
    """
    return all(arrival >= started + index * delay - 0.001 for index, arrival in enumerate(sorted(arrivals)))


def _when_asked_all(server: LoopbackServer, count: int, seen: list[bool]) -> Handler:
    """A page that answers once `server` has been asked `count` requests (or after 30 s), noting which."""

    def handle(handler) -> None:
        deadline = time.monotonic() + 30
        while sum(server.counter.calls.values()) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(sum(server.counter.calls.values()) >= count)
        page(article_html("last polite page"))(handler)

    return handle


def test_per_host_delay_spaces_requests_while_other_hosts_run_freely(tmp_path):
    free_served_meanwhile: list[bool] = []
    with LoopbackServer(_pages(20), host="127.0.0.2") as free, LoopbackServer(_pages(5)) as polite:
        # the polite host's last page is held until the free host has had all its requests (robots.txt + 20):
        # were hosts served one after the other, it would wait out its 30 s and say so
        polite.routes["/p/4"] = _when_asked_all(free, 21, free_served_meanwhile)
        sites = _sites(_site("polite", polite, delay_seconds=0.2, max_concurrency=1),
                       _site("free", free, delay_seconds=0, max_concurrency=4))  # fmt: skip
        requests = [FetchRequest(polite.url(f"/p/{n}"), "polite") for n in range(5)]
        requests += [FetchRequest(free.url(f"/p/{n}"), "free") for n in range(20)]
        settings = replace(FAST, read_timeout=60, total_timeout=60)  # the held page must not time out
        started = time.monotonic()
        attempts = fetch_pages(requests, sites=sites, archive=RawArchive(str(tmp_path)), settings=settings)
        assert {a.outcome for a in attempts} == {"ok"}
        # one at a time, in the order asked: robots.txt first, then the five pages
        assert _arrival_order(polite) == ["/robots.txt", "/p/0", "/p/1", "/p/2", "/p/3", "/p/4"]
        assert polite.counter.max_in_flight == 1
        assert _keeps_pace(polite.counter.all_times(), started, 0.2)
        assert free_served_meanwhile == [True]


def test_host_gate_lets_requests_through_a_delay_apart_and_after_a_pause():
    async def open_gate() -> tuple[list[float], float, float]:
        gate = HostGate(delay=0.2, concurrency=2)

        async def request() -> float:
            async with gate as opened:
                return opened

        opened = sorted(await asyncio.gather(*(request() for _ in range(4))))
        paused_at = time.monotonic()
        gate.pause(0.5)
        return opened, paused_at, await request()

    opened, paused_at, after_pause = asyncio.run(open_gate())
    # the gate's own clock readings: exact whatever the load, up to asyncio's timer resolution
    assert all(gap >= 0.2 - 1e-6 for gap in _gaps(opened))
    assert after_pause >= paused_at + 0.5 - 1e-6


def _gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_per_host_concurrency_cap(tmp_path):
    routes = {f"/slow/{n}": slow(0.3) for n in range(8)}
    with LoopbackServer(routes) as server:
        sites = _sites(_site("capped", server, delay_seconds=0, max_concurrency=2))
        requests = [FetchRequest(server.url(path), "capped") for path in routes]
        attempts = fetch_pages(requests, sites=sites, archive=RawArchive(str(tmp_path)), settings=FAST)
        assert {a.outcome for a in attempts} == {"ok"}
        assert server.counter.max_in_flight == 2


def test_robots_crawl_delay_slows_a_host_down(tmp_path):
    routes = {
        "/robots.txt": page("User-agent: *\nCrawl-delay: 0.3\n", content_type="text/plain"),
        **_pages(3),
    }
    with LoopbackServer(routes) as server:
        sites = _sites(_site("slowed", server, delay_seconds=0, max_concurrency=4))
        requests = [FetchRequest(server.url(f"/p/{n}"), "slowed") for n in range(3)]
        started = time.monotonic()
        fetch_pages(requests, sites=sites, archive=RawArchive(str(tmp_path)), settings=FAST)
        page_times = [
            t for path, times in server.counter.times.items() if path != "/robots.txt" for t in times
        ]
        assert _keeps_pace(page_times, started, 0.3)


@pytest.mark.parametrize(
    ("robots", "outcome", "error_part"),
    [
        (
            page("User-agent: Akhbar-test\nDisallow: /p/\n", content_type="text/plain"),
            "robots_denied",
            "robots",
        ),
        (
            page(
                "User-agent: *\nDisallow: /\n\nUser-agent: Akhbar-test\nAllow: /\n", content_type="text/plain"
            ),
            "ok",
            None,
        ),
        (page("down", status=503, content_type="text/plain"), "robots_denied", "robots.txt unavailable"),
        (page("gone", status=404, content_type="text/plain"), "ok", None),
    ],
    ids=["our-agent-denied", "our-agent-allowed", "robots-5xx-denies-all", "robots-404-allows-all"],
)
def test_robots_rules(tmp_path, robots, outcome, error_part):
    with LoopbackServer({"/robots.txt": robots, **_pages(1)}) as server:
        sites = _sites(_site("r", server, delay_seconds=0))
        [final] = fetch_pages([FetchRequest(server.url("/p/0"), "r")], sites=sites,
                              archive=RawArchive(str(tmp_path)), settings=FAST)  # fmt: skip
        assert final.outcome == outcome
        if error_part:
            assert error_part in final.error
            assert "/p/0" not in server.counter.calls


def test_robots_can_be_switched_off(tmp_path):
    routes = {"/robots.txt": page("User-agent: *\nDisallow: /\n", content_type="text/plain"), **_pages(1)}
    with LoopbackServer(routes) as server:
        settings = FetchSettings(user_agent=UA, allow_private_networks=True, respect_robots=False)
        [final] = fetch_pages([FetchRequest(server.url("/p/0"), "r")], sites=_sites(_site("r", server)),
                              archive=RawArchive(str(tmp_path)), settings=settings)  # fmt: skip
        assert final.outcome == "ok"
        assert "/robots.txt" not in server.counter.calls


def test_conditional_get_and_unchanged_content(tmp_path):
    body = article_html("revisited").encode()
    etag, modified = '"v1"', "Wed, 01 Jan 2025 00:00:00 GMT"
    routes = {"/cond": conditional(body, etag, modified), "/plain": page(body)}
    archive = RawArchive(str(tmp_path))
    with LoopbackServer(routes) as server:
        sites = _sites(_site("c", server, delay_seconds=0))
        first = fetch_pages(
            [FetchRequest(server.url("/cond"), "c")], sites=sites, archive=archive, settings=FAST
        )
        assert (first[0].outcome, first[0].etag, first[0].last_modified) == ("ok", etag, modified)
        revisit = [
            FetchRequest(server.url("/cond"), "c", etag=first[0].etag, last_modified=first[0].last_modified),
            FetchRequest(server.url("/plain"), "c", previous_content_hash=first[0].body_sha256),
        ]
        not_modified, unchanged = fetch_pages(revisit, sites=sites, archive=archive, settings=FAST)
        assert not_modified.outcome == "not_modified" and not_modified.status == 304
        assert not_modified.archive_key is None
        sent = server.counter.headers["/cond"][1]
        assert (sent["If-None-Match"], sent["If-Modified-Since"]) == (etag, modified)
        assert unchanged.outcome == "ok" and unchanged.unchanged
        assert unchanged.archive_key == first[0].archive_key  # stored once, content-addressed
        assert not first[0].unchanged


def test_private_addresses_are_refused_without_connecting(tmp_path):
    with LoopbackServer(_pages(1)) as server:
        sites = _sites(_site("p", server), allow_private=False)
        requests = [
            FetchRequest(server.url("/p/0"), "p"),
            FetchRequest(f"http://localhost:{server.port}/p/0", "p"),  # a name that resolves to loopback
            FetchRequest("http://169.254.169.254/latest/meta-data/", "p"),  # cloud metadata
            FetchRequest("http://[::ffff:127.0.0.1]/", "p"),
            FetchRequest("http://10.1.2.3/", "p"),
        ]
        attempts = fetch_pages(requests, sites=sites, archive=RawArchive(str(tmp_path)),
                               settings=FetchSettings.from_sites(sites))  # fmt: skip
        assert [a.outcome for a in attempts] == ["blocked_private"] * 5
        assert "non-public address" in attempts[1].error
        assert server.counter.calls == {}


def test_every_redirect_hop_is_checked(tmp_path):
    with (
        LoopbackServer(_pages(1), host="127.0.0.2") as inside,
        LoopbackServer({"/go": redirect("http://127.0.0.2:{port}/p/0")}) as outside,
    ):
        outside.routes["/go"] = redirect(inside.url("/p/0"))
        sites = _sites(_site("r", outside), allow_private=False)
        # 127.0.0.1 stands in for a public address; 127.0.0.2 for the private one a redirect points at
        settings = FetchSettings(user_agent=UA, private_network_allowlist=("127.0.0.1/32",))
        [final] = fetch_pages([FetchRequest(outside.url("/go"), "r")], sites=sites,
                              archive=RawArchive(str(tmp_path)), settings=settings)  # fmt: skip
        assert final.outcome == "blocked_private"
        assert final.final_url == inside.url("/p/0")
        assert inside.counter.calls == {}


def test_settings_from_sites_file():
    sites = SitesFile(allow_private_networks=True, contact_url="https://example.org/contact",
                      sites=[{"name": "s", "urls": ["https://example.org/a"]}])  # fmt: skip
    settings = FetchSettings.from_sites(sites)
    assert settings.allow_private_networks
    assert settings.user_agent.startswith("Akhbar/") and settings.user_agent.endswith(
        "https://example.org/contact"
    )


def test_many_pages_on_one_slow_host_do_not_time_out_while_queued(tmp_path):
    # 6 pages at 0.3 s apart take 1.5 s, longer than the 1 s cap, which counts network time only
    with LoopbackServer(_pages(6)) as server:
        sites = _sites(_site("q", server, delay_seconds=0.3, max_concurrency=1))
        settings = FetchSettings(
            user_agent=UA, allow_private_networks=True, total_timeout=1.0, respect_robots=False
        )
        started = time.monotonic()
        attempts = fetch_pages([FetchRequest(server.url(f"/p/{n}"), "q") for n in range(6)], sites=sites,
                               archive=RawArchive(str(tmp_path)), settings=settings)  # fmt: skip
        assert time.monotonic() - started >= 1.5
        assert {a.outcome for a in attempts} == {"ok"}


@pytest.fixture(scope="module")
def localhost_certificate(tmp_path_factory):
    """A self-signed certificate for the name `localhost` only (no IP address in it)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


def test_https_connects_to_the_checked_address_and_still_verifies_the_name(tmp_path, localhost_certificate):
    cert, _ = localhost_certificate
    with LoopbackServer(_pages(1), tls=localhost_certificate) as server:
        sites = _sites(_site("tls", server, delay_seconds=0))
        settings = FetchSettings(user_agent=UA, allow_private_networks=True, ca_bundle=cert)
        attempts = fetch_pages(
            [FetchRequest(f"https://localhost:{server.port}/p/0", "tls"), FetchRequest(server.url("/p/0"), "tls")],
            sites=sites, archive=RawArchive(str(tmp_path)), settings=settings,
        )  # fmt: skip
        by_name, by_address = attempts
        assert by_name.outcome == "ok"
        # the certificate names localhost, not 127.0.0.1: verification is on
        # its robots.txt failed the same way: the page says connection_error, not robots_denied, and no retry
        assert by_address.outcome == "connection_error" and "certificate" in by_address.error.lower()


def test_fetch_pages_works_from_inside_a_running_event_loop(tmp_path):
    async def caller_with_a_loop() -> list:
        with LoopbackServer(_pages(1)) as server:
            sites = _sites(_site("loop", server, delay_seconds=0))
            return fetch_pages([FetchRequest(server.url("/p/0"), "loop")], sites=sites,
                               archive=RawArchive(str(tmp_path)), settings=FAST)  # fmt: skip

    [final] = asyncio.run(caller_with_a_loop())
    assert final.outcome == "ok"


def test_429_holds_back_the_whole_host(tmp_path):
    routes = {"/busy": page("slow down", status=429, content_type="text/plain", headers={"Retry-After": "1"}),
              **_pages(3)}  # fmt: skip
    with LoopbackServer(routes) as server:
        sites = _sites(_site("h", server, delay_seconds=0.05, max_concurrency=1))
        settings = FetchSettings(
            user_agent=UA, allow_private_networks=True, max_attempts=1, respect_robots=False
        )
        requests = [FetchRequest(server.url("/busy"), "h")] + [
            FetchRequest(server.url(f"/p/{n}"), "h") for n in range(3)
        ]
        attempts = fetch_pages(requests, sites=sites, archive=RawArchive(str(tmp_path)), settings=settings)
        assert [a.outcome for a in attempts] == ["http_error", "ok", "ok", "ok"]
        [busy_at] = server.counter.times["/busy"]
        assert min(server.counter.times["/p/0"]) - busy_at >= 0.95


def test_retry_after_as_an_http_date(tmp_path):
    def busy_once(handler) -> None:
        if len(server.counter.times["/later"]) == 1:
            when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
            page("busy", status=503, content_type="text/plain", headers={"Retry-After": when})(handler)
        else:
            page(article_html("later"))(handler)

    with LoopbackServer({"/later": busy_once}) as server:
        sites = _sites(_site("d", server, delay_seconds=0))
        settings = FetchSettings(user_agent=UA, allow_private_networks=True, respect_robots=False)
        first, second = fetch_pages([FetchRequest(server.url("/later"), "d")], sites=sites,
                                    archive=RawArchive(str(tmp_path)), settings=settings)  # fmt: skip
        assert (first.outcome, first.status, second.outcome) == ("http_error", 503, "ok")
        asked, retried = server.counter.times["/later"]
        assert retried - asked >= 0.9  # the date has one-second precision: 1 to 2 s from now
