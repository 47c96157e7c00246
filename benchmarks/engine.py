"""Engine benchmarks of the orchestrator (issue 5), one command, one table:

    .venv/bin/python benchmarks/engine.py            # medium preset, 8 workload accounts for the fan-out

1. full preview of a fresh medium landing zone, and a no-op `up` after it was applied (emulated aws plugin on a
   moto server, as in tests/engine);
2. the overhead of the orchestrator: ``Orchestrator.preview()`` against bare Automation API previews of the same
   stage programs (create_or_select_stack + preview per stack, one after another in one process, the same
   upstream values); target: ratio <= 1.1;
3. the network fan-out: the per-account stacks of 8 workload accounts previewed at concurrency 1 and 2.

It starts its own moto server on 127.0.0.1 (a free port) and stops it at the end; state lives in a temp dir.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from landingzone import events as ev  # noqa: E402
from landingzone.config import LandingZoneConfig, save_config, validate_config  # noqa: E402
from landingzone.orchestrator import PROJECT_NAME, Orchestrator, make_context  # noqa: E402
from landingzone.presets import preset_data  # noqa: E402
from landingzone.toolchain import ensure_pulumi  # noqa: E402

EMULATOR = REPO / "tests" / "emulator"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server(log: Path) -> Iterator[str]:
    port = _free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"moto server did not start (see {log})") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: do not lose the figures over a slow shutdown
            proc.kill()
            proc.wait()


def reset_moto(url: str) -> None:
    with urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", method="POST"), timeout=30):
        pass


def engine_environment(url: str, work: Path) -> None:
    """What tests/engine/conftest.py's engine_env sets, applied to this process (and inherited by workers)."""
    (work / "pulumi-home").mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "AKIABENCHMARKKEY", "AWS_SECRET_ACCESS_KEY": secrets.token_hex(16),
        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": url,
        "AWS_CONFIG_FILE": str(work / "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE": str(work / "no-creds"),
        "AWS_EC2_METADATA_DISABLED": "true", "PATH": f"{EMULATOR}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_HOME": str(work / "pulumi-home"), "LANDINGZONE_PASSPHRASE": secrets.token_hex(8),
        "PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "LANDINGZONE_EMULATOR_STATE": str(work / "emulator-state.json"),
    })
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE",
                "PULUMI_BACKEND_URL"):
        os.environ.pop(var, None)


def config(endpoint: str, workloads: int = 0) -> LandingZoneConfig:
    data = preset_data("medium")
    data["aws"] = {"endpoint": endpoint}
    if workloads:
        template = data["network"][0]
        data["accounts"] = [a for a in data["accounts"] if a["kind"] not in ("production", "development")]
        data["network"] = []
        for i in range(workloads):
            name = f"workload-{i + 1}"
            data["accounts"].append({"name": name, "email": f"aws-{name}@example.com", "kind": "workload",
                                     "ou": "Workloads/Prod"})
            data["network"].append({**template, "account": name, "vpc_cidr": f"10.{i}.0.0/16"})
    return validate_config(data)


def fresh_dir(root: Path, name: str) -> Path:
    path = root / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bare_previews(cfg: LandingZoneConfig, directory: Path) -> float:
    """The same programs through the bare Automation API: one stack after another in this process, upstream
    stages never applied (UNKNOWN), as a fresh landing zone."""
    from pulumi import automation as auto

    import stacks

    cli = ensure_pulumi(allow_install=False)
    command = auto.PulumiCommand(root=str(cli.root))
    backend = (directory / "state").resolve()
    backend.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for stage in stacks.STAGES:
        accounts = stage.accounts(cfg) if stage.scope == "account" else [None]
        for account in accounts:
            name = stacks.stack_name(cfg, stage.name, account)
            upstream = {dep: stacks.UNKNOWN for dep in stage.depends_on}

            def program(stage: Any = stage, account: str | None = account, upstream: Any = upstream) -> None:
                stage.program(make_context(cfg, upstream, account))

            work = directory / "work" / name
            work.mkdir(parents=True, exist_ok=True)
            opts = auto.LocalWorkspaceOptions(
                work_dir=str(work), pulumi_command=command,
                env_vars={"PULUMI_CONFIG_PASSPHRASE": os.environ["LANDINGZONE_PASSPHRASE"]},
                project_settings=auto.ProjectSettings(name=PROJECT_NAME, runtime="python",
                                                      backend=auto.ProjectBackend(backend.as_uri())))
            stack = auto.create_or_select_stack(name, project_name=PROJECT_NAME, program=program, opts=opts)
            stack.preview(color="never", on_event=lambda e: None)
    return time.perf_counter() - start


def network_seconds(events: list[tuple[float, ev.Event]]) -> float:
    """Wall time from the first network stack starting to the last one finishing."""
    starts = [t for t, e in events if isinstance(e, ev.StageStarted) and e.stage == "network"]
    ends = [t for t, e in events if isinstance(e, ev.StageFinished) and e.stage == "network"]
    if not starts or not ends:
        return float("nan")
    return max(ends) - min(starts)


class Clock:
    """on_event handler that keeps each event with its arrival time."""

    def __init__(self) -> None:
        self.events: list[tuple[float, ev.Event]] = []

    def __call__(self, event: ev.Event) -> None:
        self.events.append((time.perf_counter(), event))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=8, help="workload accounts for the fan-out measurement")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lz-bench-"))
    rows: list[tuple[str, str, str]] = []
    try:
        with moto_server(root / "moto.log") as url:
            engine_environment(url, root)
            cfg = config(url)

            # 1. full preview (fresh) and no-op up (applied)
            directory = fresh_dir(root, "medium")
            path = directory / "landingzone.yaml"
            save_config(cfg, path)
            orch = Orchestrator(cfg, path)
            preview_s, preview = timed(orch.preview)
            stacks_n = len(preview.stacks)
            rows.append(("full preview, fresh medium landing zone", f"{preview_s:.1f} s", f"{stacks_n} stacks"))
            up_s, _ = timed(orch.up)
            rows.append(("first up (creates everything)", f"{up_s:.1f} s", ""))
            noop_s, noop = timed(orch.up)
            rows.append(("no-op up (nothing changed)", f"{noop_s:.1f} s",
                         "no changes" if not noop.has_changes else "CHANGES (unexpected)"))

            # 2. orchestrator vs bare Automation API, both on a fresh backend
            reset_moto(url)
            orch_dir = fresh_dir(root, "overhead-orchestrator")
            save_config(cfg, orch_dir / "landingzone.yaml")
            ours, _ = timed(Orchestrator(cfg, orch_dir / "landingzone.yaml", concurrency=1).preview)
            bare = bare_previews(cfg, fresh_dir(root, "overhead-bare"))
            rows.append(("landingzone preview (concurrency 1)", f"{ours:.1f} s", ""))
            rows.append(("bare Automation API previews, sequential", f"{bare:.1f} s", ""))
            rows.append(("ratio landingzone / bare (target <= 1.1)", f"{ours / bare:.2f}", ""))
            ours4, _ = timed(Orchestrator(cfg, orch_dir / "landingzone.yaml", concurrency=4).preview)
            rows.append(("landingzone preview (default concurrency 4)", f"{ours4:.1f} s",
                         f"ratio {ours4 / bare:.2f}"))

            # 3. network fan-out for N workload accounts
            wide = config(url, workloads=args.accounts)
            results: dict[int, float] = {}
            for concurrency in (1, 2):
                fan_dir = fresh_dir(root, f"fanout-{concurrency}")
                save_config(wide, fan_dir / "landingzone.yaml")
                clock = Clock()
                Orchestrator(wide, fan_dir / "landingzone.yaml", on_event=clock,
                             concurrency=concurrency).preview("network")
                results[concurrency] = network_seconds(clock.events)
                rows.append((f"network preview, {args.accounts} accounts, concurrency {concurrency}",
                             f"{results[concurrency]:.1f} s", ""))
            rows.append(("fan-out speed-up at concurrency 2", f"{results[1] / results[2]:.2f}x",
                         f"{os.cpu_count()} CPUs"))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'value':>10}  note")
    print("-" * (width + 30))
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
