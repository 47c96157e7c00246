"""What exists already: read an AWS organization with boto3 into typed, plain data.

The audit (landingzone/audit/) only ever sees the :class:`Discovery` this package returns, so every check can be
tested by feeding data in. Rules it follows:

- The boto3 ``Session`` is injected (:func:`discover` takes it); nothing here creates a client at import time.
- Every list call goes through a paginator where the API has one.
- Per-account reads (org-admin roles, root user, security groups, network ACLs, buckets, query layer) run through
  the access role (``arn:aws:iam::<id>:role/<access_role_name>``) in a bounded thread pool.
- Every read has botocore's adaptive retries, bounded (:mod:`landingzone.discovery.reader`). A read that still
  gives nothing usable (refused, not offered, or failing: server error, throttling, time-out, unreachable
  endpoint) is recorded as :class:`NotVisible` with its error, and discovery goes on; the checks that need it say
  "not evaluated". Only a bad request (our bug) raises :class:`DiscoveryError`, naming the read.
- A progress callback is told about each step, from the calling thread (never from a worker thread).

Modules: ``model`` (the data), ``reader`` (clients, retries, endpoints, outcomes), ``organization``, ``logging``,
``accounts``, ``services`` (the reads).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, as_completed

import boto3
from botocore.exceptions import ClientError

from landingzone.discovery.accounts import member_credentials, read_account, read_management
from landingzone.discovery.logging import MemberReader, member_reader_factory, read_trail_buckets_and_keys, read_trails
from landingzone.discovery.model import (
    ACCESS_DENIED_CODES,
    NOT_OFFERED_CODES,
    THROTTLING_CODES,
    WORKLOAD_RESOURCE_TYPES,
    AccountInfo,
    AccountView,
    BucketInfo,
    DelegatedAdmin,
    Discovery,
    DiscoveryError,
    DiscoveryOptions,
    DiscoveryProgress,
    EventDataStoreInfo,
    GlueTableInfo,
    KeyInfo,
    ManagementAccountView,
    NetworkAclEntry,
    NetworkAclInfo,
    NotVisible,
    OrganizationInfo,
    OuInfo,
    PolicyInfo,
    ProgressCallback,
    QuotaInfo,
    Reason,
    RoleInfo,
    RootInfo,
    RootUserInfo,
    SecurityGroupInfo,
    SecurityGroupRule,
    TrailInfo,
    VpcInfo,
    WorkgroupInfo,
    iter_not_visible,
)
from landingzone.discovery.organization import (
    OrganizationSummary,
    read_organization,
    read_policies,
    read_quotas,
    summarize_organization,
)
from landingzone.discovery.reader import Reader, discovery_error, endpoint_for, sts_client
from landingzone.discovery.services import read_security_services
from landingzone.discovery_identity import read_identity_center
from landingzone.governance_discovery import read_governance


def discover(session: boto3.Session, options: DiscoveryOptions | None = None, *,
             on_progress: ProgressCallback | None = None) -> Discovery:
    """Read the organization the session's account manages (or belongs to).

    ``session`` holds the management account's credentials (the standard chain or a profile); member accounts
    are read through ``options.access_role_name``. Only the caller's identity is required: when even that fails,
    botocore's error propagates (nothing can be audited).
    """
    options = options or DiscoveryOptions()
    notify = on_progress or (lambda _p: None)
    sink: list[NotVisible] = []
    lock = threading.Lock()
    sts = sts_client(session, options)
    caller = sts.get_caller_identity()["Account"]
    mgmt = Reader(session, caller, options, sink, lock)
    found = Discovery(options=options, caller_account_id=caller, not_visible=sink)

    notify(DiscoveryProgress("organization"))
    read_organization(mgmt, found)
    if found.organization is not None:
        notify(DiscoveryProgress("service control policies"))
        read_policies(mgmt, found)
    notify(DiscoveryProgress("trails"))
    read_trails(mgmt, found)
    notify(DiscoveryProgress("management account"))
    read_management(mgmt, found)
    read_quotas(mgmt, found)
    if found.organization is not None and caller == found.management_account_id:
        notify(DiscoveryProgress("account governance"))
        members = [a.id for a in found.member_accounts()]
        try:
            found.governance = read_governance(mgmt, [caller, *members], caller)
        except ClientError as exc:
            raise discovery_error(exc, "account", "get_alternate_contact", caller, None) from exc
        notify(DiscoveryProgress("identity center"))
        found.identity_center = read_identity_center(mgmt, mgmt.unusable, caller,
                                                     options.identity_center_region or options.home_region)

    # Per-account reads: the management account with the caller's session, members through the access role.
    accounts = [a.id for a in found.member_accounts()] if found.organization else []
    if found.organization is None or caller == found.management_account_id:
        accounts.insert(0, caller)
    total = len(accounts)
    notify(DiscoveryProgress("accounts", 0, total))
    with ThreadPoolExecutor(max_workers=max(1, options.max_workers), thread_name_prefix="discovery") as pool:
        futures = {pool.submit(read_account, session, sts, acct, caller, options, sink, lock): acct
                   for acct in accounts}
        for done, future in enumerate(as_completed(futures), start=1):
            view = future.result()  # a DiscoveryError from a worker propagates here
            found.account_views[view.account_id] = view
            notify(DiscoveryProgress("accounts", done, total, view.account_id))

    notify(DiscoveryProgress("trail buckets"))
    member = member_reader_factory(
        session, found, options, sink, lock,
        lambda account_id: member_credentials(sts, account_id, caller, options, sink, lock))
    read_trail_buckets_and_keys(found, member, sink, lock)
    notify(DiscoveryProgress("security services"))
    _read_security_services(found, member, options)
    notify(DiscoveryProgress("done", total, total))
    return found


def _read_security_services(found: Discovery, member: MemberReader, options: DiscoveryOptions) -> None:
    """Each security service from its delegated administrator (one reader per administrator account, through the
    access role; an account that cannot be assumed is recorded by ``member_credentials`` and its services left
    unread)."""
    if found.organization is None:
        return
    readers: dict[str, Reader] = {}
    for admin in found.delegated_admins:
        reader = member(admin.account_id)
        if reader is not None:
            readers.setdefault(admin.service_principal, reader)
    members = [a.id for a in found.member_accounts()]
    found.security_services = read_security_services(readers, home=options.home_region, regions=options.regions,
                                                     members=members)


__all__ = [
    "ACCESS_DENIED_CODES", "NOT_OFFERED_CODES", "THROTTLING_CODES", "WORKLOAD_RESOURCE_TYPES", "AccountInfo",
    "AccountView", "BucketInfo", "DelegatedAdmin", "Discovery", "DiscoveryError", "DiscoveryOptions",
    "DiscoveryProgress", "EventDataStoreInfo", "GlueTableInfo", "KeyInfo", "ManagementAccountView",
    "NetworkAclEntry", "NetworkAclInfo", "NotVisible", "OrganizationInfo", "OrganizationSummary", "OuInfo",
    "PolicyInfo", "ProgressCallback", "QuotaInfo", "Reason", "RoleInfo", "RootInfo", "RootUserInfo",
    "SecurityGroupInfo", "SecurityGroupRule", "TrailInfo", "VpcInfo", "WorkgroupInfo", "discover", "endpoint_for",
    "iter_not_visible", "summarize_organization",
]
