"""Small / medium / large starting points, following the practices' guidance per organization size (docs/practices.md).

- small: "start simple": production and development accounts managed by Organizations, plus the Security account
  that owns the organization trail.
- medium: "formalize OUs" (Security, Infrastructure, Workloads/Prod, Workloads/NonProd, Sandbox), a log-archive
  and a shared-services account, delegated administration, role-based security groups.
- large: "mature OU structure" for governance: Policy-Staging, Suspended, Exceptions and Deployments OUs on top of
  medium, a wider SCP set, and deny-all-suspended on the Suspended OU.

Where AWS now recommends another policy type over an SCP, medium and large use it when the home region's
partition is known to have the type (landingzone/policies/data/policy-types.json): the Organizations S3 policy for
account-level Block Public Access instead of the SCP that froze the setting, the EC2 declarative policy for IMDSv2
defaults, serial console and AMI/snapshot sharing (require-imdsv2 stays beside it as the per-request backstop), and
an RCP that keeps the trail bucket and key inside the organization. Elsewhere they fall back to the SCP variants.

The emails use example.com: replace them before the first `up`.
"""

from __future__ import annotations

from typing import Any, Literal

from landingzone.config import LandingZoneConfig, validate_config
from landingzone.constants import partition

PresetName = Literal["small", "medium", "large"]
PRESETS: tuple[PresetName, ...] = ("small", "medium", "large")

_BASELINE_ROOT = [
    "deny-leave-organization",
    "deny-root-user",
    "protect-organization-trail",
    "protect-org-admin-roles-strict",
]


def _available(gid: str, home_region: str) -> bool:
    """Whether a library guardrail's policy type is known to exist in the home region's partition."""
    from landingzone.policies.catalog import default_catalog
    from landingzone.policies.policy_types import policy_type

    return policy_type(default_catalog().get(gid).policy_type).available_in(partition(home_region))


def _network(account: str, cidr: str) -> dict[str, Any]:
    return {
        "account": account,
        "vpc_cidr": cidr,
        "roles": [
            {"name": "web", "description": "Load balancer and web tier"},
            {"name": "app", "description": "Application servers"},
            {"name": "db", "description": "Databases"},
        ],
        "rules": [
            {"source": "web", "target": "app", "port": 8080},
            {"source": "app", "target": "db", "port": 5432},
        ],
        "edge_ingress": [
            {"role": "web", "cidr": "0.0.0.0/0", "port": 443, "description": "HTTPS from the internet"},
        ],
    }


def preset_data(name: PresetName, *, lz_name: str = "acme-landing-zone", home_region: str = "us-east-1",
                governed_regions: list[str] | None = None) -> dict[str, Any]:
    """The preset as plain data (what `landingzone init` writes). The home region's partition decides whether the
    declarative, S3 and resource control policies are used or their SCP fallbacks."""
    domain = "example.com"
    data: dict[str, Any] = {
        "name": lz_name,
        "home_region": home_region,
        "governed_regions": governed_regions or (["us-east-1", "us-west-2"] if home_region == "us-east-1"
                                                 else [home_region]),
        "management_account": {
            "email": f"aws-management@{domain}",
            "new_and_empty": True,
            "minimal_access": True,
        },
    }
    if name == "small":
        data["accounts"] = [
            {"name": "security", "email": f"aws-security@{domain}", "kind": "security"},
            {"name": "production", "email": f"aws-production@{domain}", "kind": "production"},
            {"name": "development", "email": f"aws-development@{domain}", "kind": "development"},
        ]
        data["guardrails"] = [{"id": gid, "targets": ["Root"]} for gid in _BASELINE_ROOT]
        data["network"] = [_network("production", "10.0.0.0/16"), _network("development", "10.1.0.0/16")]
        return data

    ous: list[dict[str, Any]] = [
        {"name": "Security"},
        {"name": "Infrastructure"},
        {"name": "Workloads", "children": [{"name": "Prod"}, {"name": "NonProd"}]},
        {"name": "Sandbox"},
    ]
    accounts = [
        {"name": "security", "email": f"aws-security@{domain}", "kind": "security", "ou": "Security"},
        {"name": "log-archive", "email": f"aws-log-archive@{domain}", "kind": "log-archive", "ou": "Security"},
        {"name": "shared-services", "email": f"aws-shared-services@{domain}", "kind": "shared-services",
         "ou": "Infrastructure"},
        {"name": "production", "email": f"aws-production@{domain}", "kind": "production", "ou": "Workloads/Prod"},
        {"name": "development", "email": f"aws-development@{domain}", "kind": "development",
         "ou": "Workloads/NonProd"},
    ]
    home = str(data["home_region"])
    guardrails: list[dict[str, Any]] = [{"id": gid, "targets": ["Root"]} for gid in _BASELINE_ROOT]
    guardrails += [
        {"id": "protect-security-services", "targets": ["Workloads", "Infrastructure", "Sandbox"]},
        {"id": "deny-unapproved-regions", "targets": ["Workloads", "Infrastructure", "Sandbox"]},
    ]
    if _available("s3-block-public-access", home):
        guardrails.append({"id": "s3-block-public-access", "targets": ["Root"]})
    else:
        guardrails.append({"id": "deny-s3-block-public-access-changes", "targets": ["Workloads"]})
    if _available("ec2-declarative-baseline", home):
        guardrails.append({"id": "ec2-declarative-baseline", "targets": ["Root"]})
    guardrails += [
        {"id": "require-imdsv2", "targets": ["Workloads"]},
        {"id": "deny-ebs-encryption-disable", "targets": ["Workloads"]},
    ]
    if _available("rcp-protect-organization-trail", home):
        guardrails.append({"id": "rcp-protect-organization-trail", "targets": ["Root"]})
    if name == "large":
        ous += [
            {"name": "Policy-Staging"},
            {"name": "Suspended"},
            {"name": "Exceptions"},
            {"name": "Deployments"},
        ]
        accounts.append({"name": "sandbox", "email": f"aws-sandbox@{domain}", "kind": "sandbox", "ou": "Sandbox"})
        for guard in guardrails:
            if guard["id"] in ("protect-security-services", "deny-unapproved-regions"):
                guard["targets"] = [*guard["targets"], "Policy-Staging", "Deployments"]
        guardrails.append({"id": "deny-iam-users", "targets": ["Workloads/Prod"]})
        guardrails.append({"id": "deny-all-suspended", "targets": ["Suspended"]})
        if _available("ec2-vpc-block-public-access", home):
            guardrails.append({"id": "ec2-vpc-block-public-access", "targets": ["Security"]})
        if _available("rcp-s3-require-tls", home):
            guardrails.append({"id": "rcp-s3-require-tls", "targets": ["Root"]})
    data["organizational_units"] = ous
    data["accounts"] = accounts
    data["guardrails"] = guardrails
    data["network"] = [_network("production", "10.0.0.0/16"), _network("development", "10.1.0.0/16")]
    return data


def preset(name: PresetName, *, lz_name: str = "acme-landing-zone") -> LandingZoneConfig:
    """A validated preset configuration."""
    return validate_config(preset_data(name, lz_name=lz_name), source=f"preset {name}")


def identity_center_data(data: dict[str, Any]) -> dict[str, Any]:
    """A starting ``identity_center`` section for a preset's data (what the wizard's Access step proposes): the
    whole permission set library, a group per job, and assignments by OU (or by account where there are no OUs).
    The management account is reached only by the BreakGlass group."""
    ous = {ou["name"] for ou in data.get("organizational_units", [])}
    accounts = {a["name"]: a for a in data.get("accounts", [])}

    def where(*candidates: str) -> list[str]:
        # OUs where the preset has them, else the accounts by name.
        found = [c for c in candidates if c.split("/", 1)[0] in ous] or [c for c in candidates if c in accounts]
        return found or ["Root"]

    return {
        "permission_sets": [{"name": p, "preset": p} for p in
                            ("Administrator", "PowerUser", "ReadOnly", "SecurityAudit", "Billing", "BreakGlass")],
        "groups": [
            {"name": "Platform-Admins", "description": "Platform engineers who run the landing zone"},
            {"name": "Developers", "description": "Application developers"},
            {"name": "Security-Auditors", "description": "The security team and auditors"},
            {"name": "Billing", "description": "Finance: billing and cost management"},
            {"name": "BreakGlass", "description": "Emergency access, including the management account"},
        ],
        "assignments": [
            {"group": "Platform-Admins", "permission_set": "Administrator", "targets": ["Root"]},
            {"group": "Developers", "permission_set": "PowerUser",
             "targets": where("Workloads/NonProd", "Sandbox", "development")},
            {"group": "Developers", "permission_set": "ReadOnly", "targets": where("Workloads/Prod", "production")},
            {"group": "Security-Auditors", "permission_set": "SecurityAudit", "targets": ["Root"]},
            {"group": "Billing", "permission_set": "Billing", "targets": ["Root"]},
            {"group": "BreakGlass", "permission_set": "BreakGlass", "targets": ["management", "Root"]},
        ],
        "break_glass_group": "BreakGlass",
    }
