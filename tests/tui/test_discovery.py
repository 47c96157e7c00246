"""The welcome screen's discovery against a real moto server over HTTP (127.0.0.1, a free port)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.tui.conftest import run, settle, text_of
from tui.app import make_app
from tui.discovery import discover


@pytest.fixture
def moto_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_discovery_without_an_organization(moto_url: str) -> None:
    summary = discover(moto_url)
    assert summary.organization_id is None
    assert not summary.is_management_account
    assert "in no organization" in " ".join(summary.lines())


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
            seen["org"] = screen.query_one("#existing-id").value
            seen["root"] = screen.query_one("#existing-root-id").value

    run(drive())
    assert "AWS identity" in seen["doctor"]
    discovered = " ".join(seen["discovery"].split())
    assert f"Organization {org['Id']}" in discovered
    assert "is the management account" in discovered
    assert "It has 2 account(s)" in discovered
    # The ids are offered for adoption, but the choice stays "new organization" until the user makes it.
    assert seen["org"] == org["Id"] and seen["root"] == root_id
    assert app.state.data["organization"]["existing_id"] is None
