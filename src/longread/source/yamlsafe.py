"""YAML front matter loaded within bounds.

Safe loading alone stops tags that build objects; it does not stop a small file
from standing for a huge one.  Aliases let a few lines repeat a list thousands of
times (the "billion laughs"), and everything that later walks the value — a cover
byline, a metadata record — pays for every repetition.  So the loaded node graph
is measured as if every alias were written out, before any Python value is built,
and refused past the limits below, each with its own message.
"""

from __future__ import annotations

import yaml

from ..errors import quoted

#: The front matter block as written: far beyond any real one.
MAX_SOURCE = 256 * 1024
#: Characters of text once every alias is expanded.
MAX_EXPANDED = 100_000
#: Values (texts, lists, mappings) once every alias is expanded.
MAX_VALUES = 10_000
#: Levels of lists and mappings inside one another.
MAX_DEPTH = 16


class LimitError(ValueError):
    """The YAML is well-formed but too large or too deep; the text says how."""


class BoundedLoader(yaml.SafeLoader):
    """Safe loading (no tags that build objects), with dates left as text so that
    longread checks them itself and reports a bad one by name, and with the size
    of the loaded value bounded (see :func:`measure`)."""

    def construct_document(self, node: yaml.Node) -> object:
        measure(node)
        return super().construct_document(node)


BoundedLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def measure(root: yaml.Node) -> tuple[int, int]:
    """(characters, values) of the document with its aliases expanded, without
    expanding them: an alias is the same node object as its anchor, so each node's
    size is counted once and reused.  Raises :class:`LimitError` past a limit
    (naming the key that holds the most), and for a value that contains itself."""
    sizes: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    aliased = False
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            kids = [sizes[id(c)] for c in _children(node)]
            chars = sum(k[0] for k in kids) + (len(node.value) if isinstance(node, yaml.ScalarNode) else 0)
            sizes[key] = (chars, 1 + sum(k[1] for k in kids))
            continue
        if key in sizes:
            aliased = True
            continue
        if key in on_path:
            raise LimitError("has a value that contains itself (through an alias)")
        if depth > MAX_DEPTH:
            raise LimitError(f"is nested too deeply (more than {MAX_DEPTH} levels of lists and mappings)")
        on_path.add(key)
        stack.append((node, depth, True))
        stack += [(c, depth + 1, False) for c in _children(node)]
    chars, values = sizes[id(root)]
    expanded = " once its aliases are expanded" if aliased else ""
    if chars > MAX_EXPANDED:
        raise LimitError(
            f"holds {chars:,} characters{expanded}{_largest(root, sizes, 0)} (the limit is {MAX_EXPANDED:,})"
        )
    if values > MAX_VALUES:
        raise LimitError(f"holds {values:,} values{expanded}{_largest(root, sizes, 1)} (the limit is {MAX_VALUES:,})")
    return chars, values


def _largest(root: yaml.Node, sizes: dict[int, tuple[int, int]], which: int) -> str:
    """ ", most of them in 'key'" for the top-level key that holds the most."""
    if not isinstance(root, yaml.MappingNode) or not root.value:
        return ""
    k, v = max(root.value, key=lambda pair: sizes[id(pair[1])][which])
    name = k.value if isinstance(k, yaml.ScalarNode) else "?"
    return f", {sizes[id(v)][which]:,} of them in {quoted(name)}"
