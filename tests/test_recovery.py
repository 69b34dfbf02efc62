"""Recovery from a killed run, end to end: `akhbar run` killed with SIGKILL to its whole process group while it
fetches, extracts, loads, builds the marts and publishes; the next run of the same day ends with the marts of an
uninterrupted run and never waits on a slot a killed run held. And one run per home at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from demo import expected
from demo.server import SampleSite, Transform, serve_sample_site, sites_yaml
from tests.conftest import REPO, akhbar_command, akhbar_env, run_akhbar
from tests.test_dbt_project import marts as built_marts
from tests.test_incremental_marts import ARTICLE_MARTS, assert_marts_equal, full_refresh_of

DAY = "2024-10-28"
# A run that waits on a slot a killed run still holds never ends: no run gets longer than this. It bounds the
# test and measures nothing (an uninterrupted run of the sample site takes one to four minutes on a shared
# two-core machine).
RUN_DEADLINE = 600
POLL_SECONDS = 0.05
# Fetching is the one stage that waits on the network: each article page answers this much later, so the run
# is still fetching when the kill lands.
SLOW_PAGE_SECONDS = 0.4
MARTS = ("articles", "images", "related_links", "article_revisions")
# columns that say when a run happened rather than what it found
RUN_TIMES = ("first_seen_at", "last_fetched_at", "valid_from", "valid_to", "loaded_at")
LOADED = ("raw.articles", "raw.images", "raw.related_links", "quarantine.articles")


@dataclass
class Run:
    """An `akhbar run` in a session of its own, so SIGKILL reaches its whole process tree."""

    process: subprocess.Popen
    output: Path

    @classmethod
    def start(cls, sites_file: Path, home: Path, name: str, day: str = DAY) -> Run:
        output = home.parent / f"{home.name}-{name}.log"
        with output.open("w") as sink:
            process = subprocess.Popen(
                akhbar_command("run", "--sites", str(sites_file), "--date", day, home=home),
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=akhbar_env(),
                cwd=REPO,
                start_new_session=True,
            )
        return cls(process, output)

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def kill_when(self, reached: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + RUN_DEADLINE
        while not reached():
            if self.process.poll() is not None:
                pytest.fail(
                    f"the run ended (rc {self.process.returncode}) before {what}:\n{self.text()[-4000:]}"
                )
            if time.monotonic() > deadline:
                self._kill()
                pytest.fail(f"the run never reached {what} in {RUN_DEADLINE} s:\n{self.text()[-4000:]}")
            time.sleep(POLL_SECONDS)
        self._kill()

    def _kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def finish(self) -> str:
        try:
            self.process.wait(timeout=RUN_DEADLINE)
        except subprocess.TimeoutExpired:
            self._kill()
            pytest.fail(
                f"the run did not end in {RUN_DEADLINE} s (waiting on a slot?):\n{self.text()[-4000:]}"
            )
        assert self.process.returncode == 0, self.text()
        return self.text()


class RunEvents:
    """What the newest run of a home's Dagster instance has recorded so far, read from its event log."""

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self._instance = instance
        self._known = {record.dagster_run.run_id for record in instance.get_run_records()}

    def _records(self) -> list:
        new = [r for r in self._instance.get_run_records(limit=5) if r.dagster_run.run_id not in self._known]
        return self._instance.get_records_for_run(new[0].dagster_run.run_id).records if new else []

    def step_started(self, step_key: str) -> bool:
        return any(
            record.event_log_entry.dagster_event_type == dg.DagsterEventType.STEP_START
            and record.event_log_entry.step_key == step_key
            for record in self._records()
        )

    def materialized(self, prefix: str) -> bool:
        return any(
            "/".join(record.asset_key.path).startswith(prefix)
            for record in self._records()
            if record.event_log_entry.dagster_event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
        )


def _marts(home: Path) -> dict[str, list[tuple]]:
    """Every table name of the published copy, and every mart's rows less the columns that say when a run
    happened."""
    with duckdb.connect(str(home / "published.duckdb"), read_only=True) as conn:
        marts = {
            "tables": conn.sql("select schema_name, table_name from duckdb_tables() order by all").fetchall()
        }
        for mart in MARTS:
            columns = [
                column
                for (column,) in conn.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [mart],
                ).fetchall()
                if column not in RUN_TIMES
            ]
            marts[mart] = conn.sql(f"select {', '.join(columns)} from marts.{mart} order by all").fetchall()
        return marts


def _loaded_rows(home: Path) -> dict[str, int]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return {table: conn.sql(f"select count(*) from {table}").fetchone()[0] for table in LOADED}


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    # one site for both homes, so both see the same URLs and so the same article ids
    with serve_sample_site() as site:
        yield site


@pytest.fixture(scope="module")
def uninterrupted(site: SampleSite, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A run that nothing interrupts, and a second `akhbar run` of the same home started while it is live."""
    home = tmp_path_factory.mktemp("uninterrupted")
    sites_file = home / "sites.yaml"
    sites_file.write_text(sites_yaml(site.base_url), encoding="utf-8")
    first = Run.start(sites_file, home, "first")
    deadline = time.monotonic() + RUN_DEADLINE
    while "akhbar: running" not in first.text():  # printed once the run holds its home
        assert first.process.poll() is None and time.monotonic() < deadline, first.text()
        time.sleep(POLL_SECONDS)
    second = run_akhbar("run", "--sites", str(sites_file), "--date", DAY, home=home, timeout=RUN_DEADLINE)
    first_live = first.process.poll() is None
    first.finish()
    return {"home": home, "pid": first.process.pid, "second": second, "first_live": first_live}


@pytest.mark.timeout(1500)
def test_a_second_run_on_a_live_home_exits_at_once_with_one_line_naming_the_live_runs_pid(uninterrupted):
    second = uninterrupted["second"]
    assert uninterrupted["first_live"], "the first run ended before the second one did: nothing was tested"
    assert second.returncode == 2, second.stdout + second.stderr
    assert second.stderr.count("\n") == 1, second.stderr
    assert f"pid {uninterrupted['pid']}" in second.stderr
    assert "akhbar: running" not in second.stdout


@pytest.mark.timeout(3000)
def test_runs_killed_at_every_stage_end_with_the_marts_of_an_uninterrupted_run(
    site: SampleSite, uninterrupted: dict, tmp_path_factory: pytest.TempPathFactory
):
    home = tmp_path_factory.mktemp("killed")
    sites_file = home / "sites.yaml"
    sites_file.write_text(sites_yaml(site.base_url), encoding="utf-8")
    article_paths = {page["path"] for page in expected(site.base_url)["pages"]}

    def article_requests() -> int:
        return sum(1 for _, path, _ in site.request_log if path in article_paths)

    # 1. fetching: bodies archived, no fetch log row written for them yet
    def slow_articles(path: str, body: bytes) -> bytes:
        if path in article_paths:
            time.sleep(SLOW_PAGE_SECONDS)
        return body

    site.transform = slow_articles
    served_before = article_requests()
    Run.start(sites_file, home, "fetching").kill_when(
        lambda: article_requests() >= served_before + 3, "fetching its third article"
    )
    site.transform = None

    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        # 2. extraction: the fetch log is loaded (the next run's conditional requests all get 304s), the day's
        # pages not yet extracted or not yet stored
        events = RunEvents(instance)
        Run.start(sites_file, home, "extraction").kill_when(
            lambda: events.materialized("raw/fetch_log"), "the fetch log loaded"
        )
        # 3. loading the raw tables
        events = RunEvents(instance)
        Run.start(sites_file, home, "loading").kill_when(lambda: events.step_started("raw_tables"), "loading")
        # 4. the dbt build, once it has built a mart and before it has built them all
        events = RunEvents(instance)
        Run.start(sites_file, home, "dbt").kill_when(
            lambda: events.materialized("marts/"), "dbt's first mart"
        )
        # 5. publishing: a month's part written, the catalog over the parts not yet renamed over the published one
        Run.start(sites_file, home, "publishing").kill_when(
            lambda: any(home.glob("published.parts/*/*.parquet")), "publishing's first part written"
        )
        output = Run.start(sites_file, home, "rerun").finish()

        assert "step failed" not in output and "FAILED" not in output, output
        assert _marts(home) == _marts(uninterrupted["home"])
        assert _loaded_rows(home) == _loaded_rows(uninterrupted["home"])
        assert not list(home.glob(".published-*")), "publishing's half-made copy was left behind"
        with duckdb.connect(str(home / "published.duckdb"), read_only=True) as conn:
            listed = {name for (name,) in conn.sql("select file_name from published_parts").fetchall()}
        on_disk = {f"{p.parent.name}/{p.name}" for p in (home / "published.parts").glob("*/*.parquet")}
        assert on_disk == listed, "the killed publish's parts were left behind"
        # every killed run is recorded as failed, and none holds a slot of the pool
        statuses = [record.dagster_run.status for record in instance.get_run_records()]
        assert statuses.count(dg.DagsterRunStatus.FAILURE) == 5 and statuses[0] == dg.DagsterRunStatus.SUCCESS
        assert instance.event_log_storage.get_concurrency_info("duckdb").claimed_slots == []


def _edited(site: SampleSite, edits: dict[str, str]) -> Transform:
    """The site with each page of `edits` rewritten that day: its first paragraph and every photo caption (the
    article's and its related cards') open with the page's note, so the page is a new revision whose images
    and links changed too."""
    pages = {page["path"]: page for page in expected(site.base_url)["pages"]}

    def transform(path: str, body: bytes) -> bytes:
        if path not in edits:
            return body
        page, note = pages[path], edits[path]
        first = page["body_paragraphs"][0].encode(page["encoding"])
        assert first in body, f"{path}: its first paragraph is not in the page as printed"
        body = body.replace(first, f"{note} ".encode(page["encoding"]) + first)
        return body.replace(b"<figcaption>", f"<figcaption>{note} ".encode(page["encoding"]))

    return transform


def _article(home: Path, url: str) -> tuple[int, str] | None:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute("select revision, body_text from marts.articles where url = ?", [url]).fetchone()


@pytest.mark.timeout(3000)
def test_a_day_killed_before_or_during_its_build_reaches_the_marts_with_the_next_days_run(
    site: SampleSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    home = tmp_path / "home"
    home.mkdir()
    sites_file = home / "sites.yaml"
    # every page is asked for again each day (a 304 unless it changed), as a daily schedule does
    sites_file.write_text(sites_yaml(site.base_url) + "    revisit_after_days: 0\n", encoding="utf-8")
    # the two pages whose killed day is tested have photos and related cards, so all three marts change
    killed_before_build = "/world/asia/4686136-kim-jong-un-russia"
    killed_during_build = "/world/4697310-brics-india-china-tensions"
    edits: dict[str, str] = {}

    def edit(path: str, note: str) -> None:
        edits[path] = note
        site.transform = _edited(site, dict(edits))

    def assert_caught_up(path: str, note: str) -> None:
        """The killed day's revision of `path` is in the marts, its photos' captions too, and the marts equal a
        full rebuild row for row."""
        revision, body = _article(home, site.url(path))
        assert revision == 2 and body.startswith(note), (revision, body[:80])
        built = built_marts(home / "warehouse.duckdb")
        article_id = built["articles"].filter(pl.col("url") == site.url(path)).get_column("article_id")
        captions = (
            built["images"].filter(pl.col("article_id").is_in(article_id.implode())).get_column("caption")
        )
        assert captions.len() and all(caption.startswith(note) for caption in captions), captions.to_list()
        assert_marts_equal(
            built, full_refresh_of(home / "warehouse.duckdb", tmp_path, monkeypatch), ARTICLE_MARTS
        )

    try:
        Run.start(sites_file, home, "day-0", "2024-10-28").finish()
        with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
            # day 1 loads a new revision and dies as its dbt step starts: the marts never saw that revision
            edit(killed_before_build, "تحديث أول")
            events = RunEvents(instance)
            Run.start(sites_file, home, "day-1-killed", "2024-10-29").kill_when(
                lambda: events.step_started("news_dbt_models"), "its dbt step"
            )
            assert _article(home, site.url(killed_before_build))[0] == 1
            # day 2 runs normally, and loads a change of its own
            edit("/world/asia/4700412-japan-ishiba-stays", "تحديث ثان")
            Run.start(sites_file, home, "day-2", "2024-10-30").finish()
            assert_caught_up(killed_before_build, "تحديث أول")

            # day 3 loads a new revision and dies once dbt has built its first mart
            edit(killed_during_build, "تحديث ثالث")
            events = RunEvents(instance)
            Run.start(sites_file, home, "day-3-killed", "2024-10-31").kill_when(
                lambda: events.materialized("marts/"), "dbt's first mart"
            )
            edit("/economy/4696155-oil-prices-rise", "تحديث رابع")
            Run.start(sites_file, home, "day-4", "2024-11-01").finish()
            assert_caught_up(killed_during_build, "تحديث ثالث")
    finally:
        site.transform = None
