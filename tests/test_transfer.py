"""Import and export: the old app's scenarios.json, this tool's export, all or nothing."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from scenariokit.author.emitter import without_header_comments
from scenariokit.author.transfer import MAX_IMPORT_BYTES
from scenariokit.files.loader import read_source
from tests.helpers import REPO, invoke, make_repo, run_installed

SAMPLE = REPO / "tests" / "data" / "legacy-scenarios.json"  # the old app's sample
LEGACY_ROW: dict[str, Any] = json.loads(
    """{"id": 1, "scenario_id": "restaurant-01", "title": "Restaurant conversation 1",
    "description": "A restaurant role-play.", "category": "restaurant",
    "difficulty": "intermediate", "estimated_duration": 12, "language": "es",
    "user_role": "Learner", "ai_role": "Local speaker", "setting": "A restaurant in Madrid.",
    "created_by": null, "is_system_scenario": true, "is_public": true, "prerequisites": [],
    "learning_outcomes": ["Handle a restaurant situation"], "vocabulary_focus": ["la mesa"],
    "cultural_context": null, "created_at": "2025-12-21T10:00:00",
    "updated_at": "2025-12-21T10:00:00", "phases": []}"""
)


def legacy_phase(scenario_id: str, number: int) -> dict[str, Any]:
    return {
        "id": number,
        "scenario_id": scenario_id,
        "phase_number": number,
        "phase_id": f"phase-{number}",
        "name": f"Step {number}",
        "description": "A step.",
        "expected_duration_minutes": 3,
        "key_vocabulary": [f"palabra {number}-{i}" for i in range(4)],
        "essential_phrases": ["¿Me puede ayudar?", "No entiendo.", "Gracias."],
        "learning_objectives": ["Use the words"],
        "success_criteria": ["Uses one word"],
        "cultural_notes": None,
        "created_at": "2025-12-21T10:00:00",
        "updated_at": "2025-12-21T10:00:00",
    }


def legacy_rows(count: int = 31, total_phases: int = 107) -> list[dict[str, Any]]:
    """Rows in the old table's shape: `count` scenarios with `total_phases` phases in all."""
    categories = [
        "restaurant",
        "travel",
        "shopping",
        "business",
        "social",
        "healthcare",
        "emergency",
        "daily_life",
        "hobbies",
        "education",
    ]
    four = total_phases - 3 * count  # rows with four phases, the rest have three
    rows = []
    for n in range(count):
        category = categories[n % len(categories)]
        scenario_id = f"{category.replace('_', '-')}-{n:02d}"
        phases = [legacy_phase(scenario_id, p) for p in range(1, (4 if n < four else 3) + 1)]
        rows.append(
            copy.deepcopy(LEGACY_ROW)
            | {
                "id": n + 1,
                "scenario_id": scenario_id,
                "title": f"{LEGACY_ROW['title']} {n}",  # each its own: no near-copy
                "category": category,
                "phases": list(reversed(phases)),  # stored order is not phase order
                "estimated_duration": 3 * len(phases),
                "created_by": None if n % 2 else "octocat",
                "is_system_scenario": n % 2 == 1,
            }
        )
    return rows


@pytest.fixture
def empty_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(tmp_path / "repo", {})
    monkeypatch.chdir(root)
    return root


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def test_import_of_the_old_apps_sample(empty_repo: Path) -> None:
    result = invoke("import", SAMPLE)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "wrote scenarios/restaurant/restaurant-01.yaml\n"
        "wrote scenarios/restaurant/restaurant-02.yaml\n"
        "Imported 2 scenarios with 7 phases (read back and verified).\n"
    )
    doc = read_source(empty_repo / "scenarios" / "restaurant" / "restaurant-01.yaml").data
    assert doc["created_by"] == "maintainers"
    assert [p["phase_id"] for p in doc["phases"]] == ["phase-1", "phase-2", "phase-3", "phase-4"]
    assert "cultural_notes" not in doc["phases"][0]
    assert "id" not in doc
    assert invoke("validate").exit_code == 0


def test_import_of_31_scenarios_and_107_phases(empty_repo: Path, tmp_path: Path) -> None:
    source = write_json(tmp_path / "scenarios.json", legacy_rows())
    result = invoke("import", source, "--author", "maintainers")
    assert result.exit_code == 0, result.output
    assert "Imported 31 scenarios with 107 phases (read back and verified)." in result.output
    files = sorted((empty_repo / "scenarios").rglob("*.yaml"))
    assert len(files) == 31
    assert sum(len(read_source(f).data["phases"]) for f in files) == 107
    assert invoke("validate", "--strict").exit_code == 0
    assert invoke("fmt", "--check").exit_code == 0
    owners = {read_source(f).data["created_by"] for f in files}
    assert owners == {"maintainers", "octocat"}
    phases = read_source(empty_repo / "scenarios" / "restaurant" / "restaurant-00.yaml").data
    assert [p["phase_id"] for p in phases["phases"]] == [f"phase-{n}" for n in range(1, 5)]

    before = snapshot(empty_repo)
    again = invoke("import", source)
    assert (again.exit_code, again.stdout) == (1, "")
    refused = again.stderr.splitlines()
    assert refused[0] == "error: nothing was imported:"
    assert len(refused) == 32  # every one of the 31, by row, file and the way out
    assert all(line.endswith(" already exists (--force replaces it)") for line in refused[1:])
    assert snapshot(empty_repo) == before


def test_dry_run_writes_nothing(empty_repo: Path) -> None:
    result = invoke("import", SAMPLE, "--dry-run")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "would write scenarios/restaurant/restaurant-01.yaml\n"
        "would write scenarios/restaurant/restaurant-02.yaml\n"
        "Dry run: 2 scenarios with 7 phases would be imported; nothing was written.\n"
    )
    assert snapshot(empty_repo) == {}


def test_malformed_rows_are_all_reported_and_nothing_is_written(
    empty_repo: Path, tmp_path: Path
) -> None:
    rows = legacy_rows(4, 12)
    rows[1]["phases"][0]["key_vocabulary"] = ["solo una", "y otra"]
    rows[2]["difficulty"] = "expert"
    rows[3]["scenario_id"] = rows[0]["scenario_id"]
    rows.append("not a row")  # type: ignore[arg-type]
    result = invoke("import", write_json(tmp_path / "bad.json", rows))
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    # The old table stored phases in any order: the first stored one is phase 3.
    assert (
        "row 2 (travel-01): /phases/2/key_vocabulary: phase 3 › key_vocabulary needs at "
        "least 3 entries but has 2" in result.output
    )
    assert "row 3 (shopping-02): /difficulty: difficulty must be one of" in result.output
    assert (
        "row 4 (restaurant-00): /scenario_id: scenario_id 'restaurant-00' is also used"
        in result.output
    )
    assert "row 5: not an object" in result.output
    assert result.output.index("row 1 ") < result.output.index("row 5:")
    assert snapshot(empty_repo) == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2,", "bad.json:1:7: not valid JSON"),
        ('{"format": "something else"}', "is neither the old app's scenarios.json"),
        ('{"format": "scenariokit", "version": 9, "scenarios": []}', "an export of version 9"),
        ('{"format": "scenariokit", "version": true, "scenarios": []}', "of version True;"),
        (
            '{"format": "scenariokit", "version": 1, "scenarios": {"a": {}}}',
            'an export\'s "scenarios" must be a list of scenarios: nothing was imported',
        ),
        (
            '{"format": "scenariokit", "version": 1, "scenarios": '
            '[{"title": "Dup key test", "title": "Second title wins"}]}',
            "bad.json: the key 'title' is written twice in one object (JSON readers keep one "
            "of them, silently): keep one; nothing was imported",
        ),
    ],
)
def test_unreadable_import_files(
    empty_repo: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = invoke("import", path)
    assert result.exit_code == 1
    assert message in result.output


def test_force_replaces_existing_scenarios(empty_repo: Path, tmp_path: Path) -> None:
    rows = legacy_rows(2, 6)
    invoke("import", write_json(tmp_path / "a.json", rows))
    rows[0]["title"] = "A better title"
    result = invoke("import", write_json(tmp_path / "b.json", rows), "--force")
    assert result.exit_code == 0, result.output
    assert "(replacing it)" in result.output
    doc = read_source(empty_repo / "scenarios" / "restaurant" / "restaurant-00.yaml").data
    assert doc["title"] == "A better title"


def test_export_then_import_gives_identical_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = tmp_path / "export.json"
    monkeypatch.chdir(REPO)
    assert invoke("export", "-o", exported).exit_code == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == ("scenariokit", 1)
    originals = sorted((REPO / "scenarios").rglob("*.yaml"))
    assert len(data["scenarios"]) == len(originals)

    target = make_repo(tmp_path / "copy", {})
    monkeypatch.chdir(target)
    result = invoke("import", exported)
    assert result.exit_code == 0, result.output
    copies = sorted((target / "scenarios").rglob("*.yaml"))
    assert [p.relative_to(target) for p in copies] == [p.relative_to(REPO) for p in originals]
    # The files' data, in the canonical layout; comments (the `# spelling:` allow-lists) are
    # about checking a file, not part of the scenario, so JSON does not carry them (README).
    for original, copied in zip(originals, copies, strict=True):
        expected = without_header_comments(original.read_text(encoding="utf-8"))
        assert copied.read_text(encoding="utf-8") == expected, original.name


def test_export_refuses_to_overwrite_a_file(empty_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("precious", encoding="utf-8")
    result = invoke("export", "-o", out)
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "precious"
    assert invoke("export", "-o", out, "--force").exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["scenarios"] == []


def test_export_to_stdout(empty_repo: Path) -> None:
    shutil.copytree(REPO / "scenarios", empty_repo / "scenarios")
    result = invoke("export")
    assert result.exit_code == 0
    ids = [s["scenario_id"] for s in json.loads(result.stdout)["scenarios"]]
    assert "tapas-bar-madrid" in ids


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _over_the_cap(path: Path) -> Path:
    """A sparse file one byte over the cap: its size is real, its blocks are not."""
    path.write_bytes(b"")
    os.truncate(path, MAX_IMPORT_BYTES + 1)
    return path


@pytest.mark.parametrize(
    ("make", "exit_code", "message"),
    [
        pytest.param(_fifo, 2, "is not a regular file", id="fifo"),
        pytest.param(lambda _: Path("/dev/zero"), 2, "is not a regular file", id="device"),
        pytest.param(_folder, 2, "is a directory", id="folder"),
        pytest.param(
            _over_the_cap, 1, f"import files may be at most {MAX_IMPORT_BYTES:,} bytes", id="cap"
        ),
    ],
)
def test_import_reads_only_a_regular_file_within_its_cap(
    empty_repo: Path, tmp_path: Path, make: Any, exit_code: int, message: str
) -> None:
    """A FIFO would wait for a writer forever, a device never ends: neither is read.

    Run as a user would, in a subprocess with a timeout: a hang fails the test.
    """
    path = make(tmp_path / "rows\x1b[2J.json")
    result = run_installed("import", path, cwd=empty_repo)
    assert result.returncode == exit_code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "\x1b" not in result.stderr  # the name is shown escaped, never as a control
    assert snapshot(empty_repo) == {}


def test_import_follows_a_link_the_user_names(empty_repo: Path, tmp_path: Path) -> None:
    """The reader never follows a link under scenarios/; a file the user names may be one."""
    link = tmp_path / "link.json"
    link.symlink_to(write_json(tmp_path / "rows.json", legacy_rows(2, 6)))
    result = invoke("import", link)
    assert result.exit_code == 0, result.output
    assert len(snapshot(empty_repo)) == 2


def test_import_help_states_the_cap() -> None:
    assert f"at most {MAX_IMPORT_BYTES >> 20} MiB" in invoke("import", "--help").output


def test_force_over_a_folder_is_refused_before_anything_is_written(
    empty_repo: Path, tmp_path: Path
) -> None:
    """A folder where a file goes: the dry run and the run refuse it, every file as it was.

    `import --force` replaced the files before it, left a `.tmp` beside the folder and
    exited 2, after a dry run that promised it would work (found by a hostile review).
    """
    rows = legacy_rows(3, 6)
    invoke("import", write_json(tmp_path / "a.json", rows))
    files = sorted((empty_repo / "scenarios").rglob("*.yaml"))
    for path in files:
        path.write_text(path.read_text("utf-8") + "# my note\n", "utf-8")
    files[-1].unlink()
    files[-1].mkdir()
    for options in (["--dry-run"], []):
        result = invoke("import", write_json(tmp_path / "b.json", rows), "--force", *options)
        assert (result.exit_code, result.stdout) == (1, "")
        assert f"{files[-1].relative_to(empty_repo)} is a folder, not a file" in result.stderr
    assert all("# my note" in p.read_text("utf-8") for p in files[:-1])
    assert [p.name for p in (empty_repo / "scenarios").rglob(".*")] == []


def test_a_replacement_that_fails_halfway_puts_every_file_back(tmp_path: Path) -> None:
    """`write_files(replace=True)`: the second rename fails (its staged file is gone), and
    the first target, already replaced, gets its own content back; nothing is left over."""
    from scenariokit.author import writer

    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("mine\n", "utf-8")
    second.write_text("also mine\n", "utf-8")
    staged = [(writer._stage(first, "new\n"), first), (writer._stage(second, "new\n"), second)]
    staged[1][0].unlink()
    with pytest.raises(FileNotFoundError):
        writer._place_over(staged)
    assert (first.read_text("utf-8"), second.read_text("utf-8")) == ("mine\n", "also mine\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


def test_old_phases_numbered_as_text_are_put_in_their_order(
    empty_repo: Path, tmp_path: Path
) -> None:
    """`phase_number: "3"`, phases reversed: imported 1 to 4 (they came out 4, 3, 2, 1;
    found by a hostile review)."""
    row = json.loads(SAMPLE.read_text("utf-8"))[0]
    row["phases"] = [dict(p, phase_number=str(p["phase_number"])) for p in reversed(row["phases"])]
    result = invoke("import", write_json(tmp_path / "text.json", [row]))
    assert result.exit_code == 0, result.output
    doc = read_source(empty_repo / "scenarios" / "restaurant" / "restaurant-01.yaml").data
    assert [p["phase_id"] for p in doc["phases"]] == ["phase-1", "phase-2", "phase-3", "phase-4"]
