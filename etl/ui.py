"""The Dagster UI of a home: `make ui` runs `python -m etl.ui serve`, which becomes `dagster dev` on the home."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

import dagster as dg

from etl.defs.partitions import FIRST_DAY_VARIABLE, first_day
from etl.defs.resources import home_environment
from etl.lib.home import Home
from etl.lib.sites import SitesFileError, load_sites

REPO = Path(__file__).resolve().parents[1]


def serve(home_dir: Path, sites_file: Path, port: int, host: str = "127.0.0.1") -> NoReturn:
    """Replace this process with `dagster dev` on the home's instance, its warehouse and its sites file.

    Everything `dagster dev` and its code server, daemon and run workers need comes from the environment this
    process hands them, never from PATH: the interpreter is this one, and dbt the one beside it
    (etl/defs/transform/project.py).
    """
    environment = ui_environment(home_dir, sites_file, dict(os.environ))
    command = [sys.executable, "-m", "dagster", "dev", "-w", "workspace.yaml", "-h", host, "-p", str(port)]
    os.chdir(REPO)  # workspace.yaml and the `etl` package are found from the repository root
    os.execve(sys.executable, command, environment)


def ui_environment(home_dir: Path, sites_file: Path, inherited: dict[str, str]) -> dict[str, str]:
    """The environment of `dagster dev` on a home: `inherited` with the resources and Dagster's instance pointed
    at the home, and the partitions beginning at the home's first day (etl/defs/partitions.py)."""
    sites = load_sites(sites_file)
    home = Home(home_dir)
    home.prepare()
    with dg.DagsterInstance.from_config(str(home.dagster)) as instance:
        start = first_day(sites, instance, date.today())
    return {**inherited, **home_environment(home, sites_file), FIRST_DAY_VARIABLE: start.isoformat()}


def add_home_arguments(command: argparse.ArgumentParser) -> None:
    """`--home` and `--sites`, as every command on a home's UI takes them."""
    command.add_argument("--home", type=Path, default=Path("data"))
    command.add_argument("--sites", type=Path, help="the sites file (default: the home's demo-sites.yaml)")


def readable_sites_file(args: argparse.Namespace, program: str) -> Path | None:
    """The sites file the arguments name, or None once a one-line reason is printed."""
    sites_file = args.sites or args.home / "demo-sites.yaml"
    try:
        load_sites(sites_file)
    except SitesFileError as error:
        print(f"{program}: {error} (`make run` writes the demo's)", file=sys.stderr)
        return None
    return sites_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The Dagster UI of a home.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("serve", help="`dagster dev` on the home (what `make ui` runs)")
    add_home_arguments(command)
    command.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    sites_file = readable_sites_file(args, "ui")
    if sites_file is None:
        return 2
    serve(args.home, sites_file, args.port)


if __name__ == "__main__":
    sys.exit(main())
