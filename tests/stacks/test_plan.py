"""The offline plan over whole presets, the `landingzone plan` command, and the plain-CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

import stacks
from landingzone.config import dumps_config, validate_config
from landingzone.config.governance import opt_in
from landingzone.errors import QuotaError
from landingzone.plan import PlanMocks, plan, run_program
from landingzone.presets import PRESETS, preset, preset_data

from ..cli.conftest import run_cli
from .helpers import applied_organization, config


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_plans_every_stage(name: str) -> None:
    cfg = preset(name)
    plans = plan(cfg)
    stages = [p.stage for p in plans]
    assert stages == (["organization", "regions", "security", "logging"] + ["baseline"] * (1 + len(cfg.accounts))
                      + ["security_services", "guardrails"] + ["network"] * len(cfg.network)
                      + ["governance"])
    assert [p.account for p in plans if p.stage == "baseline"] == ["management", *(a.name for a in cfg.accounts)]
    assert [p.account for p in plans if p.stage == "network"] == [n.account for n in cfg.network]
    for stage_plan in plans:
        if stage_plan.stage == "regions":
            # Nothing to enable: the presets govern us-east-1 and us-west-2, neither of them opt-in.
            assert not opt_in(cfg.governed_regions) and stage_plan.resources == []
            continue
        assert stage_plan.resources, stage_plan.stack
        names = [r.name for r in stage_plan.resources]
        assert len(names) == len(set(names)), f"duplicate logical names in {stage_plan.stack}"
        # Every resource goes through an explicit provider, never the default one.
        assert all(r.provider for r in stage_plan.resources if not r.type.startswith("pulumi:providers:"))
        assert set(stage_plan.outputs) <= set(stacks.stage(stage_plan.stage).outputs)
    org = plans[0]
    assert len(org.of_type("aws:organizations/account:Account")) == len(cfg.accounts)


def test_stack_names_derive_from_the_landing_zone_name() -> None:
    cfg = preset("small")
    assert [p.stack for p in plan(cfg, "network")] == [
        "acme-landing-zone-network-production", "acme-landing-zone-network-development"]


def _write(tmp_path: Path, name: str = "medium", **changes: Any) -> Path:
    path = tmp_path / "landingzone.yaml"
    path.write_text(dumps_config(config(name, **changes)), encoding="utf-8")
    return path


def test_plan_command_prints_resources_tree_and_quota(tmp_path: Path) -> None:
    path = _write(tmp_path)
    proc = run_cli("plan", "--config", str(path), cwd=tmp_path, env={"AWS_ACCESS_KEY_ID": None,
                                                                      "AWS_PROFILE": None})
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "stage organization (stack acme-landing-zone-organization)" in out
    assert "stage network for account production" in out
    assert "organizations:Account" in out and "protect" in out
    assert "accounts and OUs:" in out and "  Workloads/" in out and "      - production (production)" in out
    assert "Quota use per target and policy type" in out
    assert any(line.split()[:4] == ["Root", "root", "RCP", "2"] for line in out.splitlines()), out
    assert "known after apply" in out


def test_plan_command_json_and_stage_filter(tmp_path: Path) -> None:
    path = _write(tmp_path)
    proc = run_cli("plan", "--config", str(path), "--stage", "guardrails", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [s["stage"] for s in doc["stages"]] == ["guardrails"]
    counts = doc["stages"][0]["counts"]
    assert counts["aws:organizations/policy:Policy"] == 11  # 8 SCPs, an RCP, a declarative and an S3 policy
    root = next(q for q in doc["scp_quota"] if q["target"] == "Root")
    assert root["attached"] == 5 and root["limit"] == 10
    by_type = {(q["target"], q["policy_type"]): q for q in doc["policy_quota"]}
    assert by_type[("Root", "RESOURCE_CONTROL_POLICY")]["limit"] == 5
    assert by_type[("Root", "S3_POLICY")]["attached"] == 1
    assert doc["total_resources"] == len(doc["stages"][0]["resources"])


def test_plan_command_exits_5_on_quota(tmp_path: Path) -> None:
    path = _write(tmp_path, quotas={"scp_per_target": 4})
    proc = run_cli("plan", "--config", str(path), "--stage", "guardrails", cwd=tmp_path)
    assert proc.returncode == 5
    assert "'Root' would have 5 SCPs attached" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_plan_command_rejects_unknown_stage(tmp_path: Path) -> None:
    path = _write(tmp_path)
    proc = run_cli("plan", "--config", str(path), "--stage", "everything", cwd=tmp_path)
    assert proc.returncode == 2  # a usage error
    assert "'everything' is not a stage" in proc.stderr


class _ReferenceMocks(PlanMocks):
    """Answers the plain-CLI entry point's StackReferences with an applied organization's outputs."""

    def __init__(self, outputs: dict[str, Any]) -> None:
        super().__init__()
        self.outputs = outputs
        self.references: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":
            self.references.append(args.inputs["name"])
            return args.inputs["name"], {"name": args.inputs["name"], "outputs": self.outputs,
                                         "secretOutputNames": []}
        return super().new_resource(args)


def test_plain_cli_entry_point_runs_the_stage_named_by_the_stack(tmp_path: Path) -> None:
    import stacks.__main__ as entry

    cfg = config("medium")
    path = _write(tmp_path)
    pulumi.runtime.set_all_config({"landingzone:config": str(path)})
    try:
        mocks = _ReferenceMocks(applied_organization(cfg))
        run = run_program(lambda _ctx: entry.main(), None, stack="acme-landing-zone-network-production",
                          mocks=mocks)
    finally:
        pulumi.runtime.set_all_config({})
    assert mocks.references == ["organization/landingzone/acme-landing-zone-organization",
                                "organization/landingzone/acme-landing-zone-regions"]
    provider = next(r for r in run.resources if r.type == "pulumi:providers:aws")
    prod_id = applied_organization(cfg)["account_ids"]["production"]
    assert json.loads(provider.inputs["assumeRoles"])[0]["roleArn"] == (
        f"arn:aws:iam::{prod_id}:role/OrganizationAccountAccessRole")
    assert set(run.outputs) == {"vpc_id", "security_group_ids"}


def _medium_with_many_networks(extra: int = 5) -> Any:
    """The medium preset plus `extra` workload accounts, each with the preset's network (7 network stacks)."""
    data = preset_data("medium")
    template = data["network"][0]
    for i in range(extra):
        name = f"team-{i}"
        data["accounts"].append({"name": name, "email": f"aws-{name}@example.com", "kind": "production",
                                 "ou": "Workloads/Prod" if i % 2 else "Workloads/NonProd"})
        data["network"].append({**template, "account": name, "vpc_cidr": f"10.{10 + i}.0.0/16"})
    return validate_config(data)


@pytest.mark.parametrize("applied", [False, True], ids=["fresh", "organization-applied"])
def test_parallel_plan_equals_the_sequential_plan(applied: bool) -> None:
    cfg = _medium_with_many_networks()
    upstream = {"organization": applied_organization(cfg)} if applied else None
    sequential = plan(cfg, upstream=upstream, workers=1)
    parallel = plan(cfg, upstream=upstream, workers=3)  # 3 workers over 7 accounts: uneven chunks on purpose
    assert [p.stack for p in sequential].count("acme-landing-zone-network-team-4") == 1
    assert len([p for p in sequential if p.stage == "network"]) == 7
    assert [p.stack for p in parallel] == [p.stack for p in sequential]
    for seq, par in zip(sequential, parallel, strict=True):
        assert par == seq, f"{par.stack} differs"  # resources (inputs, options, order), outputs, everything
    assert [p.to_json() for p in parallel] == [p.to_json() for p in sequential]


def test_parallel_plan_raises_the_sequential_error() -> None:
    cfg = _medium_with_many_networks(extra=2).model_copy(
        update={"quotas": config(quotas={"scp_per_target": 4}).quotas})
    with pytest.raises(QuotaError, match="'Root' would have 5 SCPs attached"):
        plan(cfg, workers=2)


def test_plan_command_workers_option(tmp_path: Path) -> None:
    path = tmp_path / "landingzone.yaml"
    path.write_text(dumps_config(_medium_with_many_networks(extra=2)), encoding="utf-8")
    outs = []
    for workers in ("1", "2"):
        proc = run_cli("plan", "--config", str(path), "--json", "--workers", workers, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        outs.append(json.loads(proc.stdout))
    assert outs[0] == outs[1]
    assert [s["account"] for s in outs[1]["stages"] if s["stage"] == "network"] == [
        "production", "development", "team-0", "team-1"]


def test_default_workers_start_no_pool_for_a_small_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    import landingzone.plan as plan_module

    pools: list[int] = []
    real_pool = plan_module.process_pool

    def recording_pool(workers: int, **kwargs: Any) -> Any:
        pools.append(workers)
        return real_pool(workers, **kwargs)

    monkeypatch.setattr(plan_module, "process_pool", recording_pool)
    monkeypatch.setattr(plan_module, "default_workers", lambda: 2)
    cfg = _medium_with_many_networks(extra=2)
    small = plan(cfg)  # 4 network stacks: spawning workers would cost more than it saves
    assert pools == []
    monkeypatch.setattr(plan_module, "MIN_STACKS_PER_WORKER", 2)
    assert plan(cfg) == small
    assert pools == [2]
