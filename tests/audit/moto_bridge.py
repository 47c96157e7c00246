"""What moto 5.2 cannot do and AWS does, written into the in-process moto server's state (tests/audit/conftest.py
runs it in this process); the audit then reads it over HTTP exactly as it reads anything else.

(Centralized root access, which moto lacks too, is bridged by tests/audit/moto_org.py's enable_root_features.)

- The root user's MFA and access keys: moto's account summary always says AccountMFAEnabled 0 and
  AccountAccessKeysPresent 0 (neither can be set through an API, on AWS either: only by signing in as root).
  :func:`set_root_user` writes them into the account's IAM backend.
- A deleted VPC's network ACLs: AWS deletes a VPC's default network ACL with the VPC; moto 5.2.5 keeps it (with
  its associations to the deleted subnets, so DeleteNetworkAcl refuses it as in use), admitting everything from a
  VPC that no longer exists. :func:`drop_network_acls_of_deleted_vpc` removes them from the EC2 backend.
"""

from __future__ import annotations


def set_root_user(account_id: str, *, mfa: bool, access_keys: bool) -> None:
    """The root user's MFA and access keys as IAM's account summary reports them."""
    from moto.iam.models import iam_backends

    summary = iam_backends[account_id]["global"].account_summary
    summary._account_mfa_enabled = int(mfa)
    summary._account_access_keys_present = int(access_keys)


def drop_network_acls_of_deleted_vpc(account_id: str, region: str, vpc_id: str) -> list[str]:
    """Remove the network ACLs moto kept for ``vpc_id`` after DeleteVpc (AWS deletes them with it); returns their
    ids. Refuses while the VPC still exists."""
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[account_id][region]
    assert vpc_id not in backend.vpcs, f"{vpc_id} still exists"
    dropped = [acl_id for acl_id, acl in backend.network_acls.items() if acl.vpc_id == vpc_id]
    for acl_id in dropped:
        del backend.network_acls[acl_id]
    return dropped
