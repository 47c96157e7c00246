"""`landingzone root-credentials`: list member accounts' root credentials, delete them only with --yes.

The work is in landingzone.root_credentials (AssumeRoot sessions with AWS's task policies); boto3 loads only when
the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from landingzone import config as lzconfig
from landingzone.cli.app import app
from landingzone.cli.options import err, out
from landingzone.errors import EXIT_FAILURE, PreflightError, UsageError


@app.command("root-credentials")
def root_credentials(
    config: Annotated[Path, typer.Option("--config", "-c", help="Landing zone configuration (YAML); its home "
                                         "region, profile and endpoint are used when it exists.")]
    = lzconfig.DEFAULT_CONFIG_PATH,
    account: Annotated[list[str] | None, typer.Option("--account", "-a", help="Only this member account (name or "
                                                      "id; repeatable). Default: every active member account.")]
    = None,
    yes: Annotated[bool, typer.Option("--yes", help="Delete the root credentials listed (after listing them). "
                                      "Without it nothing is deleted.")] = False,
    aws_endpoint: Annotated[str | None, typer.Option(help="Send every AWS call here (moto, LocalStack).")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile of the management account.")] = None,
) -> None:
    """List the root user credentials that exist in member accounts (console password, access keys, MFA devices,
    signing certificates), read through centralized root access: a short AssumeRoot session per account with
    AWS's IAMAuditRootUserCredentials task policy, from the management account. With --yes, first shows what it
    will delete, then deletes exactly that in an IAMDeleteRootUserCredentials session per account. Needs
    centralized root access on (stage governance, governance.root_access.centralized; docs/practices.md
    root-access). Exits 1 when a deletion failed (the output says what was deleted before it).

    Example:

        landingzone root-credentials --account production
        landingzone root-credentials --account production --yes
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from landingzone.root_credentials import RootCredentialsClient, member_accounts

    cfg = lzconfig.load_config(config) if config.exists() else None
    region = cfg.home_region if cfg else "us-east-1"
    endpoint = aws_endpoint or (cfg.aws.endpoint if cfg else None)
    session = boto3.Session(profile_name=profile or (cfg.aws.profile if cfg else None), region_name=region)
    try:
        accounts = member_accounts(session.client("organizations", region_name=region, endpoint_url=endpoint),
                                   account or [])
        client = RootCredentialsClient.from_session(session, region, endpoint)
        total = len(accounts)
        listed = client.inventory(accounts, progress=lambda done, _n: err.print(
            f"reading root credentials {done}/{total}", end="\r") if err.is_terminal else None)
    except ValueError as exc:
        raise UsageError(f"--account: {exc}") from None
    except NoCredentialsError:
        raise PreflightError("no AWS credentials for the management account",
                             fix="configure the standard credential chain or pass --profile") from None
    except (BotoCoreError, ClientError) as exc:
        raise PreflightError(f"cannot list the organization's accounts: {exc}",
                             fix="run this with the management account's credentials") from None

    holding = [c for c in listed if c.error is None and c.count]
    unreadable = [c for c in listed if c.error is not None]
    for creds in listed:
        who = f"{creds.account.name} ({creds.account.id})"
        if creds.error is not None:
            out.print(f"{who}: not readable: {creds.error}", markup=False)
        elif not creds.count:
            out.print(f"{who}: no root credentials", markup=False)
        else:
            out.print(f"{who}: " + "; ".join(creds.describe()), markup=False)
    count = sum(c.count for c in holding)
    summary = f"{count} root credential(s) in {len(holding)} of {len(listed)} account(s)"
    if unreadable:
        summary += f"; {len(unreadable)} account(s) not readable (nothing is deleted there)"
    if not yes or not holding:
        err.print(f"{summary}." + (" Nothing was deleted; run again with --yes to delete exactly these."
                                   if holding else ""), markup=False)
        return

    err.print(f"{summary}. Deleting them:", markup=False)
    for creds in holding:
        err.print(f"  {creds.account.name}: " + "; ".join(creds.describe()), markup=False)
    failed = False
    for creds, done, error in client.delete_all(holding):
        if done:
            out.print(f"{creds.account.name}: deleted " + "; ".join(done), markup=False)
        if error is not None:
            failed = True
            out.print(f"{creds.account.name}: FAILED: {error}; what is not listed as deleted above is still there",
                      markup=False)
    if failed:
        raise typer.Exit(EXIT_FAILURE)
