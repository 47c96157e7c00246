"""Engine scale benchmark of the per-account stacks (issue 11), one command, one table:

    .venv/bin/python benchmarks/engine_scale.py                       # 10, 50 and 200 member accounts
    .venv/bin/python benchmarks/engine_scale.py --accounts 10 50 --parallel 2

For each size, on a fresh moto server and state (the emulated aws plugin, as in tests/engine), stages
organization, security and baseline (one baseline stack per member account plus the management account's):

- `up` of a fresh landing zone, wall seconds;
- a no-op `up --changed-only` right after it (every stack skipped by its fingerprint), wall seconds;
- a full `preview` (every stack previewed), wall seconds;
- during all three, sampled from /proc every 50 ms: peak number of plugin processes alive at once, and peak
  summed RSS of those processes; and what real providers would need: peak processes x 400 MB.

Targets (issue 11): peak processes <= parallel + 2 at every size; no-op `up --changed-only` at 200 accounts in at
most 30 s; full preview time linear in accounts / parallel. The emulator's plugin is a Python process (~60-90 MB),
not pulumi-resource-aws (~300-430 MB); the process count is the same.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.engine import EMULATOR, engine_environment, fresh_dir, moto_server  # noqa: E402
from landingzone.config import LandingZoneConfig, save_config, validate_config  # noqa: E402
from landingzone.orchestrator import Orchestrator  # noqa: E402
from landingzone.presets import preset_data  # noqa: E402

REAL_PROVIDER_MB = 400
PROVIDER_SCRIPT = str(EMULATOR / "provider.py").encode()
STAGES = ("organization", "regions", "security", "logging", "baseline")  # baseline reads logging's Config bucket


def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    return parents


def _descends_from_us(pid: int, parents: dict[int, int]) -> bool:
    me = os.getpid()
    seen = 0
    while pid > 1 and seen < 64:
        if pid == me:
            return True
        pid, seen = parents.get(pid, 0), seen + 1
    return False


def plugin_stats() -> tuple[int, int]:
    """(live plugin processes this benchmark started, their summed RSS in kB): processes of this clone's
    emulator that descend from this process (other runs on the machine do not count)."""
    parents = _parents()
    count = rss = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if PROVIDER_SCRIPT not in (entry / "cmdline").read_bytes():
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "").strip().startswith("Z") or not _descends_from_us(int(entry.name), parents):
            continue
        count += 1
        rss += int(fields.get("VmRSS", "0 kB").split()[0])
    return count, rss


@dataclass
class Peak:
    processes: int = 0
    rss_kb: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.is_set():
            count, rss = plugin_stats()
            self.processes = max(self.processes, count)
            self.rss_kb = max(self.rss_kb, rss)
            time.sleep(0.05)


def sampled(fn: Callable[[], Any]) -> tuple[float, Peak]:
    peak = Peak()
    thread = threading.Thread(target=peak.run, daemon=True)
    thread.start()
    start = time.perf_counter()
    try:
        fn()
    finally:
        seconds = time.perf_counter() - start
        peak._stop.set()
        thread.join()
    return seconds, peak


def config(endpoint: str, members: int) -> LandingZoneConfig:
    data = preset_data("small")
    data["governed_regions"] = ["us-east-1"]
    data["network"] = []
    data["aws"] = {"endpoint": endpoint}
    data["accounts"] += [{"name": f"workload-{i:03d}", "email": f"workload-{i:03d}@example.com", "kind": "workload"}
                         for i in range(members - len(data["accounts"]))]
    return validate_config(data)


def one_size(root: Path, members: int, parallel: int) -> dict[str, Any]:
    import stacks

    work = fresh_dir(root, f"n{members}")
    with moto_server(work / "moto.log") as url:
        engine_environment(url, work)
        cfg = config(url, members)
        path = work / "landingzone.yaml"
        save_config(cfg, path)
        orch = Orchestrator(cfg, path, concurrency=parallel, stages=[stacks.stage(n) for n in STAGES])
        up_s, up_peak = sampled(orch.up)
        noop_s, noop_peak = sampled(lambda: orch.up(changed_only=True))
        preview_s, preview_peak = sampled(orch.preview)
        print(f"    up {up_s:.1f} s, no-op up --changed-only {noop_s:.1f} s, preview {preview_s:.1f} s",
              file=sys.stderr, flush=True)
    peaks = (up_peak, noop_peak, preview_peak)
    processes = max(p.processes for p in peaks)
    return {"members": members, "stacks": 2 + members + 1, "up": up_s, "noop": noop_s, "preview": preview_s,
            "processes": processes, "rss_mb": max(p.rss_kb for p in peaks) / 1024,
            "real_mb": processes * REAL_PROVIDER_MB, "bound_ok": processes <= parallel + 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, nargs="+", default=[10, 50, 200], help="member account counts")
    parser.add_argument("--parallel", type=int, default=2, help="per-account stacks at once (--parallel)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="lz-scale-") as tmp:
        for members in args.accounts:
            print(f"... {members} member accounts", file=sys.stderr, flush=True)
            rows.append(one_size(Path(tmp), members, args.parallel))
            print_table(rows, args.parallel)


def print_table(rows: list[dict[str, Any]], parallel: int) -> None:
    print(f"\nengine scale (stages {', '.join(STAGES)}; --parallel {parallel}; emulated aws plugin on moto)")
    print(f"{'members':>7} {'stacks':>6} {'up s':>8} {'noop s':>8} {'preview s':>9} {'pv s/(n/p)':>10} "
          f"{'peak procs':>10} {'peak RSS MB':>11} {'real MB':>8} {'<= p+2':>6}")
    for r in rows:
        per = r["preview"] / (r["stacks"] / parallel)
        print(f"{r['members']:>7} {r['stacks']:>6} {r['up']:>8.1f} {r['noop']:>8.1f} {r['preview']:>9.1f} "
              f"{per:>10.2f} {r['processes']:>10} {r['rss_mb']:>11.0f} {r['real_mb']:>8} "
              f"{'yes' if r['bound_ok'] else 'NO':>6}", flush=True)


if __name__ == "__main__":
    main()
