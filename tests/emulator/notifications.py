"""Emulated pulumi-aws types of the findings route (stage security_services): SNS topics, their policies and
subscriptions, EventBridge rules and targets, all backed by moto."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError
from resources import Connection, Handler, Outs, code, register

# ---- SNS, EventBridge ------------------------------------------------------------------------------------------


@register("aws:sns/topic:Topic")
class Topic(Handler):
    autoname = "name"
    replace_on = frozenset({"name", "namePrefix", "fifoTopic"})
    computed = frozenset({"policy", "signatureVersion", "tracingConfig"})
    outputs = ("arn", "owner", "beginningArchiveTime", "tagsAll")
    ATTRIBUTES = {"kmsMasterKeyId": "KmsMasterKeyId", "displayName": "DisplayName", "deliveryPolicy": "DeliveryPolicy"}

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        attributes = {aws: str(ins[k]) for k, aws in self.ATTRIBUTES.items() if ins.get(k)}
        if ins.get("policy"):
            attributes["Policy"] = ins["policy"]
        args: dict[str, Any] = {"Name": ins["name"], "Attributes": attributes}
        if ins.get("tags"):
            args["Tags"] = [{"Key": k, "Value": v} for k, v in ins["tags"].items()]
        arn = conn.client("sns").create_topic(**args)["TopicArn"]
        outs = self.read(conn, arn, ins)
        assert outs is not None
        return arn, outs

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            attributes = conn.client("sns").get_topic_attributes(TopicArn=id_)["Attributes"]
        except ClientError as exc:
            if code(exc) == "NotFound":
                return None
            raise
        outs: Outs = {"arn": id_, "name": id_.rsplit(":", 1)[-1], "owner": attributes.get("Owner", conn.account_id),
                      "policy": attributes.get("Policy"), "beginningArchiveTime": "",
                      "tagsAll": state.get("tags") or {}}
        for key, aws in self.ATTRIBUTES.items():
            if attributes.get(aws) or key in state:
                outs[key] = attributes.get(aws) or None
        return outs

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        sns = conn.client("sns")
        for key, aws in self.ATTRIBUTES.items():
            if key in changed:
                sns.set_topic_attributes(TopicArn=id_, AttributeName=aws, AttributeValue=str(news.get(key) or ""))
        outs = self.read(conn, id_, news)
        assert outs is not None
        return outs

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("sns").delete_topic(TopicArn=id_)


@register("aws:sns/topicPolicy:TopicPolicy")
class TopicPolicy(Handler):
    required = ("arn", "policy")
    replace_on = frozenset({"arn"})
    outputs = ("owner",)

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        conn.client("sns").set_topic_attributes(TopicArn=ins["arn"], AttributeName="Policy",
                                                AttributeValue=ins["policy"])
        return ins["arn"], {"owner": conn.account_id}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            attributes = conn.client("sns").get_topic_attributes(TopicArn=id_)["Attributes"]
        except ClientError as exc:
            if code(exc) == "NotFound":
                return None
            raise
        return {"arn": id_, "policy": attributes.get("Policy"), "owner": attributes.get("Owner", conn.account_id)}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self.create(conn, news)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        # The topic's default policy (owner account only) comes back, as SNS does when the policy is removed.
        default = json.dumps({"Version": "2008-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish", "Resource": id_,
            "Condition": {"StringEquals": {"AWS:SourceOwner": conn.account_id}}}]})
        try:
            conn.client("sns").set_topic_attributes(TopicArn=id_, AttributeName="Policy", AttributeValue=default)
        except ClientError as exc:
            if code(exc) != "NotFound":
                raise


@register("aws:sns/topicSubscription:TopicSubscription")
class TopicSubscription(Handler):
    required = ("topic", "protocol", "endpoint")
    replace_on = frozenset({"topic", "protocol", "endpoint"})
    outputs = ("arn", "confirmationWasAuthenticated", "ownerId", "pendingConfirmation")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        if ins["protocol"] not in ("email", "email-json", "https", "http", "sqs", "lambda", "sms", "firehose"):
            raise RuntimeError(f"InvalidParameter: protocol {ins['protocol']!r}")
        arn = conn.client("sns").subscribe(TopicArn=ins["topic"], Protocol=ins["protocol"], Endpoint=ins["endpoint"],
                                           ReturnSubscriptionArn=True)["SubscriptionArn"]
        return arn, {"arn": arn, "confirmationWasAuthenticated": False, "ownerId": conn.account_id,
                     "pendingConfirmation": ins["protocol"] in ("email", "email-json", "https", "http")}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        topic = state.get("topic") or id_.rsplit(":", 1)[0]
        subs = conn.client("sns").list_subscriptions_by_topic(TopicArn=topic).get("Subscriptions", [])
        found = next((s for s in subs if s["SubscriptionArn"] == id_), None)
        if found is None:
            return None
        return {"arn": id_, "topic": found["TopicArn"], "protocol": found["Protocol"], "endpoint": found["Endpoint"],
                "ownerId": found.get("Owner", conn.account_id)}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("sns").unsubscribe(SubscriptionArn=id_)


@register("aws:cloudwatch/eventRule:EventRule")
class EventRule(Handler):
    autoname = "name"
    defaults = {"eventBusName": "default", "state": "ENABLED"}
    replace_on = frozenset({"name", "namePrefix", "eventBusName"})
    json_keys = frozenset({"eventPattern"})
    outputs = ("arn", "tagsAll")

    def _put(self, conn: Connection, ins: dict[str, Any]) -> str:
        args: dict[str, Any] = {"Name": ins["name"], "State": ins.get("state") or "ENABLED",
                                "EventBusName": ins.get("eventBusName") or "default"}
        for key, aws in (("eventPattern", "EventPattern"), ("description", "Description"),
                         ("scheduleExpression", "ScheduleExpression"), ("roleArn", "RoleArn")):
            if ins.get(key):
                args[aws] = ins[key]
        return str(conn.client("events").put_rule(**args)["RuleArn"])

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        arn = self._put(conn, ins)
        return ins["name"], {"arn": arn, "tagsAll": ins.get("tags") or {}}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        try:
            got = conn.client("events").describe_rule(Name=id_, EventBusName=state.get("eventBusName") or "default")
        except ClientError as exc:
            if code(exc) == "ResourceNotFoundException":
                return None
            raise
        return {"name": got["Name"], "arn": got["Arn"], "eventPattern": got.get("EventPattern"),
                "description": got.get("Description") or state.get("description"), "state": got.get("State")}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        return {"arn": self._put(conn, news)}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("events").delete_rule(Name=id_, EventBusName=state.get("eventBusName") or "default")


@register("aws:cloudwatch/eventTarget:EventTarget")
class EventTarget(Handler):
    required = ("rule", "arn")
    defaults = {"eventBusName": "default"}
    replace_on = frozenset({"rule", "targetId", "eventBusName"})
    autoname = "targetId"

    def _put(self, conn: Connection, ins: dict[str, Any]) -> None:
        target: dict[str, Any] = {"Id": ins["targetId"], "Arn": ins["arn"]}
        if ins.get("roleArn"):
            target["RoleArn"] = ins["roleArn"]
        if ins.get("input"):
            target["Input"] = ins["input"]
        failed = conn.client("events").put_targets(Rule=ins["rule"], EventBusName=ins.get("eventBusName") or "default",
                                                   Targets=[target]).get("FailedEntryCount", 0)
        if failed:
            raise RuntimeError(f"PutTargets failed for {ins['targetId']} on rule {ins['rule']}")

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        self._put(conn, ins)
        return f"{ins['rule']}-{ins['targetId']}", {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        rule, target_id = state.get("rule"), state.get("targetId")
        if not rule or not target_id:
            return None
        try:
            targets = conn.client("events").list_targets_by_rule(
                Rule=rule, EventBusName=state.get("eventBusName") or "default")["Targets"]
        except ClientError as exc:
            if code(exc) == "ResourceNotFoundException":
                return None
            raise
        found = next((t for t in targets if t["Id"] == target_id), None)
        if found is None:
            return None
        return {"rule": rule, "targetId": target_id, "arn": found["Arn"], "roleArn": found.get("RoleArn")}

    def update(self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any],
               changed: list[str]) -> Outs:
        self._put(conn, news)
        return {}

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        try:
            conn.client("events").remove_targets(Rule=state["rule"], Ids=[state["targetId"]],
                                                 EventBusName=state.get("eventBusName") or "default")
        except ClientError as exc:
            if code(exc) != "ResourceNotFoundException":
                raise
