"""The schema itself: a valid 2020-12 schema, documented for editors, strict everywhere."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scenariokit.check.schema import is_valid, load_schema, schema_path
from tests.helpers import REPO, diagnostics, dump, invoke, make_repo, valid_doc

SCHEMA = load_schema()


def subschemas(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside the schema, with a path for failure messages."""
    if isinstance(node, dict):
        yield where, node
        for key in ("properties", "$defs"):
            for name, child in node.get(key, {}).items():
                yield from subschemas(child, f"{where}/{key}/{name}")
        for key in ("items",):
            if isinstance(node.get(key), dict):
                yield from subschemas(node[key], f"{where}/{key}")
        for index, child in enumerate(node.get("allOf", [])):
            yield from subschemas(child, f"{where}/allOf/{index}")


def test_it_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"].endswith("/scenario.schema.json")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_repository_schema_is_the_one_the_tool_uses() -> None:
    assert json.loads((REPO / "schemas" / "scenario.schema.json").read_text()) == json.loads(
        schema_path().read_text()
    )


def test_every_property_is_described_for_editors() -> None:
    undocumented = [
        f"{where}/properties/{name}"
        for where, node in subschemas(SCHEMA)
        for name, prop in node.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert undocumented == []


def test_unknown_keys_are_rejected_at_every_level() -> None:
    open_objects = [
        where
        for where, node in subschemas(SCHEMA)
        if "properties" in node and node.get("additionalProperties") is not False
    ]
    assert open_objects == []


def test_every_example_satisfies_its_own_rule() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    checked = 0
    for where, node in subschemas(SCHEMA):
        for example in node.get("examples", []):
            errors = list(
                validator.evolve(schema={**node, "$defs": SCHEMA["$defs"]}).iter_errors(example)
            )
            assert errors == [], (where, example)
            checked += 1
    assert checked > 30


def test_categories_and_levels_are_the_designs() -> None:
    assert SCHEMA["properties"]["category"]["enum"] == [
        "restaurant",
        "travel",
        "shopping",
        "business",
        "social",
        "healthcare",
        "emergency",
        "daily_life",
        "hobbies",
        "education",
    ]
    assert SCHEMA["properties"]["difficulty"]["enum"] == ["beginner", "intermediate", "advanced"]


def test_a_cefr_level_that_disagrees_with_the_difficulty_is_explained(tmp_path: Path) -> None:
    """The level is checked against `difficulty`, at the line of `cefr`, saying which levels
    the difficulty allows and that either may change."""
    doc = {"scenario_id": "tapas-bar-madrid", "title": "Tapas", "category": "restaurant"}
    doc |= valid_doc() | {"difficulty": "advanced", "cefr": "A2"}
    root = make_repo(tmp_path / "repo", {"scenarios/restaurant/tapas-bar-madrid.yaml": dump(doc)})
    code, (problem,) = diagnostics("--root", root, "validate")
    assert code == 1
    line = dump(doc).splitlines().index("cefr: A2") + 1
    assert (problem["line"], problem["code"]) == (line, "not-allowed")
    assert 'cefr must be one of B2, C1, C2, not "A2"' in problem["message"]
    assert "an advanced scenario is at CEFR B2, C1 or C2" in problem["message"]
    assert "change `cefr` or `difficulty` so that they agree" in problem["message"]


@pytest.mark.parametrize(
    ("slug", "ok"),
    [
        ("abc", True),
        ("tapas-bar-2", True),
        ("ab", False),
        ("a" * 64, True),
        ("a" * 65, False),
        ("Tapas", False),
        ("tapas--bar", False),
        ("-tapas", False),
        ("tapas-", False),
        ("tapas_bar", False),
        ("tapas bar", False),
        ("tapas\n", False),
    ],
)
def test_slug_rule(slug: str, ok: bool) -> None:
    assert is_valid(valid_doc() | {"scenario_id": slug}) is ok


def test_validating_leaves_the_loaded_schema_as_written(tmp_path: Path) -> None:
    """fastjsonschema rewrites the `$ref`s of what it compiles; it must get a copy."""
    root = make_repo(tmp_path, {"scenarios/restaurant/x.yaml": "title: 1\n"})
    assert invoke("--root", root, "validate").exit_code == 1
    assert load_schema() == json.loads(schema_path().read_text(encoding="utf-8"))


# --- the fast validator holds to the schema --------------------------------------------------


def ecma_patterns(node: Any) -> Any:
    """The schema with each pattern's final `$` as `\\Z`: ECMA-262's meaning in Python's `re`."""
    if isinstance(node, list):
        return [ecma_patterns(item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: ecma_patterns(value) for key, value in node.items()}
    if isinstance(node.get("pattern"), str):
        copied["pattern"] = re.sub(r"\$$", r"\\Z", node["pattern"])
    return copied


def test_a_dollar_in_the_schema_only_ends_a_pattern() -> None:
    """So `ecma_patterns` rewrites every `$` there is: the reference below is exact."""
    patterns = [node["pattern"] for _, node in subschemas(SCHEMA) if "pattern" in node]
    assert len(patterns) >= 4
    assert [p for p in patterns if "$" in p[:-1]] == []


EDGE_VALUES: list[Any] = [
    None,
    True,
    0,
    61,
    5.5,
    "",
    " ",
    "ab",
    "tapas-bar",
    "Tapas Bar",
    "es\n",
    "x" * 65,
    "y" * 501,
    [],
    ["x"],
    {},
    {"term": "la mesa"},
    {"text": "Hola", "bogus": 1},
]


def doc_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value in a document, through the first item of each list only (the
    others are held to the same rules)."""
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from doc_paths(value, (*prefix, key))
    elif isinstance(node, list) and node:
        yield from doc_paths(node[0], (*prefix, 0))


REMOVED = object()


def edited(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """The valid example with the value at `path` replaced (or removed: `REMOVED`)."""
    doc = valid_doc()
    parent: Any = doc
    for part in path[:-1]:
        parent = parent[part]
    if value is REMOVED:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(value)
    return doc


def edited_documents() -> Iterator[dict[str, Any]]:
    """The example with each value replaced by each edge value or removed, one at a time,
    and with an unknown key added to each mapping."""
    for path in doc_paths(valid_doc()):
        for value in [*EDGE_VALUES, REMOVED]:
            yield edited(path, value)
    for path in [(), *doc_paths(valid_doc())]:
        doc = valid_doc()
        node: Any = doc
        for part in path:
            node = node[part]
        if isinstance(node, dict):
            node["bogus"] = 1
            yield doc


def test_the_fast_validator_agrees_with_python_jsonschema() -> None:
    """The validator compiled from the schema decides as python-jsonschema does, ECMA-262's
    `$` given to both, on every one-value edit of the example: valid and invalid alike."""
    reference = jsonschema.Draft202012Validator(ecma_patterns(SCHEMA))
    verdicts = []
    for doc in edited_documents():
        verdict = is_valid(doc)
        assert verdict == reference.is_valid(doc), doc
        verdicts.append(verdict)
    assert len(verdicts) > 700
    assert verdicts.count(True) > 50
    assert verdicts.count(False) > 300


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("scenario_id", "tapas-bar\n", False),
        ("language", "es\n", False),
        ("created_by", "octocat\n", False),
        ("title", "Ordering tapas\n", True),
        ("description", "Order tapas.\n", True),
    ],
)
def test_a_final_newline_is_judged_as_ecma_262_says(key: str, value: str, ok: bool) -> None:
    """`$` ends the text, not a line: a slug, tag or login with a final newline is refused,
    though Python's `re` (and so python-jsonschema) would take it; text without `$` is kept."""
    doc = valid_doc() | {key: value}
    assert is_valid(doc) is ok
    assert jsonschema.Draft202012Validator(SCHEMA).is_valid(doc) is True


# --- upper limits: one file cannot multiply the site (issue 14) ------------------------------


def resolved(node: dict[str, Any]) -> dict[str, Any]:
    """A value's rules with its `$ref`s and `allOf`s merged in, its own keywords last."""
    result: dict[str, Any] = {}
    for member in [*node.get("allOf", []), node]:
        if "$ref" in member:
            result.update(resolved(SCHEMA["$defs"][member["$ref"].rsplit("/", 1)[1]]))
        result.update({k: v for k, v in member.items() if k not in ("$ref", "allOf")})
    return result


def values(node: dict[str, Any], where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every place a value can be in a document, as (path, the schema node written there)."""
    rules = resolved(node)
    yield where or "/", node
    for name, child in rules.get("properties", {}).items():
        yield from values(child, f"{where}/{name}")
    if isinstance(rules.get("items"), dict):
        yield from values(rules["items"], f"{where}/items")


def types(rules: dict[str, Any]) -> list[str]:
    kind = rules.get("type", [])
    return [kind] if isinstance(kind, str) else kind


def test_every_list_and_every_text_has_an_upper_limit() -> None:
    unbounded = [
        where
        for where, node in values(SCHEMA)
        for rules in [resolved(node)]
        if ("array" in types(rules) and "maxItems" not in rules)
        or ("string" in types(rules) and "maxLength" not in rules)
    ]
    assert unbounded == []
    assert sum(1 for _ in values(SCHEMA)) > 40


def own_description(node: dict[str, Any]) -> str:
    """What an editor shows on hover: the node's description, else the one it refers to."""
    if "description" in node:
        return str(node["description"])
    if "$ref" in node:
        return own_description(SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]])
    return ""


def test_every_description_says_the_limits_in_words() -> None:
    """Each limit is in the hover text of its value, or of its list when items have none."""
    unsaid = []
    for where, node in values(SCHEMA):
        rules, said = resolved(node), own_description(node)
        if not said and where.endswith("/items"):
            continue  # said by its list, checked below
        limits = [rules.get("maxLength"), rules.get("maxItems")]
        item = rules.get("items")
        if isinstance(item, dict) and not own_description(item):
            limits.append(resolved(item).get("maxLength"))
        unsaid += [
            (where, limit, said)
            for limit in limits
            if limit is not None and not re.search(rf"\b{limit}\b", said)
        ]
    assert unsaid == []
