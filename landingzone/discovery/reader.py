"""Calling AWS for discovery: clients with bounded adaptive retries, endpoint overrides, and every read's outcome.

A read either answers, or is recorded as :class:`NotVisible` with its reason and error:

- refused: access denied (the credentials may not see it);
- not offered: the endpoint does not have that read (an emulator, a partition without the service; under an
  endpoint override, also a bare HTTP 404 without an AWS error code, which is how an emulator answers an
  operation it lacks);
- failed: a server error, throttling, a time-out or an unreachable endpoint, still so after botocore's last retry.

Only an error that no retry can fix and that is no refusal (a bad request: our bug) raises
:class:`DiscoveryError`, naming the read.

Endpoints: ``DiscoveryOptions.endpoint_url`` (``--aws-endpoint``, ``aws.endpoint``) is passed to every client;
without it, boto3 itself honours ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``. :func:`endpoint_for`
tells which applies, so that S3 Control (whose host name carries the account id) is sent to the emulator's single
host either way.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from landingzone.discovery.model import (
    ACCESS_DENIED_CODES,
    NOT_OFFERED_CODES,
    THROTTLING_CODES,
    DiscoveryError,
    DiscoveryOptions,
    NotVisible,
    Reason,
)

AWS_ATTEMPTS = 5
"""Attempts per read against AWS (botocore adaptive mode: exponential backoff with jitter, at most 20 s a wait)."""
EMULATOR_ATTEMPTS = 2
"""Attempts per read against an endpoint override: an emulator answers a read it lacks with a server error every
time, so one retry shows a transient fault without multiplying the wait for a permanent one."""
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
"""Seconds; a read that hangs longer counts as failed (after the retries) rather than stalling the audit."""

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError, ResponseParserError)
"""Network-level failures of one read (botocore retries them too), and an answer that is not the service's (a
proxy's or load balancer's error page)."""

_CLIENT_LOCK = threading.Lock()


def _env_service_name(service_id: str) -> str:
    """botocore's name for the per-service variable: service id upper-cased, spaces to underscores
    ("S3 Control" -> AWS_ENDPOINT_URL_S3_CONTROL)."""
    return "AWS_ENDPOINT_URL_" + service_id.upper().replace(" ", "_").replace("-", "_")


def endpoint_for(service_id: str, options: DiscoveryOptions,
                 environ: Mapping[str, str] | None = None) -> str | None:
    """The endpoint override in effect for a service: the explicit one, else the environment's (as boto3 reads
    it), else None (AWS)."""
    if options.endpoint_url:
        return options.endpoint_url
    env = os.environ if environ is None else environ
    if env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return None
    return env.get(_env_service_name(service_id)) or env.get("AWS_ENDPOINT_URL") or None


def overridden(options: DiscoveryOptions, environ: Mapping[str, str] | None = None) -> bool:
    """True when some endpoint override (option or environment) is in effect."""
    env = os.environ if environ is None else environ
    if options.endpoint_url:
        return True
    if env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return False
    return any(k == "AWS_ENDPOINT_URL" or k.startswith("AWS_ENDPOINT_URL_") for k, v in env.items() if v)


def attempts(options: DiscoveryOptions) -> int:
    if options.max_attempts is not None:
        return max(1, options.max_attempts)
    return EMULATOR_ATTEMPTS if overridden(options) else AWS_ATTEMPTS


def client_config(options: DiscoveryOptions) -> Config:
    return Config(retries={"mode": "adaptive", "total_max_attempts": attempts(options)},
                  connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)


def sts_client(session: boto3.Session, options: DiscoveryOptions) -> Any:
    return session.client("sts", region_name=options.home_region, endpoint_url=options.endpoint_url,
                          config=client_config(options))


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int | None:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None


def _message(exc: ClientError) -> str:
    text = str(exc.response.get("Error", {}).get("Message", "") or "")
    return text.splitlines()[0][:200] if text else ""


def classify(exc: ClientError) -> Reason | None:
    """"refused", "not offered" or "failed" for an error that becomes NotVisible; None for one to raise."""
    code, status = error_code(exc), _status(exc)
    if code in ACCESS_DENIED_CODES:
        return "refused"
    if code in NOT_OFFERED_CODES or status == 501:
        return "not offered"
    if code in THROTTLING_CODES or (status is not None and status >= 500) or status == 429:
        return "failed"
    return None


def discovery_error(exc: ClientError, service: str, operation: str, account_id: str | None,
                    region: str | None) -> DiscoveryError:
    code = exc.response.get("Error", {}).get("Code", "?")
    message = exc.response.get("Error", {}).get("Message", "")
    where = "/".join(p for p in (account_id, region) if p)
    return DiscoveryError(f"discovery: {service}:{operation} in {where} failed: {code}: {message}")


class Reader:
    """Calls AWS for one account; unusable answers become NotVisible (see the module), bugs DiscoveryError."""

    def __init__(self, session: boto3.Session, account_id: str, options: DiscoveryOptions,
                 sink: list[NotVisible], lock: threading.Lock, credentials: Mapping[str, str] | None = None) -> None:
        self.session = session
        self.credentials = dict(credentials or {})
        """Assumed-role credentials for a member account; empty for the session's own account."""
        self.account_id = account_id
        self.options = options
        self._sink = sink
        self._lock = lock
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.options.home_region
        key = (service, region)
        if key not in self._clients:
            # One boto3 session for every account (member credentials are passed per client), so service models
            # are loaded once; a boto3 session is not thread-safe, hence the lock around client creation.
            with _CLIENT_LOCK:
                made = self.session.client(service, region_name=region, endpoint_url=self.options.endpoint_url,
                                           config=client_config(self.options), **self.credentials)
            if service == "s3control" and endpoint_for(made.meta.service_model.service_id, self.options):
                made.meta.events.register("before-send.s3-control", self._single_host)
            self._clients[key] = made
        return self._clients[key]

    def _single_host(self, request: Any, **_: Any) -> None:
        """S3 Control puts the account id in the host name (<id>.endpoint); an emulator has one host."""
        request.url = request.url.replace(f"//{self.account_id}.", "//", 1)

    def record(self, service: str, operation: str, region: str | None, reason: Reason, code: str,
               message: str) -> None:
        nv = NotVisible(service, operation, code, message, self.account_id, region, reason)
        with self._lock:
            self._sink.append(nv)

    def unusable(self, exc: Exception, service: str, operation: str, region: str | None) -> bool:
        """Record a read that gave nothing usable and return True; False for an error the caller raises."""
        if isinstance(exc, TRANSIENT_ERRORS):
            self.record(service, operation, region, "failed", type(exc).__name__, str(exc)[:200])
            return True
        if not isinstance(exc, ClientError):
            return False
        reason = classify(exc)
        status = _status(exc)
        if reason is None and status == 404 and error_code(exc) == "404" and overridden(self.options):
            # An emulator answers an operation it lacks with a bare HTTP 404 (no AWS error code at all); AWS never
            # does, so only under an endpoint override does it count as not offered.
            reason = "not offered"
        if reason is None:
            return False
        self.record(service, operation, region, reason, error_code(exc) or f"HTTP {status}", _message(exc))
        return True

    def call(self, service: str, operation: str, region: str | None = None, **kwargs: Any) -> dict[str, Any] | None:
        """One call; None when it gave nothing usable (recorded)."""
        try:
            result: dict[str, Any] = getattr(self.client(service, region), operation)(**kwargs)
            return result
        except (ClientError, *TRANSIENT_ERRORS) as exc:
            if self.unusable(exc, service, operation, region):
                return None
            assert isinstance(exc, ClientError)
            raise discovery_error(exc, service, operation, self.account_id, region) from exc

    def optional(self, service: str, operation: str, absent: set[str], region: str | None = None,
                 **kwargs: Any) -> tuple[bool, Any]:
        """(readable, result): result None when the thing is absent (an expected error code, e.g.
        NoSuchBucketPolicy), readable False when the read gave nothing usable (recorded)."""
        try:
            return True, getattr(self.client(service, region), operation)(**kwargs)
        except ClientError as exc:
            if error_code(exc) in absent:
                return True, None
            if self.unusable(exc, service, operation, region or self.options.home_region):
                return False, None
            raise discovery_error(exc, service, operation, self.account_id, region) from exc
        except TRANSIENT_ERRORS as exc:
            self.unusable(exc, service, operation, region or self.options.home_region)
            return False, None

    def pages(self, service: str, operation: str, key: str, region: str | None = None,
              **kwargs: Any) -> list[Any] | None:
        """Every item under ``key`` across all pages; None when it gave nothing usable (recorded)."""
        items: list[Any] = []
        client = self.client(service, region)
        try:
            if client.can_paginate(operation):
                for page in client.get_paginator(operation).paginate(**kwargs):
                    items.extend(page.get(key, []))
            else:  # a few list calls have no paginator in botocore (athena list_work_groups): follow NextToken
                token: dict[str, str] = {}
                while True:
                    page = getattr(client, operation)(**kwargs, **token)
                    items.extend(page.get(key, []))
                    if not page.get("NextToken"):
                        break
                    token = {"NextToken": page["NextToken"]}
        except (ClientError, *TRANSIENT_ERRORS) as exc:
            if self.unusable(exc, service, operation, region):
                return None
            assert isinstance(exc, ClientError)
            raise discovery_error(exc, service, operation, self.account_id, region) from exc
        return items
