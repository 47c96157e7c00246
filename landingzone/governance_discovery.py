"""Discovery of account governance (read by landingzone.discovery.discover, from the management account only):
alternate security contacts of every account and IAM's organization features (centralized root access).

Refused reads become data (landingzone.discovery.NotVisible), never silence: an account whose contact could not
be read is in ``unreadable_contacts`` and the audit leaves it out instead of reporting a missing contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from landingzone.discovery.reader import Reader

CONTACT_NOT_SET = frozenset({"ResourceNotFoundException"})


@dataclass
class GovernanceView:
    """What discovery read of account governance."""

    contacts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Account id -> the alternate contact types it has (of those read: SECURITY)."""
    contacts_visible: bool = False
    """True once contacts were read (from the management account); false leaves the contact check out."""
    unreadable_contacts: set[str] = field(default_factory=set)
    """Accounts whose contacts were refused (trusted access for account.amazonaws.com off, or access denied)."""
    root_features: tuple[str, ...] | None = None
    """IAM organization features enabled (RootCredentialsManagement, RootSessions); None when not readable."""


def read_governance(r: Reader, account_ids: Iterable[str], management_id: str) -> GovernanceView:
    """Read contacts of ``account_ids`` (the management account's own without AccountId) and the IAM
    organization features, with the management account's reader."""
    view = GovernanceView(contacts_visible=True)
    client = r.client("account")

    def read(account_id: str) -> tuple[str, tuple[str, ...] | None]:
        args: dict[str, Any] = {} if account_id == management_id else {"AccountId": account_id}
        try:
            client.get_alternate_contact(AlternateContactType="SECURITY", **args)
            return account_id, ("SECURITY",)
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code", "")) in CONTACT_NOT_SET:
                return account_id, ()
            if r.unusable(exc, "account", "get_alternate_contact", None):
                return account_id, None
            raise  # landingzone.discovery.discover reports it as a DiscoveryError

    # One call per account from the management account: a few at a time (boto3 clients are thread-safe).
    with ThreadPoolExecutor(max_workers=max(1, r.options.max_workers), thread_name_prefix="contacts") as pool:
        for account_id, types in pool.map(read, account_ids):
            if types is None:
                view.unreadable_contacts.add(account_id)
            else:
                view.contacts[account_id] = types
    features = r.call("iam", "list_organizations_features")
    if features is not None:
        view.root_features = tuple(features.get("EnabledFeatures", []))
    return view
