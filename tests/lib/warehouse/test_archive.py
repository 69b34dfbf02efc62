import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from etl.lib.warehouse.archive import RawArchive


def test_put_get_roundtrip_is_content_addressed_and_compressed(tmp_path):
    archive = RawArchive(str(tmp_path))
    body = ("<p>خبر</p>" * 2000).encode()
    key = archive.put(body)
    assert key == hashlib.sha256(body).hexdigest()
    assert archive.get(key) == body
    assert key in archive
    stored = list(tmp_path.rglob("*.zst"))
    assert stored == [tmp_path / key[:2] / key[2:4] / f"{key}.zst"]
    assert stored[0].stat().st_size < len(body) / 10


def test_same_body_is_stored_once_even_from_concurrent_writers(tmp_path):
    archive = RawArchive(str(tmp_path))
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: archive.put(b"same page"), range(32)))
    assert len(keys) == 1
    assert [path.name for path in tmp_path.rglob("*") if path.is_file()] == [f"{keys.pop()}.zst"]


def test_archive_accepts_an_fsspec_url(tmp_path):
    archive = RawArchive(f"file://{tmp_path}")
    key = archive.put(b"x")
    assert (tmp_path / key[:2] / key[2:4] / f"{key}.zst").exists()


@pytest.mark.parametrize(
    "key",
    ["../../etc/passwd", "/etc/passwd", "a" * 63, "A" * 64, "g" * 64, "../" + "a" * 61, "a" * 64 + "/..", ""],
)
def test_keys_that_are_not_sha256_hex_cannot_reach_the_filesystem(tmp_path, key):
    archive = RawArchive(str(tmp_path / "archive"))
    with pytest.raises(ValueError, match="not an archive key"):
        archive.get(key)
    with pytest.raises(ValueError, match="not an archive key"):
        _ = key in archive
    assert not Path(tmp_path / "etc").exists()
