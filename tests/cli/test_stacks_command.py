"""`landingzone stacks` and `--stack` as a user runs them (offline: neither reads AWS nor the state)."""

from __future__ import annotations

import json
from pathlib import Path

from landingzone.config import dumps_config, validate_config
from landingzone.presets import identity_center_data, preset, preset_data
from tests.cli.conftest import run_cli


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "landingzone.yaml"
    path.write_text(dumps_config(preset("medium")), encoding="utf-8")
    return path


def test_stacks_json_lists_every_stack_in_dependency_order(tmp_path: Path) -> None:
    path = _write(tmp_path)
    proc = run_cli("stacks", "--config", str(path), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    entries = json.loads(proc.stdout)
    cfg = preset("medium")
    names = [e["name"] for e in entries]
    # no identity_center section in the medium preset: stages access and management_access have no stack
    global_stages = ["organization", "regions", "security", "logging", "security_services", "guardrails",
                     "governance"]
    assert [e["stage"] for e in entries if e["scope"] != "account"] == global_stages
    assert len(names) == len(set(names)) == len(global_stages) + (1 + len(cfg.accounts)) + len(cfg.network)
    for position, entry in enumerate(entries):
        assert set(entry["depends_on"]) <= set(names[:position]), entry
    baseline = [e for e in entries if e["stage"] == "baseline"]
    assert [e["account"] for e in baseline] == ["management", *(a.name for a in cfg.accounts)]
    # baseline runs after logging: its AWS Config recorders deliver to logging's Config bucket
    upstream = ["acme-landing-zone-organization", "acme-landing-zone-regions", "acme-landing-zone-logging"]
    assert all(e["scope"] == "account" and e["depends_on"] == upstream for e in baseline)
    assert names.index("acme-landing-zone-logging") < names.index("acme-landing-zone-baseline-management")
    assert entries[0] == {"name": "acme-landing-zone-organization", "stage": "organization", "account": None,
                          "scope": "management", "depends_on": []}


def test_stacks_of_one_stage_and_text(tmp_path: Path) -> None:
    path = _write(tmp_path)
    proc = run_cli("stacks", "--config", str(path), "--stage", "network", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [e["account"] for e in json.loads(proc.stdout)] == ["production", "development"]
    text = run_cli("stacks", "--config", str(path), cwd=tmp_path)
    assert text.returncode == 0 and "acme-landing-zone-baseline-management  baseline [management]" in text.stdout


def test_unknown_stack_is_refused_naming_it(tmp_path: Path) -> None:
    path = _write(tmp_path)
    proc = run_cli("up", "--config", str(path), "--yes", "--stack", "acme-landing-zone-baseline-nope",
                   cwd=tmp_path, env={"LANDINGZONE_PASSPHRASE": "x"})
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "acme-landing-zone-baseline-nope" in proc.stderr and "landingzone stacks" in proc.stderr
    both = run_cli("preview", "--config", str(path), "--stage", "network", "--stack",
                   "acme-landing-zone-organization", cwd=tmp_path, env={"LANDINGZONE_PASSPHRASE": "x"})
    assert both.returncode == 2 and "--stack and --stage" in both.stderr


def test_parallel_and_changed_only_are_documented() -> None:
    up = run_cli("up", "--help", env={"COLUMNS": "300"})
    assert up.returncode == 0
    for option in ("--parallel", "--stack", "--changed-only"):
        assert option in up.stdout
    assert "400 MB" in up.stdout


def test_stages_with_work_only_are_listed(tmp_path: Path) -> None:
    data = preset_data("medium")
    data["identity_center"] = identity_center_data(data)
    path = tmp_path / "landingzone.yaml"
    path.write_text(dumps_config(validate_config(data)), encoding="utf-8")
    proc = run_cli("stacks", "--config", str(path), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    stages = [e["stage"] for e in json.loads(proc.stdout) if e["scope"] != "account"]
    assert stages == ["organization", "regions", "security", "logging", "security_services", "guardrails", "access",
                      "management_access", "governance"]
