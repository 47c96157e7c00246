"""An emulated pulumi-aws resource plugin: pulumi's ResourceProvider gRPC service backed by a moto server.

It stands in for pulumi-aws's own plugin (which cannot be downloaded on our machines) in the engine tests and
nowhere else. The engine starts one process per provider (the default provider and every explicit
`aws.Provider`), passes its own address as the first argument and reads our port from the first stdout line.
Resource handlers live in resources.py; README.md lists where they differ from pulumi-aws.

Safety: it only ever talks to an explicit endpoint (the provider's `endpoints` or AWS_ENDPOINT_URL);
without one it refuses to run, so a misconfigured test can never reach real AWS.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import account_settings  # noqa: E402,F401 (registers the account-level settings)
import config_recording  # noqa: E402,F401 (registers AWS Config recording: recorders, channels, status)
import governance  # noqa: E402, F401  (registers the governance and regions stages' types)
import guardduty_securityhub  # noqa: E402, F401  (registers GuardDuty and Security Hub)
import identity_center  # noqa: E402, F401  (registers the IAM Identity Center types)
import network_acls  # noqa: E402, F401  (registers network ACL entries and their lookup)
import notifications  # noqa: E402, F401  (registers SNS and EventBridge)
import security_services  # noqa: E402, F401  (registers the security services' types)
from resources import HANDLERS, INVOKES, Connection, Handler  # noqa: E402

PLUGIN_VERSION = "7.51.1"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"
ENV_STATE = "LANDINGZONE_EMULATOR_STATE"
IGNORED_KEYS = {"__defaults", "tagsAll", "timeouts"}


# ---- values --------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Struct values as Python: integral floats become ints (boto3 checks integers), secrets unwrap."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_VALUE:
            return _plain(value.get("value"))
        return {k: _plain(v) for k, v in value.items()}
    return value


def from_struct(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    if struct is None:
        return {}
    return _plain(json_format.MessageToDict(struct))


def to_struct(data: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(json.loads(json.dumps(data, default=str)))
    return struct


def has_unknown(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    return False


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def normalize(value: Any, *, as_json: bool = False) -> Any:
    """Comparable form: empty values are equal to absent ones, JSON documents compare by meaning."""
    if as_json and isinstance(value, str) and value.strip():
        try:
            return json.loads(value)
        except ValueError:
            return value
    if _empty(value):
        return None
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items() if not _empty(v)}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def same(key: str, old: Any, new: Any, handler: Handler) -> bool:
    as_json = key in handler.json_keys
    if key in handler.set_keys and isinstance(old, list) and isinstance(new, list):
        old, new = sorted(map(json.dumps, old)), sorted(map(json.dumps, new))
    return normalize(old, as_json=as_json) == normalize(new, as_json=as_json)


# ---- the emulator's own state (types moto lacks) -------------------------------------------------


class Store:
    """A JSON file shared by every plugin process of a test (the fixture sets LANDINGZONE_EMULATOR_STATE)."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    @contextmanager
    def edit(self) -> Iterator[dict[str, Any]]:
        if not self.path:
            raise RuntimeError(f"{ENV_STATE} is not set: the emulator needs it for types moto lacks")
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        with open(self.path + ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data: dict[str, Any] = {}
                if os.path.exists(self.path):
                    with open(self.path) as fh:
                        data = json.load(fh)
                yield data
                tmp = self.path + ".tmp"
                with open(tmp, "w") as fh:
                    json.dump(data, fh, indent=1, sort_keys=True)
                os.replace(tmp, self.path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def read(self) -> dict[str, Any]:
        with self.edit() as data:
            return json.loads(json.dumps(data))


# ---- the provider --------------------------------------------------------------------------------


def _type_and_name(urn: str) -> tuple[str, str]:
    parts = urn.split("::")
    return parts[2].split("$")[-1], parts[3]


def _load_config(request: Any) -> dict[str, Any]:
    """Provider config from Configure: `args` when sent, else `variables` (aws:config:KEY)."""
    config: dict[str, Any] = {}
    if request.HasField("args"):
        config = from_struct(request.args)
    for key, value in request.variables.items():
        short = key.split(":")[-1]
        if short not in config:
            config[short] = value
    decoded: dict[str, Any] = {}
    for key, value in config.items():
        # Explicit providers send non-string settings JSON-encoded (pulumi.runtime.to_json).
        if isinstance(value, str) and value[:1] in "[{" and value[-1:] in "]}":
            try:
                value = json.loads(value)
            except ValueError:
                pass
        elif isinstance(value, str) and value in ("true", "false"):
            value = value == "true"
        decoded[key] = value
    return decoded


class EmulatedAwsProvider(provider_pb2_grpc.ResourceProviderServicer):
    def __init__(self) -> None:
        self._connection_cls = Connection
        self.conn: Any = None
        self.store = Store(os.environ.get(ENV_STATE))
        self._lock = threading.Lock()

    def _connection(self) -> Any:
        with self._lock:
            if self.conn is None:
                self.conn = self._connection_cls({}, self.store)
            return self.conn

    # -- plugin and provider configuration --

    def GetPluginInfo(self, request: Any, context: Any) -> Any:
        return plugin_pb2.PluginInfo(version=PLUGIN_VERSION)

    def CheckConfig(self, request: Any, context: Any) -> Any:
        news = from_struct(request.news)
        failures = []
        if "region" not in news and not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
            failures.append(
                provider_pb2.CheckFailure(property="region", reason="Missing required argument: region (or AWS_REGION)")
            )
        return provider_pb2.CheckResponse(inputs=request.news, failures=failures)

    def DiffConfig(self, request: Any, context: Any) -> Any:
        # Changing provider settings updates the provider in place; its resources are not replaced (pulumi-aws
        # behaves the same for the settings we use: region, assumeRoles, endpoints).
        olds, news = from_struct(request.olds), from_struct(request.news)
        keys = sorted(
            k for k in set(olds) | set(news) if k != "version" and not same(k, olds.get(k), news.get(k), Handler())
        )
        changes = provider_pb2.DiffResponse.DIFF_SOME if keys else provider_pb2.DiffResponse.DIFF_NONE
        return provider_pb2.DiffResponse(changes=changes, diffs=keys)

    def Configure(self, request: Any, context: Any) -> Any:
        config = _load_config(request)
        with self._lock:
            self.conn = self._connection_cls(config, self.store)
        return provider_pb2.ConfigureResponse(
            acceptSecrets=False, supportsPreview=True, acceptResources=False, acceptOutputs=False
        )

    def Cancel(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()

    # -- invokes --

    def Invoke(self, request: Any, context: Any) -> Any:
        fn = INVOKES.get(request.tok)
        if fn is None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"the aws emulator does not implement {request.tok}")
        try:
            result = fn(self._connection(), from_struct(request.args))
        except Exception as exc:  # noqa: BLE001 - reported to the engine as a failed call
            context.abort(grpc.StatusCode.UNKNOWN, f"{request.tok}: {exc}")
        return provider_pb2.InvokeResponse(**{"return": to_struct(result)})

    # -- resources --

    def _handler(self, urn: str, context: Any) -> tuple[Handler, str]:
        type_, name = _type_and_name(urn)
        handler = HANDLERS.get(type_)
        if handler is None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"the aws emulator does not implement {type_}")
        return handler, name

    def _fail(self, context: Any, what: str, exc: Exception) -> None:
        detail = str(exc)
        if os.environ.get("LANDINGZONE_EMULATOR_DEBUG"):
            detail += "\n" + traceback.format_exc()
        context.abort(grpc.StatusCode.UNKNOWN, f"{what}: {detail}")

    def Check(self, request: Any, context: Any) -> Any:
        handler, name = self._handler(request.urn, context)
        olds, news = from_struct(request.olds), from_struct(request.news)
        inputs = dict(news)
        for key, value in handler.defaults.items():
            if key not in inputs:
                inputs[key] = value
        if handler.autoname and handler.autoname not in inputs and "namePrefix" not in inputs:
            # Like pulumi-aws: `__defaults` records that the name was generated, so it is kept across updates
            # and a replacement may create the new resource before deleting the old one.
            reuse = handler.autoname in (olds.get("__defaults") or []) and olds.get(handler.autoname)
            inputs[handler.autoname] = reuse or handler.generate_name(name, request.randomSeed)
            inputs["__defaults"] = [handler.autoname]
        failures = [
            provider_pb2.CheckFailure(property=k, reason=f"Missing required argument: {k}")
            for k in handler.required
            if k not in inputs
        ]
        failures += [provider_pb2.CheckFailure(property=k, reason=why) for k, why in handler.check(inputs)]
        return provider_pb2.CheckResponse(inputs=to_struct(inputs), failures=failures)

    def Diff(self, request: Any, context: Any) -> Any:
        handler, _ = self._handler(request.urn, context)
        olds, news = from_struct(request.olds), from_struct(request.news)
        old_inputs = from_struct(request.old_inputs) if request.HasField("old_inputs") else {}
        ignored = set(request.ignoreChanges) | IGNORED_KEYS
        changed: list[str] = []
        for key in sorted(set(news) | set(old_inputs)):
            if key in ignored:
                continue
            if key not in news:
                if key in handler.computed:
                    continue  # optional + computed: leaving it out keeps what AWS has
                new: Any = None
            else:
                new = news[key]
            if has_unknown(new) or not same(key, olds.get(key), new, handler):
                changed.append(key)
        replaces = [k for k in changed if k in handler.replace_on or k == "region"]
        kind = provider_pb2.PropertyDiff
        detailed = {
            k: kind(kind=(kind.UPDATE_REPLACE if k in replaces else kind.UPDATE), inputDiff=True) for k in changed
        }
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed,
            replaces=replaces,
            detailedDiff=detailed,
            hasDetailedDiff=True,
            # pulumi-aws deletes first when the name was set explicitly: the new resource would clash with it.
            deleteBeforeReplace=bool(replaces)
            and (
                handler.delete_before_replace
                or (
                    bool(handler.autoname)
                    and handler.autoname in news
                    and handler.autoname not in (news.get("__defaults") or [])
                )
            ),
        )

    def Create(self, request: Any, context: Any) -> Any:
        handler, name = self._handler(request.urn, context)
        inputs = from_struct(request.properties)
        if request.preview:
            outs = {k: v for k, v in inputs.items() if k != "__defaults"}
            for key in handler.outputs:
                outs.setdefault(key, UNKNOWN)
            return provider_pb2.CreateResponse(id="", properties=to_struct(outs))
        try:
            id_, outs = handler.create(self._connection().for_region(inputs.get("region")), inputs)
        except Exception as exc:  # noqa: BLE001 - reported to the engine as a failed create
            self._fail(context, f"creating {handler.token} {name}", exc)
        inputs.pop("__defaults", None)
        return provider_pb2.CreateResponse(id=id_, properties=to_struct({**inputs, **outs}))

    def Read(self, request: Any, context: Any) -> Any:
        handler, name = self._handler(request.urn, context)
        olds = from_struct(request.properties)
        old_inputs = from_struct(request.inputs)
        state = olds or old_inputs
        try:
            outs = handler.read(self._connection().for_region(state.get("region")), request.id, state)
        except Exception as exc:  # noqa: BLE001
            self._fail(context, f"reading {handler.token} {name} ({request.id})", exc)
        if outs is None:
            return provider_pb2.ReadResponse(id="")
        merged = {**state, **outs}
        # Keep the old spelling of values that mean the same (JSON), so a refresh shows real drift only.
        for key, value in list(merged.items()):
            if key in state and same(key, state[key], value, handler):
                merged[key] = state[key]
        if olds or old_inputs:
            inputs = {k: (merged[k] if k in merged else v) for k, v in old_inputs.items()}
        else:
            # An import (or a static get): no prior state, so the inputs are what AWS has, minus what only
            # AWS computes, plus the defaults Check would add; the engine then diffs them with the program.
            for key, value in handler.defaults.items():
                merged.setdefault(key, value)
            skip = (set(handler.outputs) - set(handler.computed)) | IGNORED_KEYS | {"id"}
            inputs = {k: v for k, v in merged.items() if k not in skip}
        return provider_pb2.ReadResponse(id=request.id, properties=to_struct(merged), inputs=to_struct(inputs))

    def Update(self, request: Any, context: Any) -> Any:
        handler, name = self._handler(request.urn, context)
        olds, news = from_struct(request.olds), from_struct(request.news)
        if request.preview:
            outs = {k: v for k, v in olds.items() if k in handler.outputs}
            outs.update({k: v for k, v in news.items() if k != "__defaults"})
            return provider_pb2.UpdateResponse(properties=to_struct(outs))
        changed = [
            k
            for k in sorted(set(olds) | set(news))
            if k not in IGNORED_KEYS and not same(k, olds.get(k), news.get(k), handler)
        ]
        try:
            outs = handler.update(self._connection().for_region(news.get("region")), request.id, olds, news, changed)
        except Exception as exc:  # noqa: BLE001
            self._fail(context, f"updating {handler.token} {name} ({request.id})", exc)
        merged = {k: v for k, v in olds.items() if k in handler.outputs}
        merged.update({k: v for k, v in news.items() if k != "__defaults"})
        merged.update(outs)
        return provider_pb2.UpdateResponse(properties=to_struct(merged))

    def Delete(self, request: Any, context: Any) -> Any:
        handler, name = self._handler(request.urn, context)
        props = from_struct(request.properties)
        try:
            handler.delete(self._connection().for_region(props.get("region")), request.id, props)
        except Exception as exc:  # noqa: BLE001
            self._fail(context, f"deleting {handler.token} {name} ({request.id})", exc)
        return empty_pb2.Empty()


def main() -> None:
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)],
    )
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(EmulatedAwsProvider(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    # Exit with the engine: if the CLI dies without stopping us (e.g. SIGKILL in the middle of an up), we are
    # re-parented, and an orphaned plugin would otherwise wait forever.
    engine = os.getppid()
    try:
        while os.getppid() == engine:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    server.stop(0)


if __name__ == "__main__":
    main()
