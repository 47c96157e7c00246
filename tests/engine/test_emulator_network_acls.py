"""The emulated plugin's network ACL entries under the real engine: the default VPC's default ACL found through
aws:ec2/getNetworkAcls in a region other than the provider's (per-resource ``region``), IPv4 and IPv6 entries
created, a no-op preview, a replacement (deleted first: the rule number is the entry's key), an entry deleted by
hand found by a refresh and put back, a rule number already taken refused with AWS's error, and a destroy that
leaves AWS's own entries."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as paws
import pytest
from pulumi import automation as auto

from .emulator_programs import opts, provider

REGION = "us-west-2"


def acl_program(endpoint: str, spec: dict[str, Any]):  # type: ignore[no-untyped-def]
    def program() -> None:
        p = provider("management", endpoint)  # us-east-1: every resource and lookup below names REGION
        vpcs = paws.ec2.get_vpcs_output(filters=[paws.ec2.GetVpcsFilterArgs(name="is-default", values=["true"])],
                                        region=REGION, opts=pulumi.InvokeOutputOptions(provider=p))
        acl_ids = paws.ec2.get_network_acls_output(
            filters=[paws.ec2.GetNetworkAclsFilterArgs(name="vpc-id", values=vpcs.ids.apply(lambda ids: ids[:1])),
                     paws.ec2.GetNetworkAclsFilterArgs(name="default", values=["true"])],
            region=REGION, opts=pulumi.InvokeOutputOptions(provider=p)).ids
        acl = acl_ids.apply(lambda ids: ids[0])
        for name, number, protocol, port, v4, v6, action in spec["entries"]:
            paws.ec2.NetworkAclRule(name, network_acl_id=acl, rule_number=number, egress=False, protocol=protocol,
                                    rule_action=action, from_port=port, to_port=port, cidr_block=v4,
                                    ipv6_cidr_block=v6, region=REGION, opts=opts(p))
        pulumi.export("acl_ids", acl_ids)

    return program


def inbound(ec2: Any, acl_id: str) -> list[tuple[int, str, str, Any, Any]]:
    (acl,) = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]
    return sorted((e["RuleNumber"], e["RuleAction"], e["Protocol"], e.get("CidrBlock") or e.get("Ipv6CidrBlock"),
                   (e.get("PortRange") or {}).get("From")) for e in acl["Entries"] if not e["Egress"])


AWS_OWN = [(100, "allow", "-1", "0.0.0.0/0", None), (32767, "deny", "-1", "0.0.0.0/0", None)]


def test_network_acl_entries_lifecycle(inline_stack: Any, aws: Any) -> None:
    spec: dict[str, Any] = {"entries": [
        ("ssh-v4", 91, "tcp", 22, "0.0.0.0/0", None, "deny"),
        ("rdp-v6", 98, "udp", 3389, None, "::/0", "deny"),
        ("vpn-ssh", 1, "tcp", 22, "203.0.113.0/24", None, "allow"),
    ]}
    stack = inline_stack(acl_program(aws.endpoint, spec), stack="acl")
    (acl_id,) = stack.up().outputs["acl_ids"].value
    ec2 = aws.client("ec2", region=REGION)
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    (default,) = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                                                    {"Name": "default", "Values": ["true"]}])["NetworkAcls"]
    assert default["NetworkAclId"] == acl_id
    assert aws.client("ec2").describe_network_acls(
        Filters=[{"Name": "entry.rule-number", "Values": ["91"]}])["NetworkAcls"] == []  # not in the provider's
    assert inbound(ec2, acl_id) == sorted([(1, "allow", "6", "203.0.113.0/24", 22), (91, "deny", "6", "0.0.0.0/0", 22),
                                           (98, "deny", "17", "::/0", 3389), *AWS_OWN])
    assert stack.preview(diff=True).change_summary == {"same": 5}  # stack, provider, three entries

    # A new port replaces the entry, deleting it first (a second entry 91 would clash).
    spec["entries"][0] = ("ssh-v4", 91, "tcp", 2222, "0.0.0.0/0", None, "deny")
    assert stack.preview().change_summary == {"same": 4, "replace": 1}
    stack.up()
    assert (91, "deny", "6", "0.0.0.0/0", 2222) in inbound(ec2, acl_id)

    # Deleted by hand: a refresh finds it gone, up puts it back.
    ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=98, Egress=False)
    assert stack.refresh().summary.resource_changes.get("delete") == 1
    stack.up()
    assert (98, "deny", "17", "::/0", 3389) in inbound(ec2, acl_id)

    # A rule number the ACL already uses inbound: AWS's refusal, as the orchestrator's hint expects it.
    spec["entries"].append(("taken", 100, "tcp", 3389, "0.0.0.0/0", None, "deny"))
    with pytest.raises(auto.CommandError, match="NetworkAclEntryAlreadyExists"):
        stack.up()
    spec["entries"].pop()

    stack.destroy()
    assert inbound(ec2, acl_id) == AWS_OWN
