"""`scenarios fmt`: the canonical layout, idempotent, comments kept, data never changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenariokit.errors import UserError
from scenariokit.loader import parse
from scenariokit.writer import canonical_text, format_text, write_files
from tests.helpers import REPO, VALID_TEXT, invoke, make_repo, valid_doc

HOME = "scenarios/restaurant/tapas-bar-madrid.yaml"
MODELINE = "# yaml-language-server: $schema=../../schemas/scenario.schema.json"

MESSY = """# Written by hand, keys in any order.
title: Ordering Tapas in Madrid   # keep this comment
scenario_id: tapas-bar-madrid
language: 'es'
difficulty: "beginner"
category: restaurant
estimated_duration: 15
description: >-
  Order a round of tapas and drinks at a busy bar,
  ask about dishes, and pay.
user_role: Customer
ai_role: Bartender
setting: "A crowded tapas bar near Plaza Mayor on a Friday evening."
created_by: octocat
is_public: yes
prerequisites: [Numbers 1-20, Basic greetings]
phases:
- name: Getting the bartender's attention
  phase_id: greeting
  expected_duration_minutes: 7
  essential_phrases:
  - {translation: "Hi! Do you have a table for two?", text: "¡Hola! ¿Tienen mesa para dos?"}
  - ¿Nos pone dos cañas, por favor?
  # the next phrase is the one learners find hardest
  - Estamos bien en la barra.
  key_vocabulary: [la barra, la mesa, la carta]
  learning_objectives: [Greet and state the size of your group]
- phase_id: paying
  name: Paying the bill
  expected_duration_minutes: 8
  key_vocabulary:
  - term: la cuenta
    translation: 'the bill'
  - con tarjeta
  - en efectivo
  essential_phrases:
  - ¿Me cobra, por favor?
  - ¿Puedo pagar con tarjeta?
  - 'Note: quédese con el cambio.'
  learning_objectives:
  - Ask for the bill   # and choose how to pay
"""


def test_fmt_rewrites_into_the_canonical_layout(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: MESSY})
    result = invoke("--root", root, "fmt")
    assert result.exit_code == 0
    assert result.stdout == (
        f"reformatted {root / HOME}\n1 file reformatted, 0 files already formatted\n"
    )
    text = (root / HOME).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == MODELINE
    assert lines[1] == "# Written by hand, keys in any order."
    assert [line.split(":")[0] for line in lines[2:8]] == [
        "scenario_id",
        "title",
        "description",
        "category",
        "difficulty",
        "estimated_duration",
    ]
    assert "title: Ordering Tapas in Madrid   # keep this comment" in lines
    assert "is_public: true" in lines
    assert "  - phase_id: greeting" in lines
    assert "      # the next phrase is the one learners find hardest" in lines
    assert any(
        line.startswith("      - Ask for the bill ") and line.endswith(" # and choose how to pay")
        for line in lines
    )
    assert "      - 'Note: quédese con el cambio.'" in lines
    assert "      - text: ¡Hola! ¿Tienen mesa para dos?" in lines
    assert "        translation: Hi! Do you have a table for two?" in lines
    assert parse(text) == parse(MESSY) | {"is_public": True}
    assert invoke("--root", root, "validate").exit_code == 0


def test_fmt_is_idempotent(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: MESSY})
    invoke("--root", root, "fmt")
    once = (root / HOME).read_bytes()
    second = invoke("--root", root, "fmt")
    assert second.stdout == "0 files reformatted, 1 file already formatted\n"
    assert (root / HOME).read_bytes() == once
    assert format_text(once.decode(), MODELINE) == once.decode()


def test_check_lists_files_and_writes_nothing(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: MESSY})
    result = invoke("--root", root, "fmt", "--check")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"would reformat {root / HOME}\n")
    assert (root / HOME).read_text(encoding="utf-8") == MESSY


def test_the_repository_is_formatted() -> None:
    result = invoke("--root", REPO, "fmt", "--check")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("0 files would be reformatted")


def test_a_file_that_does_not_load_is_reported_and_left_alone(tmp_path: Path) -> None:
    broken = "title: a\ntitle: b\n"
    root = make_repo(tmp_path, {HOME: broken, "scenarios/travel/x.yaml": MESSY})
    result = invoke("--root", root, "fmt")
    assert result.exit_code == 1
    assert "duplicate-key" in result.stderr
    assert (root / HOME).read_text(encoding="utf-8") == broken
    assert "1 file reformatted" in result.stdout


@pytest.mark.parametrize(
    "value",
    [
        "no",
        "on",
        "2024-05-01",
        "1984",
        "0.5",
        "null",
        "~",
        "yes",
        "Note: x",
        "#hashtag",
        "- dash",
        "@handle",
        "'quoted'",
        "a\tb",
    ],
)
def test_strings_that_yaml_would_misread_stay_strings(value: str) -> None:
    doc = valid_doc() | {"setting": value}
    text = canonical_text(doc, MODELINE)
    assert parse(text)["setting"] == value
    assert format_text(text, MODELINE) == text


def test_the_canonical_text_of_the_example_is_stable() -> None:
    text = canonical_text(valid_doc(), MODELINE)
    assert format_text(VALID_TEXT, MODELINE) == text
    assert canonical_text(parse(text), MODELINE) == text


def test_write_files_is_all_or_nothing(tmp_path: Path) -> None:
    """A folder on the way that is a file is refused before anything is written."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    good = tmp_path / "good" / "a.yaml"
    with pytest.raises(UserError, match="not-a-folder is a file, not a folder; nothing was"):
        write_files([(good, "a: 1\n"), (blocker / "b.yaml", "b: 2\n")])
    assert not (tmp_path / "good").exists()
    assert blocker.read_text(encoding="utf-8") == "a file where a folder should be"


def test_a_failure_while_staging_removes_what_was_staged(tmp_path: Path) -> None:
    """The operating system refuses the second file (its name is too long): the first,
    already staged, is removed, and the error is a message, not a traceback."""
    good = tmp_path / "good" / "a.yaml"
    too_long = tmp_path / "good" / ("b" * 300 + ".yaml")
    with pytest.raises(UserError, match="File name too long; nothing was written"):
        write_files([(good, "a: 1\n"), (too_long, "b: 2\n")])
    assert list((tmp_path / "good").iterdir()) == []


def test_write_files_refuses_to_replace_without_asking(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("mine\n", encoding="utf-8")
    with pytest.raises(UserError, match="already exists"):
        write_files([(target, "theirs\n")])
    assert target.read_text(encoding="utf-8") == "mine\n"
    write_files([(target, "theirs\n")], replace=True)
    assert target.read_text(encoding="utf-8") == "theirs\n"


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("Ordering\tTapas in Madrid", id="tab inside a plain value"),
        pytest.param("9999-12-31 23:59:59.999999999999 -23:59", id="date out of range"),
    ],
)
def test_fmt_leaves_what_its_round_trip_parser_cannot_read(tmp_path: Path, title: str) -> None:
    """libyaml reads a tab inside a plain value; ruamel.yaml, which keeps the comments,
    refuses it, and overflows building a date at the end of year 9999 with a time zone:
    the file is reported and left as it was, not a traceback."""
    text = VALID_TEXT.replace("title: Ordering Tapas in Madrid", f"title: {title}", 1)
    root = make_repo(tmp_path, {HOME: text})
    result = invoke("--root", root, "fmt")
    assert result.exit_code == 1
    assert "the formatter cannot read this file" in result.stderr
    assert "[unformattable]" in result.stderr
    assert (root / HOME).read_text(encoding="utf-8") == text
