"""The JSON Schema contract, checked fast for valid files and explained for invalid ones.

`schemas/scenario.schema.json` is the single source of the structural rules. A valid file
costs one call of a validator that fastjsonschema compiles from the schema when first needed
(kept compiled in the user's cache folder, so later runs only load it). Only when that fails
does python-jsonschema walk the document for *every* error, and each error becomes a finding
whose message says the field in words, the limit, the actual value and a fix: up to
`MAX_PROBLEMS` a file, the rest only counted, so that a file broken thousands of times is
told so briefly.

The two validators differ on one point of regular-expression dialect: JSON Schema patterns
are ECMA-262, where `$` matches only at the very end; python-jsonschema uses Python's `re`,
where `$` also matches before a final newline. fastjsonschema follows ECMA-262 (it compiles
each `$` of a pattern as `\\Z`), and it is the one that decides; python-jsonschema is given
the same patterns with `$` written `\\Z` (`_ecma_patterns`), so a slug, tag or login with a
final newline is explained like any other bad value. Should it still find nothing, the fast
validator's first error is explained in the same words (`_from_gate`), never in its own.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import hashlib
import importlib.util
import json
import marshal
import os
import re
import sys
import tempfile
import types
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastjsonschema
from fastjsonschema.ref_resolver import RefResolver

from scenariokit.check.diagnostics import (
    MAX_COUNTED,
    MAX_PROBLEMS,
    DocPath,
    Finding,
    describe_path,
    not_explained,
)
from scenariokit.check.suggestions import minutes_in

if TYPE_CHECKING:
    import jsonschema

    from scenariokit.check.positions import SourceMap

SCHEMA_NAME = "scenario.schema.json"
# Compiled validators kept in the cache folder: one per schema, fastjsonschema and Python
# in use; the oldest beyond these are removed.
_KEPT_VALIDATORS = 8
# What a JSON type is called in a message.
_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping of keys",
    "array": "a list",
    "null": "empty",
}


def schema_path() -> Path:
    """The schema file: bundled in the installed package, or in the source checkout."""
    bundled = resources.files("scenariokit") / "schemas" / SCHEMA_NAME
    if bundled.is_file():
        return Path(str(bundled))
    return Path(__file__).resolve().parents[3] / "schemas" / SCHEMA_NAME


@cache
def load_schema() -> dict[str, Any]:
    """The parsed contract."""
    schema: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return schema


def choices(key: str) -> list[str]:
    """The values the schema allows for a top-level key with an `enum` (category, difficulty)."""
    return [str(value) for value in load_schema()["properties"][key]["enum"]]


def not_blank_pattern() -> str:
    """The schema's pattern for text that is not blank (`$defs/text`)."""
    return str(load_schema()["$defs"]["text"]["pattern"])


@cache
def _gate() -> Callable[[Any], Any]:
    """The fast validator: fastjsonschema's code for the schema, compiled once a schema.

    It is given the schema with its `$ref`s inlined (`_without_refs`): the same rules, but
    one function instead of one per definition, so no call (and no path for its messages)
    for each item of each list; it checks a file faster for it.
    """
    return compiled_validator(_without_refs(load_schema()), _cache_folder())


def compiled_validator(schema: dict[str, Any], folder: Path | None) -> Callable[[Any], Any]:
    """The validator fastjsonschema makes for `schema`, its compiled code kept in `folder`.

    Generating and compiling the code takes longer than the rest of a one-file check, so
    the code object is kept on disk, keyed by everything it is made from (the schema as
    given, fastjsonschema's version, the Python bytecode); the next run loads it instead.
    Without a folder to trust, or when the kept file is not intact, it compiles anew.
    """
    path = folder / f"validator-{_cache_key(schema)}.bin" if folder else None
    code = _read_code(path) if path else None
    if code is None:
        # A copy: fastjsonschema may rewrite the schema it is given.
        source = fastjsonschema.compile_to_code(copy.deepcopy(schema))
        code = compile(source, f"<fastjsonschema: {SCHEMA_NAME}>", "exec")
        if path:
            _write_code(path, code)
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    # The entry point, named as fastjsonschema.compile names it.
    entry = RefResolver.from_schema(schema, store={}).get_scope_name()
    validator: Callable[[Any], Any] = namespace[entry]
    return validator


def _cache_key(schema: dict[str, Any]) -> str:
    """What the kept code is made from, hashed: any change makes another file."""
    made_from = json.dumps([schema, fastjsonschema.VERSION, sys.implementation.cache_tag])
    return hashlib.sha256(made_from.encode() + importlib.util.MAGIC_NUMBER).hexdigest()


def _cache_folder() -> Path | None:
    """The user's cache folder for scenariokit, or None when it cannot be trusted.

    The kept code is run, so the folder must be this user's alone: created private, and
    not used when someone else owns it or may write in it.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not Path(base).is_absolute():
        if sys.platform == "win32":
            base = os.environ.get("LOCALAPPDATA", "")
        elif sys.platform == "darwin":
            base = str(Path.home() / "Library" / "Caches")
        else:
            base = str(Path.home() / ".cache")
    if not Path(base).is_absolute():
        return None
    folder = Path(base) / "scenariokit"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = folder.stat()
    except OSError:
        return None
    if os.name == "posix" and (status.st_uid != os.getuid() or status.st_mode & 0o022):
        return None
    return folder


def _read_code(path: Path) -> types.CodeType | None:
    """The code kept at `path`, or None when there is none or it is not the one written."""
    try:
        kept = path.read_bytes()
    except OSError:
        return None
    checksum, payload = kept[:32], kept[32:]
    if hashlib.sha256(payload).digest() != checksum:
        return None
    try:
        code = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None


def _write_code(path: Path, code: types.CodeType) -> None:
    """Keep `code` at `path`, whole or not at all, and only the newest few kept files.

    A folder that cannot be written to is no error: the next run compiles again.
    """
    payload = marshal.dumps(code)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".validator-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(hashlib.sha256(payload).digest() + payload)
        Path(temporary).replace(path)
        kept = sorted(path.parent.glob("validator-*.bin"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-_KEPT_VALIDATORS]:
            old.unlink(missing_ok=True)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def cefr_levels() -> dict[str, list[str]]:
    """The CEFR levels each `difficulty` allows, as the schema's conditionals say them."""
    return {
        rule["if"]["properties"]["difficulty"]["const"]: rule["then"]["properties"]["cefr"]["enum"]
        for rule in load_schema()["allOf"]
    }


def is_valid(data: Any) -> bool:
    """Whether `data` satisfies the schema: the fast path every file takes."""
    try:
        _gate()(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema_findings(data: Any, source_map: SourceMap) -> list[Finding]:
    """Every way `data` breaks the schema, each explained; empty when it is valid.

    Only the first `MAX_PROBLEMS` are explained, the rest only counted (up to
    `MAX_COUNTED`, see `diagnostics.capped`): a file of 1 MiB can break the schema 200,000
    times (an empty string on each line), and explaining every one took far too long.
    One message per value: "" is reported as empty, not also as too short.
    """
    try:
        _gate()(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        seen: set[tuple[DocPath, bool]] = set()
        findings: list[Finding] = []
        stopped_counting = False
        for error in _detailed_validator().iter_errors(data):
            if len(seen) - len(findings) >= MAX_COUNTED:
                stopped_counting = True
                break
            for problem in _problems(error):
                if problem in seen:
                    continue
                seen.add(problem)
                if len(findings) < MAX_PROBLEMS:
                    findings.append(_explain(error, problem, source_map))
        if len(seen) > len(findings):
            rest = len(seen) - len(findings)
            findings.append(not_explained(rest, stopped_counting=stopped_counting))
        return findings or [_from_gate(exc, data, source_map)]
    return []


def _problems(error: jsonschema.ValidationError) -> list[tuple[DocPath, bool]]:
    """What one error of the schema is about, as (path, at_key): one finding each.

    Cheap, so every problem can be counted: explaining one (`_explain`) costs more.
    """
    doc_path: DocPath = tuple(error.absolute_path)
    value = error.instance
    if error.validator == "additionalProperties" and isinstance(value, dict):
        allowed = error.schema.get("properties", {})
        return [((*doc_path, key), True) for key in value if key not in allowed]
    if error.validator == "required" and isinstance(value, dict):
        missing = [key for key in error.validator_value if key not in value]
        return [((*doc_path, missing[0]), False)] if missing else []
    return [(doc_path, False)]


@cache
def _detailed_validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # imported only when a file is invalid: importing it is slow

    return jsonschema.Draft202012Validator(_ecma_patterns(_without_refs(load_schema())))


def _ecma_patterns(node: Any) -> Any:
    """`node` with each pattern's final `$` written `\\Z`: ECMA-262's `$` in Python's `re`.

    Python's `$` also matches before a final newline, so python-jsonschema alone would let
    `phase_id: "greeting\\n"` through where fastjsonschema (and any ECMA-262 validator:
    the builder's, an editor's) refuses it. The schema writes `$` only at a pattern's end
    (tests/test_schema.py holds it to that).
    """
    if isinstance(node, list):
        return [_ecma_patterns(item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: _ecma_patterns(value) for key, value in node.items()}
    pattern = node.get("pattern")
    if isinstance(pattern, str) and pattern.endswith("$") and not pattern.endswith("\\$"):
        copied["pattern"] = pattern[:-1] + "\\Z"
    return copied


def _without_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with each local `$ref` replaced by what it names.

    The same rules, but python-jsonschema no longer resolves a reference at every step of
    its walk, which is most of its time: it explains an invalid file much faster. The fast
    validator is compiled from it too (see `_gate`).
    """
    definitions = schema.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        # A list's count first: a list far too long is said so among the first findings,
        # before `MAX_PROBLEMS` errors of its items.
        keys = sorted(node, key=lambda key: key not in ("minItems", "maxItems"))
        copied = {key: inline(node[key]) for key in keys if key != "$ref"}
        if "$ref" in node:
            target = inline(definitions[node["$ref"].removeprefix("#/$defs/")])
            copied["allOf"] = [target, *copied.get("allOf", [])]
        return copied

    inlined: dict[str, Any] = inline(schema)
    return inlined


def _explain(
    error: jsonschema.ValidationError, problem: tuple[DocPath, bool], source_map: SourceMap
) -> Finding:
    """The finding for one of `_problems(error)`: the field in words, the limit, a fix."""
    doc_path: DocPath = tuple(error.absolute_path)
    keyword, expected = error.validator, error.validator_value
    value = error.instance
    field = describe_path(doc_path)
    if keyword == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(error.schema.get("properties", {}))
        written = source_map.key_text(problem[0])
        required = error.schema.get("required", [])
        message = _unknown_key(written, allowed, doc_path, value, required)
        return Finding(problem[0], "unknown-key", message, at_key=True)
    if keyword == "required" and isinstance(value, dict):
        missing = [key for key in expected if key not in value]
        where = "" if not doc_path else f" in {field}"
        if len(missing) == 1:
            message = f"the required key '{missing[0]}' is missing{where}: add '{missing[0]}: …'"
        else:
            message = f"the required keys {', '.join(missing)} are missing{where}: add them"
        return Finding(problem[0], "missing-key", message)
    code, message = _message(keyword, expected, value, error.schema, doc_path, source_map)
    if "then" in error.relative_schema_path and "description" in error.schema:
        # A rule that holds given another field (`cefr` given `difficulty`): its branch of
        # the schema says which, and how to make them agree.
        message += f"; {error.schema['description']}"
    return Finding(doc_path, code, message)


def _from_gate(
    exc: fastjsonschema.JsonSchemaValueException, data: Any, source_map: SourceMap
) -> Finding:
    """A finding from fastjsonschema's first error, for what python-jsonschema accepts.

    Explained as python-jsonschema's errors are (`_message`: the field in words, the value,
    a fix), at the value's place, never in fastjsonschema's own words ("data.phases[0]...").
    """
    # fastjsonschema names a list's index as text ("0"): the document's own keys instead.
    parts: list[Any] = []
    node = data
    for part in exc.path[1:] if exc.path else ():
        if isinstance(node, list):
            parts.append(int(part))
            node = node[int(part)]
        else:
            parts.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    doc_path: DocPath = tuple(parts)
    definition = exc.definition if isinstance(exc.definition, dict) else {}
    rule = str(exc.rule)
    if rule == "pattern" and isinstance(definition.get("pattern"), str):
        # fastjsonschema reports the pattern as it compiled it (`\\Z` for `$`).
        expected: Any = definition["pattern"]
    else:
        expected = exc.rule_definition
    code, message = _message(rule, expected, exc.value, definition, doc_path, source_map)
    return Finding(doc_path, code, message)


_CODES = {
    "type": "wrong-type",
    "enum": "not-allowed",
    "minLength": "too-short",
    "maxLength": "too-long",
    "pattern": "bad-format",
    "minimum": "too-small",
    "maximum": "too-large",
    "minItems": "too-few",
    "maxItems": "too-many",
}


def _message(
    keyword: str,
    expected: Any,
    value: Any,
    subschema: dict[str, Any],
    doc_path: DocPath,
    source_map: SourceMap,
) -> tuple[str, str]:
    """(code, message) for one failed keyword."""
    field = describe_path(doc_path)
    code = _CODES.get(keyword, "schema")
    if keyword == "type":
        wanted = " or ".join(
            _TYPE_WORDS[t] for t in ([expected] if isinstance(expected, str) else expected)
        )
        fix = source_map.yaml_reading(doc_path) if "string" in expected else None
        if fix is None and value is None:
            fix = "write a value, or remove the key if it is optional"
        if fix is None and expected == "integer" and isinstance(value, str):
            minutes = minutes_in(value)
            fix = None if minutes is None else f"write {minutes}, without a unit or quotes"
        return code, f"{field} must be {wanted}, not {_shown(value)}" + (f"; {fix}" if fix else "")
    if keyword == "enum":
        choices = ", ".join(str(c) for c in expected)
        close = difflib.get_close_matches(str(value), [str(c) for c in expected], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return code, f"{field} must be one of {choices}, not {_shown(value)}{hint}"
    if keyword == "minLength":
        if expected <= 1:
            return (
                "empty",
                f"{field} is empty: write some text, or remove the key if it is optional",
            )
        return code, (
            f"{field} is too short: {len(value)} characters, it needs at least {expected}"
        )
    if keyword == "maxLength":
        return code, (
            f"{field} is too long: {len(value)} characters, the limit is {expected}; "
            f"shorten it by {len(value) - expected}"
        )
    if keyword == "pattern":
        if expected == not_blank_pattern():
            return "empty", f"{field} is blank: write some text, or remove the key if optional"
        return code, f"{field} {_shown(value)} is not valid here. {_pattern_hint(subschema, value)}"
    if keyword in ("minimum", "maximum"):
        bound = "at least" if keyword == "minimum" else "at most"
        return code, f"{field} must be {bound} {expected}, not {value}"
    if keyword in ("minItems", "maxItems"):
        return code, _count_message(keyword, expected, value, field)
    return code, f"{field}: {keyword} {expected!r} is not satisfied"


def _count_message(keyword: str, expected: int, value: list[Any], field: str) -> str:
    have = len(value)
    entries = "entry" if expected == 1 else "entries"
    if keyword == "minItems":
        return (
            f"{field} needs at least {expected} {entries} but has {have}: "
            f"add {expected - have} more"
        )
    return f"{field} may have at most {expected} {entries} but has {have}: remove {have - expected}"


def _pattern_hint(subschema: dict[str, Any], value: Any) -> str:
    """The rule in words (the schema's own description), and a corrected value for slugs."""
    hint = subschema.get("description", f"It must match {subschema.get('pattern')}.")
    if subschema.get("pattern", "").startswith("^[a-z0-9]") and isinstance(value, str):
        suggestion = slugify(value)
        if len(suggestion) >= 3:
            hint += f" Try '{suggestion}'."
    return str(hint)


def slugify(text: str) -> str:
    """`Tapas Bar (Madrid)` → `tapas-bar-madrid`: the nearest valid slug, ASCII only."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64].strip("-")


def _unknown_key(
    key: str, allowed: list[str], doc_path: DocPath, present: Any, required: list[str]
) -> str:
    """The message for `key`, which the mapping may not have, with the key probably meant.

    Never one the mapping has already (following the hint would write it twice): a missing
    required key first, close in spelling or holding the key written, or held by it
    (`phrases` for `essential_phrases`), then any other key it lacks.
    """
    where = "" if not doc_path else f" in {describe_path(doc_path)}"
    absent = [k for k in allowed if k not in present]
    missing = [k for k in absent if k in required]
    close = (
        difflib.get_close_matches(key, missing, n=1, cutoff=0.6)
        or [k for k in missing if len(key) >= 4 and (key in k or k in key)][:1]
        or difflib.get_close_matches(key, absent, n=1, cutoff=0.6)
    )
    if close:
        return f"unknown key '{key}'{where}: did you mean '{close[0]}'?"
    return f"unknown key '{key}'{where}: the keys allowed here are {', '.join(allowed)}"


def _shown(value: Any) -> str:
    """A value as a contributor wrote it, briefly."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return json.dumps(text, ensure_ascii=False)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return str(value)
    return f"a value of type {type(value).__name__}"
