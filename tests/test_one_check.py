"""One check for every command: what `build`, `serve`, `fmt`, `review`, `new`, `import`,
`list` and `export` say of a file is what `validate` says of it.

Each repository below is broken in a way that once made the commands disagree: the build
skipped the repository's rules once the schema found anything in a file, and judged the
rules that read the catalog (duplicate ids, unknown sources) only on clean files, so a
duplicate id or an unknown source next to a schema error went unreported. Each is built on
disk and run through `scenarios validate --format json`, `scenarios build` (its text
report, and the library's `Report`), a rebuild and `serve`'s rebuild, and compared
diagnostic by diagnostic: file, line, column, code, severity and message.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenariokit.author.serve import rebuild
from scenariokit.author.writer import canonical_text, modeline_for
from scenariokit.build.outputs import BuildFailed
from scenariokit.build.run import build
from scenariokit.check.diagnostics import Diagnostic
from scenariokit.check.validate import validate
from scenariokit.files.loader import MAX_BYTES
from scenariokit.files.repository import default_paths
from tests.helpers import bench_module, diagnostics, dump, invoke, make_repo, valid_doc

# A diagnostic as every command can show it: file, line, column, code, severity, message.
Key = tuple[str, int, int, str, str, str]
# `path:line:column: severity: message [code]`, as `build` and `serve` print diagnostics.
LINE = re.compile(
    r"(?P<path>[^:\s][^:]*):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): "
    r"(?P<message>.*) \[(?P<code>[^\]]+)\]"
)


def scenario(scenario_id: str, **changes: Any) -> str:
    """The valid example under another id, with `changes` (a value None removes a key).

    Titled after its id: files that share a title are near-copies, which `validate` alone
    judges (a judgement on the repository, not on a file: check/copies.py).
    """
    doc = valid_doc() | {"scenario_id": scenario_id, "title": f"Tapas: {scenario_id}"} | changes
    return dump({k: v for k, v in doc.items() if v is not None})


def phases_with(**changes: Any) -> list[dict[str, Any]]:
    """The example's phases, the first one changed."""
    phases: list[dict[str, Any]] = valid_doc()["phases"]
    phases[0] |= changes
    return phases


def own_phases() -> list[dict[str, Any]]:
    """The example's phases with words of their own: not a near-copy of the example."""
    phases: list[dict[str, Any]] = valid_doc()["phases"]
    for phase in phases:
        for key, words in (("key_vocabulary", "term"), ("essential_phrases", "text")):
            for number, entry in enumerate(phase[key]):
                if isinstance(entry, dict):
                    entry[words] += " bien"
                else:
                    phase[key][number] = f"{entry} bien"
    return phases


def untranslated_phases() -> list[dict[str, Any]]:
    """The example's phases with one vocabulary entry still to translate."""
    phases: list[dict[str, Any]] = valid_doc()["phases"]
    phases[0]["key_vocabulary"][0] = {"term": "TODO: the bill", "translation": "the bill"}
    return phases


def too_many_keys() -> str:
    """A scenario named like the template `twin`, with 120 keys the schema does not know."""
    return scenario("twin") + "".join(f"unknown_{n:03d}: x\n" for n in range(120))


# name: the repository's files (relative path → content).
BROKEN: dict[str, dict[str, str | bytes]] = {
    "schema and rule errors in one file": {
        # The schema: a difficulty not in the list. The rules: the folder is not the
        # category, a phase id repeated, a language tag not in canonical form.
        "scenarios/travel/mixed-up.yaml": scenario(
            "mixed-up",
            difficulty="impossible",
            language="ES",
            phases=phases_with(phase_id="ordering"),
        ),
        "scenarios/restaurant/clean.yaml": scenario("clean"),
    },
    "the same id in several files": {
        "scenarios/restaurant/twin.yaml": scenario("twin"),
        "templates/twin.yaml": scenario("twin"),
        # Named `other` but claiming `twin`: a mismatch, and a third claim on the id.
        "scenarios/restaurant/other.yaml": scenario("twin"),
    },
    "a duplicate id in a file with schema errors": {
        "scenarios/restaurant/twin.yaml": scenario("twin", difficulty="impossible", title=None),
        "templates/twin.yaml": scenario("twin"),
    },
    "warnings only": {
        "scenarios/restaurant/to-translate.yaml": scenario(
            "to-translate", phases=untranslated_phases()
        ),
        "scenarios/restaurant/too-long.yaml": scenario("too-long", estimated_duration=60),
        "scenarios/restaurant/copied.yaml": scenario("copied", derived_from="nowhere-to-be-found"),
    },
    "a missing source in a file with errors": {
        "scenarios/restaurant/copied.yaml": scenario(
            "copied", derived_from="gone-away", difficulty="impossible"
        ),
        "scenarios/restaurant/clean.yaml": scenario(
            "clean", derived_from="copied", phases=own_phases()
        ),
    },
    "files that do not load": {
        "scenarios/restaurant/syntax.yaml": "scenario_id: syntax\ntitle: [unclosed\n",
        "scenarios/restaurant/latin1.yaml": b"scenario_id: latin1\ntitle: caf\xe9\n",
        "scenarios/restaurant/empty.yaml": "",
        "scenarios/restaurant/keys.yaml": "scenario_id: keys\nscenario_id: keys\n",
        "scenarios/restaurant/copied.yaml": scenario("copied", derived_from="syntax-error"),
    },
    "more problems than are shown": {
        "scenarios/restaurant/twin.yaml": too_many_keys(),
        "templates/twin.yaml": scenario("twin"),
    },
}


def keys(found: list[Diagnostic]) -> list[Key]:
    """Diagnostics as compared, in a stable order (commands list files in their own)."""
    return sorted((d.path, d.line, d.column, d.code, d.severity, d.message) for d in found)


def parsed(text: str) -> list[Key]:
    """The diagnostics printed in `text`, one a line."""
    found = [LINE.fullmatch(line) for line in text.splitlines()]
    return sorted(
        (m["path"], int(m["line"]), int(m["column"]), m["code"], m["severity"], m["message"])
        for m in found
        if m is not None
    )


def validated() -> tuple[int, list[Key]]:
    """`scenarios validate --format json` in the current folder: exit code, diagnostics."""
    code, found = diagnostics("validate")
    return code, sorted(
        (d["path"], d["line"], d["column"], d["code"], d["severity"], d["message"]) for d in found
    )


def built(out: Path) -> tuple[int, list[Key]]:
    """`scenarios build --out OUT`: exit code, and the diagnostics it printed (any stream)."""
    result = invoke("build", "--out", out)
    return result.exit_code, parsed(result.stdout + result.stderr)


def library_report(root: Path, out: Path) -> tuple[list[Diagnostic], str]:
    """The diagnostics `build` found (a failure's or the warnings), and its summary."""
    try:
        result = build(root, out)
    except BuildFailed as failed:
        return failed.report.diagnostics, failed.report.summary()
    return result.warnings, ""


def served(root: Path, out: Path) -> list[Key]:
    """The diagnostics `serve` shows after one of its rebuilds."""
    shown: list[str] = []
    rebuild(root, out, shown.append)
    return parsed("\n".join(shown))


MakeRepo = Callable[..., Path]


@pytest.fixture
def at_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeRepo:
    """Make a repository of `files` (in `tmp_path/name`) and work in it, so that paths are
    shown relative to it."""

    def make(files: dict[str, str | bytes], name: str = "repo") -> Path:
        root = make_repo(tmp_path / name, files)
        monkeypatch.chdir(root)
        return root

    return make


@pytest.mark.parametrize("name", BROKEN)
def test_build_and_serve_report_what_validate_reports(
    name: str, at_repo: MakeRepo, tmp_path: Path
) -> None:
    root = at_repo(BROKEN[name])
    code, expected = validated()
    assert expected, "each repository is broken somehow"
    errors = any(k[4] == "error" for k in expected)
    assert code == (1 if errors else 0)

    exit_code, printed = built(tmp_path / "out")
    assert (exit_code, printed) == (code, expected)
    found, summary = library_report(root, tmp_path / "again")
    report = validate(default_paths(root), root)
    assert keys(found) == keys(report.diagnostics) == expected
    # Every field, the JSON pointer too, and the summary line.
    assert sorted(found, key=str) == sorted(report.diagnostics, key=str)
    assert summary == (report.summary() if errors else "")
    assert served(root, tmp_path / "served") == expected


def test_the_headline_cases_are_told_by_the_build(at_repo: MakeRepo, tmp_path: Path) -> None:
    """What the build once left out: each is in its report now, as `validate` has it."""
    at_repo(BROKEN["a duplicate id in a file with schema errors"])
    _, printed = built(tmp_path / "out")
    assert ("scenarios/restaurant/twin.yaml", "duplicate-id") in {(k[0], k[3]) for k in printed}
    assert ("templates/twin.yaml", "duplicate-id") in {(k[0], k[3]) for k in printed}
    at_repo(BROKEN["a missing source in a file with errors"], "another")
    _, printed = built(tmp_path / "out2")
    assert ("scenarios/restaurant/copied.yaml", "unknown-source") in {(k[0], k[3]) for k in printed}


def test_a_rebuild_reports_what_validate_reports(at_repo: MakeRepo, tmp_path: Path) -> None:
    """Unchanged files' diagnostics come from the build state, changed ones are checked."""
    root = at_repo(BROKEN["warnings only"] | {"scenarios/restaurant/plain.yaml": scenario("plain")})
    out = tmp_path / "out"
    assert built(out) == validated()
    # `plain` now claims `copied`'s id (and `too-long` breaks the schema): the others'
    # warnings are the last build's, theirs are new.
    (root / "scenarios/restaurant/plain.yaml").write_text(scenario("copied"), "utf-8")
    (root / "scenarios/restaurant/too-long.yaml").write_text(
        scenario("too-long", estimated_duration=60, difficulty="impossible"), "utf-8"
    )
    code, expected = validated()
    assert code == 1
    assert {"duplicate-id", "id-mismatch", "not-allowed", "untranslated"} <= {
        k[3] for k in expected
    }
    assert built(out) == (1, expected)
    assert served(root, out) == expected
    found, _ = library_report(root, out)
    assert keys(found) == expected


def test_fmt_reports_a_file_that_does_not_load_as_validate_does(at_repo: MakeRepo) -> None:
    at_repo(BROKEN["files that do not load"])
    _, expected = validated()
    result = invoke("fmt", "--check")
    assert result.exit_code == 1
    unloadable = {"syntax.yaml", "latin1.yaml", "empty.yaml", "keys.yaml"}
    assert parsed(result.stderr) == [k for k in expected if Path(k[0]).name in unloadable]


def test_review_gives_the_reason_validate_gives(at_repo: MakeRepo) -> None:
    root = at_repo({"README.md": "scenarios\n"})

    def git(*args: str) -> None:
        identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run(["git", *identity, *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-qm", "base")
    git("switch", "-qc", "change")
    broken = root / "scenarios/restaurant/broken.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("scenario_id: broken\ntitle: [unclosed\n", "utf-8")
    git("add", ".")
    git("commit", "-qm", "broken")
    ((*_, code, _, message),) = validated()[1]
    assert code == "yaml-syntax"
    result = invoke("review", "--base", "main", "--author", "octocat")
    assert result.exit_code == 1
    assert f"who owns this scenario cannot be checked: {message};" in result.output


def test_new_refuses_what_validate_would_refuse(at_repo: MakeRepo) -> None:
    root = at_repo({"templates/twin.yaml": scenario("twin")})
    result = invoke(
        "new", "--template", "twin", "--id", "twin", "--title", "Twins", "--author", "octocat"
    )
    assert result.exit_code == 1
    told = [line.strip() for line in result.output.splitlines() if line.startswith("  /")]
    # The same document written by hand: `validate` gives the same errors.
    doc = yaml_doc(root / "templates/twin.yaml") | {
        "title": "Twins",
        "created_by": "octocat",
        "is_system_scenario": False,
        "is_public": True,
        "derived_from": "twin",
    }
    path = root / "scenarios/restaurant/twin.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(canonical_text(doc, modeline_for(path, root)), "utf-8")
    _, found = diagnostics("validate", path)
    assert told == [
        f"{d['pointer'] or '/'}: {d['message']} [{d['code']}]"
        for d in found
        if d["severity"] == "error"
    ]
    assert "duplicate-id" in result.output


def yaml_doc(path: Path) -> dict[str, Any]:
    """The data of a scenario file."""
    doc: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    return doc


def test_import_refuses_a_file_validate_would_refuse_as_too_large(
    at_repo: MakeRepo, tmp_path: Path
) -> None:
    """The largest valid scenario, its texts in 3-byte characters: within the schema's
    limits, but its file would be over the 1 MiB every command refuses to read."""
    root = at_repo({})
    huge = in_three_bytes(bench_module("worst_case").worst_scenario("huge"))
    del huge["derived_from"]
    path = root / "scenarios/restaurant/huge.yaml"
    assert len(canonical_text(huge, modeline_for(path, root)).encode()) > MAX_BYTES
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps([huge]), "utf-8")
    result = invoke("import", rows)
    assert result.exit_code == 1
    (problem,) = [line for line in result.output.splitlines() if line.startswith("  row")]
    assert problem.startswith("  row 1 (huge): /: the file is ")
    assert problem.endswith(
        f"bytes; scenario files may be at most {MAX_BYTES:,} bytes (1 MiB): split it or "
        "shorten it [file-too-large]"
    )
    assert not (root / "scenarios").exists()


def in_three_bytes(node: Any) -> Any:
    """`node` with every `"` of its texts (one byte) replaced by a 3-byte character."""
    if isinstance(node, str):
        return node.replace('"', "語")
    if isinstance(node, list):
        return [in_three_bytes(item) for item in node]
    if isinstance(node, dict):
        return {key: in_three_bytes(value) for key, value in node.items()}
    return node


def test_export_refuses_a_file_with_a_rule_error(at_repo: MakeRepo, tmp_path: Path) -> None:
    """An export must import again, and import refuses a file with any error."""
    files: dict[str, str | bytes] = {
        "scenarios/restaurant/repeated.yaml": scenario(
            "repeated", phases=phases_with(phase_id="ordering")
        ),
        "scenarios/restaurant/clean.yaml": scenario("clean"),
    }
    at_repo(files)
    code, found = validated()
    assert (code, [k[3] for k in found]) == (1, ["duplicate-phase-id"])
    exported = invoke("export")
    assert exported.exit_code == 1
    assert "1 file cannot be exported (scenarios/restaurant/repeated.yaml)" in exported.output
    # What it would have exported is refused by import, for the same reason.
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps([yaml.safe_load(text) for text in files.values()]), "utf-8")
    at_repo({}, "empty")
    imported = invoke("import", rows)
    assert imported.exit_code == 1
    assert "[duplicate-phase-id]" in imported.output
