"""Replacing a file so that a crash or a kill never leaves it truncated.

:func:`atomic_write_text` writes the new content to a temporary file in the same directory, fsyncs it, gives it the
mode of the file it replaces, keeps the previous version as ``<name>.bak``, and renames it over the original (a
rename within one directory is atomic on POSIX file systems). Whatever moment the process dies at, the file holds
either its previous content or the new content, complete; at worst a temporary file ``.<name>.<random>.tmp`` is
left beside it. A symlink is resolved first and its target is replaced the same way, so the link stays a link.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from landingzone.errors import LandingZoneError


class FileWriteError(LandingZoneError, OSError):
    """The file cannot be replaced (not a regular file, a directory that is not writable, a full disk). Both a
    LandingZoneError (the CLI prints it with exit code 1) and an OSError (what callers of a file write expect)."""


BACKUP_SUFFIX = ".bak"
DEFAULT_FILE_MODE = 0o666


def _current_umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform or file system can open a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def resolve_target(path: Path | str) -> Path:
    """The file a write to ``path`` replaces: the end of its symlink chain. Refuses anything but a regular file."""
    real = Path(os.path.realpath(path))
    try:
        info = real.stat()
    except FileNotFoundError:
        return real
    except OSError as exc:
        raise FileWriteError(f"cannot write {path}: {os.strerror(exc.errno or 0).lower()}") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileWriteError(f"refusing to replace {path}: it is not a regular file")
    return real


def backup_path(path: Path | str) -> Path:
    """Where :func:`atomic_write_text` keeps the previous version of ``path`` (beside the symlink's target)."""
    real = Path(os.path.realpath(path))
    return real.with_name(real.name + BACKUP_SUFFIX)


def _keep_backup(real: Path) -> None:
    """``<name>.bak`` becomes the current version, atomically: a hard link to it (no copy), or a copy where the
    file system has no hard links."""
    bak = real.with_name(real.name + BACKUP_SUFFIX)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{bak.name}.", suffix=".tmp", dir=real.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        try:
            os.link(real, tmp)
        except OSError:
            shutil.copy2(real, tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, bak)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_text(path: Path | str, text: str, *, backup: bool = True, encoding: str = "utf-8") -> Path:
    """Replace (or create) the file at ``path`` with ``text``, atomically; return the file actually written."""
    real = resolve_target(path)
    try:
        info: os.stat_result | None = real.stat()
    except FileNotFoundError:
        info = None
    mode = stat.S_IMODE(info.st_mode) if info else DEFAULT_FILE_MODE & ~_current_umask()
    directory = real.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise FileWriteError(f"cannot write {path}: {os.strerror(exc.errno or 0).lower()}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if info is not None and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
            with contextlib.suppress(OSError):  # keep the owner where we may (root editing a user's file)
                os.chown(tmp, info.st_uid, info.st_gid)
        if backup and info is not None:
            _keep_backup(real)
        os.replace(tmp, real)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, FileWriteError):
            raise FileWriteError(f"cannot write {path}: {os.strerror(exc.errno or 0).lower()}; the file is "
                                 "unchanged") from None
        raise
    _fsync_dir(directory)
    return real
