"""Drive the staged Pulumi programs through the Automation API: preview, up, refresh, destroy, outputs.

- One stack per stage, and one per account for account-scoped stages (network). Stack names derive from the
  landing zone's name (``<name>-<stage>``, ``<name>-<stage>-<account>``) and never change once created.
- Inline programs, each stack with its own persistent work dir under ``.landingzone/work/<stack>`` beside the
  configuration: the passphrase salt lives in ``Pulumi.<stack>.yaml`` there. Engine work runs under an owner-only
  umask (``landingzone.privatefiles``), so ``.landingzone/`` and what pulumi writes into it are 0700/0600.
- The state backend comes from the configuration (file:// default beside it, s3://, Pulumi Cloud); the
  passphrase from LANDINGZONE_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE[_FILE]. It is handed to the CLI in its
  environment only: never logged, never written.
- Stages run in dependency order (reverse for destroy). The outputs of a stage are passed into the programs of
  the stages that depend on it (``StageContext.upstream``). A stage that was never applied gives ``UNKNOWN`` for
  every output, so a preview of a fresh landing zone still shows every stage.
- Inline programs share global runtime state in one process, so the per-account stacks of a stage run in
  separate worker processes, at most ``concurrency`` at a time; their events travel back through a queue.
- Engine events become the typed events of :mod:`landingzone.events`; Pulumi errors become LandingZoneErrors.
- Ctrl-C: the first one lets the running stacks stop the way Pulumi stops (in-flight operations finish, state is
  written) and starts nothing new, then reports what was applied; a second one aborts at once.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from landingzone import events as ev
from landingzone.config import LandingZoneConfig, backend_url
from landingzone.errors import (
    Interrupted,
    LandingZoneError,
    PreflightError,
    StageError,
    StateLockedError,
    UsageError,
)
from landingzone.privatefiles import ensure_private_dir, with_private_umask
from landingzone.redact import register_secret, register_secrets
from landingzone.workers import process_pool, spawn_context

if TYPE_CHECKING:
    from pulumi.automation import PulumiCommand, Stack

PROJECT_NAME = "landingzone"
"""The Pulumi project of every stack (stack names carry the landing zone's name, so several landing zones can
share one backend)."""
WORK_DIR = Path(".landingzone") / "work"
PASSPHRASE_ENV = "LANDINGZONE_PASSPHRASE"


# ---- stages ----------------------------------------------------------------------------------------------------


class StageLike(Protocol):
    """What the orchestrator needs of a stage (``stacks.Stage`` is one; tests inject their own)."""

    @property
    def name(self) -> str: ...

    @property
    def depends_on(self) -> Sequence[str]: ...

    @property
    def scope(self) -> str: ...

    @property
    def program(self) -> Callable[[Any], None]: ...

    def accounts(self, cfg: LandingZoneConfig) -> list[str]: ...


def unknown_sentinel() -> Any:
    """``stacks.UNKNOWN``: an upstream output that is not known before apply."""
    from stacks import UNKNOWN

    return UNKNOWN


class Outputs(dict[str, Any]):
    """The outputs of an upstream stage as the downstream program sees them.

    A key that is missing (the stage was never applied, or its pending changes add the key) reads as UNKNOWN,
    both with ``outputs[key]`` and ``outputs.get(key)``; nested mappings behave the same way.
    """

    def __missing__(self, key: str) -> Any:
        return unknown_sentinel()

    def get(self, key: str, default: Any = None) -> Any:
        return self[key]

    @classmethod
    def wrap(cls, values: Mapping[str, Any]) -> Outputs:
        return cls({k: cls.wrap(v) if isinstance(v, Mapping) else v for k, v in values.items()})


STAGES_ENV = "LANDINGZONE_STAGES"
"""``module:attribute`` of another stage registry, for tests that drive the CLI with stand-in stages."""


def default_stages() -> tuple[StageLike, ...]:
    import importlib

    module_name, _, attr = os.environ.get(STAGES_ENV, "stacks:STAGES").partition(":")
    registry: tuple[StageLike, ...] = tuple(getattr(importlib.import_module(module_name), attr or "STAGES", ()))
    if not registry:
        raise PreflightError("the stage programs (stacks.STAGES) are not available in this build")
    return registry


def make_context(cfg: LandingZoneConfig, upstream: Mapping[str, Any], account: str | None) -> Any:
    from stacks import StageContext

    return StageContext(config=cfg, upstream=upstream, account=account)


def stage_accounts(stage: StageLike, cfg: LandingZoneConfig) -> list[str]:
    if stage.scope != "account":
        return []
    return list(stage.accounts(cfg))


# ---- naming ----------------------------------------------------------------------------------------------------


def stack_name(cfg: LandingZoneConfig, stage: str, account: str | None = None) -> str:
    """``<name>-<stage>[-<account>]``: one definition, shared with stacks/__main__.py (the plain pulumi CLI)."""
    from stacks import stack_name as derive

    return derive(cfg, stage, account)


@dataclass(frozen=True)
class StackRef:
    """One stack: a stage, or one account of an account-scoped stage."""

    stage: str
    name: str
    account: str | None = None

    @property
    def label(self) -> str:
        return self.stage if self.account is None else f"{self.stage}[{self.account}]"


# ---- results ---------------------------------------------------------------------------------------------------


@dataclass
class StackOutcome:
    """What one stack operation did."""

    ref: StackRef
    operation: ev.Operation
    counts: dict[str, int] = field(default_factory=dict)
    resources: list[ev.ResourceOp] = field(default_factory=list)
    outputs: dict[str, Any] | None = None
    planned_outputs: dict[str, Any] | None = None
    """A preview's planned stack outputs: plain values, UNKNOWN where not known before apply."""
    diff_text: str = ""
    seconds: float = 0.0
    skipped: str = ""
    """Why the stack was not run (e.g. destroy of a stack that was never created)."""

    @property
    def changed(self) -> int:
        return sum(n for op, n in self.counts.items() if op in ev.CHANGE_OPS)

    def summary(self) -> ev.ChangeSummary:
        return ev.ChangeSummary(self.ref.stage, self.operation, dict(self.counts), self.ref.name, self.ref.account)


@dataclass
class RunResult:
    """The outcome of a preview/up/refresh/destroy over the selected stacks, in the order they ran."""

    operation: ev.Operation
    stacks: list[StackOutcome] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return any(s.changed for s in self.stacks)

    @property
    def applied(self) -> list[str]:
        return [s.ref.label for s in self.stacks if not s.skipped]

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "changes": self.has_changes,
            "stacks": [
                {
                    "stage": s.ref.stage,
                    "stack": s.ref.name,
                    "account": s.ref.account,
                    "counts": s.counts,
                    "skipped": s.skipped or None,
                    "resources": [
                        {"type": r.type, "name": r.name, "op": r.op, "diff_keys": list(r.diff_keys)}
                        for r in s.resources if r.changes
                    ],
                }
                for s in self.stacks
            ],
        }


# ---- environment -----------------------------------------------------------------------------------------------


def passphrase_env(environ: Mapping[str, str] | None = None, passphrase: str | None = None) -> dict[str, str]:
    """The variables that give the CLI the secrets passphrase. Raises PreflightError when there is none."""
    environ = os.environ if environ is None else environ
    if passphrase is not None:
        return {"PULUMI_CONFIG_PASSPHRASE": passphrase}
    if PASSPHRASE_ENV in environ:
        return {"PULUMI_CONFIG_PASSPHRASE": environ[PASSPHRASE_ENV]}
    for var in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        if var in environ:
            return {var: environ[var]}
    raise PreflightError(
        "no secrets passphrase: the state of every stage is encrypted with it",
        fix=f"export {PASSPHRASE_ENV}=... (the same value on every run; it is never written to disk or logs)",
    )


@dataclass(frozen=True)
class EngineSettings:
    """Everything a worker process needs to open a stack (picklable; the passphrase travels separately)."""

    backend: str
    work_root: str
    cli_root: str
    extra_env: tuple[tuple[str, str], ...] = ()


def _pulumi_command(cli_root: str) -> PulumiCommand:
    from pulumi.automation import PulumiCommand

    return PulumiCommand(root=cli_root)


# ---- engine events -> typed events -----------------------------------------------------------------------------

_SEVERITY: dict[str, ev.LogLevel] = {"debug": "debug", "info": "info", "info#err": "info", "warning": "warning",
                                     "error": "error"}


def _get(obj: Any, *names: str) -> Any:
    """Read a field of an SDK event object or of the raw camelCase dict some SDK versions hand over."""
    for name in names:
        if isinstance(obj, Mapping):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return None


def resource_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if "::" in urn else urn


class EventTranslator:
    """Turns the engine events of one stack operation into typed events and keeps the planned steps."""

    def __init__(self, ref: StackRef, operation: ev.Operation, emit: ev.EventHandler) -> None:
        self.ref = ref
        self.operation = operation
        self.emit = emit
        self.steps: dict[str, ev.ResourceOp] = {}
        self.counts: dict[str, int] | None = None
        self.stack_outputs: dict[str, Any] | None = None
        """The stack's outputs as the engine reports them (in a preview: as planned, unknowns included)."""

    def _op(self, meta: Any, *, done: bool = False, failed: bool = False) -> ev.ResourceOp | None:
        urn = str(_get(meta, "urn") or "")
        rtype = str(_get(meta, "type") or "")
        if rtype == "pulumi:pulumi:Stack":
            return None
        op = _get(meta, "op")
        op = getattr(op, "value", op)
        diffs = _get(meta, "diffs") or _get(meta, "keys") or []
        return ev.ResourceOp(self.ref.stage, rtype, resource_name(urn), str(op or ""), tuple(str(d) for d in diffs),
                             urn, self.ref.account, done, failed)

    def __call__(self, event: Any) -> None:
        pre = _get(event, "resource_pre_event", "resourcePreEvent")
        if pre is not None:
            item = self._op(_get(pre, "metadata"))
            if item is not None:
                self.steps[item.urn] = item
                self.emit(item)
            return
        outs = _get(event, "res_outputs_event", "resOutputsEvent")
        if outs is not None:
            meta = _get(outs, "metadata")
            if str(_get(meta, "type") or "") == "pulumi:pulumi:Stack":
                planned = _get(_get(meta, "new") or {}, "outputs")
                if isinstance(planned, Mapping):
                    self.stack_outputs = dict(planned)
            item = self._op(meta, done=True)
            if item is not None:
                self.steps.setdefault(item.urn, item)
                self.emit(item)
            return
        failed = _get(event, "res_op_failed_event", "resOpFailedEvent")
        if failed is not None:
            item = self._op(_get(failed, "metadata"), done=True, failed=True)
            if item is not None:
                self.emit(item)
            return
        diag = _get(event, "diagnostic_event", "diagnosticEvent")
        if diag is not None:
            severity = str(_get(diag, "severity") or "info")
            if severity == "debug" or _get(diag, "ephemeral"):
                return
            message = str(_get(diag, "message") or "").strip()
            if message:
                self.emit(ev.LogLine(self.ref.stage, message, _SEVERITY.get(severity, "info"), self.ref.account,
                                     str(_get(diag, "urn") or "")))
            return
        summary = _get(event, "summary_event", "summaryEvent")
        if summary is not None:
            changes = _get(summary, "resource_changes", "resourceChanges") or {}
            self.counts = {str(getattr(k, "value", k)): int(v) for k, v in dict(changes).items()}


_UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SECRET_SIG = "4dabf18193072939515e22adb298388d"


def planned_values(value: Any) -> Any:
    """Engine-reported output values -> plain values: unknowns (and masked secrets) become UNKNOWN."""
    if isinstance(value, str) and value == _UNKNOWN_SENTINEL:
        return unknown_sentinel()
    if isinstance(value, Mapping):
        if _SECRET_SIG in value:
            return unknown_sentinel()
        return {str(k): planned_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [planned_values(v) for v in value]
    return value


# ---- errors ----------------------------------------------------------------------------------------------------

_LOCK_LINE = re.compile(r"created by (?P<user>\S+)@(?P<host>\S+) \(pid (?P<pid>\d+)\)")


def _error_text(exc: BaseException) -> str:
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


# ---- one stack -------------------------------------------------------------------------------------------------


@dataclass
class StackJob:
    """One operation on one stack (picklable: it crosses into worker processes)."""

    stage: StageLike
    ref: StackRef
    operation: ev.Operation
    cfg: LandingZoneConfig
    upstream: dict[str, Any]
    settings: EngineSettings
    diff: bool = False
    include_protected: bool = False
    preview_only: bool = False
    """For destroy: only list what would be removed."""


def _open_stack(job: StackJob, secret_env: Mapping[str, str], command: PulumiCommand) -> Stack:
    from pulumi import automation as auto

    cfg, upstream, ref, stage = job.cfg, job.upstream, job.ref, job.stage
    program_fn = stage.program

    def program() -> None:
        program_fn(make_context(cfg, upstream, ref.account))

    work_dir = Path(job.settings.work_root) / ref.name
    work_dir.mkdir(parents=True, exist_ok=True)
    env = {"PULUMI_SKIP_UPDATE_CHECK": "true", **dict(job.settings.extra_env), **secret_env}
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        env_vars=env,
        pulumi_command=command,
        project_settings=auto.ProjectSettings(name=PROJECT_NAME, runtime="python",
                                              backend=auto.ProjectBackend(job.settings.backend)),
    )
    return auto.create_or_select_stack(ref.name, project_name=PROJECT_NAME, program=program, opts=opts)


def _unprotect_all(stack: Stack) -> None:
    ws = stack.workspace
    ws.pulumi_command.run(["state", "unprotect", "--all", "--yes", "--stack", stack.name], ws.work_dir,
                          dict(getattr(ws, "env_vars", {}) or {}))


NOTHING_UNPROTECTED = "There were no unprotected resources to destroy"
"""What pulumi says (and then stops, with no summary event) when a destroy excluding protected resources finds
nothing else to remove."""


def _preview_destroy_unprotected(stack: Stack, translate: EventTranslator, common: dict[str, Any]) -> dict[str, int]:
    """What a destroy that keeps protected resources would remove."""
    said: list[str] = []
    try:
        pre = stack.preview_destroy(exclude_protected=True, on_output=said.append, **common)
    except RuntimeError:
        # The SDK raises "summary event never found" when pulumi stopped early: only protected resources remain.
        if NOTHING_UNPROTECTED in "\n".join(said):
            return {}
        raise
    return _counts(translate.counts, pre.change_summary)


def _plan_removing_everything(stack: Stack, translate: EventTranslator) -> dict[str, int]:
    """What a destroy with include_protected would remove: every resource in the state, since it unprotects them
    all first. pulumi cannot preview that (a preview fails on the first protected resource) and a preview must
    not unprotect anything, so the list comes from the state, reported as the engine would report planned
    deletes."""
    resources = (stack.export_stack().deployment or {}).get("resources") or []
    for resource in resources:
        urn, rtype = str(resource.get("urn", "")), str(resource.get("type", ""))
        if rtype == "pulumi:pulumi:Stack":
            continue
        item = ev.ResourceOp(translate.ref.stage, rtype, resource_name(urn), "delete", (), urn, translate.ref.account)
        translate.steps[urn] = item
        translate.emit(item)
    deletes = len(translate.steps)
    return {"delete": deletes} if deletes else {}


def _counts(from_events: dict[str, int] | None, from_result: Mapping[Any, int] | None) -> dict[str, int]:
    """Op -> count, from the summary event when there was one, else from the SDK's result."""
    if from_events is not None:
        return dict(from_events)
    return {str(getattr(k, "value", k)): int(v) for k, v in (from_result or {}).items()}


def _operate(job: StackJob, stack: Stack, translate: EventTranslator) -> StackOutcome:
    started = time.monotonic()
    outcome = StackOutcome(job.ref, job.operation)
    common: dict[str, Any] = {"on_event": translate, "color": "never"}
    if job.operation == "preview":
        pre = stack.preview(diff=job.diff or None, **common)
        outcome.counts = _counts(translate.counts, pre.change_summary)
        outcome.diff_text = pre.stdout if job.diff else ""
    elif job.operation == "up":
        res = stack.up(**common)
        outcome.counts = _counts(translate.counts, res.summary.resource_changes)
        outcome.outputs = {k: v.value for k, v in res.outputs.items()}
    elif job.operation == "refresh":
        ref_res = stack.refresh(**common)
        outcome.counts = _counts(translate.counts, ref_res.summary.resource_changes)
    elif job.operation == "destroy":
        if job.preview_only and job.include_protected:
            outcome.counts = _plan_removing_everything(stack, translate)
        elif job.preview_only:
            outcome.counts = _preview_destroy_unprotected(stack, translate, common)
        else:
            if job.include_protected:
                _unprotect_all(stack)
            des = stack.destroy(exclude_protected=not job.include_protected or None, **common)
            nothing = not job.include_protected and NOTHING_UNPROTECTED in des.stdout
            # With nothing unprotected pulumi returns before the update, so the SDK's summary is the last update's.
            outcome.counts = {} if nothing else _counts(translate.counts, des.summary.resource_changes)
    if job.operation == "preview" and translate.stack_outputs is not None:
        outcome.planned_outputs = planned_values(translate.stack_outputs)
    outcome.resources = list(translate.steps.values())
    outcome.seconds = time.monotonic() - started
    return outcome


@with_private_umask  # the file backend's checkpoints and the work dir's stack settings: owner-only
def run_stack(job: StackJob, secret_env: Mapping[str, str], emit: ev.EventHandler,
              command: PulumiCommand | None = None, *, stale_lock_retry: bool = True) -> StackOutcome:
    """Open (create or select) the stack and run the operation, translating events and errors."""
    from pulumi.automation import errors as auto_errors

    ref = job.ref
    command = command or _pulumi_command(job.settings.cli_root)
    emit(ev.StageStarted(ref.stage, job.operation, ref.name, ref.account))
    try:
        stack = _open_stack(job, secret_env, command)
        translate = EventTranslator(ref, job.operation, emit)
        try:
            outcome = _operate(job, stack, translate)
        except auto_errors.ConcurrentUpdateError as exc:
            detail = _error_text(exc)
            if not (stale_lock_retry and lock_is_stale(str(exc))):
                raise StateLockedError(ref.name, detail) from None
            # The update that held the lock was killed (its process is gone from this host): the lock protects
            # nothing now. Remove it and run again; pending operations it left are reported by the engine.
            emit(ev.LogLine(ref.stage, f"removing the stale lock left by a killed update: {detail}", "warning",
                            ref.account))
            stack.cancel()
            translate = EventTranslator(ref, job.operation, emit)
            outcome = _operate(job, stack, translate)
    except StateLockedError as exc:
        emit(ev.StageFailed(ref.stage, job.operation, ref.name, str(exc).splitlines()[0], ref.account))
        raise
    except auto_errors.CommandError as exc:
        text = _error_text(exc)
        if "locked by" in text and "lock" in text:
            emit(ev.StageFailed(ref.stage, job.operation, ref.name, "state locked", ref.account))
            raise StateLockedError(ref.name, text) from None
        emit(ev.StageFailed(ref.stage, job.operation, ref.name, text.splitlines()[0], ref.account))
        raise StageError(ref.label, with_hints(text)) from None
    except LandingZoneError as exc:
        emit(ev.StageFailed(ref.stage, job.operation, ref.name, str(exc).splitlines()[0], ref.account))
        raise
    except Exception as exc:  # botocore and anything the program raises outside the engine
        if type(exc).__module__.startswith("botocore"):
            emit(ev.StageFailed(ref.stage, job.operation, ref.name, str(exc), ref.account))
            raise StageError(ref.label, f"AWS: {exc}") from None
        raise
    emit(outcome.summary())
    emit(ev.StageFinished(ref.stage, job.operation, ref.name, ref.account, outcome.seconds,
                          tuple(sorted(outcome.outputs or {}))))
    return outcome


# ---- worker processes ------------------------------------------------------------------------------------------

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
        _worker_command = _pulumi_command(job.settings.cli_root)
    return run_stack(job, _worker_env, _worker_queue.put, _worker_command)


# ---- the orchestrator ------------------------------------------------------------------------------------------


class Orchestrator:
    """Runs the landing zone's stages against the configured backend. See the module docstring."""

    def __init__(
        self,
        cfg: LandingZoneConfig,
        config_path: Path | str,
        *,
        on_event: ev.EventHandler | None = None,
        concurrency: int = 4,
        stages: Sequence[StageLike] | None = None,
        passphrase: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.cfg = cfg
        self.config_path = Path(config_path).resolve()
        self.on_event: ev.EventHandler = on_event or ev.ignore_event
        self.concurrency = max(1, concurrency)
        self._stages: tuple[StageLike, ...] | None = tuple(stages) if stages is not None else None
        self._passphrase = passphrase
        register_secret(passphrase)
        self._extra_env = dict(env or {})
        self._command: PulumiCommand | None = None
        self._settings: EngineSettings | None = None
        self._stop = threading.Event()

    # ---- set-up ----

    @property
    def stages(self) -> tuple[StageLike, ...]:
        if self._stages is None:
            self._stages = tuple(default_stages())
        return self._stages

    @property
    def work_root(self) -> Path:
        return self.config_path.parent / WORK_DIR

    @property
    def backend(self) -> str:
        return backend_url(self.cfg, self.config_path)

    def _secret_env(self) -> dict[str, str]:
        return passphrase_env(passphrase=self._passphrase)

    def _engine(self) -> tuple[EngineSettings, PulumiCommand]:
        if self._settings is None or self._command is None:
            from landingzone.toolchain import ensure_pulumi

            cli = ensure_pulumi(allow_install=False)
            self._command = _pulumi_command(str(cli.root))
            backend = self.backend
            if backend.startswith("file://"):
                ensure_private_dir(backend[len("file://"):].split("?", 1)[0])
            self._settings = EngineSettings(backend, str(self.work_root), str(cli.root),
                                            tuple(sorted(self._extra_env.items())))
        return self._settings, self._command

    def stage(self, name: str) -> StageLike:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise UsageError(f"--stage: {name!r} is not a stage; choose one of "
                               f"{', '.join(s.name for s in self.stages)}")

    def select(self, name: str | None = None, *, dependents: bool = False) -> list[StageLike]:
        """The stages to run, in dependency order: all; or `name` and what it needs (its transitive
        dependencies), or with ``dependents`` `name` and the stages that need it (for destroy)."""
        if name is None:
            return list(self.stages)
        self.stage(name)
        wanted = {name}
        changed = True
        while changed:
            changed = False
            for stage in self.stages:
                if dependents:
                    hit = stage.name not in wanted and any(d in wanted for d in stage.depends_on)
                    if hit:
                        wanted.add(stage.name)
                        changed = True
                elif stage.name in wanted:
                    for dep in stage.depends_on:
                        if dep not in wanted:
                            wanted.add(dep)
                            changed = True
        return [s for s in self.stages if s.name in wanted]

    def stack_refs(self, stage: StageLike) -> list[StackRef]:
        accounts = stage_accounts(stage, self.cfg)
        if stage.scope == "account":
            return [StackRef(stage.name, stack_name(self.cfg, stage.name, a), a) for a in accounts]
        return [StackRef(stage.name, stack_name(self.cfg, stage.name))]

    # ---- state queries ----

    @with_private_umask
    def _pulumi(self, args: list[str]) -> str:
        """A plain CLI call against the backend (stack ls, stack output), from a scratch work dir."""
        from pulumi import automation as auto

        settings, command = self._engine()
        scratch = Path(settings.work_root) / "_project"
        scratch.mkdir(parents=True, exist_ok=True)
        ws_file = scratch / "Pulumi.yaml"
        ws_text = f"name: {PROJECT_NAME}\nruntime: python\nbackend:\n  url: {settings.backend}\n"
        if not ws_file.exists() or ws_file.read_text() != ws_text:
            ws_file.write_text(ws_text)
        env = {"PULUMI_SKIP_UPDATE_CHECK": "true", **self._extra_env, **self._secret_env()}
        try:
            return command.run(args, str(scratch), env).stdout
        except auto.errors.CommandError as exc:
            raise LandingZoneError(f"pulumi {' '.join(args[:2])} failed: {_error_text(exc)}") from None

    def existing_stacks(self) -> dict[str, int]:
        """Stacks of this project in the backend -> resource count (0 when never applied or destroyed)."""
        listing = json.loads(self._pulumi(["stack", "ls", "--json"]) or "[]")
        return {item["name"]: int(item.get("resourceCount") or 0) for item in listing}

    def stack_outputs(self, name: str, *, show_secrets: bool = True) -> dict[str, Any]:
        args = ["stack", "output", "--json", "--stack", name]
        if show_secrets:
            args.append("--show-secrets")
        data = json.loads(self._pulumi(args) or "{}")
        return dict(data)

    def outputs(self, stage: str | None = None, *, show_secrets: bool = False) -> dict[str, Any]:
        """Outputs of the applied stacks: {stage: {name: value}}, account-scoped stages {stage: {account:
        {name: value}}}. Secret values read "[secret]" unless ``show_secrets``."""
        existing = self.existing_stacks()
        result: dict[str, Any] = {}
        for st in self.select(stage):
            for ref in self.stack_refs(st):
                if not existing.get(ref.name):
                    continue
                values = self.stack_outputs(ref.name, show_secrets=show_secrets)
                if ref.account is None:
                    result[st.name] = values
                else:
                    result.setdefault(st.name, {})[ref.account] = values
        return result

    # ---- operations ----

    def request_stop(self) -> None:
        """Stop after the running stacks (what the first Ctrl-C does; the TUI calls this)."""
        self._stop.set()

    def preview(self, stage: str | None = None, *, diff: bool = False) -> RunResult:
        return self._run("preview", self.select(stage), diff=diff)

    def up(self, stage: str | None = None) -> RunResult:
        return self._run("up", self.select(stage))

    def refresh(self, stage: str | None = None) -> RunResult:
        return self._run("refresh", self.select(stage))

    def destroy(self, stage: str | None = None, *, include_protected: bool = False,
                preview_only: bool = False) -> RunResult:
        selected = list(reversed(self.select(stage, dependents=True)))
        return self._run("destroy", selected, include_protected=include_protected, preview_only=preview_only)

    def _emit(self, event: ev.Event) -> None:
        self.on_event(event)

    @contextmanager
    def _interrupts(self) -> Iterator[None]:
        """First SIGINT: stop after the running stacks. Second: abort. Only in the main thread (the TUI runs
        the orchestrator in a worker thread and calls request_stop instead)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum: int, frame: Any) -> None:
            if self._stop.is_set():
                raise KeyboardInterrupt
            self._stop.set()

        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _run(self, operation: ev.Operation, selected: list[StageLike], **options: Any) -> RunResult:
        secret_env = self._secret_env()  # before anything touches the backend
        settings, command = self._engine()
        self._stop.clear()
        result = RunResult(operation)
        # Which stacks exist and hold resources decides both what upstream outputs are known and which stacks
        # refresh/destroy can skip: one `stack ls` for all of them.
        existing = self.existing_stacks()
        known: dict[str, Any] = {}
        cfg = self._looked_up(operation, selected)
        with self._interrupts():
            for stage in selected:
                if self._stop.is_set():
                    break
                refs = self.stack_refs(stage)
                if not self._has_work(stage):
                    # (nothing configured: no stack, unless one was applied before and must now be emptied)
                    refs = [ref for ref in refs if existing.get(ref.name)]
                    if not refs:
                        continue
                upstream = self._upstream(stage, existing, known)
                jobs: list[StackJob] = []
                for ref in refs:
                    if operation in ("refresh", "destroy") and not existing.get(ref.name):
                        skipped = StackOutcome(ref, operation, skipped="never applied")
                        result.stacks.append(skipped)
                        self._emit(ev.LogLine(stage.name, f"{ref.name}: nothing to {operation} (never applied)",
                                              "info", ref.account))
                        continue
                    jobs.append(StackJob(stage, ref, operation, cfg, upstream, settings,
                                         diff=bool(options.get("diff")),
                                         include_protected=bool(options.get("include_protected")),
                                         preview_only=bool(options.get("preview_only"))))
                outcomes = self._run_jobs(jobs, secret_env, command, result)
                for outcome in outcomes:
                    result.stacks.append(outcome)
                    # After an up: the applied outputs. After a preview with changes: the planned ones, so the
                    # stages downstream preview against what the stage will export (unknowns included).
                    values = outcome.outputs
                    if (values is None and outcome.changed and outcome.planned_outputs is not None
                            and outcome.ref.account is None):
                        # (account-scoped stages keep their state values: nothing depends on them yet, and
                        # mixing planned and applied accounts would need the state of the unchanged ones)
                        values = outcome.planned_outputs
                    if values is not None:
                        if outcome.ref.account is None:
                            known[stage.name] = values
                        else:
                            known.setdefault(stage.name, {})[outcome.ref.account] = values
        if self._stop.is_set():
            raise Interrupted(operation, [s.ref.label for s in result.stacks if not s.skipped])
        return result

    def _has_work(self, stage: StageLike) -> bool:
        """False for a stage whose ``applies`` says the configuration gives it nothing to do."""
        applies = getattr(stage, "applies", None)
        return applies is None or bool(applies(self.cfg))

    def _looked_up(self, operation: ev.Operation, selected: list[StageLike]) -> LandingZoneConfig:
        """The configuration completed with what only AWS knows and the programs may not look up: the IAM
        Identity Center instance, for the stages that need it (``needs_identity_center``), before a preview or
        an apply (refresh and destroy do not run the programs)."""
        if operation not in ("preview", "up") or not any(getattr(s, "needs_identity_center", False)
                                                         for s in selected):
            return self.cfg
        from landingzone.identity_center import ENABLE_STEPS, with_instance

        # Not found: the other stages still run (a new organization enables Identity Center after its first
        # apply); a preview shows the access stages known after apply and an apply fails them, saying how.
        cfg = with_instance(self.cfg, required=False)
        ic = cfg.identity_center
        if ic is not None and ic.instance_arn is None:
            self._emit(ev.LogLine("access", f"IAM Identity Center is not enabled yet, so the access stages cannot "
                                  f"be applied; {ENABLE_STEPS}", "warning"))
        return cfg

    def _upstream(self, stage: StageLike, existing: Mapping[str, int], known: dict[str, Any]) -> dict[str, Any]:
        """The outputs of the stages `stage` depends on: from this run's `up`, else from the state, else
        UNKNOWN. A stage previewed with changes in this run gives its planned outputs (unknowns included)."""
        upstream: dict[str, Any] = {}
        for dep_name in stage.depends_on:
            dep = self.stage(dep_name)
            if dep_name in known:
                upstream[dep_name] = Outputs.wrap(known[dep_name]) if known[dep_name] else unknown_sentinel()
                continue
            values: dict[str, Any] = {}
            for ref in self.stack_refs(dep):
                if not existing.get(ref.name):
                    continue
                got = self.stack_outputs(ref.name)
                if ref.account is None:
                    values = got
                else:
                    values[ref.account] = got
            known[dep_name] = values
            # A stage that was never applied is UNKNOWN as a whole (stacks.StageContext's convention).
            upstream[dep_name] = Outputs.wrap(values) if values else unknown_sentinel()
        return upstream

    def _run_jobs(self, jobs: list[StackJob], secret_env: dict[str, str], command: PulumiCommand,
                  result: RunResult) -> list[StackOutcome]:
        if not jobs:
            return []
        parallel = len(jobs) > 1 and self.concurrency > 1
        if not parallel:
            outcomes: list[StackOutcome] = []
            for job in jobs:
                if self._stop.is_set():
                    break
                try:
                    outcomes.append(run_stack(job, secret_env, self._emit, command))
                except LandingZoneError as exc:
                    if self._stop.is_set():
                        result.stacks.extend(outcomes)
                        raise Interrupted(job.operation, [s.ref.label for s in result.stacks if not s.skipped],
                                          [job.ref.label]) from None
                    if isinstance(exc, StageError):
                        exc.applied = [s.ref.label for s in [*result.stacks, *outcomes] if not s.skipped]
                        raise StageError(exc.stage, exc.cause, exc.applied) from None
                    raise
            return outcomes
        return self._fan_out(jobs, secret_env, result)

    def _fan_out(self, jobs: list[StackJob], secret_env: dict[str, str], result: RunResult) -> list[StackOutcome]:
        """Per-account stacks in separate processes, at most `concurrency` at a time. Events come back through
        a queue and are handed to on_event from this thread, in arrival order."""
        events: Any = spawn_context().Queue()
        outcomes: dict[int, StackOutcome] = {}
        errors: list[tuple[StackJob, BaseException]] = []
        workers = min(self.concurrency, len(jobs))
        with process_pool(workers, initializer=_worker_init, initargs=(events, secret_env)) as pool:
            futures: dict[Future[StackOutcome], int] = {pool.submit(_worker_run, job): i for i, job in
                                                        enumerate(jobs)}
            remaining = set(futures)
            while remaining:
                self._drain(events, timeout=0.05)
                if self._stop.is_set():
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
                        errors.append((jobs[index], exc))
            self._drain(events, timeout=0.2)
        self._drain(events, timeout=0.0)
        done = [outcomes[i] for i in sorted(outcomes)]
        if self._stop.is_set():
            result.stacks.extend(done)
            raise Interrupted(jobs[0].operation, [s.ref.label for s in result.stacks if not s.skipped],
                              [job.ref.label for job, _ in errors])
        if errors:
            result.stacks.extend(done)
            applied = [s.ref.label for s in result.stacks if not s.skipped]
            job, first = errors[0]
            if isinstance(first, StateLockedError):
                raise first
            if isinstance(first, StageError):
                others = [j.ref.label for j, _ in errors[1:]]
                cause = first.cause + (f"\n  also failed: {', '.join(others)}" if others else "")
                raise StageError(first.stage, cause, applied) from None
            if isinstance(first, LandingZoneError):
                raise first
            raise StageError(job.ref.label, f"{type(first).__name__}: {first}", applied) from None
        return done

    def _drain(self, events: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                item = events.get(timeout=max(0.0, deadline - time.monotonic())) if timeout else events.get_nowait()
            except queue.Empty:
                return
            self._emit(item)
            timeout = 0.0
