"""Account-level settings that stage ``baseline`` manages: EBS encryption by default, EC2 instance metadata
defaults and AWS Config's recorder and delivery channel per governed region, S3 Block Public Access for the
account. Each read that gives nothing usable
(refused, not offered, failing, or an emulator that lacks it) is recorded as not visible by the reader."""

from __future__ import annotations

from typing import Any

from landingzone.discovery.logging import public_access_block_on
from landingzone.discovery.model import AccountView, ConfigRecorderInfo, DiscoveryOptions
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
        recorder = read_config_recorder(r, region)
        if recorder is not None:
            view.config_recorders[region] = recorder
    readable, block = r.optional("s3control", "get_public_access_block", {"NoSuchPublicAccessBlockConfiguration"},
                                 AccountId=view.account_id)
    if readable:
        view.account_public_access_block = public_access_block_on(
            (block or {}).get("PublicAccessBlockConfiguration"))


def read_config_recorder(r: Reader, region: str) -> ConfigRecorderInfo | None:
    """The customer-managed recorder of one region, its status and the delivery channel; None when a read gave
    nothing usable."""
    recorders = r.call("config", "describe_configuration_recorders", region)
    statuses = r.call("config", "describe_configuration_recorder_status", region)
    channels = r.call("config", "describe_delivery_channels", region)
    if recorders is None or statuses is None or channels is None:
        return None
    # Service-linked recorders (servicePrincipal set) record for their service only: not the account's recorder.
    own = [rec for rec in recorders.get("ConfigurationRecorders", []) if not rec.get("servicePrincipal")]
    bucket = next((c.get("s3BucketName") for c in channels.get("DeliveryChannels", []) if c.get("s3BucketName")),
                  None)
    if not own:
        return ConfigRecorderInfo(None, delivery_bucket=bucket)
    recorder = own[0]
    group = recorder.get("recordingGroup") or {}
    status: dict[str, Any] = next(
        (s for s in statuses.get("ConfigurationRecordersStatus", []) if s.get("name") == recorder["name"]), {})
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    return ConfigRecorderInfo(
        str(recorder["name"]), recording=bool(status.get("recording")),
        all_supported=bool(group.get("allSupported")) and strategy in (None, "ALL_SUPPORTED_RESOURCE_TYPES"),
        include_global=bool(group.get("includeGlobalResourceTypes")), delivery_bucket=bucket)
