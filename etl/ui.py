"""The Dagster UI of a home: `make ui` starts it, tests and `make ui-screenshot` look at it."""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import NoReturn

import dagster as dg
from websockets.sync.client import ClientConnection, connect

from etl.defs.partitions import FIRST_DAY_VARIABLE, first_day
from etl.lib.home import Home
from etl.lib.sites import SitesFileError, load_sites

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = (
    # as root in a sandboxed container, with a closed network: no sandbox, no background traffic
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def serve(home_dir: Path, sites_file: Path, port: int, host: str = "127.0.0.1") -> NoReturn:
    """Replace this process with `dagster dev` on the home's instance, its warehouse and its sites file.

    Everything `dagster dev` and its code server, daemon and run workers need comes from this environment,
    never from PATH: the interpreter is this one, and dbt the one beside it (etl/defs/transform/project.py).
    """
    activate_ui_home(home_dir, sites_file)
    os.chdir(REPO)  # workspace.yaml and the `etl` package are found from the repository root
    command = [sys.executable, "-m", "dagster", "dev", "-w", "workspace.yaml", "-h", host, "-p", str(port)]
    os.execv(sys.executable, command)


def activate_ui_home(home_dir: Path, sites_file: Path) -> None:
    """Point the resources and Dagster's instance at the home, and the partitions at the home's first day."""
    sites = load_sites(sites_file)
    home = Home(home_dir)
    home.activate(sites_file)
    with dg.DagsterInstance.get() as instance:
        os.environ[FIRST_DAY_VARIABLE] = first_day(sites, instance, date.today()).isoformat()


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


def screenshot(url: str, out: Path, *, settle_seconds: float = 20.0) -> Path:
    """A PNG of `url` taken by Debian's headless Chromium, driven over the DevTools protocol.

    The protocol lets the page finish rendering the graph and dismisses the UI's first-visit dialog, which a
    plain `--screenshot` would capture instead of the lineage.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    with chromium_page() as devtools:
        devtools.call("Page.navigate", url=url)
        time.sleep(settle_seconds)
        devtools.call("Runtime.evaluate", expression=_DISMISS_DIALOG)
        time.sleep(2)
        png = devtools.call("Page.captureScreenshot", format="png")["data"]
    out.write_bytes(base64.b64decode(png))
    return out


def rendered_text(url: str, expected: Sequence[str], *, timeout: float = 180.0) -> str:
    """The text Chromium renders at `url`, once it holds every `expected` string or `timeout` has passed.

    The UI draws its graph after several GraphQL round trips, so the page is read again until it is there.
    """
    with chromium_page() as devtools:
        devtools.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while True:
            result = devtools.call(
                "Runtime.evaluate", expression="document.body.innerText", returnByValue=True
            )
            text = result.get("result", {}).get("value") or ""
            if all(item in text for item in expected) or time.monotonic() > deadline:
                return text
            time.sleep(1)


@contextmanager
def chromium_page() -> Iterator[_DevTools]:
    """A blank page of Debian's headless Chromium with a fresh profile, driven over the DevTools protocol."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise RuntimeError("chromium is not installed (Debian package `chromium`; `make test` installs it)")
    # Chromium child processes may still write to the profile as it exits: its leftovers are no failure
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        browser = subprocess.Popen(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=1600,1000",
                "--remote-debugging-port=0",  # Chromium picks a free port and writes it to the profile
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port = _devtools_port(Path(profile), browser)
            with connect(_page_socket(port), max_size=None) as page:
                yield _DevTools(page)
        finally:
            browser.terminate()
            browser.wait(timeout=20)


# the first-visit "Join the Dagster community" dialog: press its Skip button
_DISMISS_DIALOG = (
    "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Skip')?.click()"
)


def _devtools_port(profile: Path, browser: subprocess.Popen, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    active_port = profile / "DevToolsActivePort"
    while True:
        with suppress(FileNotFoundError, ValueError, IndexError):
            return int(active_port.read_text().splitlines()[0])
        if browser.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"chromium did not open its DevTools port (exit status {browser.poll()})")
        time.sleep(0.3)


def _page_socket(port: int, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as response:
                targets = [t for t in json.load(response) if t.get("type") == "page"]
            if targets:
                return targets[0]["webSocketDebuggerUrl"]
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"chromium's DevTools did not answer on port {port}")
        time.sleep(0.3)


class _DevTools:
    """Minimal Chrome DevTools Protocol client: one command at a time, events ignored."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._next_id = 0

    def call(self, method: str, **params: object) -> dict:
        self._next_id += 1
        self._socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv(timeout=60))
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="The Dagster UI of a home: serve it, or screenshot its lineage."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("serve", "`dagster dev` on the home (what `make ui` runs)"),
        ("screenshot", "a PNG of the lineage page"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--home", type=Path, default=Path("data"))
        command.add_argument(
            "--sites", type=Path, help="the sites file (default: the home's demo-sites.yaml)"
        )
    commands.choices["serve"].add_argument("--port", type=int, default=3000)
    commands.choices["screenshot"].add_argument("--out", type=Path, default=Path("docs/lineage.png"))
    args = parser.parse_args(argv)
    sites_file = args.sites or args.home / "demo-sites.yaml"
    try:
        load_sites(sites_file)
    except SitesFileError as error:
        print(f"ui: {error} (`make run` writes the demo's)", file=sys.stderr)
        return 2
    if args.command == "serve":
        serve(args.home, sites_file, args.port)
    port = free_port()
    launcher = [sys.executable, "-m", "etl.ui", "serve", "--home", str(args.home), "--sites", str(sites_file)]
    with running_ui([*launcher, "--port", str(port)], f"http://127.0.0.1:{port}") as base_url:
        path = screenshot(lineage_url(base_url), args.out)
    print(f"ui: lineage screenshot at {path}")
    return 0


def lineage_url(base_url: str) -> str:
    """The upstream lineage of the related-links mart: every stage from discovery to the mart, expanded."""
    return f"{base_url}/assets/marts/related_links?view=lineage&lineageScope=upstream&lineageDepth=12"


if __name__ == "__main__":
    sys.exit(main())
