"""The configuration file: YAML in, validated model out, and back, keeping the file's comments.

Validation reports every problem at once. Field-level problems come from pydantic, cross-field ones from
:mod:`landingzone.config.rules`; both end up as one :class:`~landingzone.errors.ConfigError` whose problems each
name a field path such as ``accounts[2].email``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from landingzone.config.model import LandingZoneConfig
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


def _problems_from_validation_error(exc: ValidationError) -> list[ConfigProblem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "extra_forbidden":
            msg = "unknown field; check its spelling (`landingzone schema` lists the fields)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        problems.append(ConfigProblem(_loc_to_path(loc), msg, err.get("input")))
    return problems


def validate_config(data: Any, *, source: str | None = None) -> LandingZoneConfig:
    """Validate a parsed document; raise ConfigError with every problem found."""
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem("", f"the configuration must be a mapping of fields, not "
                                             f"{type(data).__name__}", None)], source=source)
    try:
        return LandingZoneConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_problems_from_validation_error(exc), source=source) from None
    except ConfigError as exc:
        raise ConfigError(exc.problems, source=source) from None


# ---- YAML ------------------------------------------------------------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 110
    yaml.preserve_quotes = True
    return yaml


def _plain(node: Any) -> Any:
    """ruamel round-trip nodes -> plain Python (dict/list/scalars)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool | int | float | str) or node is None:
        if isinstance(node, str):
            return str(node)
        if isinstance(node, bool):
            return bool(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        return node
    return str(node)


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
    return validate_config(_plain(parse_yaml(text, source=source)), source=source)


def load_config(path: Path | str) -> LandingZoneConfig:
    """Read and validate a configuration file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem("", f"{path} does not exist; create one with `landingzone init "
                                             "--preset medium` or the wizard (`landingzone`)")],
                          source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem("", f"cannot read {path}: {exc}")], source=str(path)) from None
    return loads_config(text, source=str(path))


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
    """Write the configuration, keeping the comments of the file it replaces."""
    path = Path(path)
    original = path.read_text(encoding="utf-8") if path.exists() else None
    path.write_text(dumps_config(cfg, original=original), encoding="utf-8")
