"""YAML as editors write it: loaded within bounds (see :mod:`.yamlsafe`), with
where each key is written, and syntax errors told in plain words with the line,
the column and the fix.

PyYAML's own messages name the parser's state ("mapping values are not allowed
here", "found character '\\t' that cannot start any token"); the mistakes
behind them are few and easy to name: a colon or a leading bracket in an
unquoted title, a tab, a quote or bracket left open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..findings import FindingError, error
from . import yamlsafe

#: Keys a message can name as "the title" rather than "the value of 'x'".
FIELD_WORDS = {"title", "subtitle", "kicker", "caption", "alt", "credit", "rights", "publisher", "author", "source"}
_KEY_LINE = re.compile(r"^(\s*)(-\s+)?([^\s:#'\"][^:#]*?)\s*:(?:\s+|$)(.*)$")
_OPENERS = {"[": "a list", "{": "a mapping", '"': "a quoted text", "'": "a quoted text"}
_RESERVED = "*&!@`%|>"


@dataclass
class Loaded:
    """A YAML document and where its keys are written."""

    data: object
    #: (key, subkey …) → (line, column) of the key, 1-based, in the file.
    keys: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    #: (key, subkey …) → (line, column) of its value.
    values: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    #: Keys written twice in one mapping: the path and where the second one is.
    repeated: list[tuple[tuple[str, ...], tuple[int, int]]] = field(default_factory=list)
    #: Unquoted values cut short by a " #" that YAML reads as a comment: the path,
    #: where the "#" is, and the text left out.
    cut: list[tuple[tuple[str, ...], tuple[int, int], str]] = field(default_factory=list)

    def key_at(self, *path: str) -> tuple[int, int] | None:
        return self.keys.get(tuple(path))

    def value_at(self, *path: str) -> tuple[int, int] | None:
        return self.values.get(tuple(path)) or self.keys.get(tuple(path))


class LocatingLoader(yamlsafe.BoundedLoader):
    """The bounded safe loader, noting where the keys of the top-level mapping and
    of the mappings inside it are written."""

    first_line = 1
    loaded: Loaded

    def construct_document(self, node: yaml.Node) -> object:
        self.loaded = Loaded(None)
        self._note(node, (), 0)
        return super().construct_document(node)

    def _note(self, node: yaml.Node, path: tuple[str, ...], depth: int) -> None:
        if not isinstance(node, yaml.MappingNode) or depth > 2:
            return
        seen: set[str] = set()
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                continue
            here = path + (str(k.value),)
            place = (k.start_mark.line + self.first_line, k.start_mark.column + 1)
            if k.value in seen:
                self.loaded.repeated.append((here, place))
            seen.add(k.value)
            self.loaded.keys[here] = place
            self.loaded.values[here] = (v.start_mark.line + self.first_line, v.start_mark.column + 1)
            if isinstance(v, yaml.ScalarNode) and v.style is None:
                self._comment_after(v, here)
            self._note(v, here, depth + 1)

    def _comment_after(self, v: yaml.ScalarNode, here: tuple[str, ...]) -> None:
        """A plain value followed by "#1" or "#MeToo" on its line: YAML took the
        rest of the line for a comment, though a comment is written "# so"."""
        line = v.end_mark.buffer[: v.end_mark.pointer].rsplit("\n", 1)[-1] if v.end_mark.buffer else ""
        rest = (v.end_mark.buffer or "")[v.end_mark.pointer :].split("\n", 1)[0]
        m = re.match(r"\s+#(?=\S)", rest)
        if m and line.strip():
            column = v.end_mark.column + m.end()
            self.loaded.cut.append((here, (v.end_mark.line + self.first_line, column), rest.strip()))


def load(path: Path, text: str, first_line: int = 1, what: str = "front matter") -> Loaded:
    """YAML loaded safely with its keys' places; a syntax error becomes a
    :class:`FindingError` in plain words."""
    if len(text) > yamlsafe.MAX_SOURCE:
        size = f"{len(text) // 1024:,} KB long (the limit is {yamlsafe.MAX_SOURCE // 1024} KB)"
        raise error("fm-005", path, f"{what} is {size}", at=(first_line, None))
    loader = LocatingLoader(text)
    loader.first_line = first_line
    try:
        data = loader.get_single_data()
        loaded = getattr(loader, "loaded", Loaded(None))
        loaded.data = data
        return loaded
    except yamlsafe.LimitError as e:
        raise error("fm-005", path, f"{what} {e}", at=(first_line, None)) from None
    except RecursionError:
        raise error("fm-005", path, f"{what} is nested too deeply", at=(first_line, None)) from None
    except yaml.YAMLError as e:
        raise explain(path, e, text, first_line, what) from None
    finally:
        loader.dispose()


def explain(path: Path, e: yaml.YAMLError, text: str, first_line: int, what: str) -> FindingError:
    """A YAML syntax error as the mistake behind it, with its place and its fix."""
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    context = getattr(e, "context", None) or ""
    lines = text.split("\n")
    if mark is None or mark.line >= len(lines):
        at = (mark.line + first_line, None) if mark is not None else None
        return error("yaml-001", path, f"{what} is not valid YAML: {problem}", at=at)
    row = lines[mark.line]
    at = (mark.line + first_line, mark.column + 1)
    start = getattr(e, "context_mark", None)
    opened = (start.line + first_line, start.column + 1) if start is not None else at
    said = f"{what} is not valid YAML: "
    key_line = _KEY_LINE.match(row)
    key, value = (key_line[3], key_line[4].strip()) if key_line else ("", "")

    if isinstance(e, yaml.constructor.ConstructorError):
        fix = "longread reads text, lists and mappings only: remove the tag, or put the value in quotes"
        return error("yaml-001", path, said + problem, fix, at)
    if "\t" in problem or "tab" in problem or "\t" in row[: mark.column + 1]:
        return error("yaml-003", path, said + "YAML indents with spaces, not tabs", "replace the tab with spaces", at)
    if "mapping values are not allowed" in problem and key_line:
        first_colon = len(key_line[1]) + len(key_line[2] or "") + len(key_line[3])
        if mark.column > first_colon:
            return error("yaml-002", path, said + "a colon inside a value", quote_fix(key, value), at)
        return error(
            "yaml-006",
            path,
            said + f"{_name(key)} is indented under a line that already has its value",
            f"start '{key}:' in the same column as the keys around it",
            at,
        )
    if "quoted scalar" in context:
        quote = lines[start.line][start.column] if start is not None and start.line < len(lines) else '"'
        return error(
            "yaml-004",
            path,
            said + f"the quote {quote} opened here is never closed",
            f"end the value with {quote}",
            opened,
        )
    if "flow sequence" in context or "flow mapping" in context:
        bracket, closer = ("[", "]") if "sequence" in context else ("{", "}")
        fix = f"close it with {closer}, or put the value in quotes if the {bracket} belongs to the text"
        return error("yaml-004", path, said + f"the {bracket} opened here is never closed", fix, opened)
    reserved = _reserved_start(lines, start if "alias" in context or "anchor" in context or "tag" in context else mark)
    if reserved and key_line:
        return error(
            "yaml-005",
            path,
            said + f"{_name(key)} starts with {reserved!r}, which YAML reserves",
            quote_fix(key, value),
            (mark.line + first_line, len(row) - len(row.lstrip()) + len(key) + 3),
        )
    if "expected <block end>" in problem and key_line and value[:1] in _OPENERS:
        what_it_is = _OPENERS[value[0]]
        message = f"{_name(key)} starts with {value[0]}, so YAML reads {what_it_is} that ends before the line does"
        return error("yaml-005", path, said + message, quote_fix(key, value), at)
    return error("yaml-001", path, said + problem, at=at)


def _reserved_start(lines: list[str], mark) -> str:
    """The reserved character a value starts with at ``mark``, or ''."""
    if mark is None or mark.line >= len(lines):
        return ""
    c = lines[mark.line][mark.column : mark.column + 1]
    return c if c and c in _RESERVED else ""


def _name(key: str) -> str:
    return f"the {key}" if key in FIELD_WORDS else f"the value of '{key}'"


def quote_fix(key: str, value: str) -> str:
    """Put the value in quotes, written out ready to paste."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]  # it was quoted, and something inside ended the quotes early
    if '"' not in value:
        written = '"' + value.replace("\\", "\\\\") + '"'
    else:
        written = "'" + value.replace("'", "''") + "'"
    return f"put {_name(key)} in quotes: {key}: {written}"
