"""Reads that fail on the wire (tests/audit/fault_proxy.py between boto3 and the moto server): retried, and when
still failing recorded as not visible while the audit goes on; the CLI found through AWS_ENDPOINT_URL alone (no
--aws-endpoint), every format saying the audit is incomplete, exit 8."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from landingzone.audit import run_audit
from landingzone.discovery import DiscoveryOptions, discover
from landingzone.discovery.reader import attempts, endpoint_for
from tests.audit.fault_proxy import Fault, fault_proxy
from tests.audit.helpers import MOTO_GAPS, audit_context
from tests.audit.moto_org import HOME, build_organization, shared_session

THROTTLED = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
EC2_ERROR = (b"<Response><Errors><Error><Code>InternalError</Code><Message>injected</Message></Error></Errors>"
             b"<RequestID>1</RequestID></Response>")


def _cli(env_endpoint: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=HOME,
               AWS_ENDPOINT_URL=env_endpoint)
    return subprocess.run([sys.executable, "-m", "landingzone", "audit", "--region", HOME, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_a_read_failing_after_the_retries_makes_an_incomplete_audit_exit_8(fresh_moto: str, tmp_path: Path) -> None:
    build_organization(fresh_moto)
    fault = Fault("GetEventSelectors")  # HTTP 500 on every attempt
    with fault_proxy(fresh_moto, fault) as proxy:
        result = _cli(proxy.url, tmp_path, "--format", "json", "--fail-on", "low")
    assert result.returncode == 8, result.stderr[-3000:]
    assert fault.seen == 2  # botocore retried once (the default with an endpoint override), then gave up
    data = json.loads(result.stdout)
    assert data["complete"] is False
    assert [(n["service"], n["operation"], n["reason"], n["error_code"]) for n in data["missing_reads"]] == [
        ("cloudtrail", "get_event_selectors", "failed", "InternalFailure")]
    status = {c["id"]: c["status"] for c in data["checks"]}
    assert status["LZ-LOG-009"] == "not evaluated"
    assert data["findings"] == []
    # Everything else was read and evaluated: the organization, all six accounts, S3 Control's public access block
    # (its account-id host name sent to the override too), the trail, the key.
    assert data["accounts_audited"] == 6
    assert {k for k, v in status.items() if v != "pass"} == {"LZ-LOG-009"}
    assert {(n["service"], n["operation"]) for n in data["not_visible"]} == MOTO_GAPS | {
        ("cloudtrail", "get_event_selectors")}
    assert "incomplete audit: 1 check(s) not evaluated" in result.stderr


def test_every_format_shows_the_incomplete_audit(fresh_moto: str, tmp_path: Path) -> None:
    build_organization(fresh_moto, ["no-access-logging"])  # one medium finding too
    with fault_proxy(fresh_moto, Fault("GetEventSelectors")) as proxy:
        table = _cli(proxy.url, tmp_path)
        markdown = _cli(proxy.url, tmp_path, "--format", "markdown")
        sarif = _cli(proxy.url, tmp_path, "--format", "sarif", "--fail-on", "medium")
    assert table.returncode == 8 and markdown.returncode == 8  # the finding is below the default --fail-on high
    assert sarif.returncode == 7  # a finding at --fail-on wins over an incomplete audit
    for text in (table.stdout, markdown.stdout):
        assert "INCOMPLETE AUDIT: 1 needed read(s) gave nothing usable; 1 check(s) not evaluated" in text
        assert "cloudtrail:get_event_selectors in 123456789012/us-east-1: failed, InternalFailure" in text
        assert "LZ-LOG-009" in text and "LZ-LOG-007" in text
    assert "not evaluated: LZ-LOG-009" in table.stdout
    assert "Not evaluated: LZ-LOG-009 (The organization trail records read and write management events)" in \
        markdown.stdout
    run = json.loads(sarif.stdout)["runs"][0]
    assert run["properties"]["complete"] is False and run["properties"]["notEvaluated"] == ["LZ-LOG-009"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "missing read: cloudtrail:get_event_selectors in 123456789012/us-east-1: failed, InternalFailure: "
        "injected failure"]
    assert [r["ruleId"] for r in run["results"]] == ["LZ-LOG-007"]


@pytest.mark.parametrize("fault", [
    Fault("DescribeNetworkAcls", body=EC2_ERROR, times=1),  # one HTTP 500, then the answer
    Fault("GetEventSelectors", status=400, body=THROTTLED, times=1),  # throttled once
])
def test_a_transient_failure_is_retried_and_the_audit_is_complete(fresh_moto: str, fault: Fault) -> None:
    build_organization(fresh_moto)
    with fault_proxy(fresh_moto, fault) as proxy:
        found = discover(shared_session(), DiscoveryOptions(endpoint_url=proxy.url, home_region=HOME,
                                                            regions=(HOME,)))
    assert fault.seen >= 2
    report = run_audit(audit_context(found))
    assert report.complete and report.findings == []
    assert {(n.service, n.operation) for n in found.not_visible} == MOTO_GAPS


def test_a_throttled_read_still_failing_is_recorded_not_raised(fresh_moto: str) -> None:
    build_organization(fresh_moto)
    fault = Fault("ListRoles", status=400, body=b"<ErrorResponse><Error><Code>Throttling</Code><Message>Rate "
                  b"exceeded</Message></Error></ErrorResponse>")
    with fault_proxy(fresh_moto, fault) as proxy:
        found = discover(shared_session(), DiscoveryOptions(endpoint_url=proxy.url, home_region=HOME,
                                                            regions=(HOME,), max_attempts=3))
    failed = [n for n in found.not_visible if n.operation == "list_roles"]
    assert {(n.reason, n.error_code) for n in failed} == {("failed", "Throttling")}
    assert len(failed) == 6 and fault.seen == 18  # every account read (management too), three attempts each
    report = run_audit(audit_context(found))
    status = {r.check.id: r.status for r in report.results}
    assert status["LZ-IAM-001"] == status["LZ-IAM-002"] == status["LZ-IAM-004"] == "not evaluated"
    assert not report.complete


def test_endpoint_overrides_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    options = DiscoveryOptions()
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_S3_CONTROL": "http://127.0.0.1:6000"}
    assert endpoint_for("S3 Control", options, env) == "http://127.0.0.1:6000"
    assert endpoint_for("EC2", options, env) == "http://127.0.0.1:5000"
    assert endpoint_for("EC2", options, {**env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}) is None
    assert endpoint_for("EC2", DiscoveryOptions(endpoint_url="http://x:1"), env) == "http://x:1"
    for key in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL") or k.startswith("AWS_IGNORE_")]:
        monkeypatch.delenv(key)
    assert attempts(options) == 5  # against AWS
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5000")
    assert attempts(options) == 2  # an emulator
    assert attempts(DiscoveryOptions(max_attempts=4)) == 4
