"""The configuration's save paths (save_config, the wizard's save, `init --force`) replace the file atomically: mode
kept, `.bak` of the previous version, symlink target replaced, comments kept when the old file is safe to merge,
and a kill during the save never leaves a truncated file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from landingzone import config as lzconfig
from landingzone.presets import preset
from tests.cli.conftest import run_cli
from tests.hostile import corpus
from tui.state import WizardState

REPO = Path(__file__).resolve().parents[2]


def test_save_config_keeps_mode_comments_and_backup(tmp_path: Path) -> None:
    path = tmp_path / "landingzone.yaml"
    original = lzconfig.commented_yaml(preset("medium")) + "# my own note\n"
    path.write_text(original)
    path.chmod(0o600)
    changed = preset("medium").model_copy(update={"governed_regions": ["us-east-1", "eu-west-1"]})
    lzconfig.save_config(changed, path)
    assert "# my own note" in path.read_text() and "eu-west-1" in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "landingzone.yaml.bak").read_text() == original
    assert lzconfig.load_config(path) == changed


def test_save_through_a_symlink_replaces_its_target(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    target = tmp_path / "repo" / "lz.yaml"
    target.write_text(lzconfig.commented_yaml(preset("small")))
    link = tmp_path / "landingzone.yaml"
    link.symlink_to(target)
    lzconfig.save_config(preset("medium"), link)
    assert link.is_symlink() and lzconfig.load_config(target) == preset("medium")
    assert (tmp_path / "repo" / "lz.yaml.bak").exists() and not (tmp_path / "landingzone.yaml.bak").exists()


def test_save_over_a_hostile_file_writes_afresh(tmp_path: Path) -> None:
    """The old file is an alias bomb: it is not merged into (that would expand it), it survives as the .bak."""
    path = tmp_path / "landingzone.yaml"
    path.write_text(corpus.billion_laughs())
    started = time.monotonic()
    lzconfig.save_config(preset("small"), path)
    assert time.monotonic() - started < 5
    assert lzconfig.load_config(path) == preset("small")
    assert (tmp_path / "landingzone.yaml.bak").read_text() == corpus.billion_laughs()


def test_wizard_save_is_atomic_with_backup(tmp_path: Path) -> None:
    path = tmp_path / "landingzone.yaml"
    state = WizardState.open(path)
    assert state.save() == path and not (tmp_path / "landingzone.yaml.bak").exists()
    first = path.read_text()
    path.chmod(0o640)
    state.data["governed_regions"] = ["us-east-1", "eu-central-1"]
    state.save()
    assert (tmp_path / "landingzone.yaml.bak").read_text() == first
    assert path.stat().st_mode & 0o777 == 0o640
    assert lzconfig.load_config(path).governed_regions == ["us-east-1", "eu-central-1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landingzone.yaml", "landingzone.yaml.bak"]


def test_init_force_is_atomic_with_backup(tmp_path: Path) -> None:
    path = tmp_path / "landingzone.yaml"
    path.write_text("# hand-edited\n")
    path.chmod(0o640)
    proc = run_cli("init", "--preset", "small", "--output", str(path), "--force", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "landingzone.yaml.bak").read_text() == "# hand-edited\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert lzconfig.load_config(path) == preset("small").model_copy(update={"name": "acme-landing-zone"})


def test_init_force_refuses_to_replace_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "landingzone.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    proc = run_cli("init", "--output", str(fifo), "--force", timeout=60)
    assert proc.returncode == 1 and "not a regular file" in proc.stderr
    assert "Traceback" not in proc.stderr and time.monotonic() - started < 20
    assert fifo.is_fifo()


_CHILD_KILLED_BEFORE_RENAME = """
import os, sys
from landingzone import atomicfile, config
from landingzone.presets import preset
real_replace = os.replace
def stop_before_rename(src, dst):
    if str(dst).endswith("landingzone.yaml"):  # the .bak is in place, the new file written and synced
        print("written", flush=True)
        import time; time.sleep(60)
    real_replace(src, dst)
atomicfile.os.replace = stop_before_rename
config.save_config(preset("large"), sys.argv[1])
"""


def test_sigkill_during_save_config_keeps_the_original(tmp_path: Path) -> None:
    path = tmp_path / "landingzone.yaml"
    original = lzconfig.commented_yaml(preset("medium")) + "# hand-edited comment\n"
    path.write_text(original)
    child = subprocess.Popen([sys.executable, "-c", _CHILD_KILLED_BEFORE_RENAME, str(path)], stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert child.stdout is not None and child.stdout.readline() == "written\n"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert path.read_text() == original
    temps = list(tmp_path.glob(".landingzone.yaml.*.tmp"))
    assert len(temps) == 1 and lzconfig.load_config(temps[0]) == preset("large"), "the new file was complete"


_CHILD_SAVING = """
import sys
from landingzone import config
from landingzone.presets import preset
versions = [preset("medium"), preset("large")]
print("ready", flush=True)
i = 0
while True:
    config.save_config(versions[i % 2], sys.argv[1])
    i += 1
"""


def test_sigkill_at_random_moments_of_save_config(tmp_path: Path) -> None:
    path = tmp_path / "landingzone.yaml"
    lzconfig.save_config(preset("medium"), path)
    for delay in (0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8):
        child = subprocess.Popen([sys.executable, "-c", _CHILD_SAVING, str(path)], stdout=subprocess.PIPE, text=True,
                                 env={**os.environ, "PYTHONPATH": str(REPO)})
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert lzconfig.load_config(path) in (preset("medium"), preset("large")), f"after {delay}s"
        bak = tmp_path / "landingzone.yaml.bak"
        assert not bak.exists() or lzconfig.load_config(bak) in (preset("medium"), preset("large"))
