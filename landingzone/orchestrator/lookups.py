"""What the orchestrator decides from the configuration before it runs a stage: whether the stage has any work,
and the configuration completed with what only AWS knows (the IAM Identity Center instance)."""

from __future__ import annotations

from landingzone import events as ev
from landingzone.config import LandingZoneConfig
from landingzone.orchestrator.stages import StageLike


def has_work(stage: StageLike, cfg: LandingZoneConfig) -> bool:
    """False for a stage whose ``applies`` says the configuration gives it nothing to do."""
    applies = getattr(stage, "applies", None)
    return applies is None or bool(applies(cfg))


def looked_up(cfg: LandingZoneConfig, operation: ev.Operation, selected: list[StageLike],
              emit: ev.EventHandler) -> LandingZoneConfig:
    """The configuration completed with what only AWS knows and the programs may not look up: the IAM
    Identity Center instance, for the stages that need it (``needs_identity_center``), before a preview or
    an apply (refresh and destroy do not run the programs)."""
    if operation not in ("preview", "up") or not any(getattr(s, "needs_identity_center", False)
                                                     for s in selected):
        return cfg
    from landingzone.identity_center import ENABLE_STEPS, with_instance

    # Not found: the other stages still run (a new organization enables Identity Center after its first
    # apply); a preview shows the access stages known after apply and an apply fails them, saying how.
    completed = with_instance(cfg, required=False)
    ic = completed.identity_center
    if ic is not None and ic.instance_arn is None:
        emit(ev.LogLine("access", f"IAM Identity Center is not enabled yet, so the access stages cannot "
                        f"be applied; {ENABLE_STEPS}", "warning"))
    return completed
