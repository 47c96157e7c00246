"""The wizard's draft: every answer so far, as plain configuration data.

The draft is deliberately *not* a ``LandingZoneConfig``: while the user types, it may be invalid (a half-typed
email, a port that is not a number yet), and going back and forth must keep exactly what was typed. Validation
runs the config model on the draft and hands each screen the problems under the fields it owns, so the
messages a user sees in the wizard are the same ones `landingzone validate` prints.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from landingzone.atomicfile import atomic_write_text
from landingzone.config import (
    DEFAULT_CONFIG_PATH,
    LandingZoneConfig,
    commented_yaml,
    load_config,
    save_config,
    validate_config,
)
from landingzone.errors import ConfigError, ConfigProblem
from landingzone.presets import PresetName, preset

if TYPE_CHECKING:
    from landingzone.orchestrator import RunResult
    from landingzone.plan import StagePlan

WIZARD_HEADER = "landingzone configuration (written by the wizard)"


def draft_of(cfg: LandingZoneConfig) -> dict[str, Any]:
    """Every field of a configuration, defaults included, as plain JSON-like data the screens edit."""
    data: dict[str, Any] = cfg.model_dump(mode="json")
    return data


def owned_by(path: str, prefixes: Iterable[str]) -> bool:
    """Whether a problem's field path falls under one of the given field prefixes (``accounts`` owns
    ``accounts[2].email`` but not ``access_role_name``)."""
    return any(prefix == "" or re.match(rf"^{re.escape(prefix)}(\[|\.|$)", path) for prefix in prefixes)


class StepAnswers(Protocol):
    """The typed result of a wizard step: knows how to write itself into the draft."""

    def apply(self, state: WizardState) -> None: ...


@dataclass
class WizardState:
    """The answers of one wizard session and where they will be saved."""

    data: dict[str, Any]
    """The draft configuration (plain data, possibly invalid while the user edits)."""
    config_path: Path = DEFAULT_CONFIG_PATH
    """Where Save writes. An existing file keeps its comments and key order."""
    preset_name: PresetName | None = "medium"
    """The preset the draft started from; None when editing an existing file."""
    lake_in_use: bool = False
    """The organization already uses CloudTrail Lake (the only case in which Lake may be chosen)."""
    adopt: bool = False
    """Adopt an existing organization (organization.existing_id) instead of creating one."""
    saved: bool = False
    """The draft was written to ``config_path`` in this session."""
    visited: set[str] = field(default_factory=set)
    """Steps the user has opened."""
    network_text: dict[str, dict[str, str]] = field(default_factory=dict)
    """Account -> editor -> raw text of the network step's free-form editors, so that a line that does not parse
    yet survives Back and Next."""
    access_text: dict[str, str] = field(default_factory=dict)
    """The access step's editors ("groups", "assignments") as typed, so that a line that does not parse yet
    survives Back and Next."""
    plan: list[StagePlan] | None = None
    """The review step's offline plan of the draft (None until it is ready); the preview lists its stacks before
    the engine reports them."""
    preview: RunResult | None = None
    """The last successful preview, which the apply step confirms and applies (None: apply needs a preview)."""
    previewed_draft: dict[str, Any] | None = None
    """A copy of the draft the last successful preview ran on: apply refuses a preview of a draft edited since."""

    def remember_preview(self, result: RunResult) -> None:
        """Keep a successful preview together with the draft it was made from."""
        self.preview = result
        self.previewed_draft = copy.deepcopy(self.data)

    def current_preview(self) -> RunResult | None:
        """The last preview, if the draft has not changed since it ran (else None: preview again)."""
        if self.preview is None or self.previewed_draft != self.data:
            return None
        return self.preview

    @classmethod
    def from_preset(cls, name: PresetName = "medium", *, config_path: Path | None = None) -> WizardState:
        return cls(draft_of(preset(name)), config_path or DEFAULT_CONFIG_PATH, name)

    @classmethod
    def from_config(cls, cfg: LandingZoneConfig, *, config_path: Path | None = None) -> WizardState:
        state = cls(draft_of(cfg), config_path or DEFAULT_CONFIG_PATH, None)
        state.lake_in_use = cfg.logging.query_layer == "lake"
        state.adopt = cfg.organization.existing_id is not None
        return state

    @classmethod
    def open(cls, config_path: Path | None) -> WizardState:
        """The state for `landingzone [--config F]`: an existing file is opened for editing, else medium."""
        if config_path is not None and config_path.exists():
            return cls.from_config(load_config(config_path), config_path=config_path)
        return cls.from_preset("medium", config_path=config_path)

    def start_from_preset(self, name: PresetName) -> None:
        """Replace the draft by a preset, keeping the name and management account already typed."""
        keep: dict[str, Any] = {k: copy.deepcopy(self.data[k]) for k in ("name", "management_account")
                                if k in self.data}
        self.data = draft_of(preset(name))
        self.data.update(keep)
        self.preset_name = name

    # ---- validation ----------------------------------------------------------------------------------------

    def problems(self) -> list[ConfigProblem]:
        """Every problem of the draft, as the config model reports them (empty when valid)."""
        try:
            validate_config(copy.deepcopy(self.data), source="wizard")
        except ConfigError as exc:
            return exc.problems
        return []

    def problems_under(self, prefixes: Iterable[str]) -> list[ConfigProblem]:
        prefixes = list(prefixes)
        return [p for p in self.problems() if owned_by(p.path, prefixes)]

    def config(self) -> LandingZoneConfig:
        """The validated configuration; raises ConfigError listing every problem."""
        return validate_config(copy.deepcopy(self.data), source="wizard")

    # ---- saving --------------------------------------------------------------------------------------------

    def save(self) -> Path:
        """Write the configuration. An existing file keeps its comments (save_config merges into it); a new
        file gets the same commented layout `landingzone init` writes, so every field is explained."""
        cfg = self.config()
        path = self.config_path
        if path.exists():
            save_config(cfg, path)
        else:
            atomic_write_text(path, commented_yaml(cfg, header=WIZARD_HEADER))
        self.saved = True
        return path
