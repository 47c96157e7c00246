"""The security_services section: defaults, cost note, validation with field paths, following the delegation."""

from __future__ import annotations

import pytest

from landingzone import config as lzconfig
from landingzone.config import FindingSeverity, SecurityHubStandard
from landingzone.errors import ConfigError
from landingzone.presets import preset_data


def _cfg(**services: object) -> lzconfig.LandingZoneConfig:
    data = preset_data("medium")
    data["security_services"] = services
    return lzconfig.validate_config(data)


def test_defaults_free_services_on_costly_ones_off_with_the_cost_in_their_docs() -> None:
    cfg = _cfg()
    assert cfg.security_services.enabled_services() == ["guardduty", "securityhub", "config", "access-analyzer"]
    assert cfg.security_services.notifications.minimum_severity == FindingSeverity.HIGH
    assert cfg.security_services.securityhub.standards == [SecurityHubStandard.FOUNDATIONAL_BEST_PRACTICES,
                                                           SecurityHubStandard.CIS_5_0]
    schema = lzconfig.json_schema()["$defs"]
    for name in ("InspectorSettings", "MacieSettings", "DetectiveSettings"):
        assert "Off by default: priced per" in schema[name]["properties"]["enabled"]["description"], name
    assert "priced per vCPU" in schema["GuardDutySettings"]["properties"]["protection_plans"]["description"]


@pytest.mark.parametrize(("services", "path"), [
    ({"notifications": {"https": ["http://hooks.example.com/x"]}}, "security_services.notifications.https"),
    ({"notifications": {"email": ["not-an-address"]}}, "security_services.notifications.email"),
    ({"notifications": {"minimum_severity": "SEVERE"}}, "security_services.notifications.minimum_severity"),
    ({"guardduty": {"protection_plans": ["S3"]}}, "security_services.guardduty.protection_plans[0]"),
    ({"guardduty": {"finding_publishing_frequency": "HOURLY"}},
     "security_services.guardduty.finding_publishing_frequency"),
    ({"securityhub": {"standards": []}}, "security_services.securityhub.standards"),
    ({"inspector": {"resource_types": []}}, "security_services.inspector.resource_types"),
    ({"access_analyzer": {"unused_access_days": 0}}, "security_services.access_analyzer.unused_access_days"),
    ({"macie": {"enabled": True}}, "security_services.macie.enabled"),  # not delegated in the preset
    ({"gardduty": {}}, "security_services.gardduty"),
])
def test_bad_values_name_their_field(services: dict[str, object], path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _cfg(**services)
    assert [p.path for p in caught.value.problems] == [path]


def test_severity_labels_and_guardduty_levels() -> None:
    assert FindingSeverity.MEDIUM.at_or_above == ["MEDIUM", "HIGH", "CRITICAL"]
    assert [s.guardduty_minimum for s in FindingSeverity] == [1.0, 4.0, 7.0, 9.0]


def test_narrower_delegation_turns_defaults_off_and_saving_does_not_pin_them() -> None:
    data = preset_data("medium")
    data["organization"] = {"security_services": ["guardduty"]}
    cfg = lzconfig.validate_config(data)
    assert cfg.security_services.enabled_services() == ["guardduty"]
    written = lzconfig.config_to_data(cfg)
    assert written.get("security_services", {}) == {}  # nothing pinned: delegating Security Hub later turns it on
    data["organization"] = {"security_services": ["guardduty", "securityhub"]}
    assert lzconfig.validate_config(data).security_services.securityhub.enabled
    data["security_services"] = {"config": {"enabled": False}}
    cfg = lzconfig.validate_config(data)
    assert lzconfig.config_to_data(cfg)["security_services"] == {"config": {"enabled": False}}


def test_round_trip_through_yaml() -> None:
    cfg = _cfg(notifications={"email": ["soc@example.com"], "minimum_severity": "CRITICAL"},
               guardduty={"protection_plans": ["S3_DATA_EVENTS", "RUNTIME_MONITORING"]})
    again = lzconfig.loads_config(lzconfig.dumps_config(cfg))
    assert again.security_services == cfg.security_services
