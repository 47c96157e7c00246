"""The Orchestrator: runs the landing zone's stages against the configured backend (see the package docstring)."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from landingzone import events as ev
from landingzone.config import LandingZoneConfig, backend_url
from landingzone.errors import LandingZoneError, StageError, StateLockedError
from landingzone.orchestrator.environment import EngineSettings, passphrase_env, pulumi_command
from landingzone.orchestrator.fingerprints import Ledger, fingerprint, ledger_for
from landingzone.orchestrator.listing import StackEntry, stack_entries, stages_of
from landingzone.orchestrator.locks import error_text
from landingzone.orchestrator.lookups import has_work, looked_up
from landingzone.orchestrator.pool import PoolResult, default_parallel, run_jobs
from landingzone.orchestrator.results import Interrupted, RunResult, StackOutcome, StacksFailed, UsageError
from landingzone.orchestrator.runner import StackJob
from landingzone.orchestrator.stages import (
    PROJECT_NAME,
    WORK_DIR,
    Outputs,
    StackRef,
    StageLike,
    default_stages,
    make_context,
    stack_name,
    stage_accounts,
    unknown_sentinel,
)
from landingzone.orchestrator.upgrade import upgrade_layout, warn_pending_upgrade
from landingzone.privatefiles import ensure_private_dir, with_private_umask
from landingzone.redact import register_secret

if TYPE_CHECKING:
    from pulumi.automation import PulumiCommand


class Orchestrator:
    """Runs the landing zone's stages against the configured backend. See the module docstring."""

    def __init__(
        self,
        cfg: LandingZoneConfig,
        config_path: Path | str,
        *,
        on_event: ev.EventHandler | None = None,
        concurrency: int | None = None,
        stages: Sequence[StageLike] | None = None,
        passphrase: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.cfg = cfg
        self.config_path = Path(config_path).resolve()
        self.on_event: ev.EventHandler = on_event or ev.ignore_event
        self.concurrency = max(1, concurrency if concurrency is not None else default_parallel())
        """How many per-account stacks run at once (``--parallel``)."""
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
            self._command = pulumi_command(str(cli.root))
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

    def stacks(self, stage: str | None = None) -> list[StackEntry]:
        """Every stack (or those of `stage`) in dependency order: name, stage, account, depends_on."""
        return stack_entries(self, stage)

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
            raise LandingZoneError(f"pulumi {' '.join(args[:2])} failed: {error_text(exc)}") from None

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

    def preview(self, stage: str | None = None, *, diff: bool = False, stacks: Sequence[str] = ()) -> RunResult:
        return self._run("preview", self._selection(stage, stacks), diff=diff, only=stacks)

    def up(self, stage: str | None = None, *, stacks: Sequence[str] = (), changed_only: bool = False) -> RunResult:
        return self._run("up", self._selection(stage, stacks), only=stacks, changed_only=changed_only)

    def refresh(self, stage: str | None = None, *, stacks: Sequence[str] = ()) -> RunResult:
        return self._run("refresh", self._selection(stage, stacks), only=stacks)

    def destroy(self, stage: str | None = None, *, include_protected: bool = False,
                preview_only: bool = False) -> RunResult:
        selected = list(reversed(self.select(stage, dependents=True)))
        return self._run("destroy", selected, include_protected=include_protected, preview_only=preview_only)

    def _selection(self, stage: str | None, stacks: Sequence[str]) -> list[StageLike]:
        if stacks and stage is not None:
            raise UsageError("--stack and --stage: give one or the other (--stack runs exactly the stacks named)")
        if stacks:
            return stages_of(self, stacks)
        return self.select(stage)

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

    def _run(self, operation: ev.Operation, selected: list[StageLike], *, only: Sequence[str] = (),
             changed_only: bool = False, **options: Any) -> RunResult:
        secret_env = self._secret_env()  # before anything touches the backend
        settings, command = self._engine()
        self._stop.clear()
        result = RunResult(operation)
        # Which stacks exist and hold resources decides both what upstream outputs are known and which stacks
        # refresh/destroy can skip: one `stack ls` for all of them.
        existing = self.existing_stacks()
        if operation == "up" and upgrade_layout(self, existing):
            existing = self.existing_stacks()
        elif operation == "preview":
            warn_pending_upgrade(self, existing)
        # up records fingerprints; a destroy forgets them (else `up --changed-only` would skip what it removed)
        tracking = operation == "up" or changed_only or (operation == "destroy" and not options.get("preview_only"))
        ledger = ledger_for(settings.backend, PROJECT_NAME, {**os.environ, **self._extra_env}) if tracking else None
        if changed_only and ledger is None:
            self._emit(ev.LogLine("", "--changed-only: this state backend keeps no fingerprints (file:// and s3:// "
                                  "do); every stack runs", "warning"))
        wanted = set(only)
        known: dict[str, Any] = {}
        failed_stages: set[str] = set()
        cfg = looked_up(self.cfg, operation, selected, self._emit)
        with self._interrupts():
            for stage in selected:
                if self._stop.is_set():
                    break
                refs = [r for r in self.stack_refs(stage) if not wanted or r.name in wanted]
                if not has_work(stage, self.cfg):
                    # (nothing configured: no stack, unless one was applied before and must now be emptied)
                    refs = [ref for ref in refs if existing.get(ref.name)]
                    if not refs:
                        continue
                blocked = [d for d in stage.depends_on if d in failed_stages]
                if blocked:
                    for ref in refs:
                        result.stacks.append(StackOutcome(ref, operation, skipped=f"stage {blocked[0]} failed"))
                    failed_stages.add(stage.name)
                    continue
                upstream = self._upstream(stage, existing, known)
                jobs = self._jobs(stage, refs, operation, cfg, upstream, existing, result, ledger, changed_only,
                                  settings, options)
                pool = run_jobs(jobs, secret_env, self.concurrency, self._emit, self._stop, command)
                self._settle(stage, jobs, pool, result, known, ledger)
                if pool.failures:
                    failed_stages.add(stage.name)
        if self._stop.is_set():
            raise Interrupted(operation, result.applied, [f for f, _ in result.failures])
        if result.failures:
            raise StacksFailed(result.failures, result.applied, result)
        return result

    def _jobs(self, stage: StageLike, refs: list[StackRef], operation: ev.Operation, cfg: LandingZoneConfig,
              upstream: dict[str, Any], existing: Mapping[str, int], result: RunResult, ledger: Ledger | None,
              changed_only: bool, settings: EngineSettings, options: Mapping[str, Any]) -> list[StackJob]:
        """The jobs of one stage (``cfg``: the configuration completed by ``lookups.looked_up``); stacks with
        nothing to do are recorded as skipped, saying why."""
        jobs: list[StackJob] = []
        prints: dict[str, str] = {}
        if ledger is not None:
            prints = {ref.name: fingerprint(stage.name, ref.name,
                                            self._fingerprint_inputs(stage, ref, cfg, upstream))
                      for ref in refs}
        recorded = ledger.read_all(list(prints)) if ledger is not None and (changed_only or prints) else {}
        wait = float(getattr(getattr(self.cfg, "baseline", None), "assume_role_wait_seconds", 0))
        for ref in refs:
            why = ""
            if operation in ("refresh", "destroy") and not existing.get(ref.name):
                why = "never applied"
            elif (changed_only and ref.name in prints and recorded.get(ref.name) == prints[ref.name]
                  and existing.get(ref.name)):  # a stack gone from the backend runs whatever the ledger says
                why = "unchanged since its last successful up"
            if why:
                result.stacks.append(StackOutcome(ref, operation, skipped=why))
                self._emit(ev.LogLine(stage.name, f"{ref.name}: skipped ({why})", "info", ref.account))
                continue
            if ledger is not None and ref.name in recorded and recorded[ref.name] != prints.get(ref.name):
                ledger.forget(ref.name)  # written again only once this update succeeds
            jobs.append(StackJob(stage, ref, operation, cfg, upstream, settings,
                                 diff=bool(options.get("diff")),
                                 include_protected=bool(options.get("include_protected")),
                                 preview_only=bool(options.get("preview_only")),
                                 assume_role_wait=wait if ref.account is not None else 0.0,
                                 fingerprint=prints.get(ref.name, "")))
        return jobs

    def _fingerprint_inputs(self, stage: StageLike, ref: StackRef, cfg: LandingZoneConfig,
                            upstream: dict[str, Any]) -> Mapping[str, Any]:
        ctx = make_context(cfg, upstream, ref.account)
        inputs = getattr(stage, "fingerprint_inputs", None)
        if inputs is None:
            return {"config": cfg.model_dump(mode="json"), "upstream": upstream, "account": ref.account}
        return dict(inputs(ctx))

    def _settle(self, stage: StageLike, jobs: list[StackJob], pool: PoolResult, result: RunResult,
                known: dict[str, Any], ledger: Ledger | None) -> None:
        """Record what the stage's stacks did: outcomes, outputs for the stages downstream, fingerprints of the
        successful updates, failures (a single stack's failure, or a locked state, stops the run)."""
        for outcome in pool.outcomes:
            result.stacks.append(outcome)
            job = next(j for j in jobs if j.ref == outcome.ref)
            if ledger is not None and job.operation == "up" and job.fingerprint:
                ledger.record(outcome.ref.name, job.fingerprint)
            elif ledger is not None and job.operation == "destroy":
                ledger.forget(outcome.ref.name)
            # After an up: the applied outputs. After a preview with changes: the planned ones, so the stages
            # downstream preview against what the stage will export (unknowns included).
            values = outcome.outputs
            if (values is None and outcome.changed and outcome.planned_outputs is not None
                    and outcome.ref.account is None):
                # (account-scoped stages keep their state values: nothing depends on them yet, and mixing
                # planned and applied accounts would need the state of the unchanged ones)
                values = outcome.planned_outputs
            if values is not None:
                if outcome.ref.account is None:
                    known[stage.name] = values
                else:
                    known.setdefault(stage.name, {})[outcome.ref.account] = values
        for job, exc in pool.failures:
            if self._stop.is_set():
                result.failures.append((job.ref.label, "stopped by the interruption"))
                continue
            if isinstance(exc, StateLockedError) or (job.ref.account is None and isinstance(exc, LandingZoneError)):
                if isinstance(exc, StageError):
                    raise StageError(exc.stage, exc.cause, result.applied) from None
                raise exc
            if job.ref.account is None:
                raise StageError(job.ref.label, f"{type(exc).__name__}: {exc}", result.applied) from None
            cause = exc.cause if isinstance(exc, StageError) else f"{type(exc).__name__}: {exc}"
            result.failures.append((job.ref.label, cause))

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
