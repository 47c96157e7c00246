"""Network ACL entries and the network ACL lookup (stage baseline's and stage network's deny entries for the admin
ports): pulumi-aws 7.51.1's aws:ec2/networkAclRule:NetworkAclRule and aws:ec2/getNetworkAcls:getNetworkAcls onto
moto's Create/Delete/DescribeNetworkAcl(s)/Entry (IPv4 and IPv6 entries both, in moto 5.2.5).

Registered into resources.HANDLERS and INVOKES on import (provider.py imports this module).
"""

from __future__ import annotations

import zlib
from typing import Any

from botocore.exceptions import ClientError
from resources import Connection, Handler, Outs, code, invoke, register

PROTOCOL_NUMBERS = {"all": "-1", "-1": "-1", "icmp": "1", "tcp": "6", "udp": "17", "icmpv6": "58"}
"""pulumi-aws accepts protocol names or IANA numbers and sends the number; AWS answers with the number."""
ENTRY_KEYS = ("networkAclId", "ruleNumber", "egress", "protocol", "ruleAction", "cidrBlock", "ipv6CidrBlock",
              "fromPort", "toPort", "icmpType", "icmpCode")


def _protocol(value: Any) -> str:
    text = str(value).lower()
    return PROTOCOL_NUMBERS.get(text, text)


@invoke("aws:ec2/getNetworkAcls:getNetworkAcls")
def get_network_acls(conn: Connection, args: dict[str, Any]) -> dict[str, Any]:
    """The network ACL ids matching the filters (and vpcId, tags) in the call's region, as pulumi-aws returns them."""
    region = args.get("region") or conn.region
    filters = [{"Name": f["name"], "Values": list(f["values"])} for f in args.get("filters") or []]
    if args.get("vpcId"):
        filters.append({"Name": "vpc-id", "Values": [args["vpcId"]]})
    filters += [{"Name": f"tag:{k}", "Values": [v]} for k, v in (args.get("tags") or {}).items()]
    ec2 = conn.for_region(region).client("ec2")
    acls = ec2.describe_network_acls(**({"Filters": filters} if filters else {}))["NetworkAcls"]
    return {"filters": args.get("filters"), "id": region, "ids": [a["NetworkAclId"] for a in acls],
            "region": region, "tags": args.get("tags") or {}, "vpcId": args.get("vpcId")}


@register("aws:ec2/networkAclRule:NetworkAclRule")
class NetworkAclRule(Handler):
    """One entry of a network ACL. As in pulumi-aws every input forces a replacement (the resource has no update)
    and the id is ``nacl-<crc32>`` of the ACL, rule number, direction and protocol."""

    required = ("networkAclId", "ruleNumber", "protocol", "ruleAction")
    defaults = {"egress": False}
    replace_on = frozenset(ENTRY_KEYS)
    delete_before_replace = True  # the rule number is the entry's key in its ACL: the new one would clash

    def check(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        failures: list[tuple[str, str]] = []
        if bool(inputs.get("cidrBlock")) == bool(inputs.get("ipv6CidrBlock")):
            failures.append(("cidrBlock", "exactly one of cidrBlock or ipv6CidrBlock must be set"))
        number = inputs.get("ruleNumber")
        if isinstance(number, int) and not 1 <= number <= 32766:
            failures.append(("ruleNumber", f"ruleNumber must be 1..32766, got {number}"))
        if inputs.get("ruleAction") not in (None, "allow", "deny"):
            failures.append(("ruleAction", "ruleAction must be allow or deny"))
        return failures

    @staticmethod
    def _id(ins: dict[str, Any]) -> str:
        key = f"{ins['networkAclId']}-{int(ins['ruleNumber'])}-{str(bool(ins.get('egress'))).lower()}-" \
              f"{_protocol(ins['protocol'])}-"
        return f"nacl-{zlib.crc32(key.encode())}"

    def create(self, conn: Connection, ins: dict[str, Any]) -> tuple[str, Outs]:
        protocol = _protocol(ins["protocol"])
        args: dict[str, Any] = {
            "NetworkAclId": ins["networkAclId"],
            "RuleNumber": int(ins["ruleNumber"]),
            "Protocol": protocol,
            "RuleAction": ins["ruleAction"],
            "Egress": bool(ins.get("egress")),
        }
        if ins.get("cidrBlock"):
            args["CidrBlock"] = ins["cidrBlock"]
        if ins.get("ipv6CidrBlock"):
            args["Ipv6CidrBlock"] = ins["ipv6CidrBlock"]
        if protocol in ("6", "17"):
            args["PortRange"] = {"From": int(ins.get("fromPort") or 0), "To": int(ins.get("toPort") or 0)}
        if protocol in ("1", "58"):
            args["IcmpTypeCode"] = {"Type": int(ins.get("icmpType") or 0), "Code": int(ins.get("icmpCode") or 0)}
        # moto refuses a rule number already used in that direction (NetworkAclEntryAlreadyExists), as AWS does.
        conn.client("ec2").create_network_acl_entry(**args)
        return self._id(ins), {}

    def read(self, conn: Connection, id_: str, state: dict[str, Any]) -> Outs | None:
        acl_id = state.get("networkAclId")
        if not acl_id:
            return None
        try:
            acls = conn.client("ec2").describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"]
        except ClientError as exc:
            if code(exc).endswith(".NotFound"):  # moto says InvalidRouteTableID.NotFound, AWS InvalidNetworkAclID
                return None
            raise
        egress = bool(state.get("egress"))
        for acl in acls:
            for entry in acl.get("Entries", []):
                if int(entry["RuleNumber"]) != int(state["ruleNumber"]) or bool(entry.get("Egress")) != egress:
                    continue
                ports = entry.get("PortRange") or {}
                found: Outs = {
                    "networkAclId": acl_id,
                    "ruleNumber": int(entry["RuleNumber"]),
                    "egress": egress,
                    # the program's spelling while it means the same number (pulumi-aws suppresses that diff)
                    "protocol": state["protocol"] if _protocol(state.get("protocol")) == entry["Protocol"]
                    else entry["Protocol"],
                    "ruleAction": entry["RuleAction"],
                    "cidrBlock": entry.get("CidrBlock"),
                    "ipv6CidrBlock": entry.get("Ipv6CidrBlock"),
                }
                if "From" in ports:
                    found["fromPort"], found["toPort"] = int(ports["From"]), int(ports["To"])
                return {k: v for k, v in found.items() if v is not None}
        return None

    def update(
        self, conn: Connection, id_: str, olds: dict[str, Any], news: dict[str, Any], changed: list[str]
    ) -> Outs:
        raise RuntimeError("network ACL entries are replaced, never updated")

    def delete(self, conn: Connection, id_: str, state: dict[str, Any]) -> None:
        conn.client("ec2").delete_network_acl_entry(NetworkAclId=state["networkAclId"],
                                                    RuleNumber=int(state["ruleNumber"]),
                                                    Egress=bool(state.get("egress")))
