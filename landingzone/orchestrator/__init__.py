"""Drive the staged Pulumi programs through the Automation API: preview, up, refresh, destroy, outputs.

- One stack per stage, and one per account for account-scoped stages (baseline, network). Stack names derive from the
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
  separate worker processes, at most ``concurrency`` (``--parallel``) at a time; their events travel back through
  a queue. A failing per-account stack does not stop the others: the run ends with StacksFailed naming each.
- Engine events become the typed events of :mod:`landingzone.events`; Pulumi errors become LandingZoneErrors.
- Ctrl-C: the first one lets the running stacks stop the way Pulumi stops (in-flight operations finish, state is
  written) and starts nothing new, then reports what was applied; a second one aborts at once.

A package along its jobs:

- :mod:`~landingzone.orchestrator.stages`: the stages a run touches, stack names and refs, upstream outputs;
- :mod:`~landingzone.orchestrator.environment`: the passphrase, the backend and the CLI a stack opens with;
- :mod:`~landingzone.orchestrator.translate`: engine events -> typed events;
- :mod:`~landingzone.orchestrator.locks`: pulumi errors made readable, stale state locks;
- :mod:`~landingzone.orchestrator.runner`: one operation on one stack;
- :mod:`~landingzone.orchestrator.pool`: the bounded pool of worker processes for per-account stacks
  (``--parallel``; default from cores and memory, STACK_MEMORY_MB per stack for a real ~400 MB provider);
- :mod:`~landingzone.orchestrator.retry`: a new account's access role refused for a while after CreateAccount;
- :mod:`~landingzone.orchestrator.listing`: every stack in dependency order (`stacks`, `--stack`);
- :mod:`~landingzone.orchestrator.fingerprints`: what a stack's program receives, for `up --changed-only`;
- :mod:`~landingzone.orchestrator.upgrade`: resources moved between stacks with `pulumi state move`;
- :mod:`~landingzone.orchestrator.results`: what a run did;
- :mod:`~landingzone.orchestrator.core`: the :class:`Orchestrator` itself.
"""

from __future__ import annotations

from landingzone.orchestrator.core import Orchestrator
from landingzone.orchestrator.environment import PASSPHRASE_ENV, EngineSettings, passphrase_env, pulumi_command
from landingzone.orchestrator.fingerprints import fingerprint, ledger_for
from landingzone.orchestrator.listing import StackEntry, stack_entries
from landingzone.orchestrator.locks import ENGINE_HINTS, error_text, lock_is_stale, stale_lock_pids, with_hints
from landingzone.orchestrator.pool import STACK_MEMORY_MB, PoolResult, default_parallel, run_jobs, run_pool
from landingzone.orchestrator.results import Interrupted, RunResult, StackOutcome, StacksFailed, UsageError
from landingzone.orchestrator.runner import NOTHING_UNPROTECTED, StackJob, run_stack
from landingzone.orchestrator.stages import (
    PROJECT_NAME,
    STAGES_ENV,
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
from landingzone.orchestrator.translate import EventTranslator, planned_values, resource_name
from landingzone.orchestrator.upgrade import planned_moves, upgrade_layout

__all__ = [
    "ENGINE_HINTS",
    "NOTHING_UNPROTECTED",
    "PASSPHRASE_ENV",
    "PROJECT_NAME",
    "STACK_MEMORY_MB",
    "STAGES_ENV",
    "WORK_DIR",
    "EngineSettings",
    "EventTranslator",
    "Interrupted",
    "Orchestrator",
    "Outputs",
    "PoolResult",
    "RunResult",
    "StackJob",
    "StackEntry",
    "StackOutcome",
    "StacksFailed",
    "StackRef",
    "StageLike",
    "UsageError",
    "default_parallel",
    "default_stages",
    "error_text",
    "fingerprint",
    "ledger_for",
    "lock_is_stale",
    "make_context",
    "passphrase_env",
    "planned_moves",
    "planned_values",
    "pulumi_command",
    "resource_name",
    "run_jobs",
    "run_pool",
    "run_stack",
    "stack_entries",
    "stack_name",
    "stage_accounts",
    "stale_lock_pids",
    "unknown_sentinel",
    "upgrade_layout",
    "with_hints",
]
