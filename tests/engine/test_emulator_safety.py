"""The emulated plugin never reaches real AWS: without an endpoint it refuses every call."""

from __future__ import annotations

from typing import Any

import pulumi_aws as paws
import pytest
from pulumi.automation import errors as auto_errors


def test_provider_without_endpoint_refuses(
    inline_stack: Any, monkeypatch: pytest.MonkeyPatch, engine_env: dict[str, str]
) -> None:
    def program() -> None:
        paws.organizations.Organization("org", feature_set="ALL")  # default provider, no endpoints

    env = {k: v for k, v in engine_env.items() if k != "AWS_ENDPOINT_URL"}
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    stack = inline_stack(program, stack="no-endpoint")
    stack.workspace.env_vars = env
    with pytest.raises(auto_errors.CommandError, match="only talks to an emulated AWS"):
        stack.up()
