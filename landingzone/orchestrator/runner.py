"""One operation on one stack: open it (inline program, own work dir), run it, translate events and errors."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from landingzone import events as ev
from landingzone.config import LandingZoneConfig
from landingzone.errors import LandingZoneError, StageError, StateLockedError
from landingzone.orchestrator.environment import EngineSettings, pulumi_command
from landingzone.orchestrator.locks import error_text, lock_is_stale, with_hints
from landingzone.orchestrator.results import StackOutcome
from landingzone.orchestrator.retry import assume_role_failure, backoff_delays, is_assume_role_refusal
from landingzone.orchestrator.stages import PROJECT_NAME, StackRef, StageLike, make_context
from landingzone.orchestrator.translate import EventTranslator, planned_values, resource_name
from landingzone.privatefiles import with_private_umask

if TYPE_CHECKING:
    from pulumi.automation import PulumiCommand, Stack


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
    fingerprint: str = ""
    """What the program receives, hashed (recorded after a successful up; see fingerprints.py)."""
    assume_role_wait: float = 0.0
    """For a per-account stack: how long to keep retrying while the account's access role cannot be assumed
    (a new account), with backoff; 0 fails at once."""


def open_named_stack(name: str, settings: EngineSettings, secret_env: Mapping[str, str], command: PulumiCommand,
                     program: Callable[[], None] | None = None) -> Stack:
    """Create or select stack ``name`` with its own persistent work dir (where its passphrase salt lives)."""
    from pulumi import automation as auto

    work_dir = Path(settings.work_root) / name
    work_dir.mkdir(parents=True, exist_ok=True)
    env = {"PULUMI_SKIP_UPDATE_CHECK": "true", **dict(settings.extra_env), **secret_env}
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        env_vars=env,
        pulumi_command=command,
        project_settings=auto.ProjectSettings(name=PROJECT_NAME, runtime="python",
                                              backend=auto.ProjectBackend(settings.backend)),
    )
    return auto.create_or_select_stack(name, project_name=PROJECT_NAME, program=program or (lambda: None),
                                       opts=opts)


def _open_stack(job: StackJob, secret_env: Mapping[str, str], command: PulumiCommand) -> Stack:
    cfg, upstream, ref, stage = job.cfg, job.upstream, job.ref, job.stage
    program_fn = stage.program

    def program() -> None:
        program_fn(make_context(cfg, upstream, ref.account))

    return open_named_stack(ref.name, job.settings, secret_env, command, program)


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


def _operate_retrying(job: StackJob, stack: Stack, emit: ev.EventHandler) -> StackOutcome:
    """Run the operation; while a per-account stack fails because its access role cannot be assumed yet, wait
    (backoff, progress on ``emit``) and run it again, for at most ``job.assume_role_wait`` seconds."""
    from pulumi.automation import errors as auto_errors

    started = time.monotonic()
    delays = backoff_delays()
    while True:
        try:
            return _operate(job, stack, EventTranslator(job.ref, job.operation, emit))
        except auto_errors.ConcurrentUpdateError:
            raise
        except auto_errors.CommandError as exc:
            text = error_text(exc)
            if job.ref.account is None or not is_assume_role_refusal(text):
                raise
            elapsed = time.monotonic() - started
            remaining = job.assume_role_wait - elapsed
            if remaining <= 0:
                emit(ev.StageFailed(job.ref.stage, job.operation, job.ref.name, "access role refused",
                                    job.ref.account))
                raise StageError(job.ref.label, assume_role_failure(job.cfg, job.ref.account, elapsed,
                                                                    job.assume_role_wait, text)) from None
            delay = min(next(delays), remaining)
            emit(ev.LogLine(job.ref.stage, f"account {job.ref.account}: its access role cannot be assumed yet (a new "
                            f"account can take minutes); retrying in {delay:.0f} s ({elapsed:.0f} of "
                            f"{job.assume_role_wait:.0f} s waited)", "warning", job.ref.account))
            time.sleep(delay)


@with_private_umask  # the file backend's checkpoints and the work dir's stack settings: owner-only
def run_stack(job: StackJob, secret_env: Mapping[str, str], emit: ev.EventHandler,
              command: PulumiCommand | None = None, *, stale_lock_retry: bool = True) -> StackOutcome:
    """Open (create or select) the stack and run the operation, translating events and errors."""
    from pulumi.automation import errors as auto_errors

    ref = job.ref
    command = command or pulumi_command(job.settings.cli_root)
    emit(ev.StageStarted(ref.stage, job.operation, ref.name, ref.account))
    try:
        stack = _open_stack(job, secret_env, command)
        try:
            outcome = _operate_retrying(job, stack, emit)
        except auto_errors.ConcurrentUpdateError as exc:
            detail = error_text(exc)
            if not (stale_lock_retry and lock_is_stale(str(exc))):
                raise StateLockedError(ref.name, detail) from None
            # The update that held the lock was killed (its process is gone from this host): the lock protects
            # nothing now. Remove it and run again; pending operations it left are reported by the engine.
            emit(ev.LogLine(ref.stage, f"removing the stale lock left by a killed update: {detail}", "warning",
                            ref.account))
            stack.cancel()
            outcome = _operate_retrying(job, stack, emit)
    except StateLockedError as exc:
        emit(ev.StageFailed(ref.stage, job.operation, ref.name, str(exc).splitlines()[0], ref.account))
        raise
    except auto_errors.CommandError as exc:
        text = error_text(exc)
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
