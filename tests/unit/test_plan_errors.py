"""Errors a stage raises in a plan worker process reach the parent pickled: they must come back whole."""

from __future__ import annotations

import pickle

from landingzone.errors import QuotaError, StageError


def test_stage_error_survives_pickling() -> None:
    original = StageError("network", "account 'x' has no network settings", applied=["organization"])
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is StageError
    assert (copy.stage, copy.cause, copy.applied, str(copy)) == ("network", original.cause, ["organization"],
                                                                 str(original))
    assert copy.exit_code == original.exit_code


def test_quota_error_survives_pickling() -> None:
    copy = pickle.loads(pickle.dumps(QuotaError("6 SCPs on Root", target="Root", count=6, limit=5)))
    assert (str(copy), copy.target, copy.count, copy.limit) == ("6 SCPs on Root", "Root", 6, 5)
