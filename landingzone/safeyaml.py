"""Reading a configuration file as untrusted input: bounded in size, kind, nesting, alias expansion and time.

The configuration is read in CI on pull requests, so a hostile file must never hang the job, exhaust its memory or
print what the file holds. Every refusal is a :class:`~landingzone.errors.ConfigError` naming the file and the
limit, and is reached in well under a second:

- only regular files are read (a FIFO, device, socket or directory is refused before anything is read; the file
  is opened non-blocking, so a FIFO without a writer cannot hang the open);
- at most :data:`MAX_CONFIG_BYTES` (1 MiB) are read; a file that is, or grows, larger is refused;
- NUL bytes and invalid UTF-8 are refused with their byte offset (and line);
- the YAML is parsed event by event (libyaml when present) and refused as soon as it nests deeper than
  :data:`MAX_DEPTH` collections, or its values, with every alias expanded, would number more than
  :data:`MAX_VALUES` (so a "billion laughs" alias bomb stops at its first few lines);
- only the YAML 1.2 core schema is understood: explicit tags other than ``!!str``, ``!!int``, ``!!float``,
  ``!!bool``, ``!!null``, ``!!map`` and ``!!seq`` (``!!python/object``, ``!!binary``, ``!!timestamp``, ...) are
  refused; ``no``, ``on`` and ``yes`` are strings, whatever a ``%YAML 1.1`` directive says; a key that appears
  twice in one mapping is refused; one document per file.

The result is plain data (dict, list, str, int, float, bool, None). Values an alias refers to are shared, not
copied: the expanded size is bounded by :data:`MAX_VALUES`, so validating them is bounded too.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from landingzone.errors import ConfigError, ConfigProblem

MAX_CONFIG_BYTES = 1024 * 1024
"""Largest configuration file read (1 MiB). A landing zone of 1,000 accounts with networks is about a tenth of it."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (a five-level OU tree is about a dozen)."""
MAX_VALUES = 250_000
"""Most values (scalars, mappings, lists) in a document once every alias is expanded."""

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")} | {"!"}
_MERGE_KEY = "<<"

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution), as ruamel resolves a 1.2 document.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _refuse(source: str, message: str) -> ConfigError:
    return ConfigError([ConfigProblem("", message)], source=source)


def _size(n: int) -> str:
    return f"{n:,} bytes"


def _limit(n: int) -> str:
    """A bound, with its MiB where it is a whole number of them: "1,048,576 bytes (1 MiB)"."""
    mib = 1024 * 1024
    return f"{_size(n)} ({n // mib} MiB)" if n % mib == 0 else _size(n)


# ---- the file ----------------------------------------------------------------------------------------------------


def read_config_bytes(path: Path | str, *, limit: int = MAX_CONFIG_BYTES, kind: str = "configuration") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ConfigError otherwise (never blocks, never reads
    more than ``limit + 1`` bytes). ``kind`` names the file in messages ("a policy may be at most ...")."""
    source = str(path)
    with contextlib.suppress(OSError):  # classify before opening (a socket cannot be opened); fstat checks again
        _refuse_kind(source, os.stat(path).st_mode, limit, kind)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        fix = ("; create one with `landingzone init --preset medium` or the wizard (`landingzone`)"
               if kind == "configuration" else "")
        raise _refuse(source, f"{source} does not exist{fix}") from None
    except OSError as exc:
        raise _refuse(source, f"cannot read {source}: {_os_reason(exc)}") from None
    try:
        info = os.fstat(fd)
        _refuse_kind(source, info.st_mode, limit, kind)
        if info.st_size > limit:
            raise _refuse(source, f"{source} is {_size(info.st_size)}; a {kind} may be at most {_limit(limit)}")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(65536, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # a file that reports a small size but is not (/proc, a file still being written)
            raise _refuse(source, f"{source} holds more than {_size(limit)}; a {kind} may be at most "
                                  f"{_limit(limit)}")
        return b"".join(chunks)
    except OSError as exc:
        raise _refuse(source, f"cannot read {source}: {_os_reason(exc)}") from None
    finally:
        os.close(fd)


def _refuse_kind(source: str, mode: int, limit: int, what: str = "configuration") -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((kind for test, kind in _KINDS if test(mode)), "a special file")
    raise _refuse(source, f"{source} is {kind}, not a regular file; only regular files up to {_limit(limit)} "
                          f"are read as a {what}")


def _os_reason(exc: OSError) -> str:
    """The reason of an OS error without its file name (which may be long or hostile)."""
    if exc.errno is not None and exc.errno in errno.errorcode:
        return os.strerror(exc.errno).lower()
    return type(exc).__name__


def _line_of(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def decode_config(data: bytes, *, source: str = "<config>", kind: str = "configuration") -> str:
    """UTF-8 text of the bytes; ConfigError with the byte offset for a NUL byte or invalid UTF-8."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise _refuse(source, f"NUL byte at byte offset {nul} ({_line_of(data, nul)}); a {kind} is UTF-8 "
                              "text (a file saved as UTF-16 looks like this too)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(source, f"invalid UTF-8 at byte offset {exc.start} ({_line_of(data, exc.start)}); save the "
                              "file as UTF-8") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_config_text(path: Path | str) -> str:
    """The text of a configuration file, with every file-level bound applied."""
    return decode_config(read_config_bytes(path), source=str(path))


# ---- the document --------------------------------------------------------------------------------------------------


@dataclass
class _Frame:
    """An open mapping or list while the events stream in."""

    value: dict[str, Any] | list[Any]
    anchor: str | None
    start: int
    """The expanded-value count when the collection began (its own size is the count at its end minus this)."""
    line: int
    key: str | None = None
    """In a mapping: the key waiting for its value."""
    key_line: int = 0
    expect_key: bool = True
    merges: list[tuple[Any, int]] = field(default_factory=list)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Builder:
    """Plain data from a stream of parser events, within the bounds."""

    def __init__(self, source: str, max_depth: int, max_values: int) -> None:
        self.source = source
        self.max_depth = max_depth
        self.max_values = max_values
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.values = 0
        self.documents = 0
        self.root: Any = None

    def fail(self, line: int, message: str) -> ConfigError:
        return _refuse(self.source, f"line {line}: {message}")

    def count(self, n: int, line: int) -> None:
        self.values += n
        if self.values > self.max_values:
            raise self.fail(line, f"the document expands to more than {self.max_values:,} values (aliases count "
                                  "once per use); that is the limit for a configuration")

    def feed(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail(line, "a second YAML document (---); a configuration is a single document")
        elif isinstance(event, yaml.ScalarEvent):
            self._check_tag(event.tag, line)
            self.count(1, line)
            self.add(self._scalar(event, line), event.anchor, line, key_text=event.value)
        elif isinstance(event, yaml.AliasEvent):
            name = event.anchor or ""
            if name in self.open_anchors:
                raise self.fail(line, f"alias *{_short(name)} refers to a value that contains it")
            if name not in self.anchors:
                raise self.fail(line, f"alias *{_short(name)} is not defined before it is used")
            value, size = self.anchors[name]
            self.count(size, line)
            self.add(value, None, line, key_text=None)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self._check_tag(event.tag, line)
            if len(self.stack) >= self.max_depth:
                raise self.fail(line, f"nested more than {self.max_depth} levels deep; that is the limit for a "
                                      "configuration")
            if self.stack and self.stack[-1].expect_key and isinstance(self.stack[-1].value, dict):
                raise self.fail(line, "a mapping key must be a single value, not a mapping or a list")
            start = self.values
            self.count(1, line)
            container: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
            self.stack.append(_Frame(container, event.anchor, start, line))
            if event.anchor:
                self.open_anchors.add(event.anchor)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = self.stack.pop()
            if frame.anchor:
                self.open_anchors.discard(frame.anchor)
            if isinstance(frame.value, dict) and frame.merges:
                self._merge(frame)
            self.add(frame.value, frame.anchor, frame.line, key_text=None, size=self.values - frame.start,
                     counted=True)

    def _check_tag(self, tag: str | None, line: int) -> None:
        if tag is not None and tag not in _ALLOWED_TAGS:
            shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
            raise self.fail(line, f"the tag {_short(shown)!r} is not allowed; a configuration holds plain values "
                                  "(strings, numbers, booleans, null, mappings, lists)")

    def _scalar(self, event: yaml.ScalarEvent, line: int) -> Any:
        text, tag = event.value, event.tag
        plain = event.implicit[0] and tag is None
        if tag == "!" or tag == f"{_CORE}str" or (tag is None and not plain):
            return text
        kind = tag[len(_CORE):] if tag else None
        try:
            if kind in (None, "null") and _NULL.match(text):
                return None
            if kind in (None, "bool") and _BOOL.match(text):
                return text.lower() == "true"
            if kind in (None, "int"):
                if _INT10.match(text):
                    return int(text)
                if _INT8.match(text):
                    return int(text[2:], 8)
                if _INT16.match(text):
                    return int(text[2:], 16)
            if kind in (None, "float"):
                if _FLOAT.match(text) or (kind == "float" and _INT10.match(text)):
                    return float(text)
                if _INF.match(text):
                    return -math.inf if text.startswith("-") else math.inf
                if _NAN.match(text):
                    return math.nan
        except ValueError:  # an integer too long to convert (Python's digit limit)
            raise self.fail(line, f"the number {_short(text)!r} is too long") from None
        if kind is None:
            return text
        raise self.fail(line, f"{_short(text)!r} is not a valid !!{kind}")

    def add(self, value: Any, anchor: str | None, line: int, *, key_text: str | None, size: int = 1,
            counted: bool = False) -> None:
        if anchor:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            frame.value.append(value)
            return
        if frame.expect_key:
            if isinstance(value, dict | list):  # an alias to a collection used as a key
                raise self.fail(line, "a mapping key must be a single value, not a mapping or a list")
            key = key_text if key_text is not None else ("null" if value is None else str(value))
            if key in frame.value or (key == _MERGE_KEY and frame.merges):
                raise self.fail(line, f"the key {_short(key)!r} appears twice in the same mapping (the first is "
                                      f"kept by some tools, the last by others); remove one")
            frame.key, frame.key_line, frame.expect_key = key, line, False
            return
        key = frame.key or ""
        if key == _MERGE_KEY:
            frame.merges.append((value, line))
        else:
            frame.value[key] = value
        frame.key, frame.expect_key = None, True

    def _merge(self, frame: _Frame) -> None:
        """``<<: *defaults`` (or a list of them): keys the mapping does not set itself, first source first."""
        assert isinstance(frame.value, dict)
        for value, line in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.fail(line, "a merge key (<<) takes a mapping or a list of mappings")
                for key, val in source.items():
                    frame.value.setdefault(key, val)


def parse_config_text(text: str, *, source: str = "<config>", max_depth: int = MAX_DEPTH,
                      max_values: int = MAX_VALUES) -> Any:
    """Plain data of one YAML document, within the bounds; ConfigError otherwise."""
    builder = _Builder(source, max_depth, max_values)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for event in yaml.parse(text, Loader=loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = exc.problem or exc.context or "unreadable"
        if "nesting depth" in problem:  # libyaml's own bound (1,000 flow levels), met before ours in a flow run
            raise _refuse(source, f"{where}nested more than {max_depth} levels deep; that is the limit for a "
                                  "configuration") from None
        raise _refuse(source, f"{where}not valid YAML ({_short(problem, 120)})") from None
    except yaml.YAMLError as exc:
        raise _refuse(source, f"not valid YAML ({_short(str(exc).splitlines()[0] if str(exc) else '', 120)})") from None
    return builder.root


def check_config_text(text: str, *, source: str = "<config>") -> None:
    """Raise ConfigError when the text breaks a bound (for readers other than :func:`parse_config_text`, such
    as the round-trip parser that keeps comments when a file is saved)."""
    parse_config_text(text, source=source)


def load_config_data(path: Path | str) -> Any:
    """Plain data of a configuration file: every file and document bound applied."""
    source = str(path)
    return parse_config_text(read_config_text(path), source=source)


# ---- what the document is ------------------------------------------------------------------------------------------


def _kind_of(data: Any) -> str:
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "a single text"
    if isinstance(data, bool):
        return "a boolean"
    if isinstance(data, int | float):
        return "a number"
    return f"a {type(data).__name__}"


def not_a_configuration(data: Any, fields: Iterable[str]) -> str | None:
    """Why a parsed document is plainly not a landing zone configuration (empty, not a mapping, or a mapping with
    none of the configuration's top-level fields), said once; None when it may be one. Never quotes the document:
    it may be any file (a credentials file, /etc/shadow)."""
    names = list(fields)
    hint = f"a configuration is a mapping of fields such as {', '.join(names[:3])} (`landingzone schema` lists them)"
    if data is None:
        return f"the file is empty; {hint}"
    if not isinstance(data, dict):
        return f"not a landing zone configuration: the document is {_kind_of(data)}, not a mapping; {hint}"
    if data and not any(key in data for key in names):
        return (f"not a landing zone configuration: none of its {len(data):,} top-level keys is a configuration "
                f"field; {hint}")
    return None


def first_non_ascii(value: str) -> str | None:
    """The first character of ``value`` outside ASCII, described by its code point and Unicode name (a Cyrillic
    'о' looks exactly like a Latin 'o'); None when the value is ASCII."""
    import unicodedata

    for i, char in enumerate(value):
        if ord(char) > 127:
            name = unicodedata.name(char, "unnamed character")
            return f"character {i + 1} is U+{ord(char):04X} {name}, not ASCII"
    return None


def text_to_merge(path: Path | str) -> str | None:
    """The current text of a file about to be replaced, when it is safe to merge into (a regular file within
    every bound); None when there is no such file or it breaks a bound, in which case the new file is written
    afresh and the old one survives as its ``.bak``."""
    if not os.path.lexists(path):
        return None
    try:
        text = read_config_text(path)
        parse_config_text(text, source=str(path))
    except ConfigError:
        return None
    return text
