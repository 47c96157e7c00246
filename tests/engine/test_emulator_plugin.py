"""The emulated plugin as a process: the handshake the engine relies on, and no orphans when the engine dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2_grpc

PLUGIN = Path(__file__).resolve().parents[1] / "emulator" / "pulumi-resource-aws"


def test_handshake_prints_a_port_and_serves_plugin_info() -> None:
    proc = subprocess.Popen([str(PLUGIN), "127.0.0.1:1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().decode().strip())  # the first (and only) stdout line is the port
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            info = provider_pb2_grpc.ResourceProviderStub(channel).GetPluginInfo(empty_pb2.Empty(), timeout=30)
        assert info.version == "7.51.1"
    finally:
        proc.kill()
        proc.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_plugin_exits_when_its_engine_is_killed(tmp_path: Path) -> None:
    """SIGKILL the plugin's parent (as when the CLI is killed in the middle of an up): the plugin follows."""
    pid_file = tmp_path / "plugin.pid"
    parent_code = (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen([{str(PLUGIN)!r}], stdout=subprocess.PIPE)\n"
        "p.stdout.readline()\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code])
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        plugin_pid = int(pid_file.read_text())
        assert _alive(plugin_pid)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 15
    while _alive(plugin_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(plugin_pid):
        os.kill(plugin_pid, signal.SIGKILL)  # do not leave it behind even when the test fails
        raise AssertionError("the plugin outlived its engine")
