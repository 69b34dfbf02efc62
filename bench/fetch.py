"""Benchmark `fetch_pages`: thousands of pages from 20 loopback hosts, politeness on.

Serves the pages from a child process (an asyncio HTTP/1.1 server on 127.0.0.2 ... 127.0.0.21, which Linux
routes to lo), then fetches them all in one `fetch_pages` call with a per-host delay and concurrency cap, and
prints pages per second and this process's peak memory.

    .venv/bin/python bench/fetch.py --pages 2000 --hosts 20 --delay 0.05 --concurrency 2
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import shlex
import sys
import tempfile
import time
from collections import Counter

from etl.lib.fetch import FetchSettings, fetch_pages
from etl.lib.records import FetchRequest
from etl.lib.sites import SitesFile
from etl.lib.warehouse.archive import RawArchive

PARAGRAPH = "قالت مصادر دبلوماسية إن المحادثات بين الطرفين ستستأنف الأسبوع المقبل في العاصمة الرياض. "


def _page(path: str) -> bytes:
    body = "".join(f"<p>{PARAGRAPH * 6}</p>" for _ in range(12))
    html = (
        f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{path}</title></head>'
    )
    return f"{html}<body><article><h1>{path}</h1>{body}</article></body></html>".encode()


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                break
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            path = request_line.split()[1].decode()
            if path == "/robots.txt":
                body, kind = b"User-agent: *\nDisallow: /private/\n", "text/plain"
            else:
                body, kind = _page(path), "text/html; charset=utf-8"
            head = f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
    except (ConnectionError, IndexError):
        pass
    finally:
        writer.close()


def _serve(hosts: list[str], port: int, ready: multiprocessing.synchronize.Event) -> None:
    async def main() -> None:
        servers = [await asyncio.start_server(_handle, host, port, backlog=1024) for host in hosts]
        ready.set()
        await asyncio.gather(*(server.serve_forever() for server in servers))

    asyncio.run(main())


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.05, help="per-host delay between request starts (s)")
    parser.add_argument("--concurrency", type=int, default=2, help="per-host concurrency cap")
    args = parser.parse_args()

    hosts = [f"127.0.0.{2 + n}" for n in range(args.hosts)]
    port = _free_port(hosts[0])
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(hosts, port, ready), daemon=True)
    server.start()
    ready.wait(10)

    sites = SitesFile(
        allow_private_networks=True,
        sites=[
            {"name": f"host{n}", "urls": [f"http://{host}:{port}/"], "delay_seconds": args.delay,
             "max_concurrency": args.concurrency}
            for n, host in enumerate(hosts)
        ],
    )  # fmt: skip
    requests = [
        FetchRequest(url=f"http://{hosts[n % len(hosts)]}:{port}/news/{n}", site=f"host{n % len(hosts)}")
        for n in range(args.pages)
    ]
    settings = FetchSettings(
        user_agent="Akhbar-bench/0.1 (+https://example.org/akhbar)", allow_private_networks=True
    )
    with tempfile.TemporaryDirectory() as archive_dir:
        started = time.perf_counter()
        attempts = fetch_pages(requests, sites=sites, archive=RawArchive(archive_dir), settings=settings)
        elapsed = time.perf_counter() - started
    server.terminate()

    outcomes = Counter(attempt.outcome for attempt in attempts if attempt.is_final)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    floor = len(hosts) / args.delay if args.delay else float("inf")
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"pages: {len(requests)} over {len(hosts)} hosts, delay {args.delay}s, concurrency {args.concurrency}/host"
    )
    print(f"outcomes: {dict(outcomes)}")
    print(
        f"elapsed: {elapsed:.2f}s  pages/s: {len(requests) / elapsed:.1f}  (politeness ceiling {floor:.0f}/s)"
    )
    print(f"peak RSS: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
