"""What moto 5.2 cannot do and AWS does, written into the in-process moto server's state (tests/audit/conftest.py
runs it in this process); the audit then reads it over HTTP exactly as it reads anything else.

(Centralized root access, which moto lacks too, is bridged by tests/audit/moto_org.py's enable_root_features.)

- The root user's MFA and access keys: moto's account summary always says AccountMFAEnabled 0 and
  AccountAccessKeysPresent 0 (neither can be set through an API, on AWS either: only by signing in as root).
  :func:`set_root_user` writes them into the account's IAM backend.
"""

from __future__ import annotations


def set_root_user(account_id: str, *, mfa: bool, access_keys: bool) -> None:
    """The root user's MFA and access keys as IAM's account summary reports them."""
    from moto.iam.models import iam_backends

    summary = iam_backends[account_id]["global"].account_summary
    summary._account_mfa_enabled = int(mfa)
    summary._account_access_keys_present = int(access_keys)
