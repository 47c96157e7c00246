"""Engine smoke test: the real pulumi CLI and the real Automation API on a file:// backend in a temp dir.

An inline program with no cloud resources (it exports values from its stack config), so this needs no provider
plugin: preview, up, outputs, a second up with no changes, destroy. With CI set and no CLI it fails; it skips only
on a developer machine, saying why."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest
from pulumi import automation as auto

from landingzone import toolchain
from tests.engine.engine_support import require_pulumi


@pytest.fixture
def pulumi_command() -> auto.PulumiCommand:
    return toolchain.pulumi_command(require_pulumi())


def _program() -> None:
    conf = pulumi.Config()
    pulumi.export("greeting", f"hello {conf.require('who')}")
    pulumi.export("regions", conf.require_object("regions"))
    pulumi.export("token", conf.require_secret("token"))


def test_inline_program_lifecycle(tmp_path: Path, pulumi_command: auto.PulumiCommand) -> None:
    state = tmp_path / "state"
    state.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    secret = "s3cr3t-token-value"
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(work),
        pulumi_home=str(tmp_path / "home"),
        pulumi_command=pulumi_command,
        project_settings=auto.ProjectSettings(
            name="lz-smoke", runtime="python", backend=auto.ProjectBackend(state.as_uri())
        ),
        env_vars={"PULUMI_CONFIG_PASSPHRASE": "smoke-passphrase", "PULUMI_SKIP_UPDATE_CHECK": "true"},
    )
    stack = auto.create_or_select_stack("smoke", project_name="lz-smoke", program=_program, opts=opts)
    stack.set_config("who", auto.ConfigValue("landing zone"))
    stack.set_config("regions", auto.ConfigValue('["us-east-1","eu-west-1"]'))
    stack.set_config("token", auto.ConfigValue(secret, secret=True))

    preview = stack.preview()
    assert preview.change_summary.get("create") == 1  # the stack resource itself

    up = stack.up()
    assert up.summary.result == "succeeded"
    assert up.outputs["greeting"].value == "hello landing zone"
    assert up.outputs["regions"].value == ["us-east-1", "eu-west-1"]
    assert up.outputs["token"].secret is True

    outputs = stack.outputs()
    assert outputs["greeting"].value == "hello landing zone"

    again = stack.up()
    assert again.summary.resource_changes == {"same": 1}
    no_change = stack.preview(expect_no_changes=True)
    assert set(no_change.change_summary) == {"same"}

    # The secret is encrypted in state, not stored in the clear.
    state_text = "".join(p.read_text(errors="replace") for p in state.rglob("*.json"))
    assert state_text and secret not in state_text

    destroyed = stack.destroy()
    assert destroyed.summary.result == "succeeded"
    assert stack.outputs() == {}
    stack.workspace.remove_stack("smoke")
