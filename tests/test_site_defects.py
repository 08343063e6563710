"""Defects of the site found by hand (issue 15, point 5), each with its own test."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from scenariokit.build.run import build
from scenariokit.check.languages import language_name
from scenariokit.website.prompts import roleplay_prompt
from tests.helpers import REPO, as_scenario, dump, invoke, make_repo, valid_doc

FIRST_PERSON = re.compile(r"\b(I|I'm|me|my|mine|myself)\b")


def shipped_prompts() -> list[str]:
    """The role-play prompt of every shipped scenario."""
    prompts = []
    for path in sorted((REPO / "scenarios").rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        prompts.append(roleplay_prompt(as_scenario(doc), language_name(doc["language"])))
    return prompts


def test_the_prompt_speaks_of_the_learner_in_one_person_and_lets_the_learner_speak() -> None:
    """The partner is told to write only its own lines and wait, to give a hint in English
    when the learner switches to it, and the learner is "the learner" throughout: the
    scenarios' success criteria say "The learner orders…", so an "I" in the rules around
    them would be a second person for the same learner."""
    prompts = shipped_prompts()
    assert len(prompts) >= 100
    for prompt in prompts:
        rules, rest = prompt.split("\n<<< scenario ", 1)
        block, closing = rest.split("\n<<< end of scenario ", 1)
        assert "then wait for the learner's reply" in rules
        assert "never write the learner's lines" in rules
        assert "When the learner writes in English or is stuck, give a short hint" in rules
        assert FIRST_PERSON.findall(rules + closing.split("\n", 1)[1]) == []
        # Each phase's labels (the phase's own name and texts are the scenario's).
        labels = [line.split(":")[0] for line in block.splitlines() if line.startswith("   ")]
        assert labels
        assert FIRST_PERSON.findall(" ".join(labels)) == []
        assert "The learner plays: " in block
        assert "   The learner succeeds if: " in block


def test_the_sitemap_has_absolute_addresses_or_is_not_written(tmp_path: Path) -> None:
    """The sitemap protocol requires absolute URLs: a site built without its full URL
    has no sitemap (rather than one of root-relative paths), one built with it lists
    every page by its absolute address."""
    root = make_repo(
        tmp_path / "repo", {"scenarios/restaurant/tapas-bar-madrid.yaml": dump(valid_doc())}
    )
    build(root, tmp_path / "plain")
    assert not (tmp_path / "plain" / "site" / "sitemap.xml").exists()
    build(root, tmp_path / "sub", base_url="/scenarios/")
    assert not (tmp_path / "sub" / "site" / "sitemap.xml").exists()
    build(root, tmp_path / "full", base_url="https://octocat.github.io/scenarios/")
    found = re.findall(r"<loc>(.*?)</loc>", (tmp_path / "full/site/sitemap.xml").read_text())
    assert "https://octocat.github.io/scenarios/scenarios/tapas-bar-madrid/" in found
    assert all(u.startswith("https://octocat.github.io/scenarios/") for u in found)
    help_text = invoke("build", "--help").stdout
    assert "only a full URL gives sitemap.xml" in " ".join(help_text.split())


def test_a_phase_without_description_and_the_vocabulary_focus_read_well(tmp_path: Path) -> None:
    """A phase with a duration but no description says "About 4 minutes" (not a lone
    "(4 min)"); one with both keeps the minutes after its description; the scenario's
    `vocabulary_focus` is shown under its own heading."""
    doc = valid_doc()
    doc["vocabulary_focus"] = ["food & drink", "paying"]
    doc["phases"][0].pop("description", None)
    doc["phases"][0]["expected_duration_minutes"] = 4
    doc["phases"][1]["description"] = "Order two dishes"
    doc["phases"][1]["expected_duration_minutes"] = 6
    root = make_repo(tmp_path / "repo", {"scenarios/restaurant/tapas-bar-madrid.yaml": dump(doc)})
    build(root, tmp_path / "out")
    page = (tmp_path / "out/site/scenarios/tapas-bar-madrid/index.html").read_text("utf-8")
    first, second = page.split('<section class="phase"')[1:3]
    assert '<p class="meta">About 4 minutes</p>' in first
    assert "(4 min)" not in first
    assert '<p>Order two dishes <span class="meta">(6 min)</span></p>' in second
    focus = page.split("<h2>Vocabulary you will practise</h2>")[1].split("</ul>")[0]
    assert re.findall(r"<li>(.*?)</li>", focus) == ["food &amp; drink", "paying"]
