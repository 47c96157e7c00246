"""IAM Identity Center types of the emulated aws plugin: sso-admin permission sets, their policies and account
assignments, and Identity Store groups, onto moto (pulumi-aws 7.51.1 camelCase names).

As in AWS, an organization's Identity Center instance belongs to the management account, whoever administers it:
every call goes to the management account (the provider's own credentials, before its assume_roles), after
checking that the caller is the management account or the registered delegated administrator for
sso.amazonaws.com. A delegated administrator may not assign access to the management account (AWS refuses it);
stage management_access does that from the management account. moto lacks permissions boundaries on permission
sets: they are kept in the emulator's state (README).
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError
from resources import Connection, Handler, Outs, code, invoke, policy_text, register

SSO_PRINCIPAL = "sso.amazonaws.com"
ENDPOINT_KEYS = {"sso-admin": "ssoadmin", "identitystore": "identitystore"}
"""boto3 service name -> the provider's endpoint key."""


def _owner(conn: Connection, what: str) -> tuple[Connection, str, str]:
    """(the management account's connection, its id, the caller's id), after checking that the caller may
    administer Identity Center. Cached per provider connection."""
    shared = conn._shared
    with shared["lock"]:
        cached = shared.get("identity_center_owner")
    if cached is None:
        base = conn.without_roles()
        for service, key in ENDPOINT_KEYS.items():
            if conn.endpoints.get(key):
                base.endpoints.setdefault(service, conn.endpoints[key])
        mgmt = base.client("organizations").describe_organization()["Organization"]["MasterAccountId"]
        if base.account_id != mgmt:
            raise RuntimeError(f"the emulator cannot reach the management account {mgmt} for {what}")
        cached = (base, mgmt, conn.account_id)
        with shared["lock"]:
            shared["identity_center_owner"] = cached
    base, mgmt, caller = cached
    if caller != mgmt:
        admins = conn.store.read().get("delegated_administrators", {}).get(mgmt, {})
        if f"{caller}/{SSO_PRINCIPAL}" not in admins:
            raise RuntimeError(f"AccessDeniedException: account {caller} is neither the management account nor the "
                               f"delegated administrator of IAM Identity Center, so it cannot manage {what}")
    return base, mgmt, caller


def _client(conn: Connection, service: str, what: str) -> Any:
    base, _, _ = _owner(conn, what)
    return base.client(service)


def _describe(sso: Any, instance: str, arn: str) -> dict[str, Any] | None:
    try:
        return dict(sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=arn)["PermissionSet"])
    except ClientError as exc:
        if code(exc) in ("ResourceNotFoundException", "ValidationException"):
            return None
        raise


@register("aws:ssoadmin/permissionSet:PermissionSet")
class PermissionSet(Handler):
    required = ("instanceArn", "name")
    replace_on = frozenset({"instanceArn", "name"})
    defaults = {"sessionDuration": "PT1H"}
    outputs = ("arn", "createdDate")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        sso = _client(conn, "sso-admin", f"permission set {ins['name']}")
        args: dict[str, Any] = {"Name": ins["name"], "InstanceArn": ins["instanceArn"],
                                "SessionDuration": ins.get("sessionDuration") or "PT1H"}
        for key, aws_key in (("description", "Description"), ("relayState", "RelayState")):
            if ins.get(key):
                args[aws_key] = ins[key]
        if ins.get("tags"):
            args["Tags"] = [{"Key": k, "Value": v} for k, v in ins["tags"].items()]
        made = sso.create_permission_set(**args)["PermissionSet"]
        arn = made["PermissionSetArn"]
        return f"{arn},{ins['instanceArn']}", {"arn": arn, "createdDate": str(made.get("CreatedDate", ""))}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        arn, instance = id_.split(",", 1)
        got = _describe(_client(conn, "sso-admin", arn), instance, arn)
        if got is None:
            return None
        return {"arn": arn, "instanceArn": instance, "name": got["Name"], "description": got.get("Description"),
                "sessionDuration": got.get("SessionDuration", "PT1H"), "relayState": got.get("RelayState"),
                "createdDate": str(got.get("CreatedDate", "")), "tags": state.get("tags")}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        arn, instance = id_.split(",", 1)
        sso = _client(conn, "sso-admin", arn)
        args: dict[str, Any] = {"InstanceArn": instance, "PermissionSetArn": arn,
                                "SessionDuration": news.get("sessionDuration") or "PT1H"}
        if news.get("description"):
            args["Description"] = news["description"]
        sso.update_permission_set(**args)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        arn, instance = id_.split(",", 1)
        _client(conn, "sso-admin", arn).delete_permission_set(InstanceArn=instance, PermissionSetArn=arn)
        with conn.store.edit() as data:
            data.setdefault("permission_set_boundaries", {}).pop(arn, None)


class _Attachment(Handler):
    """Attachments to a permission set: every input forces a replacement (pulumi-aws has no update)."""

    required = ("instanceArn", "permissionSetArn")

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        return {}


@register("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment")
class ManagedPolicyAttachment(_Attachment):
    required = ("instanceArn", "managedPolicyArn", "permissionSetArn")
    replace_on = frozenset(required)
    outputs = ("managedPolicyName",)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        sso = _client(conn, "sso-admin", ins["permissionSetArn"])
        policy = ins["managedPolicyArn"]
        try:
            sso.attach_managed_policy_to_permission_set(InstanceArn=ins["instanceArn"],
                                                        PermissionSetArn=ins["permissionSetArn"],
                                                        ManagedPolicyArn=policy)
        except ClientError as exc:
            # moto 5.2.5 reads the managed policies' path under the wrong key, so it refuses every policy below a
            # path (job-function/Billing): those are checked against IAM and kept in the emulator's state.
            if code(exc) != "ResourceNotFoundException" or policy.split(":policy/", 1)[-1].count("/") == 0:
                raise
            _owner(conn, policy)[0].client("iam").get_policy(PolicyArn=policy)  # AWS refuses unknown policies
            with conn.store.edit() as data:
                data.setdefault("permission_set_path_policies", {}).setdefault(ins["permissionSetArn"], []).append(
                    policy)
        id_ = f"{policy},{ins['permissionSetArn']},{ins['instanceArn']}"
        return id_, {"managedPolicyName": policy.rsplit("/", 1)[-1]}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        policy, pset, instance = id_.split(",", 2)
        sso = _client(conn, "sso-admin", pset)
        if _describe(sso, instance, pset) is None:
            return None
        attached = sso.list_managed_policies_in_permission_set(InstanceArn=instance, PermissionSetArn=pset)
        kept = conn.store.read().get("permission_set_path_policies", {}).get(pset, [])
        if policy not in kept and not any(p["Arn"] == policy for p in attached["AttachedManagedPolicies"]):
            return None
        return {"instanceArn": instance, "permissionSetArn": pset, "managedPolicyArn": policy,
                "managedPolicyName": policy.rsplit("/", 1)[-1]}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        policy, pset, instance = id_.split(",", 2)
        with conn.store.edit() as data:
            kept = data.setdefault("permission_set_path_policies", {}).get(pset, [])
            if policy in kept:
                kept.remove(policy)
                return
        _client(conn, "sso-admin", pset).detach_managed_policy_from_permission_set(
            InstanceArn=instance, PermissionSetArn=pset, ManagedPolicyArn=policy)


@register("aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment")
class CustomerManagedPolicyAttachment(_Attachment):
    required = ("instanceArn", "permissionSetArn", "customerManagedPolicyReference")
    replace_on = frozenset(required)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        ref = ins["customerManagedPolicyReference"]
        _client(conn, "sso-admin", ins["permissionSetArn"]).attach_customer_managed_policy_reference_to_permission_set(
            InstanceArn=ins["instanceArn"], PermissionSetArn=ins["permissionSetArn"],
            CustomerManagedPolicyReference={"Name": ref["name"], "Path": ref.get("path") or "/"})
        return f"{ref['name']},{ref.get('path') or '/'},{ins['permissionSetArn']},{ins['instanceArn']}", {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        name, path, pset, instance = id_.split(",", 3)
        sso = _client(conn, "sso-admin", pset)
        if _describe(sso, instance, pset) is None:
            return None
        refs = sso.list_customer_managed_policy_references_in_permission_set(
            InstanceArn=instance, PermissionSetArn=pset)["CustomerManagedPolicyReferences"]
        if not any(r["Name"] == name and r.get("Path", "/") == path for r in refs):
            return None
        return {"instanceArn": instance, "permissionSetArn": pset,
                "customerManagedPolicyReference": {"name": name, "path": path}}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        name, path, pset, instance = id_.split(",", 3)
        _client(conn, "sso-admin", pset).detach_customer_managed_policy_reference_from_permission_set(
            InstanceArn=instance, PermissionSetArn=pset, CustomerManagedPolicyReference={"Name": name, "Path": path})


@register("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy")
class PermissionSetInlinePolicy(Handler):
    required = ("inlinePolicy", "instanceArn", "permissionSetArn")
    replace_on = frozenset({"instanceArn", "permissionSetArn"})
    json_keys = frozenset({"inlinePolicy"})

    def _put(self, conn: Connection, ins: dict[str, Any]) -> None:
        _client(conn, "sso-admin", ins["permissionSetArn"]).put_inline_policy_to_permission_set(
            InstanceArn=ins["instanceArn"], PermissionSetArn=ins["permissionSetArn"], InlinePolicy=ins["inlinePolicy"])

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self._put(conn, ins)
        return f"{ins['permissionSetArn']},{ins['instanceArn']}", {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        pset, instance = id_.split(",", 1)
        sso = _client(conn, "sso-admin", pset)
        if _describe(sso, instance, pset) is None:
            return None
        text = sso.get_inline_policy_for_permission_set(InstanceArn=instance, PermissionSetArn=pset).get(
            "InlinePolicy")
        if not text:
            return None
        return {"instanceArn": instance, "permissionSetArn": pset, "inlinePolicy": policy_text(text)}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self._put(conn, news)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        pset, instance = id_.split(",", 1)
        _client(conn, "sso-admin", pset).delete_inline_policy_from_permission_set(
            InstanceArn=instance, PermissionSetArn=pset)


@register("aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment")
class PermissionsBoundaryAttachment(Handler):
    """Kept in the emulator's state: moto has no PutPermissionsBoundaryToPermissionSet."""

    required = ("instanceArn", "permissionSetArn", "permissionsBoundary")
    replace_on = frozenset({"instanceArn", "permissionSetArn"})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        sso = _client(conn, "sso-admin", ins["permissionSetArn"])
        if _describe(sso, ins["instanceArn"], ins["permissionSetArn"]) is None:
            raise RuntimeError(f"ResourceNotFoundException: no permission set {ins['permissionSetArn']}")
        with conn.store.edit() as data:
            data.setdefault("permission_set_boundaries", {})[ins["permissionSetArn"]] = ins["permissionsBoundary"]
        return f"{ins['permissionSetArn']},{ins['instanceArn']}", {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        pset, instance = id_.split(",", 1)
        boundary = conn.store.read().get("permission_set_boundaries", {}).get(pset)
        if boundary is None:
            return None
        return {"instanceArn": instance, "permissionSetArn": pset, "permissionsBoundary": boundary}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        with conn.store.edit() as data:
            data.setdefault("permission_set_boundaries", {})[news["permissionSetArn"]] = news["permissionsBoundary"]
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        with conn.store.edit() as data:
            data.setdefault("permission_set_boundaries", {}).pop(id_.split(",", 1)[0], None)


ASSIGNMENT_KEYS = ("principalId", "principalType", "targetId", "targetType", "permissionSetArn", "instanceArn")


@register("aws:ssoadmin/accountAssignment:AccountAssignment")
class AccountAssignment(Handler):
    required = ("instanceArn", "permissionSetArn", "principalId", "principalType", "targetId")
    defaults = {"targetType": "AWS_ACCOUNT"}
    replace_on = frozenset(ASSIGNMENT_KEYS)

    @staticmethod
    def _args(values: dict[str, Any]) -> dict[str, str]:
        return {"InstanceArn": values["instanceArn"], "PermissionSetArn": values["permissionSetArn"],
                "PrincipalId": values["principalId"], "PrincipalType": values["principalType"],
                "TargetId": values["targetId"], "TargetType": values.get("targetType") or "AWS_ACCOUNT"}

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        what = f"an assignment to account {ins['targetId']}"
        base, mgmt, caller = _owner(conn, what)
        if ins["targetId"] == mgmt and caller != mgmt:
            raise RuntimeError("AccessDeniedException: a delegated administrator cannot assign access to the "
                               "management account")
        _client(conn, "sso-admin", what).create_account_assignment(**self._args(ins))
        values = {**ins, "targetType": ins.get("targetType") or "AWS_ACCOUNT"}
        return ",".join(values[k] for k in ASSIGNMENT_KEYS), {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        values = dict(zip(ASSIGNMENT_KEYS, id_.split(",", 5), strict=True))
        sso = _client(conn, "sso-admin", f"an assignment to account {values['targetId']}")
        found = sso.list_account_assignments(InstanceArn=values["instanceArn"], AccountId=values["targetId"],
                                             PermissionSetArn=values["permissionSetArn"])["AccountAssignments"]
        if not any(a["PrincipalId"] == values["principalId"] and a["PrincipalType"] == values["principalType"]
                   for a in found):
            return None
        return values

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        values = dict(zip(ASSIGNMENT_KEYS, id_.split(",", 5), strict=True))
        _client(conn, "sso-admin", id_).delete_account_assignment(**self._args(values))


def _group_outs(group: dict[str, Any], store_id: str) -> Outs:
    return {"groupId": group["GroupId"], "displayName": group.get("DisplayName"),
            "description": group.get("Description"), "identityStoreId": store_id,
            "externalIds": group.get("ExternalIds") or [], "id": group["GroupId"]}


def _group_by_name(store: Any, store_id: str, name: str) -> dict[str, Any] | None:
    try:
        group_id = store.get_group_id(IdentityStoreId=store_id, AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": name}})["GroupId"]
    except ClientError as exc:
        if code(exc) == "ResourceNotFoundException":
            return None
        raise
    return dict(store.describe_group(IdentityStoreId=store_id, GroupId=group_id))


@register("aws:identitystore/group:Group")
class Group(Handler):
    required = ("displayName", "identityStoreId")
    # (moto has no UpdateGroup: a changed name or description replaces the group)
    replace_on = frozenset({"displayName", "description", "identityStoreId"})
    outputs = ("groupId", "externalIds")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        store = _client(conn, "identitystore", f"group {ins['displayName']}")
        store_id = ins["identityStoreId"]
        args = {"IdentityStoreId": store_id, "DisplayName": ins["displayName"]}
        if ins.get("description"):
            args["Description"] = ins["description"]
        group_id = store.create_group(**args)["GroupId"]
        return f"{store_id}/{group_id}", {"groupId": group_id, "externalIds": []}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        store_id, group_id = id_.split("/", 1)
        store = _client(conn, "identitystore", f"group {group_id}")
        try:
            group = store.describe_group(IdentityStoreId=store_id, GroupId=group_id)
        except ClientError as exc:
            if code(exc) == "ResourceNotFoundException":
                return None
            raise
        outs = _group_outs(group, store_id)
        outs.pop("id")
        return outs

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        store_id, group_id = id_.split("/", 1)
        _client(conn, "identitystore", f"group {group_id}").delete_group(IdentityStoreId=store_id, GroupId=group_id)


@invoke("aws:identitystore/getGroup:getGroup")
def get_group(conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
    """By alternateIdentifier.uniqueAttribute (DisplayName) or by groupId, as pulumi-aws reads it."""
    store = _client(conn, "identitystore", "a group lookup")
    store_id = args["identityStoreId"]
    unique = (args.get("alternateIdentifier") or {}).get("uniqueAttribute") or {}
    if unique:
        if unique.get("attributePath", "").lower() != "displayname":
            raise RuntimeError(f"the emulator looks groups up by DisplayName only, not {unique.get('attributePath')}")
        group = _group_by_name(store, store_id, unique["attributeValue"])
    else:
        group = dict(store.describe_group(IdentityStoreId=store_id, GroupId=args["groupId"]))
    if group is None:
        raise RuntimeError(f"no group named {unique.get('attributeValue')!r} in identity store {store_id}; an "
                           "external group must be provisioned by the identity provider (SCIM) first")
    return _group_outs(group, store_id)


def boundaries(state_path: str) -> dict[str, Any]:
    """The permissions boundaries kept in the emulator's state file, by permission set ARN (for tests)."""
    with open(state_path) as fh:
        found: dict[str, Any] = json.load(fh).get("permission_set_boundaries", {})
    return found
