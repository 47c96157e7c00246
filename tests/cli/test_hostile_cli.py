"""Hostile and broken configuration files through the CLI, in a subprocess, as CI on a pull request would run
them: each ends with exit code 2 and one clear message (never a traceback, never the file's content, never a
credential) within a time bound, or validates."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from landingzone.presets import preset_data
from landingzone.redact import REDACTED
from tests.cli.conftest import run_cli
from tests.hostile import corpus

CLI_BOUND_SECONDS = 20.0
"""A refusal comes in well under a second in the library (tests/hostile/test_safeyaml.py); this bound covers the
interpreter's start and imports on a loaded 2-core CI machine. A hang (the old behaviour) never ends."""

Maker = Callable[[Path], str]


def _file(text: str | bytes) -> Maker:
    def make(tmp: Path) -> str:
        path = tmp / "landingzone.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)
    return make


def _fifo(tmp: Path) -> str:
    path = tmp / "landingzone.yaml"
    os.mkfifo(path)
    return str(path)


def _directory(tmp: Path) -> str:
    (tmp / "conf.d").mkdir()
    return str(tmp / "conf.d")


def _socket(tmp: Path) -> str:
    path = tmp / "lz.sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()  # the socket file stays
    return str(path)


def _sparse(tmp: Path) -> str:
    path = tmp / "landingzone.yaml"
    with path.open("wb") as fh:
        fh.truncate(64 * 1024 * 1024)
    return str(path)


def _symlink_to(text: str) -> Maker:
    def make(tmp: Path) -> str:
        target = tmp / "shadow"
        target.write_text(text)
        link = tmp / "landingzone.yaml"
        link.symlink_to(target)
        return str(link)
    return make


def _symlink_to_dev_zero(tmp: Path) -> str:
    link = tmp / "landingzone.yaml"
    link.symlink_to("/dev/zero")
    return str(link)


def _literal(path: str) -> Maker:
    return lambda tmp: path


SHADOW_LINE = corpus.shadow_like().splitlines()[0]

# (id, file maker, fragments the output must hold, strings it must not hold)
CASES: list[tuple[str, Maker, list[str], list[str]]] = [
    ("billion-laughs", _file(corpus.billion_laughs()), ["expands to more than 250,000 values"], ["lol"]),
    ("quadratic-blowup", _file(corpus.quadratic_blowup()), ["expands to more than 250,000 values"], []),
    ("dev-zero", _literal("/dev/zero"), ["/dev/zero is a character device, not a regular file", "1 MiB"], []),
    ("symlink-to-dev-zero", _symlink_to_dev_zero, ["is a character device"], []),
    ("fifo", _fifo, ["is a FIFO (named pipe), not a regular file"], []),
    ("directory", _directory, ["is a directory, not a regular file"], []),
    ("socket", _socket, ["is a socket, not a regular file"], []),
    ("64-mib-file", _sparse, ["67,108,864 bytes; a configuration may be at most 1,048,576 bytes (1 MiB)"], []),
    ("proc-environ", _literal("/proc/self/environ"), ["NUL byte at byte offset"], ["PATH="]),
    ("nul-byte", _file(b"name: acme\n\0\n"), ["NUL byte at byte offset 11 (line 2, column 1)"], []),
    ("utf-16", _file("name: acme\n".encode("utf-16")), ["NUL byte", "UTF-16"], []),
    ("invalid-utf8", _file(b"name: caf\xe9\n"), ["invalid UTF-8 at byte offset 9 (line 1, column 10)"], []),
    ("deep-flow-nesting", _file(corpus.deep_flow()), ["nested more than 64 levels deep"], []),
    ("deep-block-nesting", _file(corpus.deep_block()), ["nested more than 64 levels deep"], []),
    ("deep-ou-tree", _file(corpus.deep_ou_tree()), ["nested more than 64 levels deep"], []),
    ("huge-scalar", _file(corpus.huge_scalar()), ["name: ", "(900,000 characters)"], ["a" * 100]),
    ("duplicate-keys", _file(corpus.duplicate_keys()), ["the key 'name' appears twice"], []),
    ("python-object-tag", _file(corpus.python_tag()), ["'!!python/object/apply:os.system' is not allowed"],
     ["pwned"]),
    ("binary-tag", _file(corpus.binary_tag()), ["'!!binary' is not allowed"], []),
    ("two-documents", _file(corpus.medium_text() + "---\n" + corpus.medium_text()), ["a second YAML document"], []),
    ("symlink-to-shadow-like", _symlink_to(corpus.shadow_like()), ["not a landing zone configuration"],
     [SHADOW_LINE.split(":")[0] + ":", "$6$"]),
    ("credentials-ini", _file(corpus.credentials_file()), ["not valid YAML"],
     [corpus.ACCESS_KEY, corpus.SECRET_KEY, corpus.SESSION_TOKEN[:40]]),
    ("credentials-yaml", _file(corpus.credentials_as_yaml()), ["not a landing zone configuration"],
     [corpus.ACCESS_KEY, corpus.SECRET_KEY, corpus.SESSION_TOKEN[:40], "aws_access_key_id"]),
    ("secrets-in-values", _file(corpus.config_with_secrets_in_values()), [REDACTED],
     [corpus.ACCESS_KEY, corpus.SECRET_KEY, corpus.SESSION_TOKEN[:40]]),
    ("many-problems", _file(corpus.many_problems()), ["... and ", "more problems (fix the first 50"], []),
    ("confusable-account-name", _file(corpus.confusable_account_name()),
     ["accounts[3].name", "U+043E"], []),
    ("confusable-email", _file(corpus.confusable_email()), ["accounts[3].email", "U+043E"], []),
    ("confusable-ou-name", _file(corpus.confusable_ou_name()), ["organizational_units[3].name: ",
                                                                 "not a valid OU name"], []),
    ("arabic-indic-account-id", _file(corpus.foreign_digits_account_id()),
     ["accounts[3].existing_id: ", "is not an AWS account id"], []),
    ("confusable-role-name", _file(corpus.confusable_role_name()), ["access_role_name: ",
                                                                     "is not a valid IAM role name"], []),
    ("scalar-document", _file("just some text\n"), ["not a landing zone configuration"], ["just some text"]),
    ("list-document", _file("- a\n- b\n"), ["not a landing zone configuration"], []),
    ("empty-file", _file(""), ["the file is empty"], []),
]


def _run(path: str, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, float]:
    started = time.monotonic()
    proc = run_cli("validate", "--config", path, *args, env=env, timeout=CLI_BOUND_SECONDS)
    elapsed = time.monotonic() - started
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output[-2000:]
    return proc.returncode, output, elapsed


@pytest.mark.parametrize(("case", "make", "fragments", "forbidden"), CASES, ids=[c[0] for c in CASES])
def test_hostile_file_is_refused(tmp_path: Path, case: str, make: Maker, fragments: list[str],
                                 forbidden: list[str]) -> None:
    code, output, elapsed = _run(make(tmp_path))
    assert code == 2, output[-2000:]
    assert elapsed < CLI_BOUND_SECONDS
    for fragment in fragments:
        assert fragment in output, (fragment, output[-2000:])
    for text in forbidden:
        assert text not in output, (text, output[-2000:])
    assert len(output) < 12_000, "never the file's content"


def test_many_problems_lists_fifty(tmp_path: Path) -> None:
    code, output, _ = _run(_file(corpus.many_problems())(tmp_path))
    assert code == 2
    lines = output.splitlines()
    assert len([line for line in lines if line.startswith("  accounts[")]) == 50
    assert lines[-1].startswith("  ... and ")


def test_yaml_11_booleans_stay_strings(tmp_path: Path) -> None:
    code, output, elapsed = _run(_file(corpus.yaml11_booleans())(tmp_path))
    assert code == 0, output
    assert "valid" in output and elapsed < CLI_BOUND_SECONDS


def test_anchors_and_merge_keys_are_fine(tmp_path: Path) -> None:
    code, output, _ = _run(_file(corpus.merge_keys())(tmp_path))
    assert code == 0, output
    assert "valid (5 accounts" in output


def test_the_passphrase_is_never_echoed(tmp_path: Path) -> None:
    passphrase = "pass-phrase-typed-in-ci"
    doc = preset_data("medium")
    doc["accounts"][2]["email"] = passphrase
    path = tmp_path / "lz.yaml"
    path.write_text(corpus.dump(doc))
    code, output, _ = _run(str(path), env={"LANDINGZONE_PASSPHRASE": passphrase})
    assert code == 2 and "accounts[2].email" in output
    assert passphrase not in output and REDACTED in output


def test_refusal_names_the_file(tmp_path: Path) -> None:
    path = _file(corpus.billion_laughs())(tmp_path)
    _, output, _ = _run(path)
    assert output.startswith(f"error: {path}: 1 configuration problem:")


def test_other_commands_refuse_the_same_way(tmp_path: Path) -> None:
    """plan and doctor read the configuration through the same loader."""
    path = _file(corpus.billion_laughs())(tmp_path)
    for command in (["plan"], ["doctor", "--action", "plan"]):
        started = time.monotonic()
        proc = run_cli(*command, "--config", path, timeout=CLI_BOUND_SECONDS)
        assert proc.returncode == 2, proc.stderr
        assert "expands to more than 250,000 values" in proc.stderr
        assert time.monotonic() - started < CLI_BOUND_SECONDS


def test_ordinary_output_is_redacted_too(tmp_path: Path) -> None:
    """Not only errors: every line the CLI prints goes through the redaction (here the path echoed by a successful
    validate holds an access key id)."""
    folder = tmp_path / corpus.ACCESS_KEY
    folder.mkdir()
    path = folder / "landingzone.yaml"
    path.write_text(corpus.medium_text())
    code, output, _ = _run(str(path))
    assert code == 0, output
    assert f"{REDACTED}/landingzone.yaml: valid" in output and corpus.ACCESS_KEY not in output


def test_doctor_warns_about_a_readable_landingzone_dir(tmp_path: Path) -> None:
    from tests.cli.test_commands import NO_AWS

    lz = tmp_path / "landingzone.yaml"
    lz.write_text(corpus.medium_text())
    state = tmp_path / ".landingzone" / "state"
    state.mkdir(parents=True, mode=0o700)
    (tmp_path / ".landingzone").chmod(0o700)
    proc = run_cli("doctor", "--action", "plan", "--config", str(lz), cwd=tmp_path, env=NO_AWS,
                   timeout=CLI_BOUND_SECONDS)
    assert proc.returncode == 0 and "is readable by its owner only" in proc.stdout, proc.stdout
    state.chmod(0o755)
    proc = run_cli("doctor", "--action", "plan", "--config", str(lz), cwd=tmp_path, env=NO_AWS,
                   timeout=CLI_BOUND_SECONDS)
    assert proc.returncode == 0, "a warning, not a blocker"
    assert "[ warn  ]" in proc.stdout and f"{state} (rwxr-xr-x)" in proc.stdout, proc.stdout
    assert f"fix: chmod -R go-rwx {tmp_path / '.landingzone'}" in proc.stdout
