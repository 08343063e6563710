"""`scenarios review` on real git histories: one test per ownership rule."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, dump, git, invoke, make_repo, valid_doc

OCTOCAT = "scenarios/restaurant/octocat-tapas.yaml"
MONALISA = "scenarios/restaurant/monalisa-tapas.yaml"
SYSTEM = "scenarios/restaurant/system-tapas.yaml"


def scenario(scenario_id: str, owner: str, **changes: object) -> str:
    doc = (
        valid_doc()
        | {
            "scenario_id": scenario_id,
            "created_by": owner,
            "is_system_scenario": owner == "maintainers",
        }
        | changes
    )
    return dump(doc)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main: three scenarios (octocat's, monalisa's, a system one) and CODEOWNERS;
    then a branch `change` is checked out, as in a pull request."""
    root = make_repo(
        tmp_path / "repo",
        {
            ".github/CODEOWNERS": "*  @lead\n/scenarios/  @lead @alice\n",
            OCTOCAT: scenario("octocat-tapas", "octocat"),
            MONALISA: scenario("monalisa-tapas", "monalisa"),
            SYSTEM: scenario("system-tapas", "maintainers"),
            "README.md": "scenarios\n",
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    git(root, "switch", "-qc", "change")
    monkeypatch.chdir(root)
    return root


def change(
    root: Path,
    edits: dict[str, str | None],
    *,
    rename: tuple[str, str] | None = None,
    message: str = "change",
) -> None:
    """Commit edits on the branch: path → new text, or None to remove the file."""
    if rename:
        git(root, "mv", *rename)
    for path, text in edits.items():
        if text is None:
            git(root, "rm", "-q", path)
        else:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
            git(root, "add", path)
    git(root, "commit", "-qm", message)


def run(author: str, *extra: str) -> tuple[int, str]:
    result = invoke("review", "--base", "main", "--author", author, *extra)
    return result.exit_code, result.output


def test_adding_your_own_scenario(repo: Path) -> None:
    change(
        repo, {"scenarios/travel/my-trip.yaml": scenario("my-trip", "octocat", category="travel")}
    )
    code, output = run("octocat")
    assert code == 0, output
    assert "added    scenarios/travel/my-trip.yaml  Ordering Tapas in Madrid" in output
    assert "all ownership rules hold" in output


def test_adding_under_someone_elses_name(repo: Path) -> None:
    change(
        repo, {"scenarios/travel/my-trip.yaml": scenario("my-trip", "monalisa", category="travel")}
    )
    code, output = run("octocat")
    assert code == 1
    assert "set created_by: octocat (it says 'monalisa') [add-as-yourself]" in output


def test_adding_a_system_scenario(repo: Path) -> None:
    change(
        repo,
        {
            "scenarios/travel/my-trip.yaml": scenario(
                "my-trip", "octocat", category="travel", is_system_scenario=True
            )
        },
    )
    code, output = run("octocat")
    assert code == 1
    assert "[system-flag]" in output


def test_editing_your_own(repo: Path) -> None:
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", title="Better tapas")})
    code, output = run("octocat")
    assert code == 0, output
    assert "edited   scenarios/restaurant/octocat-tapas.yaml  Better tapas  (title)" in output


def test_editing_someone_elses(repo: Path) -> None:
    change(repo, {MONALISA: scenario("monalisa-tapas", "monalisa", title="Mine now")})
    code, output = run("octocat")
    assert code == 1
    assert "only its owner (monalisa) may edit this scenario" in output
    assert "[not-yours]" in output


def test_editing_a_system_scenario(repo: Path) -> None:
    change(repo, {SYSTEM: scenario("system-tapas", "maintainers", title="Changed")})
    code, output = run("octocat")
    assert code == 1
    assert "only maintainers change it" in output
    assert "[system-scenario]" in output


def test_taking_over_ownership(repo: Path) -> None:
    change(repo, {MONALISA: scenario("monalisa-tapas", "octocat")})
    code, output = run("octocat")
    assert code == 1
    assert "[not-yours]" in output
    assert "created_by may not change (from 'monalisa' to 'octocat')" in output


def test_giving_away_your_own(repo: Path) -> None:
    change(repo, {OCTOCAT: scenario("octocat-tapas", "monalisa")})
    code, output = run("octocat")
    assert code == 1
    assert "[owner-changed]" in output


def test_promoting_to_system(repo: Path) -> None:
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", is_system_scenario=True)})
    code, output = run("octocat")
    assert code == 1
    assert "only maintainers make system scenarios" in output


def test_renaming_your_own_and_someone_elses(repo: Path) -> None:
    new = "scenarios/restaurant/octocat-tapas-bar.yaml"
    change(repo, {new: scenario("octocat-tapas-bar", "octocat")}, rename=(OCTOCAT, new))
    code, output = run("octocat")
    assert code == 0, output
    assert f"renamed  {new}  Ordering Tapas in Madrid  (renamed from {OCTOCAT}" in output
    git(repo, "reset", "-q", "--hard", "main")
    other = "scenarios/restaurant/monalisa-tapas-2.yaml"
    change(repo, {other: scenario("monalisa-tapas-2", "monalisa")}, rename=(MONALISA, other))
    code, output = run("octocat")
    assert code == 1
    assert "may rename this scenario" in output


def test_removing_your_own(repo: Path) -> None:
    change(repo, {OCTOCAT: None})
    code, output = run("octocat")
    assert code == 0, output
    assert f"removed  {OCTOCAT}" in output


def test_removing_someone_elses(repo: Path) -> None:
    change(repo, {MONALISA: None})
    code, output = run("octocat")
    assert code == 1
    assert "may remove this scenario" in output


def test_a_maintainer_edits_a_system_scenario(repo: Path) -> None:
    change(
        repo,
        {
            SYSTEM: scenario("system-tapas", "maintainers", title="Revised"),
            MONALISA: scenario("monalisa-tapas", "monalisa", title="Typo fixed"),
        },
    )
    code, output = run("alice")
    assert code == 0, output
    assert "2 scenarios changed by a maintainer: all ownership rules hold" in output


def test_a_pull_request_cannot_make_itself_a_maintainer(repo: Path) -> None:
    change(
        repo,
        {
            ".github/CODEOWNERS": "/scenarios/  @octocat\n",
            SYSTEM: scenario("system-tapas", "maintainers", title="Hijacked"),
        },
    )
    code, output = run("octocat")
    assert code == 1
    assert "[system-scenario]" in output
    assert "error: .github/CODEOWNERS: needs a maintainer: edited outside scenarios/" in output
    assert output.startswith("error: .github/CODEOWNERS: needs a maintainer")


def test_changes_outside_scenarios_are_flagged(repo: Path) -> None:
    change(repo, {"README.md": "changed\n", "templates/t.yaml": "x: 1\n"})
    code, output = run("octocat")
    assert code == 0, output
    assert "note: README.md is outside scenarios/: a maintainer must review it" in output
    assert "note: templates/t.yaml is outside scenarios/" in output


@pytest.mark.parametrize(
    "path",
    [
        "tools/scenariokit/review/pull_request.py",
        "schemas/scenario.schema.json",
        "site/templates/base.html",
        ".github/workflows/pull-request.yml",
        ".github/scripts/check-pull-request.sh",
        "pyproject.toml",
        ".ci/run",
        "bench/run.py",
        "tests/conftest.py",
        "conftest.py",
        ".vscode/settings.json",
        "scenarios/restaurant/notes.txt",
        "templates/helper.py",
        "docs/guide.md",
    ],
)
def test_code_and_ci_need_a_maintainer(repo: Path, path: str) -> None:
    """Anything that could run or steer code fails the review unless its owner changed it."""
    change(repo, {path: "changed\n"})
    code, output = run("octocat")
    assert code == 1, output
    assert output.startswith(f"error: {path}: needs a maintainer: ")
    assert output.endswith("0 scenarios changed by a contributor: 1 file(s) need a maintainer\n")
    # its owner in the base branch's CODEOWNERS may (here `*  @lead` owns everything)
    code, output = run("lead")
    assert code == 0, output
    assert "needs a maintainer" not in output


def test_markdown_summary(repo: Path) -> None:
    train = (REPO / "scenarios" / "travel" / "train-ticket-lyon.yaml").read_text("utf-8")
    mine = train.replace("created_by: maintainers", "created_by: octocat").replace(
        "is_system_scenario: true", "is_system_scenario: false"
    )
    change(
        repo,
        {
            OCTOCAT: scenario("octocat-tapas", "octocat", title="Better | tapas"),
            "scenarios/travel/train-ticket-lyon.yaml": mine,
            MONALISA: None,
            "README.md": "x\n",
        },
    )
    code, output = run("octocat", "--format", "markdown")
    assert code == 1
    assert output.startswith("## Scenario review for `octocat`\n")  # no @mention
    assert "| change | scenario | title | language | level | phases | what changed |" in output
    assert "| edited | `octocat-tapas` | Better \\| tapas | es | beginner | 3 | title |" in output
    assert (
        "| added | `train-ticket-lyon` | Buying a Train Ticket in Lyon | fr | beginner\\, A1 | 3 "
        "|  |" in output
    )
    assert "| removed | `monalisa-tapas` |" in output
    assert "### Rules broken" in output
    assert "### Other changes outside the scenarios (a maintainer must review these)" in output
    assert "- `README.md` (edited)" in output


def test_github_format(repo: Path) -> None:
    change(
        repo, {MONALISA: scenario("monalisa-tapas", "monalisa", title="x y z"), "README.md": "x\n"}
    )
    code, output = run("octocat", "--format", "github")
    assert code == 1
    lines = output.splitlines()
    assert lines[0].startswith(f"::error file={MONALISA},title=not-yours::only its owner")
    assert lines[1] == (
        "::notice file=README.md,title=maintainer review::README.md is outside "
        "scenarios/: a maintainer must review it"
    )


def test_phase_changes_are_described(repo: Path) -> None:
    doc = valid_doc() | {
        "scenario_id": "octocat-tapas",
        "created_by": "octocat",
        "is_system_scenario": False,
    }
    doc["phases"][1]["name"] = "Ordering"
    doc["phases"] = doc["phases"][:2]
    change(repo, {OCTOCAT: dump(doc)})
    _, output = run("octocat")
    assert "phase paying removed" in output
    assert "phase ordering: name" in output


def test_an_unknown_base_is_a_clear_error(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A usage error (exit 2), not a broken rule (exit 1): CI must tell a misconfigured
    checkout from a contributor's mistake."""
    result = invoke("review", "--base", "origin/main", "--author", "octocat")
    assert result.exit_code == 2
    assert "cannot find the revision 'origin/main': check its name" in result.stderr
    assert "fetch-depth: 0" in result.stderr
    elsewhere = tmp_path / "not-a-clone"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = invoke("review", "--base", "main", "--author", "octocat")
    assert result.exit_code == 2
    assert "is not in a git repository: review compares two revisions" in result.stderr


# --- both ends of every move, and what is not a regular file --------------------------------


def test_moving_someone_elses_scenario_out_is_a_removal(repo: Path) -> None:
    """Moved to the tool's folder: a removal from scenarios/ AND a change that needs a
    maintainer; moved to templates/: a removal AND a template for a maintainer to look at."""
    (repo / "tools").mkdir()
    (repo / "templates").mkdir()
    git(repo, "mv", MONALISA, "tools/monalisa.yaml")
    git(repo, "mv", SYSTEM, "templates/system-tapas.yaml")
    git(repo, "commit", "-qm", "move")
    code, output = run("octocat")
    assert code == 1
    assert f"removed  {MONALISA}" in output
    assert f"removed  {SYSTEM}" in output
    assert f"error: {MONALISA}: only its owner (monalisa) may remove this scenario" in output
    assert f"error: {SYSTEM}: this is a system scenario" in output
    assert "error: tools/monalisa.yaml: needs a maintainer: added outside scenarios/" in output
    assert "note: templates/system-tapas.yaml is outside scenarios/" in output


def test_moving_a_file_into_scenarios_is_an_addition(repo: Path) -> None:
    change(repo, {"templates/bistro.yaml": scenario("bistro", "monalisa")})
    git(repo, "switch", "-qc", "move-in")
    (repo / "scenarios" / "restaurant").mkdir(parents=True, exist_ok=True)
    git(repo, "mv", "templates/bistro.yaml", "scenarios/restaurant/bistro.yaml")
    git(repo, "commit", "-qm", "move in")
    result = invoke("review", "--base", "change", "--author", "octocat")
    assert result.exit_code == 1
    assert "added    scenarios/restaurant/bistro.yaml" in result.output
    assert "[add-as-yourself]" in result.output
    assert "note: templates/bistro.yaml is outside scenarios/" in result.output


def symlink(root: Path, path: str, target: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    if (root / path).exists() or (root / path).is_symlink():
        (root / path).unlink()
    (root / path).symlink_to(target)
    git(root, "add", path)


@pytest.mark.parametrize("path", [OCTOCAT, "scenarios/travel/link.yaml", "templates/link.yaml"])
def test_a_symbolic_link_is_refused_for_everyone(repo: Path, path: str) -> None:
    """A new link, or one's own scenario turned into a link (status T): refused, even for a
    maintainer, and its target is never read nor printed."""
    symlink(repo, path, "/etc/SECRET-TARGET")
    git(repo, "commit", "-qm", "link")
    for author in ("octocat", "alice"):
        for form in ("text", "markdown", "github"):
            code, output = run(author, "--format", form)
            assert code == 1
            assert "not-a-regular-file" in output
            assert "a symbolic link" in output
            assert "SECRET-TARGET" not in output
    folder = path.split("/")[0]
    _, output = run("octocat")
    assert output == (
        f"error: {path}: this is a symbolic link under {folder}/, refused for everyone "
        "(maintainers too): only regular files are allowed under scenarios/ and templates/; "
        "commit the file itself [not-a-regular-file]\n"
        "0 scenarios changed by a contributor: 1 rule(s) broken\n"
    )


def test_a_link_is_told_as_what_it_is(repo: Path) -> None:
    """A link under scenarios/ is a refused link there in every format: not a file 'added
    outside scenarios/' that a maintainer could approve."""
    path = "scenarios/travel/link.yaml"
    symlink(repo, path, "../restaurant/octocat-tapas.yaml")
    git(repo, "commit", "-qm", "link")
    for author in ("octocat", "alice"):
        outputs = {
            form: run(author, "--format", form)[1] for form in ("text", "markdown", "github")
        }
        for output in outputs.values():
            assert "outside scenarios/" not in output
            assert "outside scenarios\\/" not in output
            assert "needs a maintainer" not in output
            assert "Other changes" not in output
        assert "under scenarios/, refused for everyone" in outputs["text"]
        assert (
            "title=not-a-regular-file::this is a symbolic link under scenarios/"
            in (outputs["github"])
        )


def test_a_symbolic_link_to_a_folder_is_refused(repo: Path) -> None:
    symlink(repo, "scenarios/elsewhere", "../../etc")
    git(repo, "commit", "-qm", "link")
    code, output = run("alice")
    assert code == 1
    assert "error: scenarios/elsewhere: this is a symbolic link under scenarios/, refused" in output


def test_a_submodule_is_refused(repo: Path) -> None:
    commit = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{commit},templates/vendor")
    git(repo, "commit", "-qm", "submodule")
    code, output = run("alice")
    assert code == 1
    assert "error: templates/vendor: this is a submodule under templates/, refused" in output


def test_a_file_in_scenarios_that_is_no_scenario_is_told_where_it_is(repo: Path) -> None:
    change(repo, {"scenarios/restaurant/notes.txt": "hello\n"})
    code, output = run("octocat")
    assert code == 1
    assert output.startswith(
        "error: scenarios/restaurant/notes.txt: needs a maintainer: added under scenarios/ "
        "but not a scenario file (.yaml or .yml), where only a maintainer changes"
    )


# --- judged where the branch left the base AND on the base as it is now ----------------------


def on_main(root: Path, edits: dict[str, str | None], **kwargs: tuple[str, str]) -> None:
    """Commit `edits` on main after the pull request's branch left it, then come back."""
    git(root, "switch", "-q", "main")
    change(root, edits, **kwargs, message="on main")  # not the branch's commit, if alike
    git(root, "switch", "-q", "change")


def merge_base_text(root: Path, path: str) -> str:
    """The file as it was where the branch left main: what the diff is taken from."""
    return git(root, "show", f"{git(root, 'merge-base', 'main', 'HEAD').strip()}:{path}")


def test_a_scenario_given_away_on_the_base_is_no_longer_yours(repo: Path) -> None:
    """octocat's scenario at the merge base; main gives it to monalisa after the branch
    point; octocat's branch edits it (created_by untouched). A merge would keep monalisa
    as owner and take octocat's edit: refused."""
    on_main(repo, {OCTOCAT: scenario("octocat-tapas", "monalisa")})
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", title="Still mine?")})
    assert "created_by: octocat" in merge_base_text(repo, OCTOCAT)  # ok at the merge base
    code, output = run("octocat")
    assert code == 1, output
    assert (
        f"error: {OCTOCAT}: only its owner (monalisa) may edit this scenario: it is theirs on "
        "main now (since your branch left it); ask them in the pull request, or run "
        "`scenarios duplicate` and change your copy [not-yours]"
    ) in output
    assert output.count("[not-yours]") == 1
    assert "[owner-changed]" not in output  # the branch did not change created_by
    for form in ("markdown", "github"):
        assert "it is theirs on main now" in run("octocat", "--format", form)[1]


@pytest.mark.parametrize("how", ["removed", "renamed"])
def test_removing_or_renaming_one_given_away_on_the_base(repo: Path, how: str) -> None:
    on_main(repo, {OCTOCAT: scenario("octocat-tapas", "monalisa")})
    if how == "removed":
        change(repo, {OCTOCAT: None})
    else:
        new = "scenarios/restaurant/octocat-tapas-2.yaml"
        change(repo, {new: scenario("octocat-tapas-2", "octocat")}, rename=(OCTOCAT, new))
    code, output = run("octocat")
    assert code == 1, output
    verb = how.removesuffix("d")
    assert f"error: {OCTOCAT}: only its owner (monalisa) may {verb} this scenario" in output


def test_a_scenario_made_a_system_one_on_the_base(repo: Path) -> None:
    on_main(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", is_system_scenario=True)})
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", title="Mine")})
    code, output = run("octocat")
    assert code == 1, output
    assert f"error: {OCTOCAT}: this is a system scenario on main now" in output
    assert "[system-scenario]" in output


def test_codeowners_is_read_at_the_base_tip_not_the_merge_base(repo: Path) -> None:
    """At the merge base, CODEOWNERS made octocat an owner of scenarios/; main then gives
    them to the lead alone. octocat's older branch edits monalisa's scenario: refused."""
    git(repo, "switch", "-q", "main")
    git(repo, "branch", "-qD", "change")
    change(repo, {".github/CODEOWNERS": "*  @lead\n/scenarios/  @lead @octocat\n"})
    git(repo, "switch", "-qc", "change")
    on_main(repo, {".github/CODEOWNERS": "*  @lead\n"})
    change(repo, {MONALISA: scenario("monalisa-tapas", "monalisa", title="Owner once")})
    code, output = run("octocat")
    assert code == 1, output
    assert "only its owner (monalisa) may edit this scenario" in output
    assert "changed by a contributor" in output


def test_an_owner_named_on_the_base_since_is_one(repo: Path) -> None:
    """The reverse: CODEOWNERS on the base tip is the authority, also when it adds an
    owner after the branch left (the branch does not touch CODEOWNERS)."""
    on_main(repo, {".github/CODEOWNERS": "*  @lead\n/scenarios/  @lead @alice @bob\n"})
    change(repo, {MONALISA: scenario("monalisa-tapas", "monalisa", title="Typo fixed")})
    code, output = run("bob")
    assert code == 0, output
    assert "1 scenario changed by a maintainer: all ownership rules hold" in output


def test_an_edit_of_a_scenario_the_base_moved_since(repo: Path) -> None:
    """main moved octocat's file (git would carry the edit to where it went, unjudged):
    refused until the branch is up to date; removing one main removed too is nothing."""
    moved = "scenarios/restaurant/tapas.yaml"
    on_main(repo, {moved: scenario("octocat-tapas", "monalisa")}, rename=(OCTOCAT, moved))
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", title="Mine")})
    code, output = run("octocat")
    assert code == 1, output
    assert (
        f"error: {OCTOCAT}: this scenario was moved or removed on main after your branch "
        "left it, so whose it is now cannot be checked: merge main into your branch (or "
        "rebase on it) and push again [gone-from-base]"
    ) in output
    git(repo, "merge", "-q", "--no-edit", "main")  # brought up to date: git moved the edit
    code, output = run("octocat")
    assert code == 1, output  # ... where it is judged: monalisa's now
    assert "gone-from-base" not in output
    assert f"error: {moved}: only its owner (monalisa) may edit this scenario" in output


def test_removing_a_scenario_the_base_removed_too(repo: Path) -> None:
    on_main(repo, {OCTOCAT: None})
    change(repo, {OCTOCAT: None})
    code, output = run("octocat")
    assert code == 0, output
    assert f"removed  {OCTOCAT}" in output


def test_adding_over_a_scenario_the_base_added_since(repo: Path) -> None:
    trip = "scenarios/travel/trip.yaml"
    on_main(repo, {trip: scenario("trip", "monalisa", category="travel")})
    change(repo, {trip: scenario("trip", "octocat", category="travel")})
    code, output = run("octocat")
    assert code == 1, output
    assert f"error: {trip}: only its owner (monalisa) may replace this scenario" in output
    # a rename onto it is refused the same way
    git(repo, "reset", "-q", "--hard", "main~1")
    (repo / "scenarios" / "travel").mkdir(exist_ok=True)
    change(
        repo,
        {trip: scenario("octocat-tapas", "octocat", category="travel")},
        rename=(OCTOCAT, trip),
    )
    code, output = run("octocat")
    assert code == 1, output
    assert f"error: {trip}: only its owner (monalisa) may replace this scenario" in output


def test_an_unreadable_scenario_on_the_base_tip_is_refused(repo: Path) -> None:
    on_main(repo, {OCTOCAT: "created_by: [monalisa\n"})
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", title="Mine")})
    code, output = run("octocat")
    assert code == 1, output
    assert f"error: {OCTOCAT}: who owns this scenario on main cannot be checked: " in output


def test_edits_still_pass_when_the_base_moved_on(repo: Path) -> None:
    """The ordinary case: main changed other files, and octocat's own scenario in ways that
    keep it theirs; octocat's edit passes, and someone else's is refused once, not twice."""
    on_main(
        repo,
        {
            OCTOCAT: scenario("octocat-tapas", "octocat", description="Edited on main."),
            MONALISA: scenario("monalisa-tapas", "monalisa", title="Edited on main"),
            "README.md": "moved on\n",
        },
    )
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", title="Better tapas")})
    code, output = run("octocat")
    assert code == 0, output
    assert "1 scenario changed by a contributor: all ownership rules hold" in output
    change(repo, {MONALISA: scenario("monalisa-tapas", "monalisa", title="Mine now")})
    code, output = run("octocat")
    assert code == 1, output
    assert output.count("[not-yours]") == 1
    assert f"error: {MONALISA}: only its owner (monalisa) may edit this scenario: ask" in output


def test_a_branch_with_two_merge_bases_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A criss-cross: main merged branches x and y; the pull request merges both too, putting
    back x's edits (monalisa's title, a line of CODEOWNERS) as they were before x. Its
    merge bases are x and y; git's diff takes y, the newer, where those files never
    changed, so the edits it undoes showed nowhere, and it passed. The merge, which
    combines both bases, puts them back on main. Refused until main is merged in; then
    the undoing shows as what it is."""
    start = git(repo, "rev-parse", "HEAD").strip()
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-01T10:00:00")
    git(repo, "switch", "-qc", "x", start)
    change(repo, {
        MONALISA: scenario("monalisa-tapas", "monalisa", title="Monalisa's better tapas"),
        ".github/CODEOWNERS": "*  @lead\n/scenarios/  @lead @alice\n/README.md  @lead\n",
    }, message="x")  # fmt: skip
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-02T10:00:00")
    git(repo, "switch", "-qc", "y", start)
    change(repo, {"README.md": "scenarios, and more\n"}, message="y")
    git(repo, "switch", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge x", "x")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge y", "y")
    git(repo, "switch", "-q", "change")
    git(repo, "reset", "-q", "--hard", "y")
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "x")
    git(repo, "checkout", start, "--", MONALISA, ".github/CODEOWNERS")
    git(repo, "commit", "-qm", "merge x")
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", title="Better tapas")})
    bases = git(repo, "merge-base", "--all", "main", "HEAD").split()
    assert len(bases) == 2
    assert git(repo, "merge-base", "main", "HEAD").strip() == git(repo, "rev-parse", "y").strip()
    for form in ("text", "markdown", "github"):
        code, output = run("octocat", "--format", form)
        assert code == 1, output
        assert "several-merge-bases" in output
        assert "rules hold" not in output
    assert run("octocat")[1].startswith(
        "error: .: this branch has 2 merge bases with main (it merged commits that main "
        "merged too), so what merging it would change cannot be told from one diff: merge "
        "main into your branch (or rebase it on main) and push again [several-merge-bases]"
    )
    git(repo, "merge", "-q", "--no-ff", "-m", "main in", "main")
    code, output = run("octocat")
    assert code == 1, output
    assert f"error: {MONALISA}: only its owner (monalisa) may edit this scenario" in output
    assert "error: .github/CODEOWNERS: needs a maintainer: edited" in output


def test_a_link_or_submodule_outside_scenarios_is_told_and_needs_a_maintainer(
    repo: Path,
) -> None:
    """README.md made a link to a workflow, and a submodule named like a document: told as
    what they are, and a maintainer's, not documents a maintainer is only asked to read."""
    symlink(repo, "README.md", ".github/workflows/pull-request.yml")
    commit = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{commit},notes.md")
    git(repo, "commit", "-qm", "odd files")
    code, output = run("octocat")
    assert code == 1, output
    assert "error: README.md: needs a maintainer: edited (a symbolic link)" in output
    assert "error: notes.md: needs a maintainer: added (a submodule)" in output
    assert "is outside scenarios/" not in output


# --- owners per file, with CODEOWNERS' real rules --------------------------------------------


@pytest.fixture
def owned(repo: Path) -> Path:
    """CODEOWNERS on main: alice owns all scenarios, bob the travel ones, nobody the rest."""
    git(repo, "switch", "-q", "main")
    (repo / ".github" / "CODEOWNERS").write_text(
        "/scenarios/  @alice\n/scenarios/travel/  @bob\n/scenarios/travel/secret.yaml\n"
    )
    git(repo, "commit", "-qam", "owners")
    git(repo, "switch", "-qC", "change")
    return repo


def test_an_owner_of_one_folder_is_no_maintainer_elsewhere(owned: Path) -> None:
    travel = "scenarios/travel/monalisa-trip.yaml"
    git(owned, "switch", "-q", "main")
    change(owned, {travel: scenario("monalisa-trip", "monalisa", category="travel")})
    git(owned, "switch", "-qC", "change")
    change(owned, {travel: scenario("monalisa-trip", "monalisa", category="travel", title="Hi")})
    code, output = run("bob")  # bob owns scenarios/travel/: the last matching line
    assert code == 0, output
    assert "changed by a maintainer" in output
    change(owned, {MONALISA: scenario("monalisa-tapas", "monalisa", title="Mine")})
    code, output = run("bob")  # ... but not scenarios/restaurant/
    assert code == 1
    assert f"error: {MONALISA}: only its owner (monalisa) may edit" in output
    code, output = run("alice")  # alice owns scenarios/ but the later travel line wins there
    assert code == 1
    assert f"error: {travel}: only its owner (monalisa) may edit" in output


def test_a_rename_needs_the_owners_of_both_ends(owned: Path) -> None:
    new = "scenarios/travel/monalisa-tapas.yaml"
    (owned / "scenarios" / "travel").mkdir()
    change(owned, {new: scenario("monalisa-tapas", "monalisa")}, rename=(MONALISA, new))
    code, output = run("alice")  # owns where it was, not where it goes
    assert code == 1
    assert "only its owner (monalisa) may rename this scenario" in output


def test_an_ownerless_line_unowns(owned: Path) -> None:
    secret = "scenarios/travel/secret.yaml"
    change(owned, {secret: scenario("secret", "monalisa", category="travel")})
    code, output = run("bob")
    assert code == 1
    assert f"error: {secret}: a scenario you add must be yours" in output


def test_without_maintainers_nobody_is_one(repo: Path) -> None:
    """The shipped CODEOWNERS names no one: the review says so first, and holds everyone
    to the contributor's rules (a login called `maintainers` owns no system scenario)."""
    git(repo, "switch", "-q", "main")
    shipped = (REPO / ".github" / "CODEOWNERS").read_text("utf-8")
    change(repo, {".github/CODEOWNERS": shipped})
    git(repo, "switch", "-qC", "change")
    change(repo, {SYSTEM: scenario("system-tapas", "maintainers", title="Mine now")})
    for author in ("maintainers", "alice"):
        code, output = run(author)
        assert code == 1
        assert output.startswith("warning: no maintainer is configured: CODEOWNERS on the base")
        assert "[system-scenario]" in output
    _, markdown = run("alice", "--format", "markdown")
    assert "> [!WARNING]\n> No maintainer is configured" in markdown
    _, annotations = run("alice", "--format", "github")
    assert annotations.startswith("::warning title=no maintainer configured::")


# --- what a pull request can put in a file or a name ------------------------------------------


def raw_commit(root: Path, files: dict[bytes, bytes]) -> None:
    """Commit files by their raw names and contents (bytes that need not be UTF-8)."""
    for name, content in files.items():
        path = root / os.fsdecode(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        subprocess.run([b"git", b"-C", os.fsencode(root), b"add", b"--", name], check=True)
    git(root, "commit", "-qm", "raw")


def all_formats(author: str = "octocat") -> dict[str, tuple[int, str]]:
    return {form: run(author, "--format", form) for form in ("text", "markdown", "github")}


def test_a_file_name_that_is_not_utf8(repo: Path) -> None:
    raw_commit(repo, {b"scenarios/restaurant/caf\xe9.yaml": scenario("cafe", "octocat").encode()})
    for form, (code, output) in all_formats().items():
        assert code == 0, form  # (that the name is not the id is for `validate` to say)
        assert "\udce9" not in output
    code, output = run("octocat")
    assert "added    scenarios/restaurant/caf\\xe9.yaml" in output


def test_an_edit_that_breaks_the_syntax_is_judged_by_the_base_version(repo: Path) -> None:
    """Someone else's file made unreadable is `not-yours` at once, and no page is "removed".

    The review took the unreadable edit for a removal ("1 public page will break") and
    said only `unreadable`, so its author learnt `not-yours` a push later (found by a
    hostile review).
    """
    broken = (
        (repo / MONALISA)
        .read_text(encoding="utf-8")
        .replace("title: ", "title: Tapas: the night out ", 1)
    )
    assert yaml_error(broken)
    change(repo, {MONALISA: broken})
    code, output = run("octocat")
    assert code == 1
    assert f"error: {MONALISA}: who owns this scenario cannot be checked" in output
    assert f"error: {MONALISA}: only its owner (monalisa) may edit this scenario" in output
    assert "removed" not in output
    assert "will break" not in output
    code, output = run("monalisa", "--format", "markdown")  # the owner: the syntax only
    assert "only its owner" not in output, output
    assert "will break" not in output, output
    git(repo, "mv", MONALISA, "scenarios/restaurant/tapas-night.yaml")
    git(repo, "commit", "-qm", "renamed, still unreadable")
    _, output = run("monalisa", "--format", "markdown")
    assert "will break" in output, output
    assert "tapas-night" in output, output


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"title: caf\xe9\n", "UTF-8"),
        (b"\xff\xfet\x00i\x00", "UTF-16"),
        (b"title: [unclosed\n", ""),
        (b"- a list\n- not a mapping\n", "not a mapping"),
        (b"just text\n", "not a mapping"),
        (b"", "mapping"),
        (b"x: " + b"[" * 5000 + b"]" * 5000 + b"\n", ""),
        (b"x: " + b"9" * 5000 + b"\n", ""),
        (b"a: &a [1]\nb: *a\n", ""),
        (b"x: " + b"y" * (1024 * 1024) + b"\n", "over the limit"),
    ],
    ids=["latin1", "utf16", "yaml", "list", "scalar", "empty", "deep", "huge-int", "alias", "big"],
)
def test_an_unreadable_scenario_is_a_clear_report(repo: Path, content: bytes, reason: str) -> None:
    raw_commit(repo, {b"scenarios/restaurant/broken.yaml": content})
    for form, (code, output) in all_formats().items():
        assert code == 1, form
        assert "broken.yaml" in output
    _, output = run("octocat")
    assert reason in output
    assert "error: scenarios/restaurant/broken.yaml: who owns this scenario cannot be checked" in (
        output
    )
    code, output = run("alice")  # its owner in CODEOWNERS only gets a warning
    assert code == 0, output
    assert "warning: scenarios/restaurant/broken.yaml cannot be read: " in output


@pytest.mark.parametrize(
    "changes",
    [
        {"created_by": ["octocat"]},
        {"created_by": 12345},
        {"created_by": None},
        {"phases": "three phases"},
        {"phases": ["a phase", 3, {"phase_id": ["x"]}]},
        {"is_system_scenario": "no"},
        {"title": {"a": "mapping"}},
    ],
    ids=["list-owner", "int-owner", "null-owner", "str-phases", "odd-phases", "str-flag", "title"],
)
def test_odd_values_never_crash_the_review(repo: Path, changes: dict[str, object]) -> None:
    """A contributor's own scenario with values of the wrong type: no traceback, and never
    taken as theirs (an owner that is not text is nobody's; a flag that is not false is set)."""
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", **changes)})
    for form, (code, output) in all_formats().items():
        assert code in (0, 1), form
        assert "octocat-tapas" in output or form == "github"
    code, output = run("octocat")
    if "created_by" in changes:
        assert code == 1
        assert "[owner-changed]" in output
    if "is_system_scenario" in changes:
        assert "[system-flag]" in output


def test_everything_printed_is_escaped(repo: Path) -> None:
    """Titles, ids, logins and messages from the pull request cannot steer a terminal, start
    a workflow command, render markdown or mention anyone."""
    hostile = "Tapas\x1b[2J\r\u202e::error::fake\n::warning::x [link](http://e.vil) @everyone |"
    change(
        repo,
        {
            OCTOCAT: scenario("octocat-tapas", "octocat", title=hostile),
            MONALISA: scenario("monalisa-tapas", "@everyone\n::error::forged"),
        },
    )
    code, text = run("octocat")
    assert code == 1
    assert "\x1b" not in text
    assert "\r" not in text
    assert "\u202e" not in text
    assert "Tapas\\u001b[2J\\r\\u202e::error::fake\\n::warning::x" in text
    _, annotations = run("octocat", "--format", "github")
    assert not [line for line in annotations.splitlines() if line.startswith("::error::")]
    assert not [line for line in annotations.splitlines() if line.startswith("::warning::")]
    _, markdown = run("octocat", "--format", "markdown")
    assert "@everyone" not in markdown
    assert "](http" not in markdown
    assert "\\[link\\]\\(http" in markdown
    assert "\x1b" not in markdown
    row = next(line for line in markdown.splitlines() if "octocat-tapas" in line)
    assert row.count(" | ") == 6  # the title's `|` does not split its cell


def test_a_path_with_a_newline_cannot_forge_an_annotation(repo: Path) -> None:
    raw_commit(repo, {b"docs/x\n::error::forged.md": b"x\n", b"a\x1b[31m.py": b"x\n"})
    for form, (_, output) in all_formats().items():
        assert not [line for line in output.splitlines() if line.startswith("::error::")], form
        assert "\x1b" not in output
        assert "x\\n::error::forged.md" in output or "x\\\\n" in output, form


def test_a_pull_request_that_removes_the_schema_is_still_reviewed(repo: Path) -> None:
    """Without schemas/ the checkout is no longer found as a repository by the other
    commands; review needs only git, and says who must look."""
    change(repo, {"schemas/scenario.schema.json": None})
    code, output = run("octocat")
    assert code == 1
    assert not (repo / "schemas").exists()
    assert output.startswith("error: schemas/scenario.schema.json: needs a maintainer: removed")


def test_a_lookalike_owner_is_nobody(repo: Path) -> None:
    change(repo, {"scenarios/travel/k.yaml": scenario("k", "\u212aatie", category="travel")})
    code, output = run("katie")
    assert code == 1
    assert "[add-as-yourself]" in output


def test_the_summary_stays_small_for_a_huge_pull_request(repo: Path) -> None:
    """It is posted as a comment (at most 65,536 characters): it stops between two blocks,
    says so, and still ends with the verdict; the terminal lists everything."""
    from scenariokit.review.report import MAX_CHARACTERS

    folder = repo / "scenarios" / "travel"
    folder.mkdir(parents=True)
    text = scenario("many", "octocat", category="travel", title="T" * 100)
    for number in range(512):
        (folder / f"many-{number}.yaml").write_text(text.replace("many", f"many-{number}"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "many")
    code, markdown = run("octocat", "--format", "markdown")
    assert code == 0
    assert len(markdown) <= MAX_CHARACTERS
    assert "**The summary is cut here (512 scenarios not shown in full" in markdown
    verdict = "**512 scenarios changed by a contributor: all ownership rules hold**\n"
    assert markdown.endswith(verdict)
    _, text_output = run("octocat")
    assert text_output.count("added    scenarios/travel/many-") == 512


def yaml_error(text: str) -> bool:
    """Whether `text` is not YAML at all."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        return True
    return False


@pytest.mark.parametrize("author", ["", " ", "octo cat", "ôctocat", "octo\ncat"])
def test_an_author_that_is_no_login_is_a_usage_error(repo: Path, author: str) -> None:
    """`--author ""` was taken, and every scenario judged someone else's (exit 1)."""
    result = invoke("review", "--base", "main", "--author", author)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "is no GitHub login" in result.stderr
    assert invoke("review", "--base", "main", "--author", "dependabot[bot]").exit_code == 0
