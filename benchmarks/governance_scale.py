"""How stages regions and governance scale: one stack and one provider each, for 10, 100 and 1,000 accounts.

    .venv/bin/python benchmarks/governance_scale.py [--sizes 10,100,1000]

Each size: the medium preset plus that many workload accounts, with an alternate security contact and a billing
contact for the organization, a default budget, and one opt-in governed region (eu-south-1), so that per member
account the governance stack registers two contacts and a budget and the regions stack one Region. Both stacks are
planned offline (landingzone.plan, pulumi mocks, one process). Prints per size and stage: resources, providers,
wall and CPU seconds, and the load average (the machine is shared). Target: linear in the accounts, one provider
whatever the size.
"""

from __future__ import annotations

import argparse
import os
import time

from landingzone.config import LandingZoneConfig, validate_config
from landingzone.plan import plan
from landingzone.presets import preset_data

CONTACT = {"name": "Security team", "title": "Security", "email": "security@example.com", "phone": "+1 206 555 0100"}


def config(extra: int) -> LandingZoneConfig:
    data = preset_data("medium")
    data["accounts"] += [{"name": f"workload-{i:04d}", "email": f"aws-workload-{i:04d}@example.com",
                          "kind": "workload", "ou": "Workloads/Prod"} for i in range(extra)]
    data["governed_regions"] = ["us-east-1", "eu-south-1"]
    data["governance"] = {"alternate_contacts": {"security": CONTACT, "billing": {**CONTACT, "title": "Billing"}},
                          "budgets": {"default": {"monthly_limit_usd": 100, "emails": ["finops@example.com"]}}}
    return validate_config(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(f"{'accounts':>8} {'stage':<11} {'resources':>9} {'providers':>9} {'wall s':>7} {'cpu s':>7}")
    for size in (int(s) for s in args.sizes.split(",")):
        cfg = config(size)
        for stage in ("regions", "governance"):
            wall, cpu = time.perf_counter(), time.process_time()
            (result,) = plan(cfg, stage, workers=1)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            providers = sum(r.type == "pulumi:providers:aws" for r in result.resources)
            print(f"{len(cfg.accounts):>8} {stage:<11} {len(result.resources):>9} {providers:>9} "
                  f"{wall:>7.2f} {cpu:>7.2f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
