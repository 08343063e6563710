"""Typed views of a validated scenario, for the code that reads scenarios (index, site, API).

The JSON Schema is the contract; these models restate its constraints only so that they
hold as types, and `tests/test_models.py` proves that the two accept and reject the same
documents. Strict mode: `"15"` is not 15, `yes` is not a string, as in the schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from scenariokit.schema import load_schema, not_blank_pattern

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
else:
    Category = Literal[tuple(load_schema()["properties"]["category"]["enum"])]
    Difficulty = Literal[tuple(load_schema()["properties"]["difficulty"]["enum"])]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        """An optional key is left out, never written empty: the schema has no nulls."""
        if isinstance(data, dict):
            empty = [key for key, value in data.items() if value is None]
            if empty:
                raise ValueError(f"empty value for {', '.join(map(str, empty))}")
        return data


class VocabularyEntry(_Strict):
    """A word to practise, with its meaning."""

    term: _text(200)  # type: ignore[valid-type]
    translation: ShortText | None = None  # type: ignore[valid-type]
    note: _text(500) | None = None  # type: ignore[valid-type]


class Phrase(_Strict):
    """A phrase the learner will need, with its meaning."""

    text: ShortText  # type: ignore[valid-type]
    translation: ShortText | None = None  # type: ignore[valid-type]
    note: _text(500) | None = None  # type: ignore[valid-type]


class Phase(_Strict):
    """One stage of the conversation; its number is its position (from 1)."""

    phase_id: Slug
    name: Line  # type: ignore[valid-type]
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    expected_duration_minutes: _minutes(1, 60) | None = None  # type: ignore[valid-type]
    key_vocabulary: Annotated[
        list[_text(200) | VocabularyEntry],  # type: ignore[valid-type]
        Field(min_length=3, max_length=50),
    ]
    essential_phrases: Annotated[
        list[ShortText | Phrase],  # type: ignore[valid-type]
        Field(min_length=3, max_length=50),
    ]
    learning_objectives: Annotated[list[ShortText], Field(min_length=1, max_length=20)]  # type: ignore[valid-type]
    success_criteria: Lines = []
    cultural_notes: Note | None = None  # type: ignore[valid-type]

    def vocabulary(self) -> list[VocabularyEntry]:
        """Every entry as a mapping: a plain string is a term without translation."""
        return [VocabularyEntry(term=e) if isinstance(e, str) else e for e in self.key_vocabulary]

    def phrases(self) -> list[Phrase]:
        """Every phrase as a mapping: a plain string is a phrase without translation."""
        return [Phrase(text=p) if isinstance(p, str) else p for p in self.essential_phrases]


class Scenario(_Strict):
    """A whole scenario file."""

    scenario_id: Slug
    title: _text(100, min_length=3)  # type: ignore[valid-type]
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    category: Category
    difficulty: Difficulty
    estimated_duration: _minutes(5, 60)  # type: ignore[valid-type]
    language: LanguageTag
    user_role: Line  # type: ignore[valid-type]
    ai_role: Line  # type: ignore[valid-type]
    setting: _text(500)  # type: ignore[valid-type]
    created_by: Login
    is_system_scenario: bool = False
    is_public: bool = True
    derived_from: Slug | None = None
    prerequisites: Lines = []
    learning_outcomes: Lines = []
    vocabulary_focus: Lines = []
    cultural_context: Note | None = None  # type: ignore[valid-type]
    phases: Annotated[list[Phase], Field(min_length=2, max_length=6)]
