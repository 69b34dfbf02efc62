"""Data Docs that open anywhere: Great Expectations' validation results rendered into one self-contained page.

GX's own site loads Bootstrap, jQuery and its fonts from CDNs, so offline it renders as an empty index, and
its links to expectation pages do not resolve. This page has its style inline, no script and no address
outside itself: each suite of `expectations/suites` is a row of the index linking to its section below, and
each section lists the suite's latest runs with every expectation, its column, whether it passed and what was
observed. It is written from the results GX stores as JSON (`<docs>/.results`), beside them.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RUNS_PER_SUITE = 10

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; } h3 { font-size: 1em; margin-bottom: .3em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; }
th, td { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.passed { color: #17622b; font-weight: 600; } .failed { color: #a4161a; font-weight: 600; }
.muted { color: #666; }
"""


@dataclass(frozen=True)
class SuiteRun:
    suite: str
    run_id: str
    run_time: str
    success: bool
    statistics: dict[str, Any]
    results: list[dict[str, Any]]


def read_runs(results_dir: Path) -> list[SuiteRun]:
    """Every validation result GX stored under `results_dir`, newest first; unreadable files are skipped."""
    runs = []
    for path in sorted(results_dir.rglob("*.json")) if results_dir.is_dir() else []:
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
            run = result["meta"]["run_id"]
            runs.append(
                SuiteRun(
                    suite=result["suite_name"],
                    run_id=run["run_name"],
                    run_time=run["run_time"],
                    success=bool(result["success"]),
                    statistics=result.get("statistics") or {},
                    results=result.get("results") or [],
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a half-written or foreign file must not cost the page
    return sorted(runs, key=lambda run: run.run_time, reverse=True)


def render_data_docs(suites: list[str], results_dir: Path, out: Path) -> Path:
    """Write `out` (an `index.html`) listing `suites` with their latest runs; returns `out`."""
    runs = read_runs(results_dir)
    by_suite = {suite: [run for run in runs if run.suite == suite] for suite in suites}
    index_rows = "".join(_index_row(suite, suite_runs) for suite, suite_runs in by_suite.items())
    sections = "".join(_suite_section(suite, suite_runs) for suite, suite_runs in by_suite.items())
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Akhbar data docs</title><style>{_STYLE}</style></head>
<body>
<h1>Data docs: Great Expectations suites</h1>
<p class="muted">Each batch of normalized rows is validated against these suites before it is loaded; rows that
fail a critical expectation go to the <code>quarantine</code> schema with the names of what they failed.</p>
<table id="suites"><thead><tr><th>suite</th><th>expectations checked</th><th>last run</th><th>result</th>
<th>runs kept</th></tr></thead><tbody>{index_rows}</tbody></table>
{sections}
</body></html>
"""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".html.partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(out)  # a reader never opens half a page
    return out


def _status(success: bool) -> str:
    return '<span class="passed">passed</span>' if success else '<span class="failed">failed</span>'


def _index_row(suite: str, runs: list[SuiteRun]) -> str:
    link = f'<a href="#suite-{html.escape(suite)}">{html.escape(suite)}</a>'
    if not runs:
        return f'<tr><td>{link}</td><td></td><td class="muted">not run yet</td><td></td><td>0</td></tr>'
    last = runs[0]
    return (
        f"<tr><td>{link}</td><td>{last.statistics.get('evaluated_expectations', '')}</td>"
        f"<td>{html.escape(last.run_time)}</td><td>{_status(last.success)}</td><td>{len(runs)}</td></tr>"
    )


def _suite_section(suite: str, runs: list[SuiteRun]) -> str:
    parts = [f'<h2 id="suite-{html.escape(suite)}">{html.escape(suite)}</h2>']
    if not runs:
        parts.append('<p class="muted">No batch has been validated against this suite yet.</p>')
    for run in runs[:RUNS_PER_SUITE]:
        rows = "".join(_expectation_row(result) for result in run.results)
        parts.append(
            f"<h3>{html.escape(run.run_time)} {_status(run.success)} "
            f'<span class="muted">run {html.escape(run.run_id)}</span></h3>'
            "<table><thead><tr><th>expectation</th><th>column</th><th>severity</th><th>result</th>"
            f"<th>observed</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    parts.append('<p><a href="#suites">back to the suites</a></p>')
    return "".join(parts)


def _expectation_row(result: dict[str, Any]) -> str:
    config = result.get("expectation_config") or {}
    kwargs = config.get("kwargs") or {}
    return (
        f"<tr><td>{html.escape(str(config.get('type', '')))}</td>"
        f"<td>{html.escape(str(kwargs.get('column', '')))}</td>"
        f"<td>{html.escape(str((config.get('meta') or {}).get('severity', config.get('severity', ''))))}</td>"
        f"<td>{_status(bool(result.get('success')))}</td>"
        f"<td>{html.escape(_observed(result.get('result') or {}))}</td></tr>"
    )


def _observed(result: dict[str, Any]) -> str:
    if "observed_value" in result:
        return f"observed {result['observed_value']}"
    if "unexpected_count" in result:
        count, share = result["unexpected_count"], result.get("unexpected_percent") or 0.0
        return f"{count} of {result.get('element_count', '?')} rows unexpected ({share:.1f}%)"
    return ""
