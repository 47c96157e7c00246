"""Per-account reads: the access role, /org-admin/ roles, the root user's summary, security groups, VPCs, network
ACLs, buckets and the query layer; and the management account's workloads and IAM users."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.exceptions import ClientError

from landingzone.discovery.model import (
    WORKLOAD_RESOURCE_TYPES,
    AccountView,
    Discovery,
    DiscoveryOptions,
    GlueTableInfo,
    NetworkAclEntry,
    NetworkAclInfo,
    NotVisible,
    RoleInfo,
    RootUserInfo,
    SecurityGroupInfo,
    SecurityGroupRule,
    VpcInfo,
    WorkgroupInfo,
)
from landingzone.discovery.reader import TRANSIENT_ERRORS, Reader, classify, discovery_error, error_code
from landingzone.discovery.settings import read_account_settings
from landingzone.discovery_identity import read_iam_users


def member_credentials(sts: Any, account_id: str, caller: str, options: DiscoveryOptions,
                       sink: list[NotVisible], lock: threading.Lock) -> dict[str, str] | None:
    """{} for the caller's own account; access-role credentials for a member; None when they cannot be had
    (refused, or failing after the retries: recorded)."""
    if account_id == caller:
        return {}
    role_arn = f"arn:aws:iam::{account_id}:role/{options.access_role_name}"
    try:
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="landingzone-audit")["Credentials"]
    except ClientError as exc:
        reason = classify(exc)
        if reason is None:
            raise discovery_error(exc, "sts", "assume_role", account_id, None) from exc
        with lock:
            sink.append(NotVisible("sts", "assume_role", error_code(exc), f"cannot assume {role_arn}", account_id,
                                   None, reason))
        return None
    except TRANSIENT_ERRORS as exc:
        with lock:
            sink.append(NotVisible("sts", "assume_role", type(exc).__name__, f"cannot assume {role_arn}: {exc}",
                                   account_id, None, "failed"))
        return None
    return {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}


def read_account(session: boto3.Session, sts: Any, account_id: str, caller: str, options: DiscoveryOptions,
                 sink: list[NotVisible], lock: threading.Lock) -> AccountView:
    view = AccountView(account_id)
    creds = member_credentials(sts, account_id, caller, options, sink, lock)
    if creds is None:
        view.visible = False
        view.roles_visible = False
        return view
    r = Reader(session, account_id, options, sink, lock, creds)
    roles = r.pages("iam", "list_roles", "Roles", PathPrefix=options.org_admin_path)
    if roles is None:
        view.roles_visible = False
    else:
        view.org_admin_roles = [RoleInfo(account_id, role["RoleName"], role.get("Path", "/"), role["Arn"])
                                for role in roles]
    summary = r.call("iam", "get_account_summary")
    if summary is not None:
        values = summary.get("SummaryMap", {})
        view.root_user = RootUserInfo(mfa_enabled=bool(values.get("AccountMFAEnabled")),
                                      access_keys_present=bool(values.get("AccountAccessKeysPresent")))
    for region in options.regions:
        groups = r.pages("ec2", "describe_security_groups", "SecurityGroups", region)
        vpcs = r.pages("ec2", "describe_vpcs", "Vpcs", region)
        acls = r.pages("ec2", "describe_network_acls", "NetworkAcls", region)
        if acls is not None:
            view.network_acls.extend(network_acl(account_id, region, a) for a in acls)
        if groups is None or vpcs is None:
            continue
        view.network_visible_regions.append(region)
        view.security_groups.extend(security_group(account_id, region, g) for g in groups)
        view.vpcs.extend(VpcInfo(account_id, region, v["VpcId"], tuple(
            [v["CidrBlock"]] + [a["CidrBlock"] for a in v.get("CidrBlockAssociationSet", [])
                                if a.get("CidrBlock") and a["CidrBlock"] != v["CidrBlock"]] +
            [a["Ipv6CidrBlock"] for a in v.get("Ipv6CidrBlockAssociationSet", []) if a.get("Ipv6CidrBlock")]))
            for v in vpcs)
    view.bucket_names = [b["Name"] for b in r.pages("s3", "list_buckets", "Buckets") or []]
    home = options.home_region
    for db in r.pages("glue", "get_databases", "DatabaseList", home) or []:
        for table in r.pages("glue", "get_tables", "TableList", home, DatabaseName=db["Name"]) or []:
            location = table.get("StorageDescriptor", {}).get("Location", "")
            view.glue_tables.append(GlueTableInfo(account_id, home, db["Name"], table["Name"], location))
    for wg in r.pages("athena", "list_work_groups", "WorkGroups", home) or []:
        view.workgroups.append(WorkgroupInfo(account_id, home, wg["Name"], wg.get("State", "")))
    view.iam_users = read_iam_users(r, r.unusable, account_id)
    read_account_settings(r, view, options)
    return view


def security_group(account_id: str, region: str, group: Mapping[str, Any]) -> SecurityGroupInfo:
    rules: list[SecurityGroupRule] = []
    for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
        for perm in group.get(key, []):
            base = {"direction": direction, "protocol": str(perm.get("IpProtocol", "-1")),
                    "from_port": perm.get("FromPort"), "to_port": perm.get("ToPort")}
            rules.extend(SecurityGroupRule(**base, cidr_ipv4=ip["CidrIp"]) for ip in perm.get("IpRanges", []))
            rules.extend(SecurityGroupRule(**base, cidr_ipv6=ip["CidrIpv6"]) for ip in perm.get("Ipv6Ranges", []))
            rules.extend(SecurityGroupRule(**base, referenced_group_id=p.get("GroupId"))
                         for p in perm.get("UserIdGroupPairs", []))
            rules.extend(SecurityGroupRule(**base, prefix_list_id=p.get("PrefixListId"))
                         for p in perm.get("PrefixListIds", []))
    return SecurityGroupInfo(account_id, region, group["GroupId"], group.get("GroupName", ""), group.get("VpcId"),
                             tuple(rules))


def network_acl(account_id: str, region: str, acl: Mapping[str, Any]) -> NetworkAclInfo:
    entries = []
    for e in acl.get("Entries", []):
        ports = e.get("PortRange") or {}
        entries.append(NetworkAclEntry(
            rule_number=int(e.get("RuleNumber", 32767)), protocol=str(e.get("Protocol", "-1")),
            allow=e.get("RuleAction") == "allow", egress=bool(e.get("Egress")),
            cidr_ipv4=e.get("CidrBlock"), cidr_ipv6=e.get("Ipv6CidrBlock"),
            from_port=ports.get("From"), to_port=ports.get("To")))
    return NetworkAclInfo(account_id, region, acl["NetworkAclId"], acl.get("VpcId"), bool(acl.get("IsDefault")),
                          tuple(entries))


def read_management(r: Reader, found: Discovery) -> None:
    view = found.management
    users = r.pages("iam", "list_users", "Users")
    if users is None:
        view.iam_users_visible = False
    else:
        view.iam_users = [u["UserName"] for u in users]
    counts = dict.fromkeys(WORKLOAD_RESOURCE_TYPES, 0)

    def add(kind: str, items: list[Any] | None, size: int | None = None) -> None:
        if items is None:
            view.workloads_visible = False
        else:
            counts[kind] += len(items) if size is None else size

    for region in r.options.regions:
        reservations = r.pages("ec2", "describe_instances", "Reservations", region, Filters=[
            {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}])
        add("ec2", reservations, sum(len(res.get("Instances", [])) for res in reservations or []))
        add("lambda", r.pages("lambda", "list_functions", "Functions", region))
        add("rds", r.pages("rds", "describe_db_instances", "DBInstances", region))
        add("ecs", r.pages("ecs", "list_clusters", "clusterArns", region))
        add("eks", r.pages("eks", "list_clusters", "clusters", region))
        add("dynamodb", r.pages("dynamodb", "list_tables", "TableNames", region))
        add("apigateway", r.pages("apigateway", "get_rest_apis", "items", region))
        add("apigateway", r.pages("apigatewayv2", "get_apis", "Items", region))
        add("elb", r.pages("elbv2", "describe_load_balancers", "LoadBalancers", region))
        add("elb", r.pages("elb", "describe_load_balancers", "LoadBalancerDescriptions", region))
    # Buckets are listed once for the account (list_buckets is global); the landing zone's own state bucket, if
    # the configuration names one in this account, is the caller's business to exempt (AuditSettings).
    buckets = r.pages("s3", "list_buckets", "Buckets")
    view.bucket_names = [b["Name"] for b in buckets or []]
    add("s3", buckets)
    view.workloads = counts
