"""The configuration file: YAML in, validated model out, and back, keeping the file's comments.

Reading is bounded (:mod:`landingzone.safeyaml`: size, kind of file, nesting, aliases, tags) and saving atomic
(:mod:`landingzone.atomicfile`); docs/configuration-files.md. The round-trip parser below is only used to merge a
save into a file that has passed the bounds.

Validation reports every problem at once. Field-level problems come from pydantic, cross-field ones from
:mod:`landingzone.config.rules`; both end up as one :class:`~landingzone.errors.ConfigError` whose problems each
name a field path such as ``accounts[2].email``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from landingzone import safeyaml
from landingzone.atomicfile import atomic_write_text
from landingzone.config.model import LandingZoneConfig
from landingzone.config.shapes import shape_hint
from landingzone.errors import ConfigError, ConfigProblem

DEFAULT_CONFIG_PATH = Path("landingzone.yaml")


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _problems_from_validation_error(exc: ValidationError) -> Iterator[ConfigProblem]:
    """The problems, lazily: ConfigError keeps the first thousand of what may be a quarter of a million."""
    for err in exc.errors(include_url=False, include_context=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "extra_forbidden":
            msg = "unknown field; check its spelling (`landingzone schema` lists the fields)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif (hint := shape_hint(_loc_to_path(loc), err["type"])) is not None:
            msg = f"{msg[:1].lower()}{msg[1:]}: {hint}"
        yield ConfigProblem(_loc_to_path(loc), msg, err.get("input"))


def validate_config(data: Any, *, source: str | None = None) -> LandingZoneConfig:
    """Validate a parsed document; raise ConfigError with every problem found."""
    refusal = safeyaml.not_a_configuration(data, LandingZoneConfig.model_fields)
    if refusal is not None:  # said once: the document may be any file, its lines are not echoed
        raise ConfigError([ConfigProblem("", refusal)], source=source)
    try:
        return LandingZoneConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_problems_from_validation_error(exc), source=source, count=exc.error_count()) from None
    except ConfigError as exc:
        raise ConfigError(exc.problems, source=source, count=exc.count) from None


# ---- YAML ------------------------------------------------------------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 110
    yaml.preserve_quotes = True
    return yaml


def parse_yaml(text: str, *, source: str | None = None) -> Any:
    """Parse YAML text (round-trip, so comments survive a later save)."""
    try:
        return _yaml().load(io.StringIO(text))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([ConfigProblem("", f"{where}not valid YAML ({problem})", None)], source=source) from None
    except (ValueError, TypeError, RecursionError) as exc:  # odd scalars, deep nesting
        raise ConfigError([ConfigProblem("", f"not valid YAML ({exc})", None)], source=source) from None


def loads_config(text: str, *, source: str | None = None) -> LandingZoneConfig:
    """Parse (bounded: landingzone.safeyaml) and validate configuration text."""
    return validate_config(safeyaml.parse_config_text(text, source=source or "<config>"), source=source)


def load_config(path: Path | str) -> LandingZoneConfig:
    """Read and validate a configuration file, as untrusted input (docs/configuration-files.md)."""
    return validate_config(safeyaml.load_config_data(path), source=str(path))


def config_to_data(cfg: LandingZoneConfig) -> dict[str, Any]:
    """The configuration as plain data, without fields left at their defaults (short, readable files)."""
    data: dict[str, Any] = cfg.model_dump(mode="json", exclude_defaults=True)
    # Always write the fields a reader looks for first, even at their defaults.
    data.setdefault("home_region", cfg.home_region)
    data.setdefault("governed_regions", list(cfg.governed_regions))
    return data


def _merge_into(node: Any, value: Any) -> Any:
    """Update a round-trip node in place with new plain data so that comments on kept keys survive."""
    if isinstance(node, CommentedMap) and isinstance(value, dict):
        for key in [k for k in node if k not in value]:
            del node[key]
        for key, val in value.items():
            node[key] = _merge_into(node[key], val) if key in node else val
        return node
    if isinstance(node, CommentedSeq) and isinstance(value, list):
        for i, val in enumerate(value):
            if i < len(node):
                node[i] = _merge_into(node[i], val)
            else:
                node.append(val)
        del node[len(value):]
        return node
    return value


def dumps_config(cfg: LandingZoneConfig, *, original: str | None = None) -> str:
    """YAML text for a configuration. With the original text, its comments and key order are kept."""
    data = config_to_data(cfg)
    yaml = _yaml()
    doc: Any
    if original is not None:
        doc = parse_yaml(original)
        doc = _merge_into(doc, data) if isinstance(doc, CommentedMap) else data
    else:
        doc = data
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def save_config(cfg: LandingZoneConfig, path: Path | str) -> None:
    """Write the configuration atomically (the previous version kept as ``<name>.bak``), keeping the comments of
    the file it replaces when that file is safe to merge into."""
    original = safeyaml.text_to_merge(path)
    try:
        text = dumps_config(cfg, original=original)
    except ConfigError:  # the round-trip parser refused what the bounded one accepted: write afresh
        text = dumps_config(cfg)
    atomic_write_text(path, text)
