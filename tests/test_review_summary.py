"""The review summary a maintainer reads instead of YAML, and the workflow that posts it.

The summary is made by `scenarios review --format markdown` on real git repositories (a
`main` branch and a pull request's branch): an added scenario shown whole, an edit told
entry by entry, hostile text escaped, the size bounded. The comment workflow
(`.github/workflows/pull-request-comment.yml`) is checked by actionlint, its triggers and
permissions read from its YAML, and its script run in Node (the one Playwright ships, when
there is no other) against a stand-in for GitHub's API, as `actions/github-script` runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import playwright
import pytest
import yaml
from markdown_it import MarkdownIt

from tests.helpers import REPO, dump, git, invoke, make_repo, valid_doc

WORKFLOWS = REPO / ".github" / "workflows"
COMMENT_WORKFLOW = WORKFLOWS / "pull-request-comment.yml"
MINE = "scenarios/restaurant/my-tapas.yaml"


def mine(**changes: Any) -> dict[str, Any]:
    """octocat's copy of the example scenario, as data."""
    return valid_doc() | {"scenario_id": "my-tapas", "created_by": "octocat"} | changes


def pull_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base: dict[str, str], head: dict[str, str]
) -> Path:
    """A repository whose `main` holds `base` and whose checked-out branch adds `head`."""
    root = make_repo(tmp_path / "repo", {".github/CODEOWNERS": "*  @lead\n", **base})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    git(root, "switch", "-qc", "change")
    for path, text in head.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-qm", "change", "--allow-empty")
    monkeypatch.chdir(root)
    return root


def summary(author: str = "octocat") -> str:
    result = invoke("review", "--base", "main", "--author", author, "--format", "markdown")
    assert "Traceback" not in result.output
    return str(result.stdout)


def render(markdown: str) -> str:
    """HTML as a CommonMark reader with tables makes it (raw HTML allowed, as on GitHub)."""
    html: str = MarkdownIt("commonmark").enable("table").render(markdown)
    return html


# --- an added scenario, whole -----------------------------------------------------------------


def test_an_added_scenario_is_shown_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = mine(cefr="A1", is_public=False, derived_from="restaurant-dining")
    pull_request(tmp_path, monkeypatch, {}, {MINE: dump(doc)})
    markdown = summary()
    assert (
        "### Added `my-tapas`: Ordering Tapas in Madrid\n\n`scenarios/restaurant/my-tapas.yaml`"
        in (markdown)
    )
    for row in (
        "| title | Ordering Tapas in Madrid |",
        "| description | Order a round of tapas and drinks at a busy bar\\, ask about dishes\\, "
        "and pay\\. |",
        "| language | es |",
        "| level | beginner\\, A1 |",
        "| state | **draft** (`is_public: false`): not published (the preview shows it, marked) |",
        "| source | copied from `restaurant-dining` |",
        "| user\\_role | Customer |",
        "| setting | A crowded tapas bar near Plaza Mayor on a Friday evening\\. |",
        "| prerequisites | Numbers 1\\-20\\; Basic greetings |",
    ):
        assert row in markdown, row
    # each phase collapsed, with its words and phrases and their translations
    assert "<details><summary>Phase 1: greeting · 3 min · 3 words · 3 phrases</summary>" in markdown
    assert "<details><summary>Phase 3: paying · 4 min · 3 words · 3 phrases</summary>" in markdown
    greeting = markdown.split("<summary>Phase 1")[1].split("</details>")[0]
    assert "**Getting the bartender\\'s attention**: Greet the bartender" in greeting
    assert "| word | translation |\n|---|---|\n| la barra | the bar counter |\n" in greeting
    assert "| la carta | *(none)* |" in greeting  # a missing translation shows
    assert (
        "| ¡Hola\\! ¿Tienen mesa para dos\\? | Hi\\! Do you have a table for two\\? |" in greeting
    )
    assert "- **success\\_criteria**: The learner asks for a place using" in greeting
    ordering = markdown.split("<summary>Phase 2")[1].split("</details>")[0]
    assert "| word | translation | note |" in ordering  # a column for notes, as it has one
    assert "| la ración | a full plate \\(to share\\) | bigger than a tapa\\; " in ordering
    html = render(markdown)
    assert html.count("<details>") == html.count("</details>") == 3
    assert "<td>la barra</td>" in html


def test_a_public_scenario_written_from_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pull_request(tmp_path, monkeypatch, {}, {MINE: dump(mine())})
    markdown = summary()
    assert "| level | beginner |" in markdown
    assert "| state | public: shown on the site once merged |" in markdown
    assert "| source | none (no `derived_from`: written from scratch, it says) |" in markdown


# --- an edit, entry by entry ------------------------------------------------------------------


def edited() -> dict[str, Any]:
    doc = mine(title="Tapas in Sevilla")
    greeting, ordering, _paying = doc["phases"]
    greeting["key_vocabulary"][0]["translation"] = "the counter"
    greeting["key_vocabulary"][1]["note"] = "also a desk"
    greeting["key_vocabulary"][2] = {"term": "el vino", "translation": "the wine"}
    ordering["name"] = "Ordering food"
    ordering["essential_phrases"][0]["text"] = "¿Qué me recomienda?"  # same translation
    del ordering["essential_phrases"][3]
    dessert = {
        "phase_id": "dessert",
        "name": "Dessert",
        "expected_duration_minutes": 2,
        "key_vocabulary": [{"term": "el flan", "translation": "caramel custard"}, "el helado"],
        "essential_phrases": ["¿Qué postres tienen?"],
        "learning_objectives": ["Order a dessert"],
    }
    doc["phases"] = [greeting, ordering, dessert]
    return doc


def test_an_edit_is_told_entry_by_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pull_request(tmp_path, monkeypatch, {MINE: dump(mine())}, {MINE: dump(edited())})
    markdown = summary()
    assert "### Edited `my-tapas`: Tapas in Sevilla" in markdown
    assert "| field | before | after |\n|---|---|---|\n" in markdown
    assert "| title | Ordering Tapas in Madrid | Tapas in Sevilla |" in markdown
    greeting = markdown.split("#### Phase 1, `greeting`: Getting the bartender\\'s attention")[1]
    greeting = greeting.split("####")[0]
    assert greeting.startswith(" (edited)\n\n| | word | translation | other |\n")
    assert "| changed | la barra | the bar counter → the counter |  |" in greeting
    assert "| changed | la mesa | the table | note: *(none)* → also a desk |" in greeting
    assert "| added | el vino | the wine |  |" in greeting
    assert "| removed | la carta | *(none)* |  |" in greeting
    ordering = markdown.split("#### Phase 2, `ordering`: Ordering food (edited)")[1]
    assert "| name | Ordering tapas | Ordering food |" in ordering
    assert (
        "| changed | ¿Qué nos recomienda\\? → ¿Qué me recomienda\\? | What do you recommend\\? |"
        in ordering
    )
    assert "| | phrase | translation |\n|---|---|---|\n" in ordering  # no note: no column
    assert "| removed | ¿Lleva gluten\\? | Does it contain gluten\\? |\n" in ordering
    assert "Phase `dessert` added:\n\n<details><summary>Phase 3: dessert · 2 min · 2 words · " in (
        markdown
    )
    assert "| el helado | *(none)* |" in markdown
    assert "Phase `paying` removed (it was phase 3: Paying the bill, 3 words, 3 phrases)." in (
        markdown
    )
    assert "phase edited" not in markdown
    # the overview's row and the terminal say it in a few words
    assert (
        "| edited | `my-tapas` | Tapas in Sevilla | es | beginner | 3 | title\\; phase dessert "
        "added\\; phase paying removed\\; phase greeting\\: 1 word added\\, 2 words changed\\, "
        "1 word removed\\; phase ordering\\: name\\, 1 phrase changed\\, 1 phrase removed |"
    ) in markdown
    text = invoke("review", "--base", "main", "--author", "octocat").stdout
    assert "phase ordering: name, 1 phrase changed, 1 phrase removed" in text


def test_reordered_phases_and_an_unchanged_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = mine()
    doc["phases"] = [doc["phases"][1], doc["phases"][0], doc["phases"][2]]
    other = "scenarios/restaurant/other-tapas.yaml"
    pull_request(
        tmp_path,
        monkeypatch,
        {MINE: dump(mine()), other: dump(mine(scenario_id="other-tapas"))},
        {
            MINE: dump(doc),
            other: "# only a comment added\n" + dump(mine(scenario_id="other-tapas")),
        },
    )
    markdown = summary()
    assert (
        "Phases reordered: `greeting`, `ordering`, `paying` → `ordering`, `greeting`, `paying`."
    ) in markdown
    assert "Its data is unchanged (only its layout or comments changed)." in markdown


def test_a_removed_scenario_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = pull_request(tmp_path, monkeypatch, {MINE: dump(mine(cefr="A2"))}, {})
    git(root, "rm", "-q", MINE)
    git(root, "commit", "-qm", "remove")
    assert (
        "### Removed `my-tapas`: Ordering Tapas in Madrid\n\n`scenarios/restaurant/my-tapas.yaml`"
        " · es · beginner\\, A2 · public · 3 phases\n"
    ) in summary()


# --- what comes first, and what the pull request cannot do to the summary --------------------


def test_changes_outside_scenarios_come_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pull_request(
        tmp_path,
        monkeypatch,
        {},
        {MINE: dump(mine()), "tools/x.py": "print(1)\n", "README.md": "changed\n"},
    )
    markdown = summary()
    caution = markdown.index("> [!CAUTION]")
    others = markdown.index("### Other changes outside the scenarios")
    scenarios = markdown.index("### Scenarios")
    assert caution < others < scenarios < markdown.index("### Added `my-tapas`")
    assert "| `tools/x.py` | added | `@lead` |" in markdown[caution:others]
    assert "- `README.md` (added)" in markdown[others:scenarios]


HOSTILE = "[link](http://e.vil) ![i](http://e.vil/a.png) @everyone <img src=x> www.e.vil"


def test_hostile_text_is_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every value a pull request writes renders as its text: no link, image, tag or
    mention, no table cell or `<details>` closed early, nothing in a `<summary>` line."""
    doc = mine(
        title=f"Tapas {HOSTILE}",
        description="one\n</details>\n\n<script>alert(1)</script>\n| x | y |",
        derived_from="a`b</summary>",
        **{"<b>bold</b>": "@here"},
    )
    doc["phases"][0]["phase_id"] = "x</summary><img src=x onerror=alert(1)>"
    doc["phases"][0]["name"] = "<!-- hide the rest"
    doc["phases"][0]["key_vocabulary"][0] = {"term": HOSTILE, "translation": "a | b </details>"}
    doc["phases"][1]["essential_phrases"][0]["note"] = "\x1b[2J\u202e:tada: @octocat"
    edit = mine()
    edit["phases"][2]["key_vocabulary"][0]["translation"] = HOSTILE
    other = "scenarios/restaurant/other-tapas.yaml"
    pull_request(
        tmp_path,
        monkeypatch,
        {other: dump(mine(scenario_id="other-tapas"))},
        {MINE: dump(doc), other: dump(edit | {"scenario_id": "other-tapas"})},
    )
    markdown = summary()
    html = render(markdown)
    for forbidden in ("<a ", "<img", "<script", "<b>", "<!--", "\x1b", "\u202e"):
        assert forbidden not in html, forbidden
    for forbidden in ("@everyone", "@here", "@octocat", "http://", "www.e"):
        assert forbidden not in markdown, forbidden
    assert "＠everyone" in markdown  # shown, in a form that notifies no one
    assert html.count("<details>") == html.count("</details>") == 3
    assert "<summary>Phase 1 · 3 min · 3 words · 3 phrases</summary>" in markdown  # no id
    table = markdown.split("| field | value |")[1].split("\n\n")[0]
    assert all(line.count(" | ") == 1 for line in table.splitlines()[2:]), table


def test_a_long_value_is_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scenariokit.review.summary import MAX_VALUE

    pull_request(tmp_path, monkeypatch, {}, {MINE: dump(mine(setting="s" * 100_000))})
    markdown = summary()
    assert f"| setting | {'s' * MAX_VALUE}… |" in markdown
    assert "s" * (MAX_VALUE + 1) not in markdown


def test_a_summary_too_long_for_a_comment_is_cut_between_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenariokit.review.report import GITHUB_COMMENT_LIMIT, MAX_CHARACTERS

    files = {}
    for number in range(40):
        doc = mine(scenario_id=f"my-tapas-{number}", description="d" * 500)
        for phase in doc["phases"]:
            phase["key_vocabulary"] += [f"palabra {n} " + "p" * 200 for n in range(20)]
        files[f"scenarios/restaurant/my-tapas-{number}.yaml"] = dump(doc)
    pull_request(tmp_path, monkeypatch, {}, files)
    markdown = summary()
    assert MAX_CHARACTERS - 5_000 < len(markdown) <= MAX_CHARACTERS < GITHUB_COMMENT_LIMIT
    blocks = markdown.split("\n\n")
    assert blocks[-2].startswith("> [!NOTE]\n> **The summary is cut here (")
    assert (
        "scenarios not shown in full)**: a pull-request comment holds at most 65,536"
        in (blocks[-2])
    )
    assert blocks[-1] == "**40 scenarios changed by a contributor: all ownership rules hold**\n"
    html = render(markdown)
    assert html.count("<details>") == html.count("</details>") > 0  # no phase cut in two
    assert markdown.count("| added |") == 40  # the overview came whole, first


# --- the comment workflow: triggers, permissions, and what it never does --------------------


def load(path: Path) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(path.read_text("utf-8"))
    return loaded


def test_the_comment_workflow_passes_actionlint() -> None:
    actionlint = Path(sys.executable).parent / "actionlint"  # from the test extra
    result = subprocess.run(
        [str(actionlint), str(COMMENT_WORKFLOW)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_comment_workflow_runs_after_the_check_with_the_narrowest_token() -> None:
    workflow = load(COMMENT_WORKFLOW)
    checks = load(WORKFLOWS / "pull-request.yml")
    # YAML 1.1 reads the key `on` as True
    assert workflow[True] == {
        "workflow_run": {"workflows": [checks["name"]], "types": ["completed"]}
    }
    assert workflow["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    (job,) = workflow["jobs"].values()
    assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
    steps = job["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses == ["actions/download-artifact", "actions/github-script"]
    assert not [s for s in steps if "run" in s]  # no shell step at all
    download, post = steps
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    assert "${{" not in post["with"]["script"]  # nothing interpolated into the script
    text = COMMENT_WORKFLOW.read_text("utf-8")
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in code if "checkout" in line or "pull_request_target" in line]
    assert not [line for line in code if "secrets." in line]
    # it downloads what the check uploads, and reads the file the check writes
    upload = next(
        s for s in checks["jobs"]["check"]["steps"] if s.get("name") == "Upload the review summary"
    )
    assert upload["with"]["name"] == download["with"]["name"] == "review-summary"
    assert post["env"]["SUMMARY_PATH"] == (f"{download['with']['path']}/{upload['with']['path']}")
    check_step = next(
        s for s in checks["jobs"]["check"]["steps"] if "check-pull-request" in s.get("run", "")
    )
    assert check_step["run"].endswith(f" preview {upload['with']['path']}")


# --- the comment workflow's script, run as github-script runs it -----------------------------

HARNESS = """
const fs = require('fs');
const state = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const script = fs.readFileSync(process.argv[3], 'utf8');
const calls = [];
const record = (name) => async (params) => { calls.push({ name, params }); return { data: {} }; };
const github = {
  rest: {
    pulls: { list: 'pulls.list', listFiles: 'pulls.listFiles' },
    issues: {
      listComments: 'issues.listComments',
      createComment: record('issues.createComment'),
      updateComment: record('issues.updateComment'),
    },
  },
  paginate: async (method, params) => {
    calls.push({ name: method, params });
    return state[method] || [];
  },
};
const core = { info: (message) => calls.push({ name: 'info', params: message }) };
const context = { repo: { owner: 'lead', repo: 'scenarios' }, payload: state.payload };
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
new AsyncFunction('github', 'context', 'core', 'require', script)(github, context, core, require)
  .then(() => process.stdout.write(JSON.stringify(calls)))
  .catch((error) => { console.error(error); process.exit(1); });
"""
SHA = "0123456789abcdef0123456789abcdef01234567"
MARKER = "<!-- scenariokit-review-summary -->"


def node() -> str:
    """Node: the one on PATH, else the one Playwright (a test dependency) ships."""
    found = shutil.which("node") or str(Path(playwright.__file__).parent / "driver" / "node")
    assert Path(found).is_file(), "Node is needed: install the test extra (Playwright)"
    return found


def post(tmp_path: Path, summary_text: str | None, **state: Any) -> list[dict[str, Any]]:
    """Run the workflow's script on `summary_text` (None: no artifact); the API calls it made."""
    folder = tmp_path / "review-summary"
    folder.mkdir(exist_ok=True)
    if summary_text is not None:
        (folder / "review-summary.md").write_text(summary_text, encoding="utf-8")
    script = load(COMMENT_WORKFLOW)["jobs"]["comment"]["steps"][1]["with"]["script"]
    (tmp_path / "script.js").write_text(script, encoding="utf-8")
    (tmp_path / "harness.js").write_text(HARNESS, encoding="utf-8")
    run = {
        "head_sha": SHA,
        "head_branch": "my-branch",
        "head_repository": {"owner": {"login": "octocat"}, "full_name": "octocat/scenarios"},
        "html_url": "https://github.com/lead/scenarios/actions/runs/1",
    }
    full = {
        "payload": {"workflow_run": run},
        "pulls.list": [{"number": 7, "head": {"sha": SHA}}],
        "pulls.listFiles": [{"filename": MINE}],
        **state,
    }
    (tmp_path / "state.json").write_text(json.dumps(full), encoding="utf-8")
    result = subprocess.run(
        [
            node(),
            str(tmp_path / "harness.js"),
            str(tmp_path / "state.json"),
            str(tmp_path / "script.js"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SUMMARY_PATH": str(folder / "review-summary.md")},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    calls: list[dict[str, Any]] = json.loads(result.stdout)
    return calls


def written(calls: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(c["name"], c["params"]) for c in calls if c["name"].endswith("Comment")]


def test_the_summary_becomes_one_comment(tmp_path: Path) -> None:
    calls = post(tmp_path, "## Scenario review for `octocat`\n\nrest\n")
    (lookup,) = [c["params"] for c in calls if c["name"] == "pulls.list"]
    assert lookup["head"] == "octocat:my-branch"
    assert lookup["state"] == "open"
    [(name, params)] = written(calls)
    assert name == "issues.createComment"
    assert params["issue_number"] == 7
    body = params["body"]
    assert body.startswith(MARKER + "\n<sub>Review summary of 0123456, written by ")
    assert body.endswith("\n\n## Scenario review for `octocat`\n\nrest\n")


def test_the_comment_is_updated_not_repeated(tmp_path: Path) -> None:
    comments = [
        {"id": 1, "user": {"login": "mallory"}, "body": MARKER + "\nmine, not the bot's"},
        {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "another bot comment"},
        {"id": 3, "user": {"login": "github-actions[bot]"}, "body": MARKER + "\nold summary"},
    ]
    calls = post(tmp_path, "new summary\n", **{"issues.listComments": comments})
    [(name, params)] = written(calls)
    assert name == "issues.updateComment"
    assert params["comment_id"] == 3
    assert params["body"].endswith("\n\nnew summary\n")


def test_the_text_is_untrusted(tmp_path: Path) -> None:
    """A run the pull request steered could upload anything: no mention reaches GitHub, the
    marker cannot be forged inside, and the comment stays within GitHub's limit."""
    hostile = f"{MARKER}\nping @everyone and @octocat\n" + "x" * 70 + "\n"
    [(_, params)] = written(post(tmp_path, hostile * 2_000))
    body = params["body"]
    assert body.count(MARKER) == 1
    assert body.startswith(MARKER)
    assert "@" not in body
    assert "ping ＠everyone and ＠octocat" in body
    assert len(body) <= 65_536
    assert body.endswith(
        "\n\n> [!NOTE]\n> **The summary is cut here**: a comment holds at most 65,536 "
        "characters. The job summary of the check holds the rest.\n"
    )


def test_a_huge_artifact_is_read_only_in_part(tmp_path: Path) -> None:
    [(_, params)] = written(post(tmp_path, "\U0001f600" * 300_000))  # 1.2 MB, 4 bytes each
    assert len(params["body"]) <= 65_536
    assert "**The summary is cut here**" in params["body"]


def test_a_pull_request_that_changes_github_gets_a_caution_only(tmp_path: Path) -> None:
    files = [{"filename": MINE}, {"filename": ".github/workflows/pull-request.yml"}]
    calls = post(tmp_path, "[click](http://e.vil)\n", **{"pulls.listFiles": files})
    [(_, params)] = written(calls)
    assert "e.vil" not in params["body"]
    assert "changes files under `.github/`" in params["body"]
    renamed = [{"filename": "x.yml", "previous_filename": ".github/workflows/tests.yml"}]
    [(_, params)] = written(post(tmp_path, "text\n", **{"pulls.listFiles": renamed}))
    assert "changes files under `.github/`" in params["body"]


def test_no_artifact_is_said(tmp_path: Path) -> None:
    [(_, params)] = written(post(tmp_path, None))
    assert "The check left no review summary for this commit" in params["body"]


def test_a_pull_request_that_moved_on_gets_nothing_from_an_old_run(tmp_path: Path) -> None:
    moved = [{"number": 7, "head": {"sha": "f" * 40}}]
    calls = post(tmp_path, "old\n", **{"pulls.list": moved})
    assert written(calls) == []
    assert any("as its head now: no comment" in str(c["params"]) for c in calls)
