"""Contributor text printed in each medium: terminal, workflow commands, markdown."""

from __future__ import annotations

import json
import os
import re

import pytest
from markdown_it import MarkdownIt

from scenariokit.escape import (
    INVISIBLE,
    json_text,
    markdown_code,
    markdown_text,
    visible,
    visible_lines,
    workflow_data,
    workflow_property,
)

HOSTILE = [
    "\x1b[2J\x1b[Hcleared",  # clears a terminal
    "ok\rnot ok",  # overwrites a line
    "file\u202egpj.exe",  # reads backwards
    "hid\u200bden\u2060text\ufeff",  # zero-width
    "tag\U000e0041\U000e0042",  # invisible tag characters
    "line\u2028break",
    "del\x7fc1\x85",
    "grapheme\u034fjoiner\u17b4khmer\U000e0080unassigned\u2065",  # default-ignorable
]


@pytest.mark.parametrize("text", HOSTILE)
def test_visible_leaves_nothing_hidden(text: str) -> None:
    shown = visible(text)
    assert shown.isprintable()
    assert "\\" in shown


def test_visible_keeps_what_languages_need() -> None:
    for text in ["می‌خواهم", "क्‍ष", "👩‍🍳", "Ça coûte 5 €", "焼き鳥"]:
        assert visible(text) == text


def test_visible_shows_undecodable_bytes_of_a_file_name() -> None:
    name = os.fsdecode(b"caf\xe9.yaml")
    assert visible(name) == "caf\\xe9.yaml"
    visible(name).encode("utf-8")  # printable on any UTF-8 terminal


def test_workflow_commands_cannot_be_started_from_data() -> None:
    text = "title\n::error::forged\r%0A"
    for escaped in (workflow_data(text), workflow_property(text)):
        assert "\n" not in escaped
        assert "\r" not in escaped
        assert "%0A" not in escaped.replace("%250A", "")
    assert "::" not in workflow_property(text)
    assert "," not in workflow_property("a,b")


MARKDOWN = [
    "[click](https://evil.example)",
    "![x](https://evil.example/a.png)",
    "<img src=x onerror=alert(1)>",
    "**bold** _it_ `code` | cell | ~~s~~",
    "ping @octocat and @org/team",
    "&lt;entity&gt; &amp;",
    "# heading",
    "line\nbreak",
]


@pytest.mark.parametrize("text", MARKDOWN)
def test_markdown_text_renders_as_the_text_itself(text: str) -> None:
    html = MarkdownIt("commonmark").enable("table").renderInline(markdown_text(text))
    assert "<a" not in html
    assert "<img" not in html
    assert "<strong" not in html
    assert "<code" not in html
    assert "@octocat" not in html
    assert "\n" not in markdown_text(text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("see #12 and lead/scenarios#3", "see ＃12 and lead/scenarios＃3"),
        (":tada: :+1: and :white_check_mark:", "：tada： ：+1： and ：white_check_mark："),
        ("Note: 10:30, a::b", "Note: 10:30, a::b"),  # colons outside a shortcode stay
    ],
)
def test_markdown_text_links_no_issue_and_shows_no_emoji(text: str, shown: str) -> None:
    """GitHub links `#12` and shows `:tada:` after markdown, where escapes do not count."""
    html = MarkdownIt("commonmark").renderInline(markdown_text(text))
    assert html == shown


@pytest.mark.parametrize("text", [*MARKDOWN, "``x``", "`start", "end`", "a|b", ""])
def test_markdown_code_holds_any_text_in_a_table_cell(text: str) -> None:
    table = f"| a | b |\n|---|---|\n| {markdown_code(text)} | end |\n"
    html = MarkdownIt("commonmark").enable("table").render(table)
    assert html.count("<td>") == 2
    assert "<a" not in html
    assert "<img" not in html
    assert "end</td>" in html


@pytest.mark.parametrize("text", HOSTILE)
def test_json_text_hides_nothing_and_keeps_the_data(text: str) -> None:
    document = {"title": text, text: [text, "می‌خواهم 👩‍🍳"]}
    written = json_text(json.dumps(document, ensure_ascii=False, indent=2))
    assert re.search(f"[\t\r{INVISIBLE}]", written.replace("\n", "")) is None
    assert json.loads(written) == document
    assert "می‌خواهم 👩‍🍳" in written  # readable text stays readable


def test_json_text_writes_what_no_encoder_could() -> None:
    name = os.fsdecode(b"caf\xe9.yaml")  # a lone surrogate: json.dumps writes it raw
    written = json_text(json.dumps([name], ensure_ascii=False))
    written.encode("utf-8")
    assert json.loads(written) == [name]


def test_visible_lines_keeps_a_files_lines_and_shows_the_rest() -> None:
    plain = "title: Tapas\r\nsetting: 'a\tbar'\nnote: می‌خواهم\n"
    assert visible_lines(plain) == plain
    assert visible_lines("a: x\ry\u202e\n") == "a: x\\ry\\u202e\n"
