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
    lines = [f"## {guard.id}", "", f"**{guard.title}**", "", guard.description, ""]
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
    lines += [f"Source ({guard.source.kind}): {guard.source.reference}. <{guard.source.url}>", ""]
    mapping = []
    if guard.mappings.seed:
        mapping.append(f"seed: {guard.mappings.seed}")
    if guard.mappings.cis_aws_foundations:
        mapping.append("CIS AWS Foundations: " + "; ".join(guard.mappings.cis_aws_foundations))
    if guard.mappings.nist_csf:
        mapping.append("NIST CSF: " + ", ".join(guard.mappings.nist_csf))
    if mapping:
        lines += ["Mappings: " + ". ".join(mapping) + ".", ""]
    lines += [f"Rendered with the library defaults ({len(minified):,} characters minified):", "", "```json",
              json.dumps(json.loads(minified), indent=2), "```", ""]
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
        "Every guardrail is a service control policy (SCP) template with parameters. `landingzone policies show "
        "ID` prints it rendered (minified, as AWS counts it), `landingzone policies lint` checks policies against "
        "the IAM action catalogue and the quotas, and `landingzone policies simulate` tells what the SCPs of a "
        "configuration would allow. Defaults marked *from* come from the configuration; the examples below use "
        f"the library defaults (governed regions {', '.join(context.governed_regions)}, org-admin path "
        f"`{context.org_admin_path}`, access role `{context.access_role_name}`).",
        "",
        "Quotas (since 2026-05-15): 10 SCPs attached directly per root, OU or account, FullAWSAccess included; "
        "10,240 characters per SCP. Override them under `quotas:` for partitions still on 5 and 5,120.",
        "",
        "| id | title | characters |",
        "|---|---|---|",
    ]
    for guard in catalog:
        lines.append(f"| [{guard.id}](#{guard.id}) | {_cell(guard.title)} | {len(guard.render()):,} |")
    lines.append("")
    for guard in catalog:
        lines += _guardrail_section(guard)
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
