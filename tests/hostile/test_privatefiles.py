"""`.landingzone/` stays private (landingzone.privatefiles): directories 0700, files 0600, including what a child
process (the pulumi CLI) creates, and existing readable ones are found for doctor."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

from landingzone.privatefiles import ensure_private_dir, exposed_paths, private_umask, with_private_umask


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_private_dir_and_parents_are_0700(tmp_path: Path) -> None:
    path = ensure_private_dir(tmp_path / ".landingzone" / "state")
    assert _mode(path) == 0o700 and _mode(path.parent) == 0o700


def test_existing_dir_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared"
    path.mkdir(mode=0o755)
    path.chmod(0o755)
    ensure_private_dir(path)
    assert _mode(path) == 0o755


def test_child_processes_create_private_files(tmp_path: Path) -> None:
    """What the engine's subprocesses write (the file backend's checkpoints) inherits the umask."""
    target = tmp_path / "written-by-child"
    old = os.umask(0o022)
    try:
        with private_umask():
            subprocess.run(["sh", "-c", f"echo x > '{target}'; mkdir '{target}.d'"], check=True)
        after = os.umask(0o022)
    finally:
        os.umask(old)
    assert _mode(target) == 0o600 and _mode(Path(f"{target}.d")) == 0o700
    assert after == 0o022  # restored


def test_umask_is_restored_after_nested_and_concurrent_use() -> None:
    old = os.umask(0o002)
    try:
        barrier = threading.Barrier(4)

        @with_private_umask
        def work() -> int:
            barrier.wait(timeout=5)
            with private_umask():
                mask = os.umask(0o077)
                os.umask(mask)
                return mask

        results: list[int] = []
        threads = [threading.Thread(target=lambda: results.append(work())) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [0o077] * 4
        mask = os.umask(0o002)
        assert mask == 0o002
    finally:
        os.umask(old)


def test_exposed_paths_finds_readable_entries(tmp_path: Path) -> None:
    root = ensure_private_dir(tmp_path / ".landingzone")
    with private_umask():
        (root / "state").mkdir()
        (root / "state" / "stack.json").write_text("{}")
    assert exposed_paths(root) == []
    (root / "state" / "stack.json").chmod(0o644)
    (root / "work").mkdir(mode=0o755)
    (root / "work").chmod(0o755)
    found = dict(exposed_paths(root))
    assert found == {root / "state" / "stack.json": 0o644, root / "work": 0o755}
    assert exposed_paths(tmp_path / "missing") == []


def test_doctor_check_warns_on_a_readable_state_dir(tmp_path: Path) -> None:
    from landingzone.toolchain import check_private_state

    root = tmp_path / ".landingzone"
    assert check_private_state(root).ok
    ensure_private_dir(root / "state")
    assert check_private_state(root).ok
    (root / "state").chmod(0o755)
    check = check_private_state(root)
    assert not check.ok and check.key == "private"
    assert f"{root / 'state'} (rwxr-xr-x)" in check.summary
    assert check.fix == f"chmod -R go-rwx {root}"
