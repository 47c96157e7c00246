"""Network family: no admin ports open to the internet, group references instead of internal CIDRs, closed
default security groups."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check
from landingzone.config import ADMIN_PORTS
from landingzone.discovery import SecurityGroupInfo, SecurityGroupRule


def _groups(ctx: AuditContext) -> Iterator[SecurityGroupInfo]:
    for account_id in sorted(ctx.found.account_views):
        yield from ctx.found.account_views[account_id].security_groups


def _open_admin_ports(rule: SecurityGroupRule, *, ipv6: bool) -> list[int]:
    cidr = rule.cidr_ipv6 if ipv6 else rule.cidr_ipv4
    if rule.direction != "ingress" or cidr is None or ipaddress.ip_network(cidr, strict=False).prefixlen != 0:
        return []
    return [port for port in ADMIN_PORTS if rule.covers_port(port)]


def _admin_port_issues(ctx: AuditContext, *, ipv6: bool) -> Iterator[Issue]:
    for group in _groups(ctx):
        ports = sorted({p for rule in group.rules for p in _open_admin_ports(rule, ipv6=ipv6)})
        if ports:
            yield Issue(group.group_id, f"{group.name} ({group.group_id}) allows {'::/0' if ipv6 else '0.0.0.0/0'} "
                        f"to port {', '.join(map(str, ports))}", group.account_id, group.region)


@check(id="LZ-NET-001", title="No security group opens SSH or RDP to 0.0.0.0/0", severity=Severity.HIGH,
       practice=Practice.SECURITY_GROUPS,
       rationale="Admin ports open to the whole IPv4 internet are scanned within minutes of exposure.",
       remediation="Use Session Manager, a VPN or bastion range; network[].edge_ingress refuses 0.0.0.0/0 to 22 "
       "and 3389, and stage `network` creates only declared rules.",
       cis=Cis(v3="5.2", v5="5.3", v7="6.3"), nist=("PR.AC", "PR.PT"))
def admin_ports_ipv4(ctx: AuditContext) -> Iterator[Issue]:
    yield from _admin_port_issues(ctx, ipv6=False)


@check(id="LZ-NET-002", title="No security group opens SSH or RDP to ::/0", severity=Severity.HIGH,
       practice=Practice.SECURITY_GROUPS,
       rationale="The same exposure over IPv6, often forgotten when only IPv4 rules are reviewed.",
       remediation="As LZ-NET-001: remove the ::/0 rule; declare narrow edge_ingress ranges if needed.",
       cis=Cis(v3="5.3", v5="5.4", v7="6.4"), nist=("PR.AC", "PR.PT"))
def admin_ports_ipv6(ctx: AuditContext) -> Iterator[Issue]:
    yield from _admin_port_issues(ctx, ipv6=True)


@check(id="LZ-NET-003", title="Internal rules reference security groups, not CIDRs", severity=Severity.LOW,
       practice=Practice.SECURITY_GROUPS,
       rationale="A rule that admits a range inside the VPC admits whatever lands on those addresses; a "
       "reference to the source role's group admits exactly that role, wherever it runs.",
       remediation="Declare roles and role-to-role rules under network[].roles / network[].rules; stage "
       "`network` writes them as group references.",
       nist=("PR.AC", "PR.PT"))
def internal_rules_use_references(ctx: AuditContext) -> Iterator[Issue]:
    vpcs = {(v.account_id, v.region, v.vpc_id): v for view in ctx.found.account_views.values() for v in view.vpcs}
    for group in _groups(ctx):
        vpc = vpcs.get((group.account_id, group.region, group.vpc_id or ""))
        if vpc is None:
            continue
        nets = [ipaddress.ip_network(c, strict=False) for c in vpc.cidrs]
        internal = sorted({rule.cidr_ipv4 for rule in group.rules if rule.direction == "ingress" and rule.cidr_ipv4
                           and any(ipaddress.ip_network(rule.cidr_ipv4, strict=False).subnet_of(n)  # type: ignore[arg-type]
                                   for n in nets if n.version == 4)})
        if internal:
            yield Issue(group.group_id, f"{group.name} ({group.group_id}) admits VPC-internal range(s) "
                        f"{', '.join(c for c in internal if c)} where a security group reference would do",
                        group.account_id, group.region)


@check(id="LZ-NET-004", title="Default security groups have no rules", severity=Severity.MEDIUM,
       practice=Practice.SECURITY_GROUPS,
       rationale="Anything launched without an explicit group lands in the default one; with rules, that is "
       "unreviewed access. AWS creates it with a self-referencing ingress rule and open egress.",
       remediation="Remove every rule from each VPC's default security group: stage `baseline` does so for the "
       "default VPC of every account and governed region (close_default_security_groups), stage `network` for "
       "the VPCs it manages; use role groups instead.",
       cis=Cis(v3="5.4", v5="5.5", v7="6.5"), nist=("PR.AC", "PR.PT"))
def default_groups_closed(ctx: AuditContext) -> Iterator[Issue]:
    for group in _groups(ctx):
        if group.is_default and group.rules:
            kinds = sorted({r.direction for r in group.rules})
            yield Issue(group.group_id, f"default group {group.group_id} in {group.vpc_id} has {len(group.rules)} "
                        f"{'/'.join(kinds)} rule(s)", group.account_id, group.region)
