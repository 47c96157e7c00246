"""Root credentials of member accounts, listed and deleted through centralized root access (practice
`root-access` in docs/practices.md).

With IAM's RootCredentialsManagement feature on (stage governance), the management account opens a short
AssumeRoot session in a member account, limited by one of AWS's task policies, and acts as that account's root
user: :data:`AUDIT_TASK` lists the root user's password, access keys, MFA devices and signing certificates;
:data:`DELETE_TASK` deletes them. Nothing is deleted unless the caller asks for it (`landingzone root-credentials
--yes`), and the listing that comes first is what gets deleted.

The boto3 session is injected; clients are made per call, never at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from landingzone.config import partition

AUDIT_TASK = "IAMAuditRootUserCredentials"
"""AWS task policy that lets an AssumeRoot session read the root user's credentials."""
DELETE_TASK = "IAMDeleteRootUserCredentials"
"""AWS task policy that lets an AssumeRoot session delete the root user's credentials."""
SESSION_SECONDS = 900
"""AssumeRoot sessions last at most 15 minutes."""
MAX_WORKERS = 8
"""Accounts read at once (each needs its own AssumeRoot session)."""

IamFactory = Callable[[dict[str, Any]], Any]
"""Credentials of an AssumeRoot session -> an IAM client acting as that account's root user."""


def key_label(key_id: str) -> str:
    """An access key id as shown to people: its prefix and last four characters (as the IAM console shows it;
    the command's output is redacted of whole key ids anyway)."""
    return f"{key_id[:4]}...{key_id[-4:]}" if len(key_id) > 8 else key_id


def task_policy_arn(task: str, region: str) -> str:
    """ARN of an AWS root task policy in the partition of ``region``."""
    return f"arn:{partition(region)}:iam::aws:policy/root-task/{task}"


@dataclass(frozen=True)
class MemberAccount:
    id: str
    name: str


@dataclass
class RootCredentials:
    """What a member account's root user holds."""

    account: MemberAccount
    password: bool = False
    """A console password (login profile) exists."""
    access_keys: list[str] = field(default_factory=list)
    """Access key ids."""
    mfa_devices: list[str] = field(default_factory=list)
    """MFA device serial numbers."""
    signing_certificates: list[str] = field(default_factory=list)
    """Signing certificate ids."""
    error: str | None = None
    """Why the account could not be read (AssumeRoot refused, the feature off, ...); nothing else is known."""

    @property
    def count(self) -> int:
        return int(self.password) + len(self.access_keys) + len(self.mfa_devices) + len(self.signing_certificates)

    def describe(self) -> list[str]:
        """One line per credential, as the command shows them before deleting."""
        lines = ["console password"] if self.password else []
        lines += [f"access key {key_label(k)}" for k in self.access_keys]
        lines += [f"MFA device {m}" for m in self.mfa_devices]
        lines += [f"signing certificate {c}" for c in self.signing_certificates]
        return lines


class RootAccessError(Exception):
    """AssumeRoot or a root-session call was refused; the message says what to check."""


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def member_accounts(organizations: Any, only: Iterable[str] = ()) -> list[MemberAccount]:
    """Active member accounts (never the management account), optionally only those named or numbered in
    ``only``; an unknown name or id raises ValueError naming it."""
    management = organizations.describe_organization()["Organization"]["MasterAccountId"]
    found: list[MemberAccount] = []
    for page in organizations.get_paginator("list_accounts").paginate():
        for acct in page["Accounts"]:
            status = acct.get("State") or acct.get("Status")
            if acct["Id"] != management and status == "ACTIVE":
                found.append(MemberAccount(acct["Id"], acct["Name"]))
    wanted = list(only)
    if not wanted:
        return found
    chosen = [a for a in found if a.id in wanted or a.name in wanted]
    missing = [w for w in wanted if not any(w in (a.id, a.name) for a in chosen)]
    if missing:
        raise ValueError(f"{', '.join(map(repr, missing))} is not an active member account of the organization "
                         "(name or twelve-digit id; the management account has no centralized root access)")
    return chosen


def root_session(sts: Any, account_id: str, task: str, region: str) -> dict[str, Any]:
    """Credentials of an AssumeRoot session in ``account_id`` limited to ``task``."""
    try:
        creds = sts.assume_root(TargetPrincipal=account_id,
                                TaskPolicyArn={"arn": task_policy_arn(task, region)},
                                DurationSeconds=SESSION_SECONDS)["Credentials"]
    except ClientError as exc:
        raise RootAccessError(f"AssumeRoot into {account_id} was refused ({_code(exc)}): check that centralized "
                              "root access is on (stage governance, governance.root_access.centralized) and that "
                              "you run this as the management account") from None
    return {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}


def read_root_credentials(iam: Any, account: MemberAccount) -> RootCredentials:
    """The root user's credentials, read in an AssumeRoot session (calls without a user name act on root)."""
    found = RootCredentials(account)
    try:
        iam.get_login_profile()
        found.password = True
    except ClientError as exc:
        if _code(exc) != "NoSuchEntity":
            raise
    found.access_keys = [k["AccessKeyId"] for k in iam.list_access_keys().get("AccessKeyMetadata", [])]
    found.mfa_devices = [d["SerialNumber"] for d in iam.list_mfa_devices().get("MFADevices", [])]
    found.signing_certificates = [c["CertificateId"]
                                  for c in iam.list_signing_certificates().get("Certificates", [])]
    return found


def delete_root_credentials(iam: Any, creds: RootCredentials) -> tuple[list[str], str | None]:
    """Delete what ``creds`` lists (and nothing else), in the order AWS needs: MFA devices, access keys,
    signing certificates, then the password. Returns what was deleted, one line each, and the error that stopped
    it (None when everything listed is gone): a failure never hides what was already deleted."""
    steps: list[tuple[str, Callable[[], Any]]] = []
    for serial in creds.mfa_devices:
        steps.append((f"MFA device {serial}", partial(iam.deactivate_mfa_device, SerialNumber=serial)))
    for key in creds.access_keys:
        steps.append((f"access key {key_label(key)}", partial(iam.delete_access_key, AccessKeyId=key)))
    for cert in creds.signing_certificates:
        steps.append((f"signing certificate {cert}", partial(iam.delete_signing_certificate, CertificateId=cert)))
    if creds.password:
        steps.append(("console password", iam.delete_login_profile))
    done: list[str] = []
    for what, call in steps:
        try:
            call()
        except ClientError as exc:
            return done, f"deleting the {what} failed ({_code(exc)})"
        done.append(what)
    return done, None


@dataclass
class RootCredentialsClient:
    """Lists and deletes member accounts' root credentials from the management account."""

    sts: Any
    """An STS client of the management account, in a region (AssumeRoot has no global endpoint)."""
    iam_factory: IamFactory
    region: str

    @classmethod
    def from_session(cls, session: Any, region: str, endpoint_url: str | None = None) -> RootCredentialsClient:
        def iam(credentials: dict[str, Any]) -> Any:
            return session.client("iam", region_name=region, endpoint_url=endpoint_url, **credentials)

        return cls(session.client("sts", region_name=region, endpoint_url=endpoint_url), iam, region)

    def _one(self, account: MemberAccount) -> RootCredentials:
        try:
            iam = self.iam_factory(root_session(self.sts, account.id, AUDIT_TASK, self.region))
            return read_root_credentials(iam, account)
        except RootAccessError as exc:
            return RootCredentials(account, error=str(exc))
        except ClientError as exc:
            return RootCredentials(account, error=f"reading the root user's credentials failed ({_code(exc)})")

    def inventory(self, accounts: list[MemberAccount], progress: Callable[[int, int], None] | None = None, *,
                  workers: int = MAX_WORKERS) -> list[RootCredentials]:
        """Each account's root credentials, in the order given (``workers`` accounts read at a time)."""
        results: list[RootCredentials] = []
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(accounts)))) as pool:
            for i, result in enumerate(pool.map(self._one, accounts), start=1):
                results.append(result)
                if progress is not None:
                    progress(i, len(accounts))
        return results

    def delete(self, creds: RootCredentials) -> tuple[list[str], str | None]:
        """Delete one account's listed root credentials in a session limited to the delete task: what was
        deleted, and the error that stopped it (None when all of it is gone)."""
        try:
            iam = self.iam_factory(root_session(self.sts, creds.account.id, DELETE_TASK, self.region))
        except RootAccessError as exc:
            return [], str(exc)
        return delete_root_credentials(iam, creds)

    def delete_all(self, listed: list[RootCredentials]) -> Iterator[tuple[RootCredentials, list[str], str | None]]:
        """For each account that holds credentials: (listing, what was deleted, error or None)."""
        for creds in listed:
            if creds.error is None and creds.count:
                yield creds, *self.delete(creds)
