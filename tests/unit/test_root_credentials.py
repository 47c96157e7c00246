"""Root credentials of member accounts through centralized root access.

Where moto stands in and where it cannot: the organization (member accounts, the management account left out,
names and ids) is a real moto server over HTTP. moto has no AssumeRoot (sts:AssumeRoot is not implemented) and
no root user whose password, access keys, MFA devices or signing certificates IAM could list or delete, so the
AssumeRoot call and the root session's IAM calls are botocore Stubbers: they check each request's exact
parameters (task policy ARN, duration, the ids deleted) against what AWS documents and answer as AWS does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests
from botocore.stub import Stubber

from landingzone.root_credentials import (
    AUDIT_TASK,
    DELETE_TASK,
    MemberAccount,
    RootCredentials,
    RootCredentialsClient,
    member_accounts,
    task_policy_arn,
)

REGION = "us-east-1"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def organization(moto_endpoint: str) -> dict[str, str]:
    # moto's state is per process: start from nothing (another module's in-process server may have built an
    # organization already).
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=30).raise_for_status()
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    org = session.client("organizations", endpoint_url=moto_endpoint)
    org.create_organization(FeatureSet="ALL")
    ids = {}
    for name in ("security", "production", "development"):
        ids[name] = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"][
            "AccountId"]
    return ids


def _organizations(endpoint: str) -> Any:
    return boto3.client("organizations", region_name=REGION, endpoint_url=endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_member_accounts_leave_the_management_account_out(moto_endpoint: str,
                                                          organization: dict[str, str]) -> None:
    accounts = member_accounts(_organizations(moto_endpoint))
    assert {a.name: a.id for a in accounts} == organization
    chosen = member_accounts(_organizations(moto_endpoint), ["production", organization["security"]])
    assert [a.name for a in chosen] == ["security", "production"]
    with pytest.raises(ValueError, match="'nope' is not an active member account"):
        member_accounts(_organizations(moto_endpoint), ["nope"])
    management = _organizations(moto_endpoint).describe_organization()["Organization"]["MasterAccountId"]
    with pytest.raises(ValueError, match="management account has no centralized root access"):
        member_accounts(_organizations(moto_endpoint), [management])


def _sts() -> tuple[Any, Stubber]:
    sts = boto3.client("sts", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return sts, Stubber(sts)


def _creds(n: int) -> dict[str, Any]:
    return {"AccessKeyId": f"ASIAROOTSESSION{n:05d}", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": NOW}


def _assume_root(stub: Stubber, account: str, task: str, n: int) -> None:
    stub.add_response("assume_root", {"Credentials": _creds(n)}, {
        "TargetPrincipal": account, "TaskPolicyArn": {"arn": f"arn:aws:iam::aws:policy/root-task/{task}"},
        "DurationSeconds": 900})


class RootIam:
    """IAM clients of root sessions, one Stubber each, keyed by the session's access key (which proves the
    calls use the AssumeRoot credentials and no others)."""

    def __init__(self) -> None:
        self.stubs: dict[str, Stubber] = {}
        self.clients: dict[str, Any] = {}

    def session(self, n: int) -> Stubber:
        key = _creds(n)["AccessKeyId"]
        client = boto3.client("iam", region_name=REGION, aws_access_key_id=key, aws_secret_access_key="s",
                              aws_session_token="t")
        self.clients[key] = client
        self.stubs[key] = Stubber(client)
        return self.stubs[key]

    def factory(self, credentials: dict[str, Any]) -> Any:
        key = credentials["aws_access_key_id"]
        self.stubs[key].activate()
        return self.clients[key]


def _holding(stub: Stubber, *, password: bool, keys: list[str], mfa: list[str], certs: list[str]) -> None:
    if password:
        stub.add_response("get_login_profile", {"LoginProfile": {"UserName": "root", "CreateDate": NOW}}, {})
    else:
        stub.add_client_error("get_login_profile", "NoSuchEntity", http_status_code=404)
    stub.add_response("list_access_keys", {"AccessKeyMetadata": [
        {"AccessKeyId": k, "Status": "Active", "CreateDate": NOW} for k in keys]}, {})
    stub.add_response("list_mfa_devices", {"MFADevices": [
        {"UserName": "root", "SerialNumber": m, "EnableDate": NOW} for m in mfa]}, {})
    stub.add_response("list_signing_certificates", {"Certificates": [
        {"UserName": "root", "CertificateId": c, "CertificateBody": "x", "Status": "Active"} for c in certs]}, {})


def test_inventory_reads_each_account_in_an_audit_task_session(moto_endpoint: str,
                                                               organization: dict[str, str]) -> None:
    accounts = member_accounts(_organizations(moto_endpoint))
    sts, sts_stub = _sts()
    iam = RootIam()
    holdings = {"security": {"password": False, "keys": [], "mfa": [], "certs": []},
                "production": {"password": True, "keys": ["AKIAROOTKEY000000001"],
                               "mfa": ["arn:aws:iam::1:mfa/root"], "certs": ["CERT00000000000000000001"]},
                "development": {"password": True, "keys": [], "mfa": [], "certs": []}}
    for n, acct in enumerate(accounts):
        _assume_root(sts_stub, acct.id, AUDIT_TASK, n)
        _holding(iam.session(n), **holdings[acct.name])
    client = RootCredentialsClient(sts, iam.factory, REGION)
    seen: list[tuple[int, int]] = []
    with sts_stub:
        # One at a time, so the AssumeRoot stub answers in order (the pool reads several at once otherwise).
        found = client.inventory(accounts, progress=lambda done, total: seen.append((done, total)), workers=1)
    sts_stub.assert_no_pending_responses()
    for stub in iam.stubs.values():
        stub.assert_no_pending_responses()
    by_name = {f.account.name: f for f in found}
    assert by_name["security"].count == 0
    prod = by_name["production"]
    assert prod.describe() == ["console password", "access key AKIA...0001",
                               "MFA device arn:aws:iam::1:mfa/root", "signing certificate CERT00000000000000000001"]
    assert by_name["development"].describe() == ["console password"]
    assert seen[-1] == (3, 3)


def test_a_refused_assume_root_is_reported_per_account_not_raised() -> None:
    sts, sts_stub = _sts()
    sts_stub.add_client_error("assume_root", "AccessDenied", "root sessions are not enabled", 403)
    client = RootCredentialsClient(sts, RootIam().factory, REGION)
    with sts_stub:
        (result,) = client.inventory([MemberAccount("222222222222", "production")])
    assert result.error is not None and "centralized root access is on" in result.error
    assert result.count == 0


def test_delete_removes_exactly_what_was_listed_in_a_delete_task_session() -> None:
    listed = RootCredentials(MemberAccount("222222222222", "production"), password=True,
                             access_keys=["AKIAROOTKEY000000001"], mfa_devices=["arn:aws:iam::1:mfa/root"],
                             signing_certificates=["CERT00000000000000000001"])
    nothing = RootCredentials(MemberAccount("333333333333", "security"))
    unreadable = RootCredentials(MemberAccount("444444444444", "development"), error="refused")
    sts, sts_stub = _sts()
    iam = RootIam()
    _assume_root(sts_stub, "222222222222", DELETE_TASK, 7)
    stub = iam.session(7)
    stub.add_response("deactivate_mfa_device", {}, {"SerialNumber": "arn:aws:iam::1:mfa/root"})
    stub.add_response("delete_access_key", {}, {"AccessKeyId": "AKIAROOTKEY000000001"})
    stub.add_response("delete_signing_certificate", {}, {"CertificateId": "CERT00000000000000000001"})
    stub.add_response("delete_login_profile", {}, {})
    client = RootCredentialsClient(sts, iam.factory, REGION)
    with sts_stub:
        results = list(client.delete_all([listed, nothing, unreadable]))
    stub.assert_no_pending_responses()
    assert results == [(listed, ["MFA device arn:aws:iam::1:mfa/root", "access key AKIA...0001",
                                 "signing certificate CERT00000000000000000001", "console password"], None)]


def test_a_failed_deletion_says_what_was_already_deleted() -> None:
    listed = RootCredentials(MemberAccount("222222222222", "production"), password=True,
                             access_keys=["AKIAROOTKEY000000001", "AKIAROOTKEY000000002"])
    sts, sts_stub = _sts()
    iam = RootIam()
    _assume_root(sts_stub, "222222222222", DELETE_TASK, 8)
    stub = iam.session(8)
    stub.add_response("delete_access_key", {}, {"AccessKeyId": "AKIAROOTKEY000000001"})
    stub.add_client_error("delete_access_key", "LimitExceeded", expected_params={"AccessKeyId": "AKIAROOTKEY000000002"})
    with sts_stub:
        ((_, done, error),) = list(RootCredentialsClient(sts, iam.factory, REGION).delete_all([listed]))
    assert done == ["access key AKIA...0001"]
    assert error == "deleting the access key AKIA...0002 failed (LimitExceeded)"


@pytest.mark.parametrize(("region", "prefix"), [("us-east-1", "arn:aws:"), ("cn-north-1", "arn:aws-cn:"),
                                                ("us-gov-west-1", "arn:aws-us-gov:"),
                                                ("eusc-de-east-1", "arn:aws-eusc:")])
def test_task_policies_are_in_the_regions_partition(region: str, prefix: str) -> None:
    assert task_policy_arn(AUDIT_TASK, region) == f"{prefix}iam::aws:policy/root-task/IAMAuditRootUserCredentials"
