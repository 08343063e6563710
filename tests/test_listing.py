"""`scenarios list` and `scenarios show`: the old builder's listings, filtered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import dump, invoke, make_repo, valid_doc


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
