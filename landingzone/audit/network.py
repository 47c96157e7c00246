"""Network family: no admin ports open to the internet (security groups and network ACLs), group references
instead of internal ranges, closed default security groups."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check
from landingzone.config import ADMIN_PORTS
from landingzone.discovery import NetworkAclEntry, SecurityGroupInfo, SecurityGroupRule

NETWORK_READS = ("ec2:describe_security_groups", "ec2:describe_vpcs", "sts:assume_role")


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
        opened = [(rule, _open_admin_ports(rule, ipv6=ipv6)) for rule in group.rules]
        ports = sorted({p for _, found in opened for p in found})
        if ports:
            how = ", ".join(sorted({rule.ports_text for rule, found in opened if found}))
            yield Issue(group.group_id, f"{group.name} ({group.group_id}) allows {'::/0' if ipv6 else '0.0.0.0/0'} "
                        f"to port {', '.join(map(str, ports))} ({how})", group.account_id, group.region)


@check(id="LZ-NET-001", title="No security group opens SSH or RDP to 0.0.0.0/0", severity=Severity.HIGH,
       practice=Practice.SECURITY_GROUPS,
       rationale="Admin ports open to the whole IPv4 internet are scanned within minutes of exposure. Counted as CIS "
       "v5.0 5.3 / v7.0 6.3 say: TCP, UDP or all-protocol rules whose ports include 22 or 3389.",
       remediation="Use Session Manager, a VPN or bastion range; network[].edge_ingress refuses 0.0.0.0/0 to 22 "
       "and 3389, and stage `network` creates only declared rules.",
       cis=Cis(v3="5.2", v5="5.3", v7="6.3"), nist=("PR.AC", "PR.PT"), needs=NETWORK_READS)
def admin_ports_ipv4(ctx: AuditContext) -> Iterator[Issue]:
    yield from _admin_port_issues(ctx, ipv6=False)


@check(id="LZ-NET-002", title="No security group opens SSH or RDP to ::/0", severity=Severity.HIGH,
       practice=Practice.SECURITY_GROUPS,
       rationale="The same exposure over IPv6, often forgotten when only IPv4 rules are reviewed.",
       remediation="As LZ-NET-001: remove the ::/0 rule; declare narrow edge_ingress ranges if needed.",
       cis=Cis(v3="5.3", v5="5.4", v7="6.4"), nist=("PR.AC", "PR.PT"), needs=NETWORK_READS)
def admin_ports_ipv6(ctx: AuditContext) -> Iterator[Issue]:
    yield from _admin_port_issues(ctx, ipv6=True)


PRIVATE_SPACE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))
"""RFC 1918, the shared address space of RFC 6598 (carrier-grade NAT, often on-premises) and IPv6 unique local
addresses: whatever a rule admits there is some network of one's own, never the internet."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _internal(cidr: Network, vpc_nets: list[Network]) -> str | None:
    """Why a source range is internal (None when it is not): it overlaps a VPC of the account and region (a
    range wider than the VPC included), or lies in private space. The whole internet (/0) is never internal."""
    if cidr.prefixlen == 0:
        return None
    for net in vpc_nets:
        if net.version == cidr.version and net.overlaps(cidr):
            if cidr.subnet_of(net):  # type: ignore[arg-type]
                return f"inside VPC range {net}"
            return f"overlaps VPC range {net}" + (" (wider than it)" if cidr.supernet_of(net) else "")  # type: ignore[arg-type]
    for private in PRIVATE_SPACE:
        if private.version == cidr.version and cidr.subnet_of(private):  # type: ignore[arg-type]
            return f"private address space {private} outside every VPC of the account and region"
    return None


@check(id="LZ-NET-003", title="Internal rules reference security groups, not CIDRs", severity=Severity.LOW,
       practice=Practice.SECURITY_GROUPS,
       rationale="A rule that admits an internal range (inside or overlapping a VPC, or private address space: "
       "RFC 1918, 100.64.0.0/10, fc00::/7) admits whatever lands on those addresses, including other VPCs, "
       "peered networks and on-premises; a reference to the source role's group admits exactly that role, "
       "wherever it runs (also across peered VPCs of the region).",
       remediation="Declare roles and role-to-role rules under network[].roles / network[].rules; stage "
       "`network` writes them as group references. For sources outside the account, reference the peer's group "
       "or a managed prefix list.",
       nist=("PR.AC", "PR.PT"), needs=NETWORK_READS)
def internal_rules_use_references(ctx: AuditContext) -> Iterator[Issue]:
    vpc_nets: dict[tuple[str, str], list[Network]] = {}
    for view in ctx.found.account_views.values():
        for vpc in view.vpcs:
            vpc_nets.setdefault((vpc.account_id, vpc.region), []).extend(
                ipaddress.ip_network(c, strict=False) for c in vpc.cidrs)
    groups = list(_groups(ctx))
    for group in groups:
        nets = vpc_nets.get((group.account_id, group.region), [])
        admitted = []
        for rule in group.rules:
            text = rule.cidr_ipv4 or rule.cidr_ipv6
            if rule.direction != "ingress" or not text:
                continue
            why = _internal(ipaddress.ip_network(text, strict=False), nets)
            if why:
                admitted.append(f"{text} to {rule.ports_text} ({why})")
        if admitted:
            peers = [f"{g.name} {g.group_id}" for g in groups if g.vpc_id == group.vpc_id and not g.is_default
                     and g.group_id != group.group_id and g.account_id == group.account_id]
            instead = (f"; reference the source's group instead ({', '.join(peers[:5])} in {group.vpc_id})"
                       if peers else "; reference the source's security group instead")
            yield Issue(group.group_id, f"{group.name} ({group.group_id}) admits internal range(s) "
                        f"{'; '.join(admitted)}{instead}", group.account_id, group.region)


@check(id="LZ-NET-004", title="Default security groups have no rules", severity=Severity.MEDIUM,
       practice=Practice.SECURITY_GROUPS,
       rationale="Anything launched without an explicit group lands in the default one; with rules, that is "
       "unreviewed access. AWS creates it with a self-referencing ingress rule and open egress.",
       remediation="Remove every rule from each VPC's default security group: stage `baseline` does so for the "
       "default VPC of every account and governed region (close_default_security_groups), stage `network` for "
       "the VPCs it manages; use role groups instead.",
       cis=Cis(v3="5.4", v5="5.5", v7="6.5"), nist=("PR.AC", "PR.PT"), needs=NETWORK_READS)
def default_groups_closed(ctx: AuditContext) -> Iterator[Issue]:
    for group in _groups(ctx):
        if group.is_default and group.rules:
            kinds = sorted({r.direction for r in group.rules})
            yield Issue(group.group_id, f"default group {group.group_id} in {group.vpc_id} has {len(group.rules)} "
                        f"{'/'.join(kinds)} rule(s)", group.account_id, group.region)


NACL_PROTOCOLS = {"6": "tcp", "17": "udp"}


def _nacl_admits(entries: list[NetworkAclEntry], protocol: str, port: int, *, ipv6: bool) -> NetworkAclEntry | None:
    """The allow entry that admits the whole internet to (protocol, port), in rule-number order; None when a deny
    for the whole internet comes first or nothing admits it. Entries for narrower ranges decide nothing about
    "any source"."""
    for entry in sorted(entries, key=lambda e: e.rule_number):
        cidr = entry.cidr_ipv6 if ipv6 else entry.cidr_ipv4
        if entry.egress or cidr is None or ipaddress.ip_network(cidr, strict=False).prefixlen != 0:
            continue
        if entry.protocol not in ("-1", protocol):
            continue
        if entry.protocol != "-1" and entry.from_port is not None and entry.to_port is not None and \
                not entry.from_port <= port <= entry.to_port:
            continue
        return entry if entry.allow else None
    return None


@check(id="LZ-NET-005", title="No network ACL admits SSH or RDP from 0.0.0.0/0 or ::/0", severity=Severity.MEDIUM,
       practice=Practice.SECURITY_GROUPS,
       rationale="Network ACLs are the subnet's stateless second line behind security groups; an ACL admitting "
       "22 or 3389 from anywhere (as every VPC's default ACL does) leaves a single mistake in a security group "
       "between the internet and an admin port. CIS counts TCP, UDP and all-protocol entries, in rule order.",
       remediation="Stage `baseline` adds inbound DENY entries for TCP and UDP 22 and 3389 from 0.0.0.0/0 and ::/0 "
       "(rules 91-98, ahead of the allow-all entry 100) to the default network ACL of every default VPC in every "
       "account and governed region (baseline.deny_admin_ports_in_default_network_acls), stage `network` to the "
       "default ACL of each VPC it creates. For other ACLs add the same entries (`aws ec2 "
       "create-network-acl-entry --ingress --rule-action deny ...`) or delete default VPCs nobody uses; security "
       "groups stay the first control (LZ-NET-001/002).",
       cis=Cis(v3="5.1", v5="5.2", v7="6.2"), nist=("PR.AC", "PR.PT"),
       needs=("ec2:describe_network_acls", "sts:assume_role"))
def nacl_admin_ports(ctx: AuditContext) -> Iterator[Issue]:
    for account_id in sorted(ctx.found.account_views):
        for acl in ctx.found.account_views[account_id].network_acls:
            opened = sorted({f"{NACL_PROTOCOLS[proto]} {port} from {'::/0' if v6 else '0.0.0.0/0'} (rule "
                             f"{hit.rule_number})"
                             for proto in NACL_PROTOCOLS for port in ADMIN_PORTS for v6 in (False, True)
                             if (hit := _nacl_admits(list(acl.entries), proto, port, ipv6=v6)) is not None})
            if opened:
                kind = "default network ACL" if acl.is_default else "network ACL"
                yield Issue(acl.acl_id, f"{kind} {acl.acl_id} of {acl.vpc_id} admits {'; '.join(opened)}",
                            acl.account_id, acl.region)
