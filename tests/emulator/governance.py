"""Handlers of the emulated aws plugin for the governance and regions stages (registered on import by provider.py).

- ``aws:iam/organizationsFeatures:OrganizationsFeatures``: moto has no IAM organizations features
  (EnableOrganizationsRootCredentialsManagement / RootSessions, ListOrganizationsFeatures): kept in the Store,
  per organization; needs trusted access for iam.amazonaws.com and the management account, as in AWS.
- ``aws:account/alternativeContact:AlternativeContact``: moto's Account API (Put/Get/DeleteAlternateContact with
  AccountId); for a member account it needs trusted access for account.amazonaws.com and the caller to be the
  management account (moto checks neither).
- ``aws:account/region:Region``: moto has no region opt-in (EnableRegion / GetRegionOptStatus): kept in the Store
  per account; member accounts need trusted access for account.amazonaws.com.
- ``aws:budgets/budget:Budget``: moto's Budgets API. moto has no UpdateBudget, so an update replaces the budget
  record under its name (delete + create, notifications included), which is what an update ends with in AWS.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from resources import Connection, Handler, Outs, code, register, trusted_principals

ROOT_FEATURES = ("RootCredentialsManagement", "RootSessions")
OPT_IN_REGIONS = frozenset({
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1",
})


def _management(conn: Connection) -> str:
    try:
        return str(conn.client("organizations").describe_organization()["Organization"]["MasterAccountId"])
    except ClientError as exc:
        if code(exc) == "AWSOrganizationsNotInUseException":
            raise RuntimeError("AWSOrganizationsNotInUseException: the account is not in an organization") from None
        raise


def _require_trusted(conn: Connection, principal: str, what: str) -> str:
    """The management account id, after checking the caller is it and the principal has trusted access."""
    management = _management(conn)
    if conn.account_id != management:
        raise RuntimeError(f"AccessDeniedException: {what} is only available to the management account")
    if principal not in trusted_principals(conn):
        raise RuntimeError(f"AccessDeniedException: {what} needs trusted access for {principal} "
                           "(Organizations EnableAWSServiceAccess)")
    return management


@register("aws:iam/organizationsFeatures:OrganizationsFeatures")
class OrganizationsFeatures(Handler):
    required = ("enabledFeatures",)
    set_keys = frozenset({"enabledFeatures"})

    def check(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        bad = [f for f in inputs.get("enabledFeatures") or [] if f not in ROOT_FEATURES]
        if bad:
            return [("enabledFeatures", f"{bad} are not IAM organization features (valid: {list(ROOT_FEATURES)})")]
        return []

    def _set(self, conn: Connection, features: list[str]) -> str:
        """Store the organization's features; returns the organization id (the resource's id, as in AWS)."""
        _require_trusted(conn, "iam.amazonaws.com", "centralized root access")
        org_id = str(conn.client("organizations").describe_organization()["Organization"]["Id"])
        with conn.store.edit() as data:
            data.setdefault("iam_organizations_features", {})[org_id] = sorted(features)
        return org_id

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        return self._set(conn, ins["enabledFeatures"]), {"enabledFeatures": ins["enabledFeatures"]}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        features = conn.store.read().get("iam_organizations_features", {}).get(id_)
        if not features:
            return None
        wanted = state.get("enabledFeatures") or []
        return {"enabledFeatures": wanted if sorted(wanted) == features else features}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self._set(conn, news["enabledFeatures"])
        return {"enabledFeatures": news["enabledFeatures"]}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        with conn.store.edit() as data:
            data.setdefault("iam_organizations_features", {}).pop(id_, None)


def _target(conn: Connection, ins: dict[str, Any], what: str) -> str:
    """The account an Account Management call acts on: accountId (a member, checked) or the caller's own."""
    account = ins.get("accountId")
    if not account or account == conn.account_id:
        return conn.account_id
    _require_trusted(conn, "account.amazonaws.com", f"{what} of a member account")
    try:
        conn.client("organizations").describe_account(AccountId=account)
    except ClientError as exc:
        if code(exc) == "AccountNotFoundException":
            raise RuntimeError(f"AccessDeniedException: {account} is not a member of the organization") from None
        raise
    return str(account)


CONTACT_FIELDS = {"emailAddress": "EmailAddress", "name": "Name", "phoneNumber": "PhoneNumber", "title": "Title"}


@register("aws:account/alternativeContact:AlternativeContact")
class AlternativeContact(Handler):
    required = ("alternateContactType", "emailAddress", "name", "phoneNumber", "title")
    replace_on = frozenset({"accountId", "alternateContactType"})
    computed = frozenset({"accountId"})

    def check(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        if inputs.get("alternateContactType") not in ("SECURITY", "OPERATIONS", "BILLING"):
            return [("alternateContactType", "must be SECURITY, OPERATIONS or BILLING")]
        return []

    def _put(self, conn: Connection, account: str, ins: dict[str, Any]) -> None:
        args: dict[str, Any] = {aws: ins[key] for key, aws in CONTACT_FIELDS.items()}
        if account != conn.account_id:
            args["AccountId"] = account
        conn.client("account").put_alternate_contact(AlternateContactType=ins["alternateContactType"], **args)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        account = _target(conn, ins, "an alternate contact")
        self._put(conn, account, ins)
        id_ = f"{account}/{ins['alternateContactType']}"
        outs = self.read(conn, id_, ins)
        assert outs is not None
        return id_, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        account, kind = id_.split("/", 1)
        args = {"AccountId": account} if account != conn.account_id else {}
        try:
            contact = conn.client("account").get_alternate_contact(AlternateContactType=kind, **args)
        except ClientError as exc:
            if code(exc) == "ResourceNotFoundException":
                return None
            raise
        found = contact["AlternateContact"]
        outs: Outs = {key: found.get(aws) for key, aws in CONTACT_FIELDS.items()}
        outs["alternateContactType"] = kind
        if state.get("accountId") or account != conn.account_id:
            outs["accountId"] = account
        return outs

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        account = id_.split("/", 1)[0]
        self._put(conn, account, news)
        outs = self.read(conn, id_, news)
        assert outs is not None
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        account, kind = id_.split("/", 1)
        args = {"AccountId": account} if account != conn.account_id else {}
        conn.client("account").delete_alternate_contact(AlternateContactType=kind, **args)


@register("aws:account/region:Region")
class Region(Handler):
    required = ("regionName", "enabled")
    replace_on = frozenset({"accountId", "regionName"})
    computed = frozenset({"accountId"})
    outputs = ("optStatus",)

    def check(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        if inputs.get("regionName") not in OPT_IN_REGIONS:
            return [("regionName", f"{inputs.get('regionName')!r} is not an opt-in region: it cannot be enabled "
                     "or disabled (ValidationException)")]
        return []

    def _set(self, conn: Connection, account: str, region: str, enabled: bool) -> Outs:
        with conn.store.edit() as data:
            data.setdefault("enabled_regions", {}).setdefault(account, {})[region] = (
                "ENABLED" if enabled else "DISABLED")
        return {"optStatus": "ENABLED" if enabled else "DISABLED"}

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        account = _target(conn, ins, "a region")
        outs = self._set(conn, account, ins["regionName"], bool(ins["enabled"]))
        if ins.get("accountId"):
            outs["accountId"] = account
        return f"{account},{ins['regionName']}", outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        account, region = id_.split(",", 1)
        status = conn.store.read().get("enabled_regions", {}).get(account, {}).get(region, "DISABLED")
        outs: Outs = {"regionName": region, "enabled": status == "ENABLED", "optStatus": status}
        if state.get("accountId"):
            outs["accountId"] = account
        return outs

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        account, region = id_.split(",", 1)
        outs = self._set(conn, account, region, bool(news["enabled"]))
        if news.get("accountId"):
            outs["accountId"] = account
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        return None  # as pulumi-aws: removing the resource leaves the region as it is


def _budget_aws(ins: dict[str, Any]) -> dict[str, Any]:
    budget: dict[str, Any] = {
        "BudgetName": ins["name"],
        "BudgetType": ins["budgetType"],
        "TimeUnit": ins["timeUnit"],
        "BudgetLimit": {"Amount": str(ins["limitAmount"]), "Unit": ins.get("limitUnit") or "USD"},
    }
    filters = {f["name"]: list(f["values"]) for f in ins.get("costFilters") or []}
    if filters:
        budget["CostFilters"] = filters
    return budget


def _notifications_aws(ins: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for n in ins.get("notifications") or []:
        subscribers = [{"SubscriptionType": "EMAIL", "Address": a} for a in n.get("subscriberEmailAddresses") or []]
        subscribers += [{"SubscriptionType": "SNS", "Address": a} for a in n.get("subscriberSnsTopicArns") or []]
        if not subscribers:
            raise RuntimeError("InvalidParameterException: a budget notification needs at least one subscriber")
        out.append({
            "Notification": {"NotificationType": n["notificationType"],
                             "ComparisonOperator": n["comparisonOperator"], "Threshold": float(n["threshold"]),
                             "ThresholdType": n.get("thresholdType") or "PERCENTAGE"},
            "Subscribers": subscribers,
        })
    return out


@register("aws:budgets/budget:Budget")
class Budget(Handler):
    required = ("budgetType", "timeUnit")
    autoname = "name"
    replace_on = frozenset({"accountId", "name", "namePrefix"})
    computed = frozenset({"accountId", "costTypes", "timePeriodStart", "timePeriodEnd"})
    outputs = ("arn",)

    def _create(self, conn: Connection, account: str, ins: dict[str, Any]) -> Outs:
        if not ins.get("limitAmount"):
            raise RuntimeError("InvalidParameterException: a COST budget needs limitAmount")
        budgets = conn.client("budgets")
        # moto stores the subscribers of a notification given with the budget, but describe answers without
        # them; the program's notifications are echoed back from the state after a check that each exists.
        budgets.create_budget(AccountId=account, Budget=_budget_aws(ins),
                              NotificationsWithSubscribers=_notifications_aws(ins))
        return self._outs(conn, account, ins["name"], ins)  # type: ignore[return-value]

    def _outs(self, conn: Connection, account: str, name: str, state: dict[str, Any]) -> Outs | None:
        budgets = conn.client("budgets")
        try:
            found = budgets.describe_budget(AccountId=account, BudgetName=name)["Budget"]
        except ClientError as exc:
            if code(exc) == "NotFoundException":
                return None
            raise
        notes = budgets.describe_notifications_for_budget(AccountId=account, BudgetName=name)["Notifications"]
        kept = [n for n in state.get("notifications") or []
                if any(m["NotificationType"] == n["notificationType"] and float(m["Threshold"]) == float(n["threshold"])
                       for m in notes)]
        filters = [{"name": k, "values": v} for k, v in (found.get("CostFilters") or {}).items()]
        amount = found["BudgetLimit"]["Amount"]
        wanted = state.get("limitAmount")
        same_amount = wanted is not None and float(wanted) == float(amount)
        outs: Outs = {
            "name": found["BudgetName"],
            "budgetType": found["BudgetType"],
            "timeUnit": found["TimeUnit"],
            "limitAmount": wanted if same_amount else amount,
            "limitUnit": found["BudgetLimit"]["Unit"],
            "costFilters": filters or None,
            "notifications": kept,
            "arn": f"arn:aws:budgets::{account}:budget/{name}",
        }
        if state.get("accountId"):
            outs["accountId"] = account
        return outs

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        account = ins.get("accountId") or conn.account_id
        outs = self._create(conn, account, ins)
        return f"{account}:{ins['name']}", outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        account, name = id_.split(":", 1)
        return self._outs(conn, account, name, state)

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        account, name = id_.split(":", 1)
        conn.client("budgets").delete_budget(AccountId=account, BudgetName=name)
        return self._create(conn, account, {**news, "name": name})

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        account, name = id_.split(":", 1)
        try:
            conn.client("budgets").delete_budget(AccountId=account, BudgetName=name)
        except ClientError as exc:
            if code(exc) != "NotFoundException":
                raise
