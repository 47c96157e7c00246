"""The Orchestrator: runs the landing zone's stages against the configured backend (see the package docstring)."""

from __future__ import annotations

import json
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
from landingzone.orchestrator.locks import error_text
from landingzone.orchestrator.pool import run_pool
from landingzone.orchestrator.results import Interrupted, RunResult, StackOutcome, UsageError
from landingzone.orchestrator.runner import StackJob, run_stack
from landingzone.orchestrator.stages import (
    PROJECT_NAME,
    WORK_DIR,
    Outputs,
    StackRef,
    StageLike,
    default_stages,
    stack_name,
    stage_accounts,
    unknown_sentinel,
)
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
        with self._interrupts():
            for stage in selected:
                if self._stop.is_set():
                    break
                refs = self.stack_refs(stage)
                upstream = self._upstream(stage, existing, known)
                jobs: list[StackJob] = []
                for ref in refs:
                    if operation in ("refresh", "destroy") and not existing.get(ref.name):
                        skipped = StackOutcome(ref, operation, skipped="never applied")
                        result.stacks.append(skipped)
                        self._emit(ev.LogLine(stage.name, f"{ref.name}: nothing to {operation} (never applied)",
                                              "info", ref.account))
                        continue
                    jobs.append(StackJob(stage, ref, operation, self.cfg, upstream, settings,
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
        """Per-account stacks in the bounded pool (at most `concurrency` processes)."""
        pool = run_pool(jobs, secret_env, self.concurrency, self._emit, self._stop)
        done, errors = pool.outcomes, pool.failures
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
