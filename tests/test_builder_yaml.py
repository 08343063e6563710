"""The builder writes a scenario as `scenarios fmt` would (site/static/builder/yaml.js).

`canonicalYaml` runs in Chromium, from the built site, with the vendored `yaml` library
writing and ruamel.yaml's choices of quoting ported beside it. It must give, byte for byte:
every shipped file, from the file's data and from what the site's API serves of it (keys
in alphabetical order there, so the schema's order is really applied); and what
`writer.canonical_text` gives for tricky text in every place text goes. What it cannot
write as ruamel.yaml does it must refuse, and only text that `validate` refuses anyway.

The browser tests skip without Debian's chromium (the `site` fixture asks first, so the
vendoring test, which needs no browser, always runs).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from scenariokit.author.emitter import without_header_comments
from scenariokit.author.writer import ITEM_KINDS, canonical_text, modeline_for
from scenariokit.build.run import build
from scenariokit.check.characters import hidden_in
from scenariokit.files.loader import parse
from tests.helpers import REPO, make_repo, require_chromium, serving, valid_doc
from tests.test_fmt import TRICKY

if TYPE_CHECKING:
    from playwright.sync_api import Page

MODELINE = "# yaml-language-server: $schema=../../schemas/scenario.schema.json"
VENDOR = REPO / "site" / "static" / "vendor" / "yaml"
SHIPPED = sorted([*REPO.glob("scenarios/**/*.yaml"), *REPO.glob("templates/*.yaml")])

# Beyond test_fmt's TRICKY: what a form may hold (a textarea's line breaks, spaces around
# them), numbers and times where the `yaml` library's own YAML 1.1 patterns and
# ruamel.yaml's differ (`0:30`, `+.5`), scripts, joiners, and text at the schema's length
# limits and far beyond (ruamel.yaml folds past 65,536 columns: refused).
EXTRA = [
    *["0:30", "+.5", "1.", "-1_0", "0x_", "1e", "2024-5-1 1:00:00", "12:30:45.5", "1:2:3"],
    *["y es", "No.", "on-line", "Null pointer", "~/home", "<<<", "==", "!!str x", "*bold*"],
    *["first line\nsecond line", "a \nb", "a\n b", "a \n b", "\n\nlead", "end\n\n", "it's\nhere"],
    *['say "hi"\nand go', "tab\there\n", "a\r\nb\n", "a\fb", "a\bb", "a\\nb", "\\"],
    *["שלום, מה שלומך?", "مرحبا", "こんにちは！", "👩\u200d🍳 cook", "e\u0301", "50\u202f%"],
    *["à l'heure", "« Bonjour »", "%20", "@ home", "`code`", "a` b", "-- x", "x --- y"],
    *["x" * 100, "word " * 200, "it's " * 200, "x" * 30_000, "x" * 30_001, "w " * 40_000],
]
TEXTS = list(dict.fromkeys([*TRICKY, *EXTRA]))
# Characters YAML's indicators, resolvers and quoting turn on, and some it escapes.
ALPHABET = "abyYnN019.-+_:#?!&*|>%@`,[]{}'\"\\ \t\n\r\x85\xa0\u2028\ufeff\ue000日🙂~<=Tt"


def shuffled(count: int) -> list[str]:
    """`count` texts made at random (the same each run) of the alphabet and tricky pieces."""
    chance = random.Random(20_240_501)
    pieces = [text for text in TRICKY if len(text) < 20]

    def some_characters() -> str:
        return "".join(chance.choice(ALPHABET) for _ in range(chance.randrange(5)))

    return [
        chance.choice(pieces) + some_characters()
        if index % 3 == 0
        else some_characters() + chance.choice(pieces)
        if index % 3 == 1
        else some_characters() + some_characters()
        for index in range(count)
    ]


SHUFFLED = [text for text in dict.fromkeys(shuffled(400)) if text not in TEXTS]


def placed(text: str) -> dict[str, Any]:
    """The valid example with `text` wherever text goes: a value, a list item, an entry's
    value, each a level deeper; as a key too, where a key can be written on one line."""
    doc = valid_doc()
    doc["description"] = text
    doc["prerequisites"] = [text, "Basic greetings"]
    first, second = doc["phases"][0], doc["phases"][1]
    first["key_vocabulary"][0] = {"term": text, "translation": "x", "note": text}
    second["essential_phrases"][0] = text
    second["learning_objectives"].append(text)
    if len(text) <= 100 and "\n" not in text:
        doc["extra"] = {text: text}
    return doc


def in_brief(text: str) -> dict[str, Any]:
    """A small document with `text` as a value, a list item and a key: many are quick."""
    doc: dict[str, Any] = {"scenario_id": "tricky", "title": text, "prerequisites": [text]}
    if len(text) <= 100 and "\n" not in text:
        doc["extra"] = {text: text}
    return doc


def refused_by_validate(text: str) -> bool:
    """Whether `validate` refuses `text` for its characters (a control, a separator...)."""
    return any(True for _ in hidden_in(text))


# Each text with the document it is written in: the tricky ones in a whole valid scenario,
# the ones made at random in a small document.
CASES = [(text, placed(text)) for text in TEXTS] + [(text, in_brief(text)) for text in SHUFFLED]
# Empty lists and mappings, which ruamel.yaml writes in flow style.
CASES.append(("", valid_doc() | {"prerequisites": [], "extra": {"empty": {}, "none": []}}))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Every shipped scenario and template, built into a site and served on 127.0.0.1."""
    require_chromium()
    root = make_repo(tmp_path_factory.mktemp("shipped"), {})
    for path in SHIPPED:
        copy = root / path.relative_to(REPO)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, copy)
    out = tmp_path_factory.mktemp("served") / "out"
    build(root, out)
    with serving(out / "site") as address:
        yield address


@pytest.fixture(scope="module")
def written(site: str, browser: Any) -> dict[str, Any]:
    """All the browser writes, from one page and one evaluate: each shipped file from its
    data and from the API, each tricky text placed (its output or its error), the list
    kinds, and a scenario written with the schema's keys reversed."""
    schema = json.loads((REPO / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
    reversed_schema = schema | {"properties": dict(reversed(schema["properties"].items()))}
    files = [
        {
            "json": json.dumps(parse(path.read_text(encoding="utf-8"))),
            "modeline": modeline_for(path, REPO),
        }
        for path in SHIPPED
    ]
    api = [
        f"api/{'templates' if path.parent.name == 'templates' else 'scenarios'}/{path.stem}.json"
        for path in SHIPPED
    ]
    placed_json = json.dumps([doc for _, doc in CASES])
    context = browser.new_context()
    page: Page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{site}/")
    result: dict[str, Any] = page.evaluate(
        """async ({ files, api, placedJson, schema, reversedSchema }) => {
            const { canonicalYaml, ITEM_KINDS } = await import(
                new URL("assets/builder/yaml.js", location.href));
            const attempt = (doc, modeline) => {
                try {
                    return { text: canonicalYaml(doc, schema, modeline) };
                } catch (error) {
                    return { error: `${error.name}: ${error.message}` };
                }
            };
            const fromApi = [];
            for (const [index, address] of api.entries()) {
                const response = await fetch(new URL(address, location.href));
                if (!response.ok) { fromApi.push(null); continue; }
                const doc = await response.json();
                delete doc.created_at;
                delete doc.updated_at;
                fromApi.push(attempt(doc, files[index].modeline));
            }
            const first = JSON.parse(files[0].json);
            return {
                fromData: files.map(({ json, modeline }) => attempt(JSON.parse(json), modeline)),
                fromApi,
                placed: JSON.parse(placedJson).map((doc) => attempt(doc)),
                itemKinds: ITEM_KINDS,
                reversed: canonicalYaml(first, reversedSchema),
            };
        }""",
        {
            "files": files,
            "api": api,
            "placedJson": placed_json,
            "schema": schema,
            "reversedSchema": reversed_schema,
        },
    )
    context.close()
    assert problems == []
    return result


def test_every_shipped_file_is_written_as_it_is(written: dict[str, Any]) -> None:
    for path, got in zip(SHIPPED, written["fromData"], strict=True):
        assert got == {"text": without_header_comments(path.read_text(encoding="utf-8"))}, path


def test_what_the_api_serves_is_written_as_the_file(written: dict[str, Any]) -> None:
    """The builder's real input: the API's document, keys in alphabetical order. Drafts
    are not published, so not all files have one; the others all do."""
    served = 0
    for path, got in zip(SHIPPED, written["fromApi"], strict=True):
        if got is None:
            assert parse(path.read_text(encoding="utf-8"))["is_public"] is False, path
            continue
        served += 1
        assert got == {"text": without_header_comments(path.read_text(encoding="utf-8"))}, path
    assert served >= len(SHIPPED) - 5


def test_tricky_text_is_written_as_ruamel_writes_it(written: dict[str, Any]) -> None:
    refused = []
    for (text, doc), got in zip(CASES, written["placed"], strict=True):
        if "error" in got:
            refused.append((text, got["error"]))
            continue
        assert got["text"] == canonical_text(doc, MODELINE), repr(text)
    # Refused only what ruamel.yaml escapes another way (so `validate` refuses it too) or
    # would fold, and loudly, naming where.
    for text, error in refused:
        assert refused_by_validate(text) or len(text) > 30_000, (repr(text), error)
        assert error.startswith("TypeError: canonicalYaml: /"), error
    expected = {t for t, _ in CASES if len(t) > 30_000 or "\ufeff" in t or "\x85" in t}
    assert expected <= {text for text, _ in refused}
    assert len(refused) < len(CASES) // 3


def test_the_list_kinds_are_the_writers(written: dict[str, Any]) -> None:
    assert written["itemKinds"] == ITEM_KINDS


def test_key_order_is_read_from_the_schema_given(written: dict[str, Any]) -> None:
    lines = written["reversed"].splitlines()
    top = [line.split(":")[0] for line in lines[1:] if line[:1].isalpha()]
    schema = json.loads((REPO / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
    order = list(reversed(schema["properties"]))
    assert top == [key for key in order if key in top]
    assert top[0] == "phases"
    assert top[-1] == "scenario_id"


def test_the_vendored_library_is_the_published_one() -> None:
    """Every vendored file is listed in VENDOR.json with its hash: what the site serves is
    what the npm tarball holds, unchanged, beside its license."""
    vendor = json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))
    assert vendor["name"] == "yaml"
    assert vendor["license"] == "ISC"
    assert vendor["source"] == f"https://registry.npmjs.org/yaml/-/yaml-{vendor['version']}.tgz"
    present = {
        path.relative_to(VENDOR).as_posix()
        for path in VENDOR.rglob("*")
        if path.is_file() and path.name != "VENDOR.json"
    }
    assert set(vendor["files"]) == present
    for name, digest in vendor["files"].items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert "Eemeli Aro" in (VENDOR / "LICENSE").read_text(encoding="utf-8")


def test_the_vendored_files_import_only_each_other() -> None:
    """Each relative import names a vendored file, so the library loads as static files."""
    for path in VENDOR.rglob("*.js"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("import ", "export ")) and " from '" in line:
                target = line.split(" from '")[1].split("'")[0]
                assert target.startswith("."), (path, line)
                assert (path.parent / target).resolve().is_file(), (path, line)
