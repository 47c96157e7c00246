"""How fast the configuration loader refuses hostile files and reads large valid ones. Target: every refusal in
well under a second (0.5 s here), a 1,000-account configuration loaded (read, parsed, validated) in 2 s.

    .venv/bin/python benchmarks/hostile_loading.py

Times are the best of three runs of `load_config` on a file in a temp dir (the library, not the CLI: the
interpreter's start is the same for every command and is not the loader's).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from landingzone import config as lzconfig  # noqa: E402
from landingzone.errors import ConfigError  # noqa: E402
from landingzone.presets import preset_data  # noqa: E402
from tests.hostile import corpus  # noqa: E402

REFUSAL_TARGET = 0.5
LARGE_TARGET = 2.0


def _best(load: Callable[[], object]) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(3):
        started = time.perf_counter()
        try:
            load()
            outcome = "valid"
        except ConfigError as exc:
            outcome = str(exc).splitlines()[1].strip()[:90]
        best = min(best, time.perf_counter() - started)
    return best, outcome


def _large(accounts: int) -> str:
    doc = preset_data("medium")
    doc["accounts"] += [{"name": f"workload-{i:04d}", "email": f"aws-workload-{i:04d}@example.com",
                         "kind": "workload", "ou": "Workloads/Prod"} for i in range(accounts)]
    doc["network"] += [{"account": f"workload-{i:04d}", "vpc_cidr": f"10.{i // 256}.{i % 256}.0/24",
                        "roles": [{"name": "web"}, {"name": "app"}, {"name": "db"}],
                        "rules": [{"source": "web", "target": "app", "port": 8080},
                                  {"source": "app", "target": "db", "port": 5432}]} for i in range(accounts)]
    return corpus.dump(doc)


def main() -> int:
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        files: list[tuple[str, str, float]] = []
        for case, text, _ in corpus.REFUSED:
            files.append((case, text, REFUSAL_TARGET))
        files += [("huge-scalar", corpus.huge_scalar(), REFUSAL_TARGET),
                  ("credentials-yaml", corpus.credentials_as_yaml(), REFUSAL_TARGET),
                  ("shadow-like", corpus.shadow_like(), REFUSAL_TARGET),
                  ("many-problems (300 bad accounts)", corpus.many_problems(), REFUSAL_TARGET),
                  ("1,000 accounts with networks", _large(1000), LARGE_TARGET)]
        print(f"{'case':<36} {'bytes':>10} {'seconds':>8}  outcome")
        for case, text, target in files:
            path = Path(tmp) / "lz.yaml"
            path.write_text(text, encoding="utf-8")
            seconds, outcome = _best(lambda p=path: lzconfig.load_config(p))  # type: ignore[misc]
            mark = "" if seconds <= target else f"  OVER TARGET ({target} s)"
            failed |= seconds > target
            print(f"{case:<36} {len(text.encode()):>10,} {seconds:>8.3f}  {outcome}{mark}")
        sparse = Path(tmp) / "sparse.yaml"
        with sparse.open("wb") as fh:
            fh.truncate(64 * 1024 * 1024)
        fifo = Path(tmp) / "fifo.yaml"
        os.mkfifo(fifo)
        for case, target_path in (("64 MiB sparse file", sparse), ("FIFO", fifo), ("/dev/zero", Path("/dev/zero")),
                                  ("/proc/self/environ", Path("/proc/self/environ"))):
            seconds, outcome = _best(lambda p=target_path: lzconfig.load_config(p))  # type: ignore[misc]
            failed |= seconds > REFUSAL_TARGET
            print(f"{case:<36} {'':>10} {seconds:>8.3f}  {outcome}")
    print("all within target" if not failed else "SOME CASES OVER TARGET")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
