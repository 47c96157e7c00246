"""The bounded pool: per-account stacks in separate worker processes, their events back through a queue."""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from landingzone import events as ev
from landingzone.orchestrator.environment import pulumi_command
from landingzone.orchestrator.results import StackOutcome
from landingzone.orchestrator.runner import StackJob, run_stack
from landingzone.redact import register_secrets
from landingzone.workers import process_pool, spawn_context

if TYPE_CHECKING:
    from pulumi.automation import PulumiCommand


_worker_queue: Any = None
_worker_env: dict[str, str] = {}
_worker_command: PulumiCommand | None = None


def _worker_init(events: Any, secret_env: dict[str, str]) -> None:
    """Runs once in each worker process. SIGINT is left to the pulumi CLI (same process group): it stops the
    update cleanly, and the worker reports the failure back."""
    global _worker_queue, _worker_env
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_queue = events
    _worker_env = secret_env
    register_secrets(secret_env.values())  # a passphrase typed into the wizard is not in this process's env


def _worker_run(job: StackJob) -> StackOutcome:
    global _worker_command
    if _worker_command is None:
        _worker_command = pulumi_command(job.settings.cli_root)
    return run_stack(job, _worker_env, _worker_queue.put, _worker_command)


def _drain(events: Any, emit: ev.EventHandler, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            item = events.get(timeout=max(0.0, deadline - time.monotonic())) if timeout else events.get_nowait()
        except queue.Empty:
            return
        emit(item)
        timeout = 0.0


@dataclass
class PoolResult:
    """What the pool did: the outcomes of the stacks that finished (in job order) and the failures."""

    outcomes: list[StackOutcome] = field(default_factory=list)
    failures: list[tuple[StackJob, BaseException]] = field(default_factory=list)
    """(job, error) of every stack that failed, in the order they failed."""


def run_pool(jobs: Sequence[StackJob], secret_env: dict[str, str], workers: int, emit: ev.EventHandler,
             stop: threading.Event) -> PoolResult:
    """Run ``jobs`` in at most ``workers`` spawned processes. A failing stack does not stop the others; ``stop``
    (the first Ctrl-C) cancels the jobs not started yet. Events are handed to ``emit`` from the calling thread,
    in arrival order."""
    events: Any = spawn_context().Queue()
    outcomes: dict[int, StackOutcome] = {}
    result = PoolResult()
    with process_pool(min(workers, len(jobs)), initializer=_worker_init, initargs=(events, secret_env)) as pool:
        futures: dict[Future[StackOutcome], int] = {pool.submit(_worker_run, job): i for i, job in enumerate(jobs)}
        remaining = set(futures)
        while remaining:
            _drain(events, emit, timeout=0.05)
            if stop.is_set():
                for fut in remaining:
                    fut.cancel()
            for fut in [f for f in remaining if f.done()]:
                remaining.discard(fut)
                index = futures[fut]
                if fut.cancelled():
                    continue
                exc = fut.exception()
                if exc is None:
                    outcomes[index] = fut.result()
                else:
                    result.failures.append((jobs[index], exc))
        _drain(events, emit, timeout=0.2)
    _drain(events, emit, timeout=0.0)
    result.outcomes = [outcomes[i] for i in sorted(outcomes)]
    return result


def run_jobs(jobs: Sequence[StackJob], secret_env: dict[str, str], workers: int, emit: ev.EventHandler,
             stop: threading.Event, command: PulumiCommand | None = None) -> PoolResult:
    """``jobs`` in the bounded pool, or one after another in this process when one worker is enough (a
    single stack, or ``--parallel 1``). Either way a failing stack does not stop the others."""
    if len(jobs) > 1 and workers > 1:
        return run_pool(jobs, secret_env, workers, emit, stop)
    result = PoolResult()
    for job in jobs:
        if stop.is_set():
            break
        try:
            result.outcomes.append(run_stack(job, secret_env, emit, command))
        except Exception as exc:  # noqa: BLE001 - collected and reported per stack, as from the pool
            result.failures.append((job, exc))
    return result


STACK_MEMORY_MB = 512
"""What one stack of the pool needs with the real aws provider: its plugin process (~300-430 MB,
pulumi/pulumi-aws#5860) and the pulumi engine and worker around it."""
MAX_DEFAULT_PARALLEL = 16


def available_memory_mb() -> int | None:
    """MemAvailable from /proc/meminfo (Linux), else None."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def default_parallel() -> int:
    """How many per-account stacks run at once by default: two per core (the stacks mostly wait on AWS), at most
    what the available memory holds at STACK_MEMORY_MB each, at most MAX_DEFAULT_PARALLEL, at least 1."""
    by_cores = 2 * (os.cpu_count() or 1)
    memory = available_memory_mb()
    by_memory = by_cores if memory is None else memory // STACK_MEMORY_MB
    return max(1, min(by_cores, by_memory, MAX_DEFAULT_PARALLEL))
