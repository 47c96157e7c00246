"""The welcome screen's discovery (landingzone.discovery.summarize_organization) against a real moto server over
HTTP (127.0.0.1, a free port)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto.server import ThreadedMotoServer
from textual.widgets import Input

from landingzone.discovery import DiscoveryOptions, OrganizationSummary, summarize_organization
from tests.tui.conftest import run, settle, text_of
from tui.app import make_app
from tui.screens.welcome import summary_lines


@pytest.fixture
def moto_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # A threaded moto server keeps its state in this process's moto backends, shared by every server started
    # here: start each test from an empty AWS.
    urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST"),
                           timeout=30).close()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def summarize(moto_url: str, session: boto3.Session | None = None) -> OrganizationSummary:
    return summarize_organization(session or boto3.Session(region_name="us-east-1"),
                                  DiscoveryOptions(endpoint_url=moto_url))


def test_discovery_without_an_organization(moto_url: str) -> None:
    summary = summarize(moto_url)
    assert summary.organization_id is None and summary.organization_visible
    assert not summary.is_management_account
    assert summary.not_visible == []
    assert "in no organization" in " ".join(summary_lines(summary))


def test_member_account_credentials_see_the_organization_but_are_not_its_management(moto_url: str) -> None:
    orgs = boto3.client("organizations", endpoint_url=moto_url, region_name="us-east-1")
    org = orgs.create_organization(FeatureSet="ALL")["Organization"]
    member = orgs.create_account(Email="aws-one@example.com", AccountName="one")["CreateAccountStatus"]["AccountId"]
    sts = boto3.client("sts", endpoint_url=moto_url, region_name="us-east-1")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
                            RoleSessionName="welcome-test")["Credentials"]
    session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"], region_name="us-east-1")

    summary = summarize(moto_url, session)
    assert summary.caller_account_id == member
    assert summary.organization_id == org["Id"]
    assert summary.management_account_id == org["MasterAccountId"] != member
    assert not summary.is_management_account
    assert f"is a member account (management account: {org['MasterAccountId']})" in " ".join(summary_lines(summary))


def test_refused_account_listing_is_shown_not_hidden(moto_url: str) -> None:
    """moto answers every Organizations read for any caller, so a before-call hook answers ListAccounts with
    AccessDenied, as AWS does for a caller without organizations:ListAccounts. The only mocked response here."""
    orgs = boto3.client("organizations", endpoint_url=moto_url, region_name="us-east-1")
    org = orgs.create_organization(FeatureSet="ALL")["Organization"]

    def refuse(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return (AWSResponse("https://organizations.us-east-1.amazonaws.com/", 403, {}, None),
                {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"},
                 "ResponseMetadata": {"HTTPStatusCode": 403}})

    session = boto3.Session(region_name="us-east-1")
    session.events.register("before-call.organizations.ListAccounts", refuse)
    summary = summarize(moto_url, session)
    assert summary.is_management_account and summary.organization_id == org["Id"]
    assert summary.root_id is not None  # list_roots was not refused
    assert summary.account_count is None
    assert [(n.service, n.operation, n.error_code) for n in summary.not_visible] == [
        ("organizations", "list_accounts", "AccessDeniedException")]
    text = " ".join(summary_lines(summary))
    assert "organizations:list_accounts is not visible from this account (AccessDeniedException)" in text
    assert "account(s)" not in text


def test_welcome_shows_what_the_credentials_see(moto_url: str, tmp_path: Path) -> None:
    orgs = boto3.client("organizations", endpoint_url=moto_url, region_name="us-east-1")
    org = orgs.create_organization(FeatureSet="ALL")["Organization"]
    orgs.create_account(Email="aws-one@example.com", AccountName="one")
    root_id = orgs.list_roots()["Roots"][0]["Id"]

    app = make_app(None, config_path=tmp_path / "landingzone.yaml")
    app.state.data["aws"]["endpoint"] = moto_url
    seen: dict[str, Any] = {}

    async def drive() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            screen = app.screen
            seen["doctor"] = text_of(screen.query_one("#doctor"))
            seen["discovery"] = text_of(screen.query_one("#discovery"))
            seen["org"] = screen.query_one("#existing-id", Input).value
            seen["root"] = screen.query_one("#existing-root-id", Input).value

    run(drive())
    assert "AWS identity" in seen["doctor"]
    discovered = " ".join(seen["discovery"].split())
    assert f"Organization {org['Id']}" in discovered
    assert "is the management account" in discovered
    assert "It has 2 account(s)" in discovered
    # The ids are offered for adoption, but the choice stays "new organization" until the user makes it.
    assert seen["org"] == org["Id"] and seen["root"] == root_id
    assert app.state.data["organization"]["existing_id"] is None
