"""Upgrade without replacement, on the real engine with the emulated aws plugin (one scenario for the module):
state made by the layout before stage baseline (tests/engine/legacy_layout.py: the /org-admin/ roles and the
default security groups in the security stack), then `up` with today's stages: the resources move into the
baseline stacks with `pulumi state move`, their moto ids are unchanged, nothing of them is deleted or created,
and a following preview shows no changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import stacks
from landingzone import events as ev
from landingzone.config import MANAGEMENT_BASELINE, LandingZoneConfig, validate_config
from landingzone.orchestrator import Orchestrator, RunResult, planned_moves
from landingzone.presets import preset_data
from tests.engine.conftest import REGION, Aws
from tests.engine.engine_support import module_emulator, write_config
from tests.engine.legacy_layout import LEGACY_SECURITY

pytestmark = pytest.mark.engine

MOVED = {"aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
         "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"}


@dataclass
class Upgrade:
    cfg: LandingZoneConfig
    aws: Aws
    before: dict[str, Any]
    after: dict[str, Any]
    up: RunResult
    preview: RunResult
    events: list[ev.Event]
    moves_left: int


def _ids(orch: Orchestrator, aws: Aws, cfg: LandingZoneConfig) -> dict[str, Any]:
    """The moto ids of what moves: RoleId of every /org-admin/ role, GroupId of every closed default group."""
    account_ids = orch.outputs("organization")["organization"]["account_ids"]
    found: dict[str, Any] = {}
    for account in cfg.accounts:
        iam = aws.client("iam", account=account_ids[account.name])
        found[f"role:{account.name}"] = [(r["RoleName"], r["RoleId"])
                                         for r in iam.list_roles(PathPrefix="/org-admin/")["Roles"]]
        ec2 = aws.client("ec2", account=account_ids[account.name])
        found[f"sg:{account.name}"] = sorted(
            (g["GroupId"], len(g["IpPermissions"]) + len(g["IpPermissionsEgress"])) for g in
            ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"])
    return found


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upgrade]:
    tmp = tmp_path_factory.mktemp("upgrade")
    with module_emulator(tmp) as (url, _):
        data = preset_data("small")
        data["governed_regions"] = [REGION]
        data["network"] = []
        data["aws"] = {"endpoint": url}
        cfg = validate_config(data)
        directory = tmp / "lz"
        directory.mkdir()
        path = write_config(cfg, directory)
        aws = Aws(url)
        legacy = Orchestrator(cfg, path, concurrency=2, stages=[stacks.stage("organization"), LEGACY_SECURITY])
        legacy.up()
        before = _ids(legacy, aws, cfg)
        events: list[ev.Event] = []
        today = Orchestrator(cfg, path, on_event=events.append, concurrency=2,
                             stages=[stacks.stage(n) for n in ("organization", "regions", "security", "logging",
                                                               "baseline")])
        up = today.up()
        after = _ids(today, aws, cfg)
        preview = today.preview()
        moves_left = len(planned_moves(today, today.existing_stacks()))
        yield Upgrade(cfg, aws, before, after, up, preview, events, moves_left)


def test_up_says_what_it_moves_before_anything_runs(upgrade: Upgrade) -> None:
    said = [e for e in upgrade.events if isinstance(e, ev.LogLine) and e.message.startswith("upgrade: moving")]
    assert len(said) == 1 and "pulumi state move" in said[0].message and "nothing in AWS" in said[0].message
    first_stack = next(i for i, e in enumerate(upgrade.events) if isinstance(e, ev.StageStarted))
    assert upgrade.events.index(said[0]) < first_stack
    moved = [e for e in upgrade.events if isinstance(e, ev.LogLine) and e.message.startswith("moved ")]
    assert {e.account for e in moved} == {MANAGEMENT_BASELINE, *(a.name for a in upgrade.cfg.accounts)}
    assert upgrade.moves_left == 0  # done once


def test_moved_resources_keep_their_moto_ids(upgrade: Upgrade) -> None:
    assert upgrade.before == upgrade.after
    assert all(upgrade.before[f"role:{a.name}"] for a in upgrade.cfg.accounts)
    assert all(rules == 0 for a in upgrade.cfg.accounts for _, rules in upgrade.before[f"sg:{a.name}"])


def test_nothing_moved_is_deleted_or_created(upgrade: Upgrade) -> None:
    for stack in upgrade.up.stacks:
        for resource in stack.resources:
            if resource.type in MOVED:
                assert resource.op == "same", (stack.ref.label, resource.op, resource.type, resource.name)
    security = next(s for s in upgrade.up.stacks if s.ref.stage == "security")
    # only the member accounts' providers leave the security stack (pulumi copied them along with the move)
    deleted = sorted(r.name for r in security.resources if r.op == "delete")
    assert deleted == sorted(f"account-{a.name}" for a in upgrade.cfg.accounts), deleted
    assert {r.type for r in security.resources if r.op == "delete"} == {"pulumi:providers:aws"}
    baseline = [s for s in upgrade.up.stacks if s.ref.stage == "baseline"]
    assert len(baseline) == 1 + len(upgrade.cfg.accounts)
    for stack in baseline:  # what is new in the baseline is created; what moved is found as it is
        assert stack.counts.get("same", 0) >= 1 and stack.counts.get("delete", 0) == 0, (stack.ref.label, stack.counts)


def test_following_preview_shows_no_changes(upgrade: Upgrade) -> None:
    pending = [(s.ref.label, r.op, r.type, r.name) for s in upgrade.preview.stacks for r in s.resources if r.changes]
    assert pending == [] and not upgrade.preview.has_changes


def test_the_security_stack_keeps_only_management_resources(upgrade: Upgrade, tmp_path: Path) -> None:
    security = next(s for s in upgrade.preview.stacks if s.ref.stage == "security")
    types = {r.type for r in security.resources}
    assert not types & MOVED
    providers = [r.name for r in security.resources if r.type == "pulumi:providers:aws"]
    assert providers == ["management"]
