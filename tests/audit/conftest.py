"""A moto server on 127.0.0.1 (a free port), in this process, for the audit tests.

In-process (ThreadedMotoServer) rather than a subprocess so that ``moto_org.register_cloudtrail_admin`` can
write the one registration moto refuses over its API, and ``moto_services`` can add GuardDuty's organization
configuration, IAM Access Analyzer and Security Hub's finding aggregators to moto; every read the audit makes
still goes over HTTP.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
# moto loads ~1,300 default AMIs into every account's EC2 backend (half a second each); no test needs them.
os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    from tests.audit import moto_services
    from tests.audit.moto_org import serve_instance_metadata_defaults

    # What moto lacks: GuardDuty's organization configuration, IAM Access Analyzer, Security Hub's finding
    # aggregators (see moto_services), the EC2 instance metadata defaults (moto_org).
    moto_services.install()
    moto_services.serve_analyzers_and_finding_aggregators()
    serve_instance_metadata_defaults()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def fresh_moto(moto_endpoint: str) -> str:
    """The server with every backend reset: each test builds its own organization."""
    from tests.audit.moto_org import reset_instance_metadata_defaults
    from tests.audit.moto_services import reset_analyzers_and_finding_aggregators

    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=30).raise_for_status()
    reset_instance_metadata_defaults()
    reset_analyzers_and_finding_aggregators()
    return moto_endpoint
