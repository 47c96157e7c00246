"""What every stage program shares: its context, the UNKNOWN sentinel, upstream lookups and the providers.

A stage program is a plain function of a :class:`StageContext`. It never calls boto3 and never reads the
environment: account ids, the organization id and the management account id come from the configuration (for
adopted resources) or from the outputs of the stages it depends on. When an upstream stage was never applied its
outputs are :data:`UNKNOWN`, and the lookups here turn them into unknown pulumi Outputs, so that a preview of a
landing zone that does not exist yet still shows every resource ("known after apply").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pulumi
import pulumi_aws as aws

from landingzone.config import ROOT_OU, LandingZoneConfig, partition
from landingzone.errors import StageError

Scope = Literal["management", "security", "delegated-admin", "account"]


class _Unknown:
    """Type of :data:`UNKNOWN`: the value of an upstream output whose stage was never applied."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        # Pickling (the orchestrator runs stages in worker processes) keeps the singleton.
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
"""Upstream stage never applied: either a whole stage's outputs or one output value."""

UpstreamOutputs = Mapping[str, Any] | _Unknown


@dataclass(frozen=True)
class StageContext:
    """Everything a stage program may use."""

    config: LandingZoneConfig
    """The validated configuration."""
    upstream: Mapping[str, UpstreamOutputs] = field(default_factory=dict)
    """Outputs of applied upstream stages by stage name: plain values (or pulumi Outputs, when the plain pulumi CLI
    reads them through StackReferences), or UNKNOWN for a stage never applied. A stage missing here is UNKNOWN."""
    account: str | None = None
    """For an account-scoped stage (network): the account this stack is for."""


# ---- unknown and upstream values --------------------------------------------------------------------------------


def unknown_output() -> pulumi.Output[Any]:
    """An Output whose value is not known yet (a preview shows it as known after apply)."""

    async def value() -> None:
        return None

    async def is_known() -> bool:
        return False

    return pulumi.Output(set(), value(), is_known())


def _never_applied(stage: str, what: str) -> StageError:
    return StageError(stage, f"{what} is not known because stage {stage!r} was never applied; apply it first "
                      f"(`landingzone up --stage {stage}`)")


def _holds_unknown(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(v is UNKNOWN or _holds_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(v is UNKNOWN or _holds_unknown(v) for v in value)
    return False


def as_output(value: Any, *, stage: str = "upstream", what: str = "a value") -> pulumi.Output[Any]:
    """A plain upstream value, an Output, or UNKNOWN -> an Output (unknown for UNKNOWN).

    Outside a preview an unknown upstream value cannot become a real resource input, so it is an error that
    names the stage to apply first.
    """
    if value is UNKNOWN or _holds_unknown(value):
        # (a mapping with one unknown entry, e.g. account_ids while a new account is pending, is not known either)
        if not pulumi.runtime.is_dry_run():
            raise _never_applied(stage, what)
        return unknown_output()
    if isinstance(value, pulumi.Output):
        # A StackReference output resolves to None when the upstream stack lacks it: treat it as UNKNOWN.
        return value.apply(lambda v: as_output(UNKNOWN, stage=stage, what=what) if v is None else v)
    return pulumi.Output.from_input(value)


def upstream_output(ctx: StageContext, stage: str, key: str, item: str | None = None) -> pulumi.Output[Any]:
    """Output ``key`` of upstream ``stage`` (and, for a mapping output, its entry ``item``) as an Output.

    A stage never applied, an output it does not have, or an entry missing from a mapping (an account added to
    the configuration after the organization stage was applied) are all unknown: known after that stage's next
    apply.
    """
    what = f"output {key}[{item!r}]" if item is not None else f"output {key!r}"
    outputs = ctx.upstream.get(stage, UNKNOWN)
    if isinstance(outputs, _Unknown):
        return as_output(UNKNOWN, stage=stage, what=what)
    value = outputs.get(key, UNKNOWN)
    if item is None:
        return as_output(value, stage=stage, what=what)
    if isinstance(value, Mapping):
        return as_output(value.get(item, UNKNOWN), stage=stage, what=what)
    if isinstance(value, pulumi.Output):
        # A StackReference output: look the entry up once it resolves.
        def pick(resolved: Any) -> Any:
            if isinstance(resolved, Mapping) and item in resolved:
                return resolved[item]
            return as_output(UNKNOWN, stage=stage, what=what)

        return value.apply(pick)
    return as_output(UNKNOWN, stage=stage, what=what)


def account_id(ctx: StageContext, name: str) -> pulumi.Output[str]:
    """Id of a member account: the configured id of an adopted account, else the organization stage's output."""
    existing = ctx.config.account(name).existing_id
    if existing is not None:
        return pulumi.Output.from_input(existing)
    return upstream_output(ctx, "organization", "account_ids", name)


def account_id_known(ctx: StageContext, name: str) -> bool:
    """Whether this run knows the account's id (adopted, or created by an applied organization stage); through
    StackReferences (the plain pulumi CLI) it is taken as known and resolved by the engine."""
    if ctx.config.account(name).existing_id is not None:
        return True
    outputs = ctx.upstream.get("organization", UNKNOWN)
    if isinstance(outputs, _Unknown):
        return False
    ids = outputs.get("account_ids", UNKNOWN)
    if isinstance(ids, pulumi.Output):
        return True
    return isinstance(ids, Mapping) and ids.get(name, UNKNOWN) not in (UNKNOWN, None)


def organization_id(ctx: StageContext) -> pulumi.Output[str]:
    existing = ctx.config.organization.existing_id
    if existing is not None:
        return pulumi.Output.from_input(existing)
    return upstream_output(ctx, "organization", "organization_id")


def management_account_id(ctx: StageContext) -> pulumi.Output[str]:
    # Prefer the applied organization's own answer; the configured id is only a hint the user typed.
    outputs = ctx.upstream.get("organization", UNKNOWN)
    applied = not isinstance(outputs, _Unknown) and outputs.get("management_account_id", UNKNOWN) is not UNKNOWN
    if not applied and ctx.config.management_account.id is not None:
        return pulumi.Output.from_input(ctx.config.management_account.id)
    return upstream_output(ctx, "organization", "management_account_id")


def target_id(ctx: StageContext, target: str) -> pulumi.Output[str]:
    """Id of a guardrail target: "Root", an OU path or an account name."""
    cfg = ctx.config
    if target == ROOT_OU:
        if cfg.organization.existing_root_id is not None:
            return pulumi.Output.from_input(cfg.organization.existing_root_id)
        return upstream_output(ctx, "organization", "root_id")
    ous = dict(ou_index(cfg))
    if target in ous:
        existing = ous[target]
        if existing is not None:
            return pulumi.Output.from_input(existing)
        return upstream_output(ctx, "organization", "ou_ids", target)
    return account_id(ctx, target)


def ou_index(cfg: LandingZoneConfig) -> list[tuple[str, str | None]]:
    """(OU path, existing id or None), parents first."""
    from landingzone.config import iter_ous

    return [(path, ou.existing_id) for path, ou in iter_ous(cfg.organizational_units)]


# ---- naming and ARNs --------------------------------------------------------------------------------------------


def stack_name(cfg: LandingZoneConfig, stage: str, account: str | None = None) -> str:
    """Pulumi stack name of a stage (and account): derived from the landing zone's name, never changing."""
    parts = [cfg.name, stage] + ([account] if account is not None else [])
    return "-".join(re.sub(r"[^A-Za-z0-9_.-]+", "_", p) for p in parts)


# ---- providers --------------------------------------------------------------------------------------------------

ENDPOINT_SERVICES: Final = ("accessanalyzer", "account", "athena", "budgets", "cloudtrail", "configservice",
                             "detective", "ec2", "events", "glue", "guardduty", "iam", "identitystore", "inspector2",
                             "kms", "macie2", "organizations", "s3", "s3control", "securityhub", "sns", "ssoadmin",
                             "sts")
"""Every AWS service a stage program touches; all of them go to cfg.aws.endpoint when it is set."""


def provider_args(cfg: LandingZoneConfig) -> dict[str, Any]:
    """Arguments shared by every provider: the home region, the profile, and the endpoint override."""
    args: dict[str, Any] = {"region": cfg.home_region}
    if cfg.aws.profile is not None:
        args["profile"] = cfg.aws.profile
    if cfg.aws.endpoint is not None:
        endpoint = cfg.aws.endpoint
        args.update(
            endpoints=[aws.ProviderEndpointArgs(**{svc: endpoint for svc in ENDPOINT_SERVICES})],
            # An emulator has no STS account lookup, no metadata API and no real region list.
            skip_credentials_validation=True,
            skip_requesting_account_id=True,
            skip_metadata_api_check=True,
            skip_region_validation=True,
            s3_use_path_style=True,
        )
    return args


class Providers:
    """One explicit aws.Provider per account a program touches (never the default provider)."""

    def __init__(self, ctx: StageContext) -> None:
        self._ctx = ctx
        self._by_account: dict[str, aws.Provider] = {}
        self._management: aws.Provider | None = None

    @property
    def management(self) -> aws.Provider:
        """The management account: the ambient credentials (profile or the standard chain)."""
        if self._management is None:
            self._management = aws.Provider("management", **provider_args(self._ctx.config))
        return self._management

    def account(self, name: str) -> aws.Provider:
        """A member account, reached by assuming the access role from the management account."""
        if name not in self._by_account:
            cfg = self._ctx.config
            part = partition(cfg.home_region)
            role_arn = account_id(self._ctx, name).apply(
                lambda i: f"arn:{part}:iam::{i}:role/{cfg.access_role_name}")
            self._by_account[name] = aws.Provider(
                f"account-{name}",
                assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=role_arn, session_name="landingzone")],
                **provider_args(cfg),
            )
        return self._by_account[name]


def opts(provider: pulumi.ProviderResource, **kwargs: Any) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=provider, **kwargs)


Program = Callable[[StageContext], None]
