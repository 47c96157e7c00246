"""The grammar of the management policy types the library uses: declarative policies for EC2
(DECLARATIVE_POLICY_EC2, under ``ec2_attributes``) and Organizations S3 policies (S3_POLICY, under
``s3_attributes``). Each setting is an object with ``@@assign`` (and optionally the inheritance operators), as
AWS Organizations' "Declarative policy syntax and examples" and "Amazon S3 policy syntax and examples" pages
describe them (checked 2026-12-01).

The schema is data: a dict maps an attribute to its children, a frozenset lists the values ``@@assign`` may
take, and :data:`HOP_LIMIT` stands for an integer from -1 to 64.
"""

from __future__ import annotations

from typing import Any

HOP_LIMIT = "hop-limit"
FREE_TEXT = "text"
ANY = "any"
"""A setting the library does not write and passes unchecked (e.g. allowed_images_settings)."""

Schema = dict[str, Any]

SCHEMAS: dict[str, Schema] = {
    "DECLARATIVE_POLICY_EC2": {"ec2_attributes": {
        "exception_message": FREE_TEXT,
        "instance_metadata_defaults": {
            "http_tokens": frozenset({"required", "optional", "no_preference"}),
            "http_put_response_hop_limit": HOP_LIMIT,
            "http_endpoint": frozenset({"enabled", "disabled", "no_preference"}),
            "instance_metadata_tags": frozenset({"enabled", "disabled", "no_preference"}),
        },
        "vpc_block_public_access": {"internet_gateway_block": {
            "mode": frozenset({"off", "block_ingress", "block_bidirectional"}),
            "exclusions_allowed": frozenset({"enabled", "disabled"}),
        }},
        "serial_console_access": {"status": frozenset({"enabled", "disabled"})},
        "image_block_public_access": {"state": frozenset({"block_new_sharing", "unblocked"})},
        "snapshot_block_public_access": {"state": frozenset({"block_all_sharing", "block_new_sharing", "unblocked"})},
        "allowed_images_settings": ANY,
        "vpc_encryption_controls": ANY,
    }},
    "S3_POLICY": {"s3_attributes": {
        "public_access_block_configuration": frozenset({"all", "none"}),
    }},
}
"""Accepted structure per policy type."""

OPERATOR_KEYS = frozenset({"@@assign", "@@append", "@@remove", "@@operators_allowed_for_child_policies"})


def problems(policy_type: str, document: Any) -> list[tuple[str, str, str]]:
    """(kind, location, message) for everything the schema refuses; kind is ``attribute`` or ``value``."""
    schema = SCHEMAS[policy_type]
    found: list[tuple[str, str, str]] = []
    if not isinstance(document, dict) or set(document) != set(schema):
        found.append(("attribute", "", f"a {policy_type} holds exactly one top-level key, {next(iter(schema))!r}"))
        return found
    for key, node in document.items():
        _walk(schema[key], node, key, found)
    return found


def _walk(schema: Any, node: Any, where: str, found: list[tuple[str, str, str]]) -> None:
    if schema == ANY:
        return
    if isinstance(schema, dict):
        if not isinstance(node, dict):
            found.append(("value", where, f"{where} must be an object of settings"))
            return
        for key, child in node.items():
            if key == "@@operators_allowed_for_child_policies":
                continue
            if key not in schema:
                known = ", ".join(sorted(schema))
                found.append(("attribute", f"{where}.{key}", f"{key!r} is not a setting of {where} (known: {known})"))
                continue
            _walk(schema[key], child, f"{where}.{key}", found)
        return
    if not isinstance(node, dict) or "@@assign" not in node or not set(node) <= OPERATOR_KEYS:
        found.append(("value", where, f"{where} must be an object with @@assign"))
        return
    value = node["@@assign"]
    if schema == FREE_TEXT:
        if not isinstance(value, str) or len(value) > 1024:
            found.append(("value", where, f"{where} takes a text of at most 1,024 characters"))
    elif schema == HOP_LIMIT:
        try:
            number = int(str(value))
        except ValueError:
            number = 0
        if not (number == -1 or 1 <= number <= 64):
            found.append(("value", where, f"{where} takes -1 or an integer from 1 to 64, not {value!r}"))
    elif value not in schema:
        found.append(("value", where, f"{where} takes one of {', '.join(sorted(schema))}, not {value!r}"))
