"""Audit a 100-account organization in moto end to end and print the figures. Target: 30 s or less.

    .venv/bin/python benchmarks/audit_scale.py [--accounts 100] [--workers 8]

The organization is the test suite's well-built one (tests/audit/moto_org.py: the medium preset's OUs, the
guardrail library's SCPs, an organization trail, Athena over the trail bucket, /org-admin/ roles everywhere)
widened with workload accounts. moto runs in this process on 127.0.0.1 (a free port) and every read goes over
HTTP. The timed part is what `landingzone audit` does: discovery (organization, SCPs, trails, the management
account, then every account through the access role in a bounded thread pool, trail buckets) and the checks.
Building the organization is timed separately and not part of the target.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                  MOTO_EC2_LOAD_DEFAULT_AMIS="false")

TARGET_SECONDS = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100, help="member accounts, at least 6 (default 100)")
    parser.add_argument("--workers", type=int, default=8, help="accounts read at the same time (default 8)")
    args = parser.parse_args()
    if args.accounts < 6:
        parser.error("--accounts must be at least 6 (the well-built organization's own accounts)")

    from moto.server import ThreadedMotoServer

    from landingzone.audit import run_audit
    from landingzone.discovery import DiscoveryOptions, DiscoveryProgress, discover
    from tests.audit.helpers import audit_context
    from tests.audit.moto_org import HOME, build_organization, shared_session

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)  # moto's tracebacks for reads it lacks
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        endpoint = "http://{}:{}".format(*server.get_host_and_port())
        started = time.perf_counter()
        built = build_organization(endpoint, extra_workload_accounts=args.accounts - 5)
        build_seconds = time.perf_counter() - started
        members = len(built.account_ids)

        calls = 0
        lock = threading.Lock()

        def count(**_: Any) -> None:
            nonlocal calls
            with lock:
                calls += 1

        session = shared_session()
        session.events.register("after-call", count)
        progress: list[DiscoveryProgress] = []
        started = time.perf_counter()
        found = discover(session, DiscoveryOptions(endpoint_url=endpoint, home_region=HOME, regions=(HOME,),
                                                   max_workers=args.workers), on_progress=progress.append)
        discover_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = run_audit(audit_context(found))  # governed regions set: the region-deny check runs too
        check_seconds = time.perf_counter() - started
    finally:
        server.stop()

    total = discover_seconds + check_seconds
    print(f"organization: {members} member accounts + management, {len(found.ous)} OUs, "
          f"{len(found.policies)} SCPs (built in {build_seconds:.1f} s, not timed)")
    print(f"discovery:    {discover_seconds:.1f} s, {calls} API calls, {args.workers} workers, "
          f"{len(found.account_views)} accounts read, {len(found.not_visible)} reads not visible "
          f"({', '.join(sorted({f'{n.service}:{n.operation}' for n in found.not_visible}))})")
    print(f"checks:       {check_seconds:.2f} s, {len(report.results)} checks, {len(report.findings)} findings")
    verdict = "OK" if total <= TARGET_SECONDS else "OVER"
    print(f"total:        {total:.1f} s (target <= {TARGET_SECONDS:.0f} s): {verdict}")
    accounts_done = [p for p in progress if p.step == "accounts" and p.done]
    print(f"progress:     {len(progress)} callbacks, last account {accounts_done[-1].done}/{accounts_done[-1].total}"
          if accounts_done else "progress:     no account step reported")
    print(f"cpu cores:    {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    if report.findings:
        for finding in report.findings:
            print(f"  unexpected finding {finding.id}: {finding.issue.message}")
        return 1
    return 0 if total <= TARGET_SECONDS else 2


if __name__ == "__main__":
    raise SystemExit(main())
