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

A package along its jobs:

- :mod:`~landingzone.orchestrator.stages`: the stages a run touches, stack names and refs, upstream outputs;
- :mod:`~landingzone.orchestrator.environment`: the passphrase, the backend and the CLI a stack opens with;
- :mod:`~landingzone.orchestrator.translate`: engine events -> typed events;
- :mod:`~landingzone.orchestrator.locks`: pulumi errors made readable, stale state locks;
- :mod:`~landingzone.orchestrator.runner`: one operation on one stack;
- :mod:`~landingzone.orchestrator.pool`: the bounded pool of worker processes for per-account stacks;
- :mod:`~landingzone.orchestrator.results`: what a run did;
- :mod:`~landingzone.orchestrator.core`: the :class:`Orchestrator` itself.
"""

from __future__ import annotations

from landingzone.orchestrator.core import Orchestrator
from landingzone.orchestrator.environment import PASSPHRASE_ENV, EngineSettings, passphrase_env, pulumi_command
from landingzone.orchestrator.locks import ENGINE_HINTS, error_text, lock_is_stale, stale_lock_pids, with_hints
from landingzone.orchestrator.pool import PoolResult, run_pool
from landingzone.orchestrator.results import Interrupted, RunResult, StackOutcome, UsageError
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

__all__ = [
    "ENGINE_HINTS",
    "NOTHING_UNPROTECTED",
    "PASSPHRASE_ENV",
    "PROJECT_NAME",
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
    "StackOutcome",
    "StackRef",
    "StageLike",
    "UsageError",
    "default_stages",
    "error_text",
    "lock_is_stale",
    "make_context",
    "passphrase_env",
    "planned_values",
    "pulumi_command",
    "resource_name",
    "run_pool",
    "run_stack",
    "stack_name",
    "stage_accounts",
    "stale_lock_pids",
    "unknown_sentinel",
    "with_hints",
]
