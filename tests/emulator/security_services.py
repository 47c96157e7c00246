"""Emulated pulumi-aws types of the security services (stage security_services, and the designations stage
security makes): GuardDuty, Security Hub CSPM, Config aggregators, Access Analyzer, Inspector, Macie, Detective,
SNS and EventBridge.

moto backs what it implements (GuardDuty detectors and their features, GuardDuty/Security Hub/Inspector/Macie
administrator designations, Security Hub's organization configuration, Config aggregators, Inspector, Macie
sessions, SNS, EventBridge); the rest lives in the emulator's Store under ``security_services`` (README.md lists
each). Checks AWS makes and moto does not (the caller must be the service's delegated administrator; central
configuration needs a finding aggregator and CENTRAL) are made here, from what the Store and moto hold.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from botocore.exceptions import ClientError
from resources import Connection, Handler, Outs, code, register

STATE_KEY = "security_services"


def _management(conn: Connection) -> Connection:
    """The provider's own credentials (the management account in the stages), in the connection's region."""
    return conn.without_roles().for_region(conn.region)


class StateRecord(Handler):
    """A type moto lacks: its inputs are kept in the Store under security_services/<kind>/<account>/<region>/<id>."""

    kind = ""

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return str(uuid.uuid4())

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        """Raise what AWS would answer when the call is not allowed."""

    def computed_outs(self, conn: Connection, id_: str, ins: dict[str, Any]) -> Outs:
        return {}

    def _records(self, data: dict[str, Any], conn: Connection) -> dict[str, Any]:
        kinds = data.setdefault(STATE_KEY, {}).setdefault(self.kind, {})
        return kinds.setdefault(conn.account_id, {}).setdefault(conn.region, {})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self.validate(conn, ins)
        id_ = self.make_id(conn, ins)
        outs = self.computed_outs(conn, id_, ins)
        with conn.store.edit() as data:
            records = self._records(data, conn)
            if id_ in records:
                raise RuntimeError(f"ResourceConflictException: {self.token} {id_} already exists")
            records[id_] = {**{k: v for k, v in ins.items() if k != "__defaults"}, **outs}
        return id_, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        records = conn.store.read().get(STATE_KEY, {}).get(self.kind, {})
        record = records.get(conn.account_id, {}).get(conn.region, {}).get(id_)
        return None if record is None else dict(record)

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self.validate(conn, news)
        outs = self.computed_outs(conn, id_, news)
        with conn.store.edit() as data:
            records = self._records(data, conn)
            records[id_] = {**{k: v for k, v in news.items() if k != "__defaults"}, **outs}
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        with conn.store.edit() as data:
            self._records(data, conn).pop(id_, None)


def _tombstoned(conn: Connection, kind: str, id_: str) -> bool:
    return bool(conn.store.read().get(STATE_KEY, {}).get("removed", {}).get(f"{kind}/{conn.account_id}/"
                                                                           f"{conn.region}/{id_}"))


def _tombstone(conn: Connection, kind: str, id_: str, removed: bool) -> None:
    with conn.store.edit() as data:
        marks = data.setdefault(STATE_KEY, {}).setdefault("removed", {})
        key = f"{kind}/{conn.account_id}/{conn.region}/{id_}"
        if removed:
            marks[key] = True
        else:
            marks.pop(key, None)


# ---- designations (from the management account) -------------------------------------------------------------


class AdminDesignation(Handler):
    """An administrator designation moto can make and list but not undo: removal is a Store tombstone."""

    service = ""
    id_input = "adminAccountId"
    replace_on = frozenset({"adminAccountId", "accountId"})

    def enable(self, client: Any, account: str) -> None:
        client.enable_organization_admin_account(AdminAccountId=account)

    def listed(self, client: Any) -> list[str]:
        raise NotImplementedError

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        account = ins[self.id_input]
        self.enable(conn.client(self.service), account)
        _tombstone(conn, self.service, account, False)
        return account, {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        if _tombstoned(conn, self.service, id_) or id_ not in self.listed(conn.client(self.service)):
            return None
        return {self.id_input: id_}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        _tombstone(conn, self.service, id_, True)


@register("aws:guardduty/organizationAdminAccount:OrganizationAdminAccount")
class GuardDutyAdmin(AdminDesignation):
    service = "guardduty"
    required = ("adminAccountId",)

    def listed(self, client: Any) -> list[str]:
        return [a["AdminAccountId"] for a in client.list_organization_admin_accounts()["AdminAccounts"]]


@register("aws:macie2/organizationAdminAccount:OrganizationAdminAccount")
class MacieAdmin(AdminDesignation):
    service = "macie2"
    required = ("adminAccountId",)

    def listed(self, client: Any) -> list[str]:
        return [a["AccountId"] for a in client.list_organization_admin_accounts()["AdminAccounts"]
                if a.get("Status", "ENABLED") == "ENABLED"]


@register("aws:securityhub/organizationAdminAccount:OrganizationAdminAccount")
class SecurityHubAdmin(AdminDesignation):
    """moto designates (its organization configuration needs it) but cannot list: the Store remembers it."""

    service = "securityhub"
    required = ("adminAccountId",)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        id_, outs = super().create(conn, ins)
        with conn.store.edit() as data:
            data.setdefault(STATE_KEY, {}).setdefault("securityhub_admins", {})[
                f"{conn.account_id}/{conn.region}"] = id_
        return id_, outs

    def listed(self, client: Any) -> list[str]:
        return []  # unused: read is overridden

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        admins = conn.store.read().get(STATE_KEY, {}).get("securityhub_admins", {})
        if _tombstoned(conn, self.service, id_) or admins.get(f"{conn.account_id}/{conn.region}") != id_:
            return None
        return {"adminAccountId": id_}


@register("aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount")
class InspectorAdmin(Handler):
    required = ("accountId",)
    replace_on = frozenset({"accountId"})
    outputs = ("relationshipStatus",)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        conn.client("inspector2").enable_delegated_admin_account(delegatedAdminAccountId=ins["accountId"])
        return ins["accountId"], {"relationshipStatus": "ENABLED"}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        admins = conn.client("inspector2").list_delegated_admin_accounts()["delegatedAdminAccounts"]
        if not any(a["accountId"] == id_ and a.get("status") == "ENABLED" for a in admins):
            return None
        return {"accountId": id_, "relationshipStatus": "ENABLED"}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("inspector2").disable_delegated_admin_account(delegatedAdminAccountId=id_)


@register("aws:detective/organizationAdminAccount:OrganizationAdminAccount")
class DetectiveAdmin(StateRecord):
    kind = "detective_admins"
    required = ("accountId",)
    replace_on = frozenset({"accountId"})

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return str(ins["accountId"])


def _require_admin(conn: Connection, service: str, what: str) -> None:
    """AWS answers an organization-wide call from anyone but the service's administrator with an error."""
    mgmt = _management(conn)
    if service == "guardduty":
        admins = GuardDutyAdmin().listed(mgmt.client("guardduty"))
        admins = [a for a in admins if not _tombstoned(mgmt, "guardduty", a)]
    elif service == "macie2":
        admins = [a for a in MacieAdmin().listed(mgmt.client("macie2")) if not _tombstoned(mgmt, "macie2", a)]
    elif service == "detective":
        admins = list(mgmt.store.read().get(STATE_KEY, {}).get("detective_admins", {}).get(mgmt.account_id, {})
                      .get(conn.region, {}))
    elif service == "access-analyzer":
        listed = mgmt.client("organizations").list_delegated_administrators(
            ServicePrincipal="access-analyzer.amazonaws.com")["DelegatedAdministrators"]
        admins = [a["Id"] for a in listed]
    else:
        raise ValueError(service)
    if conn.account_id not in admins:
        raise RuntimeError(f"BadRequestException: {what} needs the {service} delegated administrator in "
                           f"{conn.region}; {conn.account_id} is not (administrators: {admins or 'none'})")


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


@register("aws:guardduty/detectorFeature:DetectorFeature")
class DetectorFeature(Handler):
    """A feature of the detector, kept in moto's detector (UpdateDetector with Features)."""

    required = ("detectorId", "name", "status")
    replace_on = frozenset({"detectorId", "name"})

    def _put(self, conn: Connection, detector: str, feature: dict[str, Any] | None, name: str) -> None:
        gd = conn.client("guardduty")
        features = [f for f in gd.get_detector(DetectorId=detector).get("Features") or [] if f.get("Name") != name]
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
        _require_admin(conn, "guardduty", "UpdateOrganizationConfiguration")


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
        _require_admin(conn, "guardduty", "UpdateOrganizationConfiguration")


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


# ---- Config, Access Analyzer -----------------------------------------------------------------------------------


@register("aws:cfg/configurationAggregator:ConfigurationAggregator")
class ConfigurationAggregator(Handler):
    autoname = "name"
    replace_on = frozenset({"name"})
    outputs = ("arn", "tagsAll")

    def _put(self, conn: Connection, ins: dict[str, Any]) -> dict[str, Any]:
        args: dict[str, Any] = {"ConfigurationAggregatorName": ins["name"]}
        source = ins.get("organizationAggregationSource")
        if source:
            org: dict[str, Any] = {"RoleArn": source["roleArn"], "AllAwsRegions": bool(source.get("allRegions"))}
            if source.get("regions"):
                org["AwsRegions"] = source["regions"]
            args["OrganizationAggregationSource"] = org
        for account_source in ins.get("accountAggregationSource") and [ins["accountAggregationSource"]] or []:
            args["AccountAggregationSources"] = [{
                "AccountIds": account_source["accountIds"], "AllAwsRegions": bool(account_source.get("allRegions")),
                **({"AwsRegions": account_source["regions"]} if account_source.get("regions") else {})}]
        got: dict[str, Any] = conn.client("config").put_configuration_aggregator(**args)["ConfigurationAggregator"]
        return got

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        got = self._put(conn, ins)
        return ins["name"], {"arn": got["ConfigurationAggregatorArn"], "tagsAll": ins.get("tags") or {}}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("config").describe_configuration_aggregators(ConfigurationAggregatorNames=[id_])
        except ClientError as exc:
            if code(exc) == "NoSuchConfigurationAggregatorException":
                return None
            raise
        (aggregator,) = got["ConfigurationAggregators"]
        outs: Outs = {"name": id_, "arn": aggregator["ConfigurationAggregatorArn"]}
        org = aggregator.get("OrganizationAggregationSource")
        if org:
            outs["organizationAggregationSource"] = {
                "roleArn": org["RoleArn"], "allRegions": bool(org.get("AllAwsRegions")),
                "regions": org.get("AwsRegions") or []}
        return outs

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        got = self._put(conn, news)
        return {"arn": got["ConfigurationAggregatorArn"]}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("config").delete_configuration_aggregator(ConfigurationAggregatorName=id_)


@register("aws:accessanalyzer/analyzer:Analyzer")
class Analyzer(StateRecord):
    """moto has no IAM Access Analyzer: analyzers live in the Store (access_analyzers)."""

    kind = "access_analyzers"
    required = ("analyzerName",)
    defaults = {"type": "ACCOUNT"}
    replace_on = frozenset({"analyzerName", "type", "configuration"})
    outputs = ("arn", "tagsAll")

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return str(ins["analyzerName"])

    def computed_outs(self, conn: Connection, id_: str, ins: dict[str, Any]) -> Outs:
        return {"arn": f"arn:aws:access-analyzer:{conn.region}:{conn.account_id}:analyzer/{id_}",
                "tagsAll": ins.get("tags") or {}}

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        kind = ins.get("type")
        if kind not in ("ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS"):
            raise RuntimeError(f"ValidationException: analyzer type {kind!r}")
        if str(kind).startswith("ORGANIZATION"):
            _require_admin(conn, "access-analyzer", "an organization analyzer")


# ---- Inspector, Macie, Detective -------------------------------------------------------------------------------


@register("aws:inspector2/organizationConfiguration:OrganizationConfiguration")
class InspectorOrganizationConfiguration(Handler):
    required = ("autoEnable",)
    outputs = ("maxAccountLimitReached",)
    KEYS = {"ec2": "ec2", "ecr": "ecr", "lambda": "lambda", "lambdaCode": "lambdaCode"}

    def _put(self, conn: Connection, auto: dict[str, Any]) -> None:
        conn.client("inspector2").update_organization_configuration(
            autoEnable={k: bool(auto.get(k)) for k in self.KEYS})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self._put(conn, ins["autoEnable"])
        return conn.account_id, {"maxAccountLimitReached": False}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        got = conn.client("inspector2").describe_organization_configuration()["autoEnable"]
        return {"autoEnable": {k: bool(got.get(k)) for k in self.KEYS}, "maxAccountLimitReached": False}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self._put(conn, news["autoEnable"])
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        self._put(conn, {})


@register("aws:inspector2/enabler:Enabler")
class InspectorEnabler(Handler):
    required = ("accountIds", "resourceTypes")
    set_keys = frozenset({"accountIds", "resourceTypes"})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        conn.client("inspector2").enable(accountIds=ins["accountIds"], resourceTypes=ins["resourceTypes"])
        return f"{','.join(ins['accountIds'])}-{':'.join(ins['resourceTypes'])}", {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        accounts = state.get("accountIds") or id_.split("-", 1)[0].split(",")
        got = conn.client("inspector2").batch_get_account_status(accountIds=accounts)["accounts"]
        enabled: set[str] = set()
        for status in got:
            for kind, value in (status.get("resourceState") or {}).items():
                if value.get("status") == "ENABLED":
                    enabled.add({"ec2": "EC2", "ecr": "ECR", "lambda": "LAMBDA", "lambdaCode": "LAMBDA_CODE"}.get(
                        kind, kind.upper()))
        if not enabled:
            return None
        return {"accountIds": accounts, "resourceTypes": sorted(enabled & set(state.get("resourceTypes") or enabled))}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self.delete(conn, id_, olds)
        self.create(conn, news)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("inspector2").disable(accountIds=state["accountIds"], resourceTypes=state["resourceTypes"])


@register("aws:macie2/account:Account")
class MacieAccount(Handler):
    defaults = {"status": "ENABLED", "findingPublishingFrequency": "FIFTEEN_MINUTES"}
    outputs = ("createdAt", "serviceRole", "updatedAt")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        conn.client("macie2").enable_macie(findingPublishingFrequency=ins["findingPublishingFrequency"],
                                           status=ins["status"])
        outs = self.read(conn, conn.account_id, ins)
        assert outs is not None
        return conn.account_id, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("macie2").get_macie_session()
        except ClientError as exc:
            if code(exc) in ("AccessDeniedException", "ResourceNotFoundException"):
                return None
            raise
        return {"status": got.get("status", "ENABLED"),
                "findingPublishingFrequency": got.get("findingPublishingFrequency", "FIFTEEN_MINUTES"),
                "createdAt": str(got.get("createdAt", "")), "updatedAt": str(got.get("updatedAt", "")),
                "serviceRole": got.get("serviceRole", "")}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        raise RuntimeError("the emulator does not update Macie sessions (moto has no UpdateMacieSession)")

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("macie2").disable_macie()


@register("aws:macie2/organizationConfiguration:OrganizationConfiguration")
class MacieOrganizationConfiguration(StateRecord):
    kind = "macie_organization"
    required = ("autoEnable",)

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return conn.account_id

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        _require_admin(conn, "macie2", "UpdateOrganizationConfiguration")


@register("aws:detective/graph:Graph")
class DetectiveGraph(StateRecord):
    kind = "detective_graphs"
    outputs = ("graphArn", "createdTime", "tagsAll")

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return f"arn:aws:detective:{conn.region}:{conn.account_id}:graph:{uuid.uuid4().hex}"

    def computed_outs(self, conn: Connection, id_: str, ins: dict[str, Any]) -> Outs:
        return {"graphArn": id_, "createdTime": "2026-01-01T00:00:00Z", "tagsAll": ins.get("tags") or {}}


@register("aws:detective/organizationConfiguration:OrganizationConfiguration")
class DetectiveOrganizationConfiguration(StateRecord):
    kind = "detective_organization"
    required = ("graphArn", "autoEnable")
    replace_on = frozenset({"graphArn"})

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return str(ins["graphArn"])

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        _require_admin(conn, "detective", "UpdateOrganizationConfiguration")
        graphs = conn.store.read().get(STATE_KEY, {}).get("detective_graphs", {})
        if ins["graphArn"] not in graphs.get(conn.account_id, {}).get(conn.region, {}):
            raise RuntimeError(f"ResourceNotFoundException: graph {ins['graphArn']}")


# ---- SNS, EventBridge ------------------------------------------------------------------------------------------


@register("aws:sns/topic:Topic")
class Topic(Handler):
    autoname = "name"
    replace_on = frozenset({"name", "namePrefix", "fifoTopic"})
    computed = frozenset({"policy", "signatureVersion", "tracingConfig"})
    outputs = ("arn", "owner", "beginningArchiveTime", "tagsAll")
    ATTRIBUTES = {"kmsMasterKeyId": "KmsMasterKeyId", "displayName": "DisplayName", "deliveryPolicy": "DeliveryPolicy"}

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        attributes = {aws: str(ins[k]) for k, aws in self.ATTRIBUTES.items() if ins.get(k)}
        if ins.get("policy"):
            attributes["Policy"] = ins["policy"]
        args: dict[str, Any] = {"Name": ins["name"], "Attributes": attributes}
        if ins.get("tags"):
            args["Tags"] = [{"Key": k, "Value": v} for k, v in ins["tags"].items()]
        arn = conn.client("sns").create_topic(**args)["TopicArn"]
        outs = self.read(conn, arn, ins)
        assert outs is not None
        return arn, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            attributes = conn.client("sns").get_topic_attributes(TopicArn=id_)["Attributes"]
        except ClientError as exc:
            if code(exc) == "NotFound":
                return None
            raise
        outs: Outs = {"arn": id_, "name": id_.rsplit(":", 1)[-1], "owner": attributes.get("Owner", conn.account_id),
                      "policy": attributes.get("Policy"), "beginningArchiveTime": "",
                      "tagsAll": state.get("tags") or {}}
        for key, aws in self.ATTRIBUTES.items():
            if attributes.get(aws) or key in state:
                outs[key] = attributes.get(aws) or None
        return outs

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        sns = conn.client("sns")
        for key, aws in self.ATTRIBUTES.items():
            if key in changed:
                sns.set_topic_attributes(TopicArn=id_, AttributeName=aws, AttributeValue=str(news.get(key) or ""))
        outs = self.read(conn, id_, news)
        assert outs is not None
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("sns").delete_topic(TopicArn=id_)


@register("aws:sns/topicPolicy:TopicPolicy")
class TopicPolicy(Handler):
    required = ("arn", "policy")
    replace_on = frozenset({"arn"})
    outputs = ("owner",)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        conn.client("sns").set_topic_attributes(TopicArn=ins["arn"], AttributeName="Policy",
                                                AttributeValue=ins["policy"])
        return ins["arn"], {"owner": conn.account_id}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            attributes = conn.client("sns").get_topic_attributes(TopicArn=id_)["Attributes"]
        except ClientError as exc:
            if code(exc) == "NotFound":
                return None
            raise
        return {"arn": id_, "policy": attributes.get("Policy"), "owner": attributes.get("Owner", conn.account_id)}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self.create(conn, news)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        # The topic's default policy (owner account only) comes back, as SNS does when the policy is removed.
        default = json.dumps({"Version": "2008-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish", "Resource": id_,
            "Condition": {"StringEquals": {"AWS:SourceOwner": conn.account_id}}}]})
        try:
            conn.client("sns").set_topic_attributes(TopicArn=id_, AttributeName="Policy", AttributeValue=default)
        except ClientError as exc:
            if code(exc) != "NotFound":
                raise


@register("aws:sns/topicSubscription:TopicSubscription")
class TopicSubscription(Handler):
    required = ("topic", "protocol", "endpoint")
    replace_on = frozenset({"topic", "protocol", "endpoint"})
    outputs = ("arn", "confirmationWasAuthenticated", "ownerId", "pendingConfirmation")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        if ins["protocol"] not in ("email", "email-json", "https", "http", "sqs", "lambda", "sms", "firehose"):
            raise RuntimeError(f"InvalidParameter: protocol {ins['protocol']!r}")
        arn = conn.client("sns").subscribe(TopicArn=ins["topic"], Protocol=ins["protocol"], Endpoint=ins["endpoint"],
                                           ReturnSubscriptionArn=True)["SubscriptionArn"]
        return arn, {"arn": arn, "confirmationWasAuthenticated": False, "ownerId": conn.account_id,
                     "pendingConfirmation": ins["protocol"] in ("email", "email-json", "https", "http")}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        topic = state.get("topic") or id_.rsplit(":", 1)[0]
        subs = conn.client("sns").list_subscriptions_by_topic(TopicArn=topic).get("Subscriptions", [])
        found = next((s for s in subs if s["SubscriptionArn"] == id_), None)
        if found is None:
            return None
        return {"arn": id_, "topic": found["TopicArn"], "protocol": found["Protocol"], "endpoint": found["Endpoint"],
                "ownerId": found.get("Owner", conn.account_id)}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("sns").unsubscribe(SubscriptionArn=id_)


@register("aws:cloudwatch/eventRule:EventRule")
class EventRule(Handler):
    autoname = "name"
    defaults = {"eventBusName": "default", "state": "ENABLED"}
    replace_on = frozenset({"name", "namePrefix", "eventBusName"})
    json_keys = frozenset({"eventPattern"})
    outputs = ("arn", "tagsAll")

    def _put(self, conn: Connection, ins: dict[str, Any]) -> str:
        args: dict[str, Any] = {"Name": ins["name"], "State": ins.get("state") or "ENABLED",
                                "EventBusName": ins.get("eventBusName") or "default"}
        for key, aws in (("eventPattern", "EventPattern"), ("description", "Description"),
                         ("scheduleExpression", "ScheduleExpression"), ("roleArn", "RoleArn")):
            if ins.get(key):
                args[aws] = ins[key]
        return str(conn.client("events").put_rule(**args)["RuleArn"])

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        arn = self._put(conn, ins)
        return ins["name"], {"arn": arn, "tagsAll": ins.get("tags") or {}}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("events").describe_rule(Name=id_, EventBusName=state.get("eventBusName") or "default")
        except ClientError as exc:
            if code(exc) == "ResourceNotFoundException":
                return None
            raise
        return {"name": got["Name"], "arn": got["Arn"], "eventPattern": got.get("EventPattern"),
                "description": got.get("Description") or state.get("description"), "state": got.get("State")}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        return {"arn": self._put(conn, news)}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("events").delete_rule(Name=id_, EventBusName=state.get("eventBusName") or "default")


@register("aws:cloudwatch/eventTarget:EventTarget")
class EventTarget(Handler):
    required = ("rule", "arn")
    defaults = {"eventBusName": "default"}
    replace_on = frozenset({"rule", "targetId", "eventBusName"})
    autoname = "targetId"

    def _put(self, conn: Connection, ins: dict[str, Any]) -> None:
        target: dict[str, Any] = {"Id": ins["targetId"], "Arn": ins["arn"]}
        if ins.get("roleArn"):
            target["RoleArn"] = ins["roleArn"]
        if ins.get("input"):
            target["Input"] = ins["input"]
        failed = conn.client("events").put_targets(Rule=ins["rule"], EventBusName=ins.get("eventBusName") or "default",
                                                   Targets=[target]).get("FailedEntryCount", 0)
        if failed:
            raise RuntimeError(f"PutTargets failed for {ins['targetId']} on rule {ins['rule']}")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self._put(conn, ins)
        return f"{ins['rule']}-{ins['targetId']}", {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        rule, target_id = state.get("rule"), state.get("targetId")
        if not rule or not target_id:
            return None
        try:
            targets = conn.client("events").list_targets_by_rule(
                Rule=rule, EventBusName=state.get("eventBusName") or "default")["Targets"]
        except ClientError as exc:
            if code(exc) == "ResourceNotFoundException":
                return None
            raise
        found = next((t for t in targets if t["Id"] == target_id), None)
        if found is None:
            return None
        return {"rule": rule, "targetId": target_id, "arn": found["Arn"], "roleArn": found.get("RoleArn")}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self._put(conn, news)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        try:
            conn.client("events").remove_targets(Rule=state["rule"], Ids=[state["targetId"]],
                                                 EventBusName=state.get("eventBusName") or "default")
        except ClientError as exc:
            if code(exc) != "ResourceNotFoundException":
                raise
