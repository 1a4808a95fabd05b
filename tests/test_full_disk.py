"""A full disk: one line, nothing half-written, the published state intact.

The real test fills a small tmpfs (needs root, as `make test` runs here; skipped with the
reason otherwise) at several levels so that the disk runs out at different points of an
ingest and of a repair. The fast tests beside it inject ENOSPC at the OS boundary.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import cli
from kg.errors import DiskFullError
from kg.stores import generations as gens
from kg.stores.files import atomic_write
from tests.conftest import CORPUS
from tests.test_crash_and_concurrency import TEMPLATE, TOPICS

FREE_KB = (0, 48, 160, 400, 900, 1600)


def _kg(home: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home), *args], input=input)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path, free_kb: int) -> Path:
    """Leave about ``free_kb`` KiB free on ``mount``."""
    filler = mount / "filler"
    stat = os.statvfs(mount)
    room = stat.f_bavail * stat.f_frsize - free_kb * 1024
    with open(filler, "wb") as handle:
        block = b"\0" * (1 << 20)
        while room > 0:
            try:
                room -= handle.write(block[: min(len(block), room)])
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    return filler


def _answer(home: Path) -> str:
    result = _kg(home, "ask", "--json", "Who set up the GP PSU Steering Group?")
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_leaves_the_published_state_intact(
    small_disk: Path, tmp_path: Path
) -> None:
    pristine = tmp_path / "pristine"
    assert _kg(pristine, "ingest", str(CORPUS)).exit_code == 0
    expected = _answer(pristine)
    extra = tmp_path / "extra"
    shutil.copytree(CORPUS, extra)
    for title, officer, amount, month in TOPICS:
        text = TEMPLATE.format(title=title, officer=officer, amount=amount, month=month)
        (extra / f"{title.lower().replace(' ', '-')}.txt").write_text(text, encoding="utf-8")

    failures = 0
    for free_kb in FREE_KB:
        home = small_disk / "home"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(pristine, home)
        filler = _fill(small_disk, free_kb)
        full = _kg(home, "ingest", str(extra))
        if full.exit_code != 0:
            failures += 1
            assert full.exception is None or isinstance(full.exception, SystemExit)
            lines = [line for line in full.stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and "no space left on device" in lines[0], full.stderr
            repair = _kg(home, "check", "--repair")
            if repair.exit_code != 0:
                assert "no space left on device" in repair.stderr, repair.output
        filler.unlink()
        assert not list((home / "generations").glob(".staging-*"))
        assert not list((home / "texts").glob(".*.tmp"))
        assert _answer(home) == expected or full.exit_code == 0
        assert _kg(home, "ingest", str(extra)).exit_code == 0
        check = _kg(home, "check")
        assert check.exit_code == 0, check.output
        assert len(_kg(home, "docs", "--json").stdout) > 100
    assert failures >= 3  # the disk really ran out at several points


def test_atomic_write_on_a_full_disk_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b"old")

    def no_space(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(DiskFullError, match="no space left on device while writing"):
        atomic_write(path, b"new", durable=True)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_publish_on_a_full_disk_leaves_the_previous_generation(tmp_path: Path) -> None:
    def fill(folder: Path) -> None:
        (folder / "part").write_bytes(b"x")
        raise OSError(errno.ENOSPC, "No space left on device")

    first = gens.publish(tmp_path, lambda folder: (folder / "part").write_bytes(b"1"), {}, {})
    with pytest.raises(DiskFullError):
        gens.publish(tmp_path, fill, {}, {})
    assert gens.newest(tmp_path) == first
    assert sorted(p.name for p in gens.folder(tmp_path).iterdir()) == [str(first)]
    opened = gens.open_newest(tmp_path)
    assert gens.verify_sizes(opened.folder, opened.manifest) == []
    opened.lease.release()
