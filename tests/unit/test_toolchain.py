"""Finding the pulumi CLI: search order, version checks, and the go.mod replace parsing of the source build.

Fake `pulumi` scripts stand in for CLIs of the wrong version (we cannot install old releases here); the real,
cached CLI is checked too."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from landingzone import toolchain
from landingzone.errors import PreflightError
from tests.engine.engine_support import require_pulumi

GO_MOD = """module github.com/pulumi/pulumi/pkg/v3

go 1.24

replace github.com/pulumi/pulumi/sdk/v3 => ../sdk

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

replace (
	github.com/sergi/go-diff => github.com/sergi/go-diff v1.1.0 // pinned
	github.com/xanzy/ssh-agent => github.com/pulumi/ssh-agent v0.5.1
	example.com/local => ./local
)

require github.com/blang/semver v3.5.1+incompatible
"""


def test_non_local_replaces() -> None:
    assert toolchain.non_local_replaces(GO_MOD) == [
        "github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e",
        "github.com/sergi/go-diff => github.com/sergi/go-diff v1.1.0",
        "github.com/xanzy/ssh-agent => github.com/pulumi/ssh-agent v0.5.1",
    ]


def _fake_cli(path: Path, output: str, code: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho '{output}'\nexit {code}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LANDINGZONE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + "/usr/bin:/bin")
    monkeypatch.delenv("LANDINGZONE_PULUMI", raising=False)
    (tmp_path / "bin").mkdir()
    return tmp_path


def test_nothing_found(isolated: Path) -> None:
    search = toolchain.find_pulumi()
    assert search.found is None
    with pytest.raises(PreflightError, match="no usable pulumi CLI"):
        toolchain.ensure_pulumi(allow_install=False)


def test_old_cli_is_rejected(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_cli(isolated / "bin" / "pulumi", "v3.100.0")
    search = toolchain.find_pulumi()
    assert search.found is None
    assert "older than the SDK" in search.rejected[0].reason


def test_unversioned_build_is_rejected(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A source build without the -X version stamp reports no usable version; the SDK would refuse it.
    fake = _fake_cli(isolated / "x" / "pulumi", "", code=0)
    monkeypatch.setenv("LANDINGZONE_PULUMI", str(fake))
    search = toolchain.find_pulumi()
    assert search.found is None
    assert "no version" in search.rejected[0].reason


def test_search_order_env_then_path_then_cache(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    version = toolchain.sdk_version()
    cached = _fake_cli(toolchain.cached_cli_path(), f"v{version}")
    assert toolchain.find_pulumi().found.source == "cache"  # type: ignore[union-attr]
    _fake_cli(isolated / "bin" / "pulumi", f"v{version}")
    assert toolchain.find_pulumi().found.source == "PATH"  # type: ignore[union-attr]
    monkeypatch.setenv("LANDINGZONE_PULUMI", str(cached))
    found = toolchain.find_pulumi().found
    assert found is not None and found.source == "LANDINGZONE_PULUMI" and found.path == cached.resolve()


def test_other_major_is_rejected(isolated: Path) -> None:
    _fake_cli(isolated / "bin" / "pulumi", "v4.0.0")
    assert "not major version 3" in toolchain.find_pulumi().rejected[0].reason


def test_the_real_cli_satisfies_the_sdk() -> None:
    found = require_pulumi()
    from pulumi.automation import PulumiCommand

    cmd = PulumiCommand(root=str(found.root))
    assert str(cmd.version) == found.version
