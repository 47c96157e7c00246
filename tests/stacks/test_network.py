from __future__ import annotations

import ipaddress

import pytest

from landingzone.errors import StageError

from .helpers import config, run_stage

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
CIDR_KEYS = ("cidrIpv4", "cidrIpv6", "prefixListId")


def _network(**changes: object) -> dict[str, object]:
    net: dict[str, object] = {
        "account": "production",
        "vpc_cidr": "10.0.0.0/16",
        "roles": [{"name": "lb"}, {"name": "app", "description": "Application servers"}, {"name": "db"}],
        "rules": [
            {"source": "lb", "target": "app", "port": 8080},
            {"source": "app", "target": "db", "port": 5432},
            {"source": "app", "target": "app", "port": 7000, "to_port": 7100, "protocol": "udp"},
        ],
        "edge_ingress": [
            {"role": "lb", "cidr": "0.0.0.0/0", "port": 443, "description": "HTTPS"},
            {"role": "lb", "cidr": "2001:db8::/32", "port": 443},
        ],
    }
    net.update(changes)
    return net


def test_role_to_role_rules_reference_groups_and_never_cidrs() -> None:
    cfg = config("medium", network=[_network()])
    plan = run_stage("network", cfg, account="production")
    groups: dict[str, str] = plan.outputs["security_group_ids"]
    assert set(groups) == {"lb", "app", "db"}
    role_of = {sg_id: role for role, sg_id in groups.items()}
    internal_in = [r for r in plan.of_type(INGRESS) if not r.name.startswith("edge-")]
    egress = plan.of_type(EGRESS)
    assert len(internal_in) == len(egress) == 3
    for rule in internal_in + egress:
        assert rule.inputs["referencedSecurityGroupId"] in role_of, rule.name
        assert not any(rule.inputs.get(k) for k in CIDR_KEYS), rule.name
    pairs_in = {(role_of[r.inputs["referencedSecurityGroupId"]], role_of[r.inputs["securityGroupId"]],
                 r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"]) for r in internal_in}
    pairs_out = {(role_of[r.inputs["securityGroupId"]], role_of[r.inputs["referencedSecurityGroupId"]],
                  r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"]) for r in egress}
    expected = {("lb", "app", "tcp", 8080, 8080), ("app", "db", "tcp", 5432, 5432), ("app", "app", "udp", 7000, 7100)}
    assert pairs_in == pairs_out == expected


def test_cidrs_only_on_declared_edge_ingress() -> None:
    cfg = config("medium", network=[_network()])
    plan = run_stage("network", cfg, account="production")
    lb = plan.outputs["security_group_ids"]["lb"]
    with_cidr = [r for r in plan.of_type(INGRESS) + plan.of_type(EGRESS)
                 if any(r.inputs.get(k) for k in CIDR_KEYS)]
    assert {(r.inputs.get("cidrIpv4"), r.inputs.get("cidrIpv6")) for r in with_cidr} == {
        ("0.0.0.0/0", None), (None, "2001:db8::/32")}
    for rule in with_cidr:
        assert rule.name.startswith("edge-lb-")
        assert rule.inputs["securityGroupId"] == lb
        assert rule.inputs["fromPort"] == rule.inputs["toPort"] == 443
        assert "referencedSecurityGroupId" not in rule.inputs
        assert ipaddress.ip_network(rule.inputs.get("cidrIpv4") or rule.inputs["cidrIpv6"])


def test_groups_have_no_inline_rules_and_default_group_is_stripped() -> None:
    cfg = config("medium", network=[_network()])
    plan = run_stage("network", cfg, account="production")
    for group in plan.of_type(SG):
        assert "ingress" not in group.inputs and "egress" not in group.inputs, group.name
        assert group.inputs["vpcId"] == plan.outputs["vpc_id"]
        assert group.inputs["revokeRulesOnDelete"] is True
    assert plan.named("sg-app").inputs["description"] == "Application servers"
    default = plan.named("default-security-group")
    assert default.type == "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
    assert default.inputs["vpcId"] == plan.outputs["vpc_id"]
    assert "ingress" not in default.inputs and "egress" not in default.inputs


def test_everything_goes_through_the_workload_account_provider() -> None:
    cfg = config("medium", network=[_network()])
    plan = run_stage("network", cfg, account="production")
    providers = {r.provider for r in plan.resources if not r.type.startswith("pulumi:providers:")}
    assert providers == {"account-production"}
    assert plan.named("vpc").inputs["cidrBlock"] == "10.0.0.0/16"


def test_existing_vpc_is_used_not_created() -> None:
    cfg = config("medium", network=[_network(vpc_cidr=None, vpc_id="vpc-0123456789abcdef0")])
    plan = run_stage("network", cfg, account="production")
    assert not plan.of_type("aws:ec2/vpc:Vpc")
    assert plan.outputs["vpc_id"] == "vpc-0123456789abcdef0"
    assert {g.inputs["vpcId"] for g in plan.of_type(SG)} == {"vpc-0123456789abcdef0"}


def test_one_stack_per_account_with_network_settings() -> None:
    import stacks

    cfg = config("medium")
    assert stacks.stage("network").accounts(cfg) == ["production", "development"]
    assert stacks.stage("organization").accounts(cfg) == []
    with pytest.raises(StageError, match="no network settings"):
        run_stage("network", cfg, account="security")
