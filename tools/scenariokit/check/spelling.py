"""`misspelt`: a target-language word no installed dictionary knows (`validate --spelling`).

Only the words a learner learns are checked: each vocabulary entry's term and each phrase's
text, in the scenario's `language` (translations, notes and readings are English or a
romanization). The spell checker is Hunspell through Enchant (pyenchant over libenchant-2,
the `spelling` extra), with the system's Hunspell dictionaries (Debian: hunspell-de-de,
hunspell-es, hunspell-fr…); a tag picks its region's dictionary (`pt-BR` → pt_BR, `de-AT` →
de_AT) and a tag without a region its likely one (`de` → de_DE, `ar` → ar_EG).

Opt-in, and not part of the one check `build` shares: its verdict depends on what is
installed on the machine, not only on the file, and a dictionary costs 0.1 to 1 s to load
per process (bench/README.md). A word's verdict is remembered per process, so a language's
common words are looked up once.

Japanese and Chinese are not checked: Debian has no dictionary for them (words are not
separated by spaces, so there is nothing for a word list to check); nor is Korean, whose
dictionary rejects most correct sentences (`NOT_CHECKED`). A language whose dictionary is not
installed, or a machine without pyenchant or libenchant, is skipped with one note.

A file allows words with comment lines, `# spelling: Churrasco, Pinheiros`: a name or a
loanword the dictionary lacks. A comment and not a field: it is about checking the file, not
part of the scenario (the index, pages and API have no use for it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from scenariokit.check.diagnostics import DocPath, Finding, describe_path

# Primary languages not checked (see the module's docstring): Japanese and Chinese have no
# dictionary; Korean's (hunspell-ko) lacks most inflected and honorific forms (교수님, 그럼요,
# 연락드리겠습니다): 130 warnings over the 10 shipped Korean scenarios, nearly all correct Korean.
NOT_CHECKED = frozenset({"ja", "zh", "ko"})

# `# spelling: word, word` on a line of its own; words separated by commas or spaces.
ALLOWED = re.compile(r"^[ \t]*#[ \t]*spelling:(.*)$", re.MULTILINE)

# A word: letters, with the marks written on them (accents, Arabic vowel signs) and single
# apostrophes or hyphens inside (l'addition, dell'acqua, peut-être). Digits end a word.
_LETTER = r"[^\W\d_]"
_MARK = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
WORD = re.compile(rf"{_LETTER}(?:{_LETTER}|[{_MARK}]|['’-](?={_LETTER}))*")

_ENTRIES = (("key_vocabulary", "term"), ("essential_phrases", "text"))
# Text still to be written (`scenarios new`'s placeholders): the placeholder rule reports it.
_PLACEHOLDER = "TODO:"


class Dictionaries:
    """One process's dictionaries, each loaded when a file first needs it, and its verdicts."""

    def __init__(self) -> None:
        self._broker: Any = None
        self._problem: str | None = None  # why nothing can be checked on this machine
        self._loaded: dict[str, tuple[Any, str] | None] = {}
        self._known: dict[str, dict[str, bool]] = {}

    def dictionary(self, tag: str) -> tuple[Any, str] | str:
        """The dictionary for a language tag and its name, or why there is none."""
        if self._problem is None and self._broker is None:
            self._broker, self._problem = _broker()
        if self._problem is not None:
            return self._problem
        if tag not in self._loaded:
            self._loaded[tag] = _request(self._broker, tag)
        found = self._loaded[tag]
        if found is None:
            return (
                f"{tag} not checked: no Hunspell dictionary for it is installed "
                f"(tried {', '.join(_candidates(tag))}; on Debian, `apt-cache search hunspell`)"
            )
        return found

    def unknown(self, dictionary: tuple[Any, str], word: str) -> bool:
        """Whether the dictionary lacks `word` (each word looked up once a process)."""
        known = self._known.setdefault(dictionary[1], {})
        verdict = known.get(word)
        if verdict is None:
            verdict = known[word] = bool(dictionary[0].check(word.replace("’", "'")))
        return not verdict


def _broker() -> tuple[Any, str | None]:
    try:
        import enchant  # the spelling extra: pyenchant, over the system's libenchant-2
    # ImportError without pyenchant or libenchant; OSError or AssertionError when
    # PYENCHANT_LIBRARY_PATH names no library: none of them a reason to stop the check.
    except Exception as exc:
        return None, (
            f"spelling not checked: {exc} (install scenariokit[spelling] and libenchant-2 "
            "with the Hunspell dictionaries: README, 'Checking spelling')"
        )
    broker = enchant.Broker()
    broker.set_ordering("*", "hunspell,nuspell,aspell")  # Hunspell's dictionaries first
    return broker, None


def _candidates(tag: str) -> list[str]:
    """Dictionary names for a tag: its region's, its likely region's, the language's."""
    import langcodes  # loaded already: the language rule judged the tag

    try:
        language = langcodes.Language.get(tag)
        likely = language.maximize()
    except (langcodes.tag_parser.LanguageTagError, ValueError):
        return []
    code = language.language or ""
    names = [f"{code}_{t}" for t in (language.territory, likely.territory) if t]
    return [*dict.fromkeys(names), code]


def _request(broker: Any, tag: str) -> tuple[Any, str] | None:
    for name in _candidates(tag):
        if broker.dict_exists(name):
            return broker.request_dict(name), name
    return None


_DICTIONARIES = Dictionaries()


def spelling_findings(data: Any, text: str) -> tuple[list[Finding], str | None]:
    """`misspelt` warnings for a document's entries, and a note when they were not checked.

    `text` is the file's text, for its `# spelling:` comments. Silent on a document without
    a language or entries in the schema's shape: the schema says what is wrong with it.
    """
    tag = data.get("language") if isinstance(data, dict) else None
    if not isinstance(tag, str) or tag.split("-")[0].lower() in NOT_CHECKED:
        return [], None
    entries = list(_entries(data))
    if not entries:
        return [], None
    dictionary = _DICTIONARIES.dictionary(tag)
    if isinstance(dictionary, str):
        return [], dictionary
    allowed = {w.casefold() for line in ALLOWED.findall(text) for w in WORD.findall(line)}
    findings = []
    for doc_path, words in entries:
        unknown = [
            word
            for word in dict.fromkeys(WORD.findall(words))
            if _checked(word) and word.casefold() not in allowed and _misspelt(dictionary, word)
        ]
        if unknown:
            findings.append(_finding(doc_path, unknown, dictionary[1]))
    return findings, None


def _checked(word: str) -> bool:
    """Whether to look `word` up: not a single letter (a size, a bus line) nor all capitals.

    An abbreviation (NIE, ITV, СНИЛС) is in no dictionary, and a reviewer reads it as one.
    """
    return len(word) > 1 and not word.isupper()


def _misspelt(dictionary: tuple[Any, str], word: str) -> bool:
    """Unknown, and (for a hyphenated word) some part of it unknown too."""
    if not _DICTIONARIES.unknown(dictionary, word):
        return False
    parts = word.split("-")
    return len(parts) == 1 or any(_DICTIONARIES.unknown(dictionary, p) for p in parts if p)


def _finding(doc_path: DocPath, words: list[str], name: str) -> Finding:
    quoted = ", ".join(f"'{w}'" for w in words)
    verb = "is" if len(words) == 1 else "are"
    return Finding(
        doc_path,
        "misspelt",
        f"{describe_path(doc_path)}: {quoted} {verb} not in the {name} dictionary: correct "
        f"the spelling, or, for a name or a word the dictionary lacks, allow it with a "
        f"comment line `# spelling: {', '.join(words)}`",
        "warning",
    )


def _entries(data: dict[str, Any]) -> Iterator[tuple[DocPath, str]]:
    """Each vocabulary term and phrase text, with its path; placeholders left to their rule."""
    phases = data.get("phases")
    for number, phase in enumerate(phases if isinstance(phases, list) else []):
        if not isinstance(phase, dict):
            continue
        for key, words_key in _ENTRIES:
            entries = phase.get(key)
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                path: DocPath = ("phases", number, key, index)
                if isinstance(entry, dict):
                    words, path = entry.get(words_key), (*path, words_key)
                else:
                    words = entry
                if isinstance(words, str) and not words.startswith(_PLACEHOLDER):
                    yield path, words
