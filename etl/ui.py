"""The Dagster UI on loopback, for tests and for a screenshot of the lineage (`make ui-screenshot`)."""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from websockets.sync.client import ClientConnection, connect

from etl.lib.home import Home

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_webserver(home_dir: Path, sites_file: Path, timeout: float = 180.0) -> Iterator[str]:
    """`dagster-webserver -w workspace.yaml` on a free loopback port; yields its base URL."""
    home = Home(home_dir)
    home.activate(sites_file)
    port = _free_port()
    webserver = Path(sys.executable).with_name("dagster-webserver")
    process = subprocess.Popen(
        [str(webserver), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/server_info", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dagster-webserver did not start on {base_url}") from None
                time.sleep(0.5)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def screenshot(url: str, out: Path, *, settle_seconds: float = 20.0) -> Path:
    """A PNG of `url` taken by Debian's headless Chromium, driven over the DevTools protocol.

    The protocol lets the page finish rendering the graph and dismisses the UI's first-visit dialog, which a
    plain `--screenshot` would capture instead of the lineage.
    """
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise RuntimeError(
            "chromium is not installed (Debian package `chromium`; `make ui-screenshot` installs it)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    with tempfile.TemporaryDirectory() as profile:
        browser = subprocess.Popen(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=1600,1000",
                f"--remote-debugging-port={port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with connect(_page_socket(port), max_size=None) as page:
                devtools = _DevTools(page)
                devtools.call("Page.navigate", url=url)
                time.sleep(settle_seconds)
                devtools.call("Runtime.evaluate", expression=_DISMISS_DIALOG)
                time.sleep(2)
                png = devtools.call("Page.captureScreenshot", format="png")["data"]
            out.write_bytes(base64.b64decode(png))
        finally:
            browser.terminate()
            browser.wait(timeout=20)
    return out


# the first-visit "Join the Dagster community" dialog: press its Skip button
_DISMISS_DIALOG = (
    "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Skip')?.click()"
)


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


def main() -> int:
    parser = argparse.ArgumentParser(description="Screenshot the asset lineage in the Dagster UI.")
    parser.add_argument("--home", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, default=Path("docs/lineage.png"))
    args = parser.parse_args()
    sites_file = args.home / "demo-sites.yaml"
    if not sites_file.exists():
        print(f"ui: no {sites_file}: run `make run` first", file=sys.stderr)
        return 2
    with running_webserver(args.home, sites_file) as base_url:
        # the upstream lineage of the related-links mart: every stage from discovery to the mart, expanded
        lineage = f"{base_url}/assets/marts/related_links?view=lineage&lineageScope=upstream&lineageDepth=12"
        path = screenshot(lineage, args.out)
    print(f"ui: lineage screenshot at {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
