"""`landingzone audit`: discover the organization with boto3, run the checks, print a report, exit by threshold.

The work is in landingzone.discovery and landingzone.audit; boto3 loads only when the command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from landingzone import config as lzconfig
from landingzone.cli.app import app
from landingzone.cli.options import AuditFormat, FailOn, choice_option, err
from landingzone.constants import DEFAULT_ACCESS_ROLE_NAME, DEFAULT_ORG_ADMIN_PATH
from landingzone.errors import EXIT_AUDIT_FINDINGS, EXIT_AUDIT_INCOMPLETE, PreflightError


@app.command()
def audit(
    config: Annotated[Path, typer.Option("--config", "-c", help="Landing zone configuration (YAML); optional for "
                                         "the audit.")] = lzconfig.DEFAULT_CONFIG_PATH,
    output_format: Annotated[AuditFormat, choice_option(AuditFormat, "--format", "-f",
                                                        help_text="table, json, markdown or sarif.")]
    = AuditFormat.TABLE,
    fail_on: Annotated[FailOn, choice_option(FailOn, "--fail-on", help_text="Exit 7 when a finding is at least this "
                                             "severe: low, medium or high.")] = FailOn.HIGH,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here instead of "
                                                "standard output.")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="Governed region to read (repeatable); "
                                                     "default: the configuration's governed_regions.")] = None,
    access_role: Annotated[str | None, typer.Option(help="Role assumed in member accounts; default: the "
                                                    "configuration's access_role_name.")] = None,
    aws_endpoint: Annotated[str | None, typer.Option(help="Send every AWS call here (moto, LocalStack).")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile of the management account.")] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Accounts read at the same time.")] = 8,
    max_attempts: Annotated[int | None, typer.Option(min=1, max=10, help="Attempts per read (botocore adaptive "
                                                     "retries); default 5, or 2 with an endpoint override.")] = None,
) -> None:
    """Audit an AWS organization against the landing zone's practices: Organizations with all features, separate
    production and development accounts, an empty management account, the Security account as delegated
    administrator, an organization trail with a query layer, OUs with SCPs, protected /org-admin/ roles and
    role-based security groups. Reads only (boto3, the management account's credentials, member accounts through
    the access role). Uses the configuration when it exists (regions, account kinds, access role), else defaults
    and the options below. Every read is retried (adaptive, bounded); one still failing is listed as not visible
    and the checks that need it are not evaluated. Exits 7 when a finding is at or above --fail-on, otherwise 8
    when the audit is incomplete. AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> work like --aws-endpoint.

    Example:

        landingzone audit --config landingzone.yaml --format sarif --fail-on medium > audit.sarif
    """
    import boto3
    from botocore.exceptions import BotoCoreError, NoCredentialsError, NoRegionError

    from landingzone.audit import AuditContext, run_audit
    from landingzone.audit.model import AuditSettings, Severity
    from landingzone.audit.report import render
    from landingzone.discovery import DiscoveryOptions, DiscoveryProgress, discover

    threshold = Severity(fail_on.value)

    cfg = lzconfig.load_config(config) if config.exists() else None
    regions = tuple(region or (cfg.governed_regions if cfg else ["us-east-1"]))
    home = cfg.home_region if cfg else regions[0]
    options = DiscoveryOptions(
        home_region=home, regions=regions,
        access_role_name=access_role or (cfg.access_role_name if cfg else DEFAULT_ACCESS_ROLE_NAME),
        org_admin_path=cfg.org_admin.path if cfg else DEFAULT_ORG_ADMIN_PATH,
        endpoint_url=aws_endpoint or (cfg.aws.endpoint if cfg else None), max_workers=concurrency,
        max_attempts=max_attempts,
        identity_center_region=cfg.identity_center.region if cfg and cfg.identity_center else None)
    session = boto3.Session(profile_name=profile or (cfg.aws.profile if cfg else None), region_name=home)

    show = sys.stderr.isatty()

    def progress(p: DiscoveryProgress) -> None:
        if show:
            counter = f" {p.done}/{p.total}" if p.total else ""
            err.print(f"reading {p.step}{counter}", end="\r")

    try:
        found = discover(session, options, on_progress=progress)
    except NoCredentialsError:
        raise PreflightError("no AWS credentials for the management account",
                             fix="configure the standard credential chain or pass --profile") from None
    except NoRegionError:
        raise PreflightError("no AWS region", fix="pass --region or set home_region in the configuration") from None
    except BotoCoreError as exc:
        raise PreflightError(f"cannot reach AWS: {exc}", fix="check the network, --aws-endpoint and the "
                             "credentials (`landingzone doctor --action audit`)") from None
    if cfg is not None:
        ctx = AuditContext.from_config(found, cfg)
    else:  # regions named on the command line are the governed ones; without them none is configured
        ctx = AuditContext(found, settings=AuditSettings(org_admin_path=options.org_admin_path,
                                                         governed_regions=regions if region else None))
    report = run_audit(ctx)
    text = render(report, output_format.value, artifact_uri=config.as_posix())
    if output is not None:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output} ({len(report.findings)} finding(s))")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if report.not_visible:
        err.print(f"{len(report.not_visible)} read(s) gave nothing usable; the report lists what was not visible")
    if report.fails(threshold):
        raise typer.Exit(EXIT_AUDIT_FINDINGS)
    if not report.complete:
        err.print(f"incomplete audit: {len(report.not_evaluated)} check(s) not evaluated, "
                  f"{len(report.missing_reads)} needed read(s) missing (exit {EXIT_AUDIT_INCOMPLETE})")
        raise typer.Exit(EXIT_AUDIT_INCOMPLETE)
