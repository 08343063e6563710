"""Typed views of a validated scenario: what the index, the site, the search and the API read.

A validated document stays the dict the loader made (the build handles thousands; objects
built from each would cost time and change nothing they publish): these are `TypedDict`s
over it, so every read of a field is checked by mypy against the schema's names and types.
`sources.derive` is the one place a checked document becomes a `Scenario`.

The JSON Schema is the contract; the constraints written here (lengths, patterns, bounds)
are pydantic's, so that `tests/test_models.py` can prove that the schema and these types
accept and reject the same documents (`SCENARIO.validate_python`). Strict mode: `"15"` is
not 15, `yes` is not a string, as in the schema. An optional key is left out, never null.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Literal,
    NotRequired,  # pydantic reads these, not typing's (3.11)
)

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    with_config,
)
from typing_extensions import TypedDict

from scenariokit.check.schema import cefr_levels, load_schema, not_blank_pattern

Slug = Annotated[
    str, StringConstraints(min_length=3, max_length=64, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
]
Login = Annotated[
    str, StringConstraints(min_length=1, max_length=39, pattern=r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")
]
LanguageTag = Annotated[
    str, StringConstraints(max_length=35, pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
]


# Not blank, as the schema says it (Python's `\s` counts U+001C to U+001F as white space
# and Rust's, pydantic's, does not; so the schema's pattern names them).
NOT_BLANK = not_blank_pattern()


def _text(max_length: int, min_length: int = 1) -> object:
    """Non-blank text of bounded length (the schema's `$defs/text` plus a limit)."""
    return Annotated[
        str, StringConstraints(min_length=min_length, max_length=max_length, pattern=NOT_BLANK)
    ]


def _whole(value: Any) -> Any:
    """JSON Schema's "integer" is any number without a fraction (15.0 too); so is ours."""
    return int(value) if type(value) is float and value.is_integer() else value


def _minutes(low: int, high: int) -> object:
    """Whole minutes between two limits (the schema's `type: integer` with its bounds)."""
    return Annotated[int, BeforeValidator(_whole), Field(ge=low, le=high)]


Line = _text(100)
Note = _text(1000)
ShortText = _text(300)
# The schema's `$defs/lines`: at most 20 short texts.
Lines = Annotated[list[ShortText], Field(max_length=20)]  # type: ignore[valid-type]
# The lists of allowed values are the schema's own, not copies of them; to a type checker
# they are strings.
if TYPE_CHECKING:
    Category = str
    Difficulty = str
    Cefr = str
    Speaker = str
else:
    Category = Literal[tuple(load_schema()["properties"]["category"]["enum"])]
    Difficulty = Literal[tuple(load_schema()["properties"]["difficulty"]["enum"])]
    Cefr = Literal[tuple(load_schema()["properties"]["cefr"]["enum"])]
    Speaker = Literal[
        tuple(load_schema()["$defs"]["phrase_entry"]["properties"]["speaker"]["enum"])
    ]


_STRICT = with_config(ConfigDict(strict=True, extra="forbid"))


@_STRICT
class VocabularyEntry(TypedDict):
    """A word to practise, with its meaning."""

    term: _text(200)  # type: ignore[valid-type]
    reading: NotRequired[ShortText]  # type: ignore[valid-type]
    translation: NotRequired[ShortText]  # type: ignore[valid-type]
    note: NotRequired[_text(500)]  # type: ignore[valid-type]


@_STRICT
class Phrase(TypedDict):
    """A phrase of the conversation, with its meaning: the learner's, or the partner's."""

    text: ShortText  # type: ignore[valid-type]
    reading: NotRequired[ShortText]  # type: ignore[valid-type]
    translation: NotRequired[ShortText]  # type: ignore[valid-type]
    note: NotRequired[_text(500)]  # type: ignore[valid-type]
    speaker: NotRequired[Speaker]


@_STRICT
class Phase(TypedDict):
    """One stage of the conversation; its number is its position (from 1)."""

    phase_id: Slug
    name: Line  # type: ignore[valid-type]
    description: NotRequired[Annotated[str, StringConstraints(max_length=500)]]
    expected_duration_minutes: NotRequired[_minutes(1, 60)]  # type: ignore[valid-type]
    key_vocabulary: Annotated[
        list[_text(200) | VocabularyEntry],  # type: ignore[valid-type]
        Field(min_length=3, max_length=50),
    ]
    essential_phrases: Annotated[
        list[ShortText | Phrase],  # type: ignore[valid-type]
        Field(min_length=3, max_length=50),
    ]
    learning_objectives: Annotated[list[ShortText], Field(min_length=1, max_length=20)]  # type: ignore[valid-type]
    success_criteria: NotRequired[Lines]
    cultural_notes: NotRequired[Note]  # type: ignore[valid-type]


@_STRICT
class Scenario(TypedDict):
    """A whole scenario file."""

    scenario_id: Slug
    title: _text(100, min_length=3)  # type: ignore[valid-type]
    description: NotRequired[Annotated[str, StringConstraints(max_length=500)]]
    category: Category
    difficulty: Difficulty
    cefr: NotRequired[Cefr]
    estimated_duration: _minutes(5, 60)  # type: ignore[valid-type]
    language: LanguageTag
    user_role: Line  # type: ignore[valid-type]
    ai_role: Line  # type: ignore[valid-type]
    setting: _text(500)  # type: ignore[valid-type]
    created_by: Login
    is_system_scenario: NotRequired[bool]
    is_public: NotRequired[bool]
    derived_from: NotRequired[Slug]
    prerequisites: NotRequired[Lines]
    learning_outcomes: NotRequired[Lines]
    vocabulary_focus: NotRequired[Lines]
    cultural_context: NotRequired[Note]  # type: ignore[valid-type]
    phases: Annotated[list[Phase], Field(min_length=2, max_length=6)]


def _levels_agree(doc: Scenario) -> Scenario:
    """`cefr` among the levels the schema allows for the scenario's `difficulty`."""
    if "cefr" in doc and doc["cefr"] not in cefr_levels()[doc["difficulty"]]:
        raise ValueError(f"cefr {doc['cefr']} does not agree with difficulty {doc['difficulty']}")
    return doc


# The types as a validator, for the agreement test (the build trusts the schema's verdict).
SCENARIO: TypeAdapter[Scenario] = TypeAdapter(Annotated[Scenario, AfterValidator(_levels_agree)])
