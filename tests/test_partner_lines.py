"""Both sides of the conversation: phrases with `speaker: partner`, through every output.

What the other side says (the waiter, the doctor) is a line the learner must understand:
the index keeps who says each phrase, pages list the partner's lines apart under "You will
hear", the prompt asks the AI partner to use them, and `fmt` puts `speaker` last.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from scenariokit.build.run import build
from scenariokit.check.schema import is_valid
from scenariokit.models import SCENARIO
from tests.helpers import dump, invoke, make_repo, valid_doc

PATH = "scenarios/restaurant/tapas-bar-madrid.yaml"
HEARD = {"text": "¿Qué os pongo?", "translation": "What can I get you?", "speaker": "partner"}
SAID = {
    "text": "Una caña, por favor.",
    "translation": "A small beer, please.",
    "speaker": "learner",
}


def with_partner_lines() -> dict[str, Any]:
    doc = valid_doc()
    doc["phases"][0]["essential_phrases"] += [HEARD, SAID]
    return doc


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("partner")
    root = make_repo(folder / "repo", {PATH: dump(with_partner_lines())})
    build(root, folder / "out")
    return folder / "out"


@pytest.mark.parametrize(
    ("speaker", "ok"),
    [("partner", True), ("learner", True), ("Partner", False), ("waiter", False), (1, False)],
)
def test_the_schema_and_the_models_agree_on_who_may_speak(speaker: object, ok: bool) -> None:
    doc = valid_doc()
    doc["phases"][1]["essential_phrases"][0] = {"text": "¿Algo más?", "speaker": speaker}
    assert is_valid(doc) is ok
    try:
        SCENARIO.validate_python(doc)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted is ok


def test_the_index_says_who_says_each_phrase(out: Path) -> None:
    db = sqlite3.connect(out / "scenarios.sqlite")
    try:
        rows = db.execute(
            "SELECT text, speaker FROM phrases WHERE phase_number = 1 ORDER BY position"
        ).fetchall()
    finally:
        db.close()
    phrases = with_partner_lines()["phases"][0]["essential_phrases"]
    assert len(rows) == len(phrases)
    assert rows[-2:] == [("¿Qué os pongo?", "partner"), ("Una caña, por favor.", "learner")]
    assert {speaker for _, speaker in rows[:-2]} == {"learner"}  # the default


def test_the_page_lists_the_partners_lines_apart(out: Path) -> None:
    page = (out / "site" / "scenarios" / "tapas-bar-madrid" / "index.html").read_text("utf-8")
    first_phase = page.split('<section class="phase"')[1]
    said, heard = first_phase.split("<h3>You will hear</h3>")
    assert "Una caña, por favor." in said
    assert "¿Qué os pongo?" not in said
    assert '<dl class="entries phrases heard">' in heard
    assert "¿Qué os pongo?" in heard
    assert "What can I get you?" in heard
    second_phase = page.split('<section class="phase"')[2]
    assert "You will hear" not in second_phase  # no partner lines there: no empty heading


def test_the_prompt_asks_the_partner_to_use_their_lines(out: Path) -> None:
    page = (out / "site" / "scenarios" / "tapas-bar-madrid" / "index.html").read_text("utf-8")
    assert (
        'Lines of yours the learner should understand: <span lang="es">¿Qué os pongo?</span> '
        "(What can I get you?)"
    ) in page
    tried = page.split("Phrases the learner should try: ")[1].split("\n")[0]
    assert "Una caña, por favor." in tried
    assert "¿Qué os pongo?" not in tried


def test_fmt_writes_speaker_last(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["phases"][0]["essential_phrases"][0] = {
        "speaker": "partner",
        "text": "¿Qué os pongo?",
        "translation": "What can I get you?",
    }
    root = make_repo(tmp_path / "repo", {PATH: dump(doc)})
    result = invoke("--root", root, "fmt", str(root / PATH))
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in (root / PATH).read_text("utf-8").splitlines()]
    at = lines.index("- text: ¿Qué os pongo?")
    assert lines[at + 1 : at + 3] == ["translation: What can I get you?", "speaker: partner"]
