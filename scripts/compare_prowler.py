"""Side by side with Prowler: build each scenario of tests/audit in a moto server, run Prowler's overlapping checks
and our audit on it, and record which tool flagged what (run by scripts/compare-prowler; not part of `make test`).

Each scenario is the well-built organization of tests/audit/moto_org.py with one practice broken. Prowler scans one
account per run: the management account for organization-level scenarios, else the account holding the broken
resource (through the access role, `--role`). What Prowler flags in a scenario is compared with what it flags in
the well-built organization (the baseline), so a finding counts only when the break caused it.

Usage (from the repository root, with the project's venv):
    .venv/bin/python scripts/compare_prowler.py --prowler PATH/bin/prowler --out part.json [--shard 1/2]
    .venv/bin/python scripts/compare_prowler.py --merge part-1.json part-2.json --write docs/prowler-run.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                  MOTO_EC2_LOAD_DEFAULT_AMIS="false")

ACCOUNT_OF_BREAK = {
    **dict.fromkeys(("ssh-from-internet", "rdp-from-ipv6-internet", "internal-cidr-rule", "aws-default-sg",
                     "root-access-keys", "nacl-open-admin-ports", "udp-rdp-from-internet",
                     "internal-wide-private-range", "internal-private-outside-vpcs"), "production"),
    **dict.fromkeys(("public-trail-bucket", "no-access-logging", "trail-bucket-unversioned",
                     "trail-bucket-allows-http"), "log-archive"),
    "trail-key-not-rotated": "security",
    "missing-admin-role": "development",
}
"""The account whose resources a scenario breaks; the others break the organization or the management account."""

EXTRA_PROWLER_CHECKS = ("cloudtrail_cloudwatch_logging_enabled", "cloudtrail_bucket_requires_mfa_delete",
                        "cloudtrail_s3_dataevents_read_enabled", "cloudtrail_s3_dataevents_write_enabled",
                        "cloudtrail_insights_exist", "ec2_networkacl_unused")
"""Prowler checks on the same ground that we leave out of scope (docs/audit.md says why): run to show them."""


def covered(expected: set[str]) -> bool:
    """Whether some Prowler check covers the ground of one of a scenario's expected findings."""
    from landingzone.audit.prowler import COVERAGE

    return any(COVERAGE.get(cid, ((), ""))[0] for cid in expected)


def prowler_checks() -> list[str]:
    from landingzone.audit.prowler import COVERAGE

    return sorted({c for checks, _ in COVERAGE.values() for c in checks} | set(EXTRA_PROWLER_CHECKS))


def run_prowler(prowler: str, endpoint: str, account: str, management: str, security: str,
                workdir: Path) -> tuple[set[tuple[str, str]], set[str], float]:
    """(FAILed (check, resource) pairs, checks that produced any result, seconds) for one account."""
    out = workdir / f"out-{account}-{time.monotonic_ns()}"
    config = workdir / "prowler-config.yaml"
    config.write_text(f"aws:\n  organizations_trusted_delegated_administrators: ['{security}']\n"
                      "  organizations_enabled_regions: ['us-east-1']\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
               AWS_ENDPOINT_URL=endpoint)
    args = [prowler, "aws", "--region", "us-east-1", "--scan-unused-services", "--config-file", str(config),
            "--checks", *prowler_checks(), "-M", "json-ocsf", "-o", str(out), "-F", "scan", "--no-banner",
            "--ignore-exit-code-3"]
    if account != management:
        args += ["--role", f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"]
    started = time.monotonic()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=1800, check=False)
    seconds = time.monotonic() - started
    if done.returncode not in (0, 3):
        raise SystemExit(f"prowler failed ({done.returncode}) for {account}:\n{done.stdout[-2000:]}\n"
                         f"{done.stderr[-2000:]}")
    fails: set[tuple[str, str]] = set()
    produced: set[str] = set()
    for path in out.glob("*.ocsf.json"):
        for finding in json.loads(path.read_text(encoding="utf-8") or "[]"):
            check = finding.get("metadata", {}).get("event_code", "")
            produced.add(check)
            if finding.get("status_code") == "FAIL":
                uid = ",".join(r.get("uid", "") for r in finding.get("resources", []))
                fails.add((check, uid))
    return fails, produced, seconds


def compare(prowler: str, shard: tuple[int, int]) -> dict[str, Any]:
    import requests
    from moto.server import ThreadedMotoServer

    from tests.audit.helpers import audit_moto
    from tests.audit.moto_org import MANAGEMENT_ACCOUNT, build_organization
    from tests.audit.test_scenarios import SCENARIOS

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    index, total = shard
    # A Prowler run takes minutes: only the scenarios some Prowler check covers are run (the rest are listed).
    names = sorted(n for n in SCENARIOS if covered(SCENARIOS[n]))[index - 1::total]
    skipped = {n: sorted(SCENARIOS[n]) for n in SCENARIOS if not covered(SCENARIOS[n])}
    result: dict[str, Any] = {"baseline": {}, "scenarios": {}, "prowler_seconds": 0.0, "produced": [],
                              "not_run": skipped}
    produced_all: set[str] = set()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)

            def build(breaks: list[str]) -> dict[str, str]:
                requests.post(f"{url}/moto-api/reset", timeout=60).raise_for_status()
                built = build_organization(url, breaks)
                return {"management": MANAGEMENT_ACCOUNT, **built.account_ids}

            ids = build([])
            ours = sorted(audit_moto(url).finding_ids)
            result["baseline"]["landingzone"] = ours
            baseline: dict[str, list[list[str]]] = {}
            wanted = {"management"} | {ACCOUNT_OF_BREAK.get(n, "management") for n in names}
            for who in sorted(wanted):
                fails, produced, seconds = run_prowler(prowler, url, ids[who], MANAGEMENT_ACCOUNT, ids["security"],
                                                       work)
                produced_all |= produced
                result["prowler_seconds"] += seconds
                baseline[who] = sorted([list(f) for f in fails])
                print(f"baseline {who}: {len(fails)} Prowler FAIL(s) in {seconds:.0f} s", flush=True)
            result["baseline"]["prowler"] = baseline
            for name in names:
                ids = build([name])
                ours = sorted(audit_moto(url).finding_ids)
                who = ACCOUNT_OF_BREAK.get(name, "management")
                fails, produced, seconds = run_prowler(prowler, url, ids[who], MANAGEMENT_ACCOUNT, ids["security"],
                                                       work)
                produced_all |= produced
                result["prowler_seconds"] += seconds
                before = {tuple(f) for f in baseline[who]}
                # Resource ids differ between builds (new account ids, group ids): compare by check.
                new_checks = sorted({c for c, _ in fails} - {c for c, _ in before})
                result["scenarios"][name] = {"account": who, "landingzone": ours, "prowler": new_checks}
                print(f"{name}: landingzone {ours}, Prowler {new_checks} ({seconds:.0f} s)", flush=True)
    finally:
        server.stop()
    result["produced"] = sorted(produced_all)
    return result


def merge(parts: list[Path], started: float, seconds: float) -> dict[str, Any]:
    from landingzone.audit.prowler import PROWLER_VERSION

    data = [json.loads(p.read_text(encoding="utf-8")) for p in parts]
    baseline_prowler: dict[str, set[str]] = {}
    for d in data:
        for who, fails in d["baseline"]["prowler"].items():
            baseline_prowler.setdefault(who, set()).update(c for c, _ in fails)
    return {
        "prowler_version": PROWLER_VERSION,
        "date": time.strftime("%Y-%m-%d", time.gmtime(started)),
        "run_seconds": round(seconds),
        "prowler_seconds": round(sum(d["prowler_seconds"] for d in data)),
        "checks_run": prowler_checks(),
        "checks_with_results": sorted(set().union(*(d["produced"] for d in data))),
        "baseline": {"landingzone": data[0]["baseline"]["landingzone"],
                     "prowler": {who: sorted(c) for who, c in sorted(baseline_prowler.items())}},
        "scenarios": dict(sorted((k, v) for d in data for k, v in d["scenarios"].items())),
        "not_run": data[0]["not_run"],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prowler", help="the prowler executable (its own venv)")
    parser.add_argument("--out", type=Path, help="write this shard's raw results here")
    parser.add_argument("--shard", default="1/1", help="k/n: run every n-th scenario from the k-th")
    parser.add_argument("--merge", nargs="*", type=Path, help="merge these shard results")
    parser.add_argument("--started", type=float, default=None, help="epoch seconds the whole run started")
    parser.add_argument("--write", type=Path, help="merged results file (docs/prowler-run.json)")
    args = parser.parse_args(argv)
    if args.merge:
        started = args.started or time.time()
        merged = merge(args.merge, started, time.time() - started)
        args.write.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.write}")
        return 0
    k, n = (int(x) for x in args.shard.split("/"))
    result = compare(args.prowler, (k, n))
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
