"""`landingzone policies ...`: list, show, lint and simulate the guardrail library (SCPs, RCPs, declarative
policies for EC2, Organizations S3 policies); every command says which policy type it is about.

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
from landingzone.safeyaml import decode_config, read_config_bytes

policies = typer.Typer(
    name="policies",
    help="The guardrail library (SCPs, RCPs, declarative and S3 policies): list, show, lint and simulate."
         "\n\nExample:\n\n    landingzone policies list",
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
    """List the guardrails in the library: id, policy type, title, parameters and size with defaults.

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
    table.add_column("type", no_wrap=True)
    table.add_column("title", min_width=24, ratio=3)
    table.add_column("parameters", min_width=12, ratio=1, overflow="fold")
    table.add_column("chars", no_wrap=True, justify="right")
    for guard in catalog:
        params = ", ".join(p.name for p in guard.parameters) or "-"
        table.add_row(guard.id, guard.type_label, guard.title, params, str(len(guard.render())))
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
    """Print one guardrail's policy, rendered with its defaults and any --param, as minified JSON on stdout; its
    policy type (the --type to give `aws organizations create-policy`) goes to stderr.

    Example:

        landingzone policies show deny-unapproved-regions --param allowed_regions=eu-west-1,eu-central-1
    """
    from landingzone.policies.catalog import RenderContext, default_catalog

    cfg = load_optional_config(config)
    context = RenderContext.from_config(cfg) if cfg is not None else None
    guard = default_catalog().get(guardrail_id)
    text = guard.render(_parse_params(guardrail_id, param or []), context)
    typer.echo(f"{guardrail_id}: {guard.type_label} ({guard.policy_type})", err=True)
    from landingzone.policies.templates import PENDING_ORGANIZATION_ID

    if PENDING_ORGANIZATION_ID in text:
        typer.echo(f"note: {PENDING_ORGANIZATION_ID} stands for the organization's id, not known here; give "
                   "--param organization_id=o-... (or --config of an adopted organization) before submitting it",
                   err=True)
    print(json.dumps(json.loads(text), indent=2) if pretty else text)


POLICY_TYPE_NAMES = {"scp": "SERVICE_CONTROL_POLICY", "rcp": "RESOURCE_CONTROL_POLICY",
                     "declarative": "DECLARATIVE_POLICY_EC2", "s3": "S3_POLICY"}


MAX_POLICY_FILE_BYTES = 1024 * 1024
"""The most `policies lint` reads of one file or of stdin (a policy's own quota is 5,120 or 10,000 characters)."""


def _read_policy_file(path: Path) -> str:
    """A policy file's text, bounded like a configuration file: a regular file (or ``-``, stdin) of at most
    :data:`MAX_POLICY_FILE_BYTES`, UTF-8 without NUL bytes."""
    source = "<stdin>" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_POLICY_FILE_BYTES + 1)
            if len(data) > MAX_POLICY_FILE_BYTES:
                raise LandingZoneError(f"<stdin> holds more than {MAX_POLICY_FILE_BYTES:,} bytes; a policy file "
                                       f"may be at most {MAX_POLICY_FILE_BYTES:,} bytes (1 MiB)")
        else:
            data = read_config_bytes(path, limit=MAX_POLICY_FILE_BYTES, kind="policy file")
        return decode_config(data, source=source, kind="policy file")
    except ConfigError as exc:
        raise LandingZoneError(exc.problems[0].message if exc.problems else str(exc)) from None


def _detect_type(text: str) -> str:
    """The policy type a file's content is written for: the management policy types by their top-level key, an
    RCP by its Principal, an SCP otherwise."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return "SERVICE_CONTROL_POLICY"
    if isinstance(document, dict):
        if "ec2_attributes" in document:
            return "DECLARATIVE_POLICY_EC2"
        if "s3_attributes" in document:
            return "S3_POLICY"
        statements = document.get("Statement")
        statements = statements if isinstance(statements, list) else [statements]
        if any(isinstance(st, dict) and "Principal" in st for st in statements):
            return "RESOURCE_CONTROL_POLICY"
    return "SERVICE_CONTROL_POLICY"


@policies.command()
def lint(
    files: Annotated[list[Path] | None, typer.Argument(metavar="FILE...", help="Policy JSON files ('-' for "
                                                       "stdin).")] = None,
    config: OptionalConfigOption = None,
    plan: Annotated[bool, typer.Option("--plan", help="Also lint every policy the configuration plans, its "
                                       "attachments per target and its exemptions.")] = False,
    policy_type: Annotated[str, typer.Option("--type", help="Policy type of the files: scp, rcp, declarative, s3, "
                                             "or auto (by content: a Principal makes an RCP).")] = "auto",
) -> None:
    """Lint policy files: JSON and each type's grammar (SCP; RCP: Principal "*", Deny only, supported services;
    declarative and S3 policies against their schema), actions against the IAM catalogue, condition operators and
    keys, size against the type's quota, region denies against the global-services list, lock-out denies. With
    --plan, lint the configuration's planned policies, attachments per target and policy type, and exemptions that
    no guardrail protects. Exits 1 when a finding is an error.

    Example:

        landingzone policies lint my-scp.json --config landingzone.yaml
    """
    from landingzone.policies.catalog import RenderContext, default_catalog, plan_attachments
    from landingzone.policies.lint import PolicyFinding, lint_guardrail
    from landingzone.policies.lint import lint as lint_policy
    from landingzone.policies.lint_plan import lint_attachments, lint_exemptions
    from landingzone.policies.policy_types import policy_type as type_info

    if policy_type != "auto" and policy_type not in POLICY_TYPE_NAMES:
        raise LandingZoneError(f"--type {policy_type!r}: choose one of auto, {', '.join(POLICY_TYPE_NAMES)}")
    cfg = load_optional_config(config)
    if not files and not plan:
        raise LandingZoneError("nothing to lint: give policy files, or --plan to lint the configuration's policies")
    if plan and cfg is None:
        raise LandingZoneError("--plan needs a configuration: pass --config PATH (no ./landingzone.yaml found)")
    context = RenderContext.from_config(cfg) if cfg is not None else RenderContext()
    quotas = cfg.quotas if cfg is not None else None
    reports: list[tuple[str, list[PolicyFinding]]] = []
    for path in files or []:
        text = _read_policy_file(path)
        type_name = _detect_type(text) if policy_type == "auto" else POLICY_TYPE_NAMES[policy_type]
        reports.append((f"{path} ({type_info(type_name).label})",
                        lint_policy(text, quotas=quotas, admin_principals=context.admin_principal_arns,
                                    policy_type_name=type_name, organization_id=context.organization_id)))
    if plan and cfg is not None:
        catalog = default_catalog()
        attachment_plan = plan_attachments(cfg, catalog)
        for planned in attachment_plan.policies:
            guard = catalog.get(planned.guardrail_id)
            reports.append((f"{planned.key} (planned {guard.type_label})",
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
    account: Annotated[str | None, typer.Option("--account", help="Account name or id the caller is in (a "
                                                "principal of the organization; SCPs apply).")] = None,
    ou: Annotated[str | None, typer.Option("--ou", help="OU path, for a caller in a new account placed in that "
                                           "OU.")] = None,
    resource_account: Annotated[str | None, typer.Option("--resource-account", help="Account name or id that owns "
                                                         "the resource: the RCPs on its path apply.")] = None,
    resource_ou: Annotated[str | None, typer.Option("--resource-ou", help="OU path, for a resource in a new "
                                                    "account placed in that OU.")] = None,
    region: Annotated[str | None, typer.Option("--region", "-r", help="Requested region (aws:RequestedRegion).")]
    = None,
    resource: Annotated[str, typer.Option("--resource", help="ARN the request acts on; guardrails scoped to "
                                          "resources match it literally.")] = "*",
    context: Annotated[list[str] | None, typer.Option("--context", help="Extra request context KEY=VALUE, e.g. "
                                                      "ec2:MetadataHttpTokens=required. Repeat as needed.")] = None,
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
) -> None:
    """Would this request be denied? SCPs for a caller in the organization (--account or --ou: root -> OUs ->
    account, a Deny anywhere wins, every level must allow), then RCPs for the resource (--resource-account or
    --resource-ou: would this request to this resource be denied, for a principal inside or outside the
    organization?); account settings locked by declarative and S3 policies count as denied. The management
    account and service-linked roles are exempt. Prints the decision, the policy type, and the policy and statement
    that decided.

    Example:

    \b
        landingzone policies simulate --action ec2:RunInstances \\
            --principal arn:aws:iam::111122223333:role/dev --account production --region eu-west-1

    \b
        landingzone policies simulate --action s3:GetObject \\
            --principal arn:aws:iam::444455556666:role/partner --resource-account log-archive \\
            --resource arn:aws:s3:::acme-landing-zone-org-trail-x/AWSLogs/log.gz
    """
    from landingzone.policies.policy_types import policy_type as type_info
    from landingzone.policies.resource_simulator import simulate_request
    from landingzone.policies.simulator import PolicyTree

    if account is not None and ou is not None:
        raise LandingZoneError("give at most one of --account (name or id) or --ou (path) for the caller")
    if resource_account is not None and resource_ou is not None:
        raise LandingZoneError("give at most one of --resource-account or --resource-ou for the resource")
    if account is None and ou is None and resource_account is None and resource_ou is None:
        raise LandingZoneError("give exactly one of --account (name or id) or --ou (path) for a caller in the "
                               "organization, and/or --resource-account / --resource-ou for the resource's RCPs")
    extra: dict[str, Any] = {}
    for pair in context or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise LandingZoneError(f"--context: {pair!r} is not KEY=VALUE")
        extra.setdefault(key, []).append(value)
    request = {k: v[0] if len(v) == 1 else v for k, v in extra.items()}
    cfg = lzconfig.load_config(config)
    verdict = simulate_request(action, principal, tree=PolicyTree.from_config(cfg), account=account, ou=ou,
                               resource_account=resource_account, resource_ou=resource_ou, region=region,
                               resource=resource, context=request)
    if as_json:
        print(json.dumps({"decision": verdict.decision, "policy": verdict.policy, "policy_type": verdict.policy_type,
                          "statement_sid": verdict.statement_sid, "level": verdict.level,
                          "reason": verdict.reason, "allowed_by": dict(verdict.allowed_by)}, indent=2))
        return
    decided = f" by {verdict.policy} ({verdict.statement_sid})" if verdict.policy else ""
    where = f" at {verdict.level}" if verdict.level else ""
    kind = f" [{type_info(verdict.policy_type).label}]" if verdict.policy_type else ""
    out.print(f"{verdict.decision.upper()}{decided}{where}{kind}", markup=False)
    out.print(f"  {verdict.reason}", markup=False)
