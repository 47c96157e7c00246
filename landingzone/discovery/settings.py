"""Account-level settings that stage ``baseline`` manages: EBS encryption by default and EC2 instance metadata
defaults per governed region, S3 Block Public Access for the account. Each read that gives nothing usable
(refused, not offered, failing, or an emulator that lacks it) is recorded as not visible by the reader."""

from __future__ import annotations

from landingzone.discovery.logging import public_access_block_on
from landingzone.discovery.model import AccountView, DiscoveryOptions
from landingzone.discovery.reader import Reader


def read_account_settings(r: Reader, view: AccountView, options: DiscoveryOptions) -> None:
    """Fill ``view``'s EBS default encryption, IMDS defaults and account-level S3 Block Public Access."""
    for region in options.regions:
        ebs = r.call("ec2", "get_ebs_encryption_by_default", region)
        if ebs is not None:
            view.ebs_encryption_by_default[region] = bool(ebs.get("EbsEncryptionByDefault"))
        imds = r.call("ec2", "get_instance_metadata_defaults", region)
        if imds is not None:
            view.imds_defaults[region] = dict(imds.get("AccountLevel") or {})
    readable, block = r.optional("s3control", "get_public_access_block", {"NoSuchPublicAccessBlockConfiguration"},
                                 AccountId=view.account_id)
    if readable:
        view.account_public_access_block = public_access_block_on(
            (block or {}).get("PublicAccessBlockConfiguration"))
