"""AWS Config recording of stage baseline: the service-linked role, configuration recorders, delivery channels and
recorder status (and the aws:iam/getRoles lookup the stage makes first).

Registered into resources.HANDLERS on import (provider.py imports this module). moto backs the recorders,
channels and status; the emulator adds the checks AWS makes that moto does not (README.md): the recorder's role
must exist, the delivery channel's bucket must exist and its policy must let AWS Config write this account's
prefix, and a service-linked role is refused when the account has it already.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from botocore.exceptions import ClientError
from resources import Connection, Handler, Outs, code, invoke, register

SERVICE_LINKED_ROLE_NAMES = {"config.amazonaws.com": "AWSServiceRoleForConfig"}
"""AWS's names; moto derives them from the service name and gets the case wrong (AWSServiceRoleForconfig)."""
CONFIG = "config.amazonaws.com"


@invoke("aws:iam/getRoles:getRoles")
def get_roles(conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
    """iam ListRoles (pathPrefix), filtered by nameRegex, as pulumi-aws does."""
    kwargs: dict[str, Any] = {"PathPrefix": args["pathPrefix"]} if args.get("pathPrefix") else {}
    roles: list[dict[str, Any]] = []
    for page in conn.client("iam").get_paginator("list_roles").paginate(**kwargs):
        roles.extend(page["Roles"])
    pattern = re.compile(args["nameRegex"]) if args.get("nameRegex") else None
    found = sorted((r for r in roles if pattern is None or pattern.search(r["RoleName"])), key=lambda r: r["RoleName"])
    return {"arns": [r["Arn"] for r in found], "names": [r["RoleName"] for r in found], "id": conn.account_id,
            "pathPrefix": args.get("pathPrefix"), "nameRegex": args.get("nameRegex")}


@register("aws:iam/serviceLinkedRole:ServiceLinkedRole")
class ServiceLinkedRole(Handler):
    """iam CreateServiceLinkedRole, done as AWS names the role (moto's create_role under the service's path). The
    id is the ARN, as in pulumi-aws; a second one is refused as AWS refuses it."""

    required = ("awsServiceName",)
    replace_on = frozenset({"awsServiceName", "customSuffix"})
    computed = frozenset({"description"})
    outputs = ("arn", "name", "path", "uniqueId", "createDate", "tagsAll")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        service = str(ins["awsServiceName"])
        base = SERVICE_LINKED_ROLE_NAMES.get(service) or f"AWSServiceRoleFor{service.split('.')[0].title()}"
        name = f"{base}_{ins['customSuffix']}" if ins.get("customSuffix") else base
        iam = conn.client("iam")
        try:
            iam.get_role(RoleName=name)
        except ClientError as exc:
            if code(exc) != "NoSuchEntity":
                raise
        else:
            raise RuntimeError(f"InvalidInput: Service role name {name} has been taken in this account, please try "
                               "a different suffix.")
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": [service]}, "Action": ["sts:AssumeRole"]}]}
        args: dict[str, Any] = {"RoleName": name, "Path": f"/aws-service-role/{service}/",
                                "AssumeRolePolicyDocument": json.dumps(trust)}
        if ins.get("description"):
            args["Description"] = ins["description"]
        role = iam.create_role(**args)["Role"]
        outs = self.read(conn, role["Arn"], ins)
        assert outs is not None
        return role["Arn"], outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        name = id_.rsplit("/", 1)[-1]
        try:
            role = conn.client("iam").get_role(RoleName=name)["Role"]
        except ClientError as exc:
            if code(exc) == "NoSuchEntity":
                return None
            raise
        path = str(role.get("Path", "/"))
        outs: Outs = {"arn": role["Arn"], "name": name, "path": path, "uniqueId": role.get("RoleId", ""),
                      "createDate": str(role.get("CreateDate", "")), "tagsAll": {},
                      "awsServiceName": path.strip("/").split("/", 1)[-1]}
        if "_" in name:
            outs["customSuffix"] = name.split("_", 1)[1]
        if role.get("Description"):
            outs["description"] = role["Description"]
        return outs

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        if "description" in changed:
            conn.client("iam").update_role(RoleName=id_.rsplit("/", 1)[-1], Description=news.get("description") or "")
        outs = self.read(conn, id_, news)
        assert outs is not None
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        try:
            conn.client("iam").delete_role(RoleName=id_.rsplit("/", 1)[-1])
        except ClientError as exc:
            if code(exc) != "NoSuchEntity":
                raise


def _recording_group(group: dict[str, Any] | None) -> dict[str, Any]:
    group = group or {}
    out: dict[str, Any] = {"allSupported": bool(group.get("allSupported", True)),
                           "includeGlobalResourceTypes": bool(group.get("includeGlobalResourceTypes", False))}
    if group.get("resourceTypes"):
        out["resourceTypes"] = list(group["resourceTypes"])
    return out


@register("aws:cfg/recorder:Recorder")
class Recorder(Handler):
    """moto's configuration recorders (one per account and region). AWS refuses a role that does not exist; moto
    takes any ARN, so the emulator checks the role in IAM first. The id is the name."""

    required = ("roleArn",)
    defaults = {"name": "default"}
    replace_on = frozenset({"name"})
    computed = frozenset({"recordingGroup", "recordingMode"})

    def _put(self, conn: Connection, ins: dict[str, Any]) -> None:
        role = str(ins["roleArn"])
        try:
            if role.split(":")[4:5] != [conn.account_id]:
                raise ClientError({"Error": {"Code": "NoSuchEntity", "Message": role}}, "GetRole")
            conn.client("iam").get_role(RoleName=role.rsplit("/", 1)[-1])
        except ClientError as exc:
            if code(exc) == "NoSuchEntity":
                raise RuntimeError(f"InsufficientPermissionsException: the role {role} does not exist, so AWS "
                                   "Config cannot assume it") from None
            raise
        group = ins.get("recordingGroup") or {"allSupported": True}
        request: dict[str, Any] = {"allSupported": bool(group.get("allSupported")),
                                   "includeGlobalResourceTypes": bool(group.get("includeGlobalResourceTypes"))}
        if group.get("resourceTypes"):
            request["resourceTypes"] = list(group["resourceTypes"])
        conn.client("config").put_configuration_recorder(ConfigurationRecorder={
            "name": ins["name"], "roleARN": role, "recordingGroup": request})

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self._put(conn, ins)
        return str(ins["name"]), {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("config").describe_configuration_recorders(ConfigurationRecorderNames=[id_])
        except ClientError as exc:
            if code(exc) == "NoSuchConfigurationRecorderException":
                return None
            raise
        (recorder,) = got["ConfigurationRecorders"]
        return {"name": recorder["name"], "roleArn": recorder["roleARN"],
                "recordingGroup": _recording_group(recorder.get("recordingGroup"))}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self._put(conn, news)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        try:
            conn.client("config").delete_configuration_recorder(ConfigurationRecorderName=id_)
        except ClientError as exc:
            if code(exc) != "NoSuchConfigurationRecorderException":
                raise


def _policy_lets_config_write(policy: dict[str, Any], bucket: str, account: str, org_id: str | None) -> bool:
    """Whether an Allow statement lets config.amazonaws.com put this account's objects (the prefix AWS Config
    writes, AWSLogs/<account>/Config/), its organization and account conditions (if any) met."""
    key = f"arn:aws:s3:::{bucket}/AWSLogs/{account}/Config/ConfigWritabilityCheckFile"
    raw = policy.get("Statement") or []
    for statement in raw if isinstance(raw, list) else [raw]:
        principal = statement.get("Principal") or {}
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        services = [services] if isinstance(services, str) else services
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if statement.get("Effect") != "Allow" or CONFIG not in services:
            continue
        if not any(fnmatch.fnmatchcase("s3:PutObject", a) for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(key, r) for r in resources):
            continue
        equals = {k.lower(): v for k, v in (statement.get("Condition") or {}).get("StringEquals", {}).items()}
        if "aws:sourceorgid" in equals and equals["aws:sourceorgid"] != org_id:
            continue
        if "aws:sourceaccount" in equals and account not in (
                [equals["aws:sourceaccount"]] if isinstance(equals["aws:sourceaccount"], str)
                else equals["aws:sourceaccount"]):
            continue
        return True
    return False


@register("aws:cfg/deliveryChannel:DeliveryChannel")
class DeliveryChannel(Handler):
    """moto's delivery channels. moto assumes the bucket exists and lets Config write; AWS checks both
    (NoSuchBucketException, InsufficientDeliveryPolicyException), so the emulator does. The id is the name."""

    required = ("s3BucketName",)
    defaults = {"name": "default"}
    replace_on = frozenset({"name"})

    def _put(self, conn: Connection, ins: dict[str, Any]) -> None:
        bucket = str(ins["s3BucketName"])
        s3 = conn.client("s3")
        try:
            policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        except ClientError as exc:
            if code(exc) in ("NoSuchBucket", "404"):
                raise RuntimeError(f"NoSuchBucketException: Cannot find a S3 bucket with an appropriate bucket "
                                   f"policy: {bucket} does not exist") from None
            if code(exc) != "NoSuchBucketPolicy":
                raise
            policy = {}
        try:
            org_id: str | None = conn.client("organizations").describe_organization()["Organization"]["Id"]
        except ClientError:
            org_id = None
        if not _policy_lets_config_write(policy, bucket, conn.account_id, org_id):
            raise RuntimeError(f"InsufficientDeliveryPolicyException: Insufficient delivery policy to s3 bucket: "
                               f"{bucket}, unable to write to bucket, provided s3 key prefix is 'null'.")
        channel: dict[str, Any] = {"name": ins["name"], "s3BucketName": bucket}
        for source, target in (("s3KeyPrefix", "s3KeyPrefix"), ("snsTopicArn", "snsTopicARN"),
                               ("s3KmsKeyArn", "s3KmsKeyArn")):
            if ins.get(source):
                channel[target] = ins[source]
        frequency = (ins.get("snapshotDeliveryProperties") or {}).get("deliveryFrequency")
        if frequency:
            channel["configSnapshotDeliveryProperties"] = {"deliveryFrequency": frequency}
        conn.client("config").put_delivery_channel(DeliveryChannel=channel)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self._put(conn, ins)
        return str(ins["name"]), {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("config").describe_delivery_channels(DeliveryChannelNames=[id_])
        except ClientError as exc:
            if code(exc) == "NoSuchDeliveryChannelException":
                return None
            raise
        (channel,) = got["DeliveryChannels"]
        outs: Outs = {"name": channel["name"], "s3BucketName": channel["s3BucketName"]}
        for source, target in (("s3KeyPrefix", "s3KeyPrefix"), ("snsTopicARN", "snsTopicArn"),
                               ("s3KmsKeyArn", "s3KmsKeyArn")):
            if channel.get(source):
                outs[target] = channel[source]
        frequency = (channel.get("configSnapshotDeliveryProperties") or {}).get("deliveryFrequency")
        if frequency:
            outs["snapshotDeliveryProperties"] = {"deliveryFrequency": frequency}
        return outs

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self._put(conn, news)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        try:
            conn.client("config").delete_delivery_channel(DeliveryChannelName=id_)
        except ClientError as exc:
            if code(exc) != "NoSuchDeliveryChannelException":
                raise


@register("aws:cfg/recorderStatus:RecorderStatus")
class RecorderStatus(Handler):
    """Start/StopConfigurationRecorder (moto refuses to start without a delivery channel, as AWS does). The id is
    the recorder's name; deleting the resource stops the recorder, as pulumi-aws does."""

    required = ("name", "isEnabled")
    replace_on = frozenset({"name"})

    def _set(self, conn: Connection, name: str, enabled: bool) -> None:
        config = conn.client("config")
        if enabled:
            config.start_configuration_recorder(ConfigurationRecorderName=name)
        else:
            config.stop_configuration_recorder(ConfigurationRecorderName=name)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self._set(conn, str(ins["name"]), bool(ins["isEnabled"]))
        return str(ins["name"]), {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("config").describe_configuration_recorder_status(ConfigurationRecorderNames=[id_])
        except ClientError as exc:
            if code(exc) == "NoSuchConfigurationRecorderException":
                return None
            raise
        (status,) = got["ConfigurationRecordersStatus"]
        return {"name": id_, "isEnabled": bool(status.get("recording"))}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self._set(conn, id_, bool(news["isEnabled"]))
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        try:
            self._set(conn, id_, False)
        except ClientError as exc:
            if code(exc) != "NoSuchConfigurationRecorderException":
                raise
