"""The landing zone's description, ``LandingZoneConfig``, and its YAML file.

One import for callers (``from landingzone.config import X``); the parts live in their own modules:

- :mod:`~landingzone.config.enums`: account kinds, security services, query layers, protocols;
- :mod:`~landingzone.config.model`: ``LandingZoneConfig`` and its sections, every field with its docstring (the
  network section in :mod:`~landingzone.config.network`, the shared base in :mod:`~landingzone.config.base`);
- :mod:`~landingzone.config.rules`: the rules that span fields;
- :mod:`~landingzone.config.security_services`: the security services turned on organization-wide;
- :mod:`~landingzone.config.identity_center`: how people sign in (IAM Identity Center), its rules in
  :mod:`~landingzone.config.identity_center_rules`;
- :mod:`~landingzone.config.files`: parse, validate, load and save the YAML file, keeping its comments;
- :mod:`~landingzone.config.backend`: the default state backend beside the file;
- :mod:`~landingzone.config.commented`: the commented file `landingzone init` writes.

Names shared with the guardrail library (the root OU, default role path and name, partitions, regions, quota
defaults) live in :mod:`landingzone.constants` and are re-exported here.
"""

from landingzone.config.backend import STATE_DIR, backend_url, default_backend_url
from landingzone.config.base import _Model as _Model  # the base of every section (tests walk it)
from landingzone.config.baseline import BaselineConfig
from landingzone.config.commented import commented_yaml
from landingzone.config.enums import (
    SERVICE_PRINCIPALS,
    WORKLOAD_ACCOUNT_KINDS,
    AccountKind,
    Protocol,
    QueryLayer,
    SecurityService,
)
from landingzone.config.files import (
    DEFAULT_CONFIG_PATH,
    config_to_data,
    dumps_config,
    load_config,
    loads_config,
    parse_yaml,
    save_config,
    validate_config,
)
from landingzone.config.governance import (
    ACCOUNT_CLOSURE_QUOTA,
    OPT_IN_REGIONS,
    SUSPENDED_OU,
    AccountState,
    AlternateContact,
    AlternateContacts,
    BudgetAlert,
    BudgetsConfig,
    BudgetSettings,
    ContactType,
    GovernanceConfig,
    RootAccessConfig,
)
from landingzone.config.identity_center import (
    MANAGEMENT_TARGET,
    PRESETS,
    SESSION_HOURS,
    SSO_SERVICE_PRINCIPAL,
    Assignment,
    BreakGlassUser,
    CustomerManagedPolicy,
    IdentityCenterConfig,
    IdentityCenterGroup,
    PermissionsBoundary,
    PermissionSet,
    PermissionSetPreset,
    aws_managed_policies,
    library_permission_set,
    session_seconds,
)
from landingzone.config.identity_center_rules import (
    Grant,
    administrator_account,
    grants,
    management_permission_sets,
    target_accounts,
)
from landingzone.config.model import (
    Account,
    AwsSettings,
    GuardrailAssignment,
    LandingZoneConfig,
    LoggingConfig,
    ManagementAccount,
    OrgAdminConfig,
    OrganizationalUnit,
    OrganizationSettings,
    QuotaConfig,
    StateConfig,
    field_descriptions,
    iter_ous,
    json_schema,
)
from landingzone.config.network import EdgeIngress, NetworkConfig, Port, RoleRule, SecurityGroupRole
from landingzone.config.rules import ADMIN_PORTS, LAKE_RETENTION_RANGE, MAX_OU_DEPTH, cross_field_problems
from landingzone.config.security_services import (
    COST_NOTE,
    SERVICE_FIELDS,
    AccessAnalyzerSettings,
    ConfigSettings,
    DetectiveSettings,
    FindingNotifications,
    FindingSeverity,
    GuardDutyProtectionPlan,
    GuardDutySettings,
    InspectorResourceType,
    InspectorSettings,
    MacieSettings,
    SecurityHubSettings,
    SecurityHubStandard,
    SecurityServicesConfig,
)
from landingzone.constants import MANAGEMENT_BASELINE, ROOT_OU, known_regions, partition

__all__ = [
    "ACCOUNT_CLOSURE_QUOTA",
    "COST_NOTE",
    "SERVICE_FIELDS",
    "AccessAnalyzerSettings",
    "ConfigSettings",
    "DetectiveSettings",
    "FindingNotifications",
    "FindingSeverity",
    "GuardDutyProtectionPlan",
    "GuardDutySettings",
    "InspectorResourceType",
    "InspectorSettings",
    "MacieSettings",
    "SecurityHubSettings",
    "SecurityHubStandard",
    "SecurityServicesConfig",
    "MANAGEMENT_TARGET",
    "PRESETS",
    "SESSION_HOURS",
    "SSO_SERVICE_PRINCIPAL",
    "Assignment",
    "BreakGlassUser",
    "CustomerManagedPolicy",
    "IdentityCenterConfig",
    "IdentityCenterGroup",
    "PermissionSet",
    "PermissionSetPreset",
    "PermissionsBoundary",
    "aws_managed_policies",
    "library_permission_set",
    "session_seconds",
    "Grant",
    "administrator_account",
    "grants",
    "management_permission_sets",
    "target_accounts",
    "ADMIN_PORTS",
    "OPT_IN_REGIONS",
    "SUSPENDED_OU",
    "AccountState",
    "AlternateContact",
    "AlternateContacts",
    "BudgetAlert",
    "BudgetSettings",
    "BudgetsConfig",
    "ContactType",
    "GovernanceConfig",
    "RootAccessConfig",
    "DEFAULT_CONFIG_PATH",
    "LAKE_RETENTION_RANGE",
    "MANAGEMENT_BASELINE",
    "MAX_OU_DEPTH",
    "ROOT_OU",
    "SERVICE_PRINCIPALS",
    "STATE_DIR",
    "WORKLOAD_ACCOUNT_KINDS",
    "Account",
    "AccountKind",
    "AwsSettings",
    "BaselineConfig",
    "EdgeIngress",
    "GuardrailAssignment",
    "LandingZoneConfig",
    "LoggingConfig",
    "ManagementAccount",
    "NetworkConfig",
    "OrgAdminConfig",
    "OrganizationSettings",
    "OrganizationalUnit",
    "Port",
    "Protocol",
    "QueryLayer",
    "QuotaConfig",
    "RoleRule",
    "SecurityGroupRole",
    "SecurityService",
    "StateConfig",
    "backend_url",
    "commented_yaml",
    "config_to_data",
    "cross_field_problems",
    "default_backend_url",
    "dumps_config",
    "field_descriptions",
    "iter_ous",
    "json_schema",
    "known_regions",
    "load_config",
    "loads_config",
    "parse_yaml",
    "partition",
    "save_config",
    "validate_config",
]
