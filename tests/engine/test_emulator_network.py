"""The emulated plugin under the real engine, in a workload account: VPC, role-based security groups that
reference each other, the default security group stripped, IAM roles under /org-admin/; an invoke; a refresh
that sees a rule revoked by hand.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as paws
import pytest
from botocore.exceptions import ClientError

from .emulator_programs import access_role, opts, provider


def account_program(endpoint: str):  # type: ignore[no-untyped-def]
    def program() -> None:
        mgmt = provider("management", endpoint)
        org = paws.organizations.Organization("org", feature_set="ALL", opts=opts(mgmt))
        prod = paws.organizations.Account(
            "prod", name="Prod", email="prod@example.com", parent_id=org.roots[0].id, opts=opts(mgmt)
        )
        pulumi.export("prod", prod.id)

    return program


def trust(account: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def network_program(endpoint: str, account: str, spec: dict[str, Any]):  # type: ignore[no-untyped-def]
    def program() -> None:
        p = provider("prod", endpoint, role_arn=access_role(account))  # type: ignore[arg-type]
        identity = paws.get_caller_identity(opts=pulumi.InvokeOptions(provider=p))
        vpc = paws.ec2.Vpc(
            "workloads",
            cidr_block="10.20.0.0/16",
            enable_dns_support=True,
            enable_dns_hostnames=True,
            opts=opts(p),
        )
        paws.ec2.DefaultSecurityGroup("default", vpc_id=vpc.id, opts=opts(p))
        groups = {}
        for role, description in (
            ("web", "web tier"),
            ("app", "app tier"),
            ("edge", spec["edge_description"]),
        ):
            groups[role] = paws.ec2.SecurityGroup(
                role,
                name=role,
                description=description,
                vpc_id=vpc.id,
                revoke_rules_on_delete=True,
                tags={"landingzone:role": role},
                opts=opts(p),
            )
        paws.vpc.SecurityGroupIngressRule(
            "app-from-web",
            security_group_id=groups["app"].id,
            referenced_security_group_id=groups["web"].id,
            ip_protocol="tcp",
            from_port=spec["app_port"],
            to_port=spec["app_port"],
            description="web to app",
            opts=opts(p),
        )
        paws.vpc.SecurityGroupEgressRule(
            "web-to-app",
            security_group_id=groups["web"].id,
            referenced_security_group_id=groups["app"].id,
            ip_protocol="tcp",
            from_port=spec["app_port"],
            to_port=spec["app_port"],
            description="web to app",
            opts=opts(p),
        )
        paws.vpc.SecurityGroupIngressRule(
            "edge-https",
            security_group_id=groups["edge"].id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="https from anywhere",
            opts=opts(p),
        )
        admin = paws.iam.Role(
            "admin",
            name="LandingZoneAdministrator",
            path="/org-admin/",
            description=spec["role_description"],
            assume_role_policy=trust(identity.account_id),
            max_session_duration=3600,
            opts=opts(p),
        )
        paws.iam.RolePolicyAttachment(
            "admin-readonly",
            role=admin.name,
            policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess",
            opts=opts(p),
        )
        paws.iam.RolePolicy(
            "admin-inline",
            role=admin.name,
            name="deny-billing",
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Deny", "Action": spec["denied"], "Resource": "*"}],
                }
            ),
            opts=opts(p),
        )
        pulumi.export("account_id", identity.account_id)
        pulumi.export("vpc_id", vpc.id)
        pulumi.export("security_group_ids", {role: g.id for role, g in groups.items()})
        pulumi.export("admin_role_arn", admin.arn)

    return program


def rules_of(ec2: Any, group_id: str) -> list[dict[str, Any]]:
    return [
        r
        for r in ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])[
            "SecurityGroupRules"
        ]
    ]


def test_network_and_iam_in_a_workload_account(inline_stack: Any, aws: Any) -> None:
    prod = inline_stack(account_program(aws.endpoint), stack="organization").up().outputs["prod"].value
    spec: dict[str, Any] = {
        "edge_description": "edge",
        "app_port": 8080,
        "role_description": "administrators",
        "denied": "aws-portal:*",
    }
    stack = inline_stack(network_program(aws.endpoint, prod, spec), stack="network")
    assert stack.preview().change_summary == {"create": 13}  # stack + provider + 11 resources
    out = {k: v.value for k, v in stack.up().outputs.items()}
    assert out["account_id"] == prod  # the invoke ran with the assumed role

    ec2 = aws.client("ec2", account=prod)
    iam = aws.client("iam", account=prod)
    groups = out["security_group_ids"]
    vpc = ec2.describe_vpcs(VpcIds=[out["vpc_id"]])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.20.0.0/16" and vpc["OwnerId"] == prod
    assert ec2.describe_vpc_attribute(VpcId=out["vpc_id"], Attribute="enableDnsHostnames")["EnableDnsHostnames"][
        "Value"
    ]
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [out["vpc_id"]]}, {"Name": "group-name", "Values": ["default"]}]
    )
    default_group = default["SecurityGroups"][0]
    assert default_group["IpPermissions"] == [] and default_group["IpPermissionsEgress"] == []
    app_rules = rules_of(ec2, groups["app"])
    assert [(r["IsEgress"], r["FromPort"], r["ReferencedGroupInfo"]["GroupId"]) for r in app_rules] == [
        (False, 8080, groups["web"])
    ]
    web_rules = rules_of(ec2, groups["web"])  # the allow-all egress AWS adds is gone
    assert [(r["IsEgress"], r["ReferencedGroupInfo"]["GroupId"]) for r in web_rules] == [(True, groups["app"])]
    edge = ec2.describe_security_groups(GroupIds=[groups["edge"]])["SecurityGroups"][0]
    assert {"Key": "landingzone:role", "Value": "edge"} in edge["Tags"]
    role = iam.get_role(RoleName="LandingZoneAdministrator")["Role"]
    assert role["Path"] == "/org-admin/" and role["Arn"] == out["admin_role_arn"]
    assert [
        p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="LandingZoneAdministrator")["AttachedPolicies"]
    ] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    noop = stack.preview(diff=True)
    assert noop.change_summary == {"same": 13}, noop.stdout

    # Update in place: rule ports (same rule ids), role description, inline policy. Replace: the edge group's
    # description (and with it its rule); its explicit name makes the engine delete it first, as pulumi-aws.
    app_rule_id = app_rules[0]["SecurityGroupRuleId"]
    spec.update(app_port=8443, role_description="org administrators", denied="account:*", edge_description="edge tier")
    preview = stack.preview()
    assert preview.change_summary == {"same": 7, "update": 4, "replace": 2}, preview.stdout
    out2 = {k: v.value for k, v in stack.up().outputs.items()}
    assert [(r["SecurityGroupRuleId"], r["FromPort"]) for r in rules_of(ec2, groups["app"])] == [(app_rule_id, 8443)]
    assert out2["security_group_ids"]["edge"] != groups["edge"]
    with pytest.raises(ClientError):
        ec2.describe_security_groups(GroupIds=[groups["edge"]])
    assert [r["CidrIpv4"] for r in rules_of(ec2, out2["security_group_ids"]["edge"])] == ["0.0.0.0/0"]
    assert iam.get_role(RoleName="LandingZoneAdministrator")["Role"]["Description"] == "org administrators"
    inline = iam.get_role_policy(RoleName="LandingZoneAdministrator", PolicyName="deny-billing")["PolicyDocument"]
    assert (inline if isinstance(inline, dict) else json.loads(inline))["Statement"][0]["Action"] == "account:*"
    noop = stack.preview(diff=True)
    assert noop.change_summary == {"same": 13}, noop.stdout

    # Out of band: the role-to-role rule revoked by hand. Refresh drops it from the state; up recreates it.
    ec2.revoke_security_group_ingress(GroupId=groups["app"], SecurityGroupRuleIds=[app_rule_id])
    refresh = stack.refresh()
    assert refresh.summary.resource_changes.get("delete") == 1, refresh.stdout
    stack.up()
    restored = rules_of(ec2, groups["app"])
    assert [(r["FromPort"], r["ReferencedGroupInfo"]["GroupId"]) for r in restored] == [(8443, groups["web"])]
    assert restored[0]["SecurityGroupRuleId"] != app_rule_id

    stack.destroy()
    with pytest.raises(ClientError):
        ec2.describe_vpcs(VpcIds=[out["vpc_id"]])
    with pytest.raises(ClientError):
        iam.get_role(RoleName="LandingZoneAdministrator")
