"""CODEOWNERS resolved as GitHub resolves it: its documentation's examples, pattern by pattern.

The first table is the example file of GitHub's documentation ("About code owners"), with
the owners its comments say each path gets; the second holds the pattern rules one by one
(the cases hmarr/codeowners checks its matcher with, which follow the same documentation).
"""

from __future__ import annotations

import pytest

from scenariokit.review.codeowners import parse, pattern_regex

# GitHub's documented example CODEOWNERS, whole (each block's comment says what it does).
GITHUB_EXAMPLE = r"""
# These owners will be the default owners for everything in the repo.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most precedence.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer.
*.go docs@example.com

# Teams can be specified as code owners as well.
*.txt @octo-org/octocats

# @doctocat owns any files in the build/logs directory at the root of the repository
# and any of its subdirectories.
/build/logs/ @doctocat

# The `docs/*` pattern will match files like `docs/getting-started.md` but not further
# nested files like `docs/build-app/troubleshooting.md`.
docs/*  docs@example.com

# @octocat owns any file in an apps directory anywhere in your repository.
apps/ @octocat

# @doctocat owns any file in the `/docs` directory in the root of your repository and
# any of its subdirectories.
/docs/ @doctocat

# Any change inside the `/scripts` directory will require approval from @doctocat or
# @octocat.
/scripts/ @doctocat @octocat

# @octocat owns any file in a `/logs` directory such as `/build/logs`, `/scripts/logs`,
# and `/deeply/nested/logs`.
**/logs @octocat

# @octocat owns any file in the `/apps` directory in the root of your repository except
# for the `/apps/github` subdirectory, as its owners are left empty.
/apps/ @octocat
/apps/github

# @octocat owns any file in the `/apps` directory in the root of your repository except
# for the `/apps/github` subdirectory, as this subdirectory has its own owner @doctocat
/apps/ @octocat
/apps/github @doctocat
"""

GITHUB_EXAMPLE_OWNERS = [
    ("README.md", ("@global-owner1", "@global-owner2")),
    ("src/deep/main.c", ("@global-owner1", "@global-owner2")),
    ("src/app.js", ("@js-owner",)),
    ("main.go", ("docs@example.com",)),
    ("notes/todo.txt", ("@octo-org/octocats",)),
    ("build/logs/today.log", ("@octocat",)),  # `**/logs` comes later and wins
    ("build/logs/2024/jan.txt", ("@octocat",)),
    ("docs/getting-started.md", ("@doctocat",)),  # `/docs/` is later than `docs/*`
    ("docs/build-app/troubleshooting.md", ("@doctocat",)),
    ("web/apps/index.html", ("@octocat",)),
    ("scripts/deploy.sh", ("@doctocat", "@octocat")),
    ("scripts/logs/x.log", ("@octocat",)),
    ("deeply/nested/logs/x.log", ("@octocat",)),
    ("apps/github/hook.rb", ("@doctocat",)),  # the last block gives it its own owner
    ("apps/other/hook.rb", ("@octocat",)),
]


@pytest.mark.parametrize(("path", "owners"), GITHUB_EXAMPLE_OWNERS)
def test_githubs_documented_example(path: str, owners: tuple[str, ...]) -> None:
    assert parse(GITHUB_EXAMPLE).owners(path) == owners


def test_a_rule_without_owners_unowns() -> None:
    rules = parse("/apps/ @octocat\n/apps/github\n")
    assert rules.owners("apps/github/x.rb") == ()
    assert rules.owners("apps/x.rb") == ("@octocat",)
    assert not rules.owned_by("apps/github/x.rb", "octocat")


def test_docs_star_does_not_reach_nested_files() -> None:
    rules = parse("docs/*  @writer\n")
    assert rules.owners("docs/getting-started.md") == ("@writer",)
    assert rules.owners("docs/build-app/troubleshooting.md") == ()


def test_logins_teams_and_addresses() -> None:
    rules = parse("* @Alice @org/team bob@example.com\n")
    assert rules.logins("x") == ("Alice",)
    assert rules.owned_by("x", "alice")  # logins are case-insensitive
    assert not rules.owned_by("x", "org")
    assert not rules.owned_by("x", "bob@example.com")
    assert rules.names_anyone
    assert not parse("* @org/team\n# * @alice\n").names_anyone


def test_skipped_lines() -> None:
    rules = parse("!scenarios/ @mallory\n\\#weird @alice\n[ab].txt @carol\n")
    assert rules.owners("scenarios/x.yaml") == ()  # negation does not work on GitHub
    assert rules.owners("#weird") == ("@alice",)  # an escaped '#' starts a pattern
    assert rules.owners("a.txt") == ()  # no character ranges
    assert rules.owners("[ab].txt") == ("@carol",)


def test_paths_are_case_sensitive() -> None:
    assert parse("/Scenarios/ @alice\n").owners("scenarios/x.yaml") == ()


# pattern → {path: matches}, one rule of the syntax each.
PATTERNS = {
    "foo": {"foo": True, "foo.txt": False, "foo/bar": True, "bar/foo": True,
            "bar/foo.txt": False, "bar/baz": False, "bar/foo/baz": True},
    "/foo": {"foo": True, "fool.txt": False, "foo/bar": True, "bar/foo": False,
             "foo/bar/baz": True, "bar/foo/baz": False},
    "foo/": {"foo": False, "foo/bar": True, "foo/bar/baz": True, "bar/foo": False,
             "bar/foo/baz": True, "bar/foo/baz/qux": True},
    "/foo/": {"foo": False, "foo/bar": True, "foo/bar/baz": True, "bar/foo/baz": False},
    "foo/bar": {"foo/bar": True, "foo/bart": False, "foo/bar/baz": True,
                "baz/foo/bar": False, "baz/foo/bar/qux": False},
    "foo/bar/": {"foo/bar": False, "foo/bar/baz": True, "baz/foo/bar/qux": False},
    "*": {"foo": True, "foo/bar": True, "bar/foo/baz": True},
    "f*": {"foo": True, "foo/bar": True, "bar/foo": True, "bar/baz": False, "xfoo": False},
    "/*": {"foo": True, "foo/bar": False, "foo/bar/baz": False},
    "/f*": {"foo": True, "foo/bar": True, "bar/foo": False},
    "f*/": {"foo": False, "foo/bar": True, "bar/foo/baz": True, "xfoo": False},
    "/*/": {"foo": False, "foo/bar": True, "bar/foo/baz": True},
    "f\\*o": {"foo": False, "f*o": True},
    "foo/*": {"foo": False, "foo/bar": True, "foo/bar/baz": False, "bar/foo": False},
    "foo/*.txt": {"foo/bar.txt": True, "foo/bar/baz.txt": False, "qux/foo/bar.txt": False},
    "foo/*/baz": {"foo/baz": False, "foo/bar/baz": True, "foo/bar/baz/qux": True},
    "f?o": {"foo": True, "fo": False, "fooo": False, "f/o": False},
    "**/foo/bar": {"foo/bar": True, "qux/foo/bar": True, "qux/foo/bar/baz": True,
                   "foo/baz/bar": False},
    "**/*bar*": {"bar": True, "foo/rebar": True, "foo/qux/bar": True},
    "foo/bar/**": {"foo/bar": False, "foo/bar/baz": True, "foo/bar/baz/qux": True,
                   "qux/foo/bar/baz": False},
    "foo/**/bar": {"foo/bar": True, "foo/qux/bar/baz": True, "foo/qux/quux/bar/baz": True,
                   "qux/foo/bar": False},
    "foo/**/bar/b*": {"foo/bar": False, "foo/bar/baz": True, "foo/qux/bar/baz": True,
                      "foo/qux/bar/qux": False},
}  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [(pattern, path, want) for pattern, paths in PATTERNS.items() for path, want in paths.items()],
)
def test_pattern(pattern: str, path: str, matches: bool) -> None:
    regex = pattern_regex(pattern)
    assert regex is not None
    assert bool(regex.fullmatch(path)) is matches


@pytest.mark.parametrize("pattern", ["", "/", "a***", "a//b"])
def test_invalid_patterns_match_nothing(pattern: str) -> None:
    assert pattern_regex(pattern) is None


def test_logins_compare_as_github_compares_them() -> None:
    rules = parse("* @katie @strasse\n")
    assert rules.owned_by("x", "KATIE")
    assert not rules.owned_by("x", "\u212aatie")  # the Kelvin sign casefolds to k
    assert not rules.owned_by("x", "stra\u00dfe")  # ß casefolds to ss
    assert not rules.owned_by("x", "")
