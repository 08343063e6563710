"""The typed views (`models`) and the JSON Schema accept and reject the same documents.

Documents are the valid example with random edits (hypothesis): values replaced by ones at
and across every limit, keys removed or added, lists shortened and lengthened. The schema is
judged by the validator `scenarios validate` uses. python-jsonschema is compared too, except
on strings ending in a newline: it matches patterns with Python's `$`, which also matches
before a final newline (ECMA-262, and so the schema, does not).
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenariokit.check.schema import is_valid, load_schema
from scenariokit.models import SCENARIO, Scenario
from tests.helpers import valid_doc

EDGE_STRINGS = [
    "",
    " ",
    "x",
    "ab",
    "abc",
    "es",
    "pt-BR",
    "pt_BR",
    "tapas-bar",
    "Tapas Bar",
    "abc\n",
    "octo-cat",
    "-octo",
    "a" * 39,
    "a" * 40,
    "a" * 64,
    "a" * 65,
    "ñ" * 100,
    "ñ" * 101,
    "d" * 300,
    "d" * 301,
    "d" * 500,
    "d" * 501,
    "beginner",
    "expert",
    "restaurant",
    "daily_life",
]
LIMITS = [
    0,
    1,
    2,
    3,
    4,
    38,
    39,
    40,
    63,
    64,
    65,
    99,
    100,
    101,
    199,
    200,
    201,
    299,
    300,
    301,
    499,
    500,
    501,
    999,
    1000,
    1001,
]
TEXT_AT_LIMITS = st.builds(
    lambda length, char: char * length, st.sampled_from(LIMITS), st.sampled_from("añ A-")
)
VALUES = st.one_of(
    st.none(),
    TEXT_AT_LIMITS,
    st.sampled_from(EDGE_STRINGS),
    st.text(max_size=12),
    st.integers(min_value=-2, max_value=70),
    st.sampled_from([None, True, False, 15.0, 5.5, [], {}, ["x"], ["a", "b", "c"]]),
    st.builds(dict, term=st.sampled_from(["", "x", "la mesa"])),
    st.builds(dict, text=st.sampled_from(["x", " "]), translation=st.sampled_from(["y", ""])),
    st.builds(dict, term=st.just("x"), bogus=st.just(1)),
).map(copy.deepcopy)  # sampled lists and dicts are shared objects: edits must not leak


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in the document."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def parent_of(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def edited_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = valid_doc()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        every = paths(doc)
        shallow = [p for p in every if len(p) <= 3]  # the keys of the scenario and its phases
        target = draw(st.sampled_from(shallow) | st.sampled_from(every))
        parent, key = parent_of(doc, target), target[-1]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "grow"]))
        if action == "replace":
            parent[key] = draw(VALUES)
        elif action == "delete":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["titel", "note", "term", "extra"]))] = draw(VALUES)
        elif action == "grow" and isinstance(parent, list):
            parent.extend(copy.deepcopy(parent[key]) for _ in range(draw(st.integers(1, 50))))
    return doc


def model_errors(doc: Any) -> str:
    """The model's complaints, empty when it accepts the document."""
    try:
        SCENARIO.validate_python(doc)
    except pydantic.ValidationError as exc:
        return str(exc)
    return ""


def model_accepts(doc: Any) -> bool:
    return not model_errors(doc)


def has_newline_ending(node: Any) -> bool:
    if isinstance(node, str):
        return node.endswith("\n")
    if isinstance(node, dict):
        return any(has_newline_ending(v) for v in node.values())
    if isinstance(node, list):
        return any(has_newline_ending(v) for v in node)
    return False


PYTHON_JSONSCHEMA = jsonschema.Draft202012Validator(load_schema())


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_documents())
def test_models_and_schema_agree(doc: dict[str, Any]) -> None:
    verdict = is_valid(doc)
    assert model_accepts(doc) == verdict, model_errors(doc) or "the model accepts it"
    if not has_newline_ending(doc):
        assert PYTHON_JSONSCHEMA.is_valid(doc) == verdict


def test_agreement_is_not_trivial() -> None:
    """Both verdicts occur: the property above is not comparing constant answers."""
    valid = valid_doc()
    invalid = valid_doc() | {"estimated_duration": 61}
    assert (is_valid(valid), model_accepts(valid)) == (True, True)
    assert (is_valid(invalid), model_accepts(invalid)) == (False, False)


def test_models_and_schema_agree_on_every_level_for_every_difficulty() -> None:
    """`cefr` agrees with `difficulty` (beginner A1–A2, intermediate B1, advanced B2–C2), or
    the document is refused, by both."""
    allowed = {"beginner": {"A1", "A2"}, "intermediate": {"B1"}, "advanced": {"B2", "C1", "C2"}}
    for difficulty, levels in allowed.items():
        for cefr in (None, "A1", "A2", "B1", "B2", "C1", "C2", "a1", "B3"):
            doc = valid_doc() | {"difficulty": difficulty}
            if cefr is not None:
                doc["cefr"] = cefr
            expected = cefr is None or cefr in levels
            assert is_valid(doc) == expected, (difficulty, cefr)
            assert model_accepts(doc) == expected, (difficulty, cefr)
            assert PYTHON_JSONSCHEMA.is_valid(doc) == expected, (difficulty, cefr)


def test_the_view_is_the_document_itself() -> None:
    """Validating gives back the same fields and values: the build reads the dict as is."""
    doc = valid_doc()
    view: Scenario = SCENARIO.validate_python(doc)
    assert view == doc
    del doc["cultural_context"]
    assert "cultural_context" not in SCENARIO.validate_python(doc)  # left out, never None
    assert view["phases"][0]["key_vocabulary"][2] == "la carta"


# --- every limit of the schema, at and across its boundary ----------------------------------

SCHEMA = load_schema()


def rules_at(doc_path: tuple[Any, ...]) -> dict[str, Any]:
    """The schema's keywords for the value at `doc_path`, with $ref and allOf merged in."""
    node = merged(SCHEMA)
    for part in doc_path:
        node = merged(node["items"] if isinstance(part, int) else node["properties"][part])
    return node


def merged(node: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for member in [*node.get("allOf", []), node]:
        if "$ref" in member:
            result.update(merged(SCHEMA["$defs"][member["$ref"].rsplit("/", 1)[1]]))
        result.update({k: v for k, v in member.items() if k not in ("$ref", "allOf")})
    return result


def boundary_values(rules: dict[str, Any], current: Any) -> list[Any]:
    """Values at and one step past each limit the rules set."""
    values: list[Any] = [None, True, "x", 7, [], {}]
    # white space as each regex dialect sees it: blank for the schema, and for the models
    values += [" \t", "\u00a0\u3000", "\x1c\x1f", "\ufeff", "\x85"]
    for low, high in (("minLength", "maxLength"),):
        for bound, step in ((rules.get(low), -1), (rules.get(high), 1)):
            if bound is not None:
                values += [c * n for c in "añ" for n in (bound, bound + step) if n >= 0]
    for bound, step in ((rules.get("minimum"), -1), (rules.get("maximum"), 1)):
        if bound is not None:
            values += [bound, bound + step, float(bound), bound + 0.5 * step]
    if isinstance(current, list) and current:
        for bound, step in ((rules.get("minItems"), -1), (rules.get("maxItems"), 1)):
            if bound is not None:
                for n in (bound, bound + step):
                    if n >= 0:
                        values.append([copy.deepcopy(current[i % len(current)]) for i in range(n)])
    values += rules.get("enum", [])
    return values


def test_every_limit_agrees_at_its_boundary() -> None:
    base = valid_doc()
    checked = 0
    for doc_path in paths(base):
        rules = rules_at(doc_path)
        current = parent_of(base, doc_path)[doc_path[-1]]
        for value in boundary_values(rules, current):
            doc = valid_doc()
            parent_of(doc, doc_path)[doc_path[-1]] = value
            assert model_accepts(doc) == is_valid(doc), (doc_path, value, model_errors(doc))
            checked += 1
        if isinstance(current, dict):
            doc = valid_doc()
            parent_of(doc, doc_path)[doc_path[-1]]["unexpected"] = "x"
            assert model_accepts(doc) == is_valid(doc) is False, doc_path
    for doc_path in paths(base):
        doc = valid_doc()
        del parent_of(doc, doc_path)[doc_path[-1]]
        assert model_accepts(doc) == is_valid(doc), (doc_path, model_errors(doc))
    assert checked > 1000
