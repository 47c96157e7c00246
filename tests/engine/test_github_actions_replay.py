"""examples/github-actions.yml replayed without GitHub: the `run:` scripts of its apply jobs, read from the file,
run with bash in the order the jobs need each other, against an S3 state backend in moto (the real pulumi CLI's
s3:// backend over HTTP), the emulated aws plugin and the real stages.

- `stacks`: `landingzone stacks --json` and the jq that builds the matrix (GITHUB_OUTPUT as a file);
- `foundation`: the organization-wide stacks with `--stack`;
- `accounts`: two matrix jobs (one per-account stack each) in two processes at once on the one backend, each
  locking only its stack; then the other chunks;
- `guardrails`: the guardrails stack, then `preview --detailed-exitcode`, which must exit 0.

`landingzone` on PATH is a shim for this clone's `python -m landingzone`; `pip install` and the GitHub actions
(`uses:`) are what a runner provides and are not replayed. One scenario for the module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from landingzone.config import validate_config
from landingzone.presets import preset_data
from tests.engine.conftest import REGION
from tests.engine.engine_support import REPO, module_emulator, write_config

pytestmark = pytest.mark.engine

WORKFLOW = REPO / "examples" / "github-actions.yml"
BUCKET = "acme-landingzone-state"


@dataclass
class Replay:
    workflow: dict[str, Any]
    outputs: dict[str, dict[str, str]]
    runs: dict[str, list[subprocess.CompletedProcess[str]]]
    stacks: list[dict[str, Any]]


def _script(job: dict[str, Any], name: str | None = None) -> tuple[str, dict[str, str]]:
    """The run script of the job's step called ``name`` (or its last run step) and the step's env mapping."""
    steps = [s for s in job["steps"] if "run" in s and (name is None or s.get("name") == name)]
    step = steps[-1]
    return str(step["run"]), dict(step.get("env") or {})


def _resolve(env: dict[str, str], outputs: dict[str, dict[str, str]], matrix: dict[str, str]) -> dict[str, str]:
    """${{ needs.<job>.outputs.<name> }} and ${{ matrix.<name> }} as GitHub would substitute them."""
    resolved: dict[str, str] = {}
    for key, value in env.items():
        text = str(value).strip()
        if text.startswith("${{ needs."):
            _, job, _, name = text.removeprefix("${{ ").removesuffix(" }}").split(".")
            resolved[key] = outputs[job][name]
        elif text.startswith("${{ matrix."):
            resolved[key] = matrix[text.removeprefix("${{ matrix.").removesuffix(" }}")]
        else:
            resolved[key] = text
    return resolved


def _bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(["bash", "-e", "-c", script], env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _done(proc: subprocess.Popen[str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    if shutil.which("jq") is None:
        pytest.fail("the workflow's scripts need jq (as GitHub's runners have it)")
    tmp = tmp_path_factory.mktemp("gha")
    with module_emulator(tmp) as (url, _):
        boto3.client("s3", endpoint_url=url, region_name=REGION).create_bucket(Bucket=BUCKET)
        endpoint = url.removeprefix("http://")
        data = preset_data("small")
        data["governed_regions"] = [REGION]
        data["network"] = []
        data["aws"] = {"endpoint": url}
        data["state"] = {"backend_url": f"s3://{BUCKET}/landingzone?region={REGION}&endpoint={endpoint}"
                                        "&disableSSL=true&s3ForcePathStyle=true"}
        checkout = tmp / "repo"
        checkout.mkdir()
        write_config(validate_config(data), checkout)
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        shim = bin_dir / "landingzone"
        shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m landingzone \"$@\"\n")
        shim.chmod(0o755)
        workflow = yaml.safe_load(WORKFLOW.read_text())
        env = {**os.environ, **{k: str(v) for k, v in workflow["env"].items() if "${{" not in str(v)},
               "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               "CHUNK": "1"}  # one stack per matrix job, so two jobs at once are two stacks at once
        jobs = workflow["jobs"]
        outputs: dict[str, dict[str, str]] = {}
        runs: dict[str, list[subprocess.CompletedProcess[str]]] = {}

        script, _ = _script(jobs["stacks"], "list")
        github_output = tmp / "github_output"
        github_output.write_text("")
        runs["stacks"] = [_done(_bash(script, {**env, "GITHUB_OUTPUT": str(github_output)}, checkout))]
        outputs["stacks"] = dict(line.split("=", 1) for line in github_output.read_text().splitlines() if line)
        listed = json.loads((checkout / "stacks.json").read_text())

        script, step_env = _script(jobs["foundation"], "organization-wide stacks")
        runs["foundation"] = [_done(_bash(script, {**env, **_resolve(step_env, outputs, {})}, checkout))]

        script, step_env = _script(jobs["accounts"], "per-account stacks")
        chunks: list[str] = json.loads(outputs["stacks"]["chunks"])
        runs["accounts"] = []
        for pair in (chunks[:2], chunks[2:4], chunks[4:]):
            started = [_bash(script, {**env, **_resolve(step_env, outputs, {"chunk": chunk})}, checkout)
                       for chunk in pair]
            runs["accounts"] += [_done(proc) for proc in started]

        script, step_env = _script(jobs["guardrails"], "guardrails")
        runs["guardrails"] = [_done(_bash(script, {**env, **_resolve(step_env, outputs, {})}, checkout))]
        script, step_env = _script(jobs["guardrails"], "nothing pending")
        runs["preview"] = [_done(_bash(script, {**env, **_resolve(step_env, outputs, {})}, checkout))]
        yield Replay(workflow, outputs, runs, listed)


def _ok(runs: list[subprocess.CompletedProcess[str]]) -> None:
    for run in runs:
        assert run.returncode == 0, (run.args[-1][:300], run.stdout[-2000:], run.stderr[-3000:])


def test_stacks_lists_every_stack_in_dependency_order(replay: Replay) -> None:
    _ok(replay.runs["stacks"])
    names = [s["name"] for s in replay.stacks]
    for position, entry in enumerate(replay.stacks):
        assert set(entry) == {"name", "stage", "account", "scope", "depends_on"}
        assert set(entry["depends_on"]) <= set(names[:position]), entry
    per_account = [s["name"] for s in replay.stacks if s["scope"] == "account"]
    assert json.loads(replay.outputs["stacks"]["chunks"]) == per_account  # CHUNK=1: one stack per job
    assert len(per_account) == 4  # the management account and the small preset's three members
    assert json.loads(replay.outputs["stacks"]["last"]) == ["acme-landing-zone-guardrails"]


def test_foundation_then_per_account_jobs_two_at_once(replay: Replay) -> None:
    _ok(replay.runs["foundation"])
    _ok(replay.runs["accounts"])
    assert len(replay.runs["accounts"]) == 4
    for run in replay.runs["accounts"]:  # each job ran its one stack and nothing else
        assert run.stderr.count("baseline[") >= 1 and "organization" not in run.stderr.split("\n", 1)[0]


def test_guardrails_then_preview_shows_nothing_pending(replay: Replay) -> None:
    _ok(replay.runs["guardrails"])
    (preview,) = replay.runs["preview"]
    assert preview.returncode == 0, (preview.stdout[-2000:], preview.stderr[-3000:])


def test_the_state_lives_in_the_s3_bucket(replay: Replay) -> None:
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=REGION)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="landingzone/")["Contents"]]
    stacks = {k.rsplit("/", 1)[-1].removesuffix(".json") for k in keys if "/.pulumi/stacks/" in k}
    assert {s["name"] for s in replay.stacks} <= stacks
    ledger = {k.rsplit("/", 1)[-1].removesuffix(".json") for k in keys if "/.landingzone/fingerprints/" in k}
    assert {s["name"] for s in replay.stacks if s["scope"] == "account"} <= ledger
