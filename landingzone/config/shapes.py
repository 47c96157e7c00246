"""What a value of the wrong shape should look like: a two-line example of the expected YAML, so that a user who
wrote ``network:`` as a mapping by account reads how to write it, not only "Input should be a valid list".
"""

from __future__ import annotations

import re

LIST_ERRORS = frozenset({"list_type", "tuple_type", "set_type"})
MAPPING_ERRORS = frozenset({"model_type", "model_attributes_type", "dict_type", "mapping_type"})

EXAMPLES: dict[str, str] = {
    # Lists of sections: one "- " item per entry.
    "accounts": "accounts:\n  - {name: production, email: aws-prod@example.com, kind: production, ou: Workloads/Prod}",
    "organizational_units": "organizational_units:\n  - {name: Workloads, children: [{name: Prod}, {name: NonProd}]}",
    "organizational_units[].children": "children:\n  - {name: Prod}",
    "guardrails": "guardrails:\n  - {id: deny-root-user, targets: [Root]}",
    "network": "network:\n  - {account: production, vpc_cidr: 10.0.0.0/16, roles: [{name: web}, {name: app}]}",
    "network[].roles": "roles:\n  - {name: web, description: Load balancers}",
    "network[].rules": "rules:\n  - {source: web, target: app, port: 8080}",
    "network[].edge_ingress": "edge_ingress:\n  - {role: web, cidr: 203.0.113.0/24, port: 443}",
    "governance.budgets.default.alerts": "alerts:\n  - {percent: 80, kind: actual}",
    "governance.budgets.by_ou.*.alerts": "alerts:\n  - {percent: 80, kind: actual}",
    "accounts[].budget.alerts": "alerts:\n  - {percent: 80, kind: actual}",
    # Lists of values.
    "governed_regions": "governed_regions:\n  - us-east-1",
    "guardrails[].targets": "targets:\n  - Workloads/Prod",
    "organization.security_services": "security_services:\n  - guardduty",
    "org_admin.role_names": "role_names:\n  - LandingZoneAdministrator",
    "governance.budgets.default.emails": "emails:\n  - finops@example.com",
    "governance.budgets.by_ou.*.emails": "emails:\n  - finops@example.com",
    "accounts[].budget.emails": "emails:\n  - finops@example.com",
    # Mappings of fields.
    "management_account": "management_account:\n  {email: aws-management@example.com, new_and_empty: true}",
    "organization": "organization:\n  {security_services: [guardduty, securityhub]}",
    "logging": "logging:\n  {trail_name: organization-trail, query_layer: athena}",
    "governance": "governance:\n  {alternate_contacts: {security: {name: Sec, title: Security, email: s@example.com, "
                  "phone: '+1 206 555 0100'}}}",
    "governance.alternate_contacts": "alternate_contacts:\n  {security: {name: Sec, title: Security, "
                                     "email: s@example.com, phone: '+1 206 555 0100'}}",
    "accounts[].alternate_contacts": "alternate_contacts:\n  {security: {name: Sec, title: Security, "
                                     "email: s@example.com, phone: '+1 206 555 0100'}}",
    "governance.budgets": "budgets:\n  {default: {monthly_limit_usd: 100, emails: [finops@example.com]}}",
    "governance.budgets.by_ou": "by_ou:\n  {Workloads/Prod: {monthly_limit_usd: 5000, emails: [finops@example.com]}}",
    "accounts[].budget": "budget:\n  {monthly_limit_usd: 250, emails: [finops@example.com]}",
    "guardrails[].parameters": "parameters:\n  {allowed_regions: [us-east-1, eu-west-1]}",
}
"""Field pattern (list indices as ``[]``, mapping keys chosen by the user as ``*``) -> two lines of YAML."""

_INDEX_RE = re.compile(r"\[\d+\]")


def pattern(path: str) -> str:
    """``network[2].roles`` -> ``network[].roles``; ``governance.budgets.by_ou.Workloads/Prod.emails`` ->
    ``governance.budgets.by_ou.*.emails``."""
    generic = _INDEX_RE.sub("[]", path)
    return re.sub(r"(governance\.budgets\.by_ou)\.[^.]+(?=\.|$)(?!$)", r"\1.*", generic)


def shape_hint(path: str, error_type: str) -> str | None:
    """The expected shape of the value at ``path`` with an example, for a pydantic error of ``error_type``; None
    when the error is not about the shape of the value."""
    if error_type in LIST_ERRORS:
        expected = "a list (one '- ' item per entry)"
    elif error_type in MAPPING_ERRORS:
        expected = "a mapping of fields (key: value)"
    else:
        return None
    example = EXAMPLES.get(pattern(path))
    if example is None:
        return f"expected {expected}"
    lines = "\n".join(f"    {line}" for line in example.splitlines())
    return f"expected {expected}, for example:\n{lines}"
