"""A home the operator cannot write to, on a read-only mount or a full disk, is one line and exit status 2.

Each case mounts a real filesystem (a read-only tmpfs, a 256 KB tmpfs) in a mount namespace of its own
(`unshare -rm`), so no privilege is needed and nothing outside the test sees it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, akhbar_env

_NAMESPACES = shutil.which("unshare") is not None and (
    subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False).returncode == 0
)


@pytest.mark.skipif(not _NAMESPACES, reason="needs unprivileged user and mount namespaces (unshare -rm)")
@pytest.mark.parametrize(
    ("mount_options", "message"),
    [("ro,size=64k", "Read-only file system"), ("size=256k", "disk nearly full")],
    ids=["read-only", "full"],
)
def test_an_unwritable_home_is_one_line_and_exit_status_2(tmp_path: Path, mount_options, message):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    sites = tmp_path / "sites.yaml"
    sites.write_text("sites: [{name: a, urls: ['https://example.org/a']}]\n", encoding="utf-8")
    script = (
        f"mount -t tmpfs -o {mount_options} tmpfs {mount_point} && exec {sys.executable} -m etl.cli run "
        f"--sites {sites} --date 2024-10-28 --home {mount_point}/home"
    )
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=akhbar_env(),
        timeout=300,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr and f"{mount_point}/home" in result.stderr
