"""The offline plan: every stage program run under pulumi mocks, no credentials and no pulumi CLI.

The programs are the real ones (``stacks.STAGES``); only the engine is replaced by pulumi's own mock monitor, which
records each registration (type, logical name, inputs, protect, import id, ignore_changes, provider) and answers
with a plausible id and state. Upstream stages are treated as never applied, so values that depend on them show
as known after apply, exactly as in a first preview.
"""

from __future__ import annotations

import gc
import threading
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from landingzone.config import ROOT_OU, LandingZoneConfig, iter_ous
from landingzone.config.governance import AccountState, effective_ou, governance_summary
from landingzone.workers import chunks, default_workers, process_pool

KNOWN_AFTER_APPLY = "(known after apply)"
PROJECT = "landingzone"

# The inputs `landingzone plan` shows per type (JSON output has them all).
KEY_INPUTS: dict[str, tuple[str, ...]] = {
    "pulumi:providers:aws": ("region", "assumeRoles"),
    "aws:organizations/organization:Organization": ("featureSet", "awsServiceAccessPrincipals",
                                                     "enabledPolicyTypes"),
    "aws:organizations/organizationalUnit:OrganizationalUnit": ("name", "parentId"),
    "aws:organizations/account:Account": ("name", "email", "parentId", "closeOnDeletion"),
    "aws:organizations/delegatedAdministrator:DelegatedAdministrator": ("servicePrincipal", "accountId"),
    "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount": ("accountId",),
    "aws:iam/role:Role": ("name", "path"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("policyArn",),
    "aws:kms/key:Key": ("enableKeyRotation",),
    "aws:kms/alias:Alias": ("name",),
    "aws:s3/bucket:Bucket": ("bucket",),
    "aws:cloudtrail/trail:Trail": ("name", "isOrganizationTrail", "isMultiRegionTrail", "enableLogFileValidation",
                                   "kmsKeyId"),
    "aws:cloudtrail/eventDataStore:EventDataStore": ("name", "organizationEnabled", "retentionPeriod",
                                                     "terminationProtectionEnabled"),
    "aws:athena/workgroup:Workgroup": ("name",),
    "aws:athena/namedQuery:NamedQuery": ("name",),
    "aws:glue/catalogDatabase:CatalogDatabase": ("name",),
    "aws:glue/catalogTable:CatalogTable": ("name",),
    "aws:organizations/policy:Policy": ("name",),
    "aws:organizations/policyAttachment:PolicyAttachment": ("targetId",),
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/securityGroup:SecurityGroup": ("name",),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("vpcId", "region"),
    "aws:ec2/networkAclRule:NetworkAclRule": ("ruleNumber", "ruleAction", "protocol", "fromPort", "cidrBlock",
                                              "ipv6CidrBlock", "region", "networkAclId"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("ipProtocol", "fromPort", "toPort",
                                                                  "referencedSecurityGroupId", "cidrIpv4",
                                                                  "cidrIpv6"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("ipProtocol", "fromPort", "toPort",
                                                                "referencedSecurityGroupId"),
    "aws:account/region:Region": ("accountId", "regionName", "enabled"),
    "aws:iam/organizationsFeatures:OrganizationsFeatures": ("enabledFeatures",),
    "aws:account/alternativeContact:AlternativeContact": ("accountId", "alternateContactType", "emailAddress"),
    "aws:budgets/budget:Budget": ("name", "limitAmount", "limitUnit", "costFilters"),
    # security services (stage security_services; the designations in stage security)
    "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount": ("adminAccountId", "region"),
    "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount": ("adminAccountId", "region"),
    "aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount": ("accountId", "region"),
    "aws:macie2/organizationAdminAccount:OrganizationAdminAccount": ("adminAccountId", "region"),
    "aws:detective/organizationAdminAccount:OrganizationAdminAccount": ("accountId", "region"),
    "aws:guardduty/detector:Detector": ("enable", "region"),
    "aws:guardduty/organizationConfiguration:OrganizationConfiguration": ("autoEnableOrganizationMembers", "region"),
    "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature": ("name", "autoEnable",
                                                                                        "region"),
    "aws:guardduty/detectorFeature:DetectorFeature": ("name", "status", "region"),
    "aws:securityhub/findingAggregator:FindingAggregator": ("linkingMode", "specifiedRegions", "region"),
    "aws:securityhub/organizationConfiguration:OrganizationConfiguration": ("organizationConfiguration",
                                                                            "autoEnable", "region"),
    "aws:securityhub/configurationPolicy:ConfigurationPolicy": ("name", "region"),
    "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation": ("targetId", "region"),
    "aws:cfg/configurationAggregator:ConfigurationAggregator": ("name", "region"),
    "aws:cfg/recorder:Recorder": ("name", "region", "recordingGroup"),
    "aws:cfg/deliveryChannel:DeliveryChannel": ("s3BucketName", "region"),
    "aws:cfg/recorderStatus:RecorderStatus": ("isEnabled", "region"),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": ("awsServiceName",),
    "aws:accessanalyzer/analyzer:Analyzer": ("analyzerName", "type", "region"),
    "aws:inspector2/organizationConfiguration:OrganizationConfiguration": ("autoEnable", "region"),
    "aws:inspector2/enabler:Enabler": ("resourceTypes", "region"),
    "aws:macie2/account:Account": ("status", "region"),
    "aws:macie2/organizationConfiguration:OrganizationConfiguration": ("autoEnable", "region"),
    "aws:detective/graph:Graph": ("region",),
    "aws:macie2/member:Member": ("accountId", "region"),
    "aws:detective/member:Member": ("accountId", "region"),
    "aws:detective/organizationConfiguration:OrganizationConfiguration": ("autoEnable", "region"),
    "aws:sns/topic:Topic": ("name", "kmsMasterKeyId", "region"),
    "aws:sns/topicSubscription:TopicSubscription": ("protocol", "endpoint"),
    "aws:cloudwatch/eventRule:EventRule": ("name", "region"),
    "aws:cloudwatch/eventTarget:EventTarget": ("arn", "region"),
}


OFFLINE_UNKNOWN_CALLS = frozenset({"aws:ec2/getVpcs:getVpcs", "aws:ec2/getNetworkAcls:getNetworkAcls",
                                   "aws:identitystore/getGroup:getGroup", "aws:iam/getRoles:getRoles"})
"""Data sources the programs call whose answer depends on what an account holds: offline they are unknown, so the
resources that depend on them show as known after apply (as in the first preview of new accounts)."""

# ---- results ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedResource:
    """One resource a stage program registers, as the engine would receive it."""

    type: str
    name: str
    inputs: dict[str, Any]
    """Wire-format (camelCase) inputs; values not known before apply are :data:`KNOWN_AFTER_APPLY`."""
    protect: bool = False
    import_id: str | None = None
    ignore_changes: tuple[str, ...] = ()
    provider: str | None = None
    """Logical name of the explicit provider, when there is one."""
    dependencies: tuple[str, ...] = ()
    """Logical names of the resources it waits for (through its inputs or depends_on)."""

    def key_inputs(self) -> dict[str, Any]:
        keys = KEY_INPUTS.get(self.type, ())
        return {k: self.inputs[k] for k in keys if self.inputs.get(k) is not None}


@dataclass
class StagePlan:
    """What one stack of one stage would register."""

    stage: str
    stack: str
    account: str | None
    resources: list[PlannedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(r.type for r in self.resources).items()))

    def of_type(self, type_: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> PlannedResource:
        for res in self.resources:
            if res.name == name:
                return res
        raise KeyError(f"{self.stack} registers no resource named {name!r}")

    def to_json(self) -> dict[str, Any]:
        return {"stage": self.stage, "stack": self.stack, "account": self.account, "counts": self.counts(),
                "resources": [asdict(r) for r in self.resources], "outputs": self.outputs}


# ---- the mock engine -----------------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Deserialized pulumi values -> plain JSON data (unknowns become KNOWN_AFTER_APPLY)."""
    if isinstance(value, Unknown):
        return KNOWN_AFTER_APPLY
    if isinstance(value, Mapping):
        if rpc.is_rpc_secret(value):
            return "[secret]"
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class PlanMocks(pulumi.runtime.Mocks):
    """Answers registrations with the inputs plus the few computed outputs the programs read back.

    Mock ids number the resources in the order the program constructs them (``construction_order``, filled by
    :func:`run_program`), not in the order registrations arrive: those come from the SDK's executor threads in
    an order that varies from run to run, and the plan must not.
    """

    def __init__(self) -> None:
        self.construction_order: dict[tuple[str, str], int] = {}
        self._counter = 0
        self._lock = threading.Lock()

    def _number(self, typ: str, name: str) -> int:
        known = self.construction_order.get((typ, name))
        if known is not None:
            return known
        with self._lock:  # a resource built outside run_program's bookkeeping: after every known one
            self._counter += 1
            return len(self.construction_order) + self._counter

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        n = self._number(args.typ, args.name)
        inputs = dict(args.inputs)
        typ = args.typ
        if args.resource_id:  # an import keeps the id it was given
            rid = args.resource_id
        elif typ == "aws:organizations/account:Account":
            rid = f"{200000000000 + n}"
        elif typ == "aws:organizations/organizationalUnit:OrganizationalUnit":
            rid = f"ou-mock-{n:08d}"
        elif typ == "aws:organizations/organization:Organization":
            rid = "o-mockorg0000"
        elif typ == "aws:organizations/policy:Policy":
            rid = f"p-{n:08x}"
        elif typ == "aws:s3/bucket:Bucket" and isinstance(inputs.get("bucket"), str):
            rid = inputs["bucket"]
        else:
            rid = f"{args.name}-{n}"
        state: dict[str, Any] = {**inputs, "id": rid, "arn": f"arn:aws:mock::{n}:{typ}/{args.name}"}
        if typ == "aws:organizations/organization:Organization":
            state.update(roots=[{"id": "r-mock", "arn": "arn:aws:organizations::000000000000:root/r-mock",
                                 "name": ROOT_OU, "policyTypes": []}],
                         masterAccountId="000000000000")
        elif typ == "aws:s3/bucket:Bucket":
            state["arn"] = f"arn:aws:s3:::{rid}" if isinstance(inputs.get("bucket"), str) else Unknown()  # type: ignore[no-untyped-call]
        elif typ == "aws:kms/key:Key":
            state["keyId"] = f"key-{n}"
        elif typ == "aws:identitystore/group:Group":
            state["groupId"] = f"group-{n:08d}"
        return rid, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        if args.token in OFFLINE_UNKNOWN_CALLS:
            # What the engine answers through a provider whose account is not known yet: nothing.
            return {}, []
        raise NotImplementedError(f"the plan has no offline answer for data source {args.token}")


def _settle(coro: Coroutine[Any, Any, Any]) -> Any:
    """The result of a coroutine that needs no waiting, computed here and now (no event loop pass).

    Serializing plain values (all a mock's state holds once the SDK has resolved a resource's inputs) never
    waits, so stepping the coroutine once finishes it. One that does wait (a state holding an unresolved Output)
    is run again the SDK's way, pumping the event loop until it completes.
    """
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise _MustWait


class _MustWait(Exception):
    pass


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """pulumi's mock monitor, keeping what the engine would be told (options included) for every resource."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registered: list[PlannedResource] = []
        self._lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()  # type: ignore[no-untyped-call]  # deserializing resource references needs a loop in this executor thread
        inputs = rpc.deserialize_properties(request.object)
        args = pulumi_mocks.MockResourceArgs(typ=request.type, name=request.name, inputs=inputs,
                                             provider=request.provider, resource_id=request.importId,
                                             custom=request.custom or False)
        id_, state = self.mocks.new_resource(args)
        # A provider reference is "<provider urn>::<id>"; the urn's last part is the provider's logical name.
        ref = request.provider.split("::") if request.provider else []
        provider_name = ref[3] if len(ref) > 4 else None
        record = PlannedResource(type=request.type, name=request.name, inputs=plain(inputs),
                                 protect=bool(request.protect), import_id=request.importId or None,
                                 ignore_changes=tuple(request.ignoreChanges), provider=provider_name,
                                 dependencies=tuple(sorted({urn.split("::")[-1] for urn in request.dependencies})))
        try:
            obj = _settle(rpc.serialize_properties(state, {}))
        except _MustWait:
            obj = _sync_await(rpc.serialize_properties(state, {}))
        with self._lock:
            self.registered.append(record)
            self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, id_ or "", state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "", object=obj)


@dataclass
class ProgramRun:
    resources: list[PlannedResource]
    outputs: dict[str, Any]


class _InlineExecutor(ThreadPoolExecutor):
    """Runs what the SDK hands to the event loop's default executor right away, in the loop's own thread.

    Against a real engine the SDK sends each registration from an executor thread because the gRPC call blocks.
    The mock monitor answers at once, so the thread round trip (submit, wake a thread, hand the GIL over, wake the
    loop again) is pure overhead: measured, 11% of the network stage's CPU time. Registrations also arrive in one
    thread, one at a time.
    """

    def __init__(self) -> None:
        super().__init__(max_workers=1)  # never starts its thread: submit does not queue anything

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 (delivered to the awaiting SDK code, as a thread would)
            future.set_exception(exc)
        return future


_INLINE = _InlineExecutor()


@contextmanager
def _registrations_inline() -> Iterator[None]:
    """This thread's event loop (the one pulumi's runtime uses) with :class:`_InlineExecutor` as its default
    executor for the duration; its own executor after (a fresh thread pool if it had none yet: what the loop would
    have made on first use)."""
    loop = _ensure_event_loop()  # type: ignore[no-untyped-call]
    previous = getattr(loop, "_default_executor", None)
    loop.set_default_executor(_INLINE)
    try:
        yield
    finally:
        loop.set_default_executor(previous if previous is not None else ThreadPoolExecutor())


def run_program(program: Any, ctx: Any, *, stack: str, project: str = PROJECT, preview: bool = True,
                mocks: pulumi.runtime.Mocks | None = None) -> ProgramRun:
    """Run one stage program under pulumi mocks in this thread and return what it registered and exported.

    Not reentrant: pulumi's runtime settings are global, so run programs one after another.
    """
    monitor = RecordingMonitor(mocks or PlanMocks())
    order: dict[tuple[str, str], int] = {}
    if isinstance(monitor.mocks, PlanMocks):
        monitor.mocks.construction_order = order
    exported: dict[str, Any] = {}
    with _registrations_inline():
        pulumi_settings.ROOT.set(None)  # a fresh root Stack per run (set_mocks keeps an existing one)
        pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=preview, monitor=monitor,
                                 organization="organization")  # what a DIY backend calls every organization
        root = pulumi_settings.get_root_resource()

        def note_construction(args: pulumi.ResourceTransformationArgs) -> None:
            # Stack transformations run synchronously in each resource's constructor: program order, every run.
            order.setdefault((args.type_, args.name), len(order) + 1)
            return None

        pulumi.runtime.register_stack_transformation(note_construction)
        pulumi_settings.SETTINGS.rpc_manager.clear()
        pulumi_settings.SETTINGS.outputs.clear()

        # The program runs before the event loop does, as in pulumi's own unit tests. Inside a running loop each
        # synchronous data-source call (aws.ec2.get_vpcs) re-enters the loop through the SDK's _sync_await, which
        # pads the ready queue back with a placeholder for every callback it ran; one program making such calls
        # per account grew that queue with each call, so the security stage took time quadratic in the accounts
        # (1,000 accounts: 100 s). Outside it, each call simply runs the loop until its answer is in.
        failure: BaseException | None = None
        try:
            program(ctx)
        except BaseException as exc:  # noqa: BLE001 (raised again below, once the runtime has settled)
            failure = exc

        async def body() -> None:
            if failure is not None:
                raise failure  # run_pulumi_func waits for outstanding registrations, then raises it
            for name, value in getattr(root, "outputs", {}).items():
                exported[name] = plain(await pulumi.Output.from_input(value).future(with_unknowns=True))

        try:
            _sync_await(run_pulumi_func(body))
        finally:
            # Let go of this run's resources, outputs and tasks now (the root Stack holds them all), so that the
            # young-generation collection after the stack frees them instead of promoting them to live on.
            pulumi_settings.ROOT.set(None)
            monitor.resources.clear()
    last = len(order) + 1
    resources = sorted(monitor.registered, key=lambda r: order.get((r.type, r.name), last))  # stable sort
    return ProgramRun(resources=resources, outputs=exported)


# ---- the plan ----------------------------------------------------------------------------------------------------


@contextmanager
def batch_gc() -> Iterator[Callable[[], None]]:
    """Garbage collection suited to registering thousands of resources, restored afterwards.

    The SDK allocates many short-lived objects per resource (Outputs, tasks, futures), so the cyclic collector's
    full passes over every live object took most of the CPU time of a large plan (measured: 60%). Inside this
    block automatic collection is off; call the yielded function between stacks to collect the young garbage
    (run_program lets go of each stack's objects before it returns, so they are young garbage by then). Nothing
    old is left to collect at the end, so the block ends without a full pass (one took 0.1-0.8 s per stage).
    """
    def collect_young() -> None:
        gc.collect(1)

    was_enabled = gc.isenabled()
    gc.freeze()  # modules and configuration live for the whole run: never scan them
    gc.disable()
    try:
        yield collect_young
    finally:
        collect_young()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _plan_stacks(cfg: LandingZoneConfig, stage_name: str, accounts: Sequence[str | None],
                 upstream: Mapping[str, Any] | None, collect_young: Callable[[], None]) -> list[StagePlan]:
    """The stacks of one stage for these accounts (None: the stage's single stack), one after another, inside
    :func:`batch_gc` (``collect_young`` is what it yields)."""
    import stacks

    st = stacks.stage(stage_name)
    results: list[StagePlan] = []
    for account in accounts:
        ctx = stacks.StageContext(config=cfg, upstream=dict(upstream or {}), account=account)
        name = stacks.stack_name(cfg, st.name, account)
        run = run_program(st.program, ctx, stack=name)
        results.append(StagePlan(stage=st.name, stack=name, account=account, resources=run.resources,
                                 outputs=run.outputs))
        collect_young()
    return results


# A worker process gets the configuration once (initializer), then only account names per task: pickling a
# 1,000-account configuration for every task would cost more than planning the accounts.
_worker_cfg: LandingZoneConfig | None = None
_worker_upstream: Mapping[str, Any] | None = None


def _worker_init(cfg: LandingZoneConfig, upstream: Mapping[str, Any] | None) -> None:
    global _worker_cfg, _worker_upstream
    _worker_cfg, _worker_upstream = cfg, upstream


def _worker_plan(stage_name: str, accounts: Sequence[str | None]) -> list[StagePlan]:
    assert _worker_cfg is not None, "worker not initialised"
    with batch_gc() as collect_young:
        return _plan_stacks(_worker_cfg, stage_name, accounts, _worker_upstream, collect_young)


MIN_STACKS_PER_WORKER = 100
"""With the default worker count, at most one worker per this many account stacks: each spawned worker first
imports pulumi and pulumi_aws (seconds of CPU), which a plan of a few dozen network stacks (some 25 ms each) would
not earn back. An explicit ``workers`` is taken as given."""

CHUNKS_PER_WORKER = 4
"""Tasks per worker for a stage's accounts: few enough that per-task overhead stays small, enough that a worker
slowed by a busy core does not hold the others up at the end."""


def plan(cfg: LandingZoneConfig, stage: str | None = None, upstream: Mapping[str, Any] | None = None,
         *, workers: int | None = None) -> list[StagePlan]:
    """Run every stage (or one) under mocks. Upstream stages count as never applied unless ``upstream`` gives
    their outputs. Raises QuotaError before the guardrails stage registers anything over quota.

    The per-account stacks (network) are independent, so they run in up to ``workers`` spawned processes
    (default: one per core, fewer for a small plan, see MIN_STACKS_PER_WORKER), and the single stacks with
    them; ``workers=1`` plans everything here, one stack after another. Either way the result is the
    same list in the same order (stage order, then account order), and the same exception when a stage fails.
    """
    import stacks

    selected = [stacks.stage(stage)] if stage is not None else list(stacks.STAGES)
    # A stage the configuration gives nothing to do (stacks.Stage.applies) has no stack to plan.
    selected = [st for st in selected if st.applies is None or st.applies(cfg)]
    per_account = {st.name: st.accounts(cfg) for st in selected if st.scope == "account"}
    total = sum(len(a) for a in per_account.values())
    if workers is None:
        workers = min(default_workers(), total // MIN_STACKS_PER_WORKER)
    count = max(1, workers)
    parallel = count > 1 and total > 1
    if not parallel:
        results: list[StagePlan] = []
        with batch_gc() as collect_young:
            for st in selected:
                results += _plan_stacks(cfg, st.name, per_account.get(st.name, [None]), upstream, collect_young)
        return results

    pool_size = min(count, total)
    with process_pool(pool_size, initializer=_worker_init, initargs=(cfg, upstream)) as pool:
        try:
            # Every stack goes to the workers, the single ones first (the security stack alone is a third of a
            # large plan), then the per-account ones in chunks that fill in around them: two busy processes on
            # two cores, where this process planning the single stacks beside two workers made three.
            futures = {st.name: [pool.submit(_worker_plan, st.name, [None])] for st in selected
                       if st.name not in per_account}
            futures.update({name: [pool.submit(_worker_plan, name, part)
                                   for part in chunks(accounts, pool_size * CHUNKS_PER_WORKER)]
                            for name, accounts in per_account.items()})
            results = []
            for st in selected:
                for future in futures[st.name]:
                    results += future.result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # a failed stage stops the plan, as it does sequentially
            raise
    return results


def account_tree(cfg: LandingZoneConfig) -> list[tuple[int, str, str]]:
    """(depth, kind, label) lines of Root -> OUs -> accounts, in config order."""
    by_ou: dict[str, list[str]] = {}
    for acct in cfg.accounts:
        retired = ", suspended" if acct.state is AccountState.SUSPENDED else ""
        by_ou.setdefault(effective_ou(acct), []).append(f"{acct.name} ({acct.kind.value}{retired})")
    lines: list[tuple[int, str, str]] = [(0, "root", ROOT_OU)]
    lines += [(1, "account", a) for a in by_ou.get(ROOT_OU, [])]
    for path, _ou in iter_ous(cfg.organizational_units):
        depth = path.count("/") + 1
        lines.append((depth, "ou", path.rsplit("/", 1)[-1]))
        lines += [(depth + 1, "account", a) for a in by_ou.get(path, [])]
    return lines


def quota_usage(cfg: LandingZoneConfig, policy_type: str | None = "SERVICE_CONTROL_POLICY") -> list[dict[str, Any]]:
    """Quota use per target that gets library policies (QuotaError when over): of one policy type (SCP by
    default), or with ``policy_type=None`` of every type the plan uses (each entry names its type)."""
    from stacks.guardrails import attachment_plan

    attachment = attachment_plan(cfg)
    types = attachment.policy_types() if policy_type is None else [policy_type]
    return [
        {"target": u.target, "kind": u.kind, "attached": u.attached, "limit": u.limit,
         "largest_policy_chars": u.largest_policy_chars, "max_characters": u.max_characters,
         "policy_type": u.policy_type}
        for t in types for u in attachment.usage(cfg.quotas, t)  # type: ignore[arg-type]
        if u.target in attachment.per_target and (t == "SERVICE_CONTROL_POLICY" or attachment.keys_of_type(u.target, t))
    ]


PROVIDER_TYPE = "pulumi:providers:aws"


def stack_summary(plans: Iterable[StagePlan]) -> list[dict[str, Any]]:
    """Per stage: how many stacks, resources and at most how many explicit providers one stack holds (the
    engine starts a plugin process per provider; the design allows two per stack)."""
    by_stage: dict[str, dict[str, Any]] = {}
    for p in plans:
        entry = by_stage.setdefault(p.stage, {"stage": p.stage, "stacks": 0, "resources": 0, "max_providers": 0})
        entry["stacks"] += 1
        entry["resources"] += len(p.resources)
        entry["max_providers"] = max(entry["max_providers"], sum(r.type == PROVIDER_TYPE for r in p.resources))
    return list(by_stage.values())


def plan_document(cfg: LandingZoneConfig, plans: Iterable[StagePlan]) -> dict[str, Any]:
    plans = list(plans)
    return {
        "landing_zone": cfg.name,
        "stacks": stack_summary(plans),
        "stages": [p.to_json() for p in plans],
        "total_resources": sum(len(p.resources) for p in plans),
        "tree": [{"depth": d, "kind": k, "name": n} for d, k, n in account_tree(cfg)],
        "scp_quota": quota_usage(cfg),
        "governance": governance_summary(cfg),
        "policy_quota": quota_usage(cfg, None),
        "sign_in": sign_in(cfg),
    }


def sign_in(cfg: LandingZoneConfig) -> list[dict[str, str]]:
    """Who can reach which account with which permission set (IAM Identity Center); empty without it."""
    from landingzone.config import grants

    return [{"account": g.account, "group": g.group, "permission_set": g.permission_set} for g in grants(cfg)]

