"""`.landingzone/` stays private: its directories are created 0700 and the files in them 0600.

The state and work directories hold account ids, ARNs and encrypted secrets (the file backend writes the stacks'
checkpoints there, the work dirs hold each stack's encryption salt). The pulumi CLI writes most of those files
itself, so the engine runs under :func:`private_umask`: the process umask gains 077 while any engine operation
is running, which the pulumi subprocesses (and the worker processes) inherit, so everything they create is
owner-only. A umask only ever removes permissions, so nothing is widened.

The umask is process-wide; :func:`private_umask` counts the operations that need it (threads, nested calls) and
restores the previous value when the last one ends. Directories that existed before keep their modes:
``landingzone doctor`` warns about them (:func:`exposed_paths`) and says how to fix them.
"""

from __future__ import annotations

import functools
import os
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
PRIVATE_UMASK = 0o077

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_depth = 0
_saved: int | None = None


@contextmanager
def private_umask() -> Iterator[None]:
    """Within: files and directories this process (and any child it starts) creates are owner-only."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = os.umask(PRIVATE_UMASK)
            os.umask(_saved | PRIVATE_UMASK)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                os.umask(_saved)
                _saved = None


def with_private_umask(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator: the function runs under :func:`private_umask`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with private_umask():
            return func(*args, **kwargs)

    return wrapper


def ensure_private_dir(path: Path | str) -> Path:
    """Create the directory (and missing parents) owner-only; an existing one is left as it is."""
    path = Path(path)
    with private_umask():
        path.mkdir(parents=True, exist_ok=True)
    return path


MAX_SCANNED = 20_000
"""Entries :func:`exposed_paths` looks at before it stops (a landing zone of 1,000 accounts has a few thousand)."""


def exposed_paths(root: Path | str, *, limit: int = 10) -> list[tuple[Path, int]]:
    """Up to ``limit`` paths under ``root`` (itself included) that the group or others may read, write or enter,
    with their modes. Symlinks are not followed."""
    root = Path(root)
    found: list[tuple[Path, int]] = []
    scanned = 0

    def look(path: Path) -> bool:
        nonlocal scanned
        scanned += 1
        try:
            info = path.lstat()
        except OSError:
            return True
        if not stat.S_ISLNK(info.st_mode) and info.st_mode & 0o077:
            found.append((path, stat.S_IMODE(info.st_mode)))
        return len(found) < limit and scanned < MAX_SCANNED

    if not root.exists() or not look(root):
        return found
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            if not look(Path(dirpath) / name):
                return found
    return found
