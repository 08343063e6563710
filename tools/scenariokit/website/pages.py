"""The static site: pages, the JSON API and the sitemap, from validated scenarios.

Only public scenarios appear here (drafts are in the SQLite index only), unless the site is
built with drafts (`SiteContext.drafts`: a pull request's preview, `serve --drafts`), where
each draft is marked as one. Every page links with root-relative URLs under
`SiteContext.base`, so the site works from a sub-path such as a GitHub Pages project site;
or, in a preview (`SiteContext.relative`), relative to the page itself, so the site opens
from a folder (`links.relative_links`). Nothing on a page loads from another host.
"""

from __future__ import annotations

import hashlib
import html
import operator
import shutil
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from scenariokit.check.languages import (
    RTL_SCRIPTS,
    builder_languages,
    direction,
    language_name,
    load_language_data,
    primary_language,
)
from scenariokit.check.schema import choices, schema_path
from scenariokit.check.standard import expects_readings, missing
from scenariokit.entry_fields import phrase_fields, said_by_partner, vocabulary_fields
from scenariokit.website.decks import empty_collection, language_deck_file, scenario_deck_file
from scenariokit.website.links import relative_links
from scenariokit.website.prompts import marked_prompt, prompt_html
from scenariokit.website.search_files import display_key
from scenariokit.website.theme import environment, static_files, theme_dir

if TYPE_CHECKING:
    from scenariokit.models import Scenario

SITE_NAME = "scenariokit"
# What a listing and the API's summary show of a scenario.
SUMMARY_KEYS = (
    "scenario_id",
    "title",
    "description",
    "category",
    "difficulty",
    "cefr",
    "estimated_duration",
    "language",
    "created_by",
    "is_system_scenario",
)


@dataclass(frozen=True, slots=True)
class SiteContext:
    """What every page needs to know about the site as a whole."""

    base: str  # path prefix without trailing slash: "" or "/repo"
    site_url: str  # absolute URL of the site root for the sitemap, or "" if unknown
    repository_url: str | None
    branch: str
    drafts: bool = False  # drafts are on the site too, marked as drafts
    relative: bool = False  # every link relative to its page (`links.relative_links`)
    # A preview's changed scenarios, (status, scenario id, path) with status "added",
    # "edited" or "removed", listed on its home page; None for a site that is no preview.
    changes: tuple[tuple[str, str, str], ...] | None = None

    def address(self, relative: str) -> str:
        """A page's address: absolute when the site's URL is known, root-relative otherwise."""
        return f"{self.site_url or self.base}/{relative}"

    def globals(self) -> dict[str, Any]:
        """Template variables shared by every page."""
        return {
            "base": self.base,
            "site_name": SITE_NAME,
            "repository_url": self.repository_url,
            "branch": self.branch,
            "preview": self.changes is not None,
            "drafts": self.drafts,
        }

    def shown(self, doc: Scenario) -> bool:
        """Whether a scenario has its page on this site: a public one, or any with drafts."""
        return self.drafts or bool(doc.get("is_public", True))

    def finished(self, html: str, page: str) -> str:
        """A rendered page as it is written at `page` (relative to the site)."""
        return relative_links(html, page) if self.relative else html


@dataclass(frozen=True, slots=True)
class SiteScenario:
    """A scenario with what the site adds to it: names, dates and where it came from."""

    data: Scenario
    source_path: str  # relative to the repository, posix
    created_at: str | None
    updated_at: str | None

    @property
    def scenario_id(self) -> str:
        """The scenario's id."""
        return str(self.data["scenario_id"])


def category_name(key: str) -> str:
    """`daily_life` → `Daily life`."""
    return key.replace("_", " ").capitalize()


def view(entry: SiteScenario, derived_href: str | None = None) -> dict[str, Any]:
    """The template variables of one scenario: its data, with what a page adds to it.

    Optional fields are present (None or empty), so templates can test them; vocabulary and
    phrases are alike: `(text, translation, note, reading)` tuples, which a template unpacks
    in its loop (a page has dozens, and unpacked names cost no lookups). A phase's phrases
    are the learner's (`phrases`) and, apart, the partner's (`heard`). `direction` is the
    language's ("rtl" for Arabic): the words carry it, the page stays left-to-right.
    """
    doc = entry.data
    entries = [
        (
            [vocabulary_fields(e) for e in phase["key_vocabulary"]],
            [phrase_fields(e) for e in phase["essential_phrases"] if not said_by_partner(e)],
            [phrase_fields(e) for e in phase["essential_phrases"] if said_by_partner(e)],
        )
        for phase in doc["phases"]
    ]
    phases = [
        phase
        | {
            "vocabulary": words,
            "phrases": said,
            "heard": heard,
            "description": phase.get("description"),
            "expected_duration_minutes": phase.get("expected_duration_minutes"),
            "success_criteria": phase.get("success_criteria", []),
            "cultural_notes": phase.get("cultural_notes"),
        }
        for phase, (words, said, heard) in zip(doc["phases"], entries, strict=True)
    ]
    return (
        {key: doc.get(key) for key in ("description", "cultural_context")}
        | doc
        | {
            "derived_from": published_source(doc, derived_href),
            "prerequisites": doc.get("prerequisites", []),
            "learning_outcomes": doc.get("learning_outcomes", []),
            "vocabulary_focus": doc.get("vocabulary_focus", []),
            "is_system_scenario": doc.get("is_system_scenario", False),
            "phases": phases,
            "has_readings": any(
                fields[3] for phase in entries for group in phase for fields in group
            ),
            "language_name": language_name(doc["language"]),
            "direction": direction(doc["language"]),
            "category_name": category_name(doc["category"]),
            "derived_from_href": derived_href,
            "updated_at": entry.updated_at,
        }
    )


def card(entry: SiteScenario) -> dict[str, Any]:
    """What a listing shows of a scenario (a light `view`)."""
    doc = entry.data
    untranslated, unread = missing(doc)
    return (
        {key: doc.get(key) for key in SUMMARY_KEYS}
        | {
            "language_name": language_name(doc["language"]),
            "category_name": category_name(doc["category"]),
            "missing": [untranslated, unread],  # for the languages page's coverage
        }
        # Only a site with drafts (`--drafts`) has them: a published site's cards are unchanged.
        | ({"draft": True} if doc.get("is_public", True) is False else {})
    )


def render_scenario(entry: SiteScenario, context: SiteContext, derived_href: str | None) -> str:
    """The HTML page of one public scenario."""
    page = view(entry, derived_href)
    page["draft"] = entry.data.get("is_public", True) is False
    edit_url = (
        f"{context.repository_url}/edit/{context.branch}/{entry.source_path}"
        if context.repository_url
        else None
    )
    html = (
        environment()
        .get_template("scenario.html")
        .render(
            **context.globals(),
            s=page,
            edit_url=edit_url,
            deck=scenario_deck_file(entry.scenario_id),
            language_deck=language_deck_file(entry.data["language"]),
            prompt=prompt_html(
                marked_prompt(entry.data, page["language_name"]),
                entry.data["language"],
                page["direction"],
            ),
        )
    )
    return context.finished(html, f"scenarios/{entry.scenario_id}/index.html")


def load_renderer() -> None:
    """Load what rendering a scenario's page needs, before a build forks its workers.

    Jinja2 and the page's template, langcodes' names of languages and the Anki packages'
    empty collection: time each worker would otherwise spend again on its first page.
    """
    load_templates("scenario.html")
    load_language_data()
    empty_collection()


def load_templates(*names: str) -> None:
    """Load Jinja2 and these templates, before a process forks one that renders them too."""
    for name in names:
        environment().get_template(name)


def derived_href(entry: SiteScenario, public_ids: set[str], template_ids: set[str]) -> str | None:
    """Where the link to a scenario's source goes, if the source is on the site.

    None for a source that is a draft (its id must appear nowhere on the site) or that is
    nothing at all (a page never links to nothing): `published_source` then hides it.
    """
    origin = entry.data.get("derived_from")
    if origin in public_ids:
        return f"scenarios/{origin}/"
    if origin in template_ids:
        return f"templates/#{origin}"
    return None


def published_source(doc: Scenario, derived_href: str | None) -> str | None:
    """The `derived_from` a page or the API may show: None unless the source is on the site.

    The one rule for both: a draft's id must not leak through a public scenario derived
    from it, and an id naming nothing is no source to show. `derived_href` is where
    `derived_href()` found the source on the site, or None.
    """
    return doc.get("derived_from") if derived_href is not None else None


PER_PAGE = 50  # scenarios on a page of a topic's or a language's listing


class Listing(NamedTuple):
    """A page of the site that lists scenarios: where it goes, its template, its variables."""

    relative: str
    template: str
    variables: dict[str, Any]

    def digest(self) -> str:
        """A hash of everything the page is made of: a rebuild re-renders it when this changes.

        Site-wide inputs (the theme, `SiteContext`) are left out: a change there rebuilds
        everything anyway.
        """
        inputs = orjson.dumps([self.template, self.variables], option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(inputs).hexdigest()

    def render(self, context: SiteContext) -> bytes:
        """The page's HTML."""
        html = (
            environment().get_template(self.template).render(**context.globals(), **self.variables)
        )
        return context.finished(html, self.relative).encode()


def listing_pages(
    cards: list[dict[str, Any]],
    changes: tuple[tuple[str, str, str], ...] | None = None,
    only: Collection[str] | None = None,
) -> list[Listing]:
    """Home, topics, languages and a page per topic and per language, from public cards.

    A preview's home page (`changes`, see `SiteContext`) starts with its changed scenarios.
    `only`: the folders of the topics' and languages' listings to page (`listing_folder`),
    when the others are known to be as they were; all of them when None. A listing's
    pages are made of its own scenarios' cards alone.
    """
    home = {} if changes is None else {"changes": changed_scenarios(cards, changes)}
    categories = _groups(cards, "category", "category_name")
    languages = _groups(cards, "language", "language_name")
    order = choices("difficulty")  # easiest first, as a learner looks for a level
    difficulties = _groups(cards, "difficulty", "difficulty")
    difficulties.sort(key=lambda g: order.index(g["key"]))
    for group in difficulties:
        group["name"] = group["name"].capitalize()
    levels = _groups([c for c in cards if c["cefr"]], "cefr", "cefr")
    pages = [
        Listing(
            "index.html",
            "home.html",
            {
                "categories": categories,
                "languages": languages,
                "language_choices": language_choices(languages),
                "difficulties": difficulties,
                "levels": levels,
                "public_count": len(cards),
                # Languages, not tags: Spanish with its Argentine and Mexican variants is one.
                "language_count": len({primary_language(g["key"]) for g in languages}),
            }
            | home,
        ),
        Listing(
            "categories/index.html",
            "listing.html",
            {
                "heading": "Topics",
                "nav": ["topics", "page"],
                "groups": [g | {"href": listing_folder("category", g["key"])} for g in categories],
            },
        ),
        Listing(
            "languages/index.html",
            "listing.html",
            {
                "heading": "Languages",
                "nav": ["languages", "page"],
                "groups": [g | {"href": listing_folder("language", g["key"])} for g in languages],
                "coverage": coverage(cards),
            },
        ),
    ]
    for field, groups in (("category", categories), ("language", languages)):
        for group in groups:
            folder = listing_folder(field, group["key"])
            if only is None or folder in only:
                members = sorted((c for c in cards if c[field] == group["key"]), key=display_key)
                variables = _listing_variables(field, group)
                if field == "language":
                    variables["related"] = _related_languages(group["key"], languages)
                pages += paginated(folder, members, variables)
    return pages


def _related_languages(tag: str, languages: list[dict[str, Any]]) -> dict[str, Any]:
    """The other tags of `tag`'s language on the site, each linked: `es` → `es-AR`, `es-MX`.

    A language's page lists its own tag's scenarios; a learner of Spanish who lands on
    Spanish's page is shown the Argentine and Mexican ones are there too.
    """
    primary = primary_language(tag)
    groups = [
        g | {"href": listing_folder("language", g["key"])}
        for g in languages
        if g["key"] != tag and primary_language(g["key"]) == primary
    ]
    return {"name": language_name(primary), "groups": groups}


def listing_folder(field: str, key: str) -> str:
    """Where the listing of the scenarios whose `field` ("category", "language") is `key` goes."""
    return f"{'categories' if field == 'category' else 'languages'}/{key}/"


def _listing_variables(field: str, group: dict[str, Any]) -> dict[str, Any]:
    """What a topic's or a language's listing shows above its scenarios."""
    if field == "category":
        return {"heading": group["name"], "nav": ["topics", "true"]}
    return {
        "heading": f"Scenarios in {group['name']}",
        "nav": ["languages", "true"],
        "deck": language_deck_file(group["key"]),
    }


def changed_scenarios(
    cards: list[dict[str, Any]], changes: tuple[tuple[str, str, str], ...]
) -> list[dict[str, Any]]:
    """A preview's list of changed scenarios: each with its title and page when it has one.

    A removed scenario has neither (its file is gone); an added or edited one that is not
    on the site (a draft, on a site without drafts) has no page either.
    """
    by_id = {c["scenario_id"]: c for c in cards}
    found = []
    for status, scenario_id, path in changes:
        shown = by_id.get(scenario_id) if status != "removed" else None
        found.append(
            {
                "status": status,
                "scenario_id": scenario_id,
                "path": path,
                "title": shown["title"] if shown else None,
                "draft": bool(shown and shown.get("draft")),
                "href": f"scenarios/{scenario_id}/" if shown else None,
            }
        )
    return found


def templates_page(templates: list[Scenario]) -> Listing:
    """The templates page (its variables are views, not data: it has no digest)."""
    views = [view(SiteScenario(t, "", None, None)) for t in templates]
    return Listing("templates/index.html", "templates.html", {"templates": views})


def builder_files(templates: list[Scenario], used_languages: set[str]) -> dict[str, bytes]:
    """What the builder page reads besides the scenarios' API: written by a full build.

    The schema (the builder validates with it: no second copy of the rules), each
    template's document (`api/templates/<id>.json`, a starting point) and their list
    (`api/templates.json`), and the languages
    with their names and the registry's subtags (`builder_languages`, the tool's own data).
    `used_languages` are those of the public scenarios and templates: a draft's language
    is none of the site's business.
    """
    files = {
        "schemas/" + schema_path().name: schema_path().read_bytes(),
        "builder/languages.json": orjson.dumps(
            with_directions(builder_languages(used_languages)), option=orjson.OPT_APPEND_NEWLINE
        ),
    }
    listed = []
    for template in templates:
        scenario_id = template["scenario_id"]
        files[f"api/templates/{scenario_id}.json"] = scenario_json(
            SiteScenario(template, "", None, None)
        )
        listed.append(
            {key: template.get(key) for key in SUMMARY_KEYS}
            | {"phase_count": len(template["phases"]), "file": f"api/templates/{scenario_id}.json"}
        )
    # Which templates there are, for an app as for the builder's grid (it had to guess ids).
    files["api/templates.json"] = orjson.dumps(
        {
            "templates": sorted(listed, key=operator.itemgetter("scenario_id")),
            "version": API_VERSION,
        },
        option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE,
    )
    return files


def with_directions(languages: dict[str, Any]) -> dict[str, Any]:
    """`builder_languages` with each language's direction, for the builder's term inputs.

    A right-to-left language has `"dir": "rtl"` (`direction`); `rtl_scripts` lets the
    builder apply the same rule to a tag that is not listed (its script, written or likely).
    """
    listed = [
        language | ({"dir": "rtl"} if direction(language["tag"]) == "rtl" else {})
        for language in languages["languages"]
    ]
    return languages | {"languages": listed, "rtl_scripts": sorted(RTL_SCRIPTS)}


def builder_page(templates: list[Scenario]) -> Listing:
    """The builder: its grid of templates to start from (the rest is the page's script)."""
    views = [view(SiteScenario(t, "", None, None)) for t in templates]
    return Listing("builder/index.html", "builder.html", {"templates": views})


def review_page(languages: set[str]) -> Listing:
    """The Review page: the flashcards due across scenarios.

    Gathered by its script from the learner's progress (in the browser) and the scenarios'
    API files: the build writes the page alone, with the site's right-to-left `languages`
    (`direction`) for the cards' words to carry.
    """
    rtl = sorted(tag for tag in languages if direction(tag) == "rtl")
    return Listing("review/index.html", "review.html", {"rtl_languages": rtl})


def not_found_page() -> Listing:
    """`404.html`, which static hosts (GitHub Pages among them) show for a missing page.

    Its links start at the site's root, so they work at whatever address it is shown.
    """
    return Listing("404.html", "404.html", {})


def copy_assets(site: Path) -> None:
    """The theme's CSS and JavaScript, with their folders, into `site/assets/`."""
    static = theme_dir() / "static"
    for asset in static_files():
        target = site / "assets" / asset
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(static / asset, target)


def coverage(cards: list[dict[str, Any]]) -> dict[str, Any]:
    """The languages page's table: public scenarios by language, topic and level.

    With each language's entries still without a translation or the reading it expects
    (`unread` None where it expects none, as `check/standard` says). A language is its
    primary subtag, with its regional variants (as `scenarios stats` counts them, drafts
    aside): an empty cell is a topic no scenario covers yet in it.
    """
    rows: dict[str, dict[str, Any]] = {}
    primaries: dict[str, str] = {}  # a few tags among thousands of cards: each looked up once
    for c in cards:
        primary = primaries.get(c["language"]) or primaries.setdefault(
            c["language"], primary_language(c["language"])
        )
        row = rows.get(primary)
        if row is None:
            row = rows[primary] = {
                "name": language_name(primary),
                "topics": Counter(),
                "levels": Counter(),
                "untranslated": 0,
                "unread": 0 if expects_readings(primary) else None,
            }
        row["topics"][c["category"]] += 1
        row["levels"][c["difficulty"]] += 1
        row["untranslated"] += c["missing"][0]
        if row["unread"] is not None:
            row["unread"] += c["missing"][1]
    topics = choices("category")
    return {
        "topics": [{"key": t, "name": category_name(t)} for t in topics],
        "rows": [rows[key] for key in sorted(rows, key=lambda k: rows[k]["name"].casefold())],
        "empty": sum(1 for r in rows.values() for t in topics if not r["topics"][t]),
    }


def paginated(folder: str, cards: list[dict[str, Any]], variables: dict[str, Any]) -> list[Listing]:
    """A listing of `cards` in pages of `PER_PAGE`: `folder` first, then `folder/page/N/`.

    Stable, crawlable addresses (each page is in the sitemap), so a page stays small at
    any size of the library: a topic of 10,000 scenarios was a 5 MB page. The cards keep
    their order (by title) across pages; a retitled scenario changes the pages between
    its old place and its new one, and a rebuild re-renders those alone.
    """
    count = max(1, -(-len(cards) // PER_PAGE))
    pages = []
    for number in range(1, count + 1):
        pager = {
            "page": number,
            "pages": count,
            "first": folder,
            "total": len(cards),
        }
        pages.append(
            Listing(
                f"{page_folder(folder, number)}index.html",
                "listing.html",
                variables
                | {"scenarios": cards[(number - 1) * PER_PAGE : number * PER_PAGE], "pager": pager},
            )
        )
    return pages


def page_folder(folder: str, number: int) -> str:
    """Where page `number` of the listing at `folder` goes (the first is the folder)."""
    return folder if number == 1 else f"{folder}page/{number}/"


def language_choices(languages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The home page's language filter: each language, then each of its variants under it.

    A language's choice takes in all its variants (`variant` marks those after it):
    German takes in `de-AT` as well as `de`: a learner of German wants the Austrian
    scenarios too, and the search matches a language by its primary subtag (search.js).
    A language with one tag, the language's own, is one choice.
    """
    by_primary: dict[str, list[dict[str, Any]]] = {}
    for group in languages:
        by_primary.setdefault(primary_language(group["key"]), []).append(group)
    found = []
    for primary, tags in by_primary.items():
        if [g["key"] for g in tags] == [primary]:
            found.append(tags[0] | {"variant": False})
            continue
        count = sum(g["count"] for g in tags)
        found.append(
            {"key": primary, "name": language_name(primary), "count": count, "variant": False}
        )
        found += [g | {"variant": True} for g in tags if g["key"] != primary]
    return found


def _groups(cards: list[dict[str, Any]], key: str, name: str) -> list[dict[str, Any]]:
    """Cards counted by `key`, named by the card's `name` field, in order of name."""
    counts = Counter(c[key] for c in cards)
    names = {c[key]: c[name] for c in cards}
    groups = [{"key": k, "name": names[k], "count": n} for k, n in counts.items()]
    return sorted(groups, key=lambda g: (str(g["name"]).casefold(), g["key"]))


def scenario_json(entry: SiteScenario, derived_href: str | None = None) -> bytes:
    """`api/scenarios/<id>.json`: the scenario with the keys of its file, and its dates.

    A file's `derived_from` is null here unless `derived_href` says the source is on the
    site (see `published_source`); without it, null: a caller that does not say never
    leaks a draft.
    """
    doc: dict[str, object] = {**entry.data, "created_at": entry.created_at}
    doc["updated_at"] = entry.updated_at
    if "derived_from" in doc:
        doc["derived_from"] = published_source(entry.data, derived_href)
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)


def scenario_summary(card: dict[str, Any], phase_count: int, updated_at: str | None) -> bytes:
    """A public scenario's entry in `api/scenarios.json` (JSON), from its `card()`.

    With its phase count, last commit date (`updated_at`), its page's address (`url`) and
    its Anki package's (`deck`). Made once per scenario and kept by the build's state, so
    that a rebuild joins them (`api_summary`) instead of making every one again (a
    tenth of a title's rebuild at 10,000 scenarios).
    """
    summary = dict(
        zip(
            _SUMMARY_FIELDS,
            (
                *_SHOWN(card),
                phase_count,
                updated_at,
                f"scenarios/{card['scenario_id']}/",
                scenario_deck_file(card["scenario_id"]),
            ),
            strict=True,
        )
    )
    if card.get("draft"):  # only on a site built with drafts (a preview), marked as on pages
        summary["draft"] = True
    return orjson.dumps(summary, option=orjson.OPT_SORT_KEYS)


_SUMMARY_FIELDS = (*SUMMARY_KEYS, "phase_count", "updated_at", "url", "deck")
_SHOWN = operator.itemgetter(*SUMMARY_KEYS)


def api_summary(summaries: Iterable[bytes], languages: Mapping[str, str]) -> bytes:
    """`api/scenarios.json`: every public scenario's summary, and each language's deck.

    `summaries` are `scenario_summary()`s in id order; `languages` the name of each
    language tag they have. `decks` lists each language's package; `version` is
    `API_VERSION`. The bytes of
    `orjson.dumps` of the whole with sorted keys, put together from the summaries.
    """
    decks = [
        {"language": tag, "language_name": name, "deck": language_deck_file(tag)}
        for tag, name in sorted(languages.items())
    ]
    return b"".join(
        (
            b'{"decks":',
            orjson.dumps(decks, option=orjson.OPT_SORT_KEYS),
            b',"scenarios":[',
            b",".join(summaries),
            b'],"version":%d}\n' % API_VERSION,
        )
    )


# The API's shape: raised when a key is removed or changes its meaning (an added key is
# no change), so an app can tell the files it was written for.
API_VERSION = 1


def sitemap(pages: list[str], context: SiteContext) -> bytes:
    """`sitemap.xml`, for a site whose full URL is known (`--base-url https://…`).

    The sitemap protocol requires absolute addresses: without the site's URL the build
    writes no sitemap rather than one search engines would reject.
    """
    urls = sorted(p.removesuffix("index.html") for p in pages)
    body = "".join(
        f"<url><loc>{html.escape(context.address(u), quote=False)}</loc></url>\n" for u in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n"
    ).encode()
