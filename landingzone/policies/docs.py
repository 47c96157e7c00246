"""docs/guardrails.md, generated from the guardrails' metadata (never edited by hand).

Regenerate with ``python -m landingzone.policies.docs --write docs/guardrails.md``; a test fails when the
committed page differs from what the metadata produces.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from landingzone.policies.catalog import Guardrail, GuardrailCatalog, RenderContext, default_catalog

DEFAULT_CONTEXT_NOTE = {
    "governed_regions": "the configuration's `governed_regions`",
    "org_admin_path": "the configuration's `org_admin.path` (`/org-admin/`)",
    "admin_principal_arns": "the administering principals: `arn:aws:iam::*:role/<access_role_name>` and "
                            "`arn:aws:iam::*:role<org_admin.path>*`",
    "trail_name": "the configuration's `logging.trail_name` (`organization-trail`)",
    "trail_bucket_pattern": "`<name>-org-trail-*`, the trail bucket's name pattern",
    "access_role_name": "the configuration's `access_role_name`",
    "trail_key_alias": "`alias/<name>-organization-trail`, the trail key's alias",
    "organization_id": "the organization's id (the organization stage's output, or `organization.existing_id`)",
    "bedrock_inference_profile_arns": "every inference profile of the partition: "
                                      "`arn:aws:bedrock:*:*:inference-profile/*`",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(guard: Guardrail, name: str) -> str:
    param = guard.parameter(name)
    if param.default_from is not None:
        return "from " + DEFAULT_CONTEXT_NOTE.get(param.default_from, f"`{param.default_from}`")
    return f"`{json.dumps(param.default)}`"


def _guardrail_section(guard: Guardrail) -> list[str]:
    minified = guard.render()
    lines = [f"## {guard.id}", "", f"**{guard.title}**", "", f"Policy type: {guard.type_label} "
             f"(`{guard.policy_type}`).", "", guard.description, ""]
    if guard.parameters:
        lines += ["| parameter | type | default | description |", "|---|---|---|---|"]
        for param in guard.parameters:
            lines.append(f"| `{param.name}` | {param.type} | {_cell(_default(guard, param.name))} | "
                         f"{_cell(param.description)} |")
        lines.append("")
    else:
        lines += ["Parameters: none.", ""]
    if guard.exemptions:
        lines += ["Exemptions: " + "; ".join(f"`{ex.parameter}`: {ex.description}" for ex in guard.exemptions), ""]
    if guard.accepted_findings:
        for fid, why in guard.accepted_findings.items():
            lines += [f"Accepted lint finding `{fid}`: {why}", ""]
    if guard.alternative is not None:
        relation = {"fallback": "Fallback where this policy type is not available",
                    "preferred": "Preferred where its policy type is available"}[guard.alternative.relation]
        lines += [f"{relation}: [{guard.alternative.guardrail}](#{guard.alternative.guardrail}). "
                  f"{guard.alternative.note}", ""]
    if guard.locks:
        locked = "; ".join(f"`{attr}`: {', '.join(actions)}" for attr, actions in guard.locks.items())
        lines += [f"Account settings it locks (the simulator reports these actions as denied): {locked}.", ""]
    lines += [f"Source ({guard.source.kind}, checked {guard.source.checked}): {guard.source.reference}. "
              f"<{guard.source.url}>", ""]
    mapping = []
    if guard.mappings.practice:
        mapping.append(f"practice: [{guard.mappings.practice}](practices.md#{guard.mappings.practice})")
    if guard.mappings.cis_aws_foundations:
        mapping.append("CIS AWS Foundations: " + "; ".join(guard.mappings.cis_aws_foundations))
    if guard.mappings.nist_csf:
        mapping.append("NIST CSF: " + ", ".join(guard.mappings.nist_csf))
    if mapping:
        lines += ["Mappings: " + ". ".join(mapping) + ".", ""]
    lines += [f"Rendered with the library defaults ({len(minified):,} characters minified):", "", "```json",
              json.dumps(json.loads(minified), indent=2), "```", ""]
    return lines


def _policy_type_table() -> list[str]:
    from landingzone.policies.policy_types import POLICY_TYPES, policy_type

    lines = ["| policy type | per target | characters | AWS default on every target | partitions checked | source |",
             "|---|---|---|---|---|---|"]
    for name in POLICY_TYPES:
        info = policy_type(name)
        default = f"`{info.default_policy.name}` (counts)" if info.default_policy else "none"
        lines.append(f"| {info.label} (`{name}`) | {info.per_target} | {info.max_characters:,} | {default} | "
                     f"{', '.join(info.partitions)} | <{info.source_url}> (checked {info.checked}) |")
    return lines


def _global_services_section() -> list[str]:
    from landingzone.policies.global_services import global_patterns, sources

    entries = global_patterns()
    lines = ["## Global services of the region deny", "",
             f"`landingzone/policies/data/global-services.json` lists {len(entries)} action patterns a region deny "
             "must leave out; deny-unapproved-regions renders them into its NotAction and `landingzone policies "
             "lint` checks every region deny against them (REGION_DENY_WITHOUT_GLOBAL_EXEMPTIONS for the critical "
             "ones, REGION_DENY_BLOCKS_GLOBAL_SERVICES for the rest). Sources:", ""]
    for key, src in sources().items():
        count = sum(1 for e in entries if key in e.sources)
        lines.append(f"- {key} ({count} patterns, checked {src['checked']}): {src['reference']}. <{src['url']}>")
    critical = ", ".join(f"`{e.pattern}`" for e in entries if e.critical)
    lines += ["", f"Critical: {critical}.", ""]
    return lines


def render_reference(catalog: GuardrailCatalog | None = None) -> str:
    from landingzone.policies.lint import FINDING_IDS

    catalog = catalog or default_catalog()
    context = RenderContext()
    lines = [
        "# Guardrail reference",
        "",
        "<!-- Generated from landingzone/policies/*.json by `python -m landingzone.policies.docs --write "
        "docs/guardrails.md`. Do not edit by hand. -->",
        "",
        "Every guardrail is an AWS Organizations policy template with parameters: a service control policy (SCP), "
        "a resource control policy (RCP), a declarative policy for EC2 or an Organizations S3 policy. "
        "`landingzone policies show ID` prints it rendered (minified, as AWS counts it), `landingzone policies "
        "lint` checks policies against their type's grammar, the IAM action catalogue and the quotas, and "
        "`landingzone policies simulate` tells what the SCPs (for the caller) and RCPs (for the resource) of a "
        "configuration would allow. Defaults marked *from* come from the configuration; the examples below use "
        f"the library defaults (governed regions {', '.join(context.governed_regions)}, org-admin path "
        f"`{context.org_admin_path}`, access role `{context.access_role_name}`).",
        "",
        "Quotas per policy type (data: `landingzone/policies/data/policy-types.json`; the SCP values since "
        "2026-05-15, override them under `quotas:` for partitions still on 5 and 5,120):",
        "",
        *_policy_type_table(),
        "",
        "| id | type | title | characters |",
        "|---|---|---|---|",
    ]
    for guard in catalog:
        lines.append(f"| [{guard.id}](#{guard.id}) | {guard.type_label} | {_cell(guard.title)} | "
                     f"{len(guard.render()):,} |")
    lines.append("")
    for guard in catalog:
        lines += _guardrail_section(guard)
    lines += _global_services_section()
    lines += ["## Lint finding ids", "", "| id | meaning |", "|---|---|"]
    lines += [f"| `{fid}` | {_cell(summary)} |" for fid, summary in FINDING_IDS.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render_reference()
    if len(argv) == 2 and argv[0] == "--write":
        Path(argv[1]).write_text(text, encoding="utf-8")
        return 0
    if argv:
        print("usage: python -m landingzone.policies.docs [--write PATH]", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
