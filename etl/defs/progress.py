"""A terse terminal logger for `akhbar run`: one line when a stage starts, ends or fails, plus warnings."""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg

_META = "dagster_meta"
# `extra` key of an info record that the terse logger prints as the stage's one line (dbt's summary)
STAGE_SUMMARY = "akhbar_stage_summary"
TERSE_LOGGER = "progress"


def is_terse(run_config: dict) -> bool:
    """True for runs logged by the terse logger (`akhbar run` without `--verbose`): steps then keep the
    terminal to one line each, where a run from the UI keeps its full output in the compute logs."""
    return TERSE_LOGGER in (run_config.get("loggers") or {})


def step_failure_reason(event: dg.DagsterEvent) -> str:
    """The last line of a failed step's error: the one that says what went wrong."""
    error = event.step_failure_data.error if event.step_failure_data else None
    if not error or not error.message:
        return "failed"
    line = error.message.strip().splitlines()[-1]
    # "dagster._core.definitions.events.Failure: every source ...": the class says nothing to an operator
    qualified, _, rest = line.partition(": ")
    return rest if rest and qualified.endswith(error.cls_name) else line


def _follows_a_failure(meta: dict) -> bool:
    """Dagster's "Dependencies for step X failed ... Not executing." for every step after a failed one: the
    failure itself is already on the terminal."""
    return str(meta.get("orig_message", "")).startswith("Dependencies for step")


class _ProgressHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self._started: dict[str, float] = {}
        # the terminal as the run started: a step that silences a chatty tool's stdout still gets its lines out
        self._out = sys.stdout

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, _META, None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        if event is not None:
            line = self._event_line(event, step)
        elif record.levelno >= logging.WARNING and not _follows_a_failure(meta):
            line = f"    ! {step}: {meta.get('orig_message', record.getMessage())}"
        elif getattr(record, STAGE_SUMMARY, False):
            line = f"    {meta.get('orig_message', record.getMessage())}"
        else:
            line = None
        if line:
            print(line, file=self._out, flush=True)

    def _event_line(self, event: dg.DagsterEvent, step: str) -> str | None:
        kind = event.event_type_value
        if kind == "STEP_START":
            self._started[step] = time.monotonic()
            return f"  > {step}"
        if kind == "STEP_SUCCESS":
            took = time.monotonic() - self._started.get(step, time.monotonic())
            return f"  ok {step} ({took:.1f}s)"
        if kind == "STEP_FAILURE":
            return f"  FAILED {step}: {step_failure_reason(event)}"
        if kind == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed:
            return f"    ! check {event.event_specific_data.check_name} failed"
        return None


@dg.logger(description="One line per stage start, end and failure, and the warnings assets log.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("akhbar.progress")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.handlers = [_ProgressHandler()]
    return logger


@dg.definitions
def loggers() -> dg.Definitions:
    return dg.Definitions(loggers={"console": dg.colored_console_logger, TERSE_LOGGER: progress_logger})
