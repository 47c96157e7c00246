"""Fuzzing the configuration loader: the hostile corpus, random bytes, YAML-ish noise and damaged real files. Every
case ends, within a time bound, with a valid configuration or a ConfigError; never another exception, never a
hang (a per-case alarm turns one into a failure instead of a stuck test run)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landingzone import config as lzconfig
from landingzone.config import LandingZoneConfig
from landingzone.errors import MAX_LISTED_PROBLEMS, ConfigError
from tests.hostile import corpus

CASE_SECONDS = 5.0
"""Per case. The library refuses in well under a second; the alarm only exists so that a hang fails."""


class Hung(Exception):
    pass


@contextmanager
def time_bound(seconds: float = CASE_SECONDS) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise Hung(f"no answer within {seconds}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def outcome(load: Callable[[], LandingZoneConfig]) -> LandingZoneConfig | ConfigError:
    """Run a load under the time bound: the config, or the ConfigError (checked to be well-formed)."""
    with time_bound():
        try:
            return load()
        except ConfigError as exc:
            assert exc.problems and all(isinstance(p.message, str) and p.message for p in exc.problems)
            listed = str(exc).splitlines()
            assert len(listed) <= MAX_LISTED_PROBLEMS + 2
            assert all(len(line) < 1000 for line in listed), "values are cut"
            return exc


@pytest.mark.parametrize(("case", "text", "fragment"), corpus.REFUSED, ids=[c[0] for c in corpus.REFUSED])
def test_corpus_through_load_config(tmp_path: Path, case: str, text: str, fragment: str) -> None:
    path = tmp_path / "lz.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = outcome(lambda: lzconfig.load_config(path))
    assert isinstance(result, ConfigError) and fragment in str(result)
    assert time.monotonic() - started < 1.0


VALIDATION_CASES: list[tuple[str, str, str]] = [
    ("huge-scalar", corpus.huge_scalar(), "(900,000 characters)"),
    ("credentials-yaml", corpus.credentials_as_yaml(), "not a landing zone configuration"),
    ("shadow-like", corpus.shadow_like(), "not a landing zone configuration"),
    ("secrets-in-values", corpus.config_with_secrets_in_values(), "[redacted]"),
    ("many-problems", corpus.many_problems(), "more problems"),
    ("confusable-account-name", corpus.confusable_account_name(), "U+043E"),
    ("confusable-email", corpus.confusable_email(), "U+043E"),
    ("confusable-ou-name", corpus.confusable_ou_name(), "organizational_units[3].name"),
    ("arabic-indic-account-id", corpus.foreign_digits_account_id(), "is not an AWS account id"),
    ("confusable-role-name", corpus.confusable_role_name(), "is not a valid IAM role name"),
]


@pytest.mark.parametrize(("case", "text", "fragment"), VALIDATION_CASES, ids=[c[0] for c in VALIDATION_CASES])
def test_corpus_validation_errors(case: str, text: str, fragment: str) -> None:
    result = outcome(lambda: lzconfig.loads_config(text, source="lz.yaml"))
    assert isinstance(result, ConfigError) and fragment in str(result), str(result)[:2000]
    for secret in (corpus.ACCESS_KEY, corpus.SECRET_KEY, corpus.SESSION_TOKEN[:40]):
        assert secret not in str(result) and secret not in repr([p.value for p in result.problems])


@pytest.mark.parametrize("make", [corpus.yaml11_booleans, corpus.merge_keys, corpus.medium_text])
def test_corpus_valid_documents(make: Callable[[], str]) -> None:
    assert isinstance(outcome(lambda: lzconfig.loads_config(make())), LandingZoneConfig)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".yaml") as fh:
        fh.write(data)
        fh.flush()
        outcome(lambda: lzconfig.load_config(fh.name))


_YAMLISH = st.lists(st.sampled_from(list("&*[]{}:-,!?|>%@`'\"#~<\n\t ab01.") + ["<<", "!!", "---", "\u043e",
                                                                                     "\ufeff", "  ", "\n- "]),
                    max_size=200).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_YAMLISH)
def test_yaml_punctuation_noise(text: str) -> None:
    outcome(lambda: lzconfig.loads_config(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_real_files(data: st.DataObject) -> None:
    """The medium preset's file cut, spliced with bytes, or with lines repeated, anchored or aliased."""
    text = corpus.medium_text()
    lines = text.splitlines(keepends=True)
    kind = data.draw(st.sampled_from(["cut", "splice", "repeat", "anchor", "swap"]))
    if kind == "cut":
        text = text[: data.draw(st.integers(0, len(text)))]
    elif kind == "splice":
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + data.draw(st.text(max_size=40)) + text[at:]
    elif kind == "repeat":
        i = data.draw(st.integers(0, len(lines) - 1))
        text = "".join(lines[: i + 1] + [lines[i]] * data.draw(st.integers(1, 50)) + lines[i + 1:])
    elif kind == "anchor":
        i = data.draw(st.integers(0, len(lines) - 1))
        j = data.draw(st.integers(0, len(lines) - 1))
        lines[i] = lines[i].replace(": ", ": &x ", 1)
        lines[j] = lines[j].replace(": ", ": *x #", 1)
        text = "".join(lines)
    else:
        i, j = data.draw(st.integers(0, len(lines) - 1)), data.draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        text = "".join(lines)
    outcome(lambda: lzconfig.loads_config(text))


def test_problems_beyond_the_first_thousand_are_counted_not_kept() -> None:
    text = "accounts: [" + "1," * 5000 + "1]\n"
    result = outcome(lambda: lzconfig.loads_config(text))
    assert isinstance(result, ConfigError)
    assert result.count > 5000 and len(result.problems) == 1000
    assert str(result).splitlines()[0] == f"{result.count:,} configuration problems:"
    assert str(result).splitlines()[-1].startswith(f"  ... and {result.count - 50:,} more problems")
