"""Run `landingzone` as a user does (a subprocess with the project's interpreter), or in this process through the
same entry point for the fast bad-input cases."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str | None] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(REPO)
    full_env.setdefault("COLUMNS", "200")
    for key, value in (env or {}).items():  # None removes a variable
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    return subprocess.run([sys.executable, "-m", "landingzone", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    return run_cli


@dataclass
class InProcessResult:
    """What a run of `landingzone` in this process printed and returned (the fields of CompletedProcess that the
    tests read)."""

    returncode: int
    stdout: str
    stderr: str


def run_in_process(*args: str, stdin: str = "") -> InProcessResult:
    """Run `landingzone ARGS` through its console entry point (:func:`landingzone.cli.main`) in this process: the
    same parsing, error reporting and exit codes as the installed command, without starting an interpreter. For
    bad-input cases; the user paths (init, plan, audit, the engine commands) keep running as a subprocess."""
    from landingzone.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _stdin(io.StringIO(stdin)):
        code = main(list(args))
    return InProcessResult(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _stdin(stream: io.StringIO) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = stream  # not a terminal: commands that would ask refuse instead
    try:
        yield
    finally:
        sys.stdin = saved
