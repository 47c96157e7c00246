"""Resource handlers of the emulated aws plugin: pulumi-aws 7.51.1 types (camelCase property names) onto moto.

Each handler declares what the generic provider code needs for Check and Diff (required inputs, defaults,
the autonamed property, the inputs whose change forces a replacement, optional+computed inputs, computed
outputs) and implements create/read/update/delete with boto3. Types moto lacks keep their records in the
emulator's Store.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import org_policies
from botocore.config import Config
from botocore.exceptions import ClientError

Outs = dict[str, Any]

# Principals moto 5.2 accepts for Organizations delegated administrators; the others live in the Store.
MOTO_DELEGATION_PRINCIPALS = frozenset(
    {
        "config-multiaccountsetup.amazonaws.com",
        "guardduty.amazonaws.com",
        "access-analyzer.amazonaws.com",
        "macie.amazonaws.com",
        "servicecatalog.amazonaws.com",
        "ssm.amazonaws.com",
    }
)


ENDPOINT_NAMES = {"config": "configservice"}
"""boto3 service names whose pulumi-aws provider endpoint key differs."""


# ---- connection: provider config -> boto3 clients ------------------------------------------------


class Connection:
    """Credentials, region and endpoints of one configured provider (assume_roles applied lazily, once)."""

    def __init__(
        self,
        config: dict[str, Any],
        store: Any,
        *,
        _shared: dict[str, Any] | None = None,
        region: str | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.region = (
            region
            or config.get("region")
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or "us-east-1"
        )
        self._shared = (
            _shared
            if _shared is not None
            else {"lock": threading.RLock(), "clients": {}, "session": None, "identity": None}
        )
        endpoints: dict[str, str] = {}
        raw = config.get("endpoints") or []
        for entry in raw if isinstance(raw, list) else [raw]:
            endpoints.update({k: v for k, v in (entry or {}).items() if isinstance(v, str) and v})
        self.endpoints = endpoints

    def for_region(self, region: str | None) -> Connection:
        if not region or region == self.region:
            return self
        return Connection(self.config, self.store, _shared=self._shared, region=region)

    def endpoint(self, service: str) -> str:
        url = (
            self.endpoints.get(service)
            or self.endpoints.get(ENDPOINT_NAMES.get(service, service))
            or os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}")
            or os.environ.get("AWS_ENDPOINT_URL")
        )
        if not url:
            raise RuntimeError(
                f"no endpoint for {service}: the emulator only talks to an emulated AWS "
                "(set the provider's endpoints or AWS_ENDPOINT_URL)"
            )
        return url

    def _session(self) -> boto3.session.Session:
        shared = self._shared
        with shared["lock"]:
            if shared["session"] is not None:
                return shared["session"]
            cfg = self.config
            session = boto3.session.Session(
                aws_access_key_id=cfg.get("accessKey") or None,
                aws_secret_access_key=cfg.get("secretKey") or None,
                aws_session_token=cfg.get("token") or None,
                region_name=self.region,
            )
            roles = cfg.get("assumeRoles") or ([cfg["assumeRole"]] if cfg.get("assumeRole") else [])
            for role in roles:
                if not role or not role.get("roleArn"):
                    continue
                refuse_new_account_roles(self.store, role["roleArn"])
                sts = session.client("sts", endpoint_url=self.endpoint("sts"), region_name=self.region)
                args: dict[str, Any] = {
                    "RoleArn": role["roleArn"],
                    "RoleSessionName": role.get("sessionName") or "pulumi-emulator",
                }
                if role.get("externalId"):
                    args["ExternalId"] = role["externalId"]
                creds = sts.assume_role(**args)["Credentials"]
                session = boto3.session.Session(
                    aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"],
                    region_name=self.region,
                )
            shared["session"] = session
            return session

    def client(self, service: str) -> Any:
        key = (service, self.region)
        shared = self._shared
        with shared["lock"]:
            if key not in shared["clients"]:
                shared["clients"][key] = self._session().client(
                    service,
                    region_name=self.region,
                    endpoint_url=self.endpoint(service),
                    config=Config(retries={"max_attempts": 2}, s3={"addressing_style": "path"}),
                )
                if service == "s3control":
                    shared["clients"][key].meta.events.register("before-sign.s3-control", single_host)
            return shared["clients"][key]

    def identity(self) -> dict[str, Any]:
        with self._shared["lock"]:
            if self._shared["identity"] is None:
                self._shared["identity"] = self.client("sts").get_caller_identity()
            return self._shared["identity"]

    @property
    def account_id(self) -> str:
        return str(self.identity()["Account"])

    def without_roles(self) -> Connection:
        """The provider's own credentials, before its assume_roles (for the stages: the management account)."""
        config = {k: v for k, v in self.config.items() if k not in ("assumeRoles", "assumeRole")}
        return Connection(config, self.store, region=self.region)


def single_host(request: Any, **_: Any) -> None:
    """S3 Control puts the account id in front of the host (<id>.s3-control...); an emulator is one host."""
    request.url = re.sub(r"^(https?://)\d{12}\.", r"\1", request.url)


ENV_ASSUME_ROLE_DELAY = "LANDINGZONE_EMULATOR_ASSUME_ROLE_DELAY"
ENV_REFUSE_ASSUME_ROLE = "LANDINGZONE_EMULATOR_REFUSE_ASSUME_ROLE"


def refuse_new_account_roles(store: Any, role_arn: str) -> None:
    """With LANDINGZONE_EMULATOR_ASSUME_ROLE_DELAY=T: AssumeRole into an account this emulator created less than T
    seconds ago is refused, as AWS refuses it for minutes after CreateAccount, in the words pulumi-aws uses. With
    LANDINGZONE_EMULATOR_REFUSE_ASSUME_ROLE=id,id,...: always refused for those accounts (a broken access role)."""
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    if account and account in os.environ.get(ENV_REFUSE_ASSUME_ROLE, "").split(","):
        raise RuntimeError(
            f"IAM Role ({role_arn}) cannot be assumed: operation error STS: AssumeRole, https response error "
            f"StatusCode: 403, api error AccessDenied: User is not authorized to perform: sts:AssumeRole on "
            f"resource: {role_arn} (emulated: {ENV_REFUSE_ASSUME_ROLE} names account {account})")
    delay = os.environ.get(ENV_ASSUME_ROLE_DELAY)
    if not delay or not store.path:
        return
    created = store.read().get("accounts_created", {}).get(account)
    if created is None:
        return
    age = time.time() - float(created)
    if age < float(delay):
        raise RuntimeError(
            f"IAM Role ({role_arn}) cannot be assumed: operation error STS: AssumeRole, https response error "
            f"StatusCode: 403, api error AccessDenied: User is not authorized to perform: sts:AssumeRole on "
            f"resource: {role_arn} (emulated: account {account} was created {age:.0f} s ago, refused for {delay} s)")


# ---- helpers -------------------------------------------------------------------------------------


def code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def tag_list(tags: dict[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in (tags or {}).items()]


def tag_dict(tags: list[dict[str, str]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {t[key]: t[value] for t in tags or []}


def tag_specs(kind: str, tags: dict[str, str] | None) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": tag_list(tags)}] if tags else []


PASCAL = {
    "sseAlgorithm": "SSEAlgorithm",
    "kmsMasterKeyId": "KMSMasterKeyID",
    "id": "ID",
    "publishCloudwatchMetricsEnabled": "PublishCloudWatchMetricsEnabled",
    "enforceWorkgroupConfiguration": "EnforceWorkGroupConfiguration",
    "kmsKeyArn": "KmsKey",
    "serDeInfo": "SerdeInfo",
    "and": "And",
    "s3AclOption": "S3AclOption",
}
CAMEL = {v: k for k, v in PASCAL.items()}
OPAQUE = {"parameters", "Parameters", "tags", "Tags", "skewedColumnValueLocationMaps"}


def to_aws(value: Any) -> Any:
    """pulumi-aws camelCase objects -> AWS API PascalCase (user maps such as `parameters` stay as is)."""
    if isinstance(value, list):
        return [to_aws(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None:
                continue
            name = PASCAL.get(k, k[:1].upper() + k[1:])
            out[name] = v if k in OPAQUE else to_aws(v)
        return out
    return value


def from_aws(value: Any) -> Any:
    if isinstance(value, list):
        return [from_aws(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            name = CAMEL.get(k, k[:1].lower() + k[1:])
            out[name] = v if k in OPAQUE else from_aws(v)
        return out
    return value


def covers(actual: Any, wanted: Any) -> bool:
    """Everything we asked for is there (AWS may add defaults of its own)."""
    if isinstance(wanted, dict):
        return isinstance(actual, dict) and all(covers(actual.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(wanted)
            and all(covers(a, w) for a, w in zip(actual, wanted, strict=True))
        )
    if isinstance(wanted, bool) or isinstance(actual, bool):
        return bool(actual) == bool(wanted)
    return actual == wanted


def read_back(old: Any, actual_aws: Any) -> Any:
    """The old input when AWS still has it, else what AWS has (pulumi spelling): drift shows, noise not."""
    if covers(actual_aws, to_aws(old)):
        return old
    return from_aws(actual_aws)


def policy_text(doc: Any) -> str:
    return doc if isinstance(doc, str) else json.dumps(doc)


# ---- handler base and registry -------------------------------------------------------------------


class Handler:
    token = ""
    required: tuple[str, ...] = ()
    defaults: dict[str, Any] = {}
    autoname: str | None = None
    replace_on: frozenset[str] = frozenset()
    computed: frozenset[str] = frozenset()
    """Optional inputs that AWS fills in when they are left out (no diff when absent)."""
    outputs: tuple[str, ...] = ()
    """Computed outputs: unknown in a preview, kept across updates."""
    json_keys: frozenset[str] = frozenset({"content", "policy", "assumeRolePolicy"})
    set_keys: frozenset[str] = frozenset()
    """Lists pulumi-aws treats as sets (order does not matter)."""
    delete_before_replace = False

    def generate_name(self, logical: str, seed: bytes) -> str:
        suffix = hashlib.sha256(seed).hexdigest()[:7] if seed else secrets.token_hex(4)[:7]
        return f"{logical}-{suffix}"

    def check(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        return []

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        raise NotImplementedError

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        raise NotImplementedError

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        raise NotImplementedError

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        raise NotImplementedError


HANDLERS: dict[str, Handler] = {}
INVOKES: dict[str, Callable[[Connection, dict[str, Any]], dict[str, Any]]] = {}


def register(*tokens: str) -> Callable[[type[Handler]], type[Handler]]:
    def wrap(cls: type[Handler]) -> type[Handler]:
        handler = cls()
        handler.token = tokens[0]
        for token in tokens:
            HANDLERS[token] = handler
        return cls

    return wrap


def invoke(token: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    def wrap(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        INVOKES[token] = fn
        return fn

    return wrap


# ---- organizations -------------------------------------------------------------------------------


def _paginate(client: Any, op: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(op).paginate(**kwargs):
        items.extend(page[key])
    return items


def _account_out(acct: dict[str, Any]) -> dict[str, Any]:
    return {
        "arn": acct["Arn"],
        "email": acct["Email"],
        "id": acct["Id"],
        "name": acct["Name"],
        "status": acct.get("Status", "ACTIVE"),
        "state": acct.get("State") or acct.get("Status", "ACTIVE"),
    }


def _organization(conn: Connection) -> dict[str, Any] | None:
    org = conn.client("organizations")
    try:
        desc = org.describe_organization()["Organization"]
    except ClientError as exc:
        if code(exc) == "AWSOrganizationsNotInUseException":
            return None
        raise
    roots = org.list_roots()["Roots"]
    accounts = _paginate(org, "list_accounts", "Accounts")
    principals = [
        p["ServicePrincipal"] for p in org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    ] + _stored_trusted_access(conn, desc["MasterAccountId"])
    enabled_types = sorted(
        [t["Type"] for t in (roots[0].get("PolicyTypes") if roots else []) or [] if t.get("Status") == "ENABLED"]
        + org_policies.enabled_types(conn.store)  # the types moto refuses (org_policies.py)
    )
    state_types = [{"Type": t, "Status": "ENABLED"} for t in org_policies.enabled_types(conn.store)]
    return {
        "id": desc["Id"],
        "arn": desc["Arn"],
        "featureSet": desc.get("FeatureSet", "ALL"),
        "masterAccountArn": desc["MasterAccountArn"],
        "masterAccountEmail": desc["MasterAccountEmail"],
        "masterAccountId": desc["MasterAccountId"],
        "masterAccountName": next((a["Name"] for a in accounts if a["Id"] == desc["MasterAccountId"]), ""),
        "roots": [
            {
                "id": r["Id"],
                "arn": r["Arn"],
                "name": r["Name"],
                "policyTypes": [{"status": t["Status"], "type": t["Type"]}
                                for t in [*r.get("PolicyTypes", []), *state_types]],
            }
            for r in roots
        ],
        "accounts": [_account_out(a) for a in accounts],
        "nonMasterAccounts": [_account_out(a) for a in accounts if a["Id"] != desc["MasterAccountId"]],
        "awsServiceAccessPrincipals": sorted(principals),
        "enabledPolicyTypes": enabled_types,
    }


STORED_TRUSTED_PRINCIPALS = frozenset({"iam.amazonaws.com", "ec2.amazonaws.com"})
"""Service principals AWS accepts for trusted access and moto 5.2 refuses as unrecognized."""


def _stored_trusted_access(conn: Connection, management_id: str) -> list[str]:
    """Trusted access for service principals moto does not know (STORED_TRUSTED_PRINCIPALS), kept in the Store."""
    return list(conn.store.read().get("trusted_access", {}).get(management_id, []))


def _set_trusted_access(conn: Connection, principal: str, enabled: bool) -> None:
    org = conn.client("organizations")
    try:
        if enabled:
            org.enable_aws_service_access(ServicePrincipal=principal)
        else:
            org.disable_aws_service_access(ServicePrincipal=principal)
        return
    except ClientError as exc:
        if code(exc) != "InvalidInputException" or principal not in STORED_TRUSTED_PRINCIPALS:
            raise
    management = org.describe_organization()["Organization"]["MasterAccountId"]
    with conn.store.edit() as data:
        stored = data.setdefault("trusted_access", {}).setdefault(management, [])
        if enabled and principal not in stored:
            stored.append(principal)
        elif not enabled and principal in stored:
            stored.remove(principal)


def trusted_principals(conn: Connection) -> set[str]:
    """Service principals with trusted access in the caller's organization (moto's and the Store's)."""
    outs = _organization(conn)
    return set(outs["awsServiceAccessPrincipals"]) if outs else set()


@register("aws:organizations/organization:Organization")
class Organization(Handler):
    defaults = {"featureSet": "ALL"}
    computed = frozenset({"awsServiceAccessPrincipals", "enabledPolicyTypes"})
    set_keys = frozenset({"awsServiceAccessPrincipals", "enabledPolicyTypes"})
    outputs = (
        "arn",
        "accounts",
        "nonMasterAccounts",
        "masterAccountArn",
        "masterAccountEmail",
        "masterAccountId",
        "masterAccountName",
        "roots",
    )

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        org = conn.client("organizations")
        desc = org.create_organization(FeatureSet=ins.get("featureSet") or "ALL")["Organization"]
        self._apply(conn, [], ins.get("awsServiceAccessPrincipals") or [], [], ins.get("enabledPolicyTypes") or [])
        return desc["Id"], self._outs(conn, ins)

    def _apply(
        self,
        conn: Connection,
        old_principals: list[str],
        new_principals: list[str],
        old_types: list[str],
        new_types: list[str],
    ) -> None:
        org = conn.client("organizations")
        for principal in sorted(set(new_principals) - set(old_principals)):
            _set_trusted_access(conn, principal, True)
        for principal in sorted(set(old_principals) - set(new_principals)):
            _set_trusted_access(conn, principal, False)
        root = org.list_roots()["Roots"][0]["Id"]
        for type_ in sorted(set(new_types) - set(old_types)):
            if type_ in org_policies.STATE_TYPES:
                org_policies.enable_type(conn.store, type_)
            else:
                org.enable_policy_type(RootId=root, PolicyType=type_)
        for type_ in sorted(set(old_types) - set(new_types)):
            if type_ in org_policies.STATE_TYPES:
                org_policies.disable_type(conn.store, type_)
            else:
                org.disable_policy_type(RootId=root, PolicyType=type_)

    def _outs(self, conn: Connection, ins: dict[str, Any]) -> Outs:
        outs = _organization(conn)
        assert outs is not None
        # Inputs that were not given stay as AWS has them; given ones are echoed as given (order included).
        for key in ("awsServiceAccessPrincipals", "enabledPolicyTypes"):
            if key in ins and sorted(ins[key] or []) == outs[key]:
                outs[key] = ins[key]
        return outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        outs = _organization(conn)
        if outs is None or outs["id"] != id_:
            return None
        return self._outs(conn, state) if outs else None

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        current = _organization(conn) or {}
        self._apply(
            conn,
            current.get("awsServiceAccessPrincipals", []),
            news.get("awsServiceAccessPrincipals") or [],
            current.get("enabledPolicyTypes", []),
            news.get("enabledPolicyTypes") or [],
        )
        return self._outs(conn, news)

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("organizations").delete_organization()


def _org_tags(conn: Connection, resource_id: str) -> dict[str, str]:
    return tag_dict(conn.client("organizations").list_tags_for_resource(ResourceId=resource_id)["Tags"])


def _retag_org(conn: Connection, resource_id: str, old: dict[str, str] | None, new: dict[str, str] | None) -> None:
    org = conn.client("organizations")
    old, new = old or {}, new or {}
    removed = [k for k in old if k not in new]
    if removed:
        org.untag_resource(ResourceId=resource_id, TagKeys=removed)
    if new and new != old:
        org.tag_resource(ResourceId=resource_id, Tags=tag_list(new))


def _parent(conn: Connection, child: str) -> str:
    return str(conn.client("organizations").list_parents(ChildId=child)["Parents"][0]["Id"])


@register("aws:organizations/organizationalUnit:OrganizationalUnit")
class OrganizationalUnit(Handler):
    required = ("parentId",)
    autoname = "name"
    replace_on = frozenset({"parentId"})
    outputs = ("arn", "accounts", "tagsAll")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        org = conn.client("organizations")
        # AWS refuses a second OU of the same name under one parent; moto does not check (matters for a re-run
        # after an interrupted up: it must not leave duplicates behind).
        siblings = _paginate(
            org, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=ins["parentId"]
        )
        if any(ou["Name"] == ins["name"] for ou in siblings):
            raise RuntimeError(
                f"DuplicateOrganizationalUnitException: an OU named {ins['name']!r} already "
                f"exists under {ins['parentId']}"
            )
        args: dict[str, Any] = {"ParentId": ins["parentId"], "Name": ins["name"]}
        if ins.get("tags"):
            args["Tags"] = tag_list(ins["tags"])
        ou = conn.client("organizations").create_organizational_unit(**args)["OrganizationalUnit"]
        return ou["Id"], {"arn": ou["Arn"], "accounts": [], "tagsAll": ins.get("tags") or {}}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        org = conn.client("organizations")
        try:
            ou = org.describe_organizational_unit(OrganizationalUnitId=id_)["OrganizationalUnit"]
        except ClientError as exc:
            if code(exc) in (
                "OrganizationalUnitNotFoundException",
                "ChildNotFoundException",
                "AWSOrganizationsNotInUseException",
            ):
                return None
            raise
        accounts = _paginate(org, "list_accounts_for_parent", "Accounts", ParentId=id_)
        tags = _org_tags(conn, id_)
        return {
            "name": ou["Name"],
            "arn": ou["Arn"],
            "parentId": _parent(conn, id_),
            "accounts": [
                {k: v for k, v in _account_out(a).items() if k in ("arn", "email", "id", "name")} for a in accounts
            ],
            "tags": tags or state.get("tags"),
            "tagsAll": tags,
        }

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        if "name" in changed:
            conn.client("organizations").update_organizational_unit(OrganizationalUnitId=id_, Name=news["name"])
        if "tags" in changed:
            _retag_org(conn, id_, olds.get("tags"), news.get("tags"))
        return {"tagsAll": news.get("tags") or {}}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("organizations").delete_organizational_unit(OrganizationalUnitId=id_)


@register("aws:organizations/account:Account")
class Account(Handler):
    required = ("email",)
    autoname = "name"
    defaults = {"closeOnDeletion": False, "createGovcloud": False}
    replace_on = frozenset({"email", "name", "iamUserAccessToBilling", "roleName", "createGovcloud"})
    computed = frozenset({"parentId", "iamUserAccessToBilling", "roleName"})
    outputs = (
        "arn",
        "govcloudId",
        "joinedMethod",
        "joinedTimestamp",
        "state",
        "status",
        "tagsAll",
        "parentId",
    )

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        org = conn.client("organizations")
        # AWS fails CreateAccount with EMAIL_ALREADY_EXISTS; moto would create a second account.
        if any(
            a["Email"].lower() == ins["email"].lower()
            for a in _paginate(org, "list_accounts", "Accounts")
            if a.get("Status", "ACTIVE") == "ACTIVE"
        ):
            raise RuntimeError(f"CreateAccount FAILED: EMAIL_ALREADY_EXISTS ({ins['email']})")
        args: dict[str, Any] = {"Email": ins["email"], "AccountName": ins["name"]}
        if ins.get("roleName"):
            args["RoleName"] = ins["roleName"]
        if ins.get("iamUserAccessToBilling"):
            args["IamUserAccessToBilling"] = ins["iamUserAccessToBilling"]
        if ins.get("tags"):
            args["Tags"] = tag_list(ins["tags"])
        status = org.create_account(**args)["CreateAccountStatus"]
        for _ in range(60):
            if status["State"] != "IN_PROGRESS":
                break
            time.sleep(0.5)
            status = org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
        if status["State"] != "SUCCEEDED":
            raise RuntimeError(f"CreateAccount {status['State']}: {status.get('FailureReason')}")
        account_id = status["AccountId"]
        with conn.store.edit() as data:  # for LANDINGZONE_EMULATOR_ASSUME_ROLE_DELAY
            data.setdefault("accounts_created", {})[account_id] = time.time()
        if ins.get("parentId"):
            current = _parent(conn, account_id)
            if current != ins["parentId"]:
                org.move_account(AccountId=account_id, SourceParentId=current, DestinationParentId=ins["parentId"])
        outs = self.read(conn, account_id, ins)
        assert outs is not None
        return account_id, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            acct = conn.client("organizations").describe_account(AccountId=id_)["Account"]
        except ClientError as exc:
            if code(exc) in ("AccountNotFoundException", "AWSOrganizationsNotInUseException"):
                return None
            raise
        status = acct.get("State") or acct.get("Status", "ACTIVE")
        if status in ("SUSPENDED", "CLOSED", "PENDING_CLOSURE"):
            return None
        tags = _org_tags(conn, id_)
        joined = acct.get("JoinedTimestamp")
        return {
            "arn": acct["Arn"],
            "email": acct["Email"],
            "name": acct["Name"],
            "parentId": _parent(conn, id_),
            "joinedMethod": acct.get("JoinedMethod", "CREATED"),
            "joinedTimestamp": joined.isoformat() if hasattr(joined, "isoformat") else str(joined or ""),
            "status": acct.get("Status", "ACTIVE"),
            "state": status,
            "govcloudId": "",
            "tags": tags or state.get("tags"),
            "tagsAll": tags,
        }

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        org = conn.client("organizations")
        if "parentId" in changed and news.get("parentId"):
            current = _parent(conn, id_)
            if current != news["parentId"]:
                org.move_account(AccountId=id_, SourceParentId=current, DestinationParentId=news["parentId"])
        if "tags" in changed:
            _retag_org(conn, id_, olds.get("tags"), news.get("tags"))
        outs = self.read(conn, id_, news)
        if outs is None:
            raise RuntimeError(f"account {id_} disappeared during the update")
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        org = conn.client("organizations")
        if state.get("closeOnDeletion"):
            org.close_account(AccountId=id_)
        else:
            org.remove_account_from_organization(AccountId=id_)


@register("aws:organizations/policy:Policy")
class Policy(Handler):
    required = ("content",)
    autoname = "name"
    defaults = {"type": "SERVICE_CONTROL_POLICY"}
    replace_on = frozenset({"type"})
    outputs = ("arn", "tagsAll")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        if (ins.get("type") or "") in org_policies.STATE_TYPES:
            desc = conn.client("organizations").describe_organization()["Organization"]
            policy_id, extra = org_policies.create_policy(
                conn.store, desc["MasterAccountId"], desc["Id"], {**ins, "type": ins["type"]})
            return policy_id, {**extra, "tagsAll": ins.get("tags") or {}}
        args: dict[str, Any] = {
            "Content": ins["content"],
            "Description": ins.get("description") or "",
            "Name": ins["name"],
            "Type": ins.get("type") or "SERVICE_CONTROL_POLICY",
        }
        if ins.get("tags"):
            args["Tags"] = tag_list(ins["tags"])
        summary = conn.client("organizations").create_policy(**args)["Policy"]["PolicySummary"]
        return summary["Id"], {"arn": summary["Arn"], "tagsAll": ins.get("tags") or {}}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        kept = org_policies.read_policy(conn.store, id_)
        if kept is not None:
            return {"arn": state.get("arn", ""), "name": kept["name"], "description": kept["description"],
                    "type": kept["type"], "content": kept["content"], "tags": kept["tags"] or state.get("tags"),
                    "tagsAll": kept["tags"]}
        try:
            policy = conn.client("organizations").describe_policy(PolicyId=id_)["Policy"]
        except ClientError as exc:
            if code(exc) in ("PolicyNotFoundException", "AWSOrganizationsNotInUseException"):
                return None
            raise
        summary = policy["PolicySummary"]
        tags = _org_tags(conn, id_)
        return {
            "arn": summary["Arn"],
            "name": summary["Name"],
            "description": summary.get("Description", ""),
            "type": summary["Type"],
            "content": policy["Content"],
            "tags": tags or state.get("tags"),
            "tagsAll": tags,
        }

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        if org_policies.is_state_policy(conn.store, id_):
            org_policies.update_policy(conn.store, id_, news)
        elif {"name", "description", "content"} & set(changed):
            conn.client("organizations").update_policy(
                PolicyId=id_,
                Name=news["name"],
                Description=news.get("description") or "",
                Content=news["content"],
            )
        if "tags" in changed:
            _retag_org(conn, id_, olds.get("tags"), news.get("tags"))
        return {"tagsAll": news.get("tags") or {}}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        if state.get("skipDestroy"):
            return
        if org_policies.is_state_policy(conn.store, id_):
            org_policies.delete_policy(conn.store, id_)
        else:
            conn.client("organizations").delete_policy(PolicyId=id_)


@register("aws:organizations/policyAttachment:PolicyAttachment")
class PolicyAttachment(Handler):
    required = ("policyId", "targetId")
    replace_on = frozenset({"policyId", "targetId"})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        if org_policies.is_state_policy(conn.store, ins["policyId"]):
            key = org_policies.attach(conn.store, ins["policyId"], ins["targetId"],
                                      _target_exists(conn, ins["targetId"]))
            return key, {}
        conn.client("organizations").attach_policy(PolicyId=ins["policyId"], TargetId=ins["targetId"])
        return f"{ins['targetId']}:{ins['policyId']}", {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        target, policy = id_.split(":", 1)
        if org_policies.is_state_policy(conn.store, policy) or org_policies.attachment(conn.store, id_):
            found = org_policies.attachment(conn.store, id_)
            return dict(found) if found is not None else None
        org = conn.client("organizations")
        try:
            targets = _paginate(org, "list_targets_for_policy", "Targets", PolicyId=policy)
        except ClientError as exc:
            if code(exc) in ("PolicyNotFoundException", "AWSOrganizationsNotInUseException"):
                return None
            raise
        if not any(t["TargetId"] == target for t in targets):
            return None
        return {"policyId": policy, "targetId": target}

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        return {}  # only skipDestroy can change in place, and it lives in the state

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        if not state.get("skipDestroy"):
            target, policy = id_.split(":", 1)
            if org_policies.attachment(conn.store, id_) is not None:
                org_policies.detach(conn.store, id_)
            else:
                conn.client("organizations").detach_policy(PolicyId=policy, TargetId=target)


def _target_exists(conn: Connection, target_id: str) -> bool:
    """Whether a root, OU or account id exists in moto's organization."""
    org = conn.client("organizations")
    try:
        if target_id.startswith("r-"):
            return any(r["Id"] == target_id for r in org.list_roots()["Roots"])
        if target_id.startswith("ou-"):
            org.describe_organizational_unit(OrganizationalUnitId=target_id)
        else:
            org.describe_account(AccountId=target_id)
    except ClientError:
        return False
    return True


def _member_account(conn: Connection, account_id: str) -> dict[str, Any]:
    """The organization member (never the management account), as Organizations describes it."""
    org = conn.client("organizations")
    desc = org.describe_organization()["Organization"]
    if desc["MasterAccountId"] == account_id:
        raise RuntimeError("ConstraintViolationException: the management account cannot be a delegated administrator")
    return dict(org.describe_account(AccountId=account_id)["Account"])


@register("aws:organizations/delegatedAdministrator:DelegatedAdministrator")
class DelegatedAdministrator(Handler):
    required = ("accountId", "servicePrincipal")
    replace_on = frozenset({"accountId", "servicePrincipal"})
    outputs = ("arn", "delegationEnabledDate", "email", "joinedMethod", "joinedTimestamp", "name", "status")

    def _outs(self, acct: dict[str, Any], enabled: str) -> Outs:
        joined = acct.get("JoinedTimestamp")
        return {
            "arn": acct["Arn"],
            "email": acct["Email"],
            "name": acct["Name"],
            "status": acct.get("Status", "ACTIVE"),
            "joinedMethod": acct.get("JoinedMethod", "CREATED"),
            "joinedTimestamp": joined.isoformat() if hasattr(joined, "isoformat") else str(joined or ""),
            "delegationEnabledDate": enabled,
        }

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        account_id, principal = ins["accountId"], ins["servicePrincipal"]
        acct = _member_account(conn, account_id)
        id_ = f"{account_id}/{principal}"
        enabled = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if principal in MOTO_DELEGATION_PRINCIPALS:
            conn.client("organizations").register_delegated_administrator(
                AccountId=account_id, ServicePrincipal=principal
            )
        else:
            with conn.store.edit() as data:
                admins = data.setdefault("delegated_administrators", {}).setdefault(conn.account_id, {})
                if id_ in admins:
                    raise RuntimeError(
                        "AccountAlreadyRegisteredException: the account is already a delegated "
                        f"administrator for {principal}"
                    )
                admins[id_] = {"accountId": account_id, "servicePrincipal": principal, "enabled": enabled}
        return id_, self._outs(acct, enabled)

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        account_id, principal = id_.split("/", 1)
        if principal in MOTO_DELEGATION_PRINCIPALS:
            try:
                admins = conn.client("organizations").list_delegated_administrators(ServicePrincipal=principal)[
                    "DelegatedAdministrators"
                ]
            except ClientError as exc:
                if code(exc) == "AWSOrganizationsNotInUseException":
                    return None
                raise
            found = next((a for a in admins if a["Id"] == account_id), None)
            if found is None:
                return None
            enabled = found.get("DelegationEnabledDate")
            enabled_text = enabled.isoformat() if hasattr(enabled, "isoformat") else str(enabled or "")
            return {"accountId": account_id, "servicePrincipal": principal, **self._outs(found, enabled_text)}
        record = conn.store.read().get("delegated_administrators", {}).get(conn.account_id, {}).get(id_)
        if record is None:
            return None
        try:
            acct = conn.client("organizations").describe_account(AccountId=account_id)["Account"]
        except ClientError as exc:
            if code(exc) == "AccountNotFoundException":
                return None
            raise
        return {"accountId": account_id, "servicePrincipal": principal, **self._outs(acct, record["enabled"])}

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        account_id, principal = id_.split("/", 1)
        if principal in MOTO_DELEGATION_PRINCIPALS:
            conn.client("organizations").deregister_delegated_administrator(
                AccountId=account_id, ServicePrincipal=principal
            )
            return
        with conn.store.edit() as data:
            data.setdefault("delegated_administrators", {}).setdefault(conn.account_id, {}).pop(id_, None)


@invoke("aws:organizations/getOrganization:getOrganization")
def get_organization(conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
    outs = _organization(conn)
    if outs is None:
        raise RuntimeError("AWSOrganizationsNotInUseException: your account is not a member of an organization")
    return outs


# ---- cloudtrail ----------------------------------------------------------------------------------


@register("aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount")
class OrganizationDelegatedAdminAccount(Handler):
    """moto has no RegisterOrganizationDelegatedAdmin: the registration lives in the Store."""

    required = ("accountId",)
    replace_on = frozenset({"accountId"})
    outputs = ("arn", "email", "name", "servicePrincipal")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        account_id = ins["accountId"]
        acct = _member_account(conn, account_id)
        with conn.store.edit() as data:
            admins = data.setdefault("cloudtrail_delegated_admins", {})
            if admins.get(conn.account_id) not in (None, account_id):
                raise RuntimeError(
                    "ResourceLimitExceededException: CloudTrail allows one delegated administrator "
                    f"per organization; {admins[conn.account_id]} is registered"
                )
            admins[conn.account_id] = account_id
        return account_id, self._outs(acct)

    def _outs(self, acct: dict[str, Any]) -> Outs:
        return {
            "arn": acct["Arn"],
            "email": acct["Email"],
            "name": acct["Name"],
            "servicePrincipal": "cloudtrail.amazonaws.com",
        }

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        if conn.store.read().get("cloudtrail_delegated_admins", {}).get(conn.account_id) != id_:
            return None
        try:
            acct = conn.client("organizations").describe_account(AccountId=id_)["Account"]
        except ClientError as exc:
            if code(exc) in ("AccountNotFoundException", "AWSOrganizationsNotInUseException"):
                return None
            raise
        return {"accountId": id_, **self._outs(acct)}

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        with conn.store.edit() as data:
            admins = data.setdefault("cloudtrail_delegated_admins", {})
            if admins.get(conn.account_id) == id_:
                del admins[conn.account_id]


def _cloudtrail_admin_of(conn: Connection) -> tuple[str, str | None]:
    """(management account id, CloudTrail delegated admin account id) of the caller's organization."""
    desc = conn.client("organizations").describe_organization()["Organization"]
    mgmt = desc["MasterAccountId"]
    return mgmt, conn.store.read().get("cloudtrail_delegated_admins", {}).get(mgmt)


def _require_org_trail_rights(conn: Connection, what: str) -> None:
    mgmt, admin = _cloudtrail_admin_of(conn)
    if conn.account_id not in (mgmt, admin):
        raise RuntimeError(
            f"NotOrganizationMasterAccountException: only the management account or the CloudTrail "
            f"delegated administrator can create an organization {what}"
        )


def _in_account(conn: Connection, account: str, what: str) -> Connection:
    """A connection to ``account``: this one, or the provider's credentials before its assume_roles."""
    if conn.account_id == account:
        return conn
    base = conn.without_roles()
    if base.account_id != account:
        raise RuntimeError(f"the emulator cannot reach account {account} for {what}: the provider is in "
                           f"{conn.account_id} and its own credentials in {base.account_id}")
    return base


def _trail_owner(conn: Connection, arn: str) -> Connection:
    """The trail's owner: an organization trail created by the delegated administrator belongs to the
    management account (its ARN names it), as in AWS."""
    return _in_account(conn, arn.split(":")[4], f"trail {arn}")


TRAIL_FIELDS = {
    "s3BucketName": "S3BucketName",
    "s3KeyPrefix": "S3KeyPrefix",
    "snsTopicName": "SnsTopicName",
    "includeGlobalServiceEvents": "IncludeGlobalServiceEvents",
    "isMultiRegionTrail": "IsMultiRegionTrail",
    "enableLogFileValidation": "EnableLogFileValidation",
    "cloudWatchLogsGroupArn": "CloudWatchLogsLogGroupArn",
    "cloudWatchLogsRoleArn": "CloudWatchLogsRoleArn",
    "kmsKeyId": "KmsKeyId",
    "isOrganizationTrail": "IsOrganizationTrail",
}


@register("aws:cloudtrail/trail:Trail")
class Trail(Handler):
    required = ("s3BucketName",)
    autoname = "name"
    defaults = {
        "enableLogging": True,
        "includeGlobalServiceEvents": True,
        "isMultiRegionTrail": False,
        "isOrganizationTrail": False,
        "enableLogFileValidation": False,
    }
    replace_on = frozenset({"name"})
    computed = frozenset({"eventSelectors", "advancedEventSelectors"})
    outputs = ("arn", "homeRegion", "snsTopicArn", "tagsAll")

    def _selectors(self, conn: Connection, name: str, ins: dict[str, Any]) -> None:
        if ins.get("advancedEventSelectors"):
            conn.client("cloudtrail").put_event_selectors(
                TrailName=name, AdvancedEventSelectors=to_aws(ins["advancedEventSelectors"])
            )
        elif ins.get("eventSelectors"):
            conn.client("cloudtrail").put_event_selectors(TrailName=name, EventSelectors=to_aws(ins["eventSelectors"]))

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        if ins.get("isOrganizationTrail"):
            _require_org_trail_rights(conn, "trail")
            # AWS creates an organization trail in the management account, whoever asks (moto would keep it in
            # the caller's account): the trail's ARN and every read of it name the management account.
            conn = _in_account(conn, _cloudtrail_admin_of(conn)[0], f"organization trail {ins['name']}")
        ct = conn.client("cloudtrail")
        args: dict[str, Any] = {"Name": ins["name"]}
        args.update({aws: ins[k] for k, aws in TRAIL_FIELDS.items() if ins.get(k) not in (None, "")})
        if ins.get("tags"):
            args["TagsList"] = tag_list(ins["tags"])
        trail = ct.create_trail(**args)
        self._selectors(conn, trail["TrailARN"], ins)
        if ins.get("enableLogging", True):
            ct.start_logging(Name=trail["TrailARN"])
        outs = self.read(conn, trail["TrailARN"], ins)
        assert outs is not None
        return trail["TrailARN"], outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        ct = _trail_owner(conn, id_).client("cloudtrail")
        try:
            trail = ct.get_trail(Name=id_)["Trail"]
            status = ct.get_trail_status(Name=id_)
        except ClientError as exc:
            if code(exc) in ("TrailNotFoundException",):
                return None
            raise
        outs: Outs = {
            "name": trail["Name"],
            "arn": trail["TrailARN"],
            "homeRegion": trail.get("HomeRegion"),
            "snsTopicArn": trail.get("SnsTopicARN"),
            "enableLogging": bool(status.get("IsLogging")),
        }
        for key, aws in TRAIL_FIELDS.items():
            if aws == "CloudWatchLogsLogGroupArn":
                value = trail.get("CloudWatchLogsLogGroupArn")
            elif aws == "EnableLogFileValidation":
                value = trail.get("LogFileValidationEnabled")
            else:
                value = trail.get(aws)
            if value is not None or key in state:
                outs[key] = value
        tags = ct.list_tags(ResourceIdList=[trail["TrailARN"]])["ResourceTagList"]
        tag_map = tag_dict(tags[0].get("TagsList")) if tags else {}
        outs["tags"] = tag_map or state.get("tags")
        outs["tagsAll"] = tag_map
        return outs

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        if news.get("isOrganizationTrail"):
            _require_org_trail_rights(conn, "trail")
        conn = _trail_owner(conn, id_)
        ct = conn.client("cloudtrail")
        fields = {aws: news.get(k) for k, aws in TRAIL_FIELDS.items() if k in changed}
        if fields:
            ct.update_trail(Name=id_, **{k: (v if v is not None else "") for k, v in fields.items()})
        if {"eventSelectors", "advancedEventSelectors"} & set(changed):
            self._selectors(conn, id_, news)
        if "enableLogging" in changed:
            (ct.start_logging if news.get("enableLogging", True) else ct.stop_logging)(Name=id_)
        if "tags" in changed:
            old, new = olds.get("tags") or {}, news.get("tags") or {}
            removed = [{"Key": k} for k in old if k not in new]
            if removed:
                ct.remove_tags(ResourceId=id_, TagsList=removed)
            if new:
                ct.add_tags(ResourceId=id_, TagsList=tag_list(new))
        outs = self.read(conn, id_, news)
        if outs is None:
            raise RuntimeError(f"trail {id_} disappeared during the update")
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        # moto deletes by name only (an ARN is silently ignored); AWS takes either.
        _trail_owner(conn, id_).client("cloudtrail").delete_trail(Name=id_.split(":trail/", 1)[-1])


@register("aws:cloudtrail/eventDataStore:EventDataStore")
class EventDataStore(Handler):
    """moto has no CloudTrail Lake: event data stores live in the Store."""

    autoname = "name"
    defaults = {
        "multiRegionEnabled": True,
        "organizationEnabled": False,
        "retentionPeriod": 2555,
        "terminationProtectionEnabled": True,
        "billingMode": "EXTENDABLE_RETENTION_PRICING",
        "suspend": False,
    }
    outputs = ("arn", "tagsAll")

    def check(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        period = inputs.get("retentionPeriod")
        limit = 2557 if inputs.get("billingMode") == "FIXED_RETENTION_PRICING" else 3653
        if isinstance(period, int) and not 7 <= period <= limit:
            return [("retentionPeriod", f"retentionPeriod must be between 7 and {limit} days, got {period}")]
        return []

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        if os.environ.get("LANDINGZONE_EMULATOR_LAKE_CLOSED"):
            # CloudTrail Lake takes no new customers since 2026-05-31: opt in to see what a new org gets.
            raise RuntimeError("AccessDeniedException: CloudTrail Lake is not available to new customers")
        if ins.get("organizationEnabled"):
            _require_org_trail_rights(conn, "event data store")
        arn = f"arn:aws:cloudtrail:{conn.region}:{conn.account_id}:eventdatastore/{uuid.uuid4()}"
        with conn.store.edit() as data:
            stores = data.setdefault("event_data_stores", {})
            if any(
                s["name"] == ins["name"] and s["arn"].split(":")[3:5] == arn.split(":")[3:5] for s in stores.values()
            ):
                raise RuntimeError(f"EventDataStoreAlreadyExistsException: {ins['name']}")
            record = {k: v for k, v in ins.items() if k not in ("tagsAll",)}
            record["arn"] = arn
            stores[arn] = record
        return arn, {"arn": arn, "tagsAll": ins.get("tags") or {}}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        record = conn.store.read().get("event_data_stores", {}).get(id_)
        if record is None:
            return None
        return {**record, "tagsAll": record.get("tags") or {}}

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        with conn.store.edit() as data:
            stores = data.setdefault("event_data_stores", {})
            if id_ not in stores:
                raise RuntimeError(f"EventDataStoreNotFoundException: {id_}")
            stores[id_] = {**{k: v for k, v in news.items() if k != "tagsAll"}, "arn": id_}
        return {"arn": id_, "tagsAll": news.get("tags") or {}}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        with conn.store.edit() as data:
            stores = data.setdefault("event_data_stores", {})
            record = stores.get(id_)
            if record and record.get("terminationProtectionEnabled", True):
                raise RuntimeError(
                    "EventDataStoreTerminationProtectedException: termination protection is "
                    f"enabled on {id_}; set terminationProtectionEnabled to false first"
                )
            stores.pop(id_, None)


# ---- iam -----------------------------------------------------------------------------------------


@register("aws:iam/role:Role")
class Role(Handler):
    required = ("assumeRolePolicy",)
    autoname = "name"
    defaults = {"path": "/", "maxSessionDuration": 3600, "forceDetachPolicies": False}
    replace_on = frozenset({"name", "namePrefix", "path"})
    computed = frozenset({"managedPolicyArns", "inlinePolicies", "description"})
    outputs = ("arn", "createDate", "uniqueId", "tagsAll")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        iam = conn.client("iam")
        args: dict[str, Any] = {
            "RoleName": ins["name"],
            "Path": ins.get("path") or "/",
            "AssumeRolePolicyDocument": ins["assumeRolePolicy"],
            "MaxSessionDuration": ins.get("maxSessionDuration") or 3600,
        }
        if ins.get("description"):
            args["Description"] = ins["description"]
        if ins.get("permissionsBoundary"):
            args["PermissionsBoundary"] = ins["permissionsBoundary"]
        if ins.get("tags"):
            args["Tags"] = tag_list(ins["tags"])
        iam.create_role(**args)
        for arn in ins.get("managedPolicyArns") or []:
            iam.attach_role_policy(RoleName=ins["name"], PolicyArn=arn)
        for inline in ins.get("inlinePolicies") or []:
            if inline.get("name"):
                iam.put_role_policy(RoleName=ins["name"], PolicyName=inline["name"], PolicyDocument=inline["policy"])
        outs = self.read(conn, ins["name"], ins)
        assert outs is not None
        return ins["name"], outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            role = conn.client("iam").get_role(RoleName=id_)["Role"]
        except ClientError as exc:
            if code(exc) == "NoSuchEntity":
                return None
            raise
        created = role.get("CreateDate")
        tags = tag_dict(role.get("Tags"))
        return {
            "name": role["RoleName"],
            "path": role["Path"],
            "arn": role["Arn"],
            "uniqueId": role["RoleId"],
            "createDate": created.isoformat() if hasattr(created, "isoformat") else str(created),
            "assumeRolePolicy": policy_text(role["AssumeRolePolicyDocument"]),
            "description": role.get("Description", state.get("description")),
            "maxSessionDuration": role.get("MaxSessionDuration", 3600),
            "permissionsBoundary": (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            "tags": tags or state.get("tags"),
            "tagsAll": tags,
        }

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        iam = conn.client("iam")
        if "assumeRolePolicy" in changed:
            iam.update_assume_role_policy(RoleName=id_, PolicyDocument=news["assumeRolePolicy"])
        if {"description", "maxSessionDuration"} & set(changed):
            iam.update_role(
                RoleName=id_,
                Description=news.get("description") or "",
                MaxSessionDuration=news.get("maxSessionDuration") or 3600,
            )
        if "permissionsBoundary" in changed:
            if news.get("permissionsBoundary"):
                iam.put_role_permissions_boundary(RoleName=id_, PermissionsBoundary=news["permissionsBoundary"])
            else:
                iam.delete_role_permissions_boundary(RoleName=id_)
        if "tags" in changed:
            removed = [k for k in (olds.get("tags") or {}) if k not in (news.get("tags") or {})]
            if removed:
                iam.untag_role(RoleName=id_, TagKeys=removed)
            if news.get("tags"):
                iam.tag_role(RoleName=id_, Tags=tag_list(news["tags"]))
        if "managedPolicyArns" in changed:
            old, new = set(olds.get("managedPolicyArns") or []), set(news.get("managedPolicyArns") or [])
            for arn in old - new:
                iam.detach_role_policy(RoleName=id_, PolicyArn=arn)
            for arn in new - old:
                iam.attach_role_policy(RoleName=id_, PolicyArn=arn)
        outs = self.read(conn, id_, news)
        if outs is None:
            raise RuntimeError(f"role {id_} disappeared during the update")
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        iam = conn.client("iam")
        if state.get("forceDetachPolicies") or state.get("managedPolicyArns") or state.get("inlinePolicies"):
            for policy in iam.list_attached_role_policies(RoleName=id_)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=id_, PolicyArn=policy["PolicyArn"])
            for name in iam.list_role_policies(RoleName=id_)["PolicyNames"]:
                iam.delete_role_policy(RoleName=id_, PolicyName=name)
        iam.delete_role(RoleName=id_)


@register("aws:iam/rolePolicy:RolePolicy")
class RolePolicy(Handler):
    required = ("policy", "role")
    autoname = "name"
    replace_on = frozenset({"role", "name", "namePrefix"})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        conn.client("iam").put_role_policy(RoleName=ins["role"], PolicyName=ins["name"], PolicyDocument=ins["policy"])
        return f"{ins['role']}:{ins['name']}", {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        role, name = id_.split(":", 1)
        try:
            got = conn.client("iam").get_role_policy(RoleName=role, PolicyName=name)
        except ClientError as exc:
            if code(exc) == "NoSuchEntity":
                return None
            raise
        return {"role": role, "name": name, "policy": policy_text(got["PolicyDocument"])}

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        role, name = id_.split(":", 1)
        conn.client("iam").put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=news["policy"])
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        role, name = id_.split(":", 1)
        conn.client("iam").delete_role_policy(RoleName=role, PolicyName=name)


@register("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
class RolePolicyAttachment(Handler):
    required = ("policyArn", "role")
    replace_on = frozenset({"policyArn", "role"})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        conn.client("iam").attach_role_policy(RoleName=ins["role"], PolicyArn=ins["policyArn"])
        return f"{ins['role']}/{ins['policyArn']}", {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        role, arn = id_.split("/", 1)
        try:
            attached = conn.client("iam").list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        except ClientError as exc:
            if code(exc) == "NoSuchEntity":
                return None
            raise
        return {"role": role, "policyArn": arn} if any(p["PolicyArn"] == arn for p in attached) else None

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        role, arn = id_.split("/", 1)
        conn.client("iam").detach_role_policy(RoleName=role, PolicyArn=arn)


@invoke("aws:iam/getPolicyDocument:getPolicyDocument")
def get_policy_document(conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
    statements = []
    for st in args.get("statements") or []:
        out: dict[str, Any] = {}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        out["Effect"] = st.get("effect") or "Allow"
        for key, aws in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if st.get(key):
                principal: dict[str, Any] = {}
                for p in st[key]:
                    ids = p["identifiers"]
                    principal[p["type"]] = ids[0] if len(ids) == 1 else ids
                out[aws] = principal
        for key, aws in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if st.get(key):
                out[aws] = st[key][0] if len(st[key]) == 1 else st[key]
        if st.get("conditions"):
            cond: dict[str, dict[str, Any]] = {}
            for c in st["conditions"]:
                values = c["values"]
                cond.setdefault(c["test"], {})[c["variable"]] = values[0] if len(values) == 1 else values
            out["Condition"] = cond
        statements.append(out)
    doc = {"Version": args.get("version") or "2012-10-17", "Statement": statements}
    text = json.dumps(doc, indent=2)
    return {
        "id": hashlib.sha256(text.encode()).hexdigest()[:10],
        "json": text,
        "minifiedJson": json.dumps(doc, separators=(",", ":")),
        "version": doc["Version"],
        "statements": args.get("statements") or [],
    }


@invoke("aws:index/getCallerIdentity:getCallerIdentity")
def get_caller_identity(conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
    ident = conn.identity()
    return {
        "accountId": ident["Account"],
        "arn": ident["Arn"],
        "id": ident["Account"],
        "userId": ident["UserId"],
    }


@invoke("aws:index/getPartition:getPartition")
def get_partition(conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "aws",
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


@invoke("aws:index/getRegion:getRegion")
def get_region(conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or args.get("name") or conn.region
    return {
        "id": region,
        "name": region,
        "region": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": region,
    }


# ---- kms -----------------------------------------------------------------------------------------


@register("aws:kms/key:Key")
class Key(Handler):
    defaults = {
        "isEnabled": True,
        "keyUsage": "ENCRYPT_DECRYPT",
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "enableKeyRotation": False,
        "multiRegion": False,
        "bypassPolicyLockoutSafetyCheck": False,
    }
    replace_on = frozenset({"customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId", "xksKeyId"})
    computed = frozenset({"policy", "description", "rotationPeriodInDays"})
    outputs = ("arn", "keyId", "tagsAll")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        kms = conn.client("kms")
        args: dict[str, Any] = {
            "KeyUsage": ins.get("keyUsage") or "ENCRYPT_DECRYPT",
            "KeySpec": ins.get("customerMasterKeySpec") or "SYMMETRIC_DEFAULT",
            "MultiRegion": bool(ins.get("multiRegion")),
            "BypassPolicyLockoutSafetyCheck": bool(ins.get("bypassPolicyLockoutSafetyCheck")),
        }
        if ins.get("description"):
            args["Description"] = ins["description"]
        if ins.get("policy"):
            args["Policy"] = ins["policy"]
        if ins.get("tags"):
            args["Tags"] = tag_list(ins["tags"], "TagKey", "TagValue")
        meta = kms.create_key(**args)["KeyMetadata"]
        if ins.get("enableKeyRotation"):
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        if ins.get("isEnabled") is False:
            kms.disable_key(KeyId=meta["KeyId"])
        outs = self.read(conn, meta["KeyId"], ins)
        assert outs is not None
        return meta["KeyId"], outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        kms = conn.client("kms")
        try:
            meta = kms.describe_key(KeyId=id_)["KeyMetadata"]
        except ClientError as exc:
            if code(exc) == "NotFoundException":
                return None
            raise
        if meta.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
            return None
        rotation = kms.get_key_rotation_status(KeyId=id_).get("KeyRotationEnabled", False)
        tags = tag_dict(kms.list_resource_tags(KeyId=id_).get("Tags"), "TagKey", "TagValue")
        return {
            "arn": meta["Arn"],
            "keyId": meta["KeyId"],
            "description": meta.get("Description", ""),
            "keyUsage": meta.get("KeyUsage"),
            "isEnabled": meta.get("Enabled", True),
            "customerMasterKeySpec": meta.get("KeySpec") or meta.get("CustomerMasterKeySpec"),
            "multiRegion": meta.get("MultiRegion", False),
            "enableKeyRotation": rotation,
            "policy": kms.get_key_policy(KeyId=id_, PolicyName="default")["Policy"],
            "tags": tags or state.get("tags"),
            "tagsAll": tags,
        }

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        kms = conn.client("kms")
        if "description" in changed:
            kms.update_key_description(KeyId=id_, Description=news.get("description") or "")
        if "policy" in changed and news.get("policy"):
            kms.put_key_policy(KeyId=id_, PolicyName="default", Policy=news["policy"])
        if "enableKeyRotation" in changed:
            (kms.enable_key_rotation if news.get("enableKeyRotation") else kms.disable_key_rotation)(KeyId=id_)
        if "isEnabled" in changed:
            (kms.enable_key if news.get("isEnabled", True) else kms.disable_key)(KeyId=id_)
        if "tags" in changed:
            removed = [k for k in (olds.get("tags") or {}) if k not in (news.get("tags") or {})]
            if removed:
                kms.untag_resource(KeyId=id_, TagKeys=removed)
            if news.get("tags"):
                kms.tag_resource(KeyId=id_, Tags=tag_list(news["tags"], "TagKey", "TagValue"))
        outs = self.read(conn, id_, news)
        if outs is None:
            raise RuntimeError(f"key {id_} disappeared during the update")
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("kms").schedule_key_deletion(KeyId=id_, PendingWindowInDays=state.get("deletionWindowInDays") or 30)


@register("aws:kms/alias:Alias")
class Alias(Handler):
    required = ("targetKeyId",)
    autoname = "name"
    replace_on = frozenset({"name", "namePrefix"})
    outputs = ("arn", "targetKeyArn")

    def generate_name(self, logical: str, seed: bytes) -> str:
        return "alias/" + super().generate_name(logical, seed)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        conn.client("kms").create_alias(AliasName=ins["name"], TargetKeyId=ins["targetKeyId"])
        outs = self.read(conn, ins["name"], ins)
        assert outs is not None
        return ins["name"], outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        kms = conn.client("kms")
        alias = next((a for a in _paginate(kms, "list_aliases", "Aliases") if a["AliasName"] == id_), None)
        if alias is None or not alias.get("TargetKeyId"):
            return None
        meta = kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]
        wanted = state.get("targetKeyId") or ""
        target = wanted if wanted in (meta["KeyId"], meta["Arn"]) else meta["KeyId"]
        return {"name": id_, "arn": alias["AliasArn"], "targetKeyId": target, "targetKeyArn": meta["Arn"]}

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        conn.client("kms").update_alias(AliasName=id_, TargetKeyId=news["targetKeyId"])
        outs = self.read(conn, id_, news)
        assert outs is not None
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("kms").delete_alias(AliasName=id_)


# ---- s3 ------------------------------------------------------------------------------------------


@register("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
class Bucket(Handler):
    autoname = "bucket"
    defaults = {"forceDestroy": False, "objectLockEnabled": False}
    replace_on = frozenset({"bucket", "bucketPrefix", "objectLockEnabled"})
    computed = frozenset({"region"})
    outputs = (
        "arn",
        "bucketDomainName",
        "bucketRegionalDomainName",
        "hostedZoneId",
        "bucketRegion",
        "tagsAll",
    )

    def generate_name(self, logical: str, seed: bytes) -> str:
        return super().generate_name(logical.lower(), seed)[:63]

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        s3 = conn.client("s3")
        name = ins["bucket"]
        args: dict[str, Any] = {"Bucket": name}
        if conn.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": conn.region}
        if ins.get("objectLockEnabled"):
            args["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**args)
        if ins.get("tags"):
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(ins["tags"])})
        outs = self.read(conn, name, ins)
        assert outs is not None
        return name, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        s3 = conn.client("s3")
        try:
            s3.head_bucket(Bucket=id_)
        except ClientError as exc:
            if code(exc) in ("404", "NoSuchBucket", "NotFound"):
                return None
            raise
        try:
            tags = tag_dict(s3.get_bucket_tagging(Bucket=id_)["TagSet"])
        except ClientError as exc:
            if code(exc) != "NoSuchTagSet":
                raise
            tags = {}
        region = conn.region
        return {
            "bucket": id_,
            "arn": f"arn:aws:s3:::{id_}",
            "bucketDomainName": f"{id_}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{id_}.s3.{region}.amazonaws.com",
            "hostedZoneId": "Z3AQBSTGFYJSTF",
            "bucketRegion": region,
            "region": region,
            "tags": tags or state.get("tags"),
            "tagsAll": tags,
        }

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        s3 = conn.client("s3")
        if "tags" in changed:
            if news.get("tags"):
                s3.put_bucket_tagging(Bucket=id_, Tagging={"TagSet": tag_list(news["tags"])})
            else:
                s3.delete_bucket_tagging(Bucket=id_)
        outs = self.read(conn, id_, news)
        if outs is None:
            raise RuntimeError(f"bucket {id_} disappeared during the update")
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        s3 = conn.client("s3")
        if state.get("forceDestroy"):
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=id_):
                objects = [
                    {"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
                ]
                if objects:
                    s3.delete_objects(Bucket=id_, Delete={"Objects": objects})
        s3.delete_bucket(Bucket=id_)


class BucketSetting(Handler):
    """A setting of a bucket (id = bucket name): put on create/update, read back, removed on delete.

    Most settings are one input that one S3 call puts, one gets and one deletes: those calls are data below
    (`field`, `put_call`, `get_call`, `delete_call`, and `shape` for the put argument); the settings that differ
    override put, get, to_outs or delete."""

    required: tuple[str, ...] = ("bucket",)
    replace_on = frozenset({"bucket", "expectedBucketOwner"})
    missing_codes: tuple[str, ...] = ()
    field = ""
    """The input that holds the setting, read back under the same name."""
    put_call = ("", "")
    """The S3 method that sets it, and the argument that takes `shape(input)`."""
    get_call: tuple[str, ...] = ()
    """The S3 method that reads it, then the keys from its response down to the setting."""
    delete_call = ""
    """The S3 method that removes it."""

    def shape(self, value: Any) -> Any:
        """The input as the put call's argument."""
        return to_aws(value)

    def put(self, s3: Any, bucket: str, ins: dict[str, Any]) -> None:
        method, argument = self.put_call
        getattr(s3, method)(Bucket=bucket, **{argument: self.shape(ins.get(self.field))})

    def get(self, s3: Any, bucket: str) -> Any:
        method, *path = self.get_call
        got = getattr(s3, method)(Bucket=bucket)
        for key in path:
            got = got[key]
        return got

    def to_outs(self, actual: Any, state: dict[str, Any]) -> Outs:
        return {self.field: read_back(state.get(self.field), actual)}

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self.put(conn.client("s3"), ins["bucket"], ins)
        return ins["bucket"], {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            actual = self.get(conn.client("s3"), id_)
        except ClientError as exc:
            if code(exc) in self.missing_codes + ("NoSuchBucket",):
                return None
            raise
        if actual is None:
            return None
        return {"bucket": id_, **self.to_outs(actual, state)}

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        self.put(conn.client("s3"), id_, news)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        getattr(conn.client("s3"), self.delete_call)(Bucket=id_)


@register("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
class BucketVersioning(BucketSetting):
    required = ("bucket", "versioningConfiguration")
    field = "versioningConfiguration"
    put_call = ("put_bucket_versioning", "VersioningConfiguration")

    def get(self, s3: Any, bucket: str) -> Any:
        got = s3.get_bucket_versioning(Bucket=bucket)
        return {k: got[k] for k in ("Status", "MFADelete") if k in got} or None

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        # Versioning cannot be switched off, only suspended (pulumi-aws does the same on delete).
        if (state.get("versioningConfiguration") or {}).get("status") == "Enabled":
            conn.client("s3").put_bucket_versioning(Bucket=id_, VersioningConfiguration={"Status": "Suspended"})


@register(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
class BucketEncryption(BucketSetting):
    required = ("bucket", "rules")
    missing_codes = ("ServerSideEncryptionConfigurationNotFoundError",)
    field = "rules"
    put_call = ("put_bucket_encryption", "ServerSideEncryptionConfiguration")
    get_call = ("get_bucket_encryption", "ServerSideEncryptionConfiguration", "Rules")
    delete_call = "delete_bucket_encryption"

    def shape(self, value: Any) -> Any:
        return {"Rules": to_aws(value)}


PAB_KEYS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


@register("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
class BucketPublicAccessBlock(BucketSetting):
    defaults = {k: False for k in PAB_KEYS}
    missing_codes = ("NoSuchPublicAccessBlockConfiguration",)
    get_call = ("get_public_access_block", "PublicAccessBlockConfiguration")
    delete_call = "delete_public_access_block"

    def put(self, s3: Any, bucket: str, ins: dict[str, Any]) -> None:
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={k[:1].upper() + k[1:]: bool(ins.get(k)) for k in PAB_KEYS},
        )

    def to_outs(self, actual: Any, state: dict[str, Any]) -> Outs:
        return {k: bool(actual.get(k[:1].upper() + k[1:])) for k in PAB_KEYS}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        if not state.get("skipDestroy"):
            super().delete(conn, id_, state)


@register("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
class BucketOwnershipControls(BucketSetting):
    required = ("bucket", "rule")
    missing_codes = ("OwnershipControlsNotFoundError",)
    field = "rule"
    put_call = ("put_bucket_ownership_controls", "OwnershipControls")
    get_call = ("get_bucket_ownership_controls", "OwnershipControls", "Rules", 0)
    delete_call = "delete_bucket_ownership_controls"

    def shape(self, value: Any) -> Any:
        return {"Rules": [to_aws(value)]}


@register("aws:s3/bucketPolicy:BucketPolicy")
class BucketPolicy(BucketSetting):
    required = ("bucket", "policy")
    missing_codes = ("NoSuchBucketPolicy",)
    field = "policy"
    put_call = ("put_bucket_policy", "Policy")
    get_call = ("get_bucket_policy", "Policy")
    delete_call = "delete_bucket_policy"

    def to_outs(self, actual: Any, state: dict[str, Any]) -> Outs:
        return {"policy": actual}


@register(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
class BucketLifecycleConfiguration(BucketSetting):
    missing_codes = ("NoSuchLifecycleConfiguration",)
    field = "rules"
    put_call = ("put_bucket_lifecycle_configuration", "LifecycleConfiguration")
    get_call = ("get_bucket_lifecycle_configuration", "Rules")
    delete_call = "delete_bucket_lifecycle"

    def shape(self, value: Any) -> Any:
        return {"Rules": to_aws(value or [])}


def _bucket_policy(s3: Any, bucket: str) -> str | None:
    try:
        return str(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as exc:
        if code(exc) == "NoSuchBucketPolicy":
            return None
        raise


@register("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
class BucketLogging(BucketSetting):
    required = ("bucket", "targetBucket", "targetPrefix")

    def put(self, s3: Any, bucket: str, ins: dict[str, Any]) -> None:
        status = {
            "LoggingEnabled": {"TargetBucket": ins["targetBucket"], "TargetPrefix": ins.get("targetPrefix") or ""}
        }
        # moto 5.2 crashes (HTTP 500) checking a target bucket policy with a statement whose Principal is the
        # string "*" (valid in AWS, e.g. a deny-insecure-transport statement). Put the equivalent {"AWS": "*"}
        # in place for the call, then the original policy back.
        original = _bucket_policy(s3, ins["targetBucket"])
        patched = None
        if original:
            doc = json.loads(original)
            statements = doc.get("Statement", [])
            for stmt in statements if isinstance(statements, list) else [statements]:
                if stmt.get("Principal") == "*":
                    stmt["Principal"] = {"AWS": "*"}
                    patched = json.dumps(doc)
        if patched:
            s3.put_bucket_policy(Bucket=ins["targetBucket"], Policy=patched)
        try:
            s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus=status)
        finally:
            if patched:
                s3.put_bucket_policy(Bucket=ins["targetBucket"], Policy=original)

    def get(self, s3: Any, bucket: str) -> Any:
        return s3.get_bucket_logging(Bucket=bucket).get("LoggingEnabled")

    def to_outs(self, actual: Any, state: dict[str, Any]) -> Outs:
        return {"targetBucket": actual.get("TargetBucket"), "targetPrefix": actual.get("TargetPrefix", "")}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("s3").put_bucket_logging(Bucket=id_, BucketLoggingStatus={})


# ---- glue and athena -----------------------------------------------------------------------------


class GlueNamed(Handler):
    autoname = "name"
    computed = frozenset({"catalogId"})

    def generate_name(self, logical: str, seed: bytes) -> str:
        return super().generate_name(logical.lower(), seed).replace("-", "_")

    def _catalog(self, conn: Connection, ins: dict[str, Any]) -> dict[str, Any]:
        return {"CatalogId": ins["catalogId"]} if ins.get("catalogId") else {}


DB_FIELDS = ("name", "description", "locationUri", "parameters")


@register("aws:glue/catalogDatabase:CatalogDatabase")
class CatalogDatabase(GlueNamed):
    replace_on = frozenset({"name", "catalogId"})
    outputs = ("arn", "tagsAll")

    def _input(self, ins: dict[str, Any]) -> dict[str, Any]:
        return to_aws({k: ins[k] for k in DB_FIELDS if ins.get(k) not in (None, "")})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        glue = conn.client("glue")
        args: dict[str, Any] = {**self._catalog(conn, ins), "DatabaseInput": self._input(ins)}
        if ins.get("tags"):
            args["Tags"] = ins["tags"]
        glue.create_database(**args)
        catalog = ins.get("catalogId") or conn.account_id
        outs = self.read(conn, f"{catalog}:{ins['name']}", ins)
        assert outs is not None
        return f"{catalog}:{ins['name']}", outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        catalog, name = id_.split(":", 1)
        try:
            db = conn.client("glue").get_database(CatalogId=catalog, Name=name)["Database"]
        except ClientError as exc:
            if code(exc) == "EntityNotFoundException":
                return None
            raise
        outs: Outs = {
            "name": db["Name"],
            "catalogId": catalog,
            "arn": f"arn:aws:glue:{conn.region}:{catalog}:database/{name}",
            "tagsAll": state.get("tags") or {},
        }
        for key in ("description", "locationUri", "parameters"):
            value = db.get(key[:1].upper() + key[1:])
            if value is not None or key in state:
                outs[key] = value
        return outs

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        catalog, name = id_.split(":", 1)
        conn.client("glue").update_database(CatalogId=catalog, Name=name, DatabaseInput=self._input(news))
        return {"tagsAll": news.get("tags") or {}}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        catalog, name = id_.split(":", 1)
        conn.client("glue").delete_database(CatalogId=catalog, Name=name)


TABLE_FIELDS = (
    "name",
    "description",
    "owner",
    "parameters",
    "partitionKeys",
    "storageDescriptor",
    "tableType",
    "retention",
    "viewOriginalText",
    "viewExpandedText",
)


@register("aws:glue/catalogTable:CatalogTable")
class CatalogTable(GlueNamed):
    required = ("databaseName",)
    replace_on = frozenset({"name", "databaseName", "catalogId"})
    outputs = ("arn",)

    def _input(self, ins: dict[str, Any]) -> dict[str, Any]:
        return to_aws({k: ins[k] for k in TABLE_FIELDS if ins.get(k) not in (None, "")})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        conn.client("glue").create_table(
            **self._catalog(conn, ins), DatabaseName=ins["databaseName"], TableInput=self._input(ins)
        )
        catalog = ins.get("catalogId") or conn.account_id
        id_ = f"{catalog}:{ins['databaseName']}:{ins['name']}"
        outs = self.read(conn, id_, ins)
        assert outs is not None
        return id_, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        catalog, database, name = id_.split(":", 2)
        try:
            table = conn.client("glue").get_table(CatalogId=catalog, DatabaseName=database, Name=name)["Table"]
        except ClientError as exc:
            if code(exc) == "EntityNotFoundException":
                return None
            raise
        outs: Outs = {
            "name": table["Name"],
            "databaseName": database,
            "catalogId": catalog,
            "arn": f"arn:aws:glue:{conn.region}:{catalog}:table/{database}/{name}",
        }
        for key in TABLE_FIELDS[1:]:
            aws_key = key[:1].upper() + key[1:]
            if aws_key not in table:
                continue
            if key in OPAQUE:  # a user map (e.g. projection.* parameters): keys are data, never re-cased
                outs[key] = table[aws_key]
            else:
                outs[key] = read_back(state.get(key), table[aws_key]) if key in state else from_aws(table[aws_key])
        return outs

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        catalog, database, _ = id_.split(":", 2)
        conn.client("glue").update_table(CatalogId=catalog, DatabaseName=database, TableInput=self._input(news))
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        catalog, database, name = id_.split(":", 2)
        conn.client("glue").delete_table(CatalogId=catalog, DatabaseName=database, Name=name)


@register("aws:athena/workgroup:Workgroup")
class Workgroup(Handler):
    autoname = "name"
    defaults = {"state": "ENABLED", "forceDestroy": False}
    replace_on = frozenset({"name"})
    computed = frozenset({"configuration"})
    outputs = ("arn", "tagsAll")

    def _create(self, conn: Connection, ins: dict[str, Any]) -> None:
        args: dict[str, Any] = {
            "Name": ins["name"],
            "Configuration": to_aws(ins.get("configuration") or {}),
            "Description": ins.get("description") or "",
        }
        if ins.get("tags"):
            args["Tags"] = tag_list(ins["tags"])
        conn.client("athena").create_work_group(**args)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self._create(conn, ins)
        outs = self.read(conn, ins["name"], ins)
        assert outs is not None
        return ins["name"], outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            wg = conn.client("athena").get_work_group(WorkGroup=id_)["WorkGroup"]
        except ClientError as exc:
            if code(exc) in ("InvalidRequestException", "ResourceNotFoundException"):
                return None
            raise
        if not wg or not wg.get("Name"):
            return None
        outs: Outs = {
            "name": wg["Name"],
            "state": wg.get("State", "ENABLED"),
            "description": wg.get("Description", state.get("description")),
            "arn": f"arn:aws:athena:{conn.region}:{conn.account_id}:workgroup/{id_}",
            "tagsAll": state.get("tags") or {},
        }
        if wg.get("Configuration") is not None:
            outs["configuration"] = read_back(state.get("configuration"), wg["Configuration"])
        return outs

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        # moto 5.2 has no UpdateWorkGroup: the emulator recreates the workgroup under the same name (its saved
        # queries are stored apart and survive).
        conn.client("athena").delete_work_group(WorkGroup=id_, RecursiveDeleteOption=False)
        self._create(conn, news)
        outs = self.read(conn, id_, news)
        assert outs is not None
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("athena").delete_work_group(WorkGroup=id_, RecursiveDeleteOption=bool(state.get("forceDestroy")))


@register("aws:athena/namedQuery:NamedQuery")
class NamedQuery(Handler):
    required = ("database", "query")
    autoname = "name"
    defaults = {"workgroup": "primary"}
    replace_on = frozenset({"database", "query", "description", "name", "workgroup"})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        args: dict[str, Any] = {
            "Name": ins["name"],
            "Database": ins["database"],
            "QueryString": ins["query"],
            "WorkGroup": ins.get("workgroup") or "primary",
        }
        if ins.get("description"):
            args["Description"] = ins["description"]
        return conn.client("athena").create_named_query(**args)["NamedQueryId"], {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        if id_ in conn.store.read().get("deleted_named_queries", []):
            return None
        try:
            query = conn.client("athena").get_named_query(NamedQueryId=id_)["NamedQuery"]
        except ClientError as exc:
            if code(exc) in ("InvalidRequestException", "ResourceNotFoundException"):
                return None
            raise
        return {
            "name": query["Name"],
            "database": query["Database"],
            "query": query["QueryString"],
            "description": query.get("Description", state.get("description")),
            "workgroup": query.get("WorkGroup", "primary"),
        }

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        raise RuntimeError("named queries are replaced, never updated")

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        # moto 5.2 has no DeleteNamedQuery: the deletion is recorded in the Store and reads report it gone.
        with conn.store.edit() as data:
            data.setdefault("deleted_named_queries", []).append(id_)


# ---- ec2 and vpc ---------------------------------------------------------------------------------


@invoke("aws:ec2/getVpcs:getVpcs")
def get_vpcs(conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
    """The VPC ids matching the filters (and tags) in the call's region, as pulumi-aws's data source returns them."""
    region = args.get("region") or conn.region
    filters = [{"Name": f["name"], "Values": list(f["values"])} for f in args.get("filters") or []]
    filters += [{"Name": f"tag:{k}", "Values": [v]} for k, v in (args.get("tags") or {}).items()]
    ec2 = conn.for_region(region).client("ec2")
    vpcs = ec2.describe_vpcs(**({"Filters": filters} if filters else {}))["Vpcs"]
    return {"filters": args.get("filters"), "id": region, "ids": [v["VpcId"] for v in vpcs], "region": region,
            "tags": args.get("tags") or {}}


@register("aws:ec2/vpc:Vpc")
class Vpc(Handler):
    defaults = {"enableDnsSupport": True, "enableDnsHostnames": False, "instanceTenancy": "default"}
    replace_on = frozenset({"cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"})
    computed = frozenset({"cidrBlock", "ipv6CidrBlock"})
    outputs = (
        "arn",
        "defaultNetworkAclId",
        "defaultRouteTableId",
        "defaultSecurityGroupId",
        "dhcpOptionsId",
        "ipv6AssociationId",
        "mainRouteTableId",
        "ownerId",
        "tagsAll",
    )

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        ec2 = conn.client("ec2")
        args: dict[str, Any] = {
            "CidrBlock": ins["cidrBlock"],
            "InstanceTenancy": ins.get("instanceTenancy") or "default",
        }
        if ins.get("tags"):
            args["TagSpecifications"] = tag_specs("vpc", ins["tags"])
        vpc = ec2.create_vpc(**args)["Vpc"]
        vpc_id = vpc["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": bool(ins.get("enableDnsSupport", True))})
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": bool(ins.get("enableDnsHostnames", False))})
        outs = self.read(conn, vpc_id, ins)
        assert outs is not None
        return vpc_id, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        ec2 = conn.client("ec2")
        try:
            vpcs = ec2.describe_vpcs(VpcIds=[id_])["Vpcs"]
        except ClientError as exc:
            if code(exc) == "InvalidVpcID.NotFound":
                return None
            raise
        if not vpcs:
            return None
        vpc = vpcs[0]
        sg = ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [id_]}, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"]
        tables = ec2.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": [id_]}, {"Name": "association.main", "Values": ["true"]}]
        )["RouteTables"]
        acls = ec2.describe_network_acls(
            Filters=[{"Name": "vpc-id", "Values": [id_]}, {"Name": "default", "Values": ["true"]}]
        )["NetworkAcls"]
        dns_support = ec2.describe_vpc_attribute(VpcId=id_, Attribute="enableDnsSupport")["EnableDnsSupport"]
        dns_names = ec2.describe_vpc_attribute(VpcId=id_, Attribute="enableDnsHostnames")["EnableDnsHostnames"]
        tags = tag_dict(vpc.get("Tags"))
        main_table = tables[0]["RouteTableId"] if tables else ""
        return {
            "cidrBlock": vpc["CidrBlock"],
            "instanceTenancy": vpc.get("InstanceTenancy", "default"),
            "enableDnsSupport": dns_support["Value"],
            "enableDnsHostnames": dns_names["Value"],
            "arn": f"arn:aws:ec2:{conn.region}:{vpc.get('OwnerId', conn.account_id)}:vpc/{id_}",
            "ownerId": vpc.get("OwnerId", conn.account_id),
            "dhcpOptionsId": vpc.get("DhcpOptionsId", ""),
            "defaultSecurityGroupId": sg[0]["GroupId"] if sg else "",
            "mainRouteTableId": main_table,
            "defaultRouteTableId": main_table,
            "defaultNetworkAclId": acls[0]["NetworkAclId"] if acls else "",
            "ipv6AssociationId": "",
            "tags": tags or state.get("tags"),
            "tagsAll": tags,
        }

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        ec2 = conn.client("ec2")
        for key, attr in (
            ("enableDnsSupport", "EnableDnsSupport"),
            ("enableDnsHostnames", "EnableDnsHostnames"),
        ):
            if key in changed:
                ec2.modify_vpc_attribute(VpcId=id_, **{attr: {"Value": bool(news.get(key))}})
        if "tags" in changed:
            _retag_ec2(ec2, id_, olds.get("tags"), news.get("tags"))
        outs = self.read(conn, id_, news)
        if outs is None:
            raise RuntimeError(f"vpc {id_} disappeared during the update")
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("ec2").delete_vpc(VpcId=id_)


def _retag_ec2(ec2: Any, resource_id: str, old: dict[str, str] | None, new: dict[str, str] | None) -> None:
    old, new = old or {}, new or {}
    removed = [{"Key": k} for k in old if k not in new]
    if removed:
        ec2.delete_tags(Resources=[resource_id], Tags=removed)
    if new:
        ec2.create_tags(Resources=[resource_id], Tags=tag_list(new))


def _inline_to_perm(rule: dict[str, Any]) -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": str(rule.get("protocol", "-1"))}
    if perm["IpProtocol"] not in ("-1", "all"):
        perm["FromPort"], perm["ToPort"] = rule.get("fromPort", 0), rule.get("toPort", 0)
    else:
        perm["IpProtocol"] = "-1"
    desc = {"Description": rule["description"]} if rule.get("description") else {}
    perm["IpRanges"] = [{"CidrIp": c, **desc} for c in rule.get("cidrBlocks") or []]
    perm["Ipv6Ranges"] = [{"CidrIpv6": c, **desc} for c in rule.get("ipv6CidrBlocks") or []]
    perm["PrefixListIds"] = [{"PrefixListId": p, **desc} for p in rule.get("prefixListIds") or []]
    perm["UserIdGroupPairs"] = [{"GroupId": g, **desc} for g in rule.get("securityGroups") or []]
    return perm


def _perm_to_inline(perm: dict[str, Any], group_id: str) -> dict[str, Any]:
    protocol = perm.get("IpProtocol", "-1")
    groups = [p["GroupId"] for p in perm.get("UserIdGroupPairs", []) if p.get("GroupId") != group_id]
    descriptions = [
        r.get("Description")
        for key in ("IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs")
        for r in perm.get(key, [])
        if r.get("Description")
    ]
    return {
        "protocol": protocol,
        "fromPort": perm.get("FromPort", 0) if protocol != "-1" else 0,
        "toPort": perm.get("ToPort", 0) if protocol != "-1" else 0,
        "cidrBlocks": [r["CidrIp"] for r in perm.get("IpRanges", [])],
        "ipv6CidrBlocks": [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])],
        "prefixListIds": [r["PrefixListId"] for r in perm.get("PrefixListIds", [])],
        "securityGroups": groups,
        "self": any(p.get("GroupId") == group_id for p in perm.get("UserIdGroupPairs", [])),
        "description": descriptions[0] if descriptions else "",
    }


class GroupRules:
    """Inline ingress/egress of (Default)SecurityGroup: the configured set replaces what AWS has."""

    @staticmethod
    def reset(
        ec2: Any,
        group_id: str,
        ins: dict[str, Any],
        *,
        keys: tuple[str, ...] = ("ingress", "egress"),
        force: bool = False,
    ) -> None:
        group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        for key, aws_key, revoke, authorize in (
            (
                "ingress",
                "IpPermissions",
                ec2.revoke_security_group_ingress,
                ec2.authorize_security_group_ingress,
            ),
            (
                "egress",
                "IpPermissionsEgress",
                ec2.revoke_security_group_egress,
                ec2.authorize_security_group_egress,
            ),
        ):
            if key not in keys or (key not in ins and not force):
                continue
            current = group.get(aws_key) or []
            if current:
                revoke(GroupId=group_id, IpPermissions=current)
            wanted = []
            for rule in ins.get(key) or []:
                perm = _inline_to_perm(rule)
                if rule.get("self"):
                    perm["UserIdGroupPairs"].append({"GroupId": group_id})
                wanted.append({k: v for k, v in perm.items() if v != []})
            if wanted:
                authorize(GroupId=group_id, IpPermissions=wanted)

    @staticmethod
    def read(group: dict[str, Any]) -> dict[str, Any]:
        gid = group["GroupId"]
        return {
            "ingress": [_perm_to_inline(p, gid) for p in group.get("IpPermissions", [])],
            "egress": [_perm_to_inline(p, gid) for p in group.get("IpPermissionsEgress", [])],
        }


def _group(ec2: Any, group_id: str) -> dict[str, Any] | None:
    try:
        groups = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    except ClientError as exc:
        if code(exc) in ("InvalidGroup.NotFound", "InvalidGroupId.NotFound", "InvalidGroupId.Malformed"):
            return None
        raise
    return groups[0] if groups else None


def _group_outs(conn: Connection, group: dict[str, Any], state: dict[str, Any]) -> Outs:
    gid = group["GroupId"]
    tags = tag_dict(group.get("Tags"))
    owner = group.get("OwnerId", conn.account_id)
    outs: Outs = {
        "name": group["GroupName"],
        "description": group.get("Description", ""),
        "vpcId": group.get("VpcId", ""),
        "ownerId": owner,
        "arn": f"arn:aws:ec2:{conn.region}:{owner}:security-group/{gid}",
        "tags": tags or state.get("tags"),
        "tagsAll": tags,
    }
    rules = GroupRules.read(group)
    for key in ("ingress", "egress"):
        old = state.get(key)
        outs[key] = old if old is not None and _same_rules(old, rules[key]) else rules[key]
    return outs


def _same_rules(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    def canon(rules: list[dict[str, Any]]) -> list[str]:
        keys = (
            "protocol",
            "fromPort",
            "toPort",
            "cidrBlocks",
            "ipv6CidrBlocks",
            "prefixListIds",
            "securityGroups",
            "self",
        )
        out = []
        for r in rules:
            c = {k: r.get(k) or None for k in keys}
            if str(c["protocol"]) in ("-1", "all"):
                c.update(protocol="-1", fromPort=None, toPort=None)
            out.append(json.dumps(c, sort_keys=True))
        return sorted(out)

    return canon(a) == canon(b)


@register("aws:ec2/securityGroup:SecurityGroup")
class SecurityGroup(Handler):
    autoname = "name"
    defaults = {"description": "Managed by Pulumi", "revokeRulesOnDelete": False}
    replace_on = frozenset({"name", "namePrefix", "description", "vpcId"})
    computed = frozenset({"ingress", "egress", "vpcId"})
    outputs = ("arn", "ownerId", "tagsAll")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        ec2 = conn.client("ec2")
        args: dict[str, Any] = {"GroupName": ins["name"], "Description": ins.get("description") or ""}
        if ins.get("vpcId"):
            args["VpcId"] = ins["vpcId"]
        if ins.get("tags"):
            args["TagSpecifications"] = tag_specs("security-group", ins["tags"])
        gid = ec2.create_security_group(**args)["GroupId"]
        # Like pulumi-aws: the allow-all egress rule AWS adds is removed; only configured rules remain.
        GroupRules.reset(
            ec2,
            gid,
            ins,
            keys=("ingress", "egress") if ins.get("vpcId") else ("ingress",),
            force=bool(ins.get("vpcId")),
        )
        group = _group(ec2, gid)
        assert group is not None
        return gid, _group_outs(conn, group, ins)

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        group = _group(conn.client("ec2"), id_)
        return None if group is None else _group_outs(conn, group, state)

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        ec2 = conn.client("ec2")
        rule_keys = tuple(k for k in ("ingress", "egress") if k in changed and k in news)
        if rule_keys:
            GroupRules.reset(ec2, id_, news, keys=rule_keys)
        if "tags" in changed:
            _retag_ec2(ec2, id_, olds.get("tags"), news.get("tags"))
        group = _group(ec2, id_)
        if group is None:
            raise RuntimeError(f"security group {id_} disappeared during the update")
        return _group_outs(conn, group, news)

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        ec2 = conn.client("ec2")
        if state.get("revokeRulesOnDelete"):
            GroupRules.reset(ec2, id_, {}, force=True)
        ec2.delete_security_group(GroupId=id_)


@register("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
class DefaultSecurityGroup(Handler):
    """Adopts the VPC's default group: every rule AWS put there is removed, the configured ones are added."""

    defaults = {"revokeRulesOnDelete": False}
    replace_on = frozenset({"vpcId"})
    computed = frozenset({"vpcId"})
    outputs = ("arn", "description", "name", "namePrefix", "ownerId", "tagsAll")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        ec2 = conn.client("ec2")
        filters = [{"Name": "group-name", "Values": ["default"]}]
        if ins.get("vpcId"):
            filters.append({"Name": "vpc-id", "Values": [ins["vpcId"]]})
        groups = ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
        if not groups:
            raise RuntimeError(f"no default security group found for VPC {ins.get('vpcId')}")
        gid = groups[0]["GroupId"]
        GroupRules.reset(ec2, gid, ins, force=True)
        if ins.get("tags"):
            _retag_ec2(ec2, gid, None, ins["tags"])
        group = _group(ec2, gid)
        assert group is not None
        return gid, _group_outs(conn, group, ins)

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        group = _group(conn.client("ec2"), id_)
        return None if group is None else _group_outs(conn, group, state)

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        ec2 = conn.client("ec2")
        GroupRules.reset(ec2, id_, news, force=True)
        if "tags" in changed:
            _retag_ec2(ec2, id_, olds.get("tags"), news.get("tags"))
        group = _group(ec2, id_)
        if group is None:
            raise RuntimeError(f"security group {id_} disappeared during the update")
        return _group_outs(conn, group, news)

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        # pulumi-aws never deletes a default security group: it only leaves the state.
        if state.get("revokeRulesOnDelete"):
            GroupRules.reset(conn.client("ec2"), id_, {}, force=True)


class SecurityGroupRule(Handler):
    required = ("ipProtocol", "securityGroupId")
    replace_on = frozenset({"securityGroupId"})
    outputs = ("arn", "securityGroupRuleId", "tagsAll")
    egress = False

    def _rule(self, ins: dict[str, Any]) -> dict[str, Any]:
        protocol = str(ins["ipProtocol"])
        rule: dict[str, Any] = {"IpProtocol": "-1" if protocol in ("-1", "all") else protocol}
        if rule["IpProtocol"] != "-1":
            rule["FromPort"] = ins.get("fromPort", -1)
            rule["ToPort"] = ins.get("toPort", -1)
        for key, aws in (
            ("cidrIpv4", "CidrIpv4"),
            ("cidrIpv6", "CidrIpv6"),
            ("prefixListId", "PrefixListId"),
            ("referencedSecurityGroupId", "ReferencedGroupId"),
            ("description", "Description"),
        ):
            if ins.get(key):
                rule[aws] = ins[key]
        return rule

    def _permission(self, ins: dict[str, Any]) -> dict[str, Any]:
        rule = self._rule(ins)
        perm = {k: rule[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in rule}
        desc = {"Description": rule["Description"]} if "Description" in rule else {}
        if "CidrIpv4" in rule:
            perm["IpRanges"] = [{"CidrIp": rule["CidrIpv4"], **desc}]
        if "CidrIpv6" in rule:
            perm["Ipv6Ranges"] = [{"CidrIpv6": rule["CidrIpv6"], **desc}]
        if "PrefixListId" in rule:
            perm["PrefixListIds"] = [{"PrefixListId": rule["PrefixListId"], **desc}]
        if "ReferencedGroupId" in rule:
            perm["UserIdGroupPairs"] = [{"GroupId": rule["ReferencedGroupId"], **desc}]
        return perm

    def check(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        targets = [k for k in ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId") if inputs.get(k)]
        if len(targets) != 1:
            return [
                (
                    "cidrIpv4",
                    "exactly one of cidrIpv4, cidrIpv6, prefixListId, referencedSecurityGroupId "
                    f"must be set (got {targets or 'none'})",
                )
            ]
        return []

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        ec2 = conn.client("ec2")
        args: dict[str, Any] = {"GroupId": ins["securityGroupId"], "IpPermissions": [self._permission(ins)]}
        if ins.get("tags"):
            args["TagSpecifications"] = tag_specs("security-group-rule", ins["tags"])
        op = ec2.authorize_security_group_egress if self.egress else ec2.authorize_security_group_ingress
        rules = op(**args).get("SecurityGroupRules") or []
        if not rules:
            raise RuntimeError("the emulated EC2 returned no security group rule id")
        rule_id = rules[0]["SecurityGroupRuleId"]
        outs = self.read(conn, rule_id, ins)
        assert outs is not None
        return rule_id, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            rules = conn.client("ec2").describe_security_group_rules(SecurityGroupRuleIds=[id_])["SecurityGroupRules"]
        except ClientError as exc:
            if code(exc) in ("InvalidSecurityGroupRuleId.NotFound", "InvalidGroup.NotFound"):
                return None
            raise
        rule = next((r for r in rules if r["SecurityGroupRuleId"] == id_), None)
        if rule is None:
            return None
        group_owner = rule.get("GroupOwnerId", conn.account_id)
        protocol = rule.get("IpProtocol", "-1")
        old_protocol = str(state.get("ipProtocol", ""))
        same_protocol = old_protocol == protocol or (protocol == "-1" and old_protocol in ("-1", "all"))
        outs: Outs = {
            "securityGroupId": rule["GroupId"],
            "securityGroupRuleId": id_,
            "ipProtocol": state.get("ipProtocol") if same_protocol else protocol,
            "arn": f"arn:aws:ec2:{conn.region}:{group_owner}:security-group-rule/{id_}",
            "tagsAll": tag_dict(rule.get("Tags")),
        }
        if protocol != "-1":
            outs["fromPort"], outs["toPort"] = rule.get("FromPort"), rule.get("ToPort")
        for key, aws in (
            ("cidrIpv4", "CidrIpv4"),
            ("cidrIpv6", "CidrIpv6"),
            ("prefixListId", "PrefixListId"),
            ("description", "Description"),
        ):
            if rule.get(aws) or key in state:
                outs[key] = rule.get(aws)
        ref = (rule.get("ReferencedGroupInfo") or {}).get("GroupId")
        if ref or "referencedSecurityGroupId" in state:
            outs["referencedSecurityGroupId"] = ref
        if ref and not rule.get("Description"):
            # moto keeps a group reference's description on the group's permission, not on the rule.
            outs["description"] = _pair_description(conn, rule, ref) or outs.get("description")
        outs["tags"] = outs["tagsAll"] or state.get("tags")
        return outs

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        ec2 = conn.client("ec2")
        ec2.modify_security_group_rules(
            GroupId=news["securityGroupId"],
            SecurityGroupRules=[{"SecurityGroupRuleId": id_, "SecurityGroupRule": self._rule(news)}],
        )
        if "tags" in changed:
            _retag_ec2(ec2, id_, olds.get("tags"), news.get("tags"))
        outs = self.read(conn, id_, news)
        if outs is None:
            raise RuntimeError(f"security group rule {id_} disappeared during the update")
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        ec2 = conn.client("ec2")
        op = ec2.revoke_security_group_egress if self.egress else ec2.revoke_security_group_ingress
        op(GroupId=state["securityGroupId"], SecurityGroupRuleIds=[id_])


def _pair_description(conn: Connection, rule: dict[str, Any], ref: str) -> str | None:
    group = _group(conn.client("ec2"), rule["GroupId"])
    key = "IpPermissionsEgress" if rule.get("IsEgress") else "IpPermissions"
    for perm in (group or {}).get(key, []):
        if perm.get("IpProtocol") != rule.get("IpProtocol") or perm.get("FromPort") != rule.get("FromPort"):
            continue
        for pair in perm.get("UserIdGroupPairs", []):
            if pair.get("GroupId") == ref and pair.get("Description"):
                return str(pair["Description"])
    return None


@register("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
class SecurityGroupIngressRule(SecurityGroupRule):
    egress = False


@register("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
class SecurityGroupEgressRule(SecurityGroupRule):
    egress = True
