"""Pulumi's errors made readable (the engine's own lines, fixes for known failures) and stale state locks."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

_LOCK_LINE = re.compile(r"created by (?P<user>\S+)@(?P<host>\S+) \(pid (?P<pid>\d+)\)")


def error_text(exc: BaseException) -> str:
    """The useful part of a CommandError: the engine's `error:` lines, else the tail of stderr."""
    stderr = str(getattr(exc, "stderr", "") or "")
    stdout = str(getattr(exc, "stdout", "") or "")
    if not stderr and not stdout:
        text = str(exc)
        stderr = text
    lines = [ln.strip() for ln in (stdout + "\n" + stderr).splitlines()]
    errors = [ln for ln in lines if ln.startswith("error:") or ln.startswith("Exception:")]
    picked = errors or [ln for ln in stderr.splitlines() if ln.strip()][-5:]
    text = "\n  ".join(dict.fromkeys(ln.strip() for ln in picked if ln.strip()))
    return text[:2000] or type(exc).__name__


ENGINE_HINTS: tuple[tuple[str, str], ...] = (
    ("aws:ec2/getVpcs:getVpcs",
     "stage security looks up the default VPC of every account in every governed region "
     "(close_default_security_groups): enable the region for that account, remove it from governed_regions, or "
     "set close_default_security_groups: false"),
    ("MaxNumberOfConfigurationRecordersExceeded",
     "the account already has an AWS Config recorder of another name (AWS allows one per region; the baseline's "
     "is named 'default'): delete it (`aws configservice delete-configuration-recorder`) so the baseline's takes "
     "over, or set security_services.config.enabled: false"),
    ("MaxNumberOfDeliveryChannelsExceeded",
     "the account already has an AWS Config delivery channel of another name (one per region; the baseline's is "
     "named 'default'): delete it (`aws configservice delete-delivery-channel`), or set "
     "security_services.config.enabled: false"),
    ("InsufficientDeliveryPolicyException",
     "AWS Config cannot write to the Config bucket: apply stage logging first (`landingzone up --stage logging`), "
     "which sets the bucket's policy for this organization's accounts"),
    ("aws:ec2/getNetworkAcls:getNetworkAcls",
     "stage baseline looks up the default network ACL of every default VPC in every governed region "
     "(baseline.deny_admin_ports_in_default_network_acls): enable the region for that account, remove it from "
     "governed_regions, or set baseline.deny_admin_ports_in_default_network_acls: false"),
    ("NetworkAclEntryAlreadyExists",
     "the network ACL already has an inbound entry with one of the rule numbers 91-98 that "
     "baseline.deny_admin_ports_in_default_network_acls adds: recreate that entry under another number (1-90 to "
     "keep it ahead of the deny entries) and run again, or set baseline.deny_admin_ports_in_default_network_acls: "
     "false"),
)
"""(fragment of an engine error, what to do): added to a failed stage's message when the fragment appears."""


def with_hints(text: str) -> str:
    """The engine's error text, followed by what to do for the failures we know."""
    fixes = [f"fix: {fix}" for fragment, fix in ENGINE_HINTS if fragment in text]
    return "\n  ".join([text, *fixes])


def stale_lock_pids(message: str) -> list[tuple[str, int]]:
    """(host, pid) of every lock holder named in a DIY backend's conflict message."""
    return [(m["host"], int(m["pid"])) for m in _LOCK_LINE.finditer(message)]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed process whose parent died too stays a zombie until init reaps it, and in a container init may
    # never do so: it holds nothing, so it counts as gone (Linux /proc; elsewhere the signal test decides).
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def lock_is_stale(message: str) -> bool:
    """True when every holder of the lock is a process on this host that no longer runs (a killed update)."""
    holders = stale_lock_pids(message)
    if not holders:
        return False
    here = {socket.gethostname(), socket.getfqdn()}
    return all(host in here and not _pid_alive(pid) for host, pid in holders)
