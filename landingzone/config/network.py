"""The network section: role-based security groups per workload account, the rules between roles, and the
declared ingress from CIDRs."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import Field, field_validator

from landingzone.config.base import _Model
from landingzone.config.enums import Protocol

Port = Annotated[int, Field(ge=0, le=65535)]


class SecurityGroupRole(_Model):
    """A workload role (web, app, db, ...): one security group per role in the account's VPC."""

    name: str
    """Role name, unique in the account, such as "app" or "db-client"."""
    description: str = ""
    """What runs with this role; becomes the security group description."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.match(r"^[a-z][a-z0-9-]{0,62}$", value):
            raise ValueError(f"{value!r} is not a valid role name (lower-case letters, digits, -)")
        return value


class RoleRule(_Model):
    """Traffic allowed from one role to another, by security-group reference (never by IP range)."""

    source: str
    """Role the traffic comes from."""
    target: str
    """Role the traffic goes to."""
    port: Port
    """Destination port (first of the range when to_port is set)."""
    to_port: Port | None = None
    """Last port of a range; defaults to port."""
    protocol: Protocol = Protocol.TCP
    """tcp or udp."""


class EdgeIngress(_Model):
    """Declared ingress from outside the VPC: the only place a CIDR is allowed."""

    role: str
    """Role that receives the traffic (e.g. the load balancer role)."""
    cidr: str
    """IPv4 or IPv6 CIDR the traffic comes from."""
    port: Port
    """Destination port."""
    protocol: Protocol = Protocol.TCP
    """tcp or udp."""
    description: str = ""
    """Why this ingress exists."""

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            ipaddress.ip_network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid CIDR ({exc})") from None
        return value


class NetworkConfig(_Model):
    """Role-based security groups for one workload account."""

    account: str
    """Name of the account (from accounts)."""
    vpc_id: str | None = None
    """Existing VPC to place the groups in (vpc-...). Give this or vpc_cidr."""
    vpc_cidr: str | None = None
    """IPv4 CIDR of a VPC to create when there is no existing one."""
    roles: list[SecurityGroupRole] = Field(default_factory=list)
    """Workload roles; each becomes a security group."""
    rules: list[RoleRule] = Field(default_factory=list)
    """Which role may reach which, on which port."""
    edge_ingress: list[EdgeIngress] = Field(default_factory=list)
    """Explicitly declared ingress from CIDRs (load balancers, VPN ranges). Never 0.0.0.0/0 to 22 or 3389."""

    @field_validator("vpc_id")
    @classmethod
    def _vpc_id(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^vpc-[0-9a-f]{8,17}$", value):
            raise ValueError(f"{value!r} is not a VPC id (vpc- followed by 8 or 17 hex digits)")
        return value

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc_cidr(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            net = ipaddress.ip_network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid CIDR ({exc})") from None
        if net.version != 4 or not 16 <= net.prefixlen <= 28:
            raise ValueError(f"{value!r}: a VPC needs an IPv4 CIDR between /16 and /28")
        return value
