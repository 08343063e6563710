"""How a text is written in YAML: the one rule `fmt` writes by and `validate` suggests.

Plain where YAML 1.1 reads it back as text and no indicator forbids it; otherwise quoted
as ruamel.yaml quotes it (`analyze_scalar`, `choose_scalar_style`): in single quotes, or in
double quotes when it holds a `'`. The canonical emitter (`author/emitter.py`) writes every
text through `yaml_text`, and the messages that tell a contributor to quote a value (`no`
read as false, `2024-05-01` as a date: `check/positions.py`, `files/loader.py`) show it
through `quoted`, so what `validate` suggests is byte for byte what `fmt` then keeps.
"""

from __future__ import annotations

import re
from typing import Any

# What makes ruamel.yaml quote one line of text in block context (`analyze_scalar`): a
# document marker, a leading indicator, `: ` or ` #` inside, a space at either end.
_NOT_PLAIN = re.compile(r"^(?:---|\.\.\.|[-?:](?: |$)|[#,\[\]{}&*!|>'\"%@`])|: |:$| #|^ | $")
# The implicit resolvers ruamel.yaml dumps by (YAML 1.1), by first character: loaded when
# first needed, for the loader imports this module and most runs never write YAML.
_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
_TEXT_TAG = "tag:yaml.org,2002:str"


def yaml_text(value: str) -> str:
    """One line of text as `fmt` writes it: plain if it may be, else `quoted`."""
    if not value:
        return "''"
    if not _NOT_PLAIN.search(value) and reads_as_text(value):
        return value
    return quoted(value)


def quoted(value: str) -> str:
    """`value` in the quotes `fmt` gives it: `'no'`; `"l'été"` when it holds a `'`."""
    if "'" in value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"'{value}'"


def reads_as_text(value: str) -> bool:
    """Whether ruamel.yaml's YAML 1.1 resolver reads `value`, unquoted, as text."""
    if not _RESOLVERS:
        from ruamel.yaml.resolver import VersionedResolver

        _RESOLVERS.update(VersionedResolver(version=(1, 1)).versioned_resolver)
    for tag, pattern in _RESOLVERS.get(value[0], ()):
        if pattern.match(value):
            return tag == _TEXT_TAG
    return True
