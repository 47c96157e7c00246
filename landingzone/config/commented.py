"""The commented configuration file `landingzone init` writes: each top-level field explained by its docstring."""

from __future__ import annotations

import io
import textwrap

from ruamel.yaml.comments import CommentedMap

from landingzone.config.files import _yaml
from landingzone.config.model import LandingZoneConfig, field_descriptions


def _wrap(text: str, width: int = 100) -> str:
    return "\n".join(textwrap.wrap(" ".join(text.split()), width=width))


def commented_yaml(cfg: LandingZoneConfig, *, header: str = "landingzone configuration") -> str:
    """YAML for a configuration with each top-level field explained by its docstring (what `init` writes)."""
    data = cfg.model_dump(mode="json", exclude_defaults=True)
    for key in ("home_region", "governed_regions"):
        data.setdefault(key, getattr(cfg, key))
    order = [name for name in LandingZoneConfig.model_fields if name in data]
    doc = CommentedMap((key, data[key]) for key in order)
    docs = field_descriptions()
    for key in order:
        doc.yaml_set_comment_before_after_key(key, before="\n" + _wrap(docs.get(key, "")), indent=0)
    doc.yaml_set_start_comment(
        f"{header}\n"
        "Validate: landingzone validate --config <this file>   Schema: landingzone schema\n"
        "Fields left out take their documented defaults.")
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()
