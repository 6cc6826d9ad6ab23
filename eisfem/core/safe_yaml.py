"""YAML reading with bounds: size, nesting depth, aliases and the expanded node count.

PyYAML's safe loader builds an alias as a second reference to the same object, so a 400-byte
file of nested anchors ("billion laughs") loads in microseconds — and then explodes in whatever
walks the data (validation, error messages, echoing the config). The bounded loader counts each
node as many times as aliases make it appear and refuses a document that expands past
``MAX_NODES``, nests deeper than ``MAX_DEPTH`` (PyYAML's composer recurses) or uses more than
``MAX_ALIASES`` aliases, before anything else sees it. The limits are far above any real config
(the example configs expand to a few hundred nodes).

It also reads ``1e-4`` as a number, as YAML 1.2 does (YAML 1.1 wants ``1.0e-4`` and reads
``1e-4`` as a string, which a quantity field then rejects as "wrong dimension").
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_BYTES = 1_000_000
MAX_DEPTH = 50
MAX_ALIASES = 100
MAX_NODES = 100_000


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents beyond the bounds of this module."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (*name)")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.YAMLError(f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self) -> Any:
        node = super().compose_document()
        expanded_size(node)
        return node


BoundedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def expanded_size(node: yaml.Node) -> int:
    """Number of nodes of ``node`` with every alias expanded; refuses cycles and big trees."""
    sizes: dict[int, int] = {}
    busy: set[int] = set()

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in busy:
            raise yaml.YAMLError("an alias refers to a node that contains it")
        busy.add(key)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            total += sum(size(c) for c in n.value)
        elif isinstance(n, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in n.value)
        busy.discard(key)
        if total > MAX_NODES:
            raise yaml.YAMLError(f"expands to more than {MAX_NODES} values (nested aliases)")
        sizes[key] = total
        return total

    return size(node)


def load_text(text: str) -> Any:
    """Parse one YAML document within the bounds; raises yaml.YAMLError."""
    if len(text) > MAX_BYTES:
        raise yaml.YAMLError(f"larger than {MAX_BYTES // 1000} kB")
    return yaml.load(text, Loader=BoundedLoader)  # a SafeLoader subclass: no arbitrary objects
