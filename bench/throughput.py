"""Throughput of the whole pipeline against its floor, bare trafilatura, on the real pages of ../shared/corpus.

    .venv/bin/python bench/throughput.py [--scale 1] [--corpus ../shared/corpus]     (make bench)

Every corpus page is served from loopback servers (one site per dataset, listed in a sitemap); `akhbar run`
runs over them into a fresh home, in a child process. In the same process tree the floor is timed:
`trafilatura.bare_extraction` over the same bytes in a pool of as many processes as cores. Printed: pages per
second for both, the fixed cost of a run (a second run of the same day: no new page, every fetch a 304), the marginal cost per
page, the time per stage, and the peak resident memory of the whole process tree.
`--scale K` serves every page K times under distinct URLs with a small distinct edit, to show that memory
follows the batch, not the corpus.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import psutil

REPO = Path(__file__).resolve().parents[1]
DAY = "2025-01-15"


def load_corpus(corpus: Path) -> dict[str, list[bytes]]:
    """Raw page bytes per dataset, exactly as saved."""
    return {
        folder.name: [gzip.decompress(path.read_bytes()) for path in sorted((folder / "html").rglob("*.gz"))]
        for folder in sorted(corpus.iterdir())
        if (folder / "html").is_dir()
    }


class _CorpusSite(BaseHTTPRequestHandler):
    pages: ClassVar[list[bytes]] = []
    scale = 1

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            return self._send(b"User-agent: *\nAllow: /\n", "text/plain")
        if self.path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>http://{self.headers['Host']}/p/{copy}/{index}</loc></url>"
                for copy in range(self.scale)
                for index in range(len(self.pages))
            )
            body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return self._send(body.encode(), "application/xml")
        match = re.fullmatch(r"/p/(\d+)/(\d+)", self.path)
        if not match or int(match[2]) >= len(self.pages):
            return self._send(b"not found", "text/plain", 404)
        copy, index = int(match[1]), int(match[2])
        etag = f'"{copy}-{index}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        body = self.pages[index]
        if copy:  # a distinct page: the same article with a small edit
            body = body.replace(b"</body>", f"<!-- copy {copy} --></body>".encode(), 1)
        return self._send(body, "text/html", etag=etag)

    def _send(self, body: bytes, content_type: str, status: int = 200, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)


def serve(pages: list[bytes], scale: int) -> tuple[ThreadingHTTPServer, str]:
    handler = type("Site", (_CorpusSite,), {"pages": pages, "scale": scale})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def sites_yaml(sites: dict[str, str]) -> str:
    lines = ["allow_private_networks: true", "sites:"]
    for name, base_url in sites.items():
        # our own servers on loopback: no politeness delay, so the fetch measures Akhbar, not a sleep
        lines += [
            f"  - name: {name}",
            f"    sitemaps: [{base_url}/sitemap.xml]",
            "    delay_seconds: 0",
            "    max_concurrency: 8",
            "    max_pages: 100000",
        ]
    return "\n".join(lines) + "\n"


class TreeMemory:
    """Peak resident memory of a process and all its children, sampled every 100 ms."""

    def __init__(self, pid: int) -> None:
        self.peak = 0
        self.samples: list[tuple[float, int]] = []  # (epoch seconds, bytes), to find each stage's peak
        self._root = psutil.Process(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self._root, *self._root.children(recursive=True)]
                rss = sum(_rss(p) for p in processes)
                self.peak = max(self.peak, rss)
                self.samples.append((time.time(), rss))
            except psutil.Error:
                pass
            time.sleep(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def run_pipeline(sites_file: Path, home: Path) -> dict:
    """`akhbar run` in a child process: wall time, peak memory of its tree, step durations."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "etl.cli",
            "run",
            "--sites",
            str(sites_file),
            "--date",
            DAY,
            "--home",
            str(home),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    memory = TreeMemory(process.pid)
    output, _ = process.communicate()
    wall = time.perf_counter() - started
    peak = memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"akhbar run failed:\n{output[-3000:]}")
    run_id = re.search(r"run ([0-9a-f-]{36}) succeeded", output)[1]
    windows = step_windows(home, run_id)
    steps = {step: end - start for step, (start, end) in windows.items()}
    step_peaks = {
        step: max((rss for at, rss in memory.samples if start <= at <= end), default=0)
        for step, (start, end) in windows.items()
    }
    return {"wall": wall, "peak": peak, "steps": steps, "step_peaks": step_peaks, "output": output}


def step_windows(home: Path, run_id: str) -> dict[str, tuple[float, float]]:
    """Each step's (start, end) in epoch seconds; a skipped step (nothing new to publish) took no time."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        return {
            stats.step_key: (stats.start_time, stats.end_time)
            if stats.start_time and stats.end_time
            else (0.0, 0.0)
            for stats in instance.get_run_step_stats(run_id)
        }


def _bare(page: bytes) -> int:
    import trafilatura

    result = trafilatura.bare_extraction(page, with_metadata=True, include_images=False, include_links=False)
    return len((result.text if result else "") or "")


def floor(pages: list[bytes]) -> float:
    """Seconds for bare trafilatura over `pages` in a pool of as many processes as cores."""
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(_bare, pages[:8]))  # start the workers and import trafilatura before timing
        started = time.perf_counter()
        list(pool.map(_bare, pages, chunksize=8))
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument(
        "--scale", type=int, default=1, help="serve every page this many times (distinct URLs)"
    )
    args = parser.parse_args()

    corpus = load_corpus(args.corpus)
    servers = {name: serve(pages, args.scale) for name, pages in corpus.items()}
    all_pages = [page for pages in corpus.values() for page in pages] * args.scale
    n = len(all_pages)
    print(
        f"corpus: {sum(map(len, corpus.values()))} pages in {len(corpus)} sites, served x{args.scale} = {n} pages"
    )

    with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as tmp:
        tmp = Path(tmp)
        sites_file = tmp / "sites.yaml"
        sites_file.write_text(sites_yaml({name.split("-")[0]: url for name, (_, url) in servers.items()}))
        floor_seconds = floor(all_pages)
        first = run_pipeline(sites_file, tmp / "home")
        # the same day again: every page answers 304, so this run is the fixed cost of a run with no new page
        fixed = run_pipeline(sites_file, tmp / "home")
        for server, _ in servers.values():
            server.shutdown()

    marginal = first["wall"] - fixed["wall"]
    print(f"\n{'':34}{'pages/s':>10}{'seconds':>10}")
    print(
        f"{'floor: bare trafilatura, ' + str(os.cpu_count()) + ' procs':34}{n / floor_seconds:>10.1f}{floor_seconds:>10.1f}"
    )
    print(f"{'pipeline, marginal':34}{n / marginal:>10.1f}{marginal:>10.1f}")
    print(f"{'pipeline, whole run':34}{n / first['wall']:>10.1f}{first['wall']:>10.1f}")
    print(f"\nmarginal / floor: {floor_seconds / marginal:.2f}x")
    print(f"fixed cost of a run (the same pages again, all 304): {fixed['wall']:.1f} s")
    print(f"  = {fixed['wall'] / first['wall']:.2f} of the first run")
    print(f"marginal cost per page: {1000 * marginal / n:.1f} ms")
    print(f"peak resident memory of the process tree: {first['peak'] / 2**20:.0f} MiB")
    print(f"\n{'time per stage (s)':40}{'first':>8}{'again':>8}{'peak MiB':>10}")
    for step, seconds in first["steps"].items():
        peak = first["step_peaks"].get(step, 0) / 2**20
        print(f"  {step:<38}{seconds:>8.1f}{fixed['steps'].get(step, 0.0):>8.1f}{peak:>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
