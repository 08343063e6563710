"""The builder's local mode: `scenarios serve` saving a scenario into the repository.

A real `scenarios serve` process over a copy of the repository, asked over HTTP as the
builder page asks it, and as a hostile page elsewhere might: only the page this server
served, with its token, from its own origin, may write, and only a valid scenario, only
under scenarios/, never over a file changed since it was loaded.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from scenariokit.author.local import Refused
from scenariokit.author.local import save as save_scenario
from tests.helpers import (
    REPO,
    diagnostics,
    installed_command,
    make_repo,
    require_chromium,
    run_installed,
    valid_doc,
)
from tests.test_serve import serving as serve_running

require_chromium()

from playwright.sync_api import Page  # noqa: E402

Served = tuple[str, Path, str]  # the server's address, the repository, the page's token


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = make_repo(tmp_path_factory.mktemp("repo"), {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    shutil.copytree(REPO / "templates", root / "templates")
    out = tmp_path_factory.mktemp("out") / "out"
    with serve_running(root, out, installed_command()) as (address, _):
        page = fetch(address + "builder/")[1]
        token = re.search(r'<meta name="scenariokit-local" content="([^"]+)">', page)
        assert token is not None
        yield address.rstrip("/"), root, token.group(1)


def fetch(url: str, data: Any = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """(status, body) of a GET, or of a POST of `data` as JSON."""
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers=headers or {})
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def page_headers(served: Served, **changed: str) -> dict[str, str]:
    """What the builder page's fetch sends, with some headers changed (or emptied away)."""
    address, _, token = served
    headers = {
        "Origin": address,
        "X-Scenariokit-Token": token,
        "Sec-Fetch-Site": "same-origin",
    } | {name.replace("_", "-"): value for name, value in changed.items()}
    return {name: value for name, value in headers.items() if value}


def save(served: Served, doc: Any, replaces: Any = None, **headers: str) -> tuple[int, Any]:
    status, body = fetch(
        served[0] + "/__scenariokit/save",
        {"scenario": doc, "replaces": replaces},
        page_headers(served, **headers),
    )
    return status, json.loads(body)


def new_doc(scenario_id: str, **changes: Any) -> dict[str, Any]:
    """The valid scenario as `scenario_id`, with a title of its own (not a near-copy's)."""
    title = f"Tapas at {scenario_id.replace('-', ' ').title()}"
    fresh = {"scenario_id": scenario_id, "title": title, "created_by": "octocat"}
    return valid_doc() | fresh | changes


def test_only_the_builder_page_gets_the_token(served: Served) -> None:
    address, _, token = served
    assert token not in fetch(address + "/")[1]
    assert token not in fetch(address + "/scenarios/tapas-bar-madrid/")[1]
    assert token in fetch(address + "/builder/index.html")[1]
    # A name another site points at 127.0.0.1 (DNS rebinding) gets the page without it.
    port = address.rsplit(":", 1)[1]
    status, page = fetch(address + "/builder/", headers={"Host": f"evil.example:{port}"})
    assert status == 200
    assert token not in page
    assert "scenariokit-local" not in page


def test_the_builder_saves_a_valid_scenario_that_then_builds(served: Served) -> None:
    address, root, _ = served
    status, answer = save(served, new_doc("cafe-from-the-builder"))
    assert status == 200, answer
    assert answer["path"] == "scenarios/restaurant/cafe-from-the-builder.yaml"
    assert answer["page"] == "/scenarios/cafe-from-the-builder/"
    written = root / answer["path"]
    assert written.read_text("utf-8").startswith(
        "# yaml-language-server: $schema=../../schemas/scenario.schema.json\n"
        "scenario_id: cafe-from-the-builder\n"
    )
    assert diagnostics("--root", root, "validate", "--strict", written) == (0, [])
    for _ in range(100):  # the server's builder process rebuilds within a poll or two
        status, page = fetch(address + answer["page"])
        if status == 200:
            break
        time.sleep(0.1)
    assert "<h1>Tapas at Cafe From The Builder</h1>" in page


@pytest.mark.parametrize(
    "headers",
    [
        {"X_Scenariokit_Token": ""},
        {"X_Scenariokit_Token": "guessed"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": ""},
        {"Sec_Fetch_Site": "cross-site"},
        {"Host": "evil.example"},
    ],
    ids=["no token", "wrong token", "other origin", "opaque origin", "no origin",
         "cross-site fetch", "another host name"],
)  # fmt: skip
def test_any_other_sender_is_refused_and_nothing_is_written(
    served: Served, headers: dict[str, str]
) -> None:
    _, root, _ = served
    scenario_id = "refused-" + hashlib.sha256(repr(headers).encode()).hexdigest()[:8]
    status, answer = save(served, new_doc(scenario_id), **headers)
    assert status == 403, answer
    assert not (root / "scenarios" / "restaurant" / f"{scenario_id}.yaml").exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"scenario_id": "../../../escaped"},
        {"category": "../../tools"},
        {"scenario_id": "/tmp/absolute"},
        {"category": "restaurant/../../x"},
    ],
)
def test_a_place_outside_scenarios_is_a_validation_error(
    served: Served, changes: dict[str, str]
) -> None:
    _, root, _ = served
    before = sorted(p for p in root.rglob("*") if ".git" not in p.parts)
    status, answer = save(served, new_doc("placeholder-id") | changes)
    assert status == 422, answer
    assert {d["pointer"] for d in answer["diagnostics"]} & {"/scenario_id", "/category"}
    assert sorted(p for p in root.rglob("*") if ".git" not in p.parts) == before


def test_an_invalid_scenario_comes_back_with_its_diagnostics(served: Served) -> None:
    _, root, _ = served
    doc = new_doc("too-short-title", title="ab", estimated_duration=90)
    status, answer = save(served, doc)
    assert status == 422
    found = {(d["pointer"], d["code"]) for d in answer["diagnostics"]}
    assert ("/title", "too-short") in found
    assert ("/estimated_duration", "too-large") in found
    assert not (root / "scenarios" / "restaurant" / "too-short-title.yaml").exists()


def test_a_new_scenario_never_replaces_a_file(served: Served) -> None:
    _, root, _ = served
    path = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    before = path.read_bytes()
    status, answer = save(served, new_doc("tapas-bar-madrid"))
    assert status in (409, 422), answer  # the id is taken: the check or the disk says so
    assert path.read_bytes() == before


def test_an_edit_replaces_only_the_file_as_it_was_loaded(served: Served) -> None:
    address, root, _ = served
    status, body = fetch(
        address + "/__scenariokit/file?id=ryokan-check-in-kyoto", headers=page_headers(served)
    )
    assert status == 200, body
    loaded = json.loads(body)
    path = root / loaded["path"]
    assert loaded["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    doc = json.loads(fetch(address + "/api/scenarios/ryokan-check-in-kyoto.json")[1])
    doc = {k: v for k, v in doc.items() if v is not None and k not in ("created_at", "updated_at")}
    edited = doc | {"title": doc["title"] + " (edited)"}
    status, answer = save(served, edited, {"path": loaded["path"], "sha256": "0" * 64})
    assert status == 409, answer  # not the content it was loaded from
    assert "(edited)" not in path.read_text("utf-8")
    status, answer = save(served, edited, loaded)
    assert status == 200, answer
    assert "(edited)" in path.read_text("utf-8")
    status, answer = save(served, edited | {"title": "Twice"}, loaded)
    assert status == 409, answer  # changed since: by the save above
    assert "changed since" in answer["error"]
    moved = edited | {"category": "travel"}
    status, answer = save(served, moved, {"path": loaded["path"], "sha256": loaded["sha256"]})
    assert status in (409, 422)


def test_an_edit_keeps_the_files_spelling_allow_list(served: Served) -> None:
    """The builder writes from data, which has no comments: the save keeps the header
    comment lines (`# spelling: …`) of the file it replaces, and the file stays canonical."""
    address, root, _ = served
    path = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    before = path.read_text("utf-8")
    header = [line for line in before.splitlines()[1:3] if line.startswith("# spelling:")]
    assert header, "the shipped tapas scenario allows a word on its second line"
    loaded = json.loads(
        fetch(address + "/__scenariokit/file?id=tapas-bar-madrid", headers=page_headers(served))[1]
    )
    doc = json.loads(fetch(address + "/api/scenarios/tapas-bar-madrid.json")[1])
    doc = {k: v for k, v in doc.items() if v is not None and k not in ("created_at", "updated_at")}
    status, answer = save(served, doc | {"estimated_duration": doc["estimated_duration"]}, loaded)
    assert status == 200, answer
    after = path.read_text("utf-8")
    assert after.splitlines()[1 : 1 + len(header)] == header
    assert after == before  # nothing changed: the same bytes, comments and all
    formatted = run_installed("--root", root, "fmt", "--check", path, cwd=root)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_a_template_is_not_edited_from_the_builder(served: Served) -> None:
    status, body = fetch(
        served[0] + "/__scenariokit/file?id=restaurant-dining", headers=page_headers(served)
    )
    assert status == 404, body


def test_requests_that_are_not_json_are_refused(served: Served) -> None:
    address = served[0]
    request = urllib.request.Request(
        address + "/__scenariokit/save",
        data=b"scenario_id: x",
        headers=page_headers(served) | {"Content-Type": "text/yaml"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    refused.value.close()
    assert fetch(address + "/index.html", data={"x": 1})[0] == 405


def test_the_builder_page_saves_into_the_repository_and_opens_the_page(
    served: Served, page: Page
) -> None:
    """As a teacher does it: a template, a title and a login, then "Save to this repository"."""
    address, root, _ = served
    page.goto(address + "/builder/?template=restaurant-dining")
    page.wait_for_function("document.querySelector('#yaml-preview')?.textContent.length > 0")
    page.get_by_label("Title", exact=True).fill("Supper in Granada")
    page.get_by_label("Created by").fill("octocat")
    page.wait_for_function(
        "document.querySelector('#check-status').textContent.startsWith('No problems')"
    )
    page.get_by_role("button", name="Save to this repository").click()
    page.wait_for_url(address + "/scenarios/supper-in-granada/", timeout=20_000)
    assert page.locator("h1").inner_text() == "Supper in Granada"
    written = root / "scenarios" / "restaurant" / "supper-in-granada.yaml"
    assert diagnostics("--root", root, "validate", "--strict", written) == (0, [])
    assert page.problems == []  # type: ignore[attr-defined]


def test_saves_at_once_of_one_new_file_write_it_once(served: Served) -> None:
    """Eight saves of the same new scenario at the same moment: one writes, seven are told.

    Five rounds: a race shows in some rounds only.
    """
    _, root, _ = served
    for round_ in range(5):
        scenario_id = f"raced-new-file-{round_}"
        docs = [new_doc(scenario_id, title=f"Raced {n}") for n in range(8)]
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda doc: save(served, doc), docs))
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200] + [409] * 7, answers
        (winner,) = [docs[n]["title"] for n, (status, _) in enumerate(answers) if status == 200]
        written = (root / "scenarios" / "restaurant" / f"{scenario_id}.yaml").read_text("utf-8")
        assert f"title: {winner}\n" in written


def test_edits_at_once_from_one_loaded_file_write_once(served: Served) -> None:
    address = served[0]
    doc = json.loads(fetch(address + "/api/scenarios/train-ticket-lyon.json")[1])
    doc = {k: v for k, v in doc.items() if v is not None and k not in ("created_at", "updated_at")}
    for round_ in range(5):
        status, body = fetch(
            address + "/__scenariokit/file?id=train-ticket-lyon", headers=page_headers(served)
        )
        assert status == 200, body
        loaded = json.loads(body)
        edits = [doc | {"title": f"Edited in round {round_} by {n}"} for n in range(8)]
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(partial(save, served, replaces=loaded), edits))
        assert sorted(status for status, _ in answers) == [200] + [409] * 7, answers


def test_the_page_with_the_token_is_never_framed(served: Served) -> None:
    address, _, token = served
    request = urllib.request.Request(address + "/builder/")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    for asked in ({"Sec-Fetch-Dest": "iframe"}, {"Sec-Fetch-Site": "cross-site"}):
        status, page = fetch(address + "/builder/", headers=asked)
        assert status == 200
        assert token not in page


def test_a_scenario_nested_too_deep_is_refused_and_the_server_answers_on(
    served: Served,
) -> None:
    address, root, _ = served
    deep: Any = "x"
    for _ in range(500):  # past the 200 that once overflowed the writer's recursion
        deep = [deep]
    status, answer = save(served, new_doc("deeply-nested") | {"extra": deep})
    assert status == 400, answer
    request = urllib.request.Request(
        address + "/__scenariokit/save",
        data=b'{"scenario": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        headers=page_headers(served) | {"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    refused.value.close()
    assert fetch(address + "/")[0] == 200
    assert not (root / "scenarios" / "restaurant" / "deeply-nested.yaml").exists()


def test_a_scenarios_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    """The place is checked from scenarios/ down: a link there would lead the file out.

    The library's check itself (`author.local.save`, as the server calls it): with
    scenarios/ a link, the walk refuses it too, so `serve` would build no builder page.
    """
    root = make_repo(tmp_path / "repo", {})
    (tmp_path / "elsewhere").mkdir()
    (root / "scenarios").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(Refused) as refused:
        save_scenario(root, new_doc("led-out", category="hobbies"), None)
    assert refused.value.status == 400
    assert "scenarios leads outside the repository" in str(refused.value)
    assert list((tmp_path / "elsewhere").rglob("*")) == []
