"""Copies: `validate` warns on a near-copy (`near-copy`), `review` on a public page that breaks.

Real repositories (the shipped library, or files written here) checked through the CLI, and
real git histories with a branch for `review`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import (
    REPO,
    diagnostics,
    dump,
    git,
    invoke,
    library_copy,
    make_repo,
    valid_doc,
)

TAPAS = "scenarios/restaurant/tapas-bar-madrid.yaml"


def doc_of(scenario_id: str, title: str, **changes: Any) -> dict[str, Any]:
    return valid_doc() | {"scenario_id": scenario_id, "title": title} | changes


def line_of(path: Path, start: str) -> int:
    """The 1-based line of `path` that starts with `start`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


def near_copies(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in found if d["code"] == "near-copy"]


# --- validate: the same title --------------------------------------------------------


def test_a_verbatim_copy_of_a_shipped_scenario_is_flagged_at_its_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = library_copy(tmp_path / "repo")
    source = (root / TAPAS).read_text(encoding="utf-8")
    copy = root / "scenarios/restaurant/my-tapas.yaml"
    copy.write_text(
        source.replace("scenario_id: tapas-bar-madrid", "scenario_id: my-tapas"), encoding="utf-8"
    )
    monkeypatch.chdir(root)
    code, found = diagnostics("validate")
    assert code == 0  # a warning
    warned = near_copies(found)
    assert {d["path"] for d in warned} == {TAPAS, "scenarios/restaurant/my-tapas.yaml"}
    mine = next(d for d in warned if d["path"].endswith("my-tapas.yaml"))
    assert mine["severity"] == "warning"
    assert (mine["line"], mine["column"]) == (line_of(copy, "title:"), len("title: ") + 1)
    assert mine["pointer"] == "/title"
    assert "the scenario 'tapas-bar-madrid'" in mine["message"]
    assert "give this scenario a title of its own" in mine["message"]
    code, found = diagnostics("validate", "--strict")
    assert code == 1
    assert {d["severity"] for d in near_copies(found)} == {"error"}


def test_titles_are_compared_casefolded_without_punctuation_or_extra_spaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(
        tmp_path / "repo",
        {
            "scenarios/restaurant/first.yaml": dump(doc_of("first", "Ordering Tapas in Madrid")),
            "scenarios/restaurant/second.yaml": dump(
                doc_of("second", "  ordering TAPAS, in   Madrid!")
            ),
            "scenarios/restaurant/third.yaml": dump(doc_of("third", "Ordering Tapas in Málaga")),
        },
    )
    monkeypatch.chdir(root)
    _, found = diagnostics("validate")
    assert sorted(d["path"] for d in near_copies(found)) == [
        "scenarios/restaurant/first.yaml",
        "scenarios/restaurant/second.yaml",
    ]


def test_only_the_copy_is_warned_when_it_names_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(
        tmp_path / "repo",
        {
            "scenarios/restaurant/first.yaml": dump(doc_of("first", "Tapas")),
            "scenarios/restaurant/second.yaml": dump(
                doc_of("second", "Tapas", derived_from="first")
            ),
        },
    )
    monkeypatch.chdir(root)
    _, found = diagnostics("validate")
    assert {d["path"] for d in near_copies(found)} == {"scenarios/restaurant/second.yaml"}


def test_a_scenario_titled_as_a_template_is_warned_and_the_template_never(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = library_copy(tmp_path / "repo")
    monkeypatch.chdir(root)
    template = "templates/restaurant-dining.yaml"
    title = next(
        line[len("title: ") :]
        for line in (root / template).read_text("utf-8").splitlines()
        if line.startswith("title: ")
    )
    path = root / "scenarios/restaurant/mine.yaml"
    path.write_text(dump(doc_of("mine", title.strip("'\""))), encoding="utf-8")
    _, found = diagnostics("validate")
    assert [d["path"] for d in near_copies(found)] == ["scenarios/restaurant/mine.yaml"]
    assert "the template 'restaurant-dining'" in near_copies(found)[0]["message"]
    # Checking the one file: the templates' titles are read for it.
    _, found = diagnostics("validate", "scenarios/restaurant/mine.yaml")
    assert [d["pointer"] for d in near_copies(found)] == ["/title"]


def test_many_scenarios_with_titles_of_their_own_are_not_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over 400 files, so the check runs in two forked workers (`SCENARIOKIT_JOBS=2`)."""
    files = {
        f"scenarios/restaurant/tapas-{n}.yaml": dump(doc_of(f"tapas-{n}", f"Tapas, round {n}"))
        for n in range(420)
    }
    files["scenarios/restaurant/again.yaml"] = dump(doc_of("again", "Tapas round 7"))
    root = make_repo(tmp_path / "repo", files)
    monkeypatch.chdir(root)
    monkeypatch.setenv("SCENARIOKIT_JOBS", "2")
    result = invoke("validate", "--format", "json")
    assert result.exit_code == 0
    found = json.loads(result.stdout)
    assert sorted(d["path"] for d in near_copies(found)) == [
        "scenarios/restaurant/again.yaml",
        "scenarios/restaurant/tapas-7.yaml",
    ]
    assert len(found) == 2  # nothing else


def test_the_shipped_library_has_no_near_copy() -> None:
    result = invoke("--root", REPO, "validate", "--strict", REPO / "scenarios", REPO / "templates")
    assert result.exit_code == 0, result.output
    assert "near-copy" not in result.output


# --- validate: entries unchanged from derived_from -----------------------------------


def with_entries_changed(doc: dict[str, Any], count: int) -> dict[str, Any]:
    """`doc` with the words of its first `count` vocabulary entries and phrases changed."""
    changed = 0
    for phase in doc["phases"]:
        for key, words in (("key_vocabulary", "term"), ("essential_phrases", "text")):
            for number, entry in enumerate(phase[key]):
                if changed == count:
                    return doc
                if isinstance(entry, dict):
                    entry[words] = f"nuevo {changed}"
                else:
                    phase[key][number] = f"nuevo {changed}"
                changed += 1
    return doc


def entry_count(doc: dict[str, Any]) -> int:
    return sum(
        len(phase["key_vocabulary"]) + len(phase["essential_phrases"]) for phase in doc["phases"]
    )


def test_a_duplicate_that_keeps_most_entries_is_a_near_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = library_copy(tmp_path / "repo")
    monkeypatch.chdir(root)
    made = invoke(
        "duplicate", "tapas-bar-madrid", "tapas-de-ana", "--author", "ana", "--title", "Ana's tapas"
    )
    assert made.exit_code == 0, made.output
    path = root / "scenarios/restaurant/tapas-de-ana.yaml"
    _, found = diagnostics("validate", "scenarios/restaurant/tapas-de-ana.yaml")
    [warning] = near_copies(found)
    doc = yaml.safe_load(path.read_text("utf-8"))
    total = entry_count(doc)
    assert f"{total} of its {total} vocabulary and phrase entries" in warning["message"]
    assert "the scenario 'tapas-bar-madrid', which derived_from names" in warning["message"]
    # At the phase holding the most unchanged entries: its first line.
    sizes = [len(p["key_vocabulary"]) + len(p["essential_phrases"]) for p in doc["phases"]]
    biggest = sizes.index(max(sizes))
    assert warning["pointer"] == f"/phases/{biggest}"
    phase_id = doc["phases"][biggest]["phase_id"]
    assert warning["line"] == line_of(path, f"  - phase_id: {phase_id}")
    # The whole repository: the source is never warned.
    _, found = diagnostics("validate")
    assert [d["path"] for d in near_copies(found)] == ["scenarios/restaurant/tapas-de-ana.yaml"]


def test_the_share_of_unchanged_entries_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = doc_of("source", "The source")
    total = entry_count(source)
    kept_at_threshold = -(-3 * total // 4)  # 75% rounded up: still a near-copy
    files = {"scenarios/restaurant/source.yaml": dump(source)}
    for name, changed in (
        ("at", total - kept_at_threshold),
        ("below", total - kept_at_threshold + 1),
    ):
        copy = with_entries_changed(doc_of(name, f"A copy {name}", derived_from="source"), changed)
        files[f"scenarios/restaurant/{name}.yaml"] = dump(copy)
    root = make_repo(tmp_path / "repo", files)
    monkeypatch.chdir(root)
    _, found = diagnostics("validate")
    [warning] = near_copies(found)
    assert warning["path"] == "scenarios/restaurant/at.yaml"
    assert f"{kept_at_threshold} of its {total}" in warning["message"]
    assert "rewrite at least 1 of them" in warning["message"]


def test_a_changed_translation_does_not_make_an_entry_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = doc_of("source", "The source")
    copy = doc_of("copy", "The copy", derived_from="source")
    for phase in copy["phases"]:
        for entry in phase["key_vocabulary"]:
            if isinstance(entry, dict):
                entry["translation"] = "something else"
                entry["term"] = entry["term"].upper()  # casefolded: the same words
    root = make_repo(
        tmp_path / "repo",
        {
            "scenarios/restaurant/source.yaml": dump(source),
            "scenarios/restaurant/copy.yaml": dump(copy),
        },
    )
    monkeypatch.chdir(root)
    _, found = diagnostics("validate")
    assert [d["path"] for d in near_copies(found)] == ["scenarios/restaurant/copy.yaml"]


def test_a_template_s_words_are_there_to_be_kept_but_not_its_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template is a scaffold: a scenario started from it in its language keeps its words
    (the table, the menu, the bill) without being a near-copy; keeping its title is one."""
    root = library_copy(tmp_path / "repo")
    monkeypatch.chdir(root)
    made = invoke(
        "new", "--template", "restaurant-dining", "--title", "Tapas in Sevilla",
        "--language", "es", "--author", "ana",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "near-copy" not in made.output
    relative = "scenarios/restaurant/tapas-in-sevilla.yaml"
    assert near_copies(diagnostics("validate", "--strict", relative)[1]) == []
    made = invoke(
        "new", "--template", "restaurant-dining", "--title", "Restaurant dining experience",
        "--id", "kept-title", "--language", "es", "--author", "ana",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "Not your own yet: `validate --strict` refuses it as a near-copy" in made.output
    assert "is already the title of the template 'restaurant-dining'" in made.output
    code, found = diagnostics("validate", "--strict", "scenarios/restaurant/kept-title.yaml")
    assert code == 1
    assert [d["pointer"] for d in near_copies(found)] == ["/title"]


def test_a_template_s_words_kept_in_another_language_are_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The builder's form let a teacher change a Spanish template's language to Japanese and
    keep its Spanish words: every check passed. `new --language ja` writes each as
    `TODO: <words>`; the words themselves, kept, are now warned (an error with --strict).
    A regional variant of the template's language keeps them as its own."""
    root = library_copy(tmp_path / "repo")
    monkeypatch.chdir(root)
    made = invoke(
        "new", "--template", "restaurant-dining", "--title", "Dinner in Osaka",
        "--id", "dinner-in-osaka", "--language", "ja", "--author", "ana",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    relative = "scenarios/restaurant/dinner-in-osaka.yaml"
    assert near_copies(diagnostics("validate", "--strict", relative)[1]) == []
    doc = yaml.safe_load((root / relative).read_text("utf-8"))
    for phase in doc["phases"]:
        for field, key in (("key_vocabulary", "term"), ("essential_phrases", "text")):
            for entry in phase[field]:
                entry[key] = entry[key].removeprefix("TODO: ")  # the template's words
    (root / relative).write_text(dump(doc), encoding="utf-8")
    code, found = diagnostics("validate", "--strict", relative)
    assert code == 1
    [warned] = near_copies(found)
    assert warned["pointer"].startswith("/phases/")
    assert "keep the words of the template 'restaurant-dining'" in warned["message"]
    assert "written in 'es' while this scenario is in 'ja': translate each" in warned["message"]
    (root / relative).write_text(dump(doc | {"language": "es-MX"}), encoding="utf-8")
    assert near_copies(diagnostics("validate", "--strict", relative)[1]) == []


def test_one_file_checked_is_compared_with_every_scenario_as_ci_compares_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate --strict my-file.yaml` refuses the copy CI's whole-repository run refuses:
    the other files' titles are read for it, however they are quoted."""
    root = library_copy(tmp_path / "repo")
    quoted = root / "scenarios/travel/quoted.yaml"
    quoted.write_text(
        dump(doc_of("quoted", "A title: quoted, with a colon", category="travel")),
        encoding="utf-8",
    )
    assert "title: 'A title: quoted, with a colon'" in quoted.read_text("utf-8")
    copy = root / "scenarios/restaurant/my-tapas.yaml"
    copy.write_text(dump(doc_of("my-tapas", "Ordering tapas in Madrid")), encoding="utf-8")
    again = root / "scenarios/shopping/again.yaml"
    again.write_text(
        dump(doc_of("again", "A title - quoted with a colon!", category="shopping")),
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    for path, named in [(copy, "the scenario 'tapas-bar-madrid'"), (again, "'quoted'")]:
        code, found = diagnostics("validate", "--strict", path.relative_to(root))
        assert code == 1
        [warning] = near_copies(found)
        assert named in warning["message"]
    # The whole repository says the same of them.
    _, found = diagnostics("validate", "--strict")
    warned = {d["path"] for d in near_copies(found)}
    assert {"scenarios/restaurant/my-tapas.yaml", "scenarios/shopping/again.yaml"} <= warned


# --- review: a public page that breaks -------------------------------------------------

MINE = "scenarios/restaurant/octocat-tapas.yaml"
DRAFT = "scenarios/restaurant/octocat-draft.yaml"


def scenario(scenario_id: str, **changes: Any) -> str:
    return dump(
        doc_of(scenario_id, f"Tapas {scenario_id}", created_by="octocat", is_system_scenario=False)
        | changes
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main: octocat's public scenario and a draft; then the branch `change`."""
    root = make_repo(
        tmp_path / "repo",
        {
            ".github/CODEOWNERS": "*  @lead\n",
            MINE: scenario("octocat-tapas"),
            DRAFT: scenario("octocat-draft", is_public=False),
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    git(root, "switch", "-qc", "change")
    monkeypatch.chdir(root)
    return root


def commit(
    root: Path, edits: dict[str, str | None], *, moves: tuple[tuple[str, str], ...] = ()
) -> None:
    for old, new in moves:
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        git(root, "mv", old, new)
    for path, text in edits.items():
        if text is None:
            git(root, "rm", "-q", path)
        else:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
            git(root, "add", path)
    git(root, "commit", "-qm", "change")


def review(*extra: str) -> tuple[int, str]:
    result = invoke("review", "--base", "main", "--author", "octocat", *extra)
    return result.exit_code, result.output


def test_renaming_a_public_scenario_names_the_address_that_breaks(repo: Path) -> None:
    new = "scenarios/restaurant/octocat-tapas-2.yaml"
    commit(repo, {new: scenario("octocat-tapas-2")}, moves=((MINE, new),))
    code, output = review()
    assert code == 0, output  # the maintainer's decision, not a failed check
    assert (
        f"warning: {new}: the public scenario 'octocat-tapas' is renamed to 'octocat-tapas-2', "
        "so its page scenarios/octocat-tapas/ " in output
    )
    assert "keep the file's name and scenario_id 'octocat-tapas'" in output
    assert "[link-breaks]" in output
    assert output.rstrip().endswith(
        "all ownership rules hold; 1 public page will break (a maintainer decides)"
    )
    code, markdown = review("--format", "markdown")
    assert code == 0
    assert "### Public pages that will break" in markdown
    assert "- `scenarios/octocat-tapas/` (`scenarios/restaurant/octocat-tapas-2.yaml`)" in markdown
    _, annotations = review("--format", "github")
    assert f"::warning file={new},title=public page will break::" in annotations


def test_unpublishing_or_removing_a_public_scenario_breaks_its_page(repo: Path) -> None:
    commit(repo, {MINE: scenario("octocat-tapas", is_public=False)})
    _, output = review()
    assert "the public scenario 'octocat-tapas' is made a draft (is_public: false)" in output
    assert "leave it public (is_public: true)" in output
    commit(repo, {MINE: None})
    _, output = review()
    assert "the public scenario 'octocat-tapas' is removed, so its page" in output
    assert output.count("[link-breaks]") == 1


def test_what_keeps_every_address_is_not_reported(repo: Path) -> None:
    # Moved to another category (the id, and so the page, stays), a draft removed, a
    # draft renamed, a public scenario edited.
    moved = "scenarios/travel/octocat-tapas.yaml"
    commit(
        repo,
        {moved: scenario("octocat-tapas", category="travel", description="Tapas on the road")},
        moves=((MINE, moved),),
    )
    commit(repo, {DRAFT: None})
    code, output = review()
    assert code == 0, output
    assert "link-breaks" not in output
    assert output.rstrip().endswith("all ownership rules hold")
    code, markdown = review("--format", "markdown")
    assert "Public pages that will break" not in markdown


def test_an_address_given_to_another_file_is_kept(repo: Path) -> None:
    new = "scenarios/restaurant/octocat-tapas-old.yaml"
    commit(
        repo,
        {new: scenario("octocat-tapas-old"), MINE: scenario("octocat-tapas", title="A new one")},
        moves=((MINE, new),),
    )
    _, output = review()
    assert "link-breaks" not in output
