"""Adapting, not copying (issue 17, point 1): texts of the source's country marked to adapt,
titles and descriptions in English, translations where CONTRIBUTING asks for them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenariokit.files.loader import read_source
from tests.helpers import REPO, VALID_TEXT, diagnostics, dump, invoke, make_repo, run_installed

TEMPLATES = sorted(p.stem for p in (REPO / "templates").glob("*.yaml"))
MARKER = "TODO: adapt: "


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with the real templates and the restaurant scenarios, as the current folder."""
    root = make_repo(tmp_path / "project", {})
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "scenarios" / "restaurant", root / "scenarios" / "restaurant")
    monkeypatch.chdir(root)
    return root


def new(*args: str) -> str:
    result = invoke("new", "--no-interactive", "--author", "octocat", *args)
    assert result.exit_code == 0, result.output
    return result.output


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = read_source(path).data
    return data


def marked(node: Any, doc_path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The paths of every text still behind a `TODO:` marker."""
    if isinstance(node, str):
        return [doc_path] if node.startswith("TODO:") else []
    if not isinstance(node, dict | list):
        return []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    return [p for key, value in items for p in marked(value, (*doc_path, key))]


def set_at(doc: dict[str, Any], doc_path: tuple[str | int, ...], value: str) -> None:
    *parents, last = doc_path
    holder: Any = doc
    for part in parents:
        holder = holder[part]
    holder[last] = value


def adapt(path: Path) -> None:
    """Do what the author does: write every marked text anew, for Brazil, in the file."""
    doc = load(path)
    for number, doc_path in enumerate(marked(doc)):
        if doc_path[-1] in ("term", "text"):
            set_at(doc, doc_path, f"palavra número {number}")
        else:
            set_at(doc, doc_path, f"Written for a shop in São Paulo, text {number}.")
    path.write_text(
        "# yaml-language-server: $schema=../../schemas/scenario.schema.json\n" + dump(doc),
        encoding="utf-8",
    )


def test_the_spanish_clothes_shop_started_for_brazil(project: Path) -> None:
    """The issue's case: 'In Spain… las rebajas' and 'me queda' are marked, not kept."""
    output = new(
        "--template",
        "clothing-shopping",
        "--id",
        "loja-de-roupas-sao-paulo",
        "--title",
        "Buying clothes in São Paulo",
        "--language",
        "pt-BR",
    )
    path = project / "scenarios" / "shopping" / "loja-de-roupas-sao-paulo.yaml"
    doc = load(path)
    assert doc["cultural_context"].startswith(MARKER)
    assert "las rebajas" in doc["cultural_context"]  # kept behind the marker, to rewrite
    criterion = doc["phases"][1]["success_criteria"][0]
    assert criterion == f'{MARKER}The learner says how a garment fits (in Spanish, with "me queda")'
    # Objectives and outcomes that quote no Spanish stay as they are.
    assert (
        doc["learning_outcomes"]
        == load(project / "templates" / "clothing-shopping.yaml")["learning_outcomes"]
    )
    assert doc["title"] == "Buying clothes in São Paulo"  # the author's own title
    # `new` lists what is left to adapt, in the words `validate` uses.
    listed = output.split("Left to adapt", 1)[1].split("Next steps:", 1)[0]
    assert "marked 'TODO: adapt:'" in listed
    assert "Portuguese (Brazil)" in listed
    names = [line.strip()[2:] for line in listed.splitlines()[1:] if line.strip()]
    assert names[:5] == ["description", "user_role", "ai_role", "setting", "cultural_context"]
    assert "phase 2 › success_criteria 1" in names
    assert "phase 3 › cultural_notes" in names
    assert f"{len(names)} texts" in listed
    code, found = diagnostics("validate", "--strict", path)
    assert code == 1
    unadapted = [d for d in found if d["code"] == "unadapted"]
    assert [d["severity"] for d in unadapted] == ["error"] * len(names)
    assert "rewrite it for Portuguese (Brazil)" in unadapted[0]["message"]


def test_messages_point_at_the_marked_text(project: Path) -> None:
    new("--template", "restaurant-dining", "--id", "dinner", "--title", "Dinner in Lyon")
    invoke("duplicate", "dinner", "diner-lyon", "--language", "fr", "--author", "octocat")
    path = project / "scenarios" / "restaurant" / "diner-lyon.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    code, found = diagnostics("validate", path)
    assert code == 0  # warnings only: a half-adapted scenario can be saved and committed
    unadapted = [d for d in found if d["code"] == "unadapted"]
    assert unadapted
    for d in unadapted:
        value = lines[d["line"] - 1][d["column"] - 1 :]
        assert value.lstrip("'\"").startswith(MARKER), (d, value)
    # The copy kept the source's title, so the title is marked too.
    assert unadapted[0]["pointer"] == "/title"
    assert lines[unadapted[0]["line"] - 1].startswith("title: 'TODO: adapt: Dinner in Lyon'")


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_for_another_country_fails_strict_until_adapted(
    project: Path, template: str
) -> None:
    new("--template", template, "--id", "mine", "--title", "My scenario", "--language", "pt-BR")
    (path,) = (project / "scenarios").rglob("mine.yaml")
    doc = load(path)
    for key in ("description", "user_role", "ai_role", "setting", "cultural_context"):
        assert doc[key].startswith(MARKER), key
    for phase in doc["phases"]:
        if "cultural_notes" in phase:
            assert phase["cultural_notes"].startswith(MARKER)
        for text in phase["learning_objectives"] + phase["success_criteria"]:
            assert ("Spanish" in text or '"' in text) == text.startswith(MARKER), text
    code, found = diagnostics("validate", "--strict", path)
    assert code == 1
    assert {d["code"] for d in found} == {"untranslated", "unadapted"}
    # fmt keeps every mark: it changes the layout, never the data.
    assert invoke("fmt", path).exit_code == 0
    assert marked(load(path)) == marked(doc)
    assert diagnostics("validate", "--strict", path) == (code, found)
    adapt(path)
    assert marked(load(path)) == []
    assert diagnostics("validate", "--strict", path) == (0, [])


def test_the_same_language_marks_nothing(project: Path) -> None:
    new("--template", "hotel-check-in", "--id", "hotel-sevilla", "--title", "A hotel in Seville")
    doc = load(project / "scenarios" / "travel" / "hotel-sevilla.yaml")
    assert marked(doc) == []


def test_duplicate_into_another_language_marks_the_country_texts(project: Path) -> None:
    result = invoke(
        "duplicate",
        "tapas-bar-madrid",
        "petiscos-lisboa",
        "--language",
        "pt-PT",
        "--title",
        "Petiscos in Lisbon",
        "--author",
        "octocat",
    )
    assert result.exit_code == 0, result.output
    assert "Left to adapt" in result.output
    source = load(project / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml")
    copy = load(project / "scenarios" / "restaurant" / "petiscos-lisboa.yaml")
    assert copy["title"] == "Petiscos in Lisbon"
    assert copy["setting"] == MARKER + source["setting"]
    assert copy["cultural_context"] == MARKER + source["cultural_context"]
    # A copy in its own language is a plain copy: nothing to adapt.
    same = invoke("duplicate", "tapas-bar-madrid", "tapas-sevilla", "--author", "octocat")
    assert "Left to adapt" not in same.output
    assert marked(load(project / "scenarios" / "restaurant" / "tapas-sevilla.yaml")) == []


def test_a_marked_text_too_long_for_the_marker_is_cut_to_the_limit(project: Path) -> None:
    source = load(project / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml")
    source["ai_role"] = "A" * 100  # the schema's limit for a role
    (project / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml").write_text(
        dump(source), encoding="utf-8"
    )
    result = invoke(
        "duplicate", "tapas-bar-madrid", "tapas-roma", "--language", "it", "--author", "x"
    )
    assert result.exit_code == 0, result.output
    role = load(project / "scenarios" / "restaurant" / "tapas-roma.yaml")["ai_role"]
    assert (len(role), role[: len(MARKER)], role[-1]) == (100, MARKER, "…")


def test_new_lists_what_is_left_to_adapt_from_the_installed_command(project: Path) -> None:
    done = run_installed(
        "new",
        "--template",
        "doctors-appointment",
        "--id",
        "arzt-wien",
        "--title",
        "At the doctor's in Vienna",
        "--language",
        "de-AT",
        "--author",
        "octocat",
        cwd=project,
    )
    assert done.returncode == 0, done.stderr
    assert "rewrite each for German (Austria) and your setting" in done.stdout
    assert "  - phase 2 › learning_objectives 1\n" in done.stdout  # quotes "me duele"


# Titles and descriptions are in English.

HOME = "scenarios/restaurant/tapas-bar-madrid.yaml"


@pytest.mark.parametrize(
    ("key", "text", "language", "fragment"),
    [
        ("title", "Un bistrot à Lyon", "fr", "French words ('un', 'à')"),
        ("title", "En la biblioteca", "es", "Spanish words ('en', 'la')"),
        ("title", "Pedir tapas en el bar", "es", "Spanish words ('el', 'en')"),
        ("description", "居酒屋で注文して、支払う。", "ja", "another script"),
        ("title", "Im Restaurant mit Freunden", "de", "German words ('im', 'mit')"),
    ],
)
def test_a_title_or_description_not_in_english_is_flagged(
    tmp_path: Path, key: str, text: str, language: str, fragment: str
) -> None:
    doc = yaml.safe_load(VALID_TEXT) | {key: text, "language": language}
    body = dump(doc)
    root = make_repo(tmp_path, {HOME: body})
    code, found = diagnostics("--root", root, "validate")
    assert code == 0
    (d,) = found
    line = next(n for n, s in enumerate(body.splitlines(), 1) if s.startswith(f"{key}:"))
    assert (d["code"], d["severity"], d["line"], d["column"]) == (
        "not-english",
        "warning",
        line,
        len(key) + 3,
    )
    assert fragment in d["message"]
    assert f"write the {key} in English, the site's language" in d["message"]
    strict, _ = diagnostics("--root", root, "validate", "--strict")
    assert strict == 1
    shown = invoke("--root", root, "validate", "--strict")
    assert f"{HOME}:{line}:{len(key) + 3}: error: the {key} does not " in shown.output


@pytest.mark.parametrize(
    ("title", "language"),
    [
        ("Lunch at a Bistro in Lyon", "fr"),
        ("Ordering at an 居酒屋 in Osaka", "ja"),
        ("Tapas at 'La Bodeguita del Medio'", "es"),
        ("Feira Livre", "pt-BR"),  # a name alone, without little words, passes
        ("Hotel Check-in", "de"),
    ],
)
def test_an_english_title_passes(tmp_path: Path, title: str, language: str) -> None:
    doc = yaml.safe_load(VALID_TEXT) | {"title": title, "language": language}
    root = make_repo(tmp_path, {HOME: dump(doc)})
    assert [d["code"] for d in diagnostics("--root", root, "validate")[1]] == []


# Translations are required in templates and in scenarios started from one.


def test_an_entry_without_translation_in_a_scenario_from_a_template(project: Path) -> None:
    new("--template", "library-visit", "--id", "biblioteca", "--title", "At the library")
    path = project / "scenarios" / "education" / "biblioteca.yaml"
    text = path.read_text(encoding="utf-8")
    doc = load(path)
    entry = doc["phases"][0]["key_vocabulary"][1]
    needle = f"        translation: {entry['translation']}\n"
    assert needle in text
    path.write_text(text.replace(needle, "", 1), encoding="utf-8")
    code, found = diagnostics("validate", path)
    assert code == 0
    # (Besides the near-copy of its template: its words are the template's, tests/test_copies.)
    (d,) = [d for d in found if d["code"] != "near-copy"]
    line = path.read_text(encoding="utf-8").splitlines()[d["line"] - 1]
    assert line[d["column"] - 1 :] == f"term: {entry['term']}"
    assert d["code"] == "missing-translation"
    assert d["message"].startswith(
        f"phase 1 › key_vocabulary 2 '{entry['term']}' has no translation"
    )
    assert diagnostics("validate", "--strict", path)[0] == 1


def test_a_plain_entry_in_a_template_needs_a_translation(tmp_path: Path) -> None:
    template = yaml.safe_load(VALID_TEXT) | {
        "scenario_id": "restaurant-dining",
        "created_by": "maintainers",
    }
    body = dump(template)
    root = make_repo(tmp_path, {"templates/restaurant-dining.yaml": body})
    code, found = diagnostics("--root", root, "validate", "--strict")
    assert code == 1
    (d,) = found
    assert d["code"] == "missing-translation"
    assert body.splitlines()[d["line"] - 1].strip() == "- la carta"
    assert "write it as a mapping, `term: …` with `translation: …`" in d["message"]


def test_a_scenario_not_started_from_a_template_may_keep_plain_entries(tmp_path: Path) -> None:
    """The old app's imports and the example write some entries as plain words."""
    root = make_repo(tmp_path, {HOME: VALID_TEXT})
    assert diagnostics("--root", root, "validate", "--strict") == (0, [])
