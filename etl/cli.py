"""`akhbar`: run the pipeline for a day, backfill days from the archive, show status, or run the demo."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from etl.lib.run_lock import HomeBusyError
from etl.lib.sites import SitesFileError, load_sites

if TYPE_CHECKING:
    import dagster as dg

    from etl.lib.home import Home
    from etl.runner import RunOutcome

# (asset, metadata key, label) of the per-stage summary
SUMMARY = (
    ("raw/discovered_urls", "discovered", "discovered"),
    ("raw/discovered_urls", "source_errors", "discovery errors"),
    ("raw/fetch_log", "fetched", "fetched"),
    ("raw/fetch_log", "not_modified", "not modified"),
    ("raw/fetch_log", "failed", "failed"),
    ("work/extracted", "extracted", "extracted"),
    ("work/validated", "quarantined_rows", "quarantined"),
    ("work/validated", "field_issues", "field issues"),
    ("raw/articles", "dagster/row_count", "loaded articles"),
    ("raw/images", "dagster/row_count", "loaded images"),
    ("raw/related_links", "dagster/row_count", "loaded related links"),
    ("published", "marts.articles", "marts.articles rows"),
    ("published", "marts.images", "marts.images rows"),
    ("published", "marts.related_links", "marts.related_links rows"),
)


class UsageError(Exception):
    """A bad argument or config: printed as one line, exit status 2."""


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="akhbar", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument("--home", type=Path, default=Path("data"), help="data folder (default ./data)")
        command.add_argument("--executor", choices=("in_process", "multiprocess"), default="in_process")
        command.add_argument(
            "--verbose", action="store_true", help="Dagster's full event log on the terminal"
        )

    run = commands.add_parser("run", help="materialize one daily partition of the whole graph")
    run.add_argument("--sites", type=Path, required=True, help="the sites file (YAML)")
    run.add_argument("--date", type=_day, default=date.today().isoformat(), help="the partition, YYYY-MM-DD")
    run.add_argument(
        "--from-archive", action="store_true", help="re-extract from the raw archive, fetch nothing"
    )
    common(run)

    backfill = commands.add_parser("backfill", help="re-run past days from the raw archive (no HTTP request)")
    backfill.add_argument("--sites", type=Path, required=True)
    backfill.add_argument("--from", dest="start", type=_day, required=True)
    backfill.add_argument("--to", dest="end", type=_day, required=True)
    backfill.add_argument("--refetch", action="store_true", help="fetch again instead of reading the archive")
    common(backfill)

    status = commands.add_parser("status", help="last runs, failures by reason, freshness of the marts")
    status.add_argument("--home", type=Path, default=Path("data"))

    sql = commands.add_parser(
        "sql", help="query the published copy read-only (search loaded); a prompt when no query is given"
    )
    sql.add_argument("query", nargs="?", help="SQL to run (default: read standard input, or a prompt)")
    sql.add_argument("--file", "-f", type=Path, help="a file of SQL to run")
    sql.add_argument("--home", type=Path, default=Path("data"))

    demo = commands.add_parser("demo", help="serve the bundled sample site on loopback and run the pipeline")
    demo.add_argument("--date", type=_day, default=date.today().isoformat())
    # a fixed port keeps the sample site's URLs, and so its article ids, the same from one demo to the next
    demo.add_argument("--port", type=int, default=8642, help="loopback port for the sample site (0: any)")
    common(demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(
                args.sites,
                args.home,
                [args.date],
                from_archive=args.from_archive,
                executor=args.executor,
                verbose=args.verbose,
            )
        if args.command == "backfill":
            days = _days(args.start, args.end)
            return _run(
                args.sites,
                args.home,
                days,
                from_archive=not args.refetch,
                executor=args.executor,
                verbose=args.verbose,
            )
        if args.command == "status":
            from etl.status import print_status

            return print_status(args.home)
        if args.command == "sql":
            from etl.sql_shell import run_sql

            return run_sql(args.home, args.query, args.file)
        if args.command == "demo":
            return _demo(args.home, args.date, args.port, args.executor, args.verbose)
    except (SitesFileError, UsageError, HomeBusyError) as error:
        print(f"akhbar: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        # a read-only or full disk, a missing folder: the operator's to fix, and a traceback would hide it
        where = f"{error.filename}: " if error.filename else ""
        print(f"akhbar: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    return 2


def _days(start: str, end: str) -> list[str]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if last < first:
        raise UsageError(f"--to {end} is before --from {start}")
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _run(
    sites_file: Path,
    home_dir: Path,
    days: list[str],
    *,
    from_archive: bool,
    executor: str,
    verbose: bool = False,
) -> int:
    import dagster as dg

    from etl.lib.home import Home
    from etl.lib.run_lock import hold_run_lock
    from etl.runner import run_partition

    load_sites(sites_file)  # a bad sites file stops here with one line, before Dagster starts
    home = Home(home_dir)
    home.prepare()
    failed = []
    # one run per home at a time: a second one exits at once (HomeBusyError) rather than queue on the pool's slot
    with hold_run_lock(home.run_lock), dg.DagsterInstance.from_config(str(home.dagster)) as instance:
        _recover_abandoned_runs(instance)
        for day in days:
            print(f"akhbar: running {day}{' from the archive' if from_archive else ''} ...", flush=True)
            outcome = run_partition(
                day,
                home,
                sites_file,
                instance,
                from_archive=from_archive,
                executor=executor,
                verbose=verbose,
            )
            _print_summary(day, outcome)
            if not outcome.success:
                failed.append(f"{day}: {outcome.failed_steps[0] if outcome.failed_steps else 'failed'}")
    _print_where(home)
    for line in failed:
        print(f"akhbar: {line}", file=sys.stderr)
    return 1 if failed else 0


def _recover_abandoned_runs(instance: dg.DagsterInstance) -> None:
    """Mark failed the runs of this home that a killed process left unfinished, and free their pool slots."""
    from etl.recovery import PoolHeldByLiveRunError, recover_abandoned_runs

    try:
        abandoned = recover_abandoned_runs(instance)
    except PoolHeldByLiveRunError as error:
        raise UsageError(str(error)) from None
    for run in abandoned:
        print(
            f"akhbar: run {run.run_id} ({run.partition}) was left unfinished by process {run.pid}, now gone: "
            "marked failed, its pool slot freed",
            flush=True,
        )


def _print_summary(day: str, outcome: RunOutcome) -> None:
    print(f"\n{day}: run {outcome.run_id} {'succeeded' if outcome.success else 'FAILED'}")
    for asset, key, label in SUMMARY:
        value = outcome.metadata.get(asset, {}).get(key)
        if value is not None:
            print(f"  {label:<24} {value}")
    for name, passed in outcome.checks:
        if not passed:
            print(f"  check failed: {name}")
    for failure in outcome.failed_steps:
        print(f"  step failed: {failure}")


def _print_where(home: Home) -> None:
    # the `akhbar` of this environment, which a fresh machine has (the PyPI duckdb package has no `duckdb`)
    akhbar = Path(sys.executable).with_name("akhbar")
    command = _shell_path(akhbar) if akhbar.exists() else "akhbar"
    print(
        f"\nwarehouse: {home.warehouse}\npublished (read-only, for analysts): {home.published}\n"
        f'query it:  {command} sql --home {_shell_path(home.root)} "select title, published_at from marts.articles"\n'
        f"search it: {command} sql --home {_shell_path(home.root)} \"select * from search.match('words')\""
    )


def _shell_path(path: Path) -> str:
    """`path` relative to the working folder when it is inside it, as an operator would type it."""
    resolved = path.absolute()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)


def _demo(home_dir: Path, day: str, port: int, executor: str, verbose: bool) -> int:
    from demo.server import serve_sample_site, sites_yaml

    home_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        try:
            site = stack.enter_context(serve_sample_site(port=port))
        except OSError as error:
            raise UsageError(
                f"cannot serve the sample site on 127.0.0.1:{port}: {error.strerror} (try --port 0)"
            ) from None
        sites_file = home_dir / "demo-sites.yaml"
        sites_file.write_text(sites_yaml(site.base_url), encoding="utf-8")
        print(f"akhbar: serving the sample site at {site.base_url}", flush=True)
        return _run(sites_file, home_dir, [day], from_archive=False, executor=executor, verbose=verbose)


if __name__ == "__main__":
    sys.exit(main())
