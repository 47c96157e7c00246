"""A per-account stack whose access role is refused (a new account) is retried with backoff for a bounded time;
here with a stand-in Stack object whose preview fails the way the engine does (a CommandError carrying the
provider's message), because the point is the retry loop; the engine test (tests/engine/test_baseline_engine.py)
shows it against the emulator's refusal."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.automation import CommandResult, PreviewResult
from pulumi.automation.errors import CommandError

from landingzone import events as ev
from landingzone.config import validate_config
from landingzone.errors import StageError
from landingzone.orchestrator import EngineSettings, StackJob, StackRef, runner
from landingzone.orchestrator.retry import backoff_delays, is_assume_role_refusal
from landingzone.presets import preset_data

REFUSED = ("error: creating aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults imds-defaults-us-east-1: "
           "IAM Role (arn:aws:iam::123456789012:role/OrganizationAccountAccessRole) cannot be assumed: operation "
           "error STS: AssumeRole, https response error StatusCode: 403, api error AccessDenied: User: "
           "arn:aws:sts::111111111111:assumed-role/deploy/ci is not authorized to perform: sts:AssumeRole")


class RefusingStack:
    def __init__(self, refusals: int, text: str = REFUSED) -> None:
        self.refusals = refusals
        self.text = text
        self.calls = 0

    def preview(self, **_: Any) -> PreviewResult:
        self.calls += 1
        if self.calls <= self.refusals:
            raise CommandError(CommandResult("", self.text, 255))
        return PreviewResult("", "", {})


def _job(wait: float, account: str | None = "production") -> StackJob:
    import stacks

    cfg = validate_config(preset_data("small"))
    ref = StackRef("baseline", f"lz-baseline-{account}", account)
    return StackJob(stacks.stage("baseline"), ref, "preview", cfg, {}, EngineSettings("file:///x", "/x", "/x"),
                    assume_role_wait=wait)


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    delays: list[float] = []
    clock = [0.0]

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(runner.time, "sleep", sleep)
    monkeypatch.setattr(runner.time, "monotonic", lambda: clock[0])
    return delays


def test_refusals_are_recognised() -> None:
    assert is_assume_role_refusal(REFUSED)
    assert is_assume_role_refusal("AccessDenied: not authorized to perform: sts:AssumeRole on resource: arn:...")
    assert not is_assume_role_refusal("error: creating aws:iam/role:Role x: EntityAlreadyExists")
    delays = backoff_delays()
    assert [next(delays) for _ in range(7)] == [2, 4, 8, 16, 30, 30, 30]


def test_retried_with_backoff_until_the_role_is_assumable(slept: list[float]) -> None:
    seen: list[ev.Event] = []
    stack = RefusingStack(refusals=3)
    outcome = runner._operate_retrying(_job(600), stack, seen.append)  # type: ignore[arg-type]
    assert stack.calls == 4 and slept == [2, 4, 8] and outcome.counts == {}
    progress = [e.message for e in seen if isinstance(e, ev.LogLine)]
    assert len(progress) == 3 and all("account production" in m and "retrying in" in m for m in progress)


def test_gives_up_after_the_bounded_time_naming_account_and_fix(slept: list[float]) -> None:
    seen: list[ev.Event] = []
    with pytest.raises(StageError) as failed:
        runner._operate_retrying(_job(60), RefusingStack(refusals=1000), seen.append)  # type: ignore[arg-type]
    assert sum(slept) == 60  # never past the bound: the last wait is cut to what is left
    assert "account production" in failed.value.cause and "could not be assumed for 60 s" in failed.value.cause
    assert "fix:" in failed.value.cause and "assume_role_wait_seconds" in failed.value.cause
    assert any(isinstance(e, ev.StageFailed) for e in seen)


def test_other_failures_and_single_stacks_are_not_retried(slept: list[float]) -> None:
    with pytest.raises(CommandError):
        runner._operate_retrying(_job(600), RefusingStack(1, "error: EntityAlreadyExists"),  # type: ignore[arg-type]
                                 ev.ignore_event)
    with pytest.raises(CommandError):
        runner._operate_retrying(_job(600, account=None), RefusingStack(1), ev.ignore_event)  # type: ignore[arg-type]
    with pytest.raises(StageError, match="no retry"):
        runner._operate_retrying(_job(0), RefusingStack(1), ev.ignore_event)  # type: ignore[arg-type]
    assert slept == []
