"""Which Prowler checks cover the same ground as each landingzone check, and where the logic differs.

Written from Prowler's own check code and metadata (prowler-cloud/prowler, the version in :data:`PROWLER_VERSION`:
prowler/providers/aws/services/*/<check>/<check>.py and the CIS compliance files), not from a run; the run that
puts both tools side by side is ``scripts/compare-prowler`` (docs/audit.md shows its table when it has run).
"""

from __future__ import annotations

PROWLER_VERSION = "5.46.0"

COVERAGE: dict[str, tuple[tuple[str, ...], str]] = {
    "LZ-ORG-001": (("organizations_account_part_of_organizations",),
                   "Prowler passes any ACTIVE organization, consolidated billing included; we require feature set "
                   "ALL, which SCPs and delegated administration need."),
    "LZ-ORG-002": ((), "No Prowler check: it scans one account at a time and has no notion of environments."),
    "LZ-ORG-003": ((), "No Prowler check (CIS v7.0 2.1.4 is manual in Prowler's compliance file)."),
    "LZ-ORG-004": ((), "No Prowler check (CIS v7.0 2.1.4 is manual in Prowler's compliance file)."),
    "LZ-MGT-001": ((), "No Prowler check (CIS v7.0 2.1.3 is manual in Prowler's compliance file)."),
    "LZ-MGT-002": ((), "No Prowler check counts the management account's IAM users."),
    "LZ-GOV-001": (("account_security_contact_information_is_registered",),
                   "Prowler reads the scanned account's own contact; we read every account's from the management "
                   "account."),
    "LZ-ROOT-001": (("iam_root_credentials_management_enabled",),
                   "Prowler requires RootCredentialsManagement; we also require RootSessions (the privileged "
                   "root tasks a member account without root credentials needs)."),
    "LZ-MGT-004": (("iam_root_mfa_enabled", "iam_root_hardware_mfa_enabled"),
                   "Prowler reads the credential report's <root_account> row in each scanned account; we read the "
                   "management account's account summary (AccountMFAEnabled). Prowler also asks for hardware MFA."),
    "LZ-MGT-005": (("iam_no_root_access_key",),
                   "Prowler reads the credential report in the scanned account; we read every account's summary "
                   "(AccountAccessKeysPresent) through the access role in one run."),
    "LZ-DEL-001": (("organizations_delegated_administrators",),
                   "Prowler fails any delegated administrator missing from its trusted list; we require that "
                   "CloudTrail's administrator is the Security account, and that there is one."),
    "LZ-DEL-002": (("organizations_delegated_administrators",),
                   "Same Prowler check; we also flag an enabled security service with no delegated administrator."),
    "LZ-LOG-001": (("cloudtrail_multi_region_enabled",),
                   "Prowler accepts any multi-region logging trail in the scanned account; we require an "
                   "organization trail, seen from the management account."),
    "LZ-LOG-002": (("cloudtrail_multi_region_enabled",), "Same ground, for the organization trail only."),
    "LZ-LOG-003": (("cloudtrail_multi_region_enabled",),
                   "Prowler counts only logging trails; we report a stopped organization trail by name."),
    "LZ-LOG-004": (("cloudtrail_log_file_validation_enabled",), "Same ground; Prowler covers every trail."),
    "LZ-LOG-005": (("cloudtrail_kms_encryption_enabled",), "Same ground; Prowler covers every trail."),
    "LZ-LOG-006": (("cloudtrail_logs_s3_bucket_is_not_publicly_accessible", "s3_bucket_level_public_access_block",
                    "s3_bucket_policy_public_write_access"),
                   "Prowler checks the trail bucket's ACL only when the bucket is in the scanned account; we read "
                   "the bucket from its owner account (ACL, policy status, Block Public Access at both levels)."),
    "LZ-LOG-007": (("cloudtrail_logs_s3_bucket_access_logging_enabled",),
                   "Prowler can only judge a bucket in the scanned account; we read it from its owner account."),
    "LZ-LOG-008": ((), "No Prowler check; cloudtrail_cloudwatch_logging_enabled asks for CloudWatch Logs delivery, "
                   "a different query path (see the out-of-scope list)."),
    "LZ-LOG-009": (("cloudtrail_multi_region_enabled_logging_management_events",),
                   "Prowler needs explicit event selectors; a trail without any (which AWS treats as all "
                   "management events) fails there and passes here."),
    "LZ-LOG-010": (("s3_bucket_object_versioning",), "Prowler checks every bucket; we check the trail bucket."),
    "LZ-LOG-011": (("s3_bucket_secure_transport_policy",), "Prowler checks every bucket; we check the trail bucket."),
    "LZ-LOG-012": (("kms_cmk_rotation_enabled",), "Prowler checks every customer key; we check the trail's key, in "
                   "its owner account."),
    "LZ-GRD-001": ((), "No Prowler check that the SCP policy type is enabled."),
    "LZ-GRD-002": ((), "No Prowler check of SCP attachment (CIS v7.0 2.1.2 is manual in Prowler)."),
    "LZ-REG-001": (("organizations_scp_check_deny_regions",),
                   "Prowler looks for any SCP statement with StringNotEquals aws:RequestedRegion listing the "
                   "configured regions, attached or not; we simulate a regional call from every workload account, "
                   "through the SCPs actually attached on its path."),
    "LZ-IAM-001": ((), "No Prowler check."),
    "LZ-IAM-002": ((), "No Prowler check of role-path protection."),
    "LZ-IAM-003": ((), "No Prowler check (it scans the accounts it is given)."),
    "LZ-IAM-004": ((), "No Prowler check."),
    "LZ-NET-001": (("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
                    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
                    "ec2_securitygroup_allow_ingress_from_internet_to_all_ports"),
                   "Prowler's port checks look at TCP only (UDP 3389 passes there); by default it skips groups "
                   "attached to nothing unless --scan-unused-services."),
    "LZ-NET-002": (("ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
                    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
                    "ec2_securitygroup_allow_ingress_from_internet_to_all_ports"),
                   "The same Prowler checks cover ::/0; same differences as LZ-NET-001."),
    "LZ-NET-003": ((), "No Prowler check prefers group references over internal ranges."),
    "LZ-NET-004": (("ec2_securitygroup_default_restrict_traffic",), "Same ground."),
    "LZ-NET-005": (("ec2_networkacl_allow_ingress_tcp_port_22", "ec2_networkacl_allow_ingress_tcp_port_3389",
                    "ec2_networkacl_allow_ingress_any_port"),
                   "Prowler's ACL checks look at TCP only; we count TCP, UDP and all-protocol entries in rule "
                   "order, as CIS words it."),
    "LZ-SVC-009": (("config_recorder_all_regions_enabled",),
                   "Prowler checks the scanned account's recorder in every region it scans; we read every account's "
                   "recorders through the access role, in the governed regions, and also ask for all supported "
                   "resource types, the global ones in some region, and a delivery channel."),
}
"""LZ check id -> (Prowler checks covering the same ground, where the logic differs)."""


OUT_OF_SCOPE: dict[str, str] = {
    "cloudtrail_cloudwatch_logging_enabled": "The query layer is Athena over the trail bucket (or Lake): a "
    "CloudWatch Logs copy of every event is a cost the trail-query-layer practice does not ask for.",
    "cloudtrail_bucket_requires_mfa_delete": "MFA delete needs the bucket owner's root credentials, which "
    "centralized root access removes; versioning (LZ-LOG-010), retention and the trail-protection guardrail cover "
    "deletion instead.",
    "cloudtrail_s3_dataevents_read_enabled / cloudtrail_s3_dataevents_write_enabled": "S3 data events are an "
    "optional, costly addition to the organization trail; the practice is about management events.",
    "cloudtrail_insights_exist": "Insights is an analysis add-on, not part of the practice.",
    "iam_root_hardware_mfa_enabled": "The account summary does not say which kind of MFA the root user has; "
    "LZ-MGT-004 asks for MFA, the console shows the kind.",
    "ec2_networkacl_unused": "Hygiene of unused ACLs, not a security-group practice.",
    "organizations_tags_policies_enabled_and_attached / organizations_opt_out_ai_services_policy": "Governance "
    "policies (tag and AI opt-out policies) belong to the governance stage's checks, not to these practices.",
    "account_maintain_current_contact_details": "Billing and operations contacts: LZ-GOV-001 asks for the "
    "security contact only.",
    "s3_account_level_public_access_blocks": "Account-level Block Public Access belongs to the per-account "
    "baseline's checks.",
    "accessanalyzer_enabled / guardduty_is_enabled / securityhub_enabled":
    "Whether each security service runs belongs to the security services' checks; LZ-DEL-002 checks who "
    "administers them.",
}
"""Prowler checks on the same ground that flag something we do not check here, and why."""
