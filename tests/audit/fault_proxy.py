"""An HTTP proxy in front of the moto server that answers chosen AWS operations with a failure, the way AWS does
when a service errs or throttles: a fault injected on the wire, so botocore's retries and discovery's handling run
exactly as against AWS. Everything else is forwarded to moto unchanged."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    """Answer ``operation`` (e.g. "GetEventSelectors", "DescribeNetworkAcls") with ``status`` and ``body`` for the
    first ``times`` requests (None: every request)."""

    operation: str
    status: int = 500
    body: bytes = b'{"__type": "InternalFailure", "message": "injected failure"}'
    times: int | None = None
    seen: int = 0
    """Requests for the operation the proxy received (failed or forwarded)."""


@dataclass
class FaultProxy:
    url: str
    faults: list[Fault] = field(default_factory=list)


def operation_of(headers: dict[str, str], body: bytes) -> str:
    """The AWS operation a request calls: X-Amz-Target for JSON protocols, Action for query protocols."""
    target = headers.get("x-amz-target", "")
    if target:
        return target.rsplit(".", 1)[-1]
    action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])
    return action[0]


@contextmanager
def fault_proxy(upstream: str, *faults: Fault) -> Iterator[FaultProxy]:
    target = urlsplit(upstream)
    lock = threading.Lock()
    proxy = FaultProxy("", list(faults))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            return

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            operation = operation_of(headers, body)
            with lock:
                fault = next((f for f in proxy.faults if f.operation == operation), None)
                inject = False
                if fault is not None:
                    fault.seen += 1
                    inject = fault.times is None or fault.seen <= fault.times
            if fault is not None and inject:
                self.send_response(fault.status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(fault.body)))
                self.end_headers()
                self.wfile.write(fault.body)
                return
            conn = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=60)
            try:
                conn.request(self.command, self.path, body=body or None,
                             headers={k: v for k, v in self.headers.items() if k.lower() != "connection"})
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            finally:
                conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
