"""Debian's headless Chromium driven over the DevTools protocol: the lineage screenshot of a home's Dagster UI
(`python -m tools.browser screenshot`, what `make ui-screenshot` runs) and the rendered text tests read."""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from websockets.sync.client import ClientConnection, connect

from etl.ui import add_home_arguments, readable_sites_file
from tools.running_ui import free_port, lineage_url, running_ui

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
    parser = argparse.ArgumentParser(description="Headless Chromium on a home's Dagster UI.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("screenshot", help="a PNG of the lineage page")
    add_home_arguments(command)
    command.add_argument("--out", type=Path, default=Path("docs/lineage.png"))
    args = parser.parse_args(argv)
    sites_file = readable_sites_file(args, "browser")
    if sites_file is None:
        return 2
    port = free_port()
    launcher = [sys.executable, "-m", "etl.ui", "serve", "--home", str(args.home), "--sites", str(sites_file)]
    with running_ui([*launcher, "--port", str(port)], f"http://127.0.0.1:{port}") as base_url:
        path = screenshot(lineage_url(base_url), args.out)
    print(f"ui: lineage screenshot at {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
