"""How the offline plan scales: 10, 100 and 1,000 workload accounts, 20 OUs, two security-group roles each.

    .venv/bin/python benchmarks/plan_scale.py [--sizes 10,100,1000]

Each size runs in its own process (so peak memory is that size's own), which first plans the whole landing zone
(every stage, one network stack per account, exactly what `landingzone plan` does) and then, in the same process,
registers the same number of bare resources under pulumi's mocks in one stack: the floor the pulumi SDK itself
sets. The ratio is plan time / bare time. A second baseline ("same-types") registers the very resources the plan
produced (same pulumi_aws classes, names and inputs) in one stack with none of the landing zone's logic: what the
SDK itself costs for these resources, since a pulumi_aws resource with its many output properties costs the SDK
about twice a one-property bare resource. Both baselines run under the same garbage-collection regime as the plan
(landingzone.plan.batch_gc). Targets on a 2-core machine: 1,000 accounts in at most 15 s, ratio at
most 1.2, linear growth.
"""

from __future__ import annotations

import argparse
import json
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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


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


def measure(accounts: int) -> dict[str, Any]:
    from landingzone.plan import plan

    # Warm up (imports of the pulumi_aws modules, first event loop): reported apart, not in the timings.
    start = time.perf_counter()
    warm = plan(scale_config(1))
    bare_registration(10)
    replay_registration([p.resources for p in warm])
    warmup = time.perf_counter() - start

    cfg = scale_config(accounts)
    with _Clock() as clock:
        plans = plan(cfg)
    count = sum(len(p.resources) for p in plans)
    peak = _peak_mb()
    bare = bare_registration(count)
    replay = replay_registration([p.resources for p in plans])
    return {"accounts": accounts, "stacks": len(plans), "resources": count, "wall_s": clock.wall,
            "cpu_s": clock.cpu, "peak_mb": peak, "resources_per_s": count / clock.wall,
            "bare_wall_s": bare.wall, "bare_cpu_s": bare.cpu, "ratio_bare_wall": clock.wall / bare.wall,
            "ratio_bare_cpu": clock.cpu / bare.cpu, "replay_wall_s": replay.wall, "replay_cpu_s": replay.cpu,
            "ratio_replay_wall": clock.wall / replay.wall, "ratio_replay_cpu": clock.cpu / replay.cpu,
            "warmup_s": warmup}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated workload account counts")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: measure one size, print JSON
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return 0

    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        proc = subprocess.run([sys.executable, __file__, "--one", str(size)], cwd=REPO, capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))

    header = (f"{'accounts':>8} {'stacks':>6} {'resources':>9} {'wall s':>7} {'cpu s':>6} {'peak MB':>7} "
              f"{'res/s':>6} | {'bare: wall':>10} {'cpu':>5} | {'same-types: wall':>16} {'cpu':>5}")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['accounts']:>8} {r['stacks']:>6} {r['resources']:>9} {r['wall_s']:>7.2f} {r['cpu_s']:>6.2f} "
              f"{r['peak_mb']:>7.0f} {r['resources_per_s']:>6.0f} | {r['ratio_bare_wall']:>10.2f} "
              f"{r['ratio_bare_cpu']:>5.2f} | {r['ratio_replay_wall']:>16.2f} {r['ratio_replay_cpu']:>5.2f}")
    print("(ratios: plan time / baseline time for the same number of resources, measured in the same process)")
    print(f"warm-up (imports, first run; not in the figures): {rows[0]['warmup_s']:.1f} s")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        for kind in ("wall", "cpu"):
            growth = (last[f"{kind}_s"] / first[f"{kind}_s"]) / (last["resources"] / first["resources"])
            print(f"growth: {kind} time per resource at {last['accounts']} accounts is {growth:.2f}x that at "
                  f"{first['accounts']} (1.00 = linear)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
