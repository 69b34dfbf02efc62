"""Throughput of the whole pipeline against its floor, bare trafilatura, on the real pages of ../shared/corpus.

    .venv/bin/python bench/throughput.py [--sizes 5,10] [--corpus ../shared/corpus]     (make bench)

Every corpus page is served from loopback servers in a process of their own (one site per dataset, listed in a
sitemap; see corpus_sites.py); `akhbar run` runs over them into a fresh home, in a child process. The floor is
`trafilatura.bare_extraction` over the same bytes in a pool of as many processes as cores, timed before and after
the pipeline's runs; the ratio is taken to the mean of the two.

`--sizes A,B` runs the pipeline twice, each into a fresh home: over the corpus served A times and B times
(every copy under distinct URLs with a small distinct edit). A run costs T(n) = fixed + n / rate, so the
marginal rate is the slope (n_B - n_A) / (T_B - T_A). It is printed twice: over whole runs, and over the
steps alone (pages per second once running), leaving out start-up, loading the definitions and Dagster
between steps, which cost the same at any size but move by a second or two from one run to the next. The
fixed cost is measured directly, as the first size's day run again (no new page, every fetch a 304). Printed for each run:
wall time, pages per second, the time, CPU seconds and peak memory of every stage, and the peak memory of the
whole process tree, as PSS (each shared page counted once, split among the processes sharing it) and as the
plain sum of every process's RSS (shared pages counted once per process: an overcount).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import psutil
from corpus_sites import CorpusSites, load_corpus

REPO = Path(__file__).resolve().parents[1]
DAY = "2025-01-15"


def sites_yaml(sites: dict[str, str]) -> str:
    lines = ["allow_private_networks: true", "sites:"]
    for name, base_url in sites.items():
        # our own servers on loopback: no politeness delay, so the fetch measures Akhbar, not a sleep; the
        # default two connections per site, which keep far ahead of extraction
        lines += [
            f"  - name: {name}",
            f"    sitemaps: [{base_url}/sitemap.xml]",
            "    delay_seconds: 0",
            "    max_pages: 100000",
        ]
    return "\n".join(lines) + "\n"


class TreeSampler:
    """Memory and CPU time of a process and all its children: CPU and RSS every 100 ms, PSS after each new
    peak of the RSS sum, at most once a second.

    PSS makes the kernel walk every page of every process (16 ms for a 700 MB one), and the sampler's CPU comes
    out of the two cores the pipeline runs on, which the floor, timed without a sampler, never pays: read ten
    times a second it took a third of a core, once a second 0.04 of one. The tree's PSS can only reach a new
    peak when memory is allocated, which raises the RSS sum too.
    """

    def __init__(self, pid: int) -> None:
        self.peak_pss = self.peak_rss = 0
        # (epoch seconds, PSS bytes or None when not read, CPU seconds of the tree so far, of the root so far)
        self.samples: list[tuple[float, int | None, float, float]] = []
        self._root = psutil.Process(pid)
        self._cpu_of: dict[int, float] = {}  # CPU seconds last seen per pid: an exited child keeps its share
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        next_pss, peak_rss_read = 0.0, 0  # when PSS may next be read; the RSS peak at the last reading
        processes: list[psutil.Process] = []
        next_scan = 0.0
        while not self._stop.is_set():
            if time.time() >= next_scan:  # finding the children reads every process on the machine: 1 ms
                try:
                    processes = [self._root, *self._root.children(recursive=True)]
                except psutil.Error:
                    processes = []
                next_scan = time.time() + 0.5
            rss = 0
            for process in processes:
                try:
                    with process.oneshot():
                        rss += process.memory_info().rss
                        times = process.cpu_times()
                except psutil.Error:
                    continue
                self._cpu_of[process.pid] = times.user + times.system
            now = time.time()
            pss = None
            self.peak_rss = max(self.peak_rss, rss)
            # a peak reached while the last reading was under a second old is read as soon as it is not
            if self.peak_rss > peak_rss_read and now >= next_pss:
                pss, next_pss, peak_rss_read = self._pss(processes), now + 1.0, self.peak_rss
                self.peak_pss = max(self.peak_pss, pss)
            root_cpu = self._cpu_of.get(self._root.pid, 0.0)
            self.samples.append((now, pss, sum(self._cpu_of.values()), root_cpu))
            time.sleep(0.1)

    @staticmethod
    def _pss(processes: list[psutil.Process]) -> int:
        total = 0
        for process in processes:
            try:
                total += process.memory_full_info().pss
            except psutil.Error:
                continue
        return total

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def window(self, start: float, end: float) -> tuple[int, float, float]:
        """(peak PSS bytes, CPU seconds of the tree, of the root process) between two epoch times."""
        inside = [sample for sample in self.samples if start <= sample[0] <= end]
        if not inside:
            return 0, 0.0, 0.0
        before = [sample for sample in self.samples if sample[0] < start]
        first = before[-1] if before else inside[0]
        last = inside[-1]
        readings = [sample[1] for sample in inside if sample[1] is not None]
        if not readings:  # a stage shorter than the PSS interval: the last reading before it stands in
            readings = [sample[1] for sample in before if sample[1] is not None][-1:]
        peak = max(readings, default=0)
        return peak, last[2] - first[2], last[3] - first[3]


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
    sampler = TreeSampler(process.pid)
    output, _ = process.communicate()
    wall = time.perf_counter() - started
    sampler.stop()
    if process.returncode != 0:
        raise SystemExit(f"akhbar run failed:\n{output[-3000:]}")
    run_id = re.search(r"run ([0-9a-f-]{36}) succeeded", output)[1]
    stages = {
        step: (end - start, *sampler.window(start, end))
        for step, (start, end) in step_windows(home, run_id).items()
    }
    return {"wall": wall, "pss": sampler.peak_pss, "rss": sampler.peak_rss, "stages": stages}


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


def outside_steps(run: dict) -> float:
    """Seconds of a run spent in no step: start-up, loading the definitions, Dagster between steps."""
    return run["wall"] - sum(stage[0] for stage in run["stages"].values())


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
        "--sizes",
        # five and ten times the corpus: at one and two, a single slow run on a shared machine moves the slope a lot
        default="5,10",
        help="two scales A,B: the corpus served A and B times (distinct URLs), one fresh run each",
    )
    args = parser.parse_args()
    small, large = sorted(int(size) for size in args.sizes.split(","))
    if not 0 < small < large:
        parser.error("--sizes takes two different positive scales, such as 1,2")

    corpus = load_corpus(args.corpus)
    per_copy = sum(map(len, corpus.values()))
    print(f"corpus: {per_copy} pages in {len(corpus)} sites; runs over x{small} and x{large}")

    sites = CorpusSites(args.corpus)
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as tmp:
        tmp = Path(tmp)
        sites_file = tmp / "sites.yaml"
        sites_file.write_text(sites_yaml({name.split("-")[0]: url for name, url in sites.base_urls.items()}))
        floor_pages = [page for pages in corpus.values() for page in pages] * small
        # The floor is timed before and after the pipeline's runs and the mean taken: a shared machine's speed
        # drifts over the quarter of an hour the runs take, and one reading at the start would charge the drift
        # to the pipeline (or credit it).
        floor_before = floor(floor_pages)
        runs, again = {}, {}
        for scale in (small, large):
            sites.scale = scale
            runs[scale] = run_pipeline(sites_file, tmp / f"home-x{scale}")
            # the same day again: every page answers 304, so this run is the fixed cost of a run
            again[scale] = run_pipeline(sites_file, tmp / f"home-x{scale}")
        floor_after = floor(floor_pages)
    sites.close()

    n_small, n_large = per_copy * small, per_copy * large
    floor_seconds = (floor_before + floor_after) / 2
    floor_rate = n_small / floor_seconds
    marginal_rate = (n_large - n_small) / (runs[large]["wall"] - runs[small]["wall"])
    # Start-up, loading the definitions and Dagster between steps cost the same at any size; left out, one
    # run's slow start (two seconds, at times, for the first run after the floor) no longer moves the slope.
    in_steps = {scale: runs[scale]["wall"] - outside_steps(runs[scale]) for scale in (small, large)}
    running_rate = (n_large - n_small) / (in_steps[large] - in_steps[small])
    print(f"\n{'':44}{'pages':>8}{'pages/s':>10}{'seconds':>10}")
    floor_label = f"floor: bare trafilatura, {os.cpu_count()} processes"
    for label, seconds in (("before", floor_before), ("after", floor_after), ("mean", floor_seconds)):
        print(f"{floor_label + ', ' + label:44}{n_small:>8}{n_small / seconds:>10.1f}{seconds:>10.1f}")
    for scale, n in ((small, n_small), (large, n_large)):
        print(
            f"{'pipeline, whole first run':44}{n:>8}{n / runs[scale]['wall']:>10.1f}{runs[scale]['wall']:>10.1f}"
        )
    print(f"{'pipeline, marginal (slope between the runs)':44}{'':>8}{marginal_rate:>10.1f}")
    print(f"{'pipeline, marginal once running (the steps)':44}{'':>8}{running_rate:>10.1f}")
    print(
        f"\nmarginal / floor: {marginal_rate / floor_rate:.2f} (whole runs), {running_rate / floor_rate:.2f} (the steps)"
    )
    print(
        f"marginal cost per page: {1000 / marginal_rate:.1f} ms (whole runs), {1000 / running_rate:.1f} ms (the steps)"
    )
    print(f"fixed cost of a run (x{small} again, every page a 304): {again[small]['wall']:.1f} s")
    for scale, n in ((small, n_small), (large, n_large)):
        ratio = again[scale]["wall"] / runs[scale]["wall"]
        print(f"the same day again at {n} pages: {again[scale]['wall']:.1f} s = {ratio:.2f} of the first run")
    for scale, n in ((small, n_small), (large, n_large)):
        run = runs[scale]
        print(
            f"peak memory of the process tree, {n} pages: {run['pss'] / 2**20:.0f} MiB PSS"
            f" ({run['rss'] / 2**20:.0f} MiB as a sum of RSS)"
        )
    # where the marginal cost goes: each stage's own slope between the two first runs
    print(f"\nper stage, first runs:{'':18}{n_small:>9}{n_large:>9}{'ms per extra page':>19}")
    small_stages, large_stages = runs[small]["stages"], runs[large]["stages"]
    for step, stage in large_stages.items():
        before = small_stages.get(step, (0.0,))[0]
        slope = 1000 * (stage[0] - before) / (n_large - n_small)
        print(f"  {step:<38}{before:>9.1f}{stage[0]:>9.1f}{slope:>19.2f}")
    before, after = outside_steps(runs[small]), outside_steps(runs[large])
    slope = 1000 * (after - before) / (n_large - n_small)
    print(f"  {'start-up, definitions, between steps':<38}{before:>9.1f}{after:>9.1f}{slope:>19.2f}")
    for label, run in (
        (f"first run, {n_large} pages", runs[large]),
        (f"same day again, {n_small} pages", again[small]),
    ):
        print(f"\n{label + ':':40}{'seconds':>9}{'CPU s':>8}{'of which main':>15}{'peak PSS MiB':>14}")
        for step, (seconds, peak, cpu, main_cpu) in run["stages"].items():
            print(f"  {step:<38}{seconds:>9.1f}{cpu:>8.1f}{main_cpu:>15.1f}{peak / 2**20:>14.0f}")
        print(f"  {'start-up, definitions, between steps':<38}{outside_steps(run):>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
