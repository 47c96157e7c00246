"""Inbound DENY entries for SSH and RDP from the whole internet in default network ACLs (CIS 5.1/5.2/6.2, the
audit's LZ-NET-005): stage baseline adds them to the default ACL of each default VPC, in every account and governed
region; stage network to the default ACL of each VPC it creates. Under pulumi mocks: the point is the programs'
inputs (tests/engine/test_provision_then_audit.py reads the entries back from moto)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pulumi
import pytest

import stacks
from landingzone.config import ADMIN_PORTS, MANAGEMENT_BASELINE, validate_config
from landingzone.orchestrator import fingerprint
from landingzone.plan import KNOWN_AFTER_APPLY, PlannedResource
from stacks.baseline import baseline_accounts
from stacks.network_acls import ALLOW_ALL_RULE_NUMBER, deny_entries

from .helpers import applied_organization, config, run_stage
from .test_baseline import GET_NETWORK_ACLS, DefaultVpcMocks, _run

NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
SWITCH = "deny_admin_ports_in_default_network_acls"
EXPECTED = {(protocol, port, cidr) for protocol in ("tcp", "udp") for port in ADMIN_PORTS
            for cidr in ("0.0.0.0/0", "::/0")}
"""TCP and UDP, 22 and 3389, from the whole IPv4 and the whole IPv6 internet: what LZ-NET-005 counts."""


def _denied(rules: list[PlannedResource]) -> set[tuple[str, int, str]]:
    """(protocol, port, source) of each entry, after checking it is an inbound DENY for one port, from one
    address family's whole internet, ahead of the allow-all entry."""
    found = set()
    for rule in rules:
        ins = rule.inputs
        assert ins["ruleAction"] == "deny" and ins["egress"] is False, rule
        assert ins["fromPort"] == ins["toPort"], rule
        assert 1 <= ins["ruleNumber"] < ALLOW_ALL_RULE_NUMBER, rule
        cidrs = [c for c in (ins.get("cidrBlock"), ins.get("ipv6CidrBlock")) if c]
        assert len(cidrs) == 1 and ipaddress.ip_network(cidrs[0]).prefixlen == 0, rule
        found.add((ins["protocol"], ins["fromPort"], cidrs[0]))
    assert len(found) == len(rules)
    return found


def test_the_entries_cover_both_protocols_ports_and_families_with_distinct_low_rule_numbers() -> None:
    entries = deny_entries()
    assert {(e.protocol, e.port, e.cidr) for e in entries} == EXPECTED
    numbers = [e.rule_number for e in entries]
    assert len(set(numbers)) == len(numbers) == 8
    assert numbers == sorted(numbers) and numbers[-1] < ALLOW_ALL_RULE_NUMBER
    assert numbers == list(range(91, 99))  # as documented in the config field and docs/resources.md
    assert len({e.suffix for e in entries}) == len(entries)


def test_every_default_acl_of_every_account_and_region_gets_the_entries() -> None:
    cfg = config("medium")
    assert len(cfg.governed_regions) > 1
    providers = {a: "management" if a == MANAGEMENT_BASELINE else f"account-{a}" for a in baseline_accounts(cfg)}
    vpcs = {(p, r): f"vpc-{i}{j}" for i, p in enumerate(providers.values())
            for j, r in enumerate(cfg.governed_regions)}
    del vpcs[("account-production", "us-west-2")]  # deleted by its owners: skipped, not failed
    for account, provider in providers.items():
        mocks = DefaultVpcMocks(vpcs)
        run = _run(cfg, account, mocks)
        mine = {r: vpc for (p, r), vpc in vpcs.items() if p == provider}
        # The default ACL is looked up per region with a default VPC, through the account's own provider, by the
        # VPC and default=true; the default VPC itself once per region (shared with the default security group).
        assert sorted((p, r) for p, r, _ in mocks.calls) == sorted((provider, r) for r in cfg.governed_regions)
        assert sorted((p, r) for p, r, _ in mocks.acl_calls) == sorted((provider, r) for r in mine)
        for _, region, filters in mocks.acl_calls:
            assert filters == [{"name": "vpc-id", "values": [mine[region]]}, {"name": "default", "values": ["true"]}]
        rules = [x for x in run.resources if x.type == NACL_RULE]
        assert {r.provider for r in rules} == {provider}
        for region in cfg.governed_regions:
            here = [r for r in rules if r.inputs["region"] == region]
            if region not in mine:
                assert here == []
                assert run.outputs["default_network_acls"][region] is None
                continue
            assert {r.inputs["networkAclId"] for r in here} == {f"acl-{mine[region]}"}
            assert _denied(here) == EXPECTED
            assert all(r.name.startswith(f"default-nacl-{provider}-{region}-deny-") for r in here)
            assert run.outputs["default_network_acls"][region] == f"acl-{mine[region]}"
        assert run.outputs["hardening"][SWITCH] == cfg.governed_regions


def test_preview_of_a_new_account_shows_the_entries_with_the_acl_known_after_apply() -> None:
    cfg = config("medium")
    result = run_stage("baseline", cfg, upstream={}, account="production")
    rules = result.of_type(NACL_RULE)
    assert len(rules) == len(EXPECTED) * len(cfg.governed_regions)
    assert {r.inputs["networkAclId"] for r in rules} == {KNOWN_AFTER_APPLY}
    assert sorted({r.inputs["region"] for r in rules}) == sorted(cfg.governed_regions)
    for region in cfg.governed_regions:
        assert _denied([r for r in rules if r.inputs["region"] == region]) == EXPECTED


def test_switch_off_adds_no_entry_and_looks_nothing_up() -> None:
    cfg = config("medium", baseline={SWITCH: False})
    for account in (MANAGEMENT_BASELINE, "production"):
        mocks = DefaultVpcMocks({("management", "us-east-1"): "vpc-1", ("account-production", "us-east-1"): "vpc-2"})
        run = _run(cfg, account, mocks)
        assert [r for r in run.resources if r.type == NACL_RULE] == []
        assert mocks.acl_calls == []
        assert run.outputs["default_network_acls"] == {}
        assert SWITCH not in run.outputs["hardening"]
    for net in cfg.network:
        assert run_stage("network", cfg, account=net.account).of_type(NACL_RULE) == []


class NoDefaultAclMocks(DefaultVpcMocks):
    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        answer, failures = super().call(args)
        if args.token == GET_NETWORK_ACLS and args.args["region"] == "us-west-2":
            return {**answer, "ids": []}, failures
        return answer, failures


class RefusingAclMocks(DefaultVpcMocks):
    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        if args.token == GET_NETWORK_ACLS and args.args["region"] == "us-west-2":
            return {}, [("region", "UnauthorizedOperation: You are not authorized to perform this operation")]
        return super().call(args)


def test_a_default_vpc_without_default_acl_fails_naming_account_and_region() -> None:
    cfg = config("medium")
    vpcs = {("account-production", r): f"vpc-{r}" for r in cfg.governed_regions}
    with pytest.raises(Exception, match=r"account production in us-west-2.*vpc-us-west-2 has no default network"):
        _run(cfg, "production", NoDefaultAclMocks(vpcs))


def test_a_failed_acl_lookup_fails_the_stack() -> None:
    cfg = config("medium")
    vpcs = {("account-production", r): f"vpc-{r}" for r in cfg.governed_regions}
    with pytest.raises(Exception, match="getNetworkAcls.*UnauthorizedOperation"):
        _run(cfg, "production", RefusingAclMocks(vpcs))


def test_network_stage_denies_in_the_default_acl_of_each_vpc_it_creates() -> None:
    cfg = config("medium")
    assert cfg.network and all(net.vpc_cidr for net in cfg.network)
    for net in cfg.network:
        result = run_stage("network", cfg, account=net.account)
        rules = result.of_type(NACL_RULE)
        assert _denied(rules) == EXPECTED
        # the VPC's own defaultNetworkAclId, through the account's provider, in the VPC's region (the provider's)
        assert all(r.dependencies == ("vpc",) and r.provider == f"account-{net.account}" for r in rules)
        assert all("region" not in r.inputs for r in rules)
        assert {r.inputs["networkAclId"] for r in rules} == {KNOWN_AFTER_APPLY}


def test_network_stage_allows_declared_admin_port_access_ahead_of_the_denies() -> None:
    """A declared edge ingress to port 22 from a VPN range and a role rule over 3389 keep working: each gets an
    allow from its source (the VPC's own range for role rules) with a rule number below the deny entries; the
    internet stays denied, and a port other than 22/3389 adds nothing."""
    data = config("medium").model_dump(mode="json", exclude_none=True)
    net = data["network"][0]
    net["roles"].append({"name": "bastion"})
    net["edge_ingress"] += [{"role": "bastion", "cidr": "203.0.113.0/24", "port": 22},
                            {"role": "bastion", "cidr": "2001:db8::/32", "port": 22, "protocol": "tcp"}]
    net["rules"] += [{"source": "bastion", "target": "app", "port": 3000, "to_port": 4000, "protocol": "udp"},
                     {"source": "bastion", "target": "db", "port": 22}]
    cfg = validate_config(data)
    rules = run_stage("network", cfg, account=net["account"]).of_type(NACL_RULE)
    allows = [r for r in rules if r.inputs["ruleAction"] == "allow"]
    denies = [r for r in rules if r.inputs["ruleAction"] == "deny"]
    assert _denied(denies) == EXPECTED
    got = {(r.inputs["protocol"], r.inputs["fromPort"], r.inputs.get("cidrBlock") or r.inputs["ipv6CidrBlock"])
           for r in allows}
    assert got == {("tcp", 22, "203.0.113.0/24"), ("tcp", 22, "2001:db8::/32"), ("udp", 3389, net["vpc_cidr"]),
                   ("tcp", 22, net["vpc_cidr"])}
    assert all(r.inputs["egress"] is False and r.inputs["fromPort"] == r.inputs["toPort"] for r in allows)
    numbers = sorted(r.inputs["ruleNumber"] for r in allows)
    assert numbers == list(range(1, len(allows) + 1))
    assert max(numbers) < min(r.inputs["ruleNumber"] for r in denies)
    assert all(ipaddress.ip_network(c).prefixlen > 0 for _, _, c in got)  # never the whole internet
    # the medium preset declares no admin-port access: no allow at all
    plain = run_stage("network", config("medium"), account=net["account"]).of_type(NACL_RULE)
    assert {r.inputs["ruleAction"] for r in plain} == {"deny"}


def test_network_stage_leaves_an_existing_vpcs_acls_alone() -> None:
    data = config("medium").model_dump(mode="json", exclude_none=True)
    net = data["network"][0]
    net.pop("vpc_cidr")
    net["vpc_id"] = "vpc-0123456789abcdef0"
    cfg = validate_config(data)
    assert run_stage("network", cfg, account=net["account"]).of_type(NACL_RULE) == []


@pytest.mark.parametrize("stage", ["baseline", "network"])
def test_the_switch_is_part_of_the_stack_fingerprint(stage: str) -> None:
    on, off = config("medium"), config("medium", baseline={SWITCH: False})
    account = on.network[0].account

    def print_of(cfg: Any) -> str:
        ctx = stacks.StageContext(config=cfg, upstream={"organization": applied_organization(cfg)}, account=account)
        return fingerprint(stage, f"lz-{stage}-{account}", stacks.stage(stage).fingerprint_inputs(ctx))

    assert print_of(on) != print_of(off)
    assert print_of(on) == print_of(config("medium"))
