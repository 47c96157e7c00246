"""How stage access scales: 10, 100 and 1,000 member accounts, every one reached by three assignments (3,000
account assignments at 1,000 accounts), planned offline under pulumi mocks as `landingzone plan --stage access`.

    .venv/bin/python benchmarks/access_scale.py [--sizes 10,100,1000]

Prints per size: resources, explicit providers (the engine starts one plugin process per provider: it must stay
1), wall seconds and peak memory of the plan. Each size runs in its own process.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def one(size: int) -> dict[str, float]:
    from landingzone.config import validate_config
    from landingzone.plan import plan
    from landingzone.presets import preset_data

    data = preset_data("medium")
    data["accounts"] += [{"name": f"app-{i:04d}", "email": f"app-{i:04d}@example.com", "kind": "workload",
                          "ou": "Workloads/Prod" if i % 2 else "Workloads/NonProd"} for i in range(size - 5)]
    data["identity_center"] = {
        "instance_arn": "arn:aws:sso:::instance/ssoins-1234567890abcdef", "identity_store_id": "d-1234567890",
        "permission_sets": [{"name": p, "preset": p} for p in ("Administrator", "ReadOnly", "PowerUser")],
        "groups": [{"name": "Platform"}, {"name": "Auditors"}, {"name": "Developers", "external": True}],
        "assignments": [{"group": "Platform", "permission_set": "Administrator", "targets": ["Root"]},
                        {"group": "Auditors", "permission_set": "ReadOnly", "targets": ["Root"]},
                        {"group": "Developers", "permission_set": "PowerUser", "targets": ["Workloads"]}],
    }
    cfg = validate_config(data)
    start = time.perf_counter()
    (stage_plan,) = plan(cfg, "access", workers=1)
    seconds = time.perf_counter() - start
    providers = sum(r.type == "pulumi:providers:aws" for r in stage_plan.resources)
    return {"accounts": len(cfg.accounts), "resources": len(stage_plan.resources), "providers": providers,
            "seconds": round(seconds, 2), "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    print(f"{'accounts':>8} {'resources':>9} {'providers':>9} {'seconds':>8} {'peak MB':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True,
                             check=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(f"{row['accounts']:>8} {row['resources']:>9} {row['providers']:>9} {row['seconds']:>8} "
              f"{row['peak_mb']:>8}")


if __name__ == "__main__":
    main()
