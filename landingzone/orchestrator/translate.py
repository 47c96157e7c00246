"""Engine events of one stack operation -> the typed events of :mod:`landingzone.events`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from landingzone import events as ev
from landingzone.orchestrator.stages import StackRef, unknown_sentinel

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
