"""The configuration cross-check uses the guardrail library without an import cycle (config -> catalog, one way)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False)


def test_the_library_does_not_import_config_at_import_time() -> None:
    # The configuration's cross-field rules import the catalog at the top (no import inside a function); the
    # catalog knows the configuration only as a type, so the dependency runs one way.
    proc = _python("import sys, landingzone.policies.catalog; print('landingzone.config' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_either_module_can_be_imported_first_and_validation_uses_the_library() -> None:
    check = ("from landingzone.presets import preset_data; from landingzone.config import validate_config; "
             "from landingzone.errors import ConfigError\n"
             "d = preset_data('small'); d['guardrails'][0]['id'] = 'no-such-guardrail'\n"
             "try:\n    validate_config(d)\nexcept ConfigError as e:\n    print([p.path for p in e.problems])\n")
    for first in ("landingzone.config", "landingzone.policies.catalog", "landingzone.policies.simulator",
                  "landingzone.policies.lint"):
        proc = _python(f"import {first}\n" + check)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "['guardrails[0].id']", (first, proc.stdout)
