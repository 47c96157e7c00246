"""Fingerprints of what a per-account stack's program receives, and the file ledger (no engine needed; the S3
ledger is exercised by tests/engine/test_github_actions_replay.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import stacks
from landingzone.config import validate_config
from landingzone.orchestrator import fingerprint, ledger_for
from landingzone.presets import preset_data


def _print(stage: str, account: str, data: dict[str, Any], ids: dict[str, str]) -> str:
    cfg = validate_config(data)
    ctx = stacks.StageContext(config=cfg, upstream={"organization": {"account_ids": ids}}, account=account)
    return fingerprint(stage, f"lz-{stage}-{account}", stacks.stage(stage).fingerprint_inputs(ctx))


def test_a_stack_fingerprint_ignores_other_accounts_and_follows_its_own_inputs() -> None:
    data = preset_data("medium")
    ids = {a["name"]: f"{100000000000 + i}" for i, a in enumerate(data["accounts"])}
    before = _print("baseline", "production", data, ids)
    assert before == _print("baseline", "production", data, dict(ids))  # stable
    more = preset_data("medium")
    more["accounts"].append({"name": "workload-new", "email": "new@example.com", "kind": "workload",
                             "ou": "Workloads/NonProd"})
    assert _print("baseline", "production", more, {**ids, "workload-new": "999999999999"}) == before
    assert _print("network", "production", more, ids) == _print("network", "production", data, ids)
    off = preset_data("medium")
    off["baseline"] = {"imds_defaults": False}
    assert _print("baseline", "production", off, ids) != before
    assert _print("baseline", "production", data, {**ids, "production": "555555555555"}) != before
    assert _print("baseline", "development", data, ids) != before
    # the wait for new accounts changes how the stack runs, not what it receives
    waits = preset_data("medium")
    waits["baseline"] = {"assume_role_wait_seconds": 60}
    assert _print("baseline", "production", waits, ids) == before


def test_file_ledger_records_forgets_and_ignores_foreign_files(tmp_path: Path) -> None:
    ledger = ledger_for((tmp_path / "state").as_uri(), "landingzone", {})
    assert ledger is not None
    assert ledger.read_all(["a", "b"]) == {}
    ledger.record("a", "f1")
    ledger.record("b", "f2")
    assert ledger.read_all(["a", "b", "c"]) == {"a": "f1", "b": "f2"}
    ledger.forget("a")
    assert ledger.read_all(["a", "b"]) == {"b": "f2"}
    (tmp_path / "state" / ".landingzone" / "fingerprints" / "landingzone" / "c.json").write_text("x" * 10000)
    assert ledger.read_all(["c"]) == {}  # bounded: not ours
    assert ledger_for("https://api.pulumi.com", "landingzone", {}) is None
