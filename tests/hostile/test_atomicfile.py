"""Atomic replacement (landingzone.atomicfile): mode kept, symlink target replaced, previous version in .bak, and a
process killed at any moment leaves the old file or the new one, complete, never a truncated one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from landingzone.atomicfile import FileWriteError, atomic_write_text, backup_path
from landingzone.errors import LandingZoneError

REPO = Path(__file__).resolve().parents[2]


def test_replaces_keeps_mode_and_backup(tmp_path: Path) -> None:
    path = tmp_path / "landingzone.yaml"
    path.write_text("old\n")
    path.chmod(0o640)
    atomic_write_text(path, "new\n")
    assert path.read_text() == "new\n"
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert (tmp_path / "landingzone.yaml.bak").read_text() == "old\n"
    assert backup_path(path) == tmp_path / "landingzone.yaml.bak"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landingzone.yaml", "landingzone.yaml.bak"]


def test_new_file_follows_the_umask_and_has_no_backup(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "new.yaml", "x\n")
    finally:
        os.umask(old)
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    assert not (tmp_path / "new.yaml.bak").exists()


def test_symlink_target_is_replaced_and_link_kept(tmp_path: Path) -> None:
    real_dir = tmp_path / "repo"
    real_dir.mkdir()
    target = real_dir / "lz.yaml"
    target.write_text("old\n")
    link = tmp_path / "landingzone.yaml"
    link.symlink_to(target)
    written = atomic_write_text(link, "new\n")
    assert written == target.resolve()
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new\n"
    assert (real_dir / "lz.yaml.bak").read_text() == "old\n"


def test_refuses_to_replace_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "lz.yaml"
    os.mkfifo(fifo)
    with pytest.raises(LandingZoneError, match="not a regular file") as info:
        atomic_write_text(fifo, "x")
    assert isinstance(info.value, OSError)  # what the wizard's save catches
    assert fifo.is_fifo()


def test_failed_write_leaves_original_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lz.yaml"
    path.write_text("old\n")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(FileWriteError, match="no space left on device; the file is unchanged"):
        atomic_write_text(path, "new\n")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lz.yaml"]


_CHILD_BETWEEN = """
import os, sys
from landingzone import atomicfile
real_replace = os.replace
def stop_before_rename(src, dst):
    if str(dst).endswith("lz.yaml"):
        print("written", flush=True)
        import time; time.sleep(60)
    real_replace(src, dst)
atomicfile.os.replace = stop_before_rename
atomicfile.atomic_write_text(sys.argv[1], "new content\\n" * 50000)
"""


def test_sigkill_between_write_and_rename_keeps_the_original(tmp_path: Path) -> None:
    path = tmp_path / "lz.yaml"
    path.write_text("# hand-edited\nname: acme\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", _CHILD_BETWEEN, str(path)], stdout=subprocess.PIPE, text=True,
                             env=env)
    assert child.stdout is not None
    assert child.stdout.readline() == "written\n"  # the new content is complete in the temp file
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert path.read_text() == "# hand-edited\nname: acme\n"
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp") and not p.name.startswith(".lz.yaml.bak")]
    assert len(leftovers) == 1 and leftovers[0].read_text() == "new content\n" * 50000


_CHILD_LOOP = """
import sys
from landingzone.atomicfile import atomic_write_text
versions = [open(sys.argv[2]).read(), open(sys.argv[3]).read()]
print("ready", flush=True)
i = 0
while True:
    atomic_write_text(sys.argv[1], versions[i % 2])
    i += 1
"""


def test_sigkill_at_random_moments_never_truncates(tmp_path: Path) -> None:
    """A child saves two large versions in turn; it is killed at 12 moments. Each time the file is one of the
    versions, whole."""
    a = "".join(f"# version A line {i}\n" for i in range(20000))
    b = "".join(f"# version B line {i} longer\n" for i in range(30000))
    (tmp_path / "a").write_text(a)
    (tmp_path / "b").write_text(b)
    work = tmp_path / "work"
    work.mkdir()
    path = work / "lz.yaml"
    path.write_text(a)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    delays = [0.001, 0.003, 0.007, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.13, 0.2, 0.3]
    for delay in delays:
        child = subprocess.Popen([sys.executable, "-c", _CHILD_LOOP, str(path), str(tmp_path / "a"),
                                  str(tmp_path / "b")], stdout=subprocess.PIPE, text=True, env=env)
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert path.read_text() in (a, b), f"truncated after {delay}s"
        for leftover in work.glob(".*.tmp"):
            leftover.unlink()


def test_unwritable_directory_is_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes everywhere")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(FileWriteError, match="permission denied"):
            atomic_write_text(locked / "lz.yaml", "x")
    finally:
        locked.chmod(0o700)
