"""`akhbar sql`: the analysts' entry point, the published copy opened read-only with search ready.

A fresh machine has no `duckdb` command (the PyPI package is the Python library only), but it has `akhbar`.
This runs a query given as an argument, a file or standard input, or reads statements at a prompt; the copy
is opened through `connect_published`, so search (plain SQL macros over the published index) is ready.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from etl.lib.home import Home
from etl.lib.warehouse import connect_published

_PROMPT, _MORE = "akhbar> ", "   ...> "
_MAX_ROWS = 200


def run_sql(home_dir: Path, query: str | None, file: Path | None) -> int:
    """Run `query` (or the file's SQL, or standard input's) on the home's published copy; a prompt when none."""
    published = Home(home_dir).published
    if not published.exists():
        print(
            f"akhbar: no published copy in {home_dir} yet: run `akhbar run` or `akhbar demo` first",
            file=sys.stderr,
        )
        return 1
    if file is not None:
        query = file.read_text(encoding="utf-8")
    elif query is None and not sys.stdin.isatty():
        query = sys.stdin.read()
    with connect_published(published) as conn:
        if query is None:
            return _prompt(conn)
        return 0 if _run(conn, query) else 1


def _run(conn: duckdb.DuckDBPyConnection, sql: str) -> bool:
    """Run `sql` (one or more statements) and print the last one's rows; a failure is one line."""
    try:
        relation = conn.sql(sql)
    except duckdb.Error as error:
        print(f"akhbar: {str(error).splitlines()[0]}", file=sys.stderr)
        return False
    if relation is not None:
        relation.show(max_rows=_MAX_ROWS, max_width=200)
    return True


def _prompt(conn: duckdb.DuckDBPyConnection) -> int:
    import readline  # noqa: F401  (line editing and history for input())

    print("published copy, read-only; end statements with ';', quit with Ctrl-D")
    pending: list[str] = []
    while True:
        try:
            line = input(_MORE if pending else _PROMPT)
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print()
            pending.clear()
            continue
        pending.append(line)
        if line.rstrip().endswith(";"):
            _run(conn, "\n".join(pending))
            pending.clear()
