"""Emulated pulumi-aws types of the security services (stage security_services, and the designations stage
security makes): GuardDuty, Security Hub CSPM, Config aggregators, Access Analyzer, Inspector, Macie, Detective,
and their findings route. GuardDuty and Security Hub are in guardduty_securityhub.py, SNS and
EventBridge in notifications.py.

moto backs what it implements (GuardDuty detectors and their features, GuardDuty/Security Hub/Inspector/Macie
administrator designations, Security Hub's organization configuration, Config aggregators, Inspector, Macie
sessions, SNS, EventBridge); the rest lives in the emulator's Store under ``security_services`` (README.md lists
each). Checks AWS makes and moto does not (the caller must be the service's delegated administrator; central
configuration needs a finding aggregator and CENTRAL) are made here, from what the Store and moto hold.
"""

from __future__ import annotations

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

    def enable(self, client: Any, account: str) -> None:
        client.enable_organization_admin_account(adminAccountId=account)  # Macie's API is lower camel case

    def listed(self, client: Any) -> list[str]:
        return [a["accountId"] for a in client.list_organization_admin_accounts()["adminAccounts"]
                if a.get("status", "ENABLED") == "ENABLED"]


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


def require_admin(conn: Connection, service: str, what: str) -> None:
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
            require_admin(conn, "access-analyzer", "an organization analyzer")


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
        require_admin(conn, "macie2", "UpdateOrganizationConfiguration")


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
        require_admin(conn, "detective", "UpdateOrganizationConfiguration")
        graphs = conn.store.read().get(STATE_KEY, {}).get("detective_graphs", {})
        if ins["graphArn"] not in graphs.get(conn.account_id, {}).get(conn.region, {}):
            raise RuntimeError(f"ResourceNotFoundException: graph {ins['graphArn']}")


@register("aws:macie2/member:Member")
class MacieMember(StateRecord):
    """moto's Macie has no CreateMember for organization accounts: members live in the Store."""

    kind = "macie_members"
    required = ("accountId", "email")
    replace_on = frozenset({"accountId", "email"})
    outputs = ("arn", "administratorAccountId", "relationshipStatus")

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return str(ins["accountId"])

    def computed_outs(self, conn: Connection, id_: str, ins: dict[str, Any]) -> Outs:
        return {"arn": f"arn:aws:macie2:{conn.region}:{conn.account_id}:member/{id_}",
                "administratorAccountId": conn.account_id,
                "relationshipStatus": "Enabled" if ins.get("status", "ENABLED") == "ENABLED" else "Paused"}

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        require_admin(conn, "macie2", "CreateMember")


@register("aws:detective/member:Member")
class DetectiveMember(StateRecord):
    kind = "detective_members"
    required = ("accountId", "emailAddress", "graphArn")
    replace_on = frozenset({"accountId", "emailAddress", "graphArn"})
    outputs = ("administratorId", "status", "invitedTime", "updatedTime", "volumeUsageInBytes")

    def make_id(self, conn: Connection, ins: dict[str, Any]) -> str:
        return f"{ins['graphArn']}/{ins['accountId']}"

    def computed_outs(self, conn: Connection, id_: str, ins: dict[str, Any]) -> Outs:
        return {"administratorId": conn.account_id, "status": "ENABLED", "invitedTime": "", "updatedTime": "",
                "volumeUsageInBytes": "0"}

    def validate(self, conn: Connection, ins: dict[str, Any]) -> None:
        require_admin(conn, "detective", "CreateMembers")

