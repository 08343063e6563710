"""`scenarios fmt`: the canonical layout, idempotent, comments kept, data never changed."""

from __future__ import annotations

import copy
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenariokit.author.emitter import plain_canonical_text, without_header_comments
from scenariokit.author.fmt import _format_file, _written_over
from scenariokit.author.writer import canonical_text, format_text, modeline_for, write_files
from scenariokit.errors import UserError
from scenariokit.files.loader import parse
from tests.helpers import REPO, VALID_TEXT, invoke, make_repo, valid_doc

HOME = "scenarios/restaurant/tapas-bar-madrid.yaml"
MODELINE = "# yaml-language-server: $schema=../../schemas/scenario.schema.json"

MESSY = """# Written by hand, keys in any order.
title: Ordering Tapas in Madrid   # keep this comment
scenario_id: tapas-bar-madrid
language: 'es'
difficulty: "beginner"
category: restaurant
estimated_duration: 15
description: >-
  Order a round of tapas and drinks at a busy bar,
  ask about dishes, and pay.
user_role: Customer
ai_role: Bartender
setting: "A crowded tapas bar near Plaza Mayor on a Friday evening."
created_by: octocat
is_public: yes
prerequisites: [Numbers 1-20, Basic greetings]
phases:
- name: Getting the bartender's attention
  phase_id: greeting
  expected_duration_minutes: 7
  essential_phrases:
  - {translation: "Hi! Do you have a table for two?", text: "¡Hola! ¿Tienen mesa para dos?"}
  - ¿Nos pone dos cañas, por favor?
  # the next phrase is the one learners find hardest
  - Estamos bien en la barra.
  key_vocabulary: [la barra, la mesa, la carta]
  learning_objectives: [Greet and state the size of your group]
- phase_id: paying
  name: Paying the bill
  expected_duration_minutes: 8
  key_vocabulary:
  - term: la cuenta
    translation: 'the bill'
  - con tarjeta
  - en efectivo
  essential_phrases:
  - ¿Me cobra, por favor?
  - ¿Puedo pagar con tarjeta?
  - 'Note: quédese con el cambio.'
  learning_objectives:
  - Ask for the bill   # and choose how to pay
"""


def test_fmt_rewrites_into_the_canonical_layout(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: MESSY})
    result = invoke("--root", root, "fmt")
    assert result.exit_code == 0
    assert result.stdout == (
        f"reformatted {root / HOME}\n1 file reformatted, 0 files already formatted\n"
    )
    text = (root / HOME).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == MODELINE
    assert lines[1] == "# Written by hand, keys in any order."
    assert [line.split(":")[0] for line in lines[2:8]] == [
        "scenario_id",
        "title",
        "description",
        "category",
        "difficulty",
        "estimated_duration",
    ]
    assert "title: Ordering Tapas in Madrid   # keep this comment" in lines
    assert "is_public: true" in lines
    assert "  - phase_id: greeting" in lines
    assert "      # the next phrase is the one learners find hardest" in lines
    assert any(
        line.startswith("      - Ask for the bill ") and line.endswith(" # and choose how to pay")
        for line in lines
    )
    assert "      - 'Note: quédese con el cambio.'" in lines
    assert "      - text: ¡Hola! ¿Tienen mesa para dos?" in lines
    assert "        translation: Hi! Do you have a table for two?" in lines
    assert parse(text) == parse(MESSY) | {"is_public": True}
    assert invoke("--root", root, "validate").exit_code == 0


def test_a_file_saved_while_fmt_runs_is_left_as_saved(tmp_path: Path) -> None:
    """fmt reads every file, then writes: a file saved in between (in an editor) keeps the
    save, and fmt says so, instead of writing the canonical text of what it read. The two
    steps of one file, as `format_paths` takes them, with the save between them."""
    root = make_repo(tmp_path, {HOME: MESSY, "scenarios/restaurant/other.yaml": MESSY})
    path, other = root / HOME, root / "scenarios/restaurant/other.yaml"
    read, read_other = _format_file(path, root, False), _format_file(other, root, False)
    assert read.formatted is not None
    saved = MESSY.replace("Ordering Tapas in Madrid", "Tapas, as saved meanwhile")
    path.write_text(saved, encoding="utf-8")
    problem = _written_over(path, read)
    assert problem is not None
    assert (problem.code, problem.path) == ("changed-while-formatting", str(path))
    assert "changed while fmt ran" in problem.message
    assert path.read_text(encoding="utf-8") == saved
    assert _written_over(other, read_other) is None  # the others are written
    assert other.read_text(encoding="utf-8") == read_other.formatted


def test_fmt_is_idempotent(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: MESSY})
    invoke("--root", root, "fmt")
    once = (root / HOME).read_bytes()
    second = invoke("--root", root, "fmt")
    assert second.stdout == "0 files reformatted, 1 file already formatted\n"
    assert (root / HOME).read_bytes() == once
    assert format_text(once.decode(), MODELINE) == once.decode()


def test_check_lists_files_and_writes_nothing(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: MESSY})
    result = invoke("--root", root, "fmt", "--check")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"would reformat {root / HOME}\n")
    assert (root / HOME).read_text(encoding="utf-8") == MESSY


def test_the_repository_is_formatted() -> None:
    result = invoke("--root", REPO, "fmt", "--check")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("0 files would be reformatted")


def test_a_file_that_does_not_load_is_reported_and_left_alone(tmp_path: Path) -> None:
    broken = "title: a\ntitle: b\n"
    root = make_repo(tmp_path, {HOME: broken, "scenarios/travel/x.yaml": MESSY})
    result = invoke("--root", root, "fmt")
    assert result.exit_code == 1
    assert "duplicate-key" in result.stderr
    assert (root / HOME).read_text(encoding="utf-8") == broken
    assert "1 file reformatted" in result.stdout


@pytest.mark.parametrize(
    "value",
    [
        "no",
        "on",
        "2024-05-01",
        "1984",
        "0.5",
        "null",
        "~",
        "yes",
        "Note: x",
        "#hashtag",
        "- dash",
        "@handle",
        "'quoted'",
        "a\tb",
    ],
)
def test_strings_that_yaml_would_misread_stay_strings(value: str) -> None:
    doc = valid_doc() | {"setting": value}
    text = canonical_text(doc, MODELINE)
    assert parse(text)["setting"] == value
    assert format_text(text, MODELINE) == text


def test_the_canonical_text_of_the_example_is_stable() -> None:
    text = canonical_text(valid_doc(), MODELINE)
    assert format_text(VALID_TEXT, MODELINE) == text
    assert canonical_text(parse(text), MODELINE) == text


def test_write_files_is_all_or_nothing(tmp_path: Path) -> None:
    """A folder on the way that is a file is refused before anything is written."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    good = tmp_path / "good" / "a.yaml"
    with pytest.raises(UserError, match="not-a-folder is a file, not a folder; nothing was"):
        write_files([(good, "a: 1\n"), (blocker / "b.yaml", "b: 2\n")])
    assert not (tmp_path / "good").exists()
    assert blocker.read_text(encoding="utf-8") == "a file where a folder should be"


def test_a_failure_while_staging_removes_what_was_staged(tmp_path: Path) -> None:
    """The operating system refuses the second file (its name is too long): the first,
    already staged, is removed, and the error is a message, not a traceback."""
    good = tmp_path / "good" / "a.yaml"
    too_long = tmp_path / "good" / ("b" * 300 + ".yaml")
    with pytest.raises(UserError, match="File name too long; nothing was written"):
        write_files([(good, "a: 1\n"), (too_long, "b: 2\n")])
    assert list((tmp_path / "good").iterdir()) == []


def test_write_files_refuses_to_replace_without_asking(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("mine\n", encoding="utf-8")
    with pytest.raises(UserError, match="already exists"):
        write_files([(target, "theirs\n")])
    assert target.read_text(encoding="utf-8") == "mine\n"
    write_files([(target, "theirs\n")], replace=True)
    assert target.read_text(encoding="utf-8") == "theirs\n"


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("Ordering\tTapas in Madrid", id="tab inside a plain value"),
        pytest.param("9999-12-31 23:59:59.999999999999 -23:59", id="date out of range"),
    ],
)
def test_fmt_leaves_what_its_round_trip_parser_cannot_read(tmp_path: Path, title: str) -> None:
    """libyaml reads a tab inside a plain value; ruamel.yaml, which keeps the comments,
    refuses it, and overflows building a date at the end of year 9999 with a time zone:
    the file is reported and left as it was, not a traceback."""
    text = VALID_TEXT.replace("title: Ordering Tapas in Madrid", f"title: {title}", 1)
    root = make_repo(tmp_path, {HOME: text})
    result = invoke("--root", root, "fmt")
    assert result.exit_code == 1
    assert "the formatter cannot read this file" in result.stderr
    assert "[unformattable]" in result.stderr
    assert (root / HOME).read_text(encoding="utf-8") == text


# The fast path: `emitter.plain_canonical_text` must write what ruamel.yaml writes.

# Text chosen to be tricky: what YAML 1.1 reads as something else, indicators, quotes,
# spaces at the ends, escapes, line breaks, characters ruamel.yaml escapes, long lines.
TRICKY = [
    *["", " ", "15", "-3", "+7", "0.5", ".5", "1e3", "1_000", "0x1F", "0o17", "017", "0b101"],
    *["1:30", "190:20:30", ".inf", "-.Inf", ".NaN", "null", "Null", "NULL", "~", "<<", "="],
    *["yes", "Yes", "YES", "no", "No", "NO", "y", "Y", "n", "N", "on", "On", "ON", "off"],
    *["Off", "true", "True", "FALSE", "2024-05-01", "2024-05-01 10:00:00", "2001-12-14t21:59"],
    *["---", "--- x", "...", "... x", "-", "- x", "-x", "?", "? x", "?x", ":", ": x", ":x"],
    *["a: b", "a:b", "a:", "a #b", "a#b", "#a", "a #", ",a", "a,b", "[a]", "a[b]", "{a}", "a}"],
    *["&a", "*a", "!a", "|a", ">a", "%a", "@a", "`a", "a@b", "a%b", "a!b", "a&b", "a*b", "a|b"],
    *[" lead", "trail ", "two  spaces", "it's", 'say "hi"', 'it\'s "both"', "back\\slash"],
    *["'quoted'", '"dq"', "a\tb", "\ttab", "line\nbreak", "trailing\n", "\n", "a\r\nb", "a\x85b"],
    *["a\u2028b", "a\u2029b", "\ufeffbom", "a\ufeffb", "nbsp\xa0here", "\xa0", "a\x00b", "\x07"],
    *["a\x1bb", "a\x7fb", "\ue000", "\ufffd", "\ufffe", "日本語", "¡Hola!", "ça va ?", "🙂 ok"],
    *["Note: quédese con el cambio.", "¿Nos pone dos cañas, por favor?", "I'm 15", "C# and F#"],
    "TODO: translate",
]
# Long lines: ruamel.yaml writes a key of 128 characters or more as `? key`, and folds text
# past 65,536 columns.
LONG = st.builds(
    str.__mul__,
    st.sampled_from(["x", "word ", "w ", "it's "]),
    st.sampled_from([127, 128, 2_000, 10_000, 10_001, 70_000]),
)
# Characters YAML's indicators, resolvers and quoting turn on, and some it escapes.
_CHARACTERS = "abyYnN019.-+_:#?!&*|>%@`,[]{}'\"\\ \t\n\r\x85\xa0\u2028\ufeff\ue000日🙂~<=Tt"


def one_line(text: str) -> bool:
    """Text the fast emitter writes (its contract): one line that ruamel.yaml neither escapes
    nor folds, so of printable characters other than the byte-order mark and the line and
    paragraph separators, and at most 10,000 of them."""
    return len(text) <= 10_000 and all(
        (" " <= c <= "~" or "\xa0" <= c <= "\U0010ffff")
        and c not in "\u2028\u2029\ufeff\ufffe\uffff"
        and not "\ud800" <= c <= "\udfff"
        for c in text
    )


def texts(*, handled: bool) -> st.SearchStrategy[str]:
    """Tricky text; with `handled`, only what the fast emitter writes (`one_line`).

    Drawn from what is handled rather than filtered, so few examples are thrown away.
    """
    tricky = [t for t in TRICKY if one_line(t) or not handled]
    alphabet = "".join(c for c in _CHARACTERS if one_line(c) or not handled)
    anything = st.characters(
        exclude_categories=("Cc", "Cs") if handled else (),
        exclude_characters="\u2028\u2029\ufeff\ufffe\uffff" if handled else "",
    )
    pieces = st.text(alphabet=alphabet, max_size=4)
    strategy = st.one_of(
        st.sampled_from(tricky),
        LONG,
        st.text(alphabet=alphabet, max_size=12),
        st.text(alphabet=anything, max_size=12),
        st.builds(str.__add__, st.sampled_from(tricky), pieces),
        st.builds(str.__add__, pieces, st.sampled_from(tricky)),
    )
    return strategy.filter(one_line) if handled else strategy


def _not_a_list(value: Any) -> bool:
    return not isinstance(value, list)


def values(*, handled: bool) -> st.SearchStrategy[Any]:
    """Values of every shape; with `handled`, only those the fast emitter writes."""
    text = texts(handled=handled)
    scalars = text | st.booleans() | st.integers(-(10**30), 10**30)
    if not handled:  # null, floats, dates, empty or nested lists: ruamel.yaml's job
        others: list[Any] = [None, 1.5, float("nan"), date(2024, 5, 1), [], {}, [["a"]], [[]]]
        scalars |= st.sampled_from(others).map(copy.deepcopy)  # fresh: edited in place
    keys = text.filter(lambda k: len(k) <= 100)
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(
                children.filter(_not_a_list) if handled else children,
                min_size=1,
                max_size=3,
            )
            | st.dictionaries(keys, children, min_size=1, max_size=3)
        ),
        max_leaves=8,
    )


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every value below `node`, containers included."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    found = []
    for key, value in items:
        found.append((*path, key))
        if isinstance(value, dict | list) and value:
            found += _places(value, (*path, key))
    return found


# Built once: hypothesis learns a strategy's shape across examples.
_VALUES = {handled: values(handled=handled) for handled in (True, False)}
_KEYS = {True: texts(handled=True).filter(lambda k: len(k) <= 100), False: texts(handled=False)}


@st.composite
def documents(draw: st.DrawFn, *, handled: bool) -> dict[str, Any]:
    """The valid example with values replaced, keys added and keys out of order."""
    doc = valid_doc()
    new_values, new_keys = _VALUES[handled], _KEYS[handled]
    for _ in range(draw(st.integers(0, 6))):
        *parents, last = draw(st.sampled_from(_places(doc)))
        parent = doc
        for step in parents:
            parent = parent[step]
        if draw(st.booleans()):
            # A list in a list is not handled.
            nested = isinstance(parent, list) and handled
            parent[last] = draw(new_values.filter(_not_a_list) if nested else new_values)
        elif isinstance(parent, dict):
            parent[draw(new_keys)] = draw(new_values)
    if draw(st.booleans()):  # any order in, the schema's order out
        keys = draw(st.permutations(list(doc)))
        doc = {key: doc[key] for key in keys}
    return doc


def assert_same_as_ruamel(doc: Any) -> bool:
    """The fast emitter writes what `canonical_text` writes, and `format_text` keeps it.

    Together: a file equal to the fast text is one `fmt` would leave as it is, so `fmt`
    may skip the round trip through ruamel.yaml for it. False if the emitter declined.
    """
    fast = plain_canonical_text(doc, MODELINE)
    if fast is None:
        return False
    assert fast == canonical_text(doc, MODELINE)
    assert format_text(fast, MODELINE) == fast
    assert parse(fast) == doc
    return True


# Bounded for CI (each example costs two round trips through ruamel.yaml) and reproducible;
# set SCENARIOKIT_PROPERTY_EXAMPLES=4000 to search longer while changing the emitter.
EXAMPLES = int(os.environ.get("SCENARIOKIT_PROPERTY_EXAMPLES", "100"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(doc=documents(handled=True))
def test_the_fast_emitter_writes_what_ruamel_writes(doc: dict[str, Any]) -> None:
    assert assert_same_as_ruamel(doc)


@PROPERTY
@given(doc=documents(handled=False))
def test_the_fast_emitter_declines_or_writes_what_ruamel_writes(doc: dict[str, Any]) -> None:
    assert_same_as_ruamel(doc)


@pytest.mark.parametrize(
    "value",
    [*TRICKY, *(unit * n for unit in ["x", "word ", "it's "] for n in [127, 128, 13_000, 70_000])],
    ids=repr,
)
def test_the_fast_emitter_quotes_tricky_text_as_ruamel_does(value: str) -> None:
    for doc in (
        valid_doc() | {"setting": value},
        valid_doc() | {"prerequisites": [value, "x"]},
        valid_doc() | {value: "a key", "extra": {value: value}},
    ):
        assert_same_as_ruamel(doc)


def test_the_fast_emitter_declines_what_it_does_not_write() -> None:
    """Anything but one-line text, booleans, integers and non-empty containers: None."""
    declined: list[Any] = [
        None,
        1.5,
        date(2024, 5, 1),
        [],
        {},
        [["a"]],
        "a\nb",
        "a\tb",
        "w" * 10_001,
    ]
    for value in declined:
        assert plain_canonical_text(valid_doc() | {"setting": value}, MODELINE) is None
    assert plain_canonical_text(valid_doc() | {"k" * 101: "x"}, MODELINE) is None
    assert plain_canonical_text(["a list"], MODELINE) is None


def test_the_fast_emitter_handles_every_file_of_the_repository() -> None:
    """Every scenario and template takes the fast path, and its text is what ruamel writes.

    Comment lines below the modeline (the `# spelling:` allow-lists) are ruamel's to keep.
    """
    files = sorted([*REPO.glob("scenarios/*/*.yaml"), *REPO.glob("templates/*.yaml")])
    assert len(files) >= 40
    commented = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        modeline = modeline_for(path, REPO)
        doc = parse(text)
        body = without_header_comments(text)
        commented += body != text
        assert plain_canonical_text(doc, modeline) == canonical_text(doc, modeline) == body
        assert format_text(text, modeline) == text
    assert commented >= 40


@pytest.mark.parametrize("comments", ["# a", "#", "# a   \n#b\t", "# spelling: Köbes, Ääd"])
def test_comments_below_the_modeline_keep_a_file_on_the_fast_path(comments: str) -> None:
    """What the fast path calls canonical, the slow one leaves as it is."""
    canonical = canonical_text(valid_doc(), MODELINE)
    first, _, rest = canonical.partition("\n")
    text = f"{first}\n{comments}\n{rest}"
    assert without_header_comments(text) == canonical
    assert format_text(text, MODELINE) == text


def test_a_canonical_file_with_comments_is_judged_by_the_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast text has no comment, so a file with one goes the slow way, and is canonical."""
    canonical = format_text(VALID_TEXT, MODELINE)
    commented = canonical.replace("\ntitle: ", "\n# The title\ntitle: ", 1)
    assert commented != canonical
    assert format_text(commented, MODELINE) == commented
    root = make_repo(tmp_path, {HOME: commented, "scenarios/travel/x.yaml": MESSY})
    result = invoke("--root", root, "fmt", "--check")
    assert result.exit_code == 1
    assert result.stdout == (
        f"would reformat {root / 'scenarios/travel/x.yaml'}\n"
        "1 file would be reformatted, 1 file already formatted: run `scenarios fmt` and commit\n"
    )
    # On a pull request the file is annotated with what to run (it had no annotation, and
    # the log did not say what to do; found by a hostile review).
    monkeypatch.chdir(root)
    github = invoke("fmt", "--check", "--format", "github")
    assert github.exit_code == 1
    assert github.stdout.splitlines()[1] == (
        "::error file=scenarios/travel/x.yaml,title=not formatted::not in the canonical "
        "layout: run `scenarios fmt scenarios/travel/x.yaml` and commit"
    )


def test_many_files_are_formatted_in_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over 400 files, two processes share the work: the same report, files written in order."""
    monkeypatch.setenv("SCENARIOKIT_JOBS", "2")
    canonical = format_text(VALID_TEXT, MODELINE)
    files = {f"scenarios/restaurant/s{n:03d}.yaml": canonical for n in range(450)}
    files |= {"scenarios/restaurant/s100.yaml": MESSY, "scenarios/restaurant/s400.yaml": MESSY}
    files["scenarios/restaurant/s200.yaml"] = "title: a\ntitle: b\n"
    root = make_repo(tmp_path, files)
    result = invoke("--root", root, "fmt")
    assert result.exit_code == 1
    assert result.stdout == (
        f"reformatted {root / 'scenarios/restaurant/s100.yaml'}\n"
        f"reformatted {root / 'scenarios/restaurant/s400.yaml'}\n"
        "2 files reformatted, 447 files already formatted\n"
    )
    assert "s200.yaml:2:1: error" in result.stderr
    assert (root / "scenarios/restaurant/s400.yaml").read_text(encoding="utf-8") == (
        format_text(MESSY, MODELINE)
    )
