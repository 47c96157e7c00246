"""`landingzone policies ...`: list, show, lint and simulate the guardrail library's SCPs.

A thin layer over landingzone.policies (catalog, lint, simulator). Rendered policies go to stdout
(so `show` can be piped into a file or `aws organizations create-policy`), everything else to stderr or stdout
as a report.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from landingzone import config as lzconfig
from landingzone.cli.app import app
from landingzone.cli.options import ConfigOption, OptionalConfigOption, load_optional_config, out
from landingzone.errors import EXIT_FAILURE, ConfigError, ConfigProblem, LandingZoneError

policies = typer.Typer(
    name="policies",
    help="The guardrail (SCP) library: list, show, lint and simulate.\n\nExample:\n\n    landingzone policies list",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(policies, name="policies")


def _parse_params(gid: str, pairs: list[str]) -> dict[str, Any]:
    from landingzone.policies.catalog import LIST_TYPES, default_catalog

    guard = default_catalog().get(gid)
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise ConfigError([ConfigProblem("--param", f"{pair!r} is not NAME=VALUE", pair)])
        try:
            kind = guard.parameter(name).type
        except KeyError:
            known = ", ".join(p.name for p in guard.parameters) or "none"
            raise ConfigError([ConfigProblem(f"--param {name}", f"{gid} has no parameter {name!r} (parameters: "
                                             f"{known})", pair)]) from None
        value: Any = text
        if kind in LIST_TYPES:
            value = json.loads(text) if text.startswith("[") else [v.strip() for v in text.split(",") if v.strip()]
        elif kind == "integer":
            try:
                value = int(text)
            except ValueError:
                raise ConfigError([ConfigProblem(f"--param {name}", f"{text!r} is not an integer", text)]) from None
        params[name] = value
    return params


@policies.command("list")
def list_guardrails(
    as_json: Annotated[bool, typer.Option("--json", help="Print the metadata as JSON.")] = False,
) -> None:
    """List the guardrails in the library: id, title, parameters and size with defaults.

    Example:

        landingzone policies list
    """
    from landingzone.policies.catalog import default_catalog

    catalog = default_catalog()
    if as_json:
        print(json.dumps([g.model_dump(mode="json", exclude={"template"}) for g in catalog], indent=2))
        return
    table = Table(show_lines=False)
    table.add_column("id", no_wrap=True)
    for column in ("title", "parameters", "chars"):
        table.add_column(column)
    for guard in catalog:
        params = ", ".join(p.name for p in guard.parameters) or "-"
        table.add_row(guard.id, guard.title, params, str(len(guard.render())))
    out.print(table)


@policies.command()
def show(
    guardrail_id: Annotated[str, typer.Argument(metavar="ID", help="Guardrail id (see `landingzone policies list`).")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE; lists as a,b or JSON. "
                                                    "Repeat for several parameters.")] = None,
    config: OptionalConfigOption = None,
    pretty: Annotated[bool, typer.Option("--pretty", help="Indent the JSON for reading (AWS counts the "
                                         "whitespace; submit the minified form).")] = False,
) -> None:
    """Print one guardrail's policy, rendered with its defaults and any --param, as minified JSON on stdout.

    Example:

        landingzone policies show deny-unapproved-regions --param allowed_regions=eu-west-1,eu-central-1
    """
    from landingzone.policies.catalog import RenderContext, default_catalog

    cfg = load_optional_config(config)
    context = RenderContext.from_config(cfg) if cfg is not None else None
    text = default_catalog().render(guardrail_id, _parse_params(guardrail_id, param or []), context)
    print(json.dumps(json.loads(text), indent=2) if pretty else text)


@policies.command()
def lint(
    files: Annotated[list[Path] | None, typer.Argument(metavar="FILE...", help="SCP JSON files ('-' for stdin).")]
    = None,
    config: OptionalConfigOption = None,
    plan: Annotated[bool, typer.Option("--plan", help="Also lint every SCP the configuration plans and its "
                                       "attachments per target.")] = False,
) -> None:
    """Lint SCP files: JSON and SCP grammar, actions against the IAM catalogue, condition operators and keys, size
    against the quota, region denies without global exemptions, lock-out denies. With --plan, lint the
    configuration's planned SCPs and attachments per target. Exits 1 when a finding is an error.

    Example:

        landingzone policies lint my-scp.json --config landingzone.yaml
    """
    from landingzone.policies.catalog import RenderContext, default_catalog, plan_attachments
    from landingzone.policies.lint import PolicyFinding, lint_guardrail
    from landingzone.policies.lint import lint as lint_policy
    from landingzone.policies.lint_plan import lint_attachments, lint_exemptions

    cfg = load_optional_config(config)
    if not files and not plan:
        raise LandingZoneError("nothing to lint: give SCP files, or --plan to lint the configuration's SCPs")
    if plan and cfg is None:
        raise LandingZoneError("--plan needs a configuration: pass --config PATH (no ./landingzone.yaml found)")
    context = RenderContext.from_config(cfg) if cfg is not None else RenderContext()
    quotas = cfg.quotas if cfg is not None else None
    reports: list[tuple[str, list[PolicyFinding]]] = []
    for path in files or []:
        if str(path) == "-":
            text = sys.stdin.read()
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise LandingZoneError(f"cannot read {path}: {exc.strerror or exc}") from None
        reports.append((str(path), lint_policy(text, quotas=quotas, admin_principals=context.admin_principal_arns)))
    if plan and cfg is not None:
        catalog = default_catalog()
        attachment_plan = plan_attachments(cfg, catalog)
        for planned in attachment_plan.policies:
            guard = catalog.get(planned.guardrail_id)
            reports.append((f"{planned.key} (planned)",
                            lint_guardrail(guard, planned.parameters, context, quotas=quotas)))
        reports.append(("attachments (planned)", lint_attachments(attachment_plan, cfg.quotas)))
        reports.append(("exemptions (planned)", lint_exemptions(cfg, attachment_plan, catalog)))
    errors = 0
    for name, findings in reports:
        if not findings:
            out.print(f"{name}: clean")
            continue
        for finding in findings:
            if finding.accepted is not None:
                out.print(f"{name}: accepted {finding.id}: {finding.accepted}")
                continue
            errors += finding.severity == "error"
            where = f" ({finding.location})" if finding.location else ""
            out.print(f"{name}: {finding.severity} {finding.id}{where}: {finding.message}", markup=False)
            out.print(f"  fix: {finding.fix}", markup=False)
    if errors:
        out.print(f"{errors} error(s).")
        raise typer.Exit(EXIT_FAILURE)


@policies.command()
def simulate(
    action: Annotated[str, typer.Option("--action", "-a", help="IAM action, e.g. iam:UpdateRole.")],
    principal: Annotated[str, typer.Option("--principal", help="ARN of the calling principal (role, user, "
                                           "assumed-role session or root).")],
    account: Annotated[str | None, typer.Option("--account", help="Account name or id the request is made in.")]
    = None,
    ou: Annotated[str | None, typer.Option("--ou", help="OU path, for a new account placed in that OU.")] = None,
    region: Annotated[str | None, typer.Option("--region", "-r", help="Requested region (aws:RequestedRegion).")]
    = None,
    resource: Annotated[str, typer.Option("--resource", help="ARN the request acts on; guardrails scoped to "
                                          "resources match it literally.")] = "*",
    context: Annotated[list[str] | None, typer.Option("--context", help="Extra request context KEY=VALUE, e.g. "
                                                      "ec2:MetadataHttpTokens=required. Repeat as needed.")] = None,
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
) -> None:
    """Would the configuration's SCPs allow this request? Walks root -> OUs -> account: a Deny anywhere wins, every
    level must allow; the management account and service-linked roles are exempt. Prints the decision and the policy
    and statement that decided.

    Example:

    \b
        landingzone policies simulate --action ec2:RunInstances \\
            --principal arn:aws:iam::111122223333:role/dev --account production --region eu-west-1
    """
    from landingzone.policies.simulator import PolicyTree
    from landingzone.policies.simulator import simulate as run_simulation

    if (account is None) == (ou is None):
        raise LandingZoneError("give exactly one of --account (name or id) or --ou (path)")
    extra: dict[str, Any] = {}
    for pair in context or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise LandingZoneError(f"--context: {pair!r} is not KEY=VALUE")
        extra.setdefault(key, []).append(value)
    request = {k: v[0] if len(v) == 1 else v for k, v in extra.items()}
    cfg = lzconfig.load_config(config)
    verdict = run_simulation(action, principal, account, region=region, resource=resource, context=request,
                             tree=PolicyTree.from_config(cfg), ou=ou)
    if as_json:
        print(json.dumps({"decision": verdict.decision, "policy": verdict.policy,
                          "statement_sid": verdict.statement_sid, "level": verdict.level,
                          "reason": verdict.reason, "allowed_by": dict(verdict.allowed_by)}, indent=2))
        return
    decided = f" by {verdict.policy} ({verdict.statement_sid})" if verdict.policy else ""
    where = f" at {verdict.level}" if verdict.level else ""
    out.print(f"{verdict.decision.upper()}{decided}{where}", markup=False)
    out.print(f"  {verdict.reason}", markup=False)
