"""Shared helpers of the orchestrator's engine tests: the pulumi CLI requirement and a landing zone on disk."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from landingzone.config import LandingZoneConfig, save_config
from landingzone.toolchain import PulumiCli, find_pulumi

ENGINE_DIR = Path(__file__).resolve().parent
REPO = ENGINE_DIR.parent.parent
STAND_IN = "tests.engine.orchestrator_stand_in:STAND_IN_STAGES"


def require_pulumi() -> PulumiCli:
    """The pulumi CLI, or a failure in CI (env CI set) / a skip that says why on a developer machine.

    Every test that needs the CLI goes through here, so CI can never skip one of them."""
    search = find_pulumi()
    if search.found:
        return search.found
    why = "; ".join(f"{r.path}: {r.reason}" for r in search.rejected) or "no pulumi on PATH or in the cache"
    message = f"this test needs the pulumi CLI ({why}); run `make pulumi` or set LANDINGZONE_PULUMI"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def write_config(cfg: LandingZoneConfig, directory: Path) -> Path:
    path = directory / "landingzone.yaml"
    save_config(cfg, path)
    return path


def run_cli(args: list[str], *, env: dict[str, str], cwd: Path, timeout: float = 300,
            stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    """`landingzone ...` as a user runs it, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "landingzone", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, stdin=stdin, check=False)


def cli_env(base: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess that uses the stand-in stages."""
    env = dict(base)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["LANDINGZONE_STAGES"] = STAND_IN
    env.update(extra)
    return env


@contextmanager
def moto_in_process() -> Iterator[str]:
    """A moto server in this process (everything still reaches it over HTTP), reset, on a free port: for the
    tests that add to moto what it lacks (tests/audit/moto_org.py's bridges)."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as patch:
        # AWS managed policies (AdministratorAccess for the /org-admin/ roles) exist only when moto loads them.
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        patch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # no test needs the 1,300 AMIs per account
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        # moto's backends are global to the process (other in-process tests share them): start from nothing.
        requests.post(f"{url}/moto-api/reset", timeout=120).raise_for_status()
        try:
            yield url
        finally:
            server.stop()


@contextmanager
def module_emulator(tmp: Path, **extra: str) -> Iterator[tuple[str, pytest.MonkeyPatch]]:
    """For a module-scoped scenario (one provisioning per scenario): a moto server and the environment of
    conftest's engine_env applied to os.environ until the end; yields moto's URL and the MonkeyPatch that set it
    (for changes during the scenario)."""
    from tests.engine.conftest import EMULATOR_DIR, REGION, running_moto_server

    cli = require_pulumi()
    with running_moto_server(tmp / "moto.log") as url, pytest.MonkeyPatch.context() as mp:
        env = {
            "AWS_ACCESS_KEY_ID": "AKIAEMULATORTESTKEY", "AWS_SECRET_ACCESS_KEY": "emulator-" + secrets.token_hex(8),
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": url,
            "AWS_CONFIG_FILE": str(tmp / "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-creds"),
            "AWS_EC2_METADATA_DISABLED": "true", "PATH": f"{EMULATOR_DIR}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(tmp / "pulumi-home"), "PULUMI_CONFIG_PASSPHRASE": secrets.token_hex(8),
            "PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "LANDINGZONE_EMULATOR_STATE": str(tmp / "emulator-state.json"),
            "LANDINGZONE_PULUMI": str(cli.path),
            **extra,
        }
        for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE_FILE",
                    "PULUMI_IGNORE_AMBIENT_PLUGINS", "LANDINGZONE_EMULATOR_REFUSE_ASSUME_ROLE",
                    "LANDINGZONE_EMULATOR_ASSUME_ROLE_DELAY"):
            mp.delenv(var, raising=False)
        for key, value in env.items():
            mp.setenv(key, value)
        yield url, mp
