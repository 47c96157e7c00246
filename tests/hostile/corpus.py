"""The hostile corpus: documents a configuration file may hold in a pull request, each with the outcome expected.

Shared by the library tests (tests/hostile/test_loading.py) and the CLI tests (tests/cli/test_hostile_cli.py).
Each case is (id, file content, fragment the refusal must contain; None when the document is a valid
configuration or an ordinary validation error is expected instead).
"""

from __future__ import annotations

import io

from ruamel.yaml import YAML

from landingzone.presets import preset_data


def dump(doc: object) -> str:
    out = io.StringIO()
    YAML(typ="safe").dump(doc, out)
    return out.getvalue()


def medium_text() -> str:
    return dump(preset_data("medium"))


def billion_laughs() -> str:
    """Nine lines whose aliases expand to 9^8 (43 million) scalars."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def quadratic_blowup() -> str:
    """A mapping aliased in every value of a long list (expands to width * width)."""
    width = 2000
    row = "{" + ", ".join(f"k{i}: v" for i in range(width)) + "}"
    return f"row: &r {row}\nrows: [" + ", ".join(["*r"] * width) + "]\n"


def deep_flow(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


def deep_block(depth: int = 200) -> str:
    return "".join(f"{' ' * i}k{i}:\n" for i in range(depth)) + " " * depth + "v\n"


def deep_ou_tree() -> str:
    """The medium preset with an OU tree 70 levels deep: refused by the nesting bound, not by recursion."""
    text = medium_text()
    tree = "x"
    for _ in range(70):
        tree = f'{{name: "L", children: [{tree}]}}' if tree != "x" else '{name: "L"}'
    return text + f"extra_ous: [{tree}]\n"


def huge_scalar() -> str:
    return "name: " + "a" * 900_000 + "\n"


SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SESSION_TOKEN = ("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6" + "A1b2C3d4E5f6G7h8" * 20)


def credentials_file() -> str:
    return (f"[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
            f"aws_session_token = {SESSION_TOKEN}\n")


def credentials_as_yaml() -> str:
    """A credentials document that does parse as YAML: a mapping of foreign keys."""
    return (f"aws_access_key_id: {ACCESS_KEY}\naws_secret_access_key: {SECRET_KEY}\n"
            f"aws_session_token: {SESSION_TOKEN}\n")


def shadow_like() -> str:
    """/etc/shadow's format: each line parses as a mapping key (ending in ':'), so a naive loader lists them all."""
    return "".join(f"user{i}:$6$saltsalt$0123456789abcdefhashhashhash{i}:19000:0:99999:7:::\n" for i in range(200))


def config_with_secrets_in_values() -> str:
    doc = preset_data("medium")
    doc["name"] = ACCESS_KEY
    doc["accounts"][0]["email"] = SECRET_KEY
    doc["accounts"][1]["name"] = SESSION_TOKEN
    return dump(doc)


def many_problems() -> str:
    doc = preset_data("medium")
    doc["accounts"] = [{"name": f"a{i}", "email": "bad", "kind": "nope"} for i in range(300)]
    return dump(doc)


def confusable_account_name() -> str:
    doc = preset_data("medium")
    doc["accounts"][3]["name"] = "pr\u043eduction"  # Cyrillic o
    return dump(doc)


def confusable_email() -> str:
    doc = preset_data("medium")
    doc["accounts"][3]["email"] = "aws-pr\u043eduction@example.com"
    return dump(doc)


def confusable_ou_name() -> str:
    doc = preset_data("medium")
    doc["organizational_units"][3]["name"] = "S\u0430ndbox"  # Cyrillic a
    return dump(doc)


def foreign_digits_account_id() -> str:
    doc = preset_data("medium")
    doc["accounts"][3]["existing_id"] = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"
    return dump(doc)


def confusable_role_name() -> str:
    doc = preset_data("medium")
    doc["access_role_name"] = "Organization\u0410ccountAccessRole"  # Cyrillic A
    return dump(doc)


def duplicate_keys() -> str:
    return medium_text() + "name: another-name\n"


def yaml11_booleans() -> str:
    """`no` where a string belongs (an OU named after Norway's code): read as YAML 1.2 whatever the %YAML 1.1
    directive says, it stays the string "no"; a 1.1 reader would make it false and break every reference."""
    return "%YAML 1.1\n---\n" + medium_text().replace("Sandbox", "no")


def python_tag() -> str:
    return medium_text() + "extra: !!python/object/apply:os.system ['echo pwned']\n"


def binary_tag() -> str:
    return "name: !!binary aGVsbG8=\n"


def merge_keys() -> str:
    """Anchors and merge keys used the way a user would, to share account settings: a valid configuration."""
    doc = preset_data("medium")
    del doc["accounts"]
    return dump(doc) + (
        "accounts:\n"
        "- &sec {email: aws-security@example.com, kind: security, name: security, ou: Security}\n"
        "- {<<: *sec, email: aws-log-archive@example.com, kind: log-archive, name: log-archive}\n"
        "- {email: aws-shared-services@example.com, kind: shared-services, name: shared-services, "
        "ou: Infrastructure}\n"
        "- &prod {email: aws-production@example.com, kind: production, name: production, ou: Workloads/Prod}\n"
        "- {<<: *prod, email: aws-development@example.com, kind: development, name: development, "
        "ou: Workloads/NonProd}\n")


# Cases for the document parser and the CLI: (id, text, fragment of the one refusal).
REFUSED: list[tuple[str, str, str]] = [
    ("billion-laughs", billion_laughs(), "expands to more than 250,000 values"),
    ("quadratic-blowup", quadratic_blowup(), "expands to more than 250,000 values"),
    ("deep-flow-nesting", deep_flow(), "nested more than 64 levels deep"),
    ("deep-block-nesting", deep_block(), "nested more than 64 levels deep"),
    ("deep-ou-tree", deep_ou_tree(), "nested more than 64 levels deep"),
    ("duplicate-top-level-key", duplicate_keys(), "the key 'name' appears twice"),
    ("python-object-tag", python_tag(), "the tag '!!python/object/apply:os.system' is not allowed"),
    ("binary-tag", binary_tag(), "the tag '!!binary' is not allowed"),
    ("recursive-alias", "a: &x [*x]\n", "refers to a value that contains it"),
    ("undefined-alias", "name: *nope\n", "alias *nope is not defined"),
    ("two-documents", medium_text() + "---\n" + medium_text(), "a second YAML document"),
    ("complex-key", "? [a, b]\n: c\n", "a mapping key must be a single value"),
    ("credentials-ini", credentials_file(), "not valid YAML"),
    ("unterminated-quote", "name: 'acme\n", "not valid YAML"),
    ("tab-indentation", "name: acme\naccounts:\n\t- name: a\n", "not valid YAML"),
    ("control-character", "name: ac\x07me\n", "not valid YAML"),
    ("huge-integer", "bucket: " + "9" * 5000 + "\n", "is too long"),
]
