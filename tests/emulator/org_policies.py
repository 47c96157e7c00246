"""Organizations policy types moto refuses, kept in the emulator's own state (tests only).

moto 5.2 accepts SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY and
AISERVICES_OPT_OUT_POLICY, but answers InvalidInputException to EnablePolicyType and CreatePolicy for
DECLARATIVE_POLICY_EC2 and S3_POLICY. For those two types the emulator keeps, in the state file:

- ``org_policy_types``: the types enabled on the root, with AWS's checks (the organization must exist; enabling
  twice is PolicyTypeAlreadyEnabledException; disabling needs no attachments left);
- ``org_policies``: id -> {name, description, type, content, tags}, ids ``p-`` + 8 characters as AWS forms them,
  content that must be a JSON object (MalformedPolicyDocumentException otherwise), a unique name per type
  (DuplicatePolicyException);
- ``org_policy_attachments``: "target:policy" -> {policyId, targetId}: attaching needs the type enabled
  (PolicyTypeNotEnabledException) and a target that exists in moto's organization (TargetNotFoundException);
  deleting an attached policy is PolicyInUseException.

Trusted access for the principals moto does not recognise (ec2.amazonaws.com, which declarative policies' account
status report needs) is kept with the others in ``trusted_access`` (resources.py, STORED_TRUSTED_PRINCIPALS).
"""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

STATE_TYPES = frozenset({"DECLARATIVE_POLICY_EC2", "S3_POLICY"})


def enabled_types(store: Any) -> list[str]:
    return sorted(store.read().get("org_policy_types", []))


def enable_type(store: Any, policy_type: str) -> None:
    with store.edit() as data:
        types = data.setdefault("org_policy_types", [])
        if policy_type in types:
            raise RuntimeError(f"PolicyTypeAlreadyEnabledException: {policy_type} is already enabled")
        types.append(policy_type)


def disable_type(store: Any, policy_type: str) -> None:
    with store.edit() as data:
        policies = data.get("org_policies", {})
        attached = [a for a in data.get("org_policy_attachments", {}).values()
                    if policies.get(a["policyId"], {}).get("type") == policy_type]
        if attached:
            raise RuntimeError(f"PolicyTypeNotAvailableForOrganizationException: {policy_type} still has "
                               f"{len(attached)} attachment(s)")
        data["org_policy_types"] = [t for t in data.get("org_policy_types", []) if t != policy_type]


def create_policy(store: Any, management_account: str, organization_id: str, ins: dict[str, Any]
                  ) -> tuple[str, dict[str, Any]]:
    try:
        parsed = json.loads(ins["content"])
    except (TypeError, json.JSONDecodeError):
        parsed = None
    if not isinstance(parsed, dict):
        raise RuntimeError("MalformedPolicyDocumentException: the policy content is not a JSON object")
    policy_id = "p-" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))
    with store.edit() as data:
        policies = data.setdefault("org_policies", {})
        if any(p["name"] == ins["name"] and p["type"] == ins["type"] for p in policies.values()):
            raise RuntimeError(f"DuplicatePolicyException: a {ins['type']} named {ins['name']!r} exists")
        policies[policy_id] = {"name": ins["name"], "description": ins.get("description") or "",
                               "type": ins["type"], "content": ins["content"], "tags": ins.get("tags") or {}}
    arn = (f"arn:aws:organizations::{management_account}:policy/{organization_id}/"
           f"{ins['type'].lower()}/{policy_id}")
    return policy_id, {"arn": arn}


def is_state_policy(store: Any, policy_id: str) -> bool:
    return policy_id in store.read().get("org_policies", {})


def read_policy(store: Any, policy_id: str) -> dict[str, Any] | None:
    found = store.read().get("org_policies", {}).get(policy_id)
    return dict(found) if found is not None else None


def update_policy(store: Any, policy_id: str, news: dict[str, Any]) -> None:
    with store.edit() as data:
        record = data.get("org_policies", {}).get(policy_id)
        if record is None:
            raise RuntimeError(f"PolicyNotFoundException: {policy_id}")
        record.update(name=news["name"], description=news.get("description") or "", content=news["content"],
                      tags=news.get("tags") or {})


def delete_policy(store: Any, policy_id: str) -> None:
    with store.edit() as data:
        if any(a["policyId"] == policy_id for a in data.get("org_policy_attachments", {}).values()):
            raise RuntimeError(f"PolicyInUseException: {policy_id} is still attached")
        data.get("org_policies", {}).pop(policy_id, None)


def attach(store: Any, policy_id: str, target_id: str, target_exists: bool) -> str:
    key = f"{target_id}:{policy_id}"
    with store.edit() as data:
        policy = data.get("org_policies", {}).get(policy_id)
        if policy is None:
            raise RuntimeError(f"PolicyNotFoundException: {policy_id}")
        if policy["type"] not in data.get("org_policy_types", []):
            raise RuntimeError(f"PolicyTypeNotEnabledException: enable {policy['type']} on the root first")
        if not target_exists:
            raise RuntimeError(f"TargetNotFoundException: {target_id}")
        attachments = data.setdefault("org_policy_attachments", {})
        if key in attachments:
            raise RuntimeError(f"DuplicatePolicyAttachmentException: {policy_id} is already attached to {target_id}")
        attachments[key] = {"policyId": policy_id, "targetId": target_id}
    return key


def attachment(store: Any, key: str) -> dict[str, Any] | None:
    found = store.read().get("org_policy_attachments", {}).get(key)
    return dict(found) if found is not None else None


def detach(store: Any, key: str) -> None:
    with store.edit() as data:
        data.get("org_policy_attachments", {}).pop(key, None)

