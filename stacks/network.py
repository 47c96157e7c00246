"""Stage 5, network (one stack per workload account with network settings): role-based security groups.

One security group per workload role, with no inline rules. Every role-to-role rule is a pair of standalone rules
that reference the other role's group (ingress on the target, egress on the source), never an IP range; CIDRs
appear only on the declared edge ingress. The VPC's default security group is stripped of every rule. The default
network ACL of a VPC the stage creates gets inbound DENY entries for SSH and RDP from the whole internet
(``baseline.deny_admin_ports_in_default_network_acls``, stacks/network_acls.py), after an allow for each declared
admin-port access (edge ingress from its range, role rules from the VPC's range); an existing VPC's ACLs are left
as they are.

Outputs: vpc_id, security_group_ids {role: id}.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from landingzone.config import ADMIN_PORTS, LandingZoneConfig, NetworkConfig, RoleRule
from landingzone.errors import StageError
from stacks.base import UNKNOWN, Providers, StageContext, opts
from stacks.network_acls import add_allow_entries, add_deny_entries


def network_accounts(cfg: LandingZoneConfig) -> list[str]:
    """The accounts this stage has a stack for: those with network settings."""
    return [net.account for net in cfg.network]


def fingerprint_inputs(ctx: StageContext) -> dict[str, Any]:
    """What one network stack's program reads: its account's network settings and id, the name its tags carry and
    the provider settings (``up --changed-only`` skips the stack while this is unchanged)."""
    cfg = ctx.config
    org = ctx.upstream.get("organization", UNKNOWN)
    ids = org.get("account_ids", {}) if isinstance(org, Mapping) else {}
    account = cfg.account(ctx.account) if ctx.account in {a.name for a in cfg.accounts} else None
    return {
        "network": _network_of(ctx).model_dump(mode="json"),
        "account": account.model_dump(mode="json") if account is not None else ctx.account,
        "account_id": repr(ids.get(ctx.account)) if isinstance(ids, Mapping) else repr(ids),
        "name": cfg.name, "home_region": cfg.home_region, "access_role_name": cfg.access_role_name,
        "aws": cfg.aws.model_dump(mode="json"),
        "deny_admin_ports_in_default_network_acls": cfg.baseline.deny_admin_ports_in_default_network_acls,
    }


def _ports(rule: RoleRule) -> str:
    last = rule.to_port if rule.to_port is not None else rule.port
    return f"{rule.port}" if last == rule.port else f"{rule.port}-{last}"


def admin_port_sources(net: NetworkConfig, vpc_cidr: str) -> list[tuple[str, int, str]]:
    """(protocol, admin port, source range) of every admin-port access the configuration declares: each edge
    ingress to 22 or 3389 from its range, each role rule whose ports include them from the VPC's own range."""
    sources = {(edge.protocol.value, edge.port, edge.cidr) for edge in net.edge_ingress if edge.port in ADMIN_PORTS}
    for rule in net.rules:
        last = rule.to_port if rule.to_port is not None else rule.port
        sources |= {(rule.protocol.value, port, vpc_cidr) for port in ADMIN_PORTS if rule.port <= port <= last}
    return sorted(sources)


def _network_of(ctx: StageContext) -> NetworkConfig:
    for net in ctx.config.network:
        if net.account == ctx.account:
            return net
    raise StageError("network", f"account {ctx.account!r} has no network settings in the configuration")


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    net = _network_of(ctx)
    provider = Providers(ctx).account(net.account)

    vpc_id: pulumi.Output[str]
    if net.vpc_cidr is not None:
        vpc = aws.ec2.Vpc(
            "vpc",
            cidr_block=net.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": f"{cfg.name}-{net.account}"},
            opts=opts(provider),
        )
        vpc_id = vpc.id
        if cfg.baseline.deny_admin_ports_in_default_network_acls:
            # The VPC's default ACL admits everything, as the default VPC's does (stage baseline covers those);
            # an existing VPC (vpc_id) keeps its ACLs as they are: it may be a default VPC the baseline covers.
            # What the configuration admits to an admin port is allowed ahead of the deny entries.
            try:
                add_allow_entries("default-nacl", vpc.default_network_acl_id, provider,
                                  admin_port_sources(net, net.vpc_cidr))
            except ValueError as exc:
                raise StageError("network", f"account {net.account}: {exc}; declare fewer admin-port sources or set "
                                 "baseline.deny_admin_ports_in_default_network_acls: false") from exc
            add_deny_entries("default-nacl", vpc.default_network_acl_id, provider)
    else:
        assert net.vpc_id is not None  # the configuration requires exactly one of the two
        vpc_id = pulumi.Output.from_input(net.vpc_id)

    # No ingress and no egress arguments: the provider removes every rule of the default group.
    aws.ec2.DefaultSecurityGroup("default-security-group", vpc_id=vpc_id, opts=opts(provider))

    groups: dict[str, aws.ec2.SecurityGroup] = {}
    for role in net.roles:
        groups[role.name] = aws.ec2.SecurityGroup(
            f"sg-{role.name}",
            name=f"{cfg.name}-{role.name}",
            description=role.description or f"Workload role {role.name}",
            vpc_id=vpc_id,
            revoke_rules_on_delete=True,
            tags={"Name": f"{cfg.name}-{role.name}", "landingzone:role": role.name},
            opts=opts(provider),
        )

    for rule in net.rules:
        ports = _ports(rule)
        to_port = rule.to_port if rule.to_port is not None else rule.port
        label = f"{rule.source}-to-{rule.target}-{rule.protocol.value}-{ports}"
        aws.vpc.SecurityGroupIngressRule(
            f"{label}-ingress",
            security_group_id=groups[rule.target].id,
            referenced_security_group_id=groups[rule.source].id,
            ip_protocol=rule.protocol.value,
            from_port=rule.port,
            to_port=to_port,
            description=f"{rule.protocol.value}/{ports} from role {rule.source}",
            opts=opts(provider),
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{label}-egress",
            security_group_id=groups[rule.source].id,
            referenced_security_group_id=groups[rule.target].id,
            ip_protocol=rule.protocol.value,
            from_port=rule.port,
            to_port=to_port,
            description=f"{rule.protocol.value}/{ports} to role {rule.target}",
            opts=opts(provider),
        )

    for edge in net.edge_ingress:
        v6 = ipaddress.ip_network(edge.cidr).version == 6
        aws.vpc.SecurityGroupIngressRule(
            f"edge-{edge.role}-{edge.protocol.value}-{edge.port}-from-{edge.cidr}",
            security_group_id=groups[edge.role].id,
            cidr_ipv4=None if v6 else edge.cidr,
            cidr_ipv6=edge.cidr if v6 else None,
            ip_protocol=edge.protocol.value,
            from_port=edge.port,
            to_port=edge.port,
            description=edge.description or f"Declared edge ingress {edge.protocol.value}/{edge.port}",
            opts=opts(provider),
        )

    pulumi.export("vpc_id", vpc_id)
    pulumi.export("security_group_ids", {name: sg.id for name, sg in groups.items()})
