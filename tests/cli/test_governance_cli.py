"""`landingzone root-credentials` and `landingzone plan --format markdown|mermaid`, as a user runs them.

root-credentials runs in this process (the console entry point, landingzone.cli.main) so that the two calls moto
cannot answer are replaced: moto has no sts:AssumeRoot and no root user whose credentials IAM could list or
delete, so RootCredentialsClient.from_session returns botocore-Stubbed STS and IAM clients (the same stubs as
tests/unit/test_root_credentials.py). The organization's member accounts come from a real moto server over HTTP.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

import landingzone.root_credentials as rc
from tests.cli.conftest import run_cli, run_in_process
from tests.unit.test_diagram import parse
from tests.unit.test_root_credentials import REGION, RootIam, _assume_root, _holding, _sts


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    requests.post(f"{endpoint}/moto-api/reset", timeout=30).raise_for_status()  # moto's state is per process
    org = boto3.client("organizations", region_name=REGION, endpoint_url=endpoint)
    org.create_organization(FeatureSet="ALL")
    org.create_account(AccountName="production", Email="production@example.com")
    try:
        yield endpoint
    finally:
        server.stop()


def _production(endpoint: str) -> str:
    org = boto3.client("organizations", region_name=REGION, endpoint_url=endpoint)
    return next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] == "production")


def _stub_client(monkeypatch: pytest.MonkeyPatch, prod: str, *, delete: bool) -> tuple[Any, RootIam]:
    sts, sts_stub = _sts()
    iam = RootIam()
    _assume_root(sts_stub, prod, rc.AUDIT_TASK, 1)
    _holding(iam.session(1), password=True, keys=["AKIAROOTKEY000000001"], mfa=[], certs=[])
    if delete:
        _assume_root(sts_stub, prod, rc.DELETE_TASK, 2)
        stub = iam.session(2)
        stub.add_response("delete_access_key", {}, {"AccessKeyId": "AKIAROOTKEY000000001"})
        stub.add_response("delete_login_profile", {}, {})
    sts_stub.activate()
    monkeypatch.setattr(rc.RootCredentialsClient, "from_session",
                        classmethod(lambda cls, session, region, endpoint=None: cls(sts, iam.factory, region)))
    return sts_stub, iam


def test_without_yes_it_lists_and_deletes_nothing(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    prod = _production(moto_endpoint)
    sts_stub, iam = _stub_client(monkeypatch, prod, delete=False)
    monkeypatch.chdir(tmp_path)  # no landingzone.yaml here
    result = run_in_process("root-credentials", "--account", "production", "--aws-endpoint", moto_endpoint)
    assert result.returncode == 0, result.stderr
    assert f"production ({prod}): console password; access key AKIA...0001" in result.stdout
    assert "Nothing was deleted; run again with --yes to delete exactly these." in result.stderr
    sts_stub.assert_no_pending_responses()  # no delete session was opened
    for stub in iam.stubs.values():
        stub.assert_no_pending_responses()


def test_with_yes_it_shows_what_it_deletes_then_deletes_it(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    prod = _production(moto_endpoint)
    sts_stub, iam = _stub_client(monkeypatch, prod, delete=True)
    monkeypatch.chdir(tmp_path)
    result = run_in_process("root-credentials", "--account", prod, "--yes", "--aws-endpoint", moto_endpoint)
    assert result.returncode == 0, result.stderr
    assert "Deleting them:\n  production: console password; access key AKIA...0001" in result.stderr
    assert "production: deleted access key AKIA...0001; console password" in result.stdout
    sts_stub.assert_no_pending_responses()
    for stub in iam.stubs.values():
        stub.assert_no_pending_responses()


def test_an_unknown_account_is_a_usage_error(moto_endpoint: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_in_process("root-credentials", "--account", "nope", "--aws-endpoint", moto_endpoint)
    assert result.returncode == 2
    assert "'nope' is not an active member account" in result.stderr


def test_plan_mermaid_and_markdown(tmp_path: Path) -> None:
    assert run_cli("init", "--preset", "medium", cwd=tmp_path).returncode == 0
    mermaid = run_cli("plan", "--format", "mermaid", cwd=tmp_path)
    assert mermaid.returncode == 0, mermaid.stderr
    nodes, tree, attached = parse(mermaid.stdout)
    assert sum(kind == "account" for kind, _ in nodes.values()) == 5 and len(tree) == 11 and attached
    markdown = run_cli("plan", "--format", "markdown", "--workers", "1", cwd=tmp_path)
    assert markdown.returncode == 0, markdown.stderr
    text = markdown.stdout
    assert text.startswith("### landingzone plan: `acme-landing-zone`")
    assert f"```mermaid\n{mermaid.stdout}```" in text
    assert "| governance | `acme-landing-zone-governance` |" in text
    assert "Centralized root access: RootCredentialsManagement, RootSessions." in text
    bad = run_cli("plan", "--format", "svg", cwd=tmp_path)
    assert bad.returncode == 2 and "'svg' is not one of text, json, markdown, mermaid" in bad.stderr


def test_preview_markdown_pictures_the_organization() -> None:
    from landingzone.cli.render import render_markdown
    from landingzone.diagram import organization_mermaid
    from landingzone.orchestrator import RunResult
    from landingzone.presets import preset

    diagram = organization_mermaid(preset("medium"))
    text = render_markdown(RunResult("preview"), "lz", diagram)
    assert f"```mermaid\n{diagram}```" in text
    assert render_markdown(RunResult("preview"), "lz").count("```mermaid") == 0
