"""Config model: presets, YAML round trips with comments, JSON Schema, and the parser under random input."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from landingzone import config as lzconfig
from landingzone.config import AccountKind, LandingZoneConfig, QueryLayer
from landingzone.errors import ConfigError
from landingzone.presets import PRESETS, preset, preset_data


@pytest.mark.parametrize("name", PRESETS)
def test_presets_validate(name: str) -> None:
    cfg = preset(name)  # type: ignore[arg-type]
    assert cfg.security_account.kind == AccountKind.SECURITY
    kinds = {a.kind for a in cfg.accounts}
    assert {AccountKind.PRODUCTION, AccountKind.DEVELOPMENT} <= kinds
    assert cfg.logging.query_layer == QueryLayer.ATHENA


def test_medium_preset_shape() -> None:
    cfg = preset("medium")
    assert cfg.ou_paths() == ["Security", "Infrastructure", "Workloads", "Workloads/Prod", "Workloads/NonProd",
                              "Sandbox"]
    assert cfg.log_account.name == "log-archive"
    assert cfg.account("production").ou == "Workloads/Prod"


def test_large_adds_governance_ous() -> None:
    paths = preset("large").ou_paths()
    for ou in ("Policy-Staging", "Suspended", "Exceptions", "Deployments"):
        assert ou in paths


def test_small_has_security_prod_dev_only() -> None:
    cfg = preset("small")
    assert sorted(a.kind for a in cfg.accounts) == sorted(
        [AccountKind.SECURITY, AccountKind.PRODUCTION, AccountKind.DEVELOPMENT])
    assert cfg.log_account is cfg.security_account


def test_commented_yaml_round_trips() -> None:
    cfg = preset("large")
    text = lzconfig.commented_yaml(cfg)
    assert "# Member accounts" in text
    assert lzconfig.loads_config(text) == cfg


def test_save_keeps_user_comments(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "lz.yaml"
    path.write_text(lzconfig.commented_yaml(preset("medium")) + "# a note the user wrote at the end\n")
    text = path.read_text()
    text = text.replace("  - name: production\n", "  - name: production  # our main account\n")
    path.write_text(text)
    cfg = lzconfig.load_config(path)
    changed = cfg.model_copy(update={"governed_regions": ["us-east-1", "eu-west-1"]})
    lzconfig.save_config(changed, path)
    saved = path.read_text()
    assert "# our main account" in saved
    assert "# Member accounts" in saved
    assert "eu-west-1" in saved and "us-west-2" not in saved
    assert lzconfig.load_config(path) == changed


def test_json_schema_accepts_every_preset() -> None:
    schema = lzconfig.json_schema()
    for name in PRESETS:
        jsonschema.validate(preset_data(name), schema)  # type: ignore[arg-type]
    props = schema["properties"]
    assert "Member accounts" in props["accounts"]["description"]


def test_every_field_is_documented() -> None:
    def walk(model: type) -> list[str]:
        missing = []
        for name, info in model.model_fields.items():  # type: ignore[attr-defined]
            if not info.description:
                missing.append(f"{model.__name__}.{name}")
            for arg in getattr(info.annotation, "__args__", ()) + (info.annotation,):
                if isinstance(arg, type) and issubclass(arg, lzconfig._Model) and arg is not model:
                    missing += walk(arg)
        return missing

    assert walk(LandingZoneConfig) == []


def test_cross_field_rule_unique_emails_case_insensitive() -> None:
    data = preset_data("small")
    data["accounts"][1]["email"] = data["accounts"][2]["email"].upper()
    with pytest.raises(ConfigError) as info:
        lzconfig.validate_config(data)
    assert [p.path for p in info.value.problems] == ["accounts[2].email"]


def test_brownfield_needs_root_id_but_not_confirmation() -> None:
    data = preset_data("small")
    data["management_account"]["new_and_empty"] = False
    data["organization"] = {"existing_id": "o-abcdefghij"}
    with pytest.raises(ConfigError) as info:
        lzconfig.validate_config(data)
    assert [p.path for p in info.value.problems] == ["organization.existing_root_id"]
    data["organization"]["existing_root_id"] = "r-ab12"
    assert lzconfig.validate_config(data).organization.existing_id == "o-abcdefghij"


def test_cloudtrail_always_delegated() -> None:
    data = preset_data("small")
    data["organization"] = {"security_services": ["guardduty"]}
    cfg = lzconfig.validate_config(data)
    assert cfg.organization.security_services[0].value == "cloudtrail"


def test_backend_defaults_beside_config(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cfg = preset("small")
    url = lzconfig.backend_url(cfg, tmp_path / "lz.yaml")
    assert url == (tmp_path / ".landingzone" / "state").as_uri()
    cfg2 = cfg.model_copy(update={"state": lzconfig.StateConfig(backend_url="s3://b/p?region=us-east-1")})
    assert lzconfig.backend_url(cfg2, tmp_path / "lz.yaml") == "s3://b/p?region=us-east-1"


# ---- the parser under random input: only success or ConfigError, never another exception --------------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                     st.text(max_size=20), st.sampled_from(["Root", "production", "us-east-1", "a@b.co"]))
_keys = st.one_of(st.sampled_from(list(LandingZoneConfig.model_fields) + ["email", "kind", "ou", "name"]),
                  st.text(max_size=8))
_documents = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(_keys, inner, max_size=6)),
                          max_leaves=30)


def _dump(doc: object) -> str:
    import io

    out = io.StringIO()
    YAML(typ="safe").dump(doc, out)
    return out.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_random_documents_give_config_error_or_config(doc: object) -> None:
    try:
        result = lzconfig.loads_config(_dump(doc))
    except ConfigError as exc:
        assert exc.problems and all(isinstance(p.message, str) for p in exc.problems)
    else:
        assert isinstance(result, LandingZoneConfig)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_random_text_gives_config_error_or_config(text: str) -> None:
    try:
        lzconfig.loads_config(text)
    except ConfigError as exc:
        assert exc.problems


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PRESETS), st.data())
def test_mutated_presets_never_crash(name: str, data: st.DataObject) -> None:
    doc = preset_data(name)  # type: ignore[arg-type]
    key = data.draw(st.sampled_from(sorted(doc)))
    doc[key] = data.draw(_documents)
    try:
        lzconfig.validate_config(doc)
    except ConfigError as exc:
        assert exc.problems
