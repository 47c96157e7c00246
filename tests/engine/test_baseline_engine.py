"""Stage baseline on the real engine with the emulated aws plugin (one moto server and one provisioning for the
whole module): 12 member accounts in a bounded pool, new accounts whose access role is refused for a while,
a permanently refused account failing alone, `up --changed-only`, `--stack`.

Plugin processes are counted from /proc while `up` runs: the emulator's plugin is one process per provider
(its launcher execs python on this clone's tests/emulator/provider.py), so the count is what a real
pulumi-resource-aws would cost in processes.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import stacks
from landingzone import events as ev
from landingzone.config import MANAGEMENT_BASELINE, LandingZoneConfig, validate_config
from landingzone.orchestrator import Orchestrator, RunResult, StacksFailed
from landingzone.presets import preset_data
from stacks.network_acls import deny_entries
from tests.engine.conftest import EMULATOR_DIR, REGION, Aws
from tests.engine.engine_support import module_emulator, write_config

pytestmark = pytest.mark.engine

MEMBERS = 12
PARALLEL = 2
STILL_REFUSED = 90
"""After the organization stage, the emulator is told to refuse AssumeRole into each account it created until
this many seconds from then (LANDINGZONE_EMULATOR_ASSUME_ROLE_DELAY, counted from each account's creation): every
member account's baseline meets the refusal first and must retry, however long the machine took to get there."""
STAGES = ("organization", "regions", "security", "logging", "baseline")
"""Stage baseline and what it needs (logging: the Config bucket the AWS Config recorders deliver to)."""
PROVIDER_SCRIPT = str(EMULATOR_DIR / "provider.py")


def plugin_processes() -> int:
    """Live plugin processes of this clone's emulator that descend from this test process (zombies do not count:
    they hold no memory; other test runs on the machine do not count either)."""
    parents: dict[int, int] = {}
    plugins: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        state, ppid = stat.rpartition(")")[2].split()[:2]
        parents[int(entry.name)] = int(ppid)
        if PROVIDER_SCRIPT.encode() in cmdline and state != "Z":
            plugins.append(int(entry.name))

    def ours(pid: int) -> bool:
        for _ in range(64):
            if pid == os.getpid():
                return True
            if pid <= 1:
                return False
            pid = parents.get(pid, 0)
        return False

    return sum(1 for pid in plugins if ours(pid))


@dataclass
class Sampler:
    """Samples plugin_processes() every 50 ms in a thread."""

    samples: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(plugin_processes())
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def config(endpoint: str, members: int, **changes: Any) -> LandingZoneConfig:
    data = preset_data("small")
    data["governed_regions"] = [REGION]
    data["network"] = []
    extra = [{"name": f"workload-{i:02d}", "email": f"workload-{i:02d}@example.com", "kind": "workload"}
             for i in range(members - len(data["accounts"]))]
    data["accounts"] = [*data["accounts"], *extra]
    data["aws"] = {"endpoint": endpoint}
    data["baseline"] = {"assume_role_wait_seconds": 120}
    data.update(changes)
    return validate_config(data)


@dataclass
class Scenario:
    cfg: LandingZoneConfig
    path: Path
    aws: Aws
    state_file: Path
    events: list[ev.Event]
    up: RunResult
    samples: list[int]

    def orchestrator(self, cfg: LandingZoneConfig | None = None) -> Orchestrator:
        return Orchestrator(cfg or self.cfg, self.path, on_event=self.events.append, concurrency=PARALLEL,
                            stages=[stacks.stage(n) for n in STAGES])


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    tmp = tmp_path_factory.mktemp("baseline")
    with module_emulator(tmp) as (url, mp):
        cfg = config(url, MEMBERS)
        directory = tmp / "lz"
        directory.mkdir()
        path = write_config(cfg, directory)
        events: list[ev.Event] = []
        orch = Orchestrator(cfg, path, on_event=events.append, concurrency=PARALLEL,
                            stages=[stacks.stage(n) for n in STAGES])
        with Sampler() as sampler:
            # The stages before baseline first (logging works in the Security account), then every member's
            # access role is refused for a while: the baselines meet it in the full `up` below, where the stages
            # already applied have nothing to change.
            orch.up("logging")
            created = json.loads((tmp / "emulator-state.json").read_text())["accounts_created"]
            mp.setenv("LANDINGZONE_EMULATOR_ASSUME_ROLE_DELAY",
                      str(int(time.time() - min(created.values())) + STILL_REFUSED))
            up = orch.up()
        yield Scenario(cfg, path, Aws(url), tmp / "emulator-state.json", events, up, sampler.samples)


def test_twelve_accounts_run_in_a_bounded_pool(scenario: Scenario) -> None:
    labels = [s.ref.label for s in scenario.up.stacks]
    expected = ["organization", "regions", "security", "logging", f"baseline[{MANAGEMENT_BASELINE}]",
                *(f"baseline[{a.name}]" for a in scenario.cfg.accounts)]
    assert sorted(labels) == sorted(expected) and len(scenario.cfg.accounts) == MEMBERS
    assert max(scenario.samples) <= PARALLEL + 2, max(scenario.samples)
    assert max(scenario.samples) >= 2  # the pool did run stacks side by side (and the sampler saw them)
    assert len(scenario.samples) > 100


def test_new_accounts_retry_until_their_access_role_is_assumable(scenario: Scenario) -> None:
    retries = [e for e in scenario.events if isinstance(e, ev.LogLine) and "cannot be assumed yet" in e.message]
    retried = {e.account for e in retries}
    assert retried, "no baseline met the emulated refusal"
    assert retried <= {a.name for a in scenario.cfg.accounts}
    assert all("retrying in" in e.message and " of 120 s waited" in e.message for e in retries)
    ok = {s.ref.account for s in scenario.up.stacks if s.ref.stage == "baseline" and not s.skipped}
    assert retried <= ok


def test_every_account_got_its_hardening(scenario: Scenario) -> None:
    ids = scenario.orchestrator().outputs("organization")["organization"]["account_ids"]
    for account in scenario.cfg.accounts:
        iam = scenario.aws.client("iam", account=ids[account.name])
        roles = iam.list_roles(PathPrefix="/org-admin/")["Roles"]
        assert [r["RoleName"] for r in roles] == ["LandingZoneAdministrator"]
        ec2 = scenario.aws.client("ec2", account=ids[account.name])
        assert ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True
        s3control = scenario.aws.client("s3control", account=ids[account.name])
        block = s3control.get_public_access_block(AccountId=ids[account.name])["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4
        groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])
        assert all(g["IpPermissions"] == [] and g["IpPermissionsEgress"] == [] for g in groups["SecurityGroups"])
        # the default VPC's default network ACL denies SSH and RDP from the internet ahead of its allow-all entry
        (acl,) = ec2.describe_network_acls(Filters=[{"Name": "default", "Values": ["true"]}])["NetworkAcls"]
        assert sorted(e["RuleNumber"] for e in acl["Entries"] if not e["Egress"] and e["RuleAction"] == "deny"
                      and e["RuleNumber"] < 100) == [e.rule_number for e in deny_entries()], acl["Entries"]


def test_changed_only_skips_everything_unchanged(scenario: Scenario) -> None:
    result = scenario.orchestrator().up(changed_only=True)
    assert all(s.skipped == "unchanged since its last successful up" for s in result.stacks), [
        (s.ref.label, s.skipped) for s in result.stacks]
    assert len(result.stacks) == 4 + 1 + MEMBERS  # organization, regions, security, logging, the baselines


def test_a_refused_account_fails_alone_and_the_others_run(scenario: Scenario,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs after the others (module order): adds two accounts, refuses AssumeRole into one for good."""
    data = scenario.cfg.model_dump(mode="json", exclude_none=True)
    data["accounts"] += [{"name": n, "email": f"{n}@example.com", "kind": "workload"}
                         for n in ("late-ok", "late-refused")]
    data["baseline"] = {"assume_role_wait_seconds": 5}
    cfg = validate_config(data)
    write_config(cfg, scenario.path.parent)
    orch = scenario.orchestrator(cfg)
    org_stack = stacks.stack_name(cfg, "organization")
    orch.up(stacks=[org_stack])
    ids = orch.outputs("organization")["organization"]["account_ids"]
    monkeypatch.setenv("LANDINGZONE_EMULATOR_REFUSE_ASSUME_ROLE", ids["late-refused"])
    monkeypatch.setenv("LANDINGZONE_EMULATOR_ASSUME_ROLE_DELAY", "0")
    with pytest.raises(StacksFailed) as failed:
        orch.up("baseline", changed_only=True)
    (failure,) = failed.value.failures
    assert failure[0] == "baseline[late-refused]"
    assert "account late-refused" in failure[1] and "could not be assumed for" in failure[1]
    assert "fix:" in failure[1] and "baseline.assume_role_wait_seconds" in failure[1]
    assert failed.value.exit_code == 6
    result = failed.value.result
    assert result is not None
    ran = {s.ref.account: s.skipped for s in result.stacks}
    assert ran["late-ok"] == "" and "baseline[late-ok]" in failed.value.applied
    # the baseline of every unchanged account was skipped
    assert all(ran[a.name] for a in scenario.cfg.accounts)
