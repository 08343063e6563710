"""Hostile and unusual files: each is refused with a located diagnostic, never a traceback."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariokit.files.loader import (
    MAX_BYTES,
    LoadError,
    _refuse_structure,
    _safe_load,
    parse,
    read_source,
)
from tests.helpers import VALID_TEXT, diagnostics, dump, make_repo, valid_doc

ROOT = Path(__file__).resolve().parents[1]

HOME = "scenarios/restaurant/tapas-bar-madrid.yaml"

BILLION_LAUGHS = (
    "\n".join(
        ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        + [
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ]
    )
    + "\n"
)


def only(root: Path) -> dict[str, object]:
    """The single diagnostic of a repository with one bad file."""
    code, found = diagnostics("--root", root, "validate")
    assert code == 1
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("content", "line", "column", "code", "fragment"),
    [
        pytest.param(
            BILLION_LAUGHS, 1, 4, "yaml-anchor", "aliases (*name) are not allowed", id="alias bomb"
        ),
        pytest.param("a: &x [*x]\n", 1, 4, "yaml-anchor", "anchors (&name)", id="recursive alias"),
        pytest.param(
            "title: *nowhere\n", 1, 8, "yaml-anchor", "aliases (*name)", id="alias without anchor"
        ),
        pytest.param(
            "a: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
            1,
            4,
            "yaml-tag",
            "is not allowed here: remove the tag",
            id="python object",
        ),
        pytest.param(
            "a: !!python/name:os.system\n", 1, 4, "yaml-tag", "remove the tag", id="python name"
        ),
        pytest.param("title: !!set [a]\n", 1, 8, "yaml-tag", "!!set is not allowed here", id="set"),
        pytest.param("title: !!map [1]\n", 1, 8, "yaml-tag", "!!map is not allowed here", id="map"),
        pytest.param("a: !!omap [b: 1]\n", 1, 4, "yaml-tag", "!!omap", id="ordered map"),
        pytest.param("a: !!binary aGk=\n", 1, 4, "yaml-tag", "!!binary", id="binary"),
        pytest.param("a: !foo bar\n", 1, 4, "yaml-tag", "!foo is not allowed here", id="local tag"),
        pytest.param("!!map [a]\n", 1, 1, "yaml-tag", "remove the tag", id="top-level tag"),
        pytest.param(
            "a: 1\nb:\n  c: 2\n  c: 3\n",
            4,
            3,
            "duplicate-key",
            "the key 'c' appears twice in this mapping (first on line 3)",
            id="duplicate nested key",
        ),
        pytest.param("a: one\x07two\n", 1, 7, "yaml-character", "#x0007", id="control character"),
        pytest.param(
            "[" * 5000 + "]" * 5000, 1, 21, "too-deep", "more than 20 levels", id="deep nesting"
        ),
        pytest.param("", 1, 1, "empty-file", "the file is empty", id="empty"),
        pytest.param(
            "# just a comment\n", 1, 1, "empty-file", "the file is empty", id="only a comment"
        ),
        pytest.param(
            "a: 1\n---\nb: 2\n", 2, 1, "yaml-syntax", "remove the second '---'", id="two documents"
        ),
    ],
)
def test_hostile_yaml(
    tmp_path: Path, content: str, line: int, column: int, code: str, fragment: str
) -> None:
    found = only(make_repo(tmp_path, {HOME: content}))
    assert (found["line"], found["column"], found["code"]) == (line, column, code)
    assert fragment in str(found["message"])


@pytest.mark.parametrize(
    ("text", "column"),
    [("[" * 5000 + "]" * 5000, 21), ("{a: " * 2000 + "b" + "}" * 2000, 81)],
)
def test_the_pure_parser_finds_deep_nesting_where_libyaml_stops(text: str, column: int) -> None:
    """libyaml builds with a nesting limit stop on a deep flow file before any event passes
    ours; the pure Python parser then looks again: the same place, the same code."""
    with pytest.raises(LoadError) as caught:
        _refuse_structure(text, yaml.SafeLoader)
    assert (caught.value.code, caught.value.line, caught.value.column) == ("too-deep", 1, column)


def test_a_file_over_the_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    # Parsed, this would be a nesting error; the size check must come first.
    found = only(make_repo(tmp_path, {HOME: b"[" * (MAX_BYTES + 1)}))
    assert (found["line"], found["column"], found["code"]) == (1, 1, "file-too-large")
    assert "1,048,577 bytes" in str(found["message"])


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    padding = MAX_BYTES - len(VALID_TEXT.encode())
    text = VALID_TEXT + "#" * (padding - 1) + "\n"
    assert len(text.encode()) == MAX_BYTES
    root = make_repo(tmp_path, {HOME: text})
    assert diagnostics("--root", root, "validate") == (0, [])


def test_latin1_is_refused_at_the_byte(tmp_path: Path) -> None:
    raw = VALID_TEXT.replace("Customer", "Cliente habitual café").encode("latin-1", "replace")
    found = only(make_repo(tmp_path, {HOME: raw}))
    assert (found["line"], found["column"], found["code"]) == (9, 32, "not-utf8")
    assert "byte 0xe9" in str(found["message"])
    assert "save it as UTF-8" in str(found["message"])


def test_utf16_is_refused(tmp_path: Path) -> None:
    found = only(make_repo(tmp_path, {HOME: VALID_TEXT.encode("utf-16")}))
    assert (found["code"], found["message"]) == ("not-utf8", "the file is UTF-16: save it as UTF-8")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(codecs.BOM_UTF8 + VALID_TEXT.encode(), id="byte-order mark"),
        pytest.param(VALID_TEXT.replace("\n", "\r\n").encode(), id="CRLF"),
        pytest.param(codecs.BOM_UTF8 + VALID_TEXT.replace("\n", "\r\n").encode(), id="both"),
    ],
)
def test_bom_and_crlf_are_fine(tmp_path: Path, raw: bytes) -> None:
    root = make_repo(tmp_path, {HOME: raw})
    assert diagnostics("--root", root, "validate") == (0, [])


def test_positions_stay_right_with_crlf_and_bom(tmp_path: Path) -> None:
    text = VALID_TEXT.replace("difficulty: beginner", "difficulty: easy")
    raw = codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode()
    found = only(make_repo(tmp_path, {HOME: raw}))
    assert (found["line"], found["column"], found["code"]) == (6, 13, "not-allowed")


def test_limits_count_characters_not_bytes(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["title"] = "¿Qué tal? " + "ñ" * 90  # 100 characters, 191 bytes
    doc["description"] = "日本語" * 166 + "語語"  # 500 characters, 1,500 bytes
    assert (len(doc["title"]), len(doc["description"])) == (100, 500)
    root = make_repo(tmp_path, {HOME: dump(doc)})
    code, found = diagnostics("--root", root, "validate")  # a description not in English
    assert (code, [d["code"] for d in found]) == (0, ["not-english"])
    doc["title"] += "ñ"
    (root / HOME).write_text(dump(doc), encoding="utf-8")
    code, found = diagnostics("--root", root, "validate")
    found = [d for d in found if d["code"] != "not-english"]
    assert (code, [d["code"] for d in found]) == (1, ["too-long"])
    assert "101 characters, the limit is 100" in found[0]["message"]


def test_six_phases_pass(tmp_path: Path) -> None:
    doc = valid_doc()
    base = doc["phases"][0]
    doc["phases"] = [
        dict(
            base,
            phase_id=f"round-{n}",
            expected_duration_minutes=2 if n < 5 else 5,
            key_vocabulary=[f"palabra {n}-{i}" for i in range(3)],
        )
        for n in range(6)
    ]
    root = make_repo(tmp_path, {HOME: dump(doc)})
    assert diagnostics("--root", root, "validate") == (0, [])


def test_read_source_raises_only_load_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("title: x\n  bad: indent\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        read_source(path)
    assert (caught.value.code, caught.value.line, caught.value.column) == ("yaml-syntax", 2, 6)
    assert caught.value.excerpt == "  bad: indent"


# --- the fast path reads exactly what PyYAML's safe loader reads ----------------------

# Plain scalars YAML 1.1 reads as something other than text, and some it reads as text.
SCALARS = [
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "true",
    "False",
    "~",
    "null",
    "",
    "0x1F",
    "0o17",
    "017",
    "1_000",
    "-42",
    "+7",
    "1:30",
    "190:20:30",
    "1.5",
    "1.5e3",
    ".inf",
    "-.Inf",
    ".nan",
    "2024-01-31",
    "2024-01-31 10:20:30",
    "2001-12-14t21:59:43.10-05:00",
    "Tapas",
    "12 tapas",
    "¿Qué tal?",
    "<<",
    "=",
    "- x",
    "'quoted yes'",
    '"0x1F"',
    "a: b",
    "1e3",
    "0b101",
]
SCALAR_TEXT = st.sampled_from(SCALARS).map(lambda s: s if s != "a: b" else "'a: b'")
KEY_TEXT = st.sampled_from(["title", "yes", "1", "2024-01-31", "on", "~", "'x'", "3.5"])


def _yaml_block(value: object, indent: int) -> str:
    """Block-style YAML for a tree of mappings (dict of text), lists and scalar text."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return " {}"
        return "".join(
            f"\n{pad}{key}:{_yaml_block(item, indent + 2)}" for key, item in value.items()
        )
    if isinstance(value, list):
        if not value:
            return " []"
        return "".join(f"\n{pad}-{_yaml_block(item, indent + 2)}" for item in value)
    return f" {value}" if value else ""


TREES = st.recursive(
    SCALAR_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(KEY_TEXT, children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEY_TEXT, TREES, min_size=1, max_size=5))
def test_parse_reads_what_the_safe_loader_reads(tree: dict[str, object]) -> None:
    """Random documents of YAML 1.1's tricky scalars: the fast path and PyYAML's safe
    constructor (with our refusals) give the same data, or the same error."""
    text = _yaml_block(tree, 0).lstrip("\n") + "\n"
    try:
        expected: object = _safe_load(text)
    except LoadError as exc:
        expected = exc.code
    try:
        got: object = parse(text)
    except LoadError as exc:
        got = exc.code
    assert got == expected, text
    assert repr(got) == repr(expected), text  # 1 and True are equal but not the same


@pytest.mark.parametrize(
    "path",
    sorted(str(p) for p in (ROOT / "scenarios").rglob("*.yaml"))
    + sorted(str(p) for p in (ROOT / "templates").glob("*.yaml")),
    ids=lambda p: Path(p).stem,
)
def test_parse_reads_the_shipped_files_as_the_safe_loader_does(path: str) -> None:
    text = Path(path).read_text("utf-8")
    assert parse(text) == yaml.load(text, Loader=yaml.SafeLoader)


def test_plain_text_seen_before_reads_the_same() -> None:
    """The second time a plain scalar comes (remembered as text), it reads as the first time;
    what YAML reads as something else is never remembered as text."""
    text = "a: Learner\nb: yes\nc: 'yes'\nd: 012\ne: Learner\nf: ~\ng: 2024-01-05\nh: '012'\n"
    expected = yaml.load(text, Loader=yaml.SafeLoader)
    assert parse(text) == expected
    assert repr(parse(text)) == repr(expected)


def _nested(depth: int) -> object:
    return [] if depth == 0 else [_nested(depth - 1)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a: 1\na: 2\n", "duplicate-key", id="duplicate"),
        pytest.param("a: x\n1: x\ntrue: y\n", "key-not-text", id="keys YAML reads as not text"),
        pytest.param("? [a]\n: x\n", "key-not-text", id="unhashable key"),
        pytest.param("a: {b: 1}\nc:\n  <<: {d: 2}\n", "yaml-merge", id="merge key"),
        pytest.param("a: 2024-02-30\n", "yaml-value", id="no such date"),
        pytest.param("a: 0x" + "f" * 99 + "\n", "number-too-long", id="long hex number"),
        pytest.param("a: !!bool maybe\n", "yaml-value", id="bool tag on text"),
        pytest.param("a: !!timestamp soon\n", "yaml-value", id="timestamp tag on text"),
        pytest.param("a: !!int ten\n", "yaml-value", id="int tag on text"),
        pytest.param("a: !!int [1]\n", "yaml-tag", id="int tag on a list"),
        pytest.param("a: !!seq [1]\n", {"a": [1]}, id="seq tag on a list"),
        pytest.param("a: !!bool yes\n", {"a": True}, id="bool tag"),
        pytest.param("b: &b {a: 1}\nc:\n  <<: *b\n", "yaml-anchor", id="merge key of an alias"),
        pytest.param("a: !!str 5\n", {"a": "5"}, id="str tag"),
        pytest.param("a: !!python/name:os.system\n", "yaml-tag", id="python tag"),
        pytest.param("a: 1\n---\nb: 2\n", "yaml-syntax", id="two documents"),
        pytest.param("\n", "empty-file", id="empty"),
        pytest.param("a: " + "[" * 19 + "]" * 19 + "\n", {"a": _nested(18)}, id="deep"),
        pytest.param("!!map\na: " + "[" * 19 + "]" * 19 + "\n", {"a": _nested(18)}, id="tag, deep"),
        pytest.param("a: " + "[" * 20 + "]" * 20 + "\n", "too-deep", id="too deep"),
        pytest.param("!!map\na: " + "[" * 20 + "]" * 20 + "\n", "too-deep", id="tag, too deep"),
    ],
)
def test_parse_leaves_the_unusual_to_the_safe_loader(text: str, expected: object) -> None:
    """What the fast path does not handle is read, or refused, as the safe loader does."""
    if isinstance(expected, str):
        with pytest.raises(LoadError) as caught:
            parse(text)
        assert caught.value.code == expected
    else:
        assert parse(text) == expected


@pytest.mark.parametrize(
    ("written", "line", "column", "hint"),
    [
        ("title: 'Lunch at l'Auberge in Lyon'", 3, 20, "write an apostrophe inside single quotes"),
        ('title: "Lunch" at a Bistro', 3, 16, "a quoted value ends at its closing quote"),
        ("setting: “Lyon: a small bouchon.”", 3, 10, "typographic quotes"),
        ("title:Ordering Tapas in Madrid", 3, 6, "put a space after the ':'"),
    ],
    ids=["apostrophe", "text-after-quotes", "typographic", "no-space-after-colon"],
)
def test_a_newcomers_slip_is_told_where_it_is_and_how_to_fix_it(
    written: str, line: int, column: int, hint: str
) -> None:
    """Each was reported with advice that did not fit ("a line is indented wrongly", "put
    it in quotes" of a quoted value), and a missing space on the line below the slip
    (found by a hostile review)."""
    text = VALID_TEXT.replace("title: Ordering Tapas in Madrid", written, 1)
    assert text != VALID_TEXT
    with pytest.raises(LoadError) as raised:
        parse(text)
    assert (raised.value.line, raised.value.column) == (line, column)
    assert hint in str(raised.value)


def test_a_list_item_without_its_space_is_told_on_its_line() -> None:
    text = VALID_TEXT.replace("      - la carta\n", "      -la carta\n", 1)
    line = text.splitlines().index("      -la carta") + 1
    with pytest.raises(LoadError) as raised:
        parse(text)
    assert (raised.value.line, raised.value.column) == (line, 7)  # at the "-"
    assert "put a space after the '-' of a list item" in str(raised.value)
