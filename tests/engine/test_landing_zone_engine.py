"""The landing zone's real stages, driven by the orchestrator, on the real pulumi CLI and Automation API, against
the emulated aws plugin (tests/emulator) backed by a moto server (fixtures in conftest.py). Issue 5, 4a-4f.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from landingzone import events as ev
from landingzone.config import LandingZoneConfig
from landingzone.orchestrator import Orchestrator
from landingzone.presets import preset_data
from tests.engine.conftest import Aws
from tests.engine.engine_support import run_cli, write_config

pytestmark = pytest.mark.engine

STAGES = ("organization", "security", "logging", "guardrails", "network[production]", "network[development]")


def medium(endpoint: str, **changes: Any) -> LandingZoneConfig:
    from landingzone.config import validate_config

    data = preset_data("medium")
    data["aws"] = {"endpoint": endpoint}
    data.update(changes)
    return validate_config(data)


@pytest.fixture
def landing_zone(engine_env: dict[str, str], pulumi_cli: Any, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> tuple[LandingZoneConfig, Path]:
    monkeypatch.setenv("LANDINGZONE_PULUMI", str(pulumi_cli.path))
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)  # the configuration decides the backend
    cfg = medium(engine_env["AWS_ENDPOINT_URL"])
    directory = tmp_path / "lz"
    directory.mkdir()
    return cfg, write_config(cfg, directory)


def _orch(cfg: LandingZoneConfig, path: Path, seen: list[ev.Event] | None = None) -> Orchestrator:
    return Orchestrator(cfg, path, on_event=(seen.append if seen is not None else None), concurrency=2)


def test_fresh_landing_zone_preview_then_up_then_no_changes(landing_zone: tuple[LandingZoneConfig, Path],
                                                             aws: Aws) -> None:
    """4a and 4b."""
    cfg, path = landing_zone
    seen: list[ev.Event] = []
    orch = _orch(cfg, path, seen)
    preview = orch.preview()
    assert [s.ref.label for s in preview.stacks] == list(STAGES)
    for stack in preview.stacks:
        assert stack.counts.get("create", 0) > 1, (stack.ref.label, stack.counts)
    creates = {(e.stage, e.type) for e in seen if isinstance(e, ev.ResourceOp) and e.op == "create"}
    assert ("organization", "aws:organizations/organization:Organization") in creates
    assert ("network", "aws:ec2/securityGroup:SecurityGroup") in creates

    up = orch.up()
    assert [s.ref.label for s in up.stacks] == list(STAGES)
    org = aws.client("organizations")
    assert org.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    names = {a["Name"] for a in org.list_accounts()["Accounts"]}
    assert {"security", "log-archive", "production", "development", "shared-services"} <= names
    outputs = orch.outputs()
    assert set(outputs) == {"organization", "security", "logging", "guardrails", "network"}
