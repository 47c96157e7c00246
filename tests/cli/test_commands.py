"""The foundation commands as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from landingzone import config as lzconfig
from landingzone.cli import app
from landingzone.presets import preset
from tests.cli.conftest import run_cli

NO_AWS: dict[str, str | None] = {
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_ACCESS_KEY_ID": None,
    "AWS_SECRET_ACCESS_KEY": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_PROFILE": None,
    "AWS_DEFAULT_REGION": "us-east-1",
}


def test_init_medium_then_validate(tmp_path: Path) -> None:
    proc = run_cli("init", "--preset", "medium", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    written = tmp_path / "landingzone.yaml"
    assert written.exists()
    assert lzconfig.load_config(written) == preset("medium")
    proc = run_cli("validate", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "valid (5 accounts, 6 OUs" in proc.stdout


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "lz.yaml"
    target.write_text("keep me\n")
    proc = run_cli("init", "--preset", "small", "--output", str(target))
    assert proc.returncode != 0
    assert "--force" in proc.stderr
    assert target.read_text() == "keep me\n"
    proc = run_cli("init", "--preset", "small", "--output", str(target), "--force")
    assert proc.returncode == 0, proc.stderr
    assert lzconfig.load_config(target) == preset("small")


def test_init_unknown_preset(tmp_path: Path) -> None:
    proc = run_cli("init", "--preset", "huge", "--output", str(tmp_path / "x.yaml"))
    assert proc.returncode != 0
    assert "small, medium, large" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_schema_is_valid_json_schema() -> None:
    proc = run_cli("schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "accounts" in schema["properties"]


def test_every_command_has_help_with_an_example() -> None:
    import typer.main

    group = typer.main.get_group(app)
    missing = []

    def walk(cmd, prefix):  # type: ignore[no-untyped-def]
        for name, sub in getattr(cmd, "commands", {}).items():
            if getattr(sub, "commands", None):
                walk(sub, prefix + [name])
                continue
            text = (sub.help or "")
            if not text.strip() or "Example:" not in text:
                missing.append(" ".join(prefix + [name]))

    walk(group, [])
    assert missing == []


def test_doctor_without_credentials_is_readable(tmp_path: Path) -> None:
    lz = tmp_path / "landingzone.yaml"
    lz.write_text(lzconfig.commented_yaml(preset("small")))
    proc = run_cli("doctor", "--action", "audit", "--config", str(lz), cwd=tmp_path, env=NO_AWS)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "no AWS credentials found" in proc.stdout
    assert "fix: export AWS_PROFILE" in proc.stdout
    assert "Next step" in proc.stdout


def test_doctor_plan_needs_nothing(tmp_path: Path) -> None:
    proc = run_cli("doctor", "--action", "plan", "--config", str(tmp_path / "none.yaml"), cwd=tmp_path, env=NO_AWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ready for `landingzone plan`" in proc.stdout


def test_doctor_never_prints_the_passphrase(tmp_path: Path) -> None:
    secret = "correct-horse-battery-staple-42"
    proc = run_cli("doctor", "--action", "up", "--config", str(tmp_path / "none.yaml"), cwd=tmp_path,
                   env={**NO_AWS, "LANDINGZONE_PASSPHRASE": secret})
    assert "secrets passphrase set (from LANDINGZONE_PASSPHRASE)" in proc.stdout
    assert secret not in proc.stdout + proc.stderr


def test_usage_error_exits_2_without_traceback() -> None:
    proc = run_cli("validate", "--no-such-option")
    assert proc.returncode == 2
    assert "No such option" in proc.stderr
    assert "Traceback" not in proc.stderr
