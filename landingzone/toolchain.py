"""Find, install or build the pulumi CLI, and the `landingzone doctor` preflight.

Search order for the CLI: ``LANDINGZONE_PULUMI`` (a path to the binary), then ``pulumi`` on PATH, then the
project's cache (``~/.cache/landingzone/pulumi/<version>/bin/pulumi``). When none is usable:

1. the official install (``PulumiCommand.install``), for machines that can reach Pulumi's download site;
2. otherwise a build from the Go module with the Go toolchain: a throwaway wrapper module requiring
   ``github.com/pulumi/pulumi/pkg/v3`` and ``.../sdk/v3`` at the pinned tag, with the non-local ``replace`` lines
   of pkg/go.mod at that tag, built with the version stamped in (the SDK refuses a CLI that reports none).

The build runs once per machine and version: the result lives in the cache and the Go build cache is reused.
``python -m landingzone.toolchain ensure`` is what ``make`` calls.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from landingzone.errors import PreflightError

PULUMI_CLI_VERSION = "3.274.1"
"""The CLI version we install or build. At least the SDK's own version (3.272.0); pkg/v3 at this tag resolves
with the Go module proxy."""
PULUMI_MODULE = "github.com/pulumi/pulumi"
ENV_PULUMI = "LANDINGZONE_PULUMI"
ENV_CACHE = "LANDINGZONE_CACHE"

Progress = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def cache_root() -> Path:
    base = os.environ.get(ENV_CACHE) or os.path.join(os.path.expanduser("~"), ".cache", "landingzone")
    return Path(base)


def cached_cli_path(version: str = PULUMI_CLI_VERSION) -> Path:
    return cache_root() / "pulumi" / version / "bin" / "pulumi"


def sdk_version() -> str:
    return metadata.version("pulumi")


def _parse_version(text: str) -> tuple[int, int, int] | None:
    match = re.match(r"^v?(\d+)\.(\d+)\.(\d+)", text.strip())
    if not match:
        return None
    return int(match[1]), int(match[2]), int(match[3])


def minimum_cli_version() -> tuple[int, int, int]:
    """The oldest CLI we accept: the installed SDK's own version (same major)."""
    parsed = _parse_version(sdk_version())
    assert parsed is not None, "the pulumi SDK reports no version"
    return parsed


@dataclass(frozen=True)
class PulumiCli:
    path: Path
    version: str
    source: str
    """Where it was found: LANDINGZONE_PULUMI, PATH, cache, installed, built."""

    @property
    def root(self) -> Path:
        """The directory whose bin/ holds the CLI, as PulumiCommand(root=...) expects."""
        return self.path.parent.parent


@dataclass
class Rejected:
    path: str
    reason: str


@dataclass
class Search:
    found: PulumiCli | None = None
    rejected: list[Rejected] = field(default_factory=list)


def cli_version(path: Path | str) -> str | None:
    """`pulumi version` of a binary, or None if it cannot run."""
    env = dict(os.environ, PULUMI_SKIP_UPDATE_CHECK="true")
    try:
        out = subprocess.run([str(path), "version"], capture_output=True, text=True, timeout=60, env=env,
                             check=False)
    except OSError:
        return None
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip()


def _acceptable(version: str | None) -> str | None:
    """None when acceptable, else why not."""
    if not version:
        return "does not run or reports no version (a source build without the -X version stamp?)"
    parsed = _parse_version(version)
    if parsed is None:
        return f"reports an unparseable version {version!r}"
    minimum = minimum_cli_version()
    if parsed[0] != minimum[0]:
        return f"version {version} is not major version {minimum[0]}"
    if parsed < minimum:
        return f"version {version} is older than the SDK's {'.'.join(map(str, minimum))}"
    return None


def find_pulumi() -> Search:
    """Look for a usable CLI without installing anything."""
    search = Search()
    candidates: list[tuple[str, str]] = []
    if os.environ.get(ENV_PULUMI):
        candidates.append((os.environ[ENV_PULUMI], ENV_PULUMI))
    on_path = shutil.which("pulumi")
    if on_path:
        candidates.append((on_path, "PATH"))
    candidates.append((str(cached_cli_path()), "cache"))
    for path, source in candidates:
        if not Path(path).is_file():
            if source != "cache":
                search.rejected.append(Rejected(path, "does not exist"))
            continue
        version = cli_version(path)
        why = _acceptable(version)
        if why is None and version is not None:
            search.found = PulumiCli(Path(path).resolve(), version.lstrip("v"), source)
            return search
        search.rejected.append(Rejected(path, why or "unusable"))
    return search


def _official_install(progress: Progress) -> PulumiCli | None:
    """PulumiCommand.install into the cache; None when the download site cannot be reached."""
    from pulumi.automation import PulumiCommand
    from semver import VersionInfo

    root = cached_cli_path().parent.parent
    progress(f"trying the official pulumi install ({PULUMI_CLI_VERSION}) into {root}")
    try:
        cmd = PulumiCommand.install(root=str(root), version=VersionInfo.parse(PULUMI_CLI_VERSION))
    except Exception as exc:  # noqa: BLE001 - any failure means: fall back to the source build
        progress(f"official install not possible here ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})")
        return None
    path = Path(cmd.command)
    version = cli_version(path)
    if _acceptable(version) is not None or version is None:
        return None
    return PulumiCli(path, version.lstrip("v"), "installed")


def _go(args: list[str], cwd: Path, progress: Progress) -> str:
    progress("$ go " + " ".join(args))
    env = dict(os.environ, GOFLAGS=os.environ.get("GOFLAGS", "-buildvcs=false"))
    proc = subprocess.run(["go", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise PreflightError(
            f"`go {' '.join(args)}` failed:\n{proc.stderr.strip()[-2000:]}",
            fix="check that the Go module proxy is reachable, or install pulumi yourself and set LANDINGZONE_PULUMI",
        )
    return proc.stdout


def non_local_replaces(go_mod: str) -> list[str]:
    """The `replace` directives of a go.mod that point at modules, not at local directories."""
    lines: list[str] = []
    in_block = False
    for raw in go_mod.splitlines():
        line = raw.split("//", 1)[0].strip()
        if line.startswith("replace ("):
            in_block = True
            continue
        if in_block and line == ")":
            in_block = False
            continue
        if line.startswith("replace "):
            body = line[len("replace "):].strip()
        elif in_block and "=>" in line:
            body = line
        else:
            continue
        target = body.split("=>", 1)[1].strip()
        if target.startswith((".", "/")):
            continue
        lines.append(body)
    return lines


def build_from_source(version: str = PULUMI_CLI_VERSION, *, dest: Path | None = None,
                      progress: Progress = _stderr) -> PulumiCli:
    """Build the pulumi CLI from its Go module, version-stamped, into the cache."""
    if shutil.which("go") is None:
        raise PreflightError("no pulumi CLI found and no Go toolchain to build one",
                             fix="install pulumi (https://www.pulumi.com/docs/install/) or Go 1.24+")
    dest = dest or cached_cli_path(version)
    tag = f"v{version}"
    with tempfile.TemporaryDirectory(prefix="lz-pulumi-build-") as tmp:
        work = Path(tmp)
        (work / "go.mod").write_text("module landingzone.local/pulumibuild\n\ngo 1.24\n")
        (work / "tools.go").write_text(
            '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n')
        info = json.loads(_go(["mod", "download", "-json", f"{PULUMI_MODULE}/pkg/v3@{tag}"], work, progress))
        replaces = non_local_replaces(Path(info["GoMod"]).read_text())
        with (work / "go.mod").open("a") as fh:
            for rep in replaces:
                fh.write(f"\nreplace {rep}\n")
        _go(["get", f"{PULUMI_MODULE}/pkg/v3@{tag}", f"{PULUMI_MODULE}/sdk/v3@{tag}"], work, progress)
        _go(["mod", "tidy"], work, progress)
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        progress(f"building pulumi {tag} (the first time takes several minutes; later runs reuse the result)")
        _go(["build", "-ldflags", f"-X {PULUMI_MODULE}/sdk/v3/go/common/version.Version={tag}",
             "-o", str(partial), f"{PULUMI_MODULE}/pkg/v3/cmd/pulumi"], work, progress)
        partial.replace(dest)  # atomic: an interrupted build never leaves a half-written CLI in the cache
    got = cli_version(dest)
    if got is None or _acceptable(got) is not None:
        raise PreflightError(f"the pulumi CLI built at {dest} reports version {got!r}",
                             fix="remove it and run `make` again")
    return PulumiCli(dest, got.lstrip("v"), "built")


def ensure_pulumi(*, allow_install: bool = True, progress: Progress = _stderr) -> PulumiCli:
    """A usable CLI: found, else installed, else built from source."""
    search = find_pulumi()
    if search.found:
        return search.found
    for rej in search.rejected:
        progress(f"ignoring pulumi at {rej.path}: {rej.reason}")
    if not allow_install:
        raise PreflightError("no usable pulumi CLI found",
                             fix="run `make` (it installs or builds one) or set LANDINGZONE_PULUMI")
    installed = _official_install(progress)
    if installed:
        return installed
    return build_from_source(progress=progress)


def pulumi_command(cli: PulumiCli | None = None):  # type: ignore[no-untyped-def]
    """A pulumi.automation.PulumiCommand for the CLI (found or, with allow_install, provided)."""
    from pulumi.automation import PulumiCommand

    cli = cli or ensure_pulumi(allow_install=False)
    return PulumiCommand(root=str(cli.root))


def plugin_installed(name: str = "aws") -> Path | None:
    """Where the engine would load `pulumi-resource-<name>` from: PATH (ambient) or $PULUMI_HOME/plugins."""
    ambient = shutil.which(f"pulumi-resource-{name}")
    if ambient and not os.environ.get("PULUMI_IGNORE_AMBIENT_PLUGINS"):
        return Path(ambient)
    home = Path(os.environ.get("PULUMI_HOME") or Path.home() / ".pulumi") / "plugins"
    if home.is_dir():
        for entry in sorted(home.glob(f"resource-{name}-v*")):
            binary = entry / f"pulumi-resource-{name}"
            if binary.exists():
                return binary
    return None


def aws_plugin_version() -> str:
    """The provider plugin version pulumi-aws (the Python SDK) needs."""
    return metadata.version("pulumi_aws")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["ensure"]:
        try:
            cli = ensure_pulumi()
        except PreflightError as exc:
            _stderr(f"error: {exc}")
            return exc.exit_code
        print(cli.path)
        _stderr(f"pulumi {cli.version} ({cli.source}): {cli.path}")
        return 0
    if args[:1] == ["find"]:
        search = find_pulumi()
        if search.found:
            print(search.found.path)
            return 0
        return 1
    _stderr("usage: python -m landingzone.toolchain ensure|find")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())


# ---- `landingzone doctor` --------------------------------------------------------------------------------------

PASSPHRASE_VARS = ("LANDINGZONE_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")

ACTION_NEEDS: dict[str, frozenset[str]] = {
    "plan": frozenset(),
    "audit": frozenset({"credentials"}),
    "preview": frozenset({"cli", "plugin", "credentials", "backend", "passphrase"}),
    "up": frozenset({"cli", "plugin", "credentials", "backend", "passphrase"}),
    "destroy": frozenset({"cli", "plugin", "credentials", "backend", "passphrase"}),
}


@dataclass(frozen=True)
class Check:
    key: str
    """cli, plugin, credentials, backend, passphrase, private (``.landingzone/`` readable by others: a warning)."""
    ok: bool
    summary: str
    fix: str = ""


@dataclass
class DoctorReport:
    action: str
    checks: list[Check]

    @property
    def missing(self) -> list[Check]:
        needs = ACTION_NEEDS.get(self.action, frozenset())
        return [c for c in self.checks if not c.ok and c.key in needs]

    @property
    def ok(self) -> bool:
        return not self.missing


def passphrase_source(env: dict[str, str] | None = None) -> str | None:
    """Which variable provides the secrets passphrase (never its value)."""
    env = dict(os.environ) if env is None else env
    for var in PASSPHRASE_VARS:
        if var in env:
            return var
    return None


def check_cli() -> Check:
    search = find_pulumi()
    if search.found:
        cli = search.found
        return Check("cli", True, f"pulumi {cli.version} at {cli.path} (from {cli.source})")
    why = "; ".join(f"{r.path}: {r.reason}" for r in search.rejected) or "none on PATH or in the cache"
    return Check("cli", False, f"no usable pulumi CLI ({why})",
                 "run `make run` (installs or builds it once), or install pulumi and set LANDINGZONE_PULUMI")


def check_plugin() -> Check:
    version = aws_plugin_version()
    where = plugin_installed("aws")
    if where:
        return Check("plugin", True, f"aws resource plugin: {where}")
    return Check("plugin", False, f"the aws resource plugin v{version} is not installed",
                 f"pulumi plugin install resource aws v{version}")


def check_credentials(endpoint: str | None, profile: str | None) -> Check:
    import boto3
    import botocore.exceptions

    try:
        session = boto3.Session(profile_name=profile)
        ident = session.client("sts", endpoint_url=endpoint).get_caller_identity()
    except botocore.exceptions.ProfileNotFound as exc:
        return Check("credentials", False, f"{exc} (from aws.profile in the configuration or AWS_PROFILE)",
                     "fix aws.profile / AWS_PROFILE, or run `aws configure --profile NAME`")
    except botocore.exceptions.NoCredentialsError:
        return Check("credentials", False, "no AWS credentials found in the standard chain",
                     "export AWS_PROFILE=<management profile> (or run `aws sso login`), then run doctor again")
    except botocore.exceptions.ClientError as exc:
        err = exc.response.get("Error", {})
        return Check("credentials", False, f"AWS refused the credentials: {err.get('Code')}: {err.get('Message')}",
                     "refresh the credentials (expired session?) or choose another profile")
    except (botocore.exceptions.BotoCoreError, ValueError) as exc:
        return Check("credentials", False, f"AWS cannot be reached: {exc}",
                     "check the network, the region, or aws.endpoint in the configuration")
    return Check("credentials", True, f"AWS identity {ident['Arn']} (account {ident['Account']})")


def check_backend(url: str, endpoint: str | None, profile: str | None) -> Check:
    if url.startswith("file://"):
        path = Path(url[len("file://"):].split("?", 1)[0])
        probe = path if path.exists() else path.parent
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        if os.access(probe, os.W_OK):
            return Check("backend", True, f"state backend {url} (writable)")
        return Check("backend", False, f"state backend {url}: {probe} is not writable",
                     "choose a writable state.backend_url")
    if url.startswith("s3://"):
        import boto3
        import botocore.exceptions

        bucket = url[len("s3://"):].split("/", 1)[0].split("?", 1)[0]
        try:
            boto3.Session(profile_name=profile).client("s3", endpoint_url=endpoint).head_bucket(Bucket=bucket)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            return Check("backend", False, f"state bucket {bucket!r} is not reachable: {exc}",
                         f"create the bucket (versioned, encrypted) or fix state.backend_url ({url})")
        return Check("backend", True, f"state backend {url} (bucket reachable)")
    if "PULUMI_ACCESS_TOKEN" in os.environ:
        return Check("backend", True, f"state backend {url} (PULUMI_ACCESS_TOKEN set)")
    return Check("backend", False, f"state backend {url} needs a Pulumi Cloud token",
                 "export PULUMI_ACCESS_TOKEN=... or use a file:// or s3:// backend")


def check_passphrase() -> Check:
    source = passphrase_source()
    if source:
        return Check("passphrase", True, f"secrets passphrase set (from {source})")
    return Check("passphrase", False, "no secrets passphrase set",
                 "export LANDINGZONE_PASSPHRASE=... (kept out of files and logs; the same value every run)")


def check_private_state(directory: Path) -> Check:
    """``.landingzone/`` (state, work dirs: account ids, ARNs, encrypted secrets) readable by no one else. A warning,
    never a blocker: the tool creates it owner-only, so a readable one was made by hand or by an older version."""
    from landingzone.privatefiles import exposed_paths

    if not directory.exists():
        return Check("private", True, f"{directory} will be created readable by its owner only")
    exposed = exposed_paths(directory)
    if not exposed:
        return Check("private", True, f"{directory} is readable by its owner only")
    shown = ", ".join(f"{p} ({stat.filemode(mode)[1:]})" for p, mode in exposed[:3])
    more = " and more" if len(exposed) > 3 else ""
    return Check("private", False, f"{directory} is readable by others: {shown}{more}; it holds account ids, ARNs "
                 "and encrypted secrets", f"chmod -R go-rwx {directory}")


def run_doctor(action: str, *, backend_url: str, endpoint: str | None = None,
               profile: str | None = None, private_dir: Path | None = None) -> DoctorReport:
    checks = [
        check_cli(),
        check_plugin(),
        check_credentials(endpoint, profile),
        check_backend(backend_url, endpoint, profile),
        check_passphrase(),
    ]
    if private_dir is not None:
        checks.append(check_private_state(private_dir))
    return DoctorReport(action, checks)
