"""Authoring: templates, new, duplicate — files written, refusals, prompts, languages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenariokit.files.loader import read_source
from tests.helpers import REPO, diagnostics, invoke, make_repo, run_in_terminal

TEMPLATES = sorted(p.stem for p in (REPO / "templates").glob("*.yaml"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with the real templates and the first scenario, as the current folder."""
    root = make_repo(tmp_path / "project", {})
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "scenarios" / "restaurant", root / "scenarios" / "restaurant")
    monkeypatch.chdir(root)
    return root


def new(*args: str) -> tuple[int, str]:
    result = invoke("new", "--no-interactive", *args)
    return result.exit_code, result.output


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = read_source(path).data
    return data


def test_templates_lists_every_template(project: Path) -> None:
    result = invoke("templates")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "category", "difficulty", "language", "phases", "summary"]
    assert [line.split()[0] for line in lines[2:]] == TEMPLATES
    assert len(TEMPLATES) == 10


@pytest.mark.parametrize("template", TEMPLATES)
def test_new_from_each_template_without_a_terminal(project: Path, template: str) -> None:
    args = [
        "--template",
        template,
        "--id",
        "my-scenario",
        "--title",
        "My own scenario",
        "--language",
        "es",
        "--author",
        "octocat",
    ]
    code, output = new(*args)
    assert code == 0, output
    category = load(project / "templates" / f"{template}.yaml")["category"]
    path = project / "scenarios" / category / "my-scenario.yaml"
    assert f"Created scenarios/{category}/my-scenario.yaml from template {template}." in output
    assert "git switch -c add-my-scenario" in output
    doc = load(path)
    assert (doc["created_by"], doc["derived_from"], doc["is_system_scenario"]) == (
        "octocat",
        template,
        False,
    )
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../schemas/scenario.schema.json\n"
    )
    # With a title of its own, the template's words kept are no near-copy: a template is
    # there to be filled in (tests/test_copies.py).
    assert diagnostics("validate", "--strict", path) == (0, [])
    before = path.read_bytes()
    code, output = new(*args)
    assert code == 1
    assert "already exists: nothing was written" in output
    assert path.read_bytes() == before


def test_new_in_another_language_marks_entries_to_translate(project: Path) -> None:
    code, output = new(
        "--template",
        "restaurant-dining",
        "--id",
        "bistro-lyon",
        "--title",
        "Lunch at a bistro in Lyon",
        "--language",
        "fr",
        "--author",
        "octocat",
    )
    assert code == 0
    template = load(project / "templates" / "restaurant-dining.yaml")
    doc = load(project / "scenarios" / "restaurant" / "bistro-lyon.yaml")
    first_entry = doc["phases"][0]["key_vocabulary"][0]
    reference = template["phases"][0]["key_vocabulary"][0]
    assert first_entry == {
        "term": f"TODO: {reference['term']}",
        "translation": reference["translation"],
    }
    entries = sum(len(p["key_vocabulary"]) + len(p["essential_phrases"]) for p in doc["phases"])
    assert f"{entries} vocabulary and phrase entries wait for their French wording" in output
    # Structure, objectives and cultural notes are the template's.
    assert [p["learning_objectives"] for p in doc["phases"]] == [
        p["learning_objectives"] for p in template["phases"]
    ]
    code, found = diagnostics("validate", "scenarios/restaurant/bistro-lyon.yaml")
    assert code == 0
    untranslated = [d for d in found if d["code"] == "untranslated"]
    assert len(untranslated) == entries
    assert {d["code"] for d in found} == {"untranslated", "unadapted"}  # tests/test_adapting.py
    assert "replace 'TODO: la mesa' with its French wording" in untranslated[0]["message"]
    strict_code, _ = diagnostics("validate", "--strict", "scenarios/restaurant/bistro-lyon.yaml")
    assert strict_code == 1


def test_new_without_a_terminal_names_what_is_missing(project: Path) -> None:
    before = sorted((project / "scenarios").rglob("*.yaml"))
    code, output = new("--template", "restaurant-dining")
    assert code == 2
    assert "missing --title, --id, --author" in output
    assert "nothing is asked" in output
    assert sorted((project / "scenarios").rglob("*.yaml")) == before


def test_new_asks_for_what_is_missing_in_a_terminal(project: Path) -> None:
    # Template, title, id, language, author, difficulty and duration (the last two defaults).
    answers = "hotel-check-in\nCheck-in in Kyoto\n\nja\nmonalisa\n\n\n"
    result = invoke("new", "--interactive", input=answers)
    assert result.exit_code == 0, result.output
    assert "Template (or 'blank') (" in result.output
    assert "Id [check-in-in-kyoto, from the title]" in result.output
    assert "Language (BCP 47 tag) [es, the template's]" in result.output
    assert "Difficulty (beginner, intermediate, advanced) [intermediate, the template's]" in (
        result.output
    )
    doc = load(project / "scenarios" / "travel" / "check-in-in-kyoto.yaml")
    assert (doc["title"], doc["language"], doc["created_by"]) == (
        "Check-in in Kyoto",
        "ja",
        "monalisa",
    )


def test_a_prompt_refuses_a_template_that_does_not_exist(project: Path) -> None:
    answers = "hotel\nhotel-check-in\nA title\n\nes\nmonalisa\n\n\n"
    result = invoke("new", "--interactive", input=answers)
    assert result.exit_code == 0, result.output
    assert "no template 'hotel': did you mean 'hotel-check-in'?" in result.output


def test_new_blank_validates_with_placeholders(project: Path) -> None:
    code, output = new(
        "--blank",
        "--id",
        "market-day",
        "--title",
        "Market day",
        "--language",
        "it",
        "--author",
        "octocat",
        "--category",
        "shopping",
    )
    assert code == 0, output
    path = project / "scenarios" / "shopping" / "market-day.yaml"
    doc = load(path)
    assert (doc["difficulty"], doc["language"], len(doc["phases"])) == ("beginner", "it", 2)
    code, found = diagnostics("validate", path)
    assert code == 0
    assert {d["code"] for d in found} == {"placeholder", "untranslated"}


def test_new_refuses_an_id_used_elsewhere(project: Path) -> None:
    code, output = new(
        "--template",
        "hotel-check-in",
        "--id",
        "tapas-bar-madrid",
        "--title",
        "Same id",
        "--author",
        "octocat",
    )
    assert code == 1
    assert "would not validate" in output
    assert "also used by scenarios/restaurant/tapas-bar-madrid.yaml" in output
    assert not (project / "scenarios" / "travel").exists()


def test_new_refuses_an_invalid_language(project: Path) -> None:
    code, output = new(
        "--template",
        "hotel-check-in",
        "--id",
        "hotel-x",
        "--title",
        "Hotel X",
        "--language",
        "qqq-zz",
        "--author",
        "octocat",
    )
    assert code == 1  # no language is near: the file's check says so, with everything else
    assert "[unknown-language]" in output
    assert not (project / "scenarios" / "travel").exists()


def test_author_defaults_to_the_git_config(project: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "config", "github.user", "hubot"], cwd=project, check=True)
    code, output = new(
        "--template", "library-visit", "--id", "biblioteca", "--title", "En la biblioteca"
    )
    assert code == 0, output
    assert load(project / "scenarios" / "education" / "biblioteca.yaml")["created_by"] == "hubot"


def test_duplicate_copies_under_a_new_owner_as_a_draft(project: Path) -> None:
    result = invoke(
        "duplicate",
        "tapas-bar-madrid",
        "tapas-bar-sevilla",
        "--author",
        "octocat",
        "--title",
        "Tapas in Seville",
    )
    assert result.exit_code == 0, result.output
    source = load(project / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml")
    copy = load(project / "scenarios" / "restaurant" / "tapas-bar-sevilla.yaml")
    assert copy == source | {
        "scenario_id": "tapas-bar-sevilla",
        "title": "Tapas in Seville",
        "created_by": "octocat",
        "is_system_scenario": False,
        "is_public": False,
        "derived_from": "tapas-bar-madrid",
    }
    assert "a draft: set is_public: true to publish it" in result.output
    # Its source's words, all kept: a near-copy until its author makes it their own.
    code, found = diagnostics("validate", "--strict")
    assert (code, [(d["path"], d["code"]) for d in found]) == (
        1,
        [("scenarios/restaurant/tapas-bar-sevilla.yaml", "near-copy")],
    )


def test_duplicate_refuses_to_overwrite_and_unknown_sources(project: Path) -> None:
    again = invoke("duplicate", "restaurant-dining", "tapas-bar-madrid", "--author", "octocat")
    assert again.exit_code == 1
    assert "already exists" in again.output
    missing = invoke("duplicate", "no-such-scenario", "anything", "--author", "octocat")
    assert missing.exit_code == 1
    assert "no scenario or template 'no-such-scenario'" in missing.output


def test_duplicate_into_another_language(project: Path) -> None:
    result = invoke(
        "duplicate",
        "tapas-bar-madrid",
        "tapas-lisboa",
        "--author",
        "octocat",
        "--language",
        "pt-PT",
    )
    assert result.exit_code == 0
    assert "wait for their Portuguese (Portugal) wording" in result.output
    copy = load(project / "scenarios" / "restaurant" / "tapas-lisboa.yaml")
    assert copy["phases"][0]["essential_phrases"][0]["text"].startswith("TODO: ")


def test_a_partner_line_stays_the_partners_in_another_language(project: Path) -> None:
    source = load(project / "scenarios" / "restaurant" / "samgyeopsal-restaurant-seoul.yaml")
    result = invoke(
        "duplicate",
        "samgyeopsal-restaurant-seoul",
        "samgyeopsal-tokyo",
        "--language",
        "ja",
        "--author",
        "octocat",
    )
    assert result.exit_code == 0, result.output
    copy = load(project / "scenarios" / "restaurant" / "samgyeopsal-tokyo.yaml")
    for before, after in zip(source["phases"], copy["phases"], strict=True):
        assert [e.get("speaker") for e in after["essential_phrases"]] == [
            e.get("speaker") for e in before["essential_phrases"]
        ]
        # The Korean reading and notes would be wrong under the Japanese wording.
        for entry in after["key_vocabulary"] + after["essential_phrases"]:
            assert "reading" not in entry
            assert "note" not in entry
    assert any(e.get("speaker") == "partner" for e in copy["phases"][0]["essential_phrases"])


def test_every_template_is_a_full_starting_point() -> None:
    categories = []
    for name in TEMPLATES:
        doc = yaml.safe_load((REPO / "templates" / f"{name}.yaml").read_text(encoding="utf-8"))
        categories.append(doc["category"])
        phases = doc["phases"]
        vocabulary = [e for p in phases for e in p["key_vocabulary"]]
        phrases = [e for p in phases for e in p["essential_phrases"]]
        assert 2 <= len(phases) <= 4, name
        assert len(vocabulary) >= 10, name
        assert len(phrases) >= 20, name
        assert all(isinstance(e, dict) and e.get("translation") for e in vocabulary + phrases)
        assert all(p["learning_objectives"] and p["success_criteria"] for p in phases), name
        assert doc["cultural_context"], name
        assert (doc["created_by"], doc["is_system_scenario"]) == ("maintainers", True)
    assert sorted(categories) == sorted(
        yaml.safe_load((REPO / "schemas" / "scenario.schema.json").read_text())["properties"][
            "category"
        ]["enum"]
    )


def test_new_prompts_on_a_real_terminal(project: Path) -> None:
    """No --interactive: a terminal on stdin is what makes `new` ask."""
    answers = "sports-class\nYoga in Seville\n\nes\nhubot\n\n\n"
    shown = run_in_terminal(["new"], project, {"NO_COLOR": "1"}, answers)
    assert "Template (or 'blank')" in shown
    assert "Created scenarios/hobbies/yoga-in-seville.yaml from template sports-class." in shown
    doc = load(project / "scenarios" / "hobbies" / "yoga-in-seville.yaml")
    assert (doc["title"], doc["created_by"]) == ("Yoga in Seville", "hubot")
