"""Where things are in a YAML file: the line and column behind a path in the loaded data.

Positions come from composing the YAML into nodes, which costs more than twice a plain
load, so a `SourceMap` composes only when first asked, and only files with findings ask. The node
tree is walked side by side with the loaded data, so a key is found by its place in the
mapping whatever its type (an unquoted `on:` is the boolean True in the data).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cached_property
from typing import Any

import yaml

from scenariokit.check.diagnostics import Diagnostic, DocPath, Finding, capped, json_pointer
from scenariokit.files.loader import Source
from scenariokit.files.quoting import quoted

try:
    from yaml import CSafeLoader as _Loader
except ImportError:
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class SourceMap:
    """Lazily composed node tree of a `Source`, answering "where is this path?"."""

    def __init__(self, source: Source) -> None:
        self.source = source
        # Each mapping's keys by (type, key) -> their place, built when first walked through:
        # a scan per lookup made a file of tens of thousands of unknown keys take minutes.
        self._key_indexes: dict[int, dict[tuple[type, Any], int]] = {}

    @cached_property
    def root(self) -> yaml.Node:
        """The composed document (the loader already proved it parses)."""
        root = yaml.compose(self.source.text, Loader=_Loader)
        if root is None:  # the loader refuses empty documents before they get here
            raise ValueError("an empty document has no positions")
        return root

    def locate(self, findings: Iterable[Finding], display_path: str) -> list[Diagnostic]:
        """Diagnostics for `findings`, sorted by position, each with its source line.

        Every finding of a parsed file passes here, so here the report is bounded
        (`capped`): the first `MAX_PROBLEMS` by position, then one line for the rest.
        """
        lines = self.source.text.splitlines()
        located = []
        not_shown, stopped_counting = 0, False
        for finding in findings:
            if finding.not_shown:
                not_shown += finding.not_shown
                stopped_counting |= finding.stopped_counting
                continue
            mark = self.mark(finding.doc_path, at_key=finding.at_key)
            line, column = mark.line + 1, mark.column + 1
            located.append(
                Diagnostic(
                    path=display_path,
                    line=line,
                    column=column,
                    severity=finding.severity,
                    code=finding.code,
                    message=finding.message,
                    pointer=json_pointer(finding.doc_path),
                    excerpt=lines[line - 1] if line <= len(lines) else None,
                )
            )
        located.sort(key=lambda d: (d.line, d.column, d.code))
        return capped(located, not_shown, display_path, stopped_counting=stopped_counting)

    def mark(self, doc_path: DocPath, *, at_key: bool = False) -> yaml.Mark:
        """Start of the value at `doc_path` (of its key with `at_key`).

        A path that does not exist (a missing key) gives the nearest existing parent.
        """
        node, key_node, complete = self._walk(doc_path)
        if at_key and complete and key_node is not None:
            return key_node.start_mark
        return node.start_mark

    def key_text(self, doc_path: DocPath) -> str:
        """The key at the end of `doc_path` as written (`on`, where the data holds True)."""
        _, key_node, complete = self._walk(doc_path)
        if complete and isinstance(key_node, yaml.ScalarNode):
            return str(key_node.value)
        return str(doc_path[-1])

    def yaml_reading(self, doc_path: DocPath) -> str | None:
        """Why an unquoted value is not text: YAML 1.1 reads `no` as false, `2024-05-01` as a date.

        A sentence naming what YAML made of the value and saying to quote it, or None when
        the value was not written as an unquoted scalar.
        """
        node, _, complete = self._walk(doc_path)
        if not complete or not isinstance(node, yaml.ScalarNode) or node.style:  # plain: None or ""
            return None
        kind = _kind_of(self._data_at(doc_path))
        if kind is None:
            return None
        written = node.value
        return f"YAML reads the unquoted {written} as {kind}: put it in quotes, {quoted(written)}"

    def _walk(self, doc_path: DocPath) -> tuple[yaml.Node, yaml.Node | None, bool]:
        node, key_node, data = self.root, None, self.source.data
        for part in doc_path:
            if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
                index = self._key_index(data, part)
                if index is None:
                    return node, key_node, False
                key_node, node = node.value[index]
                data = data[part]
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(data, list)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                key_node, node = None, node.value[part]
                data = data[part]
            else:
                return node, key_node, False
        return node, key_node, True

    def _data_at(self, doc_path: DocPath) -> Any:
        data = self.source.data
        for part in doc_path:
            data = data[part]
        return data

    def _key_index(self, mapping: dict[Any, Any], key: Any) -> int | None:
        """Position of `key` in the mapping; `True` and `1` are different keys here.

        The mappings live as long as the source, so their ids name them.
        """
        index = self._key_indexes.get(id(mapping))
        if index is None:
            index = {(type(k), k): place for place, k in enumerate(mapping)}
            self._key_indexes[id(mapping)] = index
        return index.get((type(key), key))


def _kind_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, int | float):
        return "a number"
    return None
