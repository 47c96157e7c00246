"""Users never read the word "seed" (our internal name for the practices document): every text the tool shows or
ships cites docs/practices.md or the practice's source instead. Checked over what users actually meet: the JSON
Schema and the commented files `init` writes, the docs and README, the wizard's source, the guardrail library's
metadata and the audit's check metadata."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import landingzone.audit  # noqa: F401  (registers every check family)
from landingzone.audit.model import REGISTRY
from landingzone.config import commented_yaml, json_schema
from landingzone.policies.catalog import default_catalog
from landingzone.presets import PRESETS, preset

ROOT = Path(__file__).resolve().parents[2]
WORD = re.compile(r"\bseeds?\b|\bseed's\b", re.IGNORECASE)


def _hits(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if WORD.search(line)]


def test_schema_and_init_comments() -> None:
    assert _hits(json.dumps(json_schema(), indent=1)) == []
    for name in PRESETS:
        assert _hits(commented_yaml(preset(name))) == [], name


@pytest.mark.parametrize("path", sorted(
    [*ROOT.joinpath("docs").rglob("*.md"), ROOT / "README.md", *ROOT.joinpath("tui").rglob("*.py"),
     *ROOT.joinpath("landingzone", "policies").rglob("*.json")], key=str), ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_text(path: Path) -> None:
    assert _hits(path.read_text(encoding="utf-8")) == []


def test_guardrail_and_audit_metadata() -> None:
    for guard in default_catalog():
        assert _hits(guard.model_dump_json()) == [], guard.id
    assert len(REGISTRY) > 20
    for check_id, check in REGISTRY.items():
        text = " ".join(str(v) for v in vars(check).values() if isinstance(v, str))
        assert _hits(text) == [], check_id
