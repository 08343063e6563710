"""Who owns a file: GitHub's CODEOWNERS rules, resolved offline.

`scenarios review` asks, for every file a pull request touches, whether its author is among
the file's code owners; a maintainer is nothing more than that. The answer must be the one
GitHub gives, or a pull request could pass the review as its own file's owner while GitHub
asks someone else (or the reverse), so the rules are GitHub's, as its documentation states
them and as `hmarr/codeowners` (the library GitHub's own examples are checked against)
behaves:

- each line is a pattern and its owners; `#` starts a comment; the LAST matching line wins,
  and a matching line with no owners leaves the file with none;
- patterns are gitignore's: a leading `/` anchors to the repository root, and so does a `/`
  in the middle; a pattern without one matches at any depth; a trailing `/` matches what is
  below a folder, not the folder's name as a file; `*` and `?` never cross a `/`; `**`
  spans folders (`**/logs`, `docs/**`, `a/**/b`); a pattern that names a file or a folder
  covers everything below it, except one whose last part is a lone `*` (`docs/*` owns
  `docs/a.md`, not `docs/build/a.md`, as GitHub's documentation says);
- unlike gitignore, `!` (negation) and `[...]` (character ranges) do not work on GitHub: a
  `!` line is skipped and brackets are plain characters; `\\` escapes the next character
  (`\\#` for a pattern that starts with `#`, `\\ ` for a space);
- paths are case-sensitive, logins are not.

Owners are `@login`, `@org/team` or an e-mail address. Only logins can be compared with a
pull request's author offline, so teams and addresses own a file (nobody else does) but make
no one a maintainer here: list individual logins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Where GitHub looks, in its order: the first that exists is the only one read.
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
MAX_BYTES = 3 * 1024 * 1024  # GitHub ignores a larger CODEOWNERS file

_TOKEN = re.compile(r"(?:\\.|\S)+")


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of CODEOWNERS: the pattern as written, its matcher, and its owners."""

    pattern: str
    regex: re.Pattern[str]
    owners: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CodeOwners:
    """The rules of one CODEOWNERS file, in order (an empty one owns nothing)."""

    rules: tuple[Rule, ...] = ()

    def owners(self, path: str) -> tuple[str, ...]:
        """The owners of `path` (relative, `/`-separated): the last matching rule's."""
        for rule in reversed(self.rules):
            if rule.regex.fullmatch(path):
                return rule.owners
        return ()

    def logins(self, path: str) -> tuple[str, ...]:
        """The individual GitHub logins among `path`'s owners (no teams, no addresses)."""
        return tuple(o[1:] for o in self.owners(path) if o.startswith("@") and "/" not in o)

    def owned_by(self, path: str, login: str) -> bool:
        """Whether `login` is one of `path`'s owners."""
        wanted = login_key(login)
        return wanted is not None and any(login_key(o) == wanted for o in self.logins(path))

    @property
    def names_anyone(self) -> bool:
        """Whether any rule names an individual login: else nobody is a maintainer."""
        return any(o.startswith("@") and "/" not in o for r in self.rules for o in r.owners)


def login_key(login: str) -> str | None:
    """What two spellings of one GitHub login share: logins are ASCII and case-insensitive.

    Not `casefold`, which maps the Kelvin sign to `k` and `ß` to `ss`: a value no login can
    have must never equal one that can (None, equal to nothing, for anything else).
    """
    return login.lower() if login.isascii() and login else None


def parse(text: str) -> CodeOwners:
    """The rules of a CODEOWNERS text; lines GitHub would reject are skipped, as it does."""
    rules = []
    for line in text.splitlines():
        tokens = _TOKEN.findall(line)
        if not tokens or tokens[0].startswith(("#", "!")):
            continue
        owners = []
        for token in tokens[1:]:
            if token.startswith("#"):
                break
            owners.append(token)
        regex = pattern_regex(tokens[0])
        if regex is not None:
            rules.append(Rule(tokens[0], regex, tuple(owners)))
    return CodeOwners(tuple(rules))


def pattern_regex(pattern: str) -> re.Pattern[str] | None:
    """A regular expression that matches exactly the paths `pattern` owns, or None if invalid.

    The pattern is taken apart at its slashes: where it is anchored, whether it names only
    a folder's contents, and then each part, where `**` alone spans any number of folders.
    """
    if "***" in pattern or pattern in ("", "/"):
        return None
    parts = pattern.split("/")
    if parts[0] == "":
        parts = parts[1:]  # a leading slash anchors at the root
    elif len(parts) == 1 or (len(parts) == 2 and parts[1] == ""):
        parts = ["**", *parts]  # one name, maybe with a trailing slash: at any depth
    if len(parts) > 1 and parts[-1] == "":
        parts[-1] = "**"  # a trailing slash: everything below the folder
    if any(part == "" for part in parts):
        return None  # `a//b`: GitHub rejects it
    pieces: list[str] = []
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if part == "**":
            pieces.append(_spanning(index, last))
            continue
        if index > 0 and not (index == 1 and parts[0] == "**"):
            pieces.append("/")  # a leading `**` brings its own
        if part == "*":
            pieces.append("[^/]+")  # a lone `*`: one name, nothing below it
            continue
        pieces.append(_part(part))
        if index == last:
            pieces.append("(?:/.*)?")  # a file, or a folder and everything below it
    return re.compile("".join(pieces), re.DOTALL)


def _spanning(index: int, last: int) -> str:
    """`**` as a whole part: any leading folders, anything below, or folders in between."""
    if index == 0:
        return ".+" if index == last else "(?:.+/)?"
    return "/.*" if index == last else "(?:/.+)?"


def _part(part: str) -> str:
    """One name of a pattern: `*` and `?` within it, `\\` escaping the next character."""
    out = []
    characters = iter(part)
    for character in characters:
        if character == "\\":
            out.append(re.escape(next(characters, "\\")))
        elif character == "*":
            out.append("[^/]*")
        elif character == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(character))
    return "".join(out)
