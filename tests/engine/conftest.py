"""Fixtures for engine tests: a moto server, the emulated aws plugin on PATH, a throwaway pulumi home/backend.

- `moto` (per test): a fresh `moto_server` subprocess on 127.0.0.1 and a free port; its endpoint URL.
  `running_moto_server(log)` is the same as a context manager (e.g. for a session-wide server).
- `engine_env` (per test): fake AWS credentials, AWS_ENDPOINT_URL -> moto, tests/emulator first on PATH,
  PULUMI_HOME and a file:// backend in tmp dirs, a passphrase, the emulator's own state file; applied to
  os.environ for the test (monkeypatch) and returned as a dict (for LocalWorkspaceOptions.env_vars).
- `pulumi_cli` (session): the cached pulumi CLI; FAILS when it is missing and CI is set, skips otherwise,
  saying why.
- `pulumi_command`: a pulumi.automation.PulumiCommand for it. `inline_stack`: inline-program stacks.
- `aws`: boto3 clients against moto, optionally inside a member account (through sts:AssumeRole).

Every test under tests/engine gets the `engine` marker.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest

EMULATOR_DIR = Path(__file__).resolve().parents[1] / "emulator"


def single_host(request: Any, **_: Any) -> None:
    """S3 Control puts the account id in front of the host (<id>.s3-control...); moto is one host."""
    request.url = re.sub(r"^(https?://)\d{12}\.", r"\1", request.url)
REGION = "us-east-1"
MANAGEMENT_ACCOUNT = "123456789012"
"""moto's default account: the credentials of the fixture act as the management account."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.engine)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer on {url} within {timeout}s")


@contextmanager
def running_moto_server(log: Path) -> Iterator[str]:
    """A moto server in its own process (the engine, plugins and tests all reach it over HTTP)."""
    for _ in range(3):
        port = _free_port()
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                # AWS managed policies (arn:aws:iam::aws:policy/...) exist only when moto loads them.
                env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
            )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for(url, proc)
        except RuntimeError:
            proc.kill()
            proc.wait()
            continue  # the port was taken between probing and binding: try another one
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return
    raise RuntimeError(f"could not start moto_server (see {log})")


@pytest.fixture
def moto(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty moto server for this test (its log: <tmp_path>/moto.log).

    A new process per test (about a second) rather than /moto-api/reset on a shared one: with AWS managed
    policies loaded, a reset re-initialises IAM for every account a test created and took 5-12 s here.
    """
    with running_moto_server(tmp_path / "moto.log") as url:
        yield url


def engine_environment(moto: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment the engine, the emulator and boto3 in the test share (applied to os.environ through
    ``monkeypatch``; a module-scoped provisioning passes a ``pytest.MonkeyPatch.context()``)."""
    home = tmp_path / "pulumi-home"
    state = tmp_path / "state"
    home.mkdir()
    state.mkdir()
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAEMULATORTESTKEY",
        "AWS_SECRET_ACCESS_KEY": "emulator-secret-" + secrets.token_hex(8),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": moto,
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "PATH": f"{EMULATOR_DIR}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": state.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "emulator-passphrase-" + secrets.token_hex(8),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "LANDINGZONE_EMULATOR_STATE": str(tmp_path / "emulator-state.json"),
    }
    for var in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_CONFIG_PASSPHRASE_FILE",
        "PULUMI_IGNORE_AMBIENT_PLUGINS",
    ):
        monkeypatch.delenv(var, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def engine_env(moto: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment the engine, the emulator and boto3 in the test share (applied to os.environ)."""
    return engine_environment(moto, tmp_path, monkeypatch)


@pytest.fixture(scope="session")
def pulumi_cli() -> Any:
    """The pulumi CLI: fails in CI when it is missing, skips (saying why) elsewhere."""
    from tests.engine.engine_support import require_pulumi

    return require_pulumi()


@pytest.fixture(scope="session")
def pulumi_command(pulumi_cli: Any) -> Any:
    from landingzone.toolchain import pulumi_command as make_command

    return make_command(pulumi_cli)


StackFactory = Callable[..., Any]


@pytest.fixture
def inline_stack(engine_env: dict[str, str], pulumi_command: Any, tmp_path: Path) -> StackFactory:
    """`inline_stack(program, stack="dev", project="emulator")` -> a Stack on the test's backend."""
    from pulumi import automation as auto

    def make(program: Callable[[], None], *, stack: str = "dev", project: str = "emulator") -> Any:
        work_dir = tmp_path / "work" / f"{project}-{stack}"
        work_dir.mkdir(parents=True, exist_ok=True)
        settings = auto.ProjectSettings(
            name=project, runtime="python", backend=auto.ProjectBackend(engine_env["PULUMI_BACKEND_URL"])
        )
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(work_dir),
            pulumi_home=engine_env["PULUMI_HOME"],
            env_vars=engine_env,
            project_settings=settings,
            pulumi_command=pulumi_command,
        )
        created = auto.create_or_select_stack(stack, project_name=project, program=program, opts=opts)
        created.set_config("aws:region", auto.ConfigValue(REGION))
        return created

    return make


class Aws:
    """boto3 clients against moto, as the management account or (assuming a role) as a member account."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def client(self, service: str, account: str | None = None, region: str = REGION) -> Any:
        session = boto3.session.Session(region_name=region)
        if account and account != MANAGEMENT_ACCOUNT:
            creds = session.client("sts", endpoint_url=self.endpoint).assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="test"
            )["Credentials"]
            session = boto3.session.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=region,
            )
        client = session.client(service, endpoint_url=self.endpoint)
        if service == "s3control":  # moto is one host: no <account-id>. in front of it
            client.meta.events.register("before-sign.s3-control", single_host)
        return client


@pytest.fixture
def aws(engine_env: dict[str, str]) -> Aws:
    return Aws(engine_env["AWS_ENDPOINT_URL"])
