"""Engine events -> typed events, error translation helpers and the Markdown summary (no engine needed)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from pulumi.automation import events as auto_events

from landingzone import events as ev
from landingzone.cli.render import describe, render_markdown
from landingzone.orchestrator import (
    EventTranslator,
    Outputs,
    RunResult,
    StackOutcome,
    StackRef,
    lock_is_stale,
    passphrase_env,
    stale_lock_pids,
    with_hints,
)
from stacks import UNKNOWN

URN = "urn:pulumi:lz-guardrails::landingzone::aws:organizations/policy:Policy::deny-root-user"


def _translate(raw: dict[str, object]) -> tuple[list[ev.Event], EventTranslator]:
    seen: list[ev.Event] = []
    translate = EventTranslator(StackRef("guardrails", "lz-guardrails"), "preview", seen.append)
    translate(auto_events.EngineEvent.from_json(raw))
    translate(raw)  # the raw camelCase form some SDK versions hand over
    return seen, translate


def test_resource_pre_event_becomes_resource_op_with_diff_keys_in_both_forms() -> None:
    raw = {"sequence": 1, "timestamp": 0, "resourcePreEvent": {"metadata": {
        "op": "update", "urn": URN, "type": "aws:organizations/policy:Policy", "diffs": ["content"],
        "new": {"inputs": {"content": "{\"secret\": \"never forwarded\"}"}}}}}
    seen, translate = _translate(raw)
    assert len(seen) == 2
    for item in seen:
        assert item == ev.ResourceOp("guardrails", "aws:organizations/policy:Policy", "deny-root-user", "update",
                                     ("content",), URN)
        assert item.changes
    assert "never forwarded" not in repr(seen)
    assert list(translate.steps) == [URN]


def test_diagnostics_summary_and_root_stack_filtering() -> None:
    seen, translate = _translate({"sequence": 2, "timestamp": 0, "diagnosticEvent": {
        "message": "warning: something odd\n", "color": "never", "severity": "warning", "urn": URN}})
    assert seen[0] == ev.LogLine("guardrails", "warning: something odd", "warning", None, URN)
    seen, translate = _translate({"sequence": 3, "timestamp": 0, "summaryEvent": {
        "maybeCorrupt": False, "durationSeconds": 1, "resourceChanges": {"create": 3, "same": 1},
        "PolicyPacks": {}}})
    assert seen == [] and translate.counts == {"create": 3, "same": 1}
    seen, _ = _translate({"sequence": 4, "timestamp": 0, "resourcePreEvent": {"metadata": {
        "op": "create", "urn": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "type": "pulumi:pulumi:Stack"}}})
    assert seen == []


def test_events_pickle_for_worker_processes() -> None:
    events: list[ev.Event] = [ev.StageStarted("network", "up", "lz-network-prod", "prod"),
                              ev.ChangeSummary("network", "up", {"create": 2}, "lz-network-prod", "prod"),
                              ev.StageFailed("network", "up", "lz-network-prod", "boom", "prod")]
    assert pickle.loads(pickle.dumps(events)) == events
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN


def test_outputs_read_missing_keys_as_unknown_at_every_level() -> None:
    outputs = Outputs.wrap({"account_ids": {"prod": "111111111111"}})
    assert outputs["account_ids"]["prod"] == "111111111111"
    assert outputs["account_ids"].get("dev", None) is UNKNOWN
    assert outputs.get("root_id") is UNKNOWN


def test_stale_lock_detection_needs_a_dead_pid_on_this_host() -> None:
    import os
    import socket

    host = socket.gethostname()
    live = f"  .pulumi/locks/x.json: created by root@{host} (pid {os.getpid()}) at 2026-11-28"
    assert stale_lock_pids(live) == [(host, os.getpid())]
    assert not lock_is_stale(live)
    dead = f"  .pulumi/locks/x.json: created by root@{host} (pid 999999999) at 2026-11-28"
    assert lock_is_stale(dead)
    elsewhere = "  .pulumi/locks/x.json: created by ci@another-runner (pid 999999999) at 2026-11-28"
    assert not lock_is_stale(elsewhere)
    assert not lock_is_stale("the stack is currently locked")


def test_passphrase_sources_and_missing_passphrase() -> None:
    import pytest

    from landingzone.errors import PreflightError

    assert passphrase_env({"LANDINGZONE_PASSPHRASE": "a", "PULUMI_CONFIG_PASSPHRASE": "b"}) == {
        "PULUMI_CONFIG_PASSPHRASE": "a"}
    assert passphrase_env({"PULUMI_CONFIG_PASSPHRASE_FILE": "/run/pp"}) == {
        "PULUMI_CONFIG_PASSPHRASE_FILE": "/run/pp"}
    assert passphrase_env({"PULUMI_CONFIG_PASSPHRASE": ""}) == {"PULUMI_CONFIG_PASSPHRASE": ""}
    with pytest.raises(PreflightError) as caught:
        passphrase_env({})
    assert "LANDINGZONE_PASSPHRASE" in str(caught.value)


def test_markdown_summary_for_a_pull_request() -> None:
    result = RunResult("preview")
    org = StackOutcome(StackRef("organization", "lz-organization"), "preview", {"create": 1, "same": 4})
    org.resources = [ev.ResourceOp("organization", "aws:organizations/account:Account", "dev|b", "create")]
    net = StackOutcome(StackRef("network", "lz-network-prod", "prod"), "preview", {"same": 7})
    result.stacks = [org, net]
    text = render_markdown(result, "lz")
    assert text.startswith("### landingzone preview: `lz`\n")
    assert "**1 of 2 stacks change:** 1 to create, 11 unchanged." in text
    assert "| network[prod] | `lz-network-prod` | 0 | 0 | 0 | 0 | 7 |" in text
    assert "| organization | create | `aws:organizations/account:Account` | dev\\|b |  |" in text
    assert describe(ev.StageFailed("network", "up", "lz-network-prod", "boom", "prod")) == \
        "[network[prod]] up FAILED: boom"


def test_planned_outputs_turn_engine_unknowns_and_masked_secrets_into_unknown() -> None:
    from landingzone.orchestrator import planned_values

    planned = planned_values({
        "account_ids": {"prod": "111111111111", "dev-b": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"},
        "token": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "[secret]"},
        "regions": ["us-east-1"],
    })
    assert planned == {"account_ids": {"prod": "111111111111", "dev-b": UNKNOWN}, "token": UNKNOWN,
                       "regions": ["us-east-1"]}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="zombie detection reads Linux /proc")
def test_a_killed_update_left_as_a_zombie_holds_no_lock() -> None:
    """A SIGKILLed pulumi whose parent died too stays a zombie until init reaps it (in a container, maybe never)."""
    import signal
    import socket
    import subprocess
    import time

    child = subprocess.Popen(["sleep", "60"])
    try:
        message = f"  .pulumi/locks/x.json: created by root@{socket.gethostname()} (pid {child.pid}) at 2026-12-01"
        assert not lock_is_stale(message)  # running: the lock is live
        os.kill(child.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while "Z" not in Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[:1]:
            assert time.monotonic() < deadline, "the child never became a zombie"
            time.sleep(0.05)
        os.kill(child.pid, 0)  # still signal-able: only its state tells it is gone
        assert lock_is_stale(message)
    finally:
        child.kill()
        child.wait()


def test_a_failed_default_vpc_lookup_says_what_to_do() -> None:
    text = ("error: Exception: invoke of aws:ec2/getVpcs:getVpcs failed: operation error EC2: DescribeVpcs, "
            "UnauthorizedOperation")
    hinted = with_hints(text)
    assert hinted.startswith(text)
    assert "governed_regions" in hinted and "close_default_security_groups: false" in hinted
    assert with_hints("error: something else") == "error: something else"


def test_an_adopted_accounts_own_config_recorder_says_what_to_do() -> None:
    text = ("error: creating aws:cfg/recorder:Recorder config-recorder-us-east-1: An error occurred "
            "(MaxNumberOfConfigurationRecordersExceededException) when calling the PutConfigurationRecorder")
    hinted = with_hints(text)
    assert hinted.startswith(text)
    assert "delete-configuration-recorder" in hinted and "security_services.config.enabled: false" in hinted
    assert "logging" in with_hints("error: InsufficientDeliveryPolicyException: Insufficient delivery policy")


def test_a_failed_network_acl_lookup_or_a_taken_rule_number_says_what_to_do() -> None:
    lookup = ("error: Exception: invoke of aws:ec2/getNetworkAcls:getNetworkAcls failed: operation error EC2: "
              "DescribeNetworkAcls, UnauthorizedOperation")
    assert "baseline.deny_admin_ports_in_default_network_acls: false" in with_hints(lookup)
    taken = ("error: creating EC2 Network ACL (acl-0abc) Rule (egress: false)(91): operation error EC2: "
             "CreateNetworkAclEntry, api error NetworkAclEntryAlreadyExists: The network acl entry identified by 91 "
             "already exists.")
    hinted = with_hints(taken)
    assert hinted.startswith(taken) and "91-98" in hinted and "1-90" in hinted
