"""Build an AWS organization in a moto server, to every practice or with one practice broken.

Used by tests/audit, benchmarks/audit_scale.py and scripts/compare_prowler.py. Everything goes through boto3 over
HTTP to the server, with documented exceptions where moto cannot do what AWS does: delegated administrators moto
refuses (``register_cloudtrail_admin``), and IAM's centralized root access and the root users' MFA and access keys
(tests/audit/moto_bridge.py).

Network ACLs: moto gives every VPC a default ACL admitting all traffic, as AWS does; the well-built organization
puts inbound denies for TCP and UDP 22 and 3389 ahead of it (``close_admin_ports_in_nacls``), and the
``nacl-open-admin-ports`` break leaves the production account's as AWS makes it.

Default security groups: moto creates each VPC's default group with an allow-all egress rule and *no* ingress
rule, while AWS also adds a self-referencing ingress rule. The well-built organization removes every rule from
every default group (what CIS 5.4/5.5/6.5 asks, and what one must do on AWS as well), so the zero-findings test
does not depend on moto's missing ingress rule; the ``aws-default-sg`` break adds the self-referencing ingress rule
AWS creates and expects LZ-NET-004.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import boto3

from landingzone.policies.catalog import RenderContext, default_catalog
from tests.audit import moto_bridge
from tests.audit.moto_services import SERVICE_BREAKS, build_config_recording, build_security_services

MANAGEMENT_ACCOUNT = "123456789012"  # moto's default account: the caller, and so the management account
HOME = "us-east-1"
ACCESS_ROLE = "OrganizationAccountAccessRole"
ADMIN_PATH = "/org-admin/"
ADMIN_ROLE = "LandingZoneAdministrator"
TRAIL = "organization-trail"

BREAKS = frozenset({
    "imds-optional",
    "feature-set-billing", "no-development-account", "prod-dev-same-ou", "prod-at-root", "mgmt-workload",
    "mgmt-iam-users", "no-cloudtrail-admin", "guardduty-to-production", "no-org-trail", "single-region-trail",
    "trail-stopped", "no-log-validation", "no-kms", "public-trail-bucket", "no-access-logging", "no-query-layer",
    "workload-ou-without-scps", "missing-admin-role", "unprotected-admin-roles", "ssh-from-internet",
    "rdp-from-ipv6-internet", "internal-cidr-rule", "aws-default-sg", "example-only-protection",
    "no-security-contact", "no-root-sessions",
    # issue 13
    "scps-disabled", "no-root-mfa", "root-access-keys", "trail-write-only",
    "trail-bucket-unversioned", "trail-bucket-allows-http", "trail-key-not-rotated", "no-region-deny",
    "nacl-open-admin-ports", "mgmt-data-and-api-workloads", "udp-rdp-from-internet", "internal-wide-private-range",
    "internal-private-outside-vpcs",
    "no-identity-center", "member-iam-user", "mgmt-assignment",
    "ebs-encryption-off", "no-account-bpa",
}) | SERVICE_BREAKS

ADMIN_PORT_DENIES = [(rule, proto, port) for rule, (proto, port) in enumerate(
    [("6", 22), ("6", 3389), ("17", 22), ("17", 3389)], start=50)]
"""Inbound deny entries put ahead of each default network ACL's allow-all entry (CIS 5.1 / 5.2 / 6.2)."""

GUARDRAIL_CONTEXT = RenderContext(governed_regions=(HOME,), org_admin_path=ADMIN_PATH, access_role_name=ACCESS_ROLE,
                                  trail_name=TRAIL)
"""The SCPs come from the landing zone's own guardrail library, rendered as stage `guardrails` would."""


@dataclass
class BuiltOrganization:
    endpoint: str
    organization_id: str
    root_id: str
    ou_ids: dict[str, str] = field(default_factory=dict)
    account_ids: dict[str, str] = field(default_factory=dict)
    trail_bucket: str = ""


def _single_host(request: Any, **_: Any) -> None:
    """S3 Control puts the account id in front of the host (<id>.s3-control...); moto is one host."""
    request.url = re.sub(r"^(https?://)\d{12}\.", r"\1", request.url)


@functools.cache
def shared_session() -> boto3.Session:
    """One boto3 session for the whole test run: botocore parses each service model once per session (the EC2
    model alone takes seconds), and every organization built or audited here uses the same fake credentials."""
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=HOME)


class MotoOrg:
    """Clients for the management account and, through the access role, for member accounts. One boto3 session
    (member credentials passed per client) and cached clients: service models load once."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.session = shared_session()
        self._credentials: dict[str, dict[str, str]] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}

    def client(self, service: str, account: str | None = None, region: str = HOME) -> Any:
        account = account or MANAGEMENT_ACCOUNT
        key = (service, account, region)
        if key not in self._clients:
            creds = {} if account == MANAGEMENT_ACCOUNT else self.credentials(account)
            self._clients[key] = self.session.client(service, region_name=region, endpoint_url=self.endpoint,
                                                     **creds)
            if service == "s3control":  # moto is one host: no <account-id>. in front of it
                self._clients[key].meta.events.register("before-sign.s3-control", _single_host)
        return self._clients[key]

    def credentials(self, account_id: str) -> dict[str, str]:
        if account_id not in self._credentials:
            creds = self.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ACCESS_ROLE}",
                                                   RoleSessionName="builder")["Credentials"]
            self._credentials[account_id] = {
                "aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"]}
        return self._credentials[account_id]


def register_cloudtrail_admin(account_id: str, management_account: str = MANAGEMENT_ACCOUNT) -> None:
    """Make ``account_id`` CloudTrail's delegated administrator.

    moto refuses cloudtrail.amazonaws.com in RegisterDelegatedAdministrator and does not implement CloudTrail's
    RegisterOrganizationDelegatedAdmin, while AWS accepts both. The tests run moto's server in this process
    (ThreadedMotoServer), so the registration is written into moto's Organizations state directly: the audit
    then reads it over HTTP exactly as it reads any other delegated administrator.
    """
    register_delegated_admin(account_id, "cloudtrail.amazonaws.com", management_account)


def register_delegated_admin(account_id: str, service_principal: str,
                             management_account: str = MANAGEMENT_ACCOUNT) -> None:
    """Write a delegated administrator into the in-process moto's Organizations state, for the service principals
    moto's RegisterDelegatedAdministrator refuses (it accepts only six; AWS accepts securityhub, config, cloudtrail
    and more). The audit reads it back over HTTP with ListDelegatedAdministrators."""
    from moto.organizations.models import FakeDelegatedAdministrator, organizations_backends

    backend = organizations_backends[management_account]["aws"]
    account = backend.get_account_by_id(account_id)
    admin = next((a for a in backend.admins if a.account.id == account_id), None)
    if admin is None:
        admin = FakeDelegatedAdministrator(account)
        backend.admins.append(admin)
    admin.services[service_principal] = {"ServicePrincipal": service_principal, "DelegationEnabledDate": 0}


IAM_ORGANIZATIONS_FEATURES: dict[str, list[str]] = {}
"""Management account id -> IAM organization features enabled (see ``enable_root_features``)."""


def enable_root_features(features: list[str], management_account: str = MANAGEMENT_ACCOUNT) -> None:
    """Turn on centralized root access: trusted access for iam.amazonaws.com and IAM's organization features.

    moto refuses iam.amazonaws.com in EnableAWSServiceAccess (AWS accepts it) and has no IAM organization
    features at all (EnableOrganizationsRootCredentialsManagement, ListOrganizationsFeatures). The tests run
    moto's server in this process, so the trusted access is written into moto's Organizations state and
    ListOrganizationsFeatures is added to moto's IAM responses, answering from IAM_ORGANIZATIONS_FEATURES: the
    audit reads both over HTTP, as it would from AWS.
    """
    from moto.core.responses import ActionResult
    from moto.iam.responses import IamResponse
    from moto.organizations.models import organizations_backends

    def list_organizations_features(self: IamResponse) -> ActionResult:
        org = organizations_backends[self.current_account]["aws"].org
        return ActionResult({"OrganizationId": org.id if org else "",
                             "EnabledFeatures": IAM_ORGANIZATIONS_FEATURES.get(self.current_account, [])})

    IamResponse.list_organizations_features = list_organizations_features  # type: ignore[attr-defined]
    backend = organizations_backends[management_account]["aws"]
    if not any(s["ServicePrincipal"] == "iam.amazonaws.com" for s in backend.services):
        backend.services.append({"ServicePrincipal": "iam.amazonaws.com", "DateEnabled": 0})
    IAM_ORGANIZATIONS_FEATURES[management_account] = list(features)


INSTANCE_METADATA_DEFAULTS: dict[tuple[str, str], dict[str, str]] = {}
"""(account id, region) -> the account-level instance metadata defaults (``serve_instance_metadata_defaults``)."""

_IMDS_FIELDS = {"HttpTokens": "httpTokens", "HttpPutResponseHopLimit": "httpPutResponseHopLimit",
                "HttpEndpoint": "httpEndpoint", "InstanceMetadataTags": "instanceMetadataTags"}


def serve_instance_metadata_defaults() -> None:
    """Answer EC2 GetInstanceMetadataDefaults / ModifyInstanceMetadataDefaults, which moto lacks (HTTP 500).

    The tests run moto's server in this process, so both actions are added to moto's EC2 responses, kept per account
    and region in INSTANCE_METADATA_DEFAULTS (cleared with ``reset_instance_metadata_defaults``). As AWS does, a
    field never set, or set to "no-preference" / -1, is left out of the answer.
    """
    from moto.ec2.responses import EC2Response

    namespace = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'

    def get_instance_metadata_defaults(self: EC2Response) -> str:
        record = INSTANCE_METADATA_DEFAULTS.get((self.current_account, self.region), {})
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in sorted(record.items()))
        return (f"<GetInstanceMetadataDefaultsResponse {namespace}><requestId>moto</requestId>"
                f"<accountLevel>{fields}</accountLevel></GetInstanceMetadataDefaultsResponse>")

    def modify_instance_metadata_defaults(self: EC2Response) -> str:
        record = INSTANCE_METADATA_DEFAULTS.setdefault((self.current_account, self.region), {})
        for param, name in _IMDS_FIELDS.items():
            value = self._get_param(param)
            if value is None:
                continue
            if str(value) in ("no-preference", "-1"):
                record.pop(name, None)
            else:
                record[name] = str(value)
        return (f"<ModifyInstanceMetadataDefaultsResponse {namespace}><requestId>moto</requestId>"
                "<return>true</return></ModifyInstanceMetadataDefaultsResponse>")

    EC2Response.get_instance_metadata_defaults = get_instance_metadata_defaults  # type: ignore[attr-defined]
    EC2Response.modify_instance_metadata_defaults = modify_instance_metadata_defaults  # type: ignore[attr-defined]


def reset_instance_metadata_defaults(kept: dict[str, dict[str, object]] | None = None) -> None:
    """Forget every account's defaults, then keep ``kept`` ("account/region" -> fields as AWS names them)."""
    INSTANCE_METADATA_DEFAULTS.clear()
    for key, record in (kept or {}).items():
        account, region = key.split("/", 1)
        INSTANCE_METADATA_DEFAULTS[(account, region)] = {
            k: str(v) for k, v in record.items() if k in _IMDS_FIELDS.values() and v not in ("no-preference", -1)}


SECURITY_CONTACT = {"Name": "Security team", "Title": "Security", "EmailAddress": "security@example.com",
                    "PhoneNumber": "+1 206 555 0100"}


def close_default_groups(org: MotoOrg, account: str, regions: Iterable[str], *, keep: str | None = None) -> None:
    """Remove every rule from every default security group (except in VPC ``keep``)."""
    for region in regions:
        ec2 = org.client("ec2", account, region)
        groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])
        for group in groups["SecurityGroups"]:
            if group["VpcId"] == keep:
                continue
            if group["IpPermissions"]:
                ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
            if group["IpPermissionsEgress"]:
                ec2.revoke_security_group_egress(GroupId=group["GroupId"],
                                                 IpPermissions=group["IpPermissionsEgress"])


def close_admin_ports_in_nacls(org: MotoOrg, account: str, regions: Iterable[str]) -> None:
    """Deny TCP and UDP 22 and 3389 from the internet in every network ACL, ahead of its allow-all entry."""
    for region in regions:
        ec2 = org.client("ec2", account, region)
        for acl in ec2.describe_network_acls()["NetworkAcls"]:
            v6 = any(e.get("Ipv6CidrBlock") for e in acl["Entries"])
            for rule, proto, port in ADMIN_PORT_DENIES:
                ec2.create_network_acl_entry(NetworkAclId=acl["NetworkAclId"], RuleNumber=rule, Protocol=proto,
                                             RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0",
                                             PortRange={"From": port, "To": port})
                if v6:
                    ec2.create_network_acl_entry(NetworkAclId=acl["NetworkAclId"], RuleNumber=rule + 10,
                                                 Protocol=proto, RuleAction="deny", Egress=False,
                                                 Ipv6CidrBlock="::/0", PortRange={"From": port, "To": port})


def _role_network(org: MotoOrg, account: str, breaks: frozenset[str], production: bool) -> None:
    """A VPC with web/app/db groups that reference each other; only web takes HTTPS from the internet."""
    ec2 = org.client("ec2", account)
    # The account's default VPC (172.31.0.0/16) hosts the role groups: creating a VPC in moto costs seconds.
    vpc_info = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    vpc, cidr = vpc_info["VpcId"], vpc_info["CidrBlock"]
    groups = {role: ec2.create_security_group(GroupName=role, Description=f"{role} tier", VpcId=vpc)["GroupId"]
              for role in ("web", "app", "db")}

    def allow(target: str, port: int, **source: Any) -> None:
        ec2.authorize_security_group_ingress(GroupId=groups[target], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **source}])

    allow("web", 443, IpRanges=[{"CidrIp": "0.0.0.0/0", "Description": "HTTPS from the internet"}])
    allow("app", 8080, UserIdGroupPairs=[{"GroupId": groups["web"]}])
    if production and "internal-cidr-rule" in breaks:
        allow("db", 5432, IpRanges=[{"CidrIp": cidr}])
    elif production and "internal-wide-private-range" in breaks:  # 172.16.0.0/12 holds the VPC's 172.31.0.0/16
        allow("db", 5432, IpRanges=[{"CidrIp": "172.16.0.0/12"}])
    elif production and "internal-private-outside-vpcs" in breaks:  # e.g. an on-premises range: in no VPC here
        allow("db", 5432, IpRanges=[{"CidrIp": "10.20.0.0/16"}])
    else:
        allow("db", 5432, UserIdGroupPairs=[{"GroupId": groups["app"]}])
    if production and "ssh-from-internet" in breaks:
        allow("app", 22, IpRanges=[{"CidrIp": "0.0.0.0/0"}])
    if production and "rdp-from-ipv6-internet" in breaks:
        allow("app", 3389, Ipv6Ranges=[{"CidrIpv6": "::/0"}])
    if production and "udp-rdp-from-internet" in breaks:  # RDP also listens on UDP 3389 (CIS counts UDP)
        ec2.authorize_security_group_ingress(GroupId=groups["app"], IpPermissions=[
            {"IpProtocol": "udp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    close_default_groups(org, account, [HOME])
    if production and "aws-default-sg" in breaks:
        default = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]},
                                                        {"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"][0]
        ec2.authorize_security_group_ingress(GroupId=default["GroupId"], IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": default["GroupId"]}]}])


def build_organization(endpoint: str, breaks: Iterable[str] = (), *, extra_workload_accounts: int = 0,
                       regions: tuple[str, ...] = (HOME,)) -> BuiltOrganization:
    """The medium preset's shape, built to every practice, minus the practices named in ``breaks``."""
    broken = frozenset(breaks)
    unknown = broken - BREAKS
    if unknown:
        raise ValueError(f"unknown breaks: {sorted(unknown)}")
    org = MotoOrg(endpoint)
    orgs = org.client("organizations")
    feature_set = "CONSOLIDATED_BILLING" if "feature-set-billing" in broken else "ALL"
    organization_id: str = orgs.create_organization(FeatureSet=feature_set)["Organization"]["Id"]
    root_id: str = orgs.list_roots()["Roots"][0]["Id"]
    if "scps-disabled" not in broken:
        orgs.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    built = BuiltOrganization(endpoint, organization_id, root_id)

    def ou(path: str) -> str:
        parent: str = root_id
        so_far = ""
        for name in path.split("/"):
            so_far = f"{so_far}/{name}" if so_far else name
            if so_far not in built.ou_ids:
                built.ou_ids[so_far] = orgs.create_organizational_unit(ParentId=parent, Name=name)[
                    "OrganizationalUnit"]["Id"]
            parent = built.ou_ids[so_far]
        return parent

    accounts: list[tuple[str, str]] = [
        ("security", "Security"), ("log-archive", "Security"), ("shared-services", "Infrastructure"),
        ("production", "Root" if "prod-at-root" in broken else "Workloads/Prod"),
    ]
    if "no-development-account" not in broken:
        accounts.append(("development", "Workloads/Prod" if "prod-dev-same-ou" in broken else "Workloads/NonProd"))
    accounts += [(f"workload-{i:03d}", "Workloads/Prod" if i % 2 else "Workloads/NonProd")
                 for i in range(extra_workload_accounts)]
    for path in ("Security", "Infrastructure", "Workloads/Prod", "Workloads/NonProd", "Sandbox"):
        ou(path)
    for name, path in accounts:
        acct = orgs.create_account(AccountName=name, Email=f"aws-{name}@example.com")["CreateAccountStatus"]
        built.account_ids[name] = acct["AccountId"]
        if path != "Root":
            orgs.move_account(AccountId=acct["AccountId"], SourceParentId=root_id, DestinationParentId=ou(path))
    ids = built.account_ids
    security, log_archive, production = ids["security"], ids["log-archive"], ids["production"]

    # Guardrails: baseline at the root, region and service guardrails on the workload OUs.
    catalog = default_catalog()

    def scp(guardrail: str, *targets: str) -> None:
        if "scps-disabled" in broken:
            return  # the policy type is off: AWS refuses attachments
        content = catalog.render(guardrail, context=GUARDRAIL_CONTEXT)
        policy = orgs.create_policy(Name=guardrail, Description=guardrail, Type="SERVICE_CONTROL_POLICY",
                                    Content=content)["Policy"]["PolicySummary"]["Id"]
        for target in targets:
            orgs.attach_policy(PolicyId=policy, TargetId=target)

    scp("deny-leave-organization", root_id)
    if "example-only-protection" in broken:
        scp("protect-org-admin-roles", root_id)  # the seed's example: delete/update denied, trust changes not
    elif "unprotected-admin-roles" not in broken:
        scp("protect-org-admin-roles-strict", root_id)
    region_targets = [built.ou_ids["Infrastructure"], built.ou_ids["Sandbox"]]
    if "workload-ou-without-scps" not in broken and "no-region-deny" not in broken:
        region_targets.append(built.ou_ids["Workloads"])
    scp("deny-unapproved-regions", *region_targets)
    if "no-region-deny" in broken:  # guarded, but not kept to the governed regions
        scp("deny-iam-users", built.ou_ids["Workloads"])

    # Root users: MFA on the management account's root, no root keys (centralized root access: below).
    moto_bridge.set_root_user(MANAGEMENT_ACCOUNT, mfa="no-root-mfa" not in broken, access_keys=False)
    moto_bridge.set_root_user(production, mfa=False, access_keys="root-access-keys" in broken)

    # Delegated administration: the Security account for CloudTrail and the other security services.
    for principal in ("cloudtrail.amazonaws.com", "guardduty.amazonaws.com", "access-analyzer.amazonaws.com"):
        orgs.enable_aws_service_access(ServicePrincipal=principal)
    if "no-cloudtrail-admin" not in broken:
        register_cloudtrail_admin(security)
    guardduty_admin = production if "guardduty-to-production" in broken else security
    orgs.register_delegated_administrator(AccountId=guardduty_admin, ServicePrincipal="guardduty.amazonaws.com")
    orgs.register_delegated_administrator(AccountId=security, ServicePrincipal="access-analyzer.amazonaws.com")
    build_security_services(org, security=security, guardduty_admin=guardduty_admin, regions=regions,
                            broken=broken, register_delegated_admin=register_delegated_admin)

    # Account governance: centralized root access, an alternate security contact on every account (set from the
    # management account through trusted access for account.amazonaws.com).
    enable_root_features(["RootCredentialsManagement"] if "no-root-sessions" in broken
                         else ["RootCredentialsManagement", "RootSessions"])
    orgs.enable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    account_api = org.client("account")
    account_api.put_alternate_contact(AlternateContactType="SECURITY", **SECURITY_CONTACT)
    for name, account_id in ids.items():
        if name == "shared-services" and "no-security-contact" in broken:
            continue
        account_api.put_alternate_contact(AccountId=account_id, AlternateContactType="SECURITY", **SECURITY_CONTACT)

    # Trail bucket and access-log bucket in the log-archive account, KMS key in the Security account.
    s3 = org.client("s3", log_archive)
    bucket = built.trail_bucket = f"{organization_id}-organization-trail"
    logs_bucket = f"{organization_id}-trail-access-logs"
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=logs_bucket)
    block = {k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")}
    s3.put_public_access_block(Bucket=logs_bucket, PublicAccessBlockConfiguration=block)
    statements: list[dict[str, Any]] = []
    if "trail-bucket-allows-http" not in broken:
        statements.append({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                           "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    if "public-trail-bucket" in broken:
        statements.append({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{bucket}/*"})
    else:
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
    if statements:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    if "trail-bucket-unversioned" not in broken:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    if "no-access-logging" not in broken:
        s3.put_bucket_acl(Bucket=logs_bucket, GrantWrite="uri=http://acs.amazonaws.com/groups/s3/LogDelivery",
                          GrantReadACP="uri=http://acs.amazonaws.com/groups/s3/LogDelivery")
        s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": logs_bucket, "TargetPrefix": "trail-bucket/"}})
    kms = org.client("kms", security)
    key_arn = kms.create_key(Description="organization trail")["KeyMetadata"]["Arn"]
    if "trail-key-not-rotated" not in broken:
        kms.enable_key_rotation(KeyId=key_arn)

    trail_args: dict[str, Any] = {
        "Name": TRAIL, "S3BucketName": bucket,
        "IsOrganizationTrail": "no-org-trail" not in broken,
        "IsMultiRegionTrail": "single-region-trail" not in broken,
        "EnableLogFileValidation": "no-log-validation" not in broken,
    }
    if "no-kms" not in broken:
        trail_args["KmsKeyId"] = key_arn
    cloudtrail = org.client("cloudtrail")
    cloudtrail.create_trail(**trail_args)
    if "trail-stopped" not in broken:
        cloudtrail.start_logging(Name=TRAIL)
    if "trail-write-only" in broken:
        cloudtrail.put_event_selectors(TrailName=TRAIL, EventSelectors=[
            {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])

    # Query layer: Athena over the trail bucket, in the Security account.
    if "no-query-layer" not in broken:
        glue = org.client("glue", security)
        glue.create_database(DatabaseInput={"Name": "cloudtrail"})
        glue.create_table(DatabaseName="cloudtrail", TableInput={
            "Name": "organization_trail", "TableType": "EXTERNAL_TABLE",
            "StorageDescriptor": {"Location": f"s3://{bucket}/AWSLogs/{organization_id}/",
                                  "Columns": [{"Name": "eventname", "Type": "string"}]},
            "Parameters": {"projection.enabled": "true"}})
        org.client("athena", security).create_work_group(Name="landingzone", Configuration={
            "ResultConfiguration": {"OutputLocation": f"s3://{bucket}-athena-results/"}})

    # Admin roles under /org-admin/ in every member account.
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{security}:root"}, "Action": "sts:AssumeRole"}]})
    for name, account_id in ids.items():
        if name == "development" and "missing-admin-role" in broken:
            continue
        org.client("iam", account_id).create_role(RoleName=ADMIN_ROLE, Path=ADMIN_PATH,
                                                  AssumeRolePolicyDocument=trust)

    # Networks: role-based groups in production and development; every default group closed.
    _role_network(org, production, broken, production=True)
    if "development" in ids:
        _role_network(org, ids["development"], broken, production=False)
    for account_id in [MANAGEMENT_ACCOUNT, *ids.values()]:
        if account_id not in (production, ids.get("development")):
            close_default_groups(org, account_id, regions)
        else:
            close_default_groups(org, account_id, [r for r in regions if r != HOME])
        if not (account_id == production and "nacl-open-admin-ports" in broken):
            close_admin_ports_in_nacls(org, account_id, regions)

    identity_center(org, ids, broken)
    # The account baseline (stage baseline) everywhere: EBS encryption by default, account-level S3 Block Public
    # Access, IMDSv2 required with a hop limit of 2 (served by serve_instance_metadata_defaults).
    for account_id in [MANAGEMENT_ACCOUNT, *ids.values()]:
        breaks_here = broken if account_id == production else frozenset()
        if "ebs-encryption-off" not in breaks_here:
            for region in regions:
                org.client("ec2", account_id, region).enable_ebs_encryption_by_default()
        if "imds-optional" not in breaks_here:
            for region in regions:
                org.client("ec2", account_id, region).modify_instance_metadata_defaults(
                    HttpTokens="required", HttpPutResponseHopLimit=2)
        if "no-account-bpa" not in breaks_here:
            org.client("s3control", account_id).put_public_access_block(
                AccountId=account_id, PublicAccessBlockConfiguration=dict.fromkeys(
                    ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True))

    # AWS Config recording everywhere (stage baseline), delivering to the log-archive account's Config bucket.
    build_config_recording(org, accounts=[MANAGEMENT_ACCOUNT, *ids.values()], log_archive=log_archive,
                           organization_id=organization_id, regions=regions, broken=broken, breaks_in=production)

    # The management account: no workloads, no IAM users (unless broken).
    if "mgmt-workload" in broken:
        # moto does not check the image id (its default AMI catalogue is switched off: see conftest.py).
        org.client("ec2").run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1,
                                        InstanceType="t3.micro")
    if "mgmt-data-and-api-workloads" in broken:  # CIS v7.0 2.1.3's storage, database and application services
        org.client("s3").create_bucket(Bucket=f"{organization_id}-app-data")
        org.client("dynamodb").create_table(
            TableName="orders", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        org.client("apigateway").create_rest_api(name="orders-api")
        mgmt_vpc = org.client("ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
        subnets = org.client("ec2").describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [mgmt_vpc["VpcId"]]}])["Subnets"]
        org.client("elbv2").create_load_balancer(Name="orders", Subnets=[s["SubnetId"] for s in subnets[:2]])
    if "mgmt-iam-users" in broken:
        for user in ("alice", "bob", "carol"):
            org.client("iam").create_user(UserName=user)
    return built


def identity_center(org: MotoOrg, ids: dict[str, str], broken: frozenset[str]) -> None:
    """People through IAM Identity Center (moto's instance of the management account): Developers read
    production, BreakGlass alone reaches the management account; IAM users only where broken."""
    if "member-iam-user" in broken:
        iam = org.client("iam", ids["development"])
        iam.create_user(UserName="legacy-admin")
        iam.create_login_profile(UserName="legacy-admin", Password="Correct-horse-battery-1")
    if "no-identity-center" in broken:
        return  # moto still lists an instance: one without permission sets, as right after enabling
    sso = org.client("sso-admin")
    (instance,) = sso.list_instances()["Instances"]
    arn, store = instance["InstanceArn"], instance["IdentityStoreId"]
    groups = org.client("identitystore")
    group_ids = {name: groups.create_group(IdentityStoreId=store, DisplayName=name)["GroupId"]
                 for name in ("Developers", "BreakGlass")}
    sets = {name: sso.create_permission_set(InstanceArn=arn, Name=name, SessionDuration="PT1H")["PermissionSet"][
        "PermissionSetArn"] for name in ("ReadOnly", "BreakGlass")}

    def assign(group: str, permission_set: str, account: str) -> None:
        sso.create_account_assignment(InstanceArn=arn, TargetId=account, TargetType="AWS_ACCOUNT",
                                      PermissionSetArn=sets[permission_set], PrincipalType="GROUP",
                                      PrincipalId=group_ids[group])

    assign("Developers", "ReadOnly", ids["production"])
    assign("BreakGlass", "BreakGlass", MANAGEMENT_ACCOUNT)
    if "mgmt-assignment" in broken:
        assign("Developers", "ReadOnly", MANAGEMENT_ACCOUNT)
