"""`scenarios list` and `scenarios show`: the old builder's listings, filtered."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import dump, invoke, make_repo, run_installed, valid_doc


def scenario(scenario_id: str, **changes: object) -> tuple[str, str]:
    doc = valid_doc() | {"scenario_id": scenario_id} | changes
    return f"scenarios/{doc['category']}/{scenario_id}.yaml", dump(doc)


@pytest.fixture
def shelf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(
        tmp_path,
        dict(
            [
                scenario("mine-public"),
                scenario("mine-draft", is_public=False),
                scenario(
                    "theirs-french", created_by="monalisa", language="fr", difficulty="advanced"
                ),
                scenario(
                    "system-one",
                    created_by="maintainers",
                    is_system_scenario=True,
                    category="travel",
                ),
            ]
        ),
    )
    monkeypatch.chdir(root)
    return root


def listed(*args: str) -> list[str]:
    result = invoke("list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [row["scenario_id"] for row in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["mine-draft", "mine-public", "theirs-french", "system-one"]),
        (["--author", "octocat"], ["mine-draft", "mine-public"]),
        (["--public"], ["mine-public", "theirs-french", "system-one"]),
        (["--private"], ["mine-draft"]),
        (["--system"], ["system-one"]),
        (["--user"], ["mine-draft", "mine-public", "theirs-french"]),
        (["--language", "fr"], ["theirs-french"]),
        (["--difficulty", "advanced"], ["theirs-french"]),
        (["--category", "travel"], ["system-one"]),
        (["--author", "octocat", "--public"], ["mine-public"]),
    ],
)
def test_filters(shelf: Path, args: list[str], expected: list[str]) -> None:
    assert listed(*args) == expected


def test_table(shelf: Path) -> None:
    result = invoke("list", "--author", "octocat")
    lines = result.stdout.splitlines()
    headers = ["id", "title", "language", "level", "category", "phases", "owner", "status"]
    assert lines[0].split() == headers
    assert lines[2].split()[0] == "mine-draft"
    assert lines[2].endswith("octocat  draft")
    assert lines[3].endswith("octocat  public")
    assert all(line == line.rstrip() for line in lines)
    assert lines[-1] == "2 scenarios"


def test_list_says_when_files_are_skipped(shelf: Path) -> None:
    (shelf / "scenarios" / "travel" / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    result = invoke("list")
    assert result.exit_code == 0
    assert result.stderr == "1 file could not be read and is not listed: run `scenarios validate`\n"
    assert result.stdout.splitlines()[-1] == "4 scenarios"
    (shelf / "scenarios" / "travel" / "other.yaml").write_text("b: ]\n", encoding="utf-8")
    result = invoke("list")
    assert result.exit_code == 0
    assert result.stderr == (
        "2 files could not be read and are not listed: run `scenarios validate`\n"
    )


def test_show_prints_the_file_or_its_data(shelf: Path) -> None:
    path = shelf / "scenarios" / "restaurant" / "mine-public.yaml"
    assert invoke("show", "mine-public").stdout == path.read_text(encoding="utf-8")
    data = json.loads(invoke("show", "mine-public", "--format", "json").stdout)
    assert data["scenario_id"] == "mine-public"
    missing = invoke("show", "nowhere")
    assert missing.exit_code == 1
    assert "no scenario or template 'nowhere'" in missing.stderr


@pytest.fixture
def portuguese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Portuguese in three tags, and Spanish beside it."""
    root = make_repo(
        tmp_path / "repo",
        dict(
            [
                scenario("feira-rio", language="pt-BR", title="Feira no Rio"),
                scenario("feira-lisboa", language="pt-PT", title="Feira em Lisboa"),
                scenario("feira-geral", language="pt", title="Feira"),
                scenario("feria-madrid", language="es", title="Feria en Madrid"),
            ]
        ),
    )
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("pt", ["feira-geral", "feira-lisboa", "feira-rio"]),
        ("PT", ["feira-geral", "feira-lisboa", "feira-rio"]),
        ("pt-BR", ["feira-rio"]),
        ("pt-br", ["feira-rio"]),
        ("pt-PT", ["feira-lisboa"]),
        ("es", ["feria-madrid"]),
        ("p", []),
    ],
)
def test_a_language_takes_in_its_regional_variants(
    portuguese: Path, tag: str, expected: list[str]
) -> None:
    """`--language pt` lists every Portuguese scenario, as the site's filter groups them;
    a regional tag lists only its own."""
    assert sorted(listed("--language", tag)) == expected


def test_search_takes_in_regional_variants_too(portuguese: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("build", "--out", out).exit_code == 0

    def found(*args: str) -> list[str]:
        result = invoke("search", "feira", "--out", out, "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return sorted(hit["scenario_id"] for hit in json.loads(result.stdout))

    assert found() == ["feira-geral", "feira-lisboa", "feira-rio"]
    assert found("--language", "pt") == ["feira-geral", "feira-lisboa", "feira-rio"]
    assert found("--language", "pt-BR") == ["feira-rio"]
    assert found("--language", "pt-PT") == ["feira-lisboa"]
    assert found("--language", "es") == []


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def no_global_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the repository's own git config counts: not this machine's user's."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.mark.usefixtures("no_global_git_config")
def test_mine_reads_the_login_from_git_config(shelf: Path) -> None:
    git(shelf, "init", "-q")
    git(shelf, "config", "github.user", "monalisa")
    assert listed("--mine") == ["theirs-french"]
    git(shelf, "config", "github.user", "octocat")
    assert listed("--mine") == ["mine-draft", "mine-public"]
    assert listed("--mine", "--public") == ["mine-public"]
    both = invoke("list", "--mine", "--author", "octocat")
    assert both.exit_code == 2
    assert "--mine and --author both name an owner" in both.stderr


@pytest.mark.usefixtures("no_global_git_config")
def test_mine_says_what_to_set_when_git_config_has_no_login(shelf: Path) -> None:
    git(shelf, "init", "-q")
    result = run_installed("list", "--mine", cwd=shelf)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "git config --global github.user LOGIN" in result.stderr
    assert "--author LOGIN" in result.stderr
