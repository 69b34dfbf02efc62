"""The Dagster UI on loopback, for tests and for a screenshot of the lineage (`make ui-screenshot`)."""

from __future__ import annotations

import argparse
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

from etl.runner import Home

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


def screenshot(url: str, out: Path, *, wait_ms: int = 15000) -> Path:
    """A PNG of `url` taken by Debian's headless Chromium."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise RuntimeError(
            "chromium is not installed (Debian package `chromium`; `make ui-screenshot` installs it)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=1600,1000",
                f"--virtual-time-budget={wait_ms}",
                f"--screenshot={out.resolve()}",
                url,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return out


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
        path = screenshot(f"{base_url}/asset-groups", args.out)
    print(f"ui: lineage screenshot at {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
