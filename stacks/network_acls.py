"""Inbound DENY entries for the admin ports in a network ACL, ahead of its allow-all entry (not a stage: stage
baseline adds them to the default network ACL of each default VPC, stage network to the default ACL of each VPC it
creates).

AWS gives every VPC's default network ACL an inbound entry 100 allowing all traffic from 0.0.0.0/0 (and 101 from
::/0 once the VPC has an IPv6 block); entries are evaluated in rule-number order and the first match decides. The
entries here take rule numbers 91-98, below 100, for TCP and UDP 22 (SSH) and 3389 (RDP) from 0.0.0.0/0 and ::/0
(CIS AWS Foundations v3 5.1 / v5 5.2 / v7 6.2). Numbers 1-90 stay free for a narrower allow wanted ahead of them
(a VPN range to port 22, say): stage network puts there, from 1 up, an allow for each admin-port access its
configuration declares in a VPC it creates (edge ingress from its range, role rules from the VPC's range), so the
deny entries never cut what the security groups were told to admit. Each entry is its own
``aws.ec2.NetworkAclRule``: the ACL's other entries are left as they are (``aws.ec2.DefaultNetworkAcl`` would take
over the whole ACL and remove every entry it was not given, including the user's).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from landingzone.config import ADMIN_PORTS
from stacks.base import opts

FIRST_RULE_NUMBER = 91
"""The lowest rule number the deny entries take; they use 91-98 (one per protocol, port and address family)."""
ALLOW_ALL_RULE_NUMBER = 100
"""The rule number of the allow-all entry AWS puts in every default network ACL."""
PROTOCOLS = ("tcp", "udp")
ANY_SOURCE = {"ipv4": "0.0.0.0/0", "ipv6": "::/0"}


@dataclass(frozen=True)
class DenyEntry:
    """One inbound DENY entry: a protocol and port from the whole IPv4 or IPv6 internet."""

    rule_number: int
    protocol: str
    port: int
    family: str

    @property
    def cidr(self) -> str:
        return ANY_SOURCE[self.family]

    @property
    def suffix(self) -> str:
        """The logical-name suffix of the entry's resource (stable: renaming it would replace the entry)."""
        return f"deny-{self.protocol}-{self.port}-{self.family}"


def deny_entries() -> list[DenyEntry]:
    """The entries in rule-number order: IPv4 then IPv6, each TCP 22, UDP 22, TCP 3389, UDP 3389."""
    combos = [(family, port, protocol) for family in ANY_SOURCE for port in ADMIN_PORTS for protocol in PROTOCOLS]
    entries = [DenyEntry(FIRST_RULE_NUMBER + i, protocol, port, family)
               for i, (family, port, protocol) in enumerate(combos)]
    assert entries[-1].rule_number < ALLOW_ALL_RULE_NUMBER
    return entries


def add_deny_entries(name: str, acl_id: Any, provider: aws.Provider, *,
                     region: str | None = None) -> list[aws.ec2.NetworkAclRule]:
    """The inbound DENY entries in the network ACL ``acl_id``, named ``<name>-<suffix>``; ``region`` as the
    per-resource region (None: the provider's). A rule number already used inbound in that ACL makes AWS refuse
    the entry (NetworkAclEntryAlreadyExists), which fails the stack with that error."""
    region_args: dict[str, Any] = {} if region is None else {"region": region}
    return [
        aws.ec2.NetworkAclRule(
            f"{name}-{entry.suffix}",
            network_acl_id=acl_id,
            rule_number=entry.rule_number,
            egress=False,
            protocol=entry.protocol,
            rule_action="deny",
            from_port=entry.port,
            to_port=entry.port,
            cidr_block=entry.cidr if entry.family == "ipv4" else None,
            ipv6_cidr_block=entry.cidr if entry.family == "ipv6" else None,
            opts=opts(provider),
            **region_args,
        )
        for entry in deny_entries()
    ]


def add_allow_entries(name: str, acl_id: Any, provider: aws.Provider,
                      admitted: list[tuple[str, int, str]]) -> list[aws.ec2.NetworkAclRule]:
    """Inbound ALLOW entries ahead of the deny entries, one per (protocol, admin port, source range) in
    ``admitted`` (sorted; rule numbers from 1 up, at most 90 of them), named ``<name>-allow-...``."""
    entries = sorted(set(admitted))
    if len(entries) >= FIRST_RULE_NUMBER:
        raise ValueError(f"{len(entries)} admin-port sources need an allow entry ahead of the deny entries; "
                         f"at most {FIRST_RULE_NUMBER - 1} fit below rule {FIRST_RULE_NUMBER}")
    rules = []
    for number, (protocol, port, cidr) in enumerate(entries, start=1):
        v6 = ipaddress.ip_network(cidr, strict=False).version == 6
        rules.append(aws.ec2.NetworkAclRule(
            f"{name}-allow-{protocol}-{port}-from-{cidr}",
            network_acl_id=acl_id,
            rule_number=number,
            egress=False,
            protocol=protocol,
            rule_action="allow",
            from_port=port,
            to_port=port,
            cidr_block=None if v6 else cidr,
            ipv6_cidr_block=cidr if v6 else None,
            opts=opts(provider),
        ))
    return rules


def default_network_acl_ids(vpc_id: Any, provider: aws.Provider, region: str) -> pulumi.Output[list[str] | None]:
    """The id of the VPC's default network ACL in a one-element list, as aws:ec2/getNetworkAcls answers (None when
    the engine answered nothing, as through a provider that is not configured yet). An output invoke, as
    stacks.baseline's VPC lookup; a failed lookup fails the stack with the provider's error."""
    found = aws.ec2.get_network_acls_output(
        filters=[aws.ec2.GetNetworkAclsFilterArgs(name="vpc-id", values=[vpc_id]),
                 aws.ec2.GetNetworkAclsFilterArgs(name="default", values=["true"])],
        region=region,
        opts=pulumi.InvokeOutputOptions(provider=provider),
    )
    return found.ids
