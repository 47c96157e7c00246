"""The orchestrator's side of Identity Center: the instance found with ListInstances (moto, over HTTP) and put
into the configuration before a preview or an apply; never for refresh or destroy, never when it is given."""

from __future__ import annotations

from pathlib import Path

import boto3

from landingzone.config import LandingZoneConfig, validate_config
from landingzone.identity_center import find_instance, with_instance
from landingzone.orchestrator import Orchestrator
from landingzone.orchestrator.lookups import looked_up
from landingzone.presets import identity_center_data, preset_data

GIVEN = "arn:aws:sso:::instance/ssoins-1234567890abcdef"


def _cfg(endpoint: str, **changes: str) -> LandingZoneConfig:
    data = preset_data("medium")
    data["aws"] = {"endpoint": endpoint}
    data["identity_center"] = {**identity_center_data(data), **changes}
    return validate_config(data)


def test_the_instance_is_found_and_filled_in(fresh_moto: str) -> None:
    cfg = _cfg(fresh_moto)
    (instance,) = boto3.client("sso-admin", endpoint_url=fresh_moto).list_instances()["Instances"]
    assert find_instance(cfg) == (instance["InstanceArn"], instance["IdentityStoreId"])
    done = with_instance(cfg, required=True)
    assert done.identity_center is not None and done.identity_center.instance_arn == instance["InstanceArn"]
    assert done.identity_center.identity_store_id == instance["IdentityStoreId"]
    assert cfg.identity_center is not None and cfg.identity_center.instance_arn is None  # a copy, not a change


def test_a_given_instance_and_no_identity_center_are_left_alone(fresh_moto: str) -> None:
    given = _cfg(fresh_moto, instance_arn=GIVEN, identity_store_id="d-1234567890")
    assert with_instance(given, required=True) is given
    data = preset_data("medium")
    data["aws"] = {"endpoint": fresh_moto}
    plain = validate_config(data)
    assert with_instance(plain, required=True) is plain


def test_the_orchestrator_looks_up_only_for_preview_and_up(fresh_moto: str, tmp_path: Path) -> None:
    cfg = _cfg(fresh_moto)
    orch = Orchestrator(cfg, tmp_path / "landingzone.yaml")
    access = [s for s in orch.stages if s.name == "access"]
    others = [s for s in orch.stages if s.name == "organization"]
    looked = looked_up(cfg, "preview", access, orch._emit)
    assert looked.identity_center is not None and looked.identity_center.instance_arn is not None
    assert looked_up(cfg, "up", access, orch._emit).identity_center.instance_arn is not None  # type: ignore[union-attr]
    assert looked_up(cfg, "refresh", access, orch._emit) is cfg
    assert looked_up(cfg, "preview", others, orch._emit) is cfg
