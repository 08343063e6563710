"""The builder's check as you type (site/static/builder/check.js) says what `validate` says.

One list of broken documents, one case per kind of schema rule and per repository rule the
browser checks. Each is written as a real file in a repository and judged by the installed
`scenarios validate --format json`; the same documents go through `checkScenario` in
Chromium, from the built site, with the real schema and the context the builder has (the
ids of the site's api/scenarios.json and the templates). Both must give the same pointer,
code, severity and message. Skipped without Debian's chromium, as tests/test_browser.py is.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenariokit.build.run import build
from tests.helpers import REPO, diagnostics, dump, make_repo, require_chromium, serving, valid_doc

require_chromium()

from playwright.sync_api import Page  # noqa: E402

Doc = dict[str, Any]
Diag = tuple[str, str, str, str]  # pointer, code, severity, message

# Codes about the file itself (its name and folder), which a form cannot get wrong: the
# builder names the file after the id and the category.
FILE_CODES = {"id-mismatch", "misplaced", "category-mismatch", "file-extension"}
# The published scenario and the template whose ids the cases take.
PUBLISHED = "scenarios/travel/ryokan-check-in-kyoto.yaml"
EDITED = "scenarios/restaurant/tapas-bar-madrid.yaml"
TEMPLATE = "templates/restaurant-dining.yaml"
TEMPLATE_TITLE = yaml.safe_load((REPO / TEMPLATE).read_text(encoding="utf-8"))["title"]
YAML_HINT = re.compile(r"; YAML reads the unquoted .*$")


@dataclass(frozen=True)
class Case:
    """A document, where its file goes, and what the browser knows when it checks it.

    `own_id`: the id it had when loaded for an edit. `yaml_hint`: `validate` adds how YAML
    read an unquoted value, which a form's value never was: the browser says the rest.
    `source`: the published scenario the builder started a copy from, whose document it
    holds (near-copies).
    """

    name: str
    doc: Doc
    place: str = ""
    own_id: str | None = None
    yaml_hint: bool = False
    source: str | None = None

    @property
    def path(self) -> str:
        return self.place or f"scenarios/{self.doc.get('category', 'restaurant')}/{self.name}.yaml"


def case(name: str, change: Callable[[Doc], object], **options: Any) -> Case:
    """The valid document with its id set to `name`, and a title of its own (a copy of a
    published scenario's title is a near-copy), changed by `change`."""
    doc = valid_doc() | {"scenario_id": name, "title": f"Case {name}"}
    change(doc)
    return Case(name, doc, **options)


def phase(doc: Doc, number: int = 0) -> Doc:
    found: Doc = doc["phases"][number]
    return found


def drop(*keys: str) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        for key in keys:
            del doc[key]

    return change


def put(**values: Any) -> Callable[[Doc], None]:
    return lambda doc: doc.update(values)


def in_phase(number: int = 0, **values: Any) -> Callable[[Doc], None]:
    return lambda doc: phase(doc, number).update(values)


def entry(number: int, key: str, index: int, value: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        phase(doc, number)[key][index] = value

    return change


def seven_phases(doc: Doc) -> None:
    doc["phases"] = [
        {**copy.deepcopy(phase(doc, n % 3)), "phase_id": f"step-{n}"} for n in range(7)
    ]


def also(*changes: Callable[[Doc], object]) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        for one in changes:
            one(doc)

    return change


CASES = [
    case("all-fine", lambda doc: None),
    case("missing-key", drop("title")),
    case("missing-keys", drop("title", "setting")),
    case("missing-in-phase", lambda doc: phase(doc).pop("name")),
    case("missing-term", entry(0, "key_vocabulary", 0, {"translation": "the bar counter"})),
    case("unknown-key-close", put(descripton="A typo of a known key")),
    case("unknown-key-far", put(colour="blue")),
    case(
        "unknown-key-in-entry", entry(0, "key_vocabulary", 0, {"term": "la barra", "transl": "x"})
    ),
    case("unknown-key-in-phase", in_phase(1, hint="Say hello")),
    # Renamed keys: the one meant is the missing one, never one the mapping has
    # ("duration" is close to "description", "phrases" to "phase_id").
    case(
        "unknown-key-renamed",
        also(
            lambda doc: doc.update(duration=doc.pop("estimated_duration")),
            lambda doc: phase(doc).update(phrases=phase(doc).pop("essential_phrases")),
        ),
    ),
    case("wrong-type-number", put(estimated_duration="15")),
    case("wrong-type-minutes", put(estimated_duration="15 min")),
    case("wrong-type-text", put(title=["Tapas"])),
    case("wrong-type-empty", put(setting=None)),
    case("wrong-type-list", put(prerequisites="Numbers 1-20")),
    case("wrong-type-boolean", put(is_public="yes")),
    case("wrong-type-entry", entry(0, "essential_phrases", 1, ["a", "list"])),
    case("enum-close", put(category="restaurnt"), place="scenarios/restaurant/enum-close.yaml"),
    case("enum-far", put(difficulty="expert")),
    case("cefr-agrees", put(cefr="A2")),
    case("cefr-unknown", put(cefr="B3")),
    case("cefr-disagrees", put(difficulty="advanced", cefr="A2")),
    case("enum-list", put(category=["travel"]), place="scenarios/travel/enum-list.yaml"),
    case("too-short", put(title="Hi")),
    case("too-short-slug", in_phase(0, phase_id="x")),
    case("too-long", put(title="😀" * 101)),
    case("too-long-entry", entry(1, "essential_phrases", 0, "¿" + "a" * 300 + "?")),
    case("empty-text", put(user_role="")),
    case("empty-title", put(title="")),
    case("empty-login", put(created_by="")),
    case("blank-text", put(ai_role="   \t")),
    case("blank-term", entry(0, "key_vocabulary", 0, {"term": "  ", "translation": "x"})),
    case("blank-and-short", put(title=" ")),
    case("blank-objective", entry(0, "learning_objectives", 0, "\u3000")),
    case("bad-slug", put(scenario_id="Tapas Bar (Madrid)")),
    case("bad-slug-phase", in_phase(0, phase_id="Greeting Stage")),
    case("bad-slug-short", in_phase(1, phase_id="Ölé!")),
    case("bad-login", put(created_by="octo cat")),
    case("bad-language", put(language="español")),
    case("long-value", put(derived_from="A value far longer than forty characters, to be cut")),
    case("long-emoji-value", in_phase(1, phase_id="🌮" * 45)),
    case("below-minimum", put(estimated_duration=3)),
    case("above-maximum", in_phase(0, expected_duration_minutes=61)),
    case("fraction", put(estimated_duration=15.5)),
    case("too-few-phases", lambda doc: doc.update(phases=doc["phases"][:1])),
    case("too-many-phases", seven_phases),
    case("too-few-entries", lambda doc: phase(doc)["key_vocabulary"].pop()),
    case("too-many-entries", in_phase(2, key_vocabulary=[f"word {n}" for n in range(51)])),
    case("no-objectives", in_phase(1, learning_objectives=[])),
    case("many-problems", also(drop("language"), put(title="", colour=1), in_phase(0, x=None))),
    case("duplicate-phase-id", in_phase(1, phase_id="greeting")),
    case("duration-mismatch", put(estimated_duration=20)),
    case(
        "repeated-vocabulary",
        also(
            entry(1, "key_vocabulary", 0, {"term": "La  Barra"}),
            entry(2, "key_vocabulary", 1, "la carta"),
        ),
    ),
    case("placeholder", put(description="TODO: describe it", cultural_context="TODO: it's")),
    case("unadapted", put(setting="TODO: adapt: A bar in Madrid.", user_role="TODO: adapt: x")),
    case(
        "untranslated",
        also(
            entry(0, "key_vocabulary", 0, {"term": "TODO: la barra", "translation": "bar"}),
            entry(0, "essential_phrases", 1, 'TODO: "¿Nos pone dos cañas?" it\'s'),
            entry(1, "essential_phrases", 0, {"text": "TODO:\tla cuenta\n", "note": "TODO:"}),
        ),
    ),
    case("language-case", put(language="ES")),
    case("language-region-case", put(language="pt-br")),
    case("language-script-case", put(language="ZH-hant-tw")),
    case("language-deprecated", put(language="iw")),
    case("language-unknown", put(language="qq")),
    case("language-not-learnable", put(language="und")),
    case("language-underscore", put(language="pt_br")),
    case("language-country-code", put(language="jp")),
    Case(
        "taken-by-a-published-scenario",
        valid_doc() | {"scenario_id": "ryokan-check-in-kyoto", "title": "Case taken"},
        place="scenarios/restaurant/ryokan-check-in-kyoto.yaml",
    ),
    Case(
        "taken-by-a-template",
        valid_doc() | {"scenario_id": "restaurant-dining", "title": "Case taken by a template"},
        place="scenarios/restaurant/restaurant-dining.yaml",
    ),
    # A copy of the edited scenario: its title (punctuation and case aside) and its words.
    case(
        "copy-kept-title-and-words",
        put(title="Ordering tapas in  MADRID!", derived_from="tapas-bar-madrid"),
        source="tapas-bar-madrid",
    ),
    case(
        "copy-kept-words",
        also(
            put(derived_from="tapas-bar-madrid"),
            entry(0, "key_vocabulary", 0, {"term": "el mostrador", "translation": "counter"}),
        ),
        source="tapas-bar-madrid",
    ),
    # A template's title is taken too.
    case("template-title", put(title="Restaurant dining experience")),
    # The site's language in titles and descriptions; translations after a template.
    case("not-english-words", put(title="Tapas en el bar de la esquina")),
    case("not-english-script", put(description="居酒屋で注文する「すみません」")),
    case(
        "quoted-and-english",
        put(title="Ordering 'la cuenta' at the bar", description="Pedir «una caña» en la barra"),
    ),
    case(
        "missing-translation",
        also(
            put(derived_from="restaurant-dining"),
            entry(0, "key_vocabulary", 0, "la barra"),
            entry(1, "essential_phrases", 0, {"text": "La cuenta, por favor.", "note": "x"}),
            entry(1, "essential_phrases", 1, "TODO: la cuenta"),
        ),
    ),
    Case(
        "its-own-id-when-edited",
        valid_doc() | {"estimated_duration": 16},
        place=EDITED,
        own_id="tapas-bar-madrid",
    ),
    # Started from the (Spanish) template, its language changed, its words kept as they are.
    Case(
        "template-words-in-another-language",
        yaml.safe_load((REPO / TEMPLATE).read_text(encoding="utf-8"))
        | {
            "scenario_id": "template-words-in-another-language",
            "title": "Case dinner in Osaka",
            "language": "ja",
            "created_by": "ana",
            "is_system_scenario": False,
            "derived_from": Path(TEMPLATE).stem,
        },
        source=Path(TEMPLATE).stem,
    ),
    case("yaml-number", entry(0, "key_vocabulary", 2, 5), yaml_hint=True),
    case("yaml-boolean", put(user_role=False), yaml_hint=True),
]


def published_repository(root: Path) -> Path:
    """What the site publishes: the scenarios the cases' ids collide with, and a template."""
    make_repo(root, {})
    for relative in (PUBLISHED, EDITED, TEMPLATE):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relative, root / relative)
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The published scenarios built into a site and served on 127.0.0.1."""
    root = published_repository(tmp_path_factory.mktemp("published"))
    served = tmp_path_factory.mktemp("served")
    build(root, served / "out")
    with serving(served / "out" / "site") as address:
        yield address


@pytest.fixture(scope="module")
def told_by_validate(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Diag]]:
    """What `scenarios validate --format json` says of each case's file, by case name.

    Every case is a file of one repository that also holds the published files (the
    edited case replaces its original), checked in one run.
    """
    root = published_repository(tmp_path_factory.mktemp("repository"))
    files = {}
    for one in CASES:
        text = dump(one.doc)
        assert yaml.safe_load(text) == one.doc  # the file holds what the browser is given
        path = root / one.path
        assert one.path == EDITED or not path.exists(), f"{one.name}: two cases in one file"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files[str(path.resolve())] = one.name
    _, found = diagnostics("validate", *files)
    told: dict[str, list[Diag]] = {one.name: [] for one in CASES}
    for d in found:
        name = files[str((Path.cwd() / d["path"]).resolve())]
        if d["code"] not in FILE_CODES:
            told[name].append((d["pointer"], d["code"], d["severity"], d["message"]))
    return told


def started_from(source: str | None) -> dict[str, Any] | None:
    """What the builder holds of the document a copy started from (start.js's `from`): the
    document `validate` sees in that file, the edited case's for the edited scenario."""
    if source is None:
        return None
    if source == Path(TEMPLATE).stem:
        template = yaml.safe_load((REPO / TEMPLATE).read_text(encoding="utf-8"))
        return {"id": source, "template": True, "doc": template}
    (edited,) = [one.doc for one in CASES if one.place == EDITED]
    assert edited["scenario_id"] == source
    return {"id": source, "template": False, "doc": edited}


def told_by_browser(page: Page, site: str) -> dict[str, list[Diag]]:
    """What `checkScenario` says of each case, in Chromium, with one evaluate for all."""
    schema = json.loads((REPO / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
    page.goto(f"{site}/")
    results = page.evaluate(
        """async ({cases, schema, templates}) => {
            const { checkScenario, takenFrom, titlesFrom } = await import(
                new URL("assets/builder/check.js", location.href));
            const get = async (path) => (await fetch(new URL(path, location.href))).json();
            const summary = await get("api/scenarios.json");
            const { takenIds, places } = takenFrom(summary, templates.map((t) => t.id));
            const titles = titlesFrom(summary, templates);
            const languages = await get("builder/languages.json");
            const results = [];
            for (const { doc, ownId, source } of cases) {
                const context = { takenIds, places, ownId, languages, titles, source };
                results.push(checkScenario(doc, schema, context));
            }
            return results;
        }""",
        {
            "cases": [
                {"doc": one.doc, "ownId": one.own_id, "source": started_from(one.source)}
                for one in CASES
            ],
            "schema": schema,
            "templates": [{"id": Path(TEMPLATE).stem, "title": TEMPLATE_TITLE}],
        },
    )
    assert page.problems == []  # type: ignore[attr-defined]
    return {
        one.name: [(f["pointer"], f["code"], f["severity"], f["message"]) for f in found]
        for one, found in zip(CASES, results, strict=True)
    }


def test_the_browser_says_what_validate_says(
    site: str, page: Page, told_by_validate: dict[str, list[Diag]]
) -> None:
    in_browser = told_by_browser(page, site)
    for one in CASES:
        expected = told_by_validate[one.name]
        if one.yaml_hint:
            assert all(YAML_HINT.search(message) for *_, message in expected), expected
            expected = [(*d[:3], YAML_HINT.sub("", d[3])) for d in expected]
        assert sorted(in_browser[one.name]) == sorted(expected), one.name
    # Every case but the valid ones finds something, so no case passes by finding nothing.
    silent = {name for name, found in told_by_validate.items() if not found}
    assert silent == {"all-fine", "cefr-agrees"}
    renamed = {d[3] for d in in_browser["unknown-key-renamed"] if d[1] == "unknown-key"}
    assert renamed == {
        "unknown key 'duration': did you mean 'estimated_duration'?",
        "unknown key 'phrases' in phase 1: did you mean 'essential_phrases'?",
    }
    kept = [d for d in in_browser["template-words-in-another-language"] if d[1] == "near-copy"]
    assert len(kept) == 1
    assert "written in 'es' while this scenario is in 'ja'" in kept[0][3]
    (disagreeing,) = in_browser["cefr-disagrees"]
    assert disagreeing[0] == "/cefr"
    assert "an advanced scenario is at CEFR B2, C1 or C2" in disagreeing[3]


def test_the_cases_cover_every_code_the_browser_checks(
    told_by_validate: dict[str, list[Diag]],
) -> None:
    codes = {code for found in told_by_validate.values() for _, code, _, _ in found}
    assert codes == {
        "missing-key",
        "unknown-key",
        "wrong-type",
        "not-allowed",
        "too-short",
        "too-long",
        "empty",
        "bad-format",
        "too-small",
        "too-large",
        "too-few",
        "too-many",
        "duplicate-id",
        "duplicate-phase-id",
        "duration-mismatch",
        "repeated-vocabulary",
        "placeholder",
        "untranslated",
        "unadapted",
        "language-form",
        "unknown-language",
        "near-copy",
        "not-english",
        "missing-translation",
    }


def test_the_vendored_validator_is_the_published_one() -> None:
    """Every file of the vendored library is listed in VENDOR.json with its hash, beside
    its license: what the site serves is what the npm tarball holds, unchanged."""
    folder = REPO / "site" / "static" / "vendor" / "json-schema"
    vendor = json.loads((folder / "VENDOR.json").read_text(encoding="utf-8"))
    assert vendor["name"] == "@cfworker/json-schema"
    assert vendor["source"].endswith(f"/json-schema-{vendor['version']}.tgz")
    served = {p.name for p in folder.glob("*.js")}
    assert set(vendor["files"]) == served
    for name, digest in vendor["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert "MIT License" in (folder / "LICENSE").read_text(encoding="utf-8")
