"""The orchestrator on the real pulumi CLI and the real Automation API, with a temporary file backend and the
stand-in stages of orchestrator_stand_in.py (component resources only, so no provider plugin is involved).

Covers what does not depend on AWS: dependency order, outputs flowing into dependent stages, unknowns on a fresh
landing zone, --stage selection, per-account worker processes, the headless CLI (exit codes, --yes, markdown),
locking (4g), recovery after SIGKILL (4h), secrets (4i) and Ctrl-C.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from landingzone import events as ev
from landingzone.config import LandingZoneConfig
from landingzone.errors import EXIT_CHANGES_PENDING, EXIT_INTERRUPTED, EXIT_STATE_LOCKED
from landingzone.orchestrator import Orchestrator, stack_name
from landingzone.presets import preset
from tests.engine.engine_support import cli_env, require_pulumi, run_cli, write_config
from tests.engine.orchestrator_stand_in import STAND_IN_STAGES

pytestmark = pytest.mark.engine


@pytest.fixture
def landing_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LandingZoneConfig, Path]]:
    cli = require_pulumi()
    monkeypatch.setenv("LANDINGZONE_PULUMI", str(cli.path))
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "pulumi-home"))
    monkeypatch.setenv("LANDINGZONE_PASSPHRASE", "passphrase-" + secrets.token_hex(8))
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    cfg = preset("small")
    yield cfg, write_config(cfg, tmp_path)


def _orchestrator(cfg: LandingZoneConfig, path: Path, seen: list[ev.Event], concurrency: int = 2) -> Orchestrator:
    return Orchestrator(cfg, path, stages=STAND_IN_STAGES, on_event=seen.append, concurrency=concurrency)


def test_fresh_preview_shows_every_stage_in_order_and_up_flows_outputs(
        landing_zone: tuple[LandingZoneConfig, Path]) -> None:
    cfg, path = landing_zone
    seen: list[ev.Event] = []
    orch = _orchestrator(cfg, path, seen)

    preview = orch.preview()
    labels = [s.ref.label for s in preview.stacks]
    assert labels == ["organization", "security", "guardrails", "network[production]", "network[development]"]
    assert all(s.counts.get("create", 0) >= 2 for s in preview.stacks), [(s.ref.label, s.counts) for s in
                                                                         preview.stacks]
    started = [e.stage for e in seen if isinstance(e, ev.StageStarted)]
    assert started.index("organization") < started.index("security") < started.index("network")
    planned = {(e.stage, e.type, e.name) for e in seen if isinstance(e, ev.ResourceOp) and e.op == "create"}
    assert ("guardrails", "landingzone:test:Policy", "deny-root-user") in planned
    assert ("network", "landingzone:test:SecurityGroup", "db") in planned
    assert orch.outputs() == {}, "a preview must not apply anything"

    up = orch.up()
    assert [s.ref.label for s in up.stacks] == labels
    org = orch.outputs(show_secrets=True)["organization"]
    net = orch.outputs()["network"]
    for account in ("production", "development"):
        assert net[account]["account_id"] == org["account_ids"][account]
        assert net[account]["seen_admin"] == org["account_ids"]["security"]
        assert net[account]["pid"] != os.getpid(), "per-account stacks run in worker processes"
    assert orch.outputs()["guardrails"]["seen_organization_id"] == org["organization_id"]

    again = orch.preview()
    assert not again.has_changes, [(s.ref.label, s.counts) for s in again.stacks]


def test_stage_selection_takes_what_a_stage_needs(landing_zone: tuple[LandingZoneConfig, Path]) -> None:
    cfg, path = landing_zone
    orch = _orchestrator(cfg, path, [])
    assert [s.name for s in orch.select("network")] == ["organization", "security", "network"]
    assert [s.name for s in orch.select("guardrails")] == ["organization", "guardrails"]
    assert [s.name for s in orch.select("security", dependents=True)] == ["security", "network"]
    result = orch.preview("guardrails")
    assert [s.ref.label for s in result.stacks] == ["organization", "guardrails"]


def test_cli_exit_codes_markdown_and_yes(landing_zone: tuple[LandingZoneConfig, Path], tmp_path: Path) -> None:
    cfg, path = landing_zone
    env = cli_env(dict(os.environ), CI="true")
    refused = run_cli(["up", "--config", str(path)], env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert not (tmp_path / ".landingzone" / "state" / ".pulumi" / "stacks").exists() or not list(
        (tmp_path / ".landingzone" / "state").rglob("*.json")), "a refused up must not touch the state"

    md = run_cli(["preview", "--config", str(path), "--format", "markdown", "--detailed-exitcode"], env=env,
                 cwd=tmp_path)
    assert md.returncode == EXIT_CHANGES_PENDING, md.stderr
    assert md.stdout.startswith("### landingzone preview: `acme-landing-zone`")
    assert "| network[development] | `acme-landing-zone-network-development` | 4 |" in md.stdout

    applied = run_cli(["up", "--config", str(path), "--yes", "--json"], env=env, cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["changes"] is True
    assert "[network[production]] up finished" in applied.stderr

    clean = run_cli(["preview", "--config", str(path), "--detailed-exitcode"], env=env, cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr + clean.stdout

    outputs = run_cli(["outputs", "--config", str(path), "--json"], env=env, cwd=tmp_path)
    assert json.loads(outputs.stdout)["organization"]["admin_token"] == "[secret]"


def _listing(stdout: str) -> list[str]:
    """The resources `destroy` lists before it asks (the "  - <stack>: <type> <name>" lines)."""
    return [line.strip()[2:] for line in stdout.splitlines() if line.startswith("  - ")]


PROTECTED = ["organization: landingzone:test:Organization acme-landing-zone",
             "organization: landingzone:test:Account production", "organization: landingzone:test:Account security",
             "organization: landingzone:test:Account development"]


def test_destroy_keeps_protected_resources_unless_include_protected(landing_zone: tuple[LandingZoneConfig, Path],
                                                                    tmp_path: Path) -> None:
    cfg, path = landing_zone
    env = cli_env(dict(os.environ), CI="true")
    applied = run_cli(["up", "--config", str(path), "--yes"], env=env, cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    orch = _orchestrator(cfg, path, [])
    org_stack = stack_name(cfg, "organization")
    before = orch.existing_stacks()

    kept = run_cli(["destroy", "--config", str(path), "--yes"], env=env, cwd=tmp_path)
    assert kept.returncode == 0, kept.stderr
    listed = _listing(kept.stdout)
    assert kept.stdout.startswith(f"destroy would remove {len(listed)} resources:\n"), kept.stdout
    assert "guardrails: landingzone:test:Policy deny-root-user" in listed
    assert "network[production]: landingzone:test:SecurityGroup db" in listed
    assert not any(item.startswith("organization:") for item in listed), listed
    assert "protected resources (the organization and the accounts) stay; --include-protected removes them." \
        in kept.stdout
    after = orch.existing_stacks()
    assert after[org_stack] == before[org_stack] > 0, (before, after)
    assert all(count == 0 for name, count in after.items() if name != org_stack), after
    assert orch.outputs()["organization"]["organization_id"] == f"o-{cfg.name[:10]}"

    # Only protected resources are left: a second destroy has nothing to do (pulumi stops early, with no summary).
    again = run_cli(["destroy", "--config", str(path), "--yes"], env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("destroy would remove 0 resources:\n") and "nothing to destroy." in again.stdout

    # --include-protected lists the protected resources first, and without --yes (no terminal) removes nothing.
    refused = run_cli(["destroy", "--config", str(path), "--include-protected"], env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "--yes" in refused.stderr, refused.stderr
    assert refused.stdout.startswith("destroy would remove 4 resources:\n"), refused.stdout
    assert sorted(_listing(refused.stdout)) == sorted(PROTECTED)
    assert "protected resources" not in refused.stdout
    assert orch.existing_stacks()[org_stack] == before[org_stack], "listing must not unprotect or remove anything"

    removed = run_cli(["destroy", "--config", str(path), "--include-protected", "--yes"], env=env, cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert sorted(_listing(removed.stdout)) == sorted(PROTECTED)
    assert all(count == 0 for count in orch.existing_stacks().values()), orch.existing_stacks()
    assert orch.outputs() == {}


def _spawn_up(path: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "landingzone", "up", "--config", str(path), "--yes"], env=env,
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def _wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float = 120) -> list[str]:
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} not seen; stderr so far: {''.join(lines)}")


def _wait_for_lock(root: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not list((root / ".landingzone" / "state" / ".pulumi" / "locks").rglob("*.json")):
        assert time.monotonic() < deadline, "the first update never took the lock"
        time.sleep(0.2)


def _state_files(root: Path) -> list[Path]:
    return [p for p in (root / ".landingzone" / "state" / ".pulumi" / "stacks").rglob("*.json")]


def test_two_ups_at_once_one_is_refused_with_state_locked(landing_zone: tuple[LandingZoneConfig, Path],
                                                          tmp_path: Path) -> None:
    """4g: the second update fails with StateLockedError (exit 4) and the state stays intact."""
    cfg, path = landing_zone
    _orchestrator(cfg, path, []).up("organization")
    first = _spawn_up(path, cli_env(dict(os.environ), CI="true", LZ_STAND_IN_DELAY="25"), tmp_path)
    _wait_for_line(first, "[organization] up started")
    _wait_for_lock(tmp_path)  # the first update now holds the lock while its program sleeps
    second = run_cli(["up", "--config", str(path), "--yes"], env=cli_env(dict(os.environ), CI="true"),
                     cwd=tmp_path)
    out, rest = first.communicate(timeout=300)
    assert second.returncode == EXIT_STATE_LOCKED, second.stderr
    assert "locked" in second.stderr and "acme-landing-zone-organization" in second.stderr
    assert first.returncode == 0, rest
    after = _orchestrator(cfg, path, []).preview()
    assert not after.has_changes


def test_sigkill_in_the_middle_of_up_then_up_converges(landing_zone: tuple[LandingZoneConfig, Path],
                                                       tmp_path: Path) -> None:
    """4h: kill -9 of the CLI and its pulumi child during an update leaves a stale lock; the next up removes it
    (its owner is gone from this host) and converges, with every resource recorded once."""
    cfg, path = landing_zone
    env = cli_env(dict(os.environ), CI="true", LZ_STAND_IN_DELAY="20")
    proc = _spawn_up(path, env, tmp_path)
    _wait_for_line(proc, "[organization] up started")
    _wait_for_lock(tmp_path)
    time.sleep(1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    locks = list((tmp_path / ".landingzone" / "state" / ".pulumi" / "locks").rglob("*.json"))
    assert locks, "the killed update should have left its lock behind (else this test proves nothing)"

    again = run_cli(["up", "--config", str(path), "--yes"], env=cli_env(dict(os.environ), CI="true"), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "stale lock" in again.stderr
    seen: list[ev.Event] = []
    orch = _orchestrator(cfg, path, seen)
    assert not orch.preview().has_changes
    state = json.loads((tmp_path / ".landingzone" / "state" / ".pulumi" / "stacks" / "landingzone" /
                        f"{stack_name(cfg, 'organization')}.json").read_text())
    urns = [r["urn"] for r in state["checkpoint"]["latest"]["resources"]]
    assert len(urns) == len(set(urns))
    assert sum(1 for u in urns if u.endswith("::security")) == 1


def test_passphrase_and_aws_secret_never_written_or_logged(landing_zone: tuple[LandingZoneConfig, Path],
                                                           tmp_path: Path) -> None:
    """4i (stand-in part): neither the passphrase nor AWS_SECRET_ACCESS_KEY reaches a log, an output, a state
    file or a work dir; secret outputs are encrypted in the state."""
    cfg, path = landing_zone
    passphrase = os.environ["LANDINGZONE_PASSPHRASE"]
    aws_secret = "awssecret" + secrets.token_hex(12)
    env = cli_env(dict(os.environ), CI="true", AWS_SECRET_ACCESS_KEY=aws_secret, AWS_ACCESS_KEY_ID="AKIDTEST")
    logs = []
    for args in (["preview", "--diff"], ["up", "--yes", "--json"], ["outputs", "--json"], ["refresh"]):
        done = run_cli([*args, "--config", str(path)], env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        logs.append(done.stdout + done.stderr)
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "pulumi-home" not in p.parts]
    assert _state_files(tmp_path), "nothing was written: the test would prove nothing"
    for needle in (passphrase, aws_secret, "stand-in-secret-output"):
        assert not any(needle in text for text in logs), f"{needle[:6]}... appears in the CLI output"
        for file in files:
            assert needle.encode() not in file.read_bytes(), f"{needle[:6]}... written to {file}"


def test_interrupt_stops_after_the_running_stack_and_reports(landing_zone: tuple[LandingZoneConfig, Path],
                                                             tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the CLI): the running stack finishes, nothing else starts, the report names it."""
    cfg, path = landing_zone
    env = cli_env(dict(os.environ), CI="true", LZ_STAND_IN_DELAY="6")
    proc = _spawn_up(path, env, tmp_path)
    _wait_for_line(proc, "[organization] up started")
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_INTERRUPTED, rest
    assert "interrupted" in rest and "organization" in rest
    assert "[security] up started" not in rest
    outputs = _orchestrator(cfg, path, []).outputs()
    assert set(outputs) == {"organization"}
