"""The schema itself: a valid 2020-12 schema, documented for editors, strict everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tests.conftest import REPO, invoke, make_repo, valid_doc

from scenariokit.schema import is_valid, load_schema, schema_path

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


def test_the_shipped_validator_is_made_from_this_schema() -> None:
    """`schema_validator.py` is generated; a schema edit without regenerating it fails here."""
    from scenariokit import schema_validator
    from scenariokit.schema import _gate, validator_code

    shipped = Path(schema_validator.__file__).read_text("utf-8")
    assert shipped == validator_code(), (
        "regenerate it: python -c 'from scenariokit.schema import write_validator; "
        "write_validator()'"
    )
    assert _gate() is schema_validator.validate
