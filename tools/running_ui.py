"""A `dagster dev` launcher run as a child process for as long as a check of its UI needs it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_ui(
    command: Sequence[str],
    base_url: str,
    *,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 900.0,
) -> Iterator[str]:
    """Start `command` (a `dagster dev` launcher), wait until its code location has loaded, yield `base_url`.

    The launcher and everything it starts share a new process group, stopped as a whole on exit: `dagster
    dev` runs the webserver, the daemon and a code server as children of its own. Their output goes to `log`.
    """
    with ExitStack() as stack:
        output = stack.enter_context(log.open("w")) if log else subprocess.DEVNULL
        process = subprocess.Popen(
            list(command), cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        stack.callback(_stop_group, process)
        try:
            _wait_for_code_location(base_url, process, time.monotonic() + timeout)
        except RuntimeError as error:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log else ""
            raise RuntimeError(f"{error}\n{tail}") from None
        yield base_url


def graphql(base_url: str, query: str) -> dict:
    """The `data` of a query to the webserver's GraphQL API."""
    request = urllib.request.Request(
        f"{base_url}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["data"]


_LOCATIONS = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""


def _wait_for_code_location(base_url: str, process: subprocess.Popen, deadline: float) -> None:
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"the UI launcher exited with status {process.returncode} before {base_url} served"
            )
        try:
            entries = graphql(base_url, _LOCATIONS)["workspaceOrError"]["locationEntries"]
        except OSError:
            entries = []
        for entry in entries:
            loaded = entry["locationOrLoadError"] or {}
            if loaded.get("__typename") == "PythonError":
                raise RuntimeError(f"code location {entry['name']} failed to load: {loaded['message']}")
        if entries and all(entry["loadStatus"] == "LOADED" for entry in entries):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the UI at {base_url} did not load its code location in time")
        time.sleep(1)


def _stop_group(process: subprocess.Popen) -> None:
    # SIGINT first: `dagster dev` then stops its webserver, daemon and code server itself
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)  # a member of the group is still shutting down
        except ProcessLookupError:
            return
        time.sleep(0.5)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def lineage_url(base_url: str) -> str:
    """The upstream lineage of the related-links mart: every stage from discovery to the mart, expanded."""
    return f"{base_url}/assets/marts/related_links?view=lineage&lineageScope=upstream&lineageDepth=12"
