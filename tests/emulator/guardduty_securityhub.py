"""Emulated pulumi-aws types of GuardDuty and Security Hub CSPM (stage security_services): detectors and their
features in moto, GuardDuty's organization configuration in the emulator's Store (moto lacks it), Security Hub's
organization configuration in moto, its finding aggregator and configuration policies in the Store. The shared
pieces (Store records, the delegated-administrator check) are in security_services.py."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from botocore.exceptions import ClientError
from resources import Connection, Handler, Outs, code, register
from security_services import STATE_KEY, StateRecord, require_admin

# ---- GuardDuty ------------------------------------------------------------------------------------------------


@register("aws:guardduty/detector:Detector")
class Detector(Handler):
    defaults = {"enable": True}
    computed = frozenset({"findingPublishingFrequency", "datasources"})
    outputs = ("accountId", "arn", "features", "tagsAll")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        args: dict[str, Any] = {"Enable": bool(ins.get("enable", True))}
        if ins.get("findingPublishingFrequency"):
            args["FindingPublishingFrequency"] = ins["findingPublishingFrequency"]
        if ins.get("tags"):
            args["Tags"] = ins["tags"]
        id_ = conn.client("guardduty").create_detector(**args)["DetectorId"]
        outs = self.read(conn, id_, ins)
        assert outs is not None
        return id_, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("guardduty").get_detector(DetectorId=id_)
        except ClientError as exc:
            if code(exc) in ("BadRequestException", "DetectorNotFoundException", "ResourceNotFoundException"):
                return None
            raise
        return {
            "enable": got.get("Status") == "ENABLED",
            "findingPublishingFrequency": got.get("FindingPublishingFrequency"),
            "accountId": conn.account_id,
            "arn": f"arn:aws:guardduty:{conn.region}:{conn.account_id}:detector/{id_}",
            "features": got.get("Features") or [],
            "tags": got.get("Tags") or state.get("tags"),
            "tagsAll": got.get("Tags") or {},
        }

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        args: dict[str, Any] = {"DetectorId": id_, "Enable": bool(news.get("enable", True))}
        if news.get("findingPublishingFrequency"):
            args["FindingPublishingFrequency"] = news["findingPublishingFrequency"]
        conn.client("guardduty").update_detector(**args)
        outs = self.read(conn, id_, news)
        assert outs is not None
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("guardduty").delete_detector(DetectorId=id_)


_DETECTOR_LOCK = threading.Lock()
"""One plugin process serves a provider (the Security account's), so a process-wide lock serialises its updates."""


@register("aws:guardduty/detectorFeature:DetectorFeature")
class DetectorFeature(Handler):
    """A feature of the detector, kept in moto's detector (UpdateDetector with Features)."""

    required = ("detectorId", "name", "status")
    replace_on = frozenset({"detectorId", "name"})

    def _put(self, conn: Connection, detector: str, feature: dict[str, Any] | None, name: str) -> None:
        # Read-modify-write of the detector's whole feature list: the engine creates a detector's features at
        # once, so without the lock one update would drop another's feature.
        with _DETECTOR_LOCK:
            gd = conn.client("guardduty")
            features = [f for f in gd.get_detector(DetectorId=detector).get("Features") or []
                        if f.get("Name") != name]
            if feature is not None:
                features.append(feature)
            gd.update_detector(DetectorId=detector, Features=features)

    def _feature(self, ins: dict[str, Any]) -> dict[str, Any]:
        feature: dict[str, Any] = {"Name": ins["name"], "Status": ins["status"]}
        extra = ins.get("additionalConfigurations") or []
        if extra:
            feature["AdditionalConfiguration"] = [{"Name": c["name"], "Status": c["status"]} for c in extra]
        return feature

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self._put(conn, ins["detectorId"], self._feature(ins), ins["name"])
        return f"{ins['detectorId']}/{ins['name']}", {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        detector, name = id_.split("/", 1)
        try:
            features = conn.client("guardduty").get_detector(DetectorId=detector).get("Features") or []
        except ClientError:
            return None
        found = next((f for f in features if f.get("Name") == name), None)
        if found is None:
            return None
        extra = [{"name": c["Name"], "status": c["Status"]} for c in found.get("AdditionalConfiguration") or []]
        return {"detectorId": detector, "name": name, "status": found["Status"], "additionalConfigurations": extra}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self._put(conn, news["detectorId"], self._feature(news), news["name"])
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        detector, name = id_.split("/", 1)
        try:
            self._put(conn, detector, None, name)
        except ClientError as exc:
            if code(exc) not in ("BadRequestException", "ResourceNotFoundException"):
                raise


@register("aws:guardduty/organizationConfiguration:OrganizationConfiguration")
class GuardDutyOrganizationConfiguration(StateRecord):
    """moto has no GuardDuty organization configuration: kept in the Store (guardduty_organization)."""

    kind = "guardduty_organization"
    required = ("detectorId", "autoEnableOrganizationMembers")
    replace_on = frozenset({"detectorId"})

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return str(ins["detectorId"])

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        if ins["autoEnableOrganizationMembers"] not in ("ALL", "NEW", "NONE"):
            raise RuntimeError("ValidationException: autoEnableOrganizationMembers must be ALL, NEW or NONE")
        conn.client("guardduty").get_detector(DetectorId=ins["detectorId"])  # the detector must exist here
        require_admin(conn, "guardduty", "UpdateOrganizationConfiguration")


@register("aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature")
class GuardDutyOrganizationFeature(StateRecord):
    kind = "guardduty_organization_features"
    required = ("detectorId", "name", "autoEnable")
    replace_on = frozenset({"detectorId", "name"})

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return f"{ins['detectorId']}/{ins['name']}"

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        if ins["autoEnable"] not in ("ALL", "NEW", "NONE"):
            raise RuntimeError("ValidationException: autoEnable must be ALL, NEW or NONE")
        require_admin(conn, "guardduty", "UpdateOrganizationConfiguration")


# ---- Security Hub CSPM -----------------------------------------------------------------------------------------


def _aggregators(conn: Connection) -> dict[str, Any]:
    records = conn.store.read().get(STATE_KEY, {}).get("securityhub_aggregators", {})
    return dict(records.get(conn.account_id, {}).get(conn.region, {}))


@register("aws:securityhub/findingAggregator:FindingAggregator")
class FindingAggregator(StateRecord):
    kind = "securityhub_aggregators"
    required = ("linkingMode",)
    set_keys = frozenset({"specifiedRegions"})

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return f"arn:aws:securityhub:{conn.region}:{conn.account_id}:finding-aggregator/{uuid.uuid4()}"

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        mode, regions = ins["linkingMode"], ins.get("specifiedRegions") or []
        if mode not in ("ALL_REGIONS", "ALL_REGIONS_EXCEPT_SPECIFIED", "SPECIFIED_REGIONS", "NO_REGIONS"):
            raise RuntimeError(f"InvalidInputException: linkingMode {mode!r}")
        if mode == "SPECIFIED_REGIONS" and not regions:
            raise RuntimeError("InvalidInputException: SPECIFIED_REGIONS needs specifiedRegions")
        if mode == "NO_REGIONS" and regions:
            raise RuntimeError("InvalidInputException: NO_REGIONS takes no specifiedRegions")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        if _aggregators(conn):
            raise RuntimeError("InvalidInputException: a finding aggregator already exists in this account")
        return super().create(conn, ins)


@register("aws:securityhub/organizationConfiguration:OrganizationConfiguration")
class SecurityHubOrganizationConfiguration(Handler):
    """moto's organization configuration; AWS's rule that CENTRAL needs a finding aggregator in this region is
    checked here (moto does not). moto insists on a Status in the request, which AWS only reports: "ENABLED"."""

    required = ("autoEnable",)
    computed = frozenset({"autoEnableStandards", "organizationConfiguration"})

    def _put(self, conn: Connection, ins: dict[str, Any]) -> None:
        org = ins.get("organizationConfiguration") or {}
        central = org.get("configurationType") == "CENTRAL"
        if central and not _aggregators(conn):
            raise RuntimeError("ValidationException: central configuration needs a finding aggregator in "
                               f"{conn.region} (the home region)")
        hub = conn.client("securityhub")
        try:
            hub.describe_hub()
        except ClientError as exc:
            if code(exc) != "InvalidAccessException":
                raise
            # AWS enables Security Hub in the delegated administrator when it is designated; moto does not.
            hub.enable_security_hub(EnableDefaultStandards=False)
        args: dict[str, Any] = {"AutoEnable": bool(ins.get("autoEnable"))}
        if ins.get("autoEnableStandards"):
            args["AutoEnableStandards"] = ins["autoEnableStandards"]
        if org.get("configurationType"):
            args["OrganizationConfiguration"] = {"ConfigurationType": org["configurationType"], "Status": "ENABLED"}
        conn.client("securityhub").update_organization_configuration(**args)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self._put(conn, ins)
        return conn.account_id, {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("securityhub").describe_organization_configuration()
        except ClientError as exc:
            if code(exc) in ("AccessDeniedException", "ResourceNotFoundException"):
                return None
            raise
        kind = (got.get("OrganizationConfiguration") or {}).get("ConfigurationType")
        return {"autoEnable": bool(got.get("AutoEnable")), "autoEnableStandards": got.get("AutoEnableStandards"),
                "organizationConfiguration": {"configurationType": kind} if kind else None}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self._put(conn, news)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("securityhub").update_organization_configuration(
            AutoEnable=False, AutoEnableStandards="NONE",
            OrganizationConfiguration={"ConfigurationType": "LOCAL", "Status": "ENABLED"})


@register("aws:securityhub/configurationPolicy:ConfigurationPolicy")
class ConfigurationPolicy(StateRecord):
    kind = "securityhub_policies"
    required = ("name", "configurationPolicy")
    outputs = ("arn",)

    def computed_outs(self, conn: Connection, id_: str, ins: dict[str, Any]) -> Outs:
        return {"arn": f"arn:aws:securityhub:{conn.region}:{conn.account_id}:configuration-policy/{id_}"}

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        got = conn.client("securityhub").describe_organization_configuration()
        if (got.get("OrganizationConfiguration") or {}).get("ConfigurationType") != "CENTRAL":
            raise RuntimeError("ValidationException: configuration policies need central configuration "
                               "(organization configuration CENTRAL) from the delegated administrator")
        policy = ins["configurationPolicy"]
        if policy.get("serviceEnabled") and not policy.get("enabledStandardArns"):
            raise RuntimeError("InvalidInputException: enabledStandardArns is required when serviceEnabled")


@register("aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation")
class ConfigurationPolicyAssociation(StateRecord):
    kind = "securityhub_associations"
    required = ("policyId", "targetId")
    replace_on = frozenset({"targetId"})

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return str(ins["targetId"])

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        policies = conn.store.read().get(STATE_KEY, {}).get("securityhub_policies", {})
        if ins["policyId"] not in policies.get(conn.account_id, {}).get(conn.region, {}):
            raise RuntimeError(f"ResourceNotFoundException: configuration policy {ins['policyId']}")
