"""Would this request to this resource be allowed? SCPs on the caller's path, then RCPs on the resource's path.

How AWS evaluates the two organization policy types, and so how this does:

- SCPs limit principals of the organization's member accounts: a principal outside the organization is not
  subject to them (its own organization's SCPs are not known here). See :func:`simulator.simulate`.
- RCPs limit what any principal, inside or outside the organization, may do to resources in member accounts: the
  RCPs attached to the root, each OU down to the resource's account and the account itself are evaluated; an
  explicit Deny wins, and RCPFullAWSAccess (attached everywhere, never detachable) allows the rest.
- RCPs never apply to resources of the management account, nor to requests by service-linked roles.
- A principal in a member or the management account carries ``aws:PrincipalOrgID`` (the organization's id); one
  outside does not, unless the request context says otherwise. An AWS service principal
  (``cloudtrail.amazonaws.com``) carries ``aws:PrincipalIsAWSService`` and, acting for a resource, the
  ``aws:SourceAccount`` / ``aws:SourceOrgID`` the caller gives in ``context``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from landingzone.policies.simulator import (
    ARN_ACCOUNT_RE,
    SERVICE_LINKED_RE,
    PolicyTree,
    SimulationError,
    Verdict,
    first_allow,
    request_context,
    simulate,
    statement_applies,
)

RCP_TYPE = "RESOURCE_CONTROL_POLICY"


def principal_in_organization(tree: PolicyTree, principal_arn: str, account: str | None) -> bool:
    """Whether the caller belongs to the organization: it names its member account, or its ARN's account is a
    known member or the management account."""
    if account is not None:
        return True
    found = ARN_ACCOUNT_RE.match(principal_arn)
    if found is None:
        return False
    known = {a.account_id for a in tree.accounts if a.account_id} | {tree.management_account_id}
    return found.group(2) in known


def simulate_request(action: str, principal_arn: str, *, tree: PolicyTree, account: str | None = None,
                     ou: str | None = None, resource_account: str | None = None, resource_ou: str | None = None,
                     region: str | None = None, resource: str = "*",
                     context: Mapping[str, Any] | None = None) -> Verdict:
    """The SCP verdict for the caller (when it is in the organization: ``account`` or ``ou``), then the RCP
    verdict for the resource (when ``resource_account`` or ``resource_ou`` is given). The first Deny decides;
    an allow names the last policy that allowed."""
    scp: Verdict | None = None
    if account is not None or ou is not None:
        scp = simulate(action, principal_arn, account, region=region, resource=resource, context=context,
                       tree=tree, ou=ou)
        if not scp.allowed:
            return scp
    if resource_account is None and resource_ou is None:
        if scp is None:
            raise SimulationError("name the caller's account (--account/--ou) or the resource's account "
                                  "(--resource-account/--resource-ou)")
        return scp
    rcp = simulate_rcps(action, principal_arn, tree=tree, resource_account=resource_account,
                        resource_ou=resource_ou, region=region, resource=resource, context=context,
                        principal_inside=principal_in_organization(tree, principal_arn, account or ou))
    if not rcp.allowed or scp is None:
        return rcp
    return Verdict("allowed", scp.policy, scp.statement_sid, f"{scp.reason}; {rcp.reason}", scp.level,
                   {**scp.allowed_by, **{f"RCP {k}": v for k, v in rcp.allowed_by.items()}},
                   policy_type=scp.policy_type)


def simulate_rcps(action: str, principal_arn: str, *, tree: PolicyTree, resource_account: str | None = None,
                  resource_ou: str | None = None, region: str | None = None, resource: str = "*",
                  context: Mapping[str, Any] | None = None, principal_inside: bool = False) -> Verdict:
    """Would the RCPs on the resource's path allow ``action`` by ``principal_arn``?"""
    if resource_account is None and resource_ou is None:
        raise SimulationError("name the resource's account (name or id) or an OU path")
    mgmt = {tree.management_account_id, tree.management_account_name} - {None}
    member_refs = {ref for a in tree.accounts for ref in (a.name, a.account_id) if ref}
    if resource_account is not None and resource_account not in member_refs and resource_account in mgmt:
        return Verdict("allowed", None, None, "RCPs never apply to resources of the management account")
    if SERVICE_LINKED_RE.match(principal_arn):
        return Verdict("allowed", None, None, "RCPs do not affect service-linked roles")
    rcps = tree.resource_policies
    if rcps is None:
        return Verdict("allowed", None, None, "the organization attaches no RCPs (RESOURCE_CONTROL_POLICY is not "
                       "enabled), so only the resource's own policy decides")
    member = rcps.account(resource_account) if resource_account is not None else None
    levels = rcps.levels(member.ou if member is not None else str(resource_ou), member)
    ctx = _resource_context(principal_arn, region, context, tree, member, principal_inside)
    for level, policies in levels:
        for policy in policies:
            for index, statement in enumerate(policy.statements()):
                if statement.get("Effect") == "Deny" and statement_applies(statement, action, resource, ctx):
                    sid = statement.get("Sid") or f"Statement[{index}]"
                    return Verdict("denied", policy.name, sid, f"explicit Deny in RCP {policy.name} ({sid}) attached "
                                   f"to {level} of the resource's account", level, policy_type=RCP_TYPE)
    allowed_by: dict[str, str] = {}
    last: tuple[str, str, str] | None = None
    for level, policies in levels:
        hit = first_allow(policies, action, resource, ctx)
        if hit is None:  # only possible in hand-made trees: RCPFullAWSAccess cannot be detached
            return Verdict("denied", None, None, f"no RCP attached to {level} allows {action}", level, allowed_by,
                           policy_type=RCP_TYPE)
        allowed_by[level] = f"{hit[0]}:{hit[1]}"
        last = (hit[0], hit[1], level)
    assert last is not None
    who = "inside" if ctx.get("aws:PrincipalOrgID") else "outside"
    return Verdict("allowed", last[0], last[1], f"no RCP on the resource's path denies {action} to a principal "
                   f"{who} the organization", last[2], allowed_by, policy_type=RCP_TYPE)


def _resource_context(principal_arn: str, region: str | None, extra: Mapping[str, Any] | None, tree: PolicyTree,
                      member: Any, principal_inside: bool) -> dict[str, Any]:
    base: dict[str, Any] = {}
    if principal_inside and tree.organization_id:
        base["aws:PrincipalOrgID"] = tree.organization_id
    if tree.organization_id:
        base["aws:ResourceOrgID"] = tree.organization_id
    if member is not None and member.account_id:
        base["aws:ResourceAccount"] = member.account_id
    ctx = request_context(principal_arn, region, None)
    ctx.update(base)
    for key, value in (extra or {}).items():
        for existing in [k for k in ctx if k.lower() == key.lower()]:
            del ctx[existing]
        ctx[key] = value
    return ctx
