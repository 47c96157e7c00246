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


def bare_registration(count: int) -> float:
    """Seconds to register `count` trivial custom resources under pulumi mocks (one stack)."""
    import pulumi

    from landingzone.plan import batch_gc, run_program

    class Thing(pulumi.CustomResource):
        def __init__(self, name: str, value: int) -> None:
            super().__init__("bench:index:Thing", name, {"value": value})

    def program(_ctx: object) -> None:
        for i in range(count):
            Thing(f"thing-{i}", i)

    start = time.perf_counter()
    with batch_gc():  # the plan's own garbage-collection regime, so the comparison stays fair
        run_program(program, None, stack="bare")
    return time.perf_counter() - start


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def replay_registration(stacks_resources: list[list[Any]]) -> float:
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

    start = time.perf_counter()
    with batch_gc() as collect_young:  # as the plan does
        for i, resources in enumerate(stacks_resources):
            run_program(replay(resources), None, stack=f"replay-{i}")
            collect_young()
    return time.perf_counter() - start


def measure(accounts: int) -> dict[str, Any]:
    from landingzone.plan import plan

    # Warm up (imports of the pulumi_aws modules, first event loop): reported apart, not in the timings.
    start = time.perf_counter()
    warm = plan(scale_config(1))
    bare_registration(10)
    replay_registration([p.resources for p in warm])
    warmup = time.perf_counter() - start

    cfg = scale_config(accounts)
    start = time.perf_counter()
    plans = plan(cfg)
    wall = time.perf_counter() - start
    count = sum(len(p.resources) for p in plans)
    peak = _peak_mb()
    bare = bare_registration(count)
    replay = replay_registration([p.resources for p in plans])
    return {"accounts": accounts, "stacks": len(plans), "resources": count, "wall_s": wall,
            "peak_mb": peak, "resources_per_s": count / wall, "bare_s": bare, "ratio": wall / bare,
            "replay_s": replay, "ratio_replay": wall / replay, "warmup_s": warmup}


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

    header = f"{'accounts':>8} {'stacks':>6} {'resources':>9} {'wall s':>7} {'peak MB':>8} {'res/s':>7} " \
             f"{'bare s':>7} {'ratio':>6} {'same-types s':>12} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['accounts']:>8} {r['stacks']:>6} {r['resources']:>9} {r['wall_s']:>7.2f} {r['peak_mb']:>8.0f} "
              f"{r['resources_per_s']:>7.0f} {r['bare_s']:>7.2f} {r['ratio']:>6.2f} {r['replay_s']:>12.2f} "
              f"{r['ratio_replay']:>6.2f}")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = (last["wall_s"] / first["wall_s"]) / (last["resources"] / first["resources"])
        print(f"warm-up (imports, first run) before each size: {rows[0]['warmup_s']:.1f} s")
        print(f"\ngrowth: time per resource at {last['accounts']} accounts is {growth:.2f}x that at "
              f"{first['accounts']} (1.00 = linear)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
