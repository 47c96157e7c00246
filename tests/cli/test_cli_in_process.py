"""Bad input to every command group, run in this process through the console entry point (`landingzone.cli.main`:
the same parsing, messages and exit codes as the installed command, in milliseconds). The user paths keep
running as a subprocess in the other files of this folder.

Also: the enums of the choice options agree with the library's own lists, every choice is listed in --help, and
every command is documented in README.md or docs/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from landingzone import config as lzconfig
from landingzone.cli import app
from landingzone.cli.options import AuditFormat, DoctorAction, FailOn, OutputFormat, Preset
from landingzone.presets import preset
from tests.cli.conftest import run_in_process

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in an empty folder: no ./landingzone.yaml is picked up by default."""
    monkeypatch.chdir(tmp_path)


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "landingzone.yaml"
    lzconfig.save_config(preset("small"), path)
    return path


@pytest.mark.parametrize(("args", "option", "values"), [
    (["init", "--preset", "huge"], "--preset", "small, medium, large"),
    (["doctor", "--action", "deploy"], "--action", "plan, audit, preview, up, destroy"),
    (["preview", "--format", "xml"], "--format", "text, json, markdown"),
    (["up", "--format", "html", "--yes"], "--format", "text, json, markdown"),
    (["refresh", "-f", "yaml"], "--format", "text, json, markdown"),
    (["audit", "--format", "xml"], "--format", "table, json, markdown, sarif"),
    (["audit", "--fail-on", "critical"], "--fail-on", "low, medium, high"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_a_value_outside_a_choice_is_a_usage_error(args: list[str], option: str, values: str) -> None:
    done = run_in_process(*args)
    assert done.returncode == 2, done.stderr
    assert option in done.stderr and f"is not one of {values}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_option_is_a_usage_error() -> None:
    done = run_in_process("validate", "--no-such-option")
    assert done.returncode == 2
    assert "No such option" in done.stderr


def test_init_does_not_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "landingzone.yaml"
    target.write_text("keep me\n")
    done = run_in_process("init", "--output", str(target))
    assert done.returncode == 1
    assert "already exists; pass --force" in done.stderr
    assert target.read_text() == "keep me\n"


def test_validate_and_plan_without_a_file_say_how_to_create_one(tmp_path: Path) -> None:
    for command in ("validate", "plan", "preview", "outputs"):
        done = run_in_process(command, "--config", str(tmp_path / "missing.yaml"))
        assert done.returncode == 2, (command, done.stderr)
        assert "landingzone init --preset medium" in done.stderr, command


def test_up_refuses_without_yes_when_stdin_is_not_a_terminal(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANDINGZONE_PASSPHRASE", "x")
    done = run_in_process("up", "--config", str(_config(tmp_path)))
    assert done.returncode == 2
    assert "refusing to up without --yes" in done.stderr
    assert not (tmp_path / ".landingzone").exists()


def test_policies_show_refuses_an_unknown_id_and_bad_parameters() -> None:
    done = run_in_process("policies", "show", "deny-everything")
    assert done.returncode == 2
    assert "'deny-everything' is not a guardrail in the library" in done.stderr
    for param, message in (("allowed_regions", "is not NAME=VALUE"),
                           ("no_such=1", "has no parameter 'no_such'")):
        done = run_in_process("policies", "show", "deny-unapproved-regions", "--param", param)
        assert done.returncode == 2, param
        assert message in done.stderr, (param, done.stderr)


def test_policies_lint_needs_something_to_lint() -> None:
    done = run_in_process("policies", "lint")
    assert done.returncode == 1
    assert "nothing to lint" in done.stderr
    done = run_in_process("policies", "lint", "--plan")
    assert done.returncode == 1
    assert "--plan needs a configuration" in done.stderr


def test_policies_lint_names_an_unreadable_file(tmp_path: Path) -> None:
    done = run_in_process("policies", "lint", str(tmp_path / "missing.json"))
    assert done.returncode == 1
    assert "missing.json does not exist" in done.stderr


def test_policies_simulate_needs_exactly_one_place_and_key_value_context(tmp_path: Path) -> None:
    base = ("policies", "simulate", "--action", "s3:GetObject", "--principal", "arn:aws:iam::111122223333:role/x")
    for where, says in (((), "give exactly one of --account"),
                        (("--account", "production", "--ou", "Workloads"), "give at most one of --account")):
        done = run_in_process(*base, *where)
        assert done.returncode == 1, where
        assert says in done.stderr
    done = run_in_process(*base, "--account", "production", "--context", "novalue")
    assert done.returncode == 1
    assert "--context: 'novalue' is not KEY=VALUE" in done.stderr


def test_the_choice_enums_match_the_library() -> None:
    from landingzone.audit.model import Severity
    from landingzone.audit.report import FORMATS
    from landingzone.presets import PRESETS
    from landingzone.toolchain import ACTION_NEEDS

    assert [p.value for p in Preset] == list(PRESETS)
    assert {a.value for a in DoctorAction} == set(ACTION_NEEDS)
    assert [f.value for f in AuditFormat] == list(FORMATS)
    assert {f.value for f in FailOn} == {s.value for s in Severity}
    assert {f.value for f in OutputFormat} == {"text", "json", "markdown"}


def _commands() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []

    def walk(cmd: object, prefix: str) -> None:
        for name, sub in getattr(cmd, "commands", {}).items():
            full = f"{prefix}{name}"
            if getattr(sub, "commands", None):
                walk(sub, full + " ")
            else:
                found.append((full, sub))

    walk(typer.main.get_group(app), "")
    return found


def test_every_choice_is_listed_in_help() -> None:
    for name, command in _commands():
        for param in getattr(command, "params", []):
            metavar = getattr(param, "metavar", None) or ""
            if metavar.startswith("<") and "|" in metavar:
                done = run_in_process(*name.split(), "--help")
                assert metavar in done.stdout, (name, metavar)


def test_every_command_is_documented_in_the_readme_or_docs() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    text += "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").glob("*.md")))
    names = [name for name, _ in _commands()]
    assert len(names) >= 15  # init ... outputs, plan, audit, policies list|show|lint|simulate
    undocumented = [name for name in names
                    if not re.search(rf"(landingzone |`){re.escape(name)}(\s|`|\[)", text)]
    assert undocumented == []
