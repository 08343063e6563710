"""Issue 14, point 8: odd input to any command ends in a diagnostic, never a traceback.

Each class of input is written as real files in a real repository (a git checkout), and
every command that reads them runs as the installed `scenarios` script, so a traceback on
stderr is seen as a user would see it. For each: exit 1 or 2 (0 where the input is fine),
a diagnostic with file and line, and no "Traceback" anywhere.

Several bad files share one repository per class, each with its own id: one run of each
command covers the class, and the JSON diagnostics say which file got which verdict.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scenariokit.files.loader import MAX_BYTES, MAX_DEPTH
from tests.helpers import (
    REPO,
    VALID_TEXT,
    dump,
    installed_command,
    invoke,
    make_repo,
    run_installed,
    valid_doc,
)

HOME = "scenarios/restaurant"


def _git_init(root: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _variant(scenario_id: str, text: str = VALID_TEXT) -> str:
    """The valid example under another id (so many can share a repository)."""
    return text.replace("scenario_id: tapas-bar-madrid", f"scenario_id: {scenario_id}", 1)


def _repo(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return _git_init(make_repo(tmp_path / "repo", files))


def _snapshot(root: Path) -> dict[str, str]:
    """Every file of the repository (but git's own) with its content's hash."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def _run(root: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The installed script; never a traceback, and only the documented exit codes."""
    done = run_installed("--root", root, *args, cwd=root)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode in (0, 1, 2), (done.returncode, done.stderr[-3000:])
    return done


def _validate(root: Path) -> dict[str, list[dict[str, Any]]]:
    """JSON diagnostics of `validate`, by file name."""
    done = _run(root, "validate", "--format", "json")
    by_file: dict[str, list[dict[str, Any]]] = {}
    for found in json.loads(done.stdout):
        by_file.setdefault(Path(found["path"]).name, []).append(found)
    return by_file


def _every_command(root: Path, tmp_path: Path, ids: list[str]) -> None:
    """build, fmt, list, show (each id) and export: none ends in a traceback; build writes
    nothing when a file is bad, and export refuses what it cannot export."""
    out = tmp_path / "out"
    build = _run(root, "build", "--out", out)
    assert build.returncode == 1
    assert not out.exists()
    _run(root, "fmt")
    _run(root, "list")
    _run(root, "list", "--format", "json")
    assert _run(root, "export").returncode == 1
    for scenario_id in ids[:3]:  # the installed script for a few, in-process for all
        _run(root, "show", scenario_id)
    for scenario_id in ids:
        for output_format in ("yaml", "json"):
            assert invoke(
                "--root", root, "show", scenario_id, "--format", output_format
            ).exit_code in (0, 1)


def _assert_located(
    found: dict[str, list[dict[str, Any]]], name: str, code: str, line: int
) -> None:
    """`name` has a diagnostic `code` on `line` (with a column)."""
    assert name in found, sorted(found)
    located = [(d["code"], d["line"]) for d in found[name]]
    assert (code, line) in located, (name, located)
    assert all(d["column"] >= 1 for d in found[name])


# --- huge and odd numbers --------------------------------------------------------------------

# Written values, in four kinds of field: the ones over MAX_NUMBER_CHARACTERS are refused by
# the loader (Python cannot print, or even read, them); the others are numbers or text the
# schema judges (0x1F is 31, 017 is 15, 1_000 is 1000, 1:30 is 90, 1.0e+400 is infinite).
NUMBERS = {
    "huge-decimal": "1" + "0" * 5000,
    "huge-hex": "0x" + "f" * 5000,
    "huge-octal": "0" + "7" * 300,
    "long-sexagesimal": ":".join(["59"] * 400),
    "hex": "0x1F",
    "octal": "017",
    "not-octal": "0o17",
    "underscores": "1_000",
    "sexagesimal": "1:30",
    "huge-float": "1" + "0" * 5000 + ".5",
    "float-overflow": "1.0e+400",
    "infinity": ".inf",
    "minus-infinity": "-.inf",
    "not-a-number": ".nan",
}
TOO_LONG = {"huge-decimal", "huge-hex", "huge-octal", "long-sexagesimal"}


def _number_files() -> Iterator[tuple[str, str, str, int]]:
    """(file id, kind, text, line of the number) for each number in each kind of field."""
    lines = VALID_TEXT.splitlines(keepends=True)
    duration = next(i for i, line in enumerate(lines) if line.startswith("estimated_duration:"))
    phase = next(i for i, line in enumerate(lines) if "expected_duration_minutes:" in line)
    title = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    entry = next(i for i, line in enumerate(lines) if line.strip() == "- la carta")
    for kind, written in NUMBERS.items():
        for place, index, line in (
            ("duration", duration, f"estimated_duration: {written}\n"),
            ("phase", phase, f"    expected_duration_minutes: {written}\n"),
            ("title", title, f"title: {written}\n"),
            ("entry", entry, f"      - {written}\n"),
        ):
            scenario_id = f"n-{kind}-{place}"
            changed = [*lines[:index], line, *lines[index + 1 :]]
            if place != "title":  # a title of its own: not a near-copy of the others
                changed[title] = f"title: Tapas {scenario_id}\n"
            yield scenario_id, kind, _variant(scenario_id, "".join(changed)), index + 1


def test_huge_and_odd_numbers_in_every_kind_of_field(tmp_path: Path) -> None:
    """Python refuses to print an int of over 4,300 digits (and to read one in decimal):
    such a number is refused where it is written, shown briefly; odd ones (hex, octal,
    `1_000`, YAML 1.1's sexagesimal `1:30`, 1.0e+400, .inf, .nan) are values
    the schema judges: where text is wanted, the diagnostic is on their line."""
    files = list(_number_files())
    root = _repo(tmp_path, {f"{HOME}/{i}.yaml": text for i, _, text, _ in files})
    found = _validate(root)
    for scenario_id, kind, _, line in files:
        name = f"{scenario_id}.yaml"
        if kind in TOO_LONG:
            _assert_located(found, name, "number-too-long", line)
            assert len(found[name][0]["message"]) < 300  # the value is shown briefly
        elif kind != "not-octal" and scenario_id.endswith(("-title", "-entry")):
            _assert_located(found, name, "wrong-type", line)
    assert found["n-underscores-duration.yaml"][0]["code"] == "too-large"
    assert "n-not-octal-title.yaml" not in found  # YAML 1.1 has no 0o: it is text
    _every_command(root, tmp_path, [i for i, _, _, _ in files])


# --- deep nesting ----------------------------------------------------------------------------

# Every depth up to past the loader's limit, and the thresholds past it: libyaml's own (1,000),
# Python's recursion limit (jsonschema, positions, ruamel, json), the 1 MiB size limit.
DEPTHS = [*range(1, MAX_DEPTH + 3), 60, 63, 64, 65, 66, 70, 100, 500, 1000, 5000, 100_000, 500_000]


def _nested(style: str, depth: int, indent: int) -> str:
    """A value nested `depth` levels deep, in one of YAML's four ways, for a key at `indent`.

    Block styles start on the next line: a block sequence of block sequences is one line
    (`- - - x`); block mappings need one more space per level.
    """
    if style == "flow-list":
        return "[" * depth + "x" + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + "x" + "}" * depth
    if style == "block-list":
        return "\n" + " " * (indent + 1) + "- " * depth + "x"
    keys = [" " * (indent + 1 + level) + "a:" for level in range(depth)]
    return "\n" + "\n".join(keys) + " x"


def _deep_files(styles: tuple[str, ...]) -> Iterator[tuple[str, str, int, int]]:
    """(file id, text, depth of the document, line of the value) per style, depth, place."""
    lines = VALID_TEXT.splitlines(keepends=True)
    setting = next(i for i, line in enumerate(lines) if line.startswith("setting:"))
    notes = next(i for i, line in enumerate(lines) if "cultural_notes:" in line)
    for style in styles:
        for depth in DEPTHS:
            if style == "block-map" and depth > 1000:
                continue  # its indentation alone passes 1 MiB: the size limit's case
            for place, index, indent, outer in (("top", setting, 0, 1), ("phase", notes, 4, 3)):
                scenario_id = f"d-{style}-{depth}-{place}"
                key = lines[index].split(":", 1)[0]
                changed = [*lines[:index], f"{key}: {_nested(style, depth, indent)}\n"]
                text = "".join([*changed, *lines[index + 1 :]])
                value_line = index + 1 + style.startswith("block")
                yield scenario_id, _variant(scenario_id, text), depth + outer, value_line


@pytest.mark.parametrize("styles", [("flow-list", "flow-map"), ("block-list", "block-map")])
def test_deep_nesting_at_every_depth(tmp_path: Path, styles: tuple[str, ...]) -> None:
    """Up to the limit a nested value is an ordinary schema error (text expected) at its
    line; past it, `too-deep` at the line where it passes the limit, whatever walks the
    data next (the schema validator, positions, fmt's ruamel, export's JSON, the pages)."""
    files = list(_deep_files(styles))
    root = _repo(tmp_path, {f"{HOME}/{i}.yaml": text for i, text, _, _ in files})
    found = _validate(root)
    for scenario_id, text, depth, line in files:
        name = f"{scenario_id}.yaml"
        if len(text.encode()) > MAX_BYTES:
            _assert_located(found, name, "file-too-large", 1)
        elif depth > MAX_DEPTH:
            codes = [d["code"] for d in found[name]]
            assert codes == ["too-deep"], (name, codes)
            assert found[name][0]["line"] >= line
        else:
            _assert_located(found, name, "wrong-type", line)
    _every_command(root, tmp_path, [i for i, _, _, _ in files])


# --- keys --------------------------------------------------------------------------------------

# (written key line, code); each is put at the top level, in a phase and in a vocabulary entry.
KEYS = {
    "int": ("1: x", "key-not-text"),
    "null": ("null: x", "key-not-text"),
    "tilde": ("~: x", "key-not-text"),
    "bool": ("true: x", "key-not-text"),
    "on": ("on: x", "key-not-text"),
    "date": ("2024-01-01: x", "key-not-text"),
    "float": ("1.5: x", "key-not-text"),
    "complex": ("? [a, b]\n{indent}: x", "key-not-text"),
    "complex-map": ("? {{a: 1}}\n{indent}: x", "key-not-text"),
    "merge": ("<<: {{zzz: 1}}", "yaml-merge"),
    "merge-list": ("<<: [{{zzz: 1}}, {{yyy: 2}}]", "yaml-merge"),
}


def _key_files() -> Iterator[tuple[str, str, int, int]]:
    """(file id, text, line, column) of each odd key in each kind of mapping."""
    lines = VALID_TEXT.splitlines(keepends=True)
    setting = next(i for i, line in enumerate(lines) if line.startswith("setting:"))
    notes = next(i for i, line in enumerate(lines) if "cultural_notes:" in line)
    term = next(i for i, line in enumerate(lines) if "- term: la mesa" in line)
    for name, (key, _) in KEYS.items():
        for place, index, indent in (
            ("top", setting, ""),
            ("phase", notes, "    "),
            ("entry", term + 1, "        "),
        ):
            scenario_id = f"k-{name}-{place}"
            written = indent + key.format(indent=indent) + "\n"
            changed = [*lines[: index + 1], written, *lines[index + 1 :]]
            yield scenario_id, _variant(scenario_id, "".join(changed)), index + 2, len(indent) + 1


def test_keys_that_are_not_text_are_refused_at_the_key(tmp_path: Path) -> None:
    """YAML reads `1`, `null`, `true`, `on`, `2024-01-01`, `1.5` as other things than text,
    and `? [a, b]` makes a list a key; a merge key `<<` would copy keys in (with positions
    that point elsewhere). Each is refused where it is written, in every command."""
    files = list(_key_files())
    root = _repo(tmp_path, {f"{HOME}/{i}.yaml": text for i, text, _, _ in files})
    found = _validate(root)
    for scenario_id, _, line, column in files:
        name = f"{scenario_id}.yaml"
        code = KEYS[scenario_id.split("-", 1)[1].rsplit("-", 1)[0]][1]
        assert [(d["code"], d["line"]) for d in found[name]] == [(code, line)], name
        assert found[name][0]["column"] >= column
    merge = found["k-merge-top.yaml"][0]["message"]
    assert "merge keys (<<) are not allowed" in merge
    assert "write the keys out" in merge
    assert "YAML reads it as a date" in found["k-date-phase.yaml"][0]["message"]
    _every_command(root, tmp_path, [i for i, _, _, _ in files])


# --- odd files ---------------------------------------------------------------------------------

END = VALID_TEXT.count("\n") + 1  # the line after the example's last
ODD_FILES: dict[str, tuple[str | bytes, str, int]] = {
    "o-empty": ("", "empty-file", 1),
    "o-comment": ("# only a comment\n", "empty-file", 1),
    "o-document-marker": ("---\n", "empty-file", 1),
    "o-list": ("- a\n- b\n", "wrong-type", 1),
    "o-scalar": ("just some text\n", "wrong-type", 1),
    "o-number": ("5\n", "wrong-type", 1),
    "o-second-document": (_variant("o-second-document") + "---\na: 1\n", "yaml-syntax", END),
    "o-nul": (_variant("o-nul").replace("title: ", "title: a\x00b ", 1), "yaml-character", 3),
    "o-tag": ("!!python/object/apply:os.system ['true']\n", "yaml-tag", 1),
    "o-set": (_variant("o-set") + "extra: !!set {a, b}\n", "yaml-tag", END),
    "o-binary": (_variant("o-binary") + "extra: !!binary aGVsbG8=\n", "yaml-tag", END),
    "o-no-such-date": (
        _variant("o-no-such-date").replace(
            "estimated_duration: 15", "estimated_duration: 2024-02-30"
        ),
        "yaml-value",
        7,
    ),
    "o-date-title": (
        _variant("o-date-title").replace("title: ", "title: 2024-01-01 #", 1),
        "wrong-type",
        3,
    ),
    "o-one-long-line": ("title: " + "a" * (MAX_BYTES - 20) + "\n", "too-long", 1),
    "o-over-the-limit": ("title: " + "a" * MAX_BYTES + "\n", "file-too-large", 1),
}


def test_odd_files_in_every_command(tmp_path: Path) -> None:
    """Empty, a comment, a list or a scalar at the top, a second document, NUL bytes, tags,
    sets and binary data, a date YAML cannot build, a 1 MiB line, a BOM with CRLF (fine)."""
    files: dict[str, str | bytes] = {
        f"{HOME}/{i}.yaml": text for i, (text, _, _) in ODD_FILES.items()
    }
    files[f"{HOME}/o-bom-crlf.yaml"] = (
        b"\xef\xbb\xbf" + _variant("o-bom-crlf").replace("\n", "\r\n").encode()
    )
    root = _repo(tmp_path, files)
    found = _validate(root)
    for scenario_id, (_, code, line) in ODD_FILES.items():
        _assert_located(found, f"{scenario_id}.yaml", code, line)
    assert "o-bom-crlf.yaml" not in found
    _every_command(root, tmp_path, [*ODD_FILES, "o-bom-crlf"])


@pytest.mark.parametrize(
    "scenario_id", ["../x", "../../etc/passwd", "a/b", "", ".", "..", "x" * 5000, "-x"]
)
def test_show_and_duplicate_of_an_id_that_is_a_path(tmp_path: Path, scenario_id: str) -> None:
    """An id is looked up among the repository's files, never opened as a path."""
    root = _repo(tmp_path, {f"{HOME}/tapas-bar-madrid.yaml": VALID_TEXT})
    (tmp_path / "x.yaml").write_text(VALID_TEXT, encoding="utf-8")
    before = _snapshot(root)
    assert _run(root, "show", scenario_id).returncode in (1, 2)
    copy = invoke("--root", root, "duplicate", "tapas-bar-madrid", scenario_id, "--author", "me")
    assert copy.exit_code in (1, 2)
    assert _snapshot(root) == before


# --- import ------------------------------------------------------------------------------------


def _export(rows: list[Any]) -> str:
    return json.dumps({"format": "scenariokit", "version": 1, "scenarios": rows})


def _import_refused(tmp_path: Path, document: str, *fragments: str) -> str:
    """Import `document` into a repository: refused (exit 1), nothing written, the
    message holding each fragment."""
    root = _repo(tmp_path, {f"{HOME}/tapas-bar-madrid.yaml": VALID_TEXT})
    source = tmp_path / "import.json"
    source.write_text(document, encoding="utf-8")
    before = _snapshot(root)
    done = _run(root, "import", source)
    assert done.returncode == 1, done.stdout + done.stderr
    for extra in ("--dry-run", "--force"):  # in-process: an exception would fail the test
        again = invoke("--root", root, "import", source, extra)
        assert (again.exit_code, again.stderr) == (1, done.stderr)
    for fragment in fragments:
        assert fragment in done.stderr, done.stderr
    assert _snapshot(root) == before
    return done.stderr


def _doc(scenario_id: str, **changes: Any) -> dict[str, Any]:
    doc = valid_doc()
    doc["scenario_id"] = scenario_id
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    ("rows", "fragments"),
    [
        pytest.param(
            ["a string", 5, None, [1, 2]],
            ["row 1:", "row 2:", "row 3:", "row 4:"],
            id="rows not objects",
        ),
        pytest.param(
            [_doc("abc-one", phases={"a": 1})], ["row 1 (abc-one)", "phases"], id="phases a mapping"
        ),
        pytest.param(
            [_doc("abc-one", id="1")], ["row 1 (abc-one)", "unknown key 'id'"], id="id a string"
        ),
        pytest.param(
            [_doc("abc-one", phases=[None, {"key_vocabulary": [None]}], title=None)],
            ["row 1 (abc-one)"],
            id="nested nulls",
        ),
        pytest.param(
            [_doc("abc-one"), _doc("abc-two"), _doc("abc-one")],
            ["row 3 (abc-one): the same scenario_id as row 1"],
            id="duplicate ids",
        ),
        pytest.param(
            [_doc("abc-one", extra=json.loads("[" * 900 + "]" * 900))],
            ["row 1 (abc-one)", f"more than {MAX_DEPTH} levels"],
            id="deep value",
        ),
        pytest.param(
            [_doc("abc-one", category="a\x00b")],
            ["row 1 (abc-one)", "simple names"],
            id="NUL in category",
        ),
        pytest.param([_doc("x" * 5000)], ["row 1 (xxxx", "scenario_id"], id="very long id"),
        pytest.param(
            [_doc("abc-one", estimated_duration=10**99)],
            ["row 1 (abc-one)", "at most 60"],
            id="big number",
        ),
    ],
)
def test_import_of_mixed_types_is_refused_all_or_nothing(
    tmp_path: Path, rows: list[Any], fragments: list[str]
) -> None:
    _import_refused(tmp_path, _export(rows), "nothing was imported", *fragments)


def test_import_of_duplicate_legacy_ids_names_both_rows(tmp_path: Path) -> None:
    """Two rows of the old table with one scenario_id: neither is written (before, both
    were reported written and one was left)."""
    first = {**_doc("tapas-bar-sevilla"), "id": 1}
    second = {**_doc("tapas-bar-sevilla"), "id": 2, "title": "Another title"}
    _import_refused(
        tmp_path,
        json.dumps([first, second]),
        "row 2 (tapas-bar-sevilla): the same scenario_id as row 1",
    )


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(
            '{"format": "scenariokit", "version": 1, "scenarios": [{"a": 1' + "0" * 5000 + "}]}",
            id="5,000 digits",
        ),
        pytest.param("[" * 100_000 + "]" * 100_000, id="100,000 brackets"),
        pytest.param(
            '{"format": "scenariokit", "version": [1], "scenarios": []}', id="odd version"
        ),
        pytest.param('{"format": {}, "scenarios": []}', id="odd format"),
        pytest.param('"just text"', id="a string"),
    ],
)
def test_import_documents_python_cannot_hold(tmp_path: Path, document: str) -> None:
    _import_refused(tmp_path, document)


@pytest.mark.parametrize("field", ["category", "scenario_id"])
def test_import_of_a_legacy_row_that_would_leave_the_repository(tmp_path: Path, field: str) -> None:
    row = {**_doc("abc-one"), "id": 1, field: "../../outside"}
    _import_refused(tmp_path, json.dumps([row]), "row 1")
    assert not (tmp_path / "outside.yaml").exists()
    assert not (tmp_path / "outside").exists()


# --- a category path that is a file ------------------------------------------------------------


def test_a_category_path_that_is_a_file(tmp_path: Path) -> None:
    """`scenarios/shopping` is a file: new, duplicate and import into it are refused
    clearly (exit 1), and nothing is written."""
    shopping = VALID_TEXT.replace("category: restaurant", "category: shopping").replace(
        "scenario_id: tapas-bar-madrid", "scenario_id: market-template"
    )
    root = _repo(
        tmp_path,
        {
            f"{HOME}/tapas-bar-madrid.yaml": VALID_TEXT,
            "scenarios/shopping": "a file where a folder should be\n",
            "templates/market-template.yaml": shopping,
        },
    )
    before = _snapshot(root)
    new = _run(
        root,
        "new",
        "--template",
        "market-template",
        "--id",
        "flea-market",
        "--title",
        "Flea market",
        "--language",
        "es",
        "--author",
        "octocat",
    )
    duplicate = _run(root, "duplicate", "market-template", "flea-market", "--author", "octocat")
    source = tmp_path / "import.json"
    source.write_text(_export([_doc("flea-market", category="shopping")]), encoding="utf-8")
    imported = _run(root, "import", source)
    dry_run = _run(root, "import", source, "--dry-run")
    for done in (new, duplicate, imported, dry_run):
        assert done.returncode == 1, done.stdout + done.stderr
        assert "shopping is a file, not a folder" in done.stderr, done.stderr
    assert _snapshot(root) == before


# --- modes of written files --------------------------------------------------------------------


@pytest.fixture
def umask() -> Iterator[Any]:
    """Set the process's umask for a test (the script inherits it), then put it back."""
    saved = os.umask(0o022)
    os.umask(saved)

    def set_to(value: int) -> None:
        os.umask(value)

    yield set_to
    os.umask(saved)


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o755, 0o600])
def test_fmt_and_import_keep_a_rewritten_files_mode(tmp_path: Path, mode: int) -> None:
    root = _repo(tmp_path, {f"{HOME}/tapas-bar-madrid.yaml": VALID_TEXT})
    target = root / HOME / "tapas-bar-madrid.yaml"
    target.chmod(mode)
    assert _run(root, "fmt").returncode == 0
    assert target.read_text(encoding="utf-8") != VALID_TEXT  # rewritten: lists in block style
    assert stat.S_IMODE(target.stat().st_mode) == mode
    source = tmp_path / "import.json"
    source.write_text(
        _export([_doc("tapas-bar-madrid", title="Tapas in Madrid")]), encoding="utf-8"
    )
    assert _run(root, "import", source, "--force").returncode == 0
    assert "title: Tapas in Madrid" in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_files_get_the_mode_open_gives_under_the_umask(
    tmp_path: Path, umask: Any, mask: int, expected: int
) -> None:
    umask(mask)
    root = _repo(
        tmp_path,
        {
            f"{HOME}/tapas-bar-madrid.yaml": VALID_TEXT,
            "templates/bar-template.yaml": _variant("bar-template"),
        },
    )
    source = tmp_path / "import.json"
    source.write_text(_export([_doc("tapas-bar-cadiz")]), encoding="utf-8")
    for command in (
        ["new", "--template", "bar-template", "--id", "bar-lyon", "--title", "Un bar en Lyon"],
        ["duplicate", "tapas-bar-madrid", "tapas-bar-sevilla"],
        ["import", source],
        ["export", "-o", tmp_path / "exported.json"],
    ):
        author = ["--author", "octocat"] if command[0] in ("new", "duplicate") else []
        language = ["--language", "es"] if command[0] == "new" else []
        done = _run(root, *command, *author, *language)
        assert done.returncode == 0, done.stderr
    written = [
        root / HOME / "bar-lyon.yaml",
        root / HOME / "tapas-bar-sevilla.yaml",
        root / HOME / "tapas-bar-cadiz.yaml",
        tmp_path / "exported.json",
    ]
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in written} == {
        path.name: expected for path in written
    }
    assert not [p for p in (root / HOME).iterdir() if p.name.startswith(".")]  # no staging left


# --- documents that load but break the contract, in the authoring commands ---------------------

BROKEN_SHAPES: dict[str, tuple[tuple[Any, ...], Any]] = {
    "b-phases-number": (("phases",), 5),
    "b-phases-mapping": (("phases",), {"a": 1}),
    "b-phase-null": (("phases", 0), None),
    "b-vocabulary-text": (("phases", 0, "key_vocabulary"), "x"),
    "b-entry-number": (("phases", 0, "essential_phrases", 0), 5),
    "b-title-list": (("title",), ["a"]),
    "b-owner-number": (("created_by",), 5),
    "b-public-text": (("is_public",), "yes please"),
}


def _broken(scenario_id: str) -> str:
    doc = _doc(scenario_id)
    where, value = BROKEN_SHAPES[scenario_id]
    parent = doc
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = value
    return dump(doc)


def test_documents_that_break_the_contract_in_the_authoring_commands(tmp_path: Path) -> None:
    """list, templates, show, new, duplicate (also into another language) and export rely
    on the contract's shape (phases a list of mappings…): a file that breaks it is set aside
    and named, like an unreadable one, never half-read into a traceback."""
    files: dict[str, str | bytes] = {f"{HOME}/{i}.yaml": _broken(i) for i in BROKEN_SHAPES}
    files |= {
        f"templates/{i}-template.yaml": _broken(i).replace(i, f"{i}-template", 1)
        for i in BROKEN_SHAPES
    }
    files[f"{HOME}/tapas-bar-madrid.yaml"] = VALID_TEXT
    root = _repo(tmp_path, files)
    before = _snapshot(root)
    listed = _run(root, "list", "--format", "json")
    assert [row["scenario_id"] for row in json.loads(listed.stdout)] == ["tapas-bar-madrid"]
    assert listed.stderr == (
        f"{len(BROKEN_SHAPES)} files could not be read and are not listed: "
        "run `scenarios validate`\n"
    )
    assert _run(root, "templates").returncode == 0
    assert _run(root, "export").returncode == 1
    for scenario_id in BROKEN_SHAPES:
        shown = invoke("--root", root, "show", scenario_id, "--format", "json")
        assert shown.exit_code == 1
        assert "does not validate: run `scenarios validate`" in shown.stderr
        for args in (
            ["duplicate", scenario_id, "copy-of-it"],
            ["new", "--template", f"{scenario_id}-template", "--id", "copy-of-it", "--title", "A"],
        ):
            result = invoke("--root", root, *args, "--language", "fr", "--author", "me")
            assert result.exit_code == 1, (args, result.output)
            assert "does not validate: run `scenarios validate`" in result.stderr
    assert _snapshot(root) == before


def test_export_and_import_to_names_the_file_system_refuses(tmp_path: Path) -> None:
    """A name too long for the file system, a folder that is a file, a folder that does not
    exist: a message, exit 1, nothing written."""
    root = _repo(tmp_path, {f"{HOME}/tapas-bar-madrid.yaml": VALID_TEXT})
    before = _snapshot(root)
    for target, fragment in (
        ("x" * 300 + ".json", "File name too long"),
        (f"{HOME}/tapas-bar-madrid.yaml/export.json", "is a file, not a folder"),
        ("schemas/scenario.schema.json", "already exists: nothing was written"),
    ):
        done = _run(root, "export", "-o", target)
        assert done.returncode == 1, done.stderr
        assert fragment in done.stderr
    assert _run(root, "import", "x" * 300 + ".json").returncode == 2
    assert _snapshot(root) == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
@pytest.mark.parametrize(
    "command",
    [("validate",), ("validate", "--format", "json"), ("export",), ("--version",)],
)
def test_output_that_cannot_be_written_is_one_line_and_exit_2(command: tuple[str, ...]) -> None:
    """`> /dev/full`: a full disk stops the command with one line, not a traceback, and
    exit 2, which CI cannot take for errors found in the files (1)."""
    with Path("/dev/full").open("w") as full:
        done = subprocess.run(
            [*installed_command(), *command], cwd=REPO, stdout=full, stderr=subprocess.PIPE,
            text=True, check=False,
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == "error: the command stopped: No space left on device\n"


def test_a_closed_standard_output_is_no_traceback() -> None:
    """`scenarios validate >&-`: what the user closed, they do not want; the files are still
    checked, and the exit code says how they are."""
    done = subprocess.run(
        ["bash", "-c", f"{shlex.join(installed_command())} validate >&-"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert done.stderr == ""
