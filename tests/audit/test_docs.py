"""docs/audit.md is generated from the checks' metadata and must match it."""

from __future__ import annotations

from pathlib import Path

from landingzone.audit.docs import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def test_audit_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/audit.md is stale: run `python -m landingzone.audit.docs --write docs/audit.md`")
