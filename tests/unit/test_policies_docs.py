"""docs/guardrails.md is generated from the metadata and must match it."""

from __future__ import annotations

from pathlib import Path

from landingzone.policies.catalog import default_catalog
from landingzone.policies.docs import render_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "guardrails.md"


def test_reference_page_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render_reference(), (
        "docs/guardrails.md is stale: run `python -m landingzone.policies.docs --write docs/guardrails.md`")


def test_reference_page_covers_every_guardrail_and_source() -> None:
    text = render_reference()
    for guard in default_catalog():
        assert f"## {guard.id}\n" in text
        assert guard.source.url in text
    assert "Accepted lint finding `LOCKOUT_DENY`" in text
