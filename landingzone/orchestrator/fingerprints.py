"""Only what changed: a fingerprint of what one stack's program receives, and the ledger of the fingerprints of
the last successful update of every stack, kept in the state backend beside pulumi's own files.

The fingerprint hashes the stack's slice of the configuration and of the upstream outputs it reads
(``Stage.fingerprint_inputs``), the stage, the stack and the landingzone version. ``up --changed-only`` skips a
stack whose fingerprint equals the ledger's. A stack's entry is removed before an update that would change it and
written again only after that update succeeded, so a failed or interrupted update is never skipped next time.

What skipping cannot see: changes made in AWS outside the landing zone (drift: ``landingzone refresh`` finds it)
and changes of the pulumi CLI or the provider plugin.

The ledger lives at ``<backend>/.landingzone/fingerprints/<project>/<stack>.json``: a directory for file://
backends, objects for s3:// backends (through boto3, with the backend URL's region, endpoint and path-style
settings); other backends (Pulumi Cloud) have no ledger and ``--changed-only`` runs every stack, saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlparse

import landingzone
from landingzone.privatefiles import with_private_umask

LEDGER_DIR = ".landingzone/fingerprints"
MAX_ENTRY_BYTES = 4096
"""A ledger entry is a small JSON object; anything larger is not ours and is ignored."""


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)  # UNKNOWN and anything else without a JSON form


def fingerprint(stage: str, stack: str, inputs: Mapping[str, Any]) -> str:
    """sha256 over the stage, the stack, the landingzone version and what the program reads."""
    doc = {"stage": stage, "stack": stack, "version": landingzone.__version__, "inputs": _plain(inputs)}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class Ledger(Protocol):
    def read_all(self, stacks: list[str]) -> dict[str, str]: ...

    def record(self, stack: str, value: str) -> None: ...

    def forget(self, stack: str) -> None: ...


def _entry(raw: bytes) -> str | None:
    if len(raw) > MAX_ENTRY_BYTES:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    value = data.get("fingerprint") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


class FileLedger:
    """Ledger entries as files under a file:// backend's directory."""

    def __init__(self, root: Path, project: str) -> None:
        self.dir = root / LEDGER_DIR / project

    def read_all(self, stacks: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for stack in stacks:
            path = self.dir / f"{stack}.json"
            try:
                value = _entry(path.read_bytes())
            except OSError:
                continue
            if value is not None:
                found[stack] = value
        return found

    @with_private_umask  # beside the state: owner-only, as the state itself
    def record(self, stack: str, value: str) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{stack}.json.tmp"
        tmp.write_text(json.dumps({"fingerprint": value}))
        os.replace(tmp, self.dir / f"{stack}.json")

    def forget(self, stack: str) -> None:
        (self.dir / f"{stack}.json").unlink(missing_ok=True)


class S3Ledger:
    """Ledger entries as objects in an s3:// backend's bucket, beside pulumi's .pulumi/ prefix."""

    def __init__(self, url: str, project: str, env: Mapping[str, str]) -> None:
        import boto3
        from botocore.config import Config

        parsed = urlparse(url)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        self.bucket = parsed.netloc
        prefix = parsed.path.strip("/")
        self.prefix = "/".join(p for p in (prefix, LEDGER_DIR, project) if p)
        endpoint = query.get("endpoint")
        if endpoint and "://" not in endpoint:
            endpoint = ("http://" if query.get("disableSSL") == "true" else "https://") + endpoint
        session = boto3.session.Session(
            aws_access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
            aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
            aws_session_token=env.get("AWS_SESSION_TOKEN") or None,
            profile_name=query.get("profile") or env.get("AWS_PROFILE") or None,
            region_name=query.get("region") or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        )
        path_style = query.get("s3ForcePathStyle") == "true" or query.get("use_path_style") == "true"
        self.client = session.client("s3", endpoint_url=endpoint or None,
                                     config=Config(s3={"addressing_style": "path" if path_style else "auto"}))

    def _key(self, stack: str) -> str:
        return f"{self.prefix}/{stack}.json"

    def read_all(self, stacks: list[str]) -> dict[str, str]:
        wanted = set(stacks)
        keys: list[tuple[str, str]] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                          Prefix=f"{self.prefix}/"):
            for item in page.get("Contents", []):
                name = str(item["Key"]).rsplit("/", 1)[-1].removesuffix(".json")
                if name in wanted and int(item.get("Size", 0)) <= MAX_ENTRY_BYTES:
                    keys.append((name, str(item["Key"])))

        def get(pair: tuple[str, str]) -> tuple[str, str | None]:
            body = self.client.get_object(Bucket=self.bucket, Key=pair[1])["Body"].read(MAX_ENTRY_BYTES + 1)
            return pair[0], _entry(body)

        with ThreadPoolExecutor(max_workers=8) as pool:
            return {name: value for name, value in pool.map(get, keys) if value is not None}

    def record(self, stack: str, value: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(stack),
                               Body=json.dumps({"fingerprint": value}).encode())

    def forget(self, stack: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(stack))


def ledger_for(backend: str, project: str, env: Mapping[str, str]) -> Ledger | None:
    """The ledger of a DIY backend (file://, s3://); None for the others."""
    if backend.startswith("file://"):
        return FileLedger(Path(backend[len("file://"):].split("?", 1)[0]), project)
    if backend.startswith("s3://"):
        return S3Ledger(backend, project, env)
    return None
