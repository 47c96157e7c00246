"""Every check can fail: each id is asserted to fire by at least one scenario in a moto organization
(tests/audit/test_scenarios.py), or, for what moto cannot produce, by a named test that asserts it."""

from __future__ import annotations

import inspect

from landingzone.audit.model import REGISTRY
from tests.audit import test_checks, test_security_services
from tests.audit.test_scenarios import SCENARIOS

FIRED_ELSEWHERE = {
    # moto's AssumeRole never refuses: the refusal is injected (see the test's docstring).
    "LZ-IAM-003": test_checks.test_refused_access_role_is_recorded_and_reported,
    # moto has no Amazon Detective, and the scenarios audit the default services only: fed with data instead.
    "LZ-SVC-007": test_security_services.test_optional_services_only_when_chosen,
}
"""Check id -> the test asserting that it fires, for ids no scenario produces."""


def test_every_check_is_asserted_to_fire() -> None:
    fired = {cid for ids in SCENARIOS.values() for cid in ids}
    for check_id, test in FIRED_ELSEWHERE.items():
        source = inspect.getsource(test)
        assert f'"{check_id}"' in source and "assert" in source, (check_id, test.__name__)
        fired.add(check_id)
    missing = sorted(set(REGISTRY) - fired)
    assert missing == [], f"no test asserts that these checks fire: {missing}"
    assert fired <= set(REGISTRY), sorted(fired - set(REGISTRY))


def test_grd_001_has_its_own_scenario() -> None:
    """Issue 18: LZ-GRD-001 (SCPs enabled) had no test that it fires."""
    assert "LZ-GRD-001" in SCENARIOS["scps-disabled"]
