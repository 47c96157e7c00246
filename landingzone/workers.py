"""Worker processes for per-account stacks, shared by the orchestrator and the offline plan.

Pulumi's runtime state (settings, the root resource, the mock monitor) is global per process, so two stacks can
only run at the same time in two processes. Workers are spawned, never forked: the parent may hold pulumi's gRPC
threads and event loop, which a forked child would inherit in an undefined state.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def default_workers() -> int:
    """One worker per core: the stacks are CPU-bound under mocks and each waits on its own CLI otherwise."""
    return os.cpu_count() or 1


def spawn_context() -> Any:
    return multiprocessing.get_context("spawn")


def process_pool(workers: int, *, initializer: Callable[..., object] | None = None,
                 initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A pool of at most ``workers`` spawned processes."""
    return ProcessPoolExecutor(max_workers=max(1, workers), mp_context=spawn_context(), initializer=initializer,
                               initargs=initargs)


def chunks(items: Sequence[T], count: int) -> list[list[T]]:
    """``items`` cut into at most ``count`` contiguous runs of near-equal length, order kept."""
    count = max(1, min(count, len(items)))
    size, extra = divmod(len(items), count)
    out: list[list[T]] = []
    start = 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return [c for c in out if c]
