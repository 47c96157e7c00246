"""How the offline plan scales: 10, 100 and 1,000 workload accounts, 20 OUs, two security-group roles each.

    .venv/bin/python benchmarks/plan_scale.py [--sizes 10,100,1000] [--workers N]

Each size runs in its own process (so peak memory is that size's own), which plans the whole landing zone
(every stage, one network stack per account, exactly what `landingzone plan` does) twice:

- parallel: `plan(cfg, workers=N)` (default one per core, as `landingzone plan` does): every stack in N spawned
  worker processes (the single stacks first, then the per-account ones in chunks). Its time includes starting the
  workers and their imports (paid on every run); its CPU is this process plus the workers.
- sequential: `plan(cfg, workers=1)`: everything in this process, one stack after another.

Then, in the same process, three baselines, all single-process and under the plan's garbage-collection regime
(landingzone.plan.batch_gc):

- bare: the same number of trivial one-property resources registered under pulumi's mocks in one stack: the floor
  the pulumi SDK itself sets. It runs through the plan's own harness (landingzone.plan.run_program: its recording
  monitor, and the inline executor that answers registrations in the loop's thread), so what the harness saves or
  costs per resource shows on both sides of the ratio.
- stock (printed below the table): the same trivial resources registered the way pulumi's unit-test mocks do it
  (pulumi's MockMonitor, the SDK's executor threads), none of the plan's harness: the ratio to it shows what the
  plan costs against pulumi as shipped.
- same-types: the very resources the plan produced (same pulumi_aws classes, names and inputs, same stacks)
  registered with none of the landing zone's logic: what the SDK costs for these resources (a pulumi_aws resource
  with its many output properties costs the SDK about twice a one-property bare resource).

Ratios are plan time / baseline time. For the sequential plan they measure the landing zone's own overhead. For the
parallel plan the wall ratio compares N processes against a one-process baseline, so it can go below 1; its CPU
ratio shows what the parallelism costs in total (worker start-up, pickling results back). Targets on a 2-core
machine: 1,000 accounts in at most 15 s, ratio at most 1.2, linear growth. The machine is shared: the load
average at the start and end is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def scale_config(accounts: int) -> Any:
    """A valid configuration: 20 OUs (4 top-level, 4 children each), Security and log-archive accounts, the
    medium preset's guardrails, and `accounts` workload accounts spread over the leaf OUs, each with a VPC and two
    roles (app -> db)."""
    from landingzone.config import validate_config
    from landingzone.presets import preset_data

    data = preset_data("medium", lz_name="bench-landing-zone")
    tops = ["Security", "Infrastructure", "Workloads", "Sandbox"]
    children = ["Prod", "NonProd", "Test", "Staging"]
    data["organizational_units"] = [{"name": t, "children": [{"name": c} for c in children]} for t in tops]
    leaves = [f"{t}/{c}" for t in tops if t not in ("Security",) for c in children]
    data["accounts"] = [
        {"name": "security", "email": "aws-security@example.com", "kind": "security", "ou": "Security"},
        {"name": "log-archive", "email": "aws-log-archive@example.com", "kind": "log-archive", "ou": "Security"},
    ] + [
        {"name": f"workload-{i:04d}", "email": f"aws-workload-{i:04d}@example.com",
         "kind": "production" if i % 2 else "development", "ou": leaves[i % len(leaves)]}
        for i in range(accounts)
    ]
    data["network"] = [
        {"account": f"workload-{i:04d}", "vpc_cidr": "10.0.0.0/16",
         "roles": [{"name": "app"}, {"name": "db"}],
         "rules": [{"source": "app", "target": "db", "port": 5432}]}
        for i in range(accounts)
    ]
    return validate_config(data)


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB; for children, the largest one's


def _children_cpu() -> float:
    """CPU seconds of the child processes that have ended (the pool's workers, once it has shut down)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _Clock:
    """Wall and CPU seconds (CPU of the whole process, executor threads included): on a shared machine the CPU
    time is the steadier figure."""

    def __enter__(self) -> _Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def bare_registration(count: int) -> _Clock:
    """Seconds to register `count` trivial custom resources under pulumi mocks (one stack)."""
    import pulumi

    from landingzone.plan import batch_gc, run_program

    class Thing(pulumi.CustomResource):
        def __init__(self, name: str, value: int) -> None:
            super().__init__("bench:index:Thing", name, {"value": value})

    def program(_ctx: object) -> None:
        for i in range(count):
            Thing(f"thing-{i}", i)

    with _Clock() as clock, batch_gc():  # the plan's own garbage-collection regime, so the comparison stays fair
        run_program(program, None, stack="bare")
    return clock


def stock_registration(count: int) -> _Clock:
    """Seconds to register `count` trivial custom resources (one stack) the way pulumi's own unit-test mocks do:
    pulumi's MockMonitor and a Mocks answering with the inputs, on the SDK's default event loop and executor
    threads, none of landingzone.plan's harness (run_program, its recording monitor, its inline executor). Under
    the same garbage-collection regime as the rest."""
    import pulumi
    from pulumi.runtime import settings as pulumi_settings
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from landingzone.plan import batch_gc

    class Thing(pulumi.CustomResource):
        def __init__(self, name: str, value: int) -> None:
            super().__init__("bench:index:Thing", name, {"value": value})

    class EchoMocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
            return {}

    def program() -> None:
        for i in range(count):
            Thing(f"thing-{i}", i)

    with _Clock() as clock, batch_gc():
        pulumi_settings.ROOT.set(None)
        pulumi.runtime.set_mocks(EchoMocks(), project="bench", stack="stock", preview=True)
        _sync_await(run_pulumi_func(program))  # type: ignore[no-untyped-call]
        pulumi_settings.ROOT.set(None)
    return clock


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def replay_registration(stacks_resources: list[list[Any]]) -> _Clock:
    """Seconds to register the same resources (same pulumi_aws classes, logical names and inputs, split into the
    same stacks) with none of the landing zone's logic: what the SDK itself costs for this plan."""
    import pulumi_aws as aws

    from landingzone.plan import batch_gc, run_program

    def cls_of(token: str) -> Any:
        if token == "pulumi:providers:aws":
            return aws.Provider
        module, name = token.split(":")[1].split("/")[0], token.rsplit(":", 1)[1]
        return getattr(getattr(aws, module), name)

    def replay(resources: list[Any]) -> Any:
        def program(_ctx: object) -> None:
            for res in resources:
                cls_of(res.type)(res.name, **{_snake(k): v for k, v in res.inputs.items()})
        return program

    with _Clock() as clock, batch_gc() as collect_young:  # as the plan does
        for i, resources in enumerate(stacks_resources):
            run_program(replay(resources), None, stack=f"replay-{i}")
            collect_young()
    return clock


def measure(accounts: int, workers: int) -> dict[str, Any]:
    from landingzone.plan import plan

    # Warm up this process (imports of the pulumi_aws modules, first event loop): reported apart, not in the
    # timings. Workers are spawned afresh by every parallel plan, so their start-up is in the parallel figures.
    start = time.perf_counter()
    warm = plan(scale_config(1), workers=1)
    bare_registration(10)
    stock_registration(10)
    replay_registration([p.resources for p in warm])
    warmup = time.perf_counter() - start

    cfg = scale_config(accounts)
    children_before = _children_cpu()
    with _Clock() as par:
        par_plans = plan(cfg, workers=workers)
    par_cpu = par.cpu + _children_cpu() - children_before
    par_peak, worker_peak = _peak_mb(), _peak_mb(resource.RUSAGE_CHILDREN)
    with _Clock() as seq:
        plans = plan(cfg, workers=1)
    if par_plans != plans:
        raise SystemExit(f"{accounts} accounts: the parallel plan differs from the sequential plan")
    del par_plans
    count = sum(len(p.resources) for p in plans)
    peak = _peak_mb()
    bare = bare_registration(count)
    stock = stock_registration(count)
    replay = replay_registration([p.resources for p in plans])
    return {"accounts": accounts, "stacks": len(plans), "resources": count, "workers": workers,
            "wall_s": seq.wall, "cpu_s": seq.cpu, "peak_mb": peak, "resources_per_s": count / seq.wall,
            "par_wall_s": par.wall, "par_cpu_s": par_cpu, "par_parent_peak_mb": par_peak,
            "par_worker_peak_mb": worker_peak, "par_resources_per_s": count / par.wall,
            "speedup": seq.wall / par.wall,
            "bare_wall_s": bare.wall, "bare_cpu_s": bare.cpu, "ratio_bare_wall": seq.wall / bare.wall,
            "ratio_bare_cpu": seq.cpu / bare.cpu, "par_ratio_bare_wall": par.wall / bare.wall,
            "par_ratio_bare_cpu": par_cpu / bare.cpu,
            "stock_wall_s": stock.wall, "stock_cpu_s": stock.cpu, "ratio_stock_wall": seq.wall / stock.wall,
            "ratio_stock_cpu": seq.cpu / stock.cpu, "par_ratio_stock_wall": par.wall / stock.wall,
            "par_ratio_stock_cpu": par_cpu / stock.cpu,
            "replay_wall_s": replay.wall, "replay_cpu_s": replay.cpu,
            "ratio_replay_wall": seq.wall / replay.wall, "ratio_replay_cpu": seq.cpu / replay.cpu,
            "par_ratio_replay_wall": par.wall / replay.wall, "par_ratio_replay_cpu": par_cpu / replay.cpu,
            "warmup_s": warmup}


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated workload account counts")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes of the parallel plan (default: one per core)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: measure one size, print JSON
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.workers)))
        return 0

    load_before = _load()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        proc = subprocess.run([sys.executable, __file__, "--one", str(size), "--workers", str(args.workers)],
                              cwd=REPO, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    load_after = _load()

    header = (f"{'accounts':>8} {'stacks':>6} {'resources':>9} {'plan':>10} {'wall s':>7} {'cpu s':>6} "
              f"{'peak MB':>7} {'res/s':>6} | {'bare: wall':>10} {'cpu':>5} | {'same-types: wall':>16} {'cpu':>5}")
    print(header)
    print("-" * len(header))
    for r in rows:
        for label, p in ((f"{r['workers']} workers", "par_"), ("sequential", "")):
            peak = (f"{r['par_worker_peak_mb']:>7.0f}" if p else f"{r['peak_mb']:>7.0f}")
            print(f"{r['accounts']:>8} {r['stacks']:>6} {r['resources']:>9} {label:>10} {r[p + 'wall_s']:>7.2f} "
                  f"{r[p + 'cpu_s']:>6.2f} {peak} {r[p + 'resources_per_s']:>6.0f} | "
                  f"{r[p + 'ratio_bare_wall']:>10.2f} {r[p + 'ratio_bare_cpu']:>5.2f} | "
                  f"{r[p + 'ratio_replay_wall']:>16.2f} {r[p + 'ratio_replay_cpu']:>5.2f}")
    print("(ratios: plan time / baseline time for the same resources, measured in the same process; both baselines"
          " run in one process, so a parallel wall ratio below 1 is the cores, not a cheaper SDK; parallel cpu"
          " counts the workers too; parallel peak MB is the largest worker's)")
    for r in rows:
        print(f"{r['accounts']} accounts: parallel is {r['speedup']:.2f}x the sequential plan's speed; baselines "
              f"bare {r['bare_wall_s']:.2f} s wall / {r['bare_cpu_s']:.2f} s cpu, same-types "
              f"{r['replay_wall_s']:.2f} s / {r['replay_cpu_s']:.2f} s; parent peak "
              f"{r['par_parent_peak_mb']:.0f} MB during the parallel plan")
        print(f"{r['accounts']} accounts, bare registration the pulumi unit-test way (pulumi's MockMonitor, executor "
              f"threads, no plan harness): {r['stock_wall_s']:.2f} s wall / {r['stock_cpu_s']:.2f} s cpu; plan / "
              f"that: sequential {r['ratio_stock_wall']:.2f} wall, {r['ratio_stock_cpu']:.2f} cpu; "
              f"{r['workers']} workers {r['par_ratio_stock_wall']:.2f} wall, {r['par_ratio_stock_cpu']:.2f} cpu")
    print(f"warm-up (imports, first run; not in the figures): {rows[0]['warmup_s']:.1f} s")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        for label, key in (("sequential wall", "wall_s"), ("sequential cpu", "cpu_s"),
                           ("parallel wall", "par_wall_s"), ("parallel cpu", "par_cpu_s")):
            growth = (last[key] / first[key]) / (last["resources"] / first["resources"])
            print(f"growth: {label} time per resource at {last['accounts']} accounts is {growth:.2f}x that at "
                  f"{first['accounts']} (1.00 = linear)")
    print(f"load average: {load_before} before, {load_after} after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
