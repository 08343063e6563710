"""The nearest good value for a mistaken one: "did you mean", and a duration's number.

Used where a value is judged before a file exists (`new` and `duplicate`, on the command
line and at their questions) and in `validate`'s messages: a template or scenario id
misspelt (`hotel` → `hotel-check-in`), a language tag in another form or named in words
(`pt_br` → `pt-BR`, `Brazilian Portuguese` → `pt-BR`), a duration written with its unit
(`15 min` → `15`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from scenariokit.check.languages import judge_language


def closest(value: str, options: Iterable[str]) -> str | None:
    """The option `value` most likely meant, or None when none is near.

    An option it starts (`hotel` for `hotel-check-in`) or differs from only in case is
    meant before the nearest by spelling (difflib's ratio, at least 0.6).
    """
    options = list(options)
    folded = value.strip().casefold()
    if not folded:
        return None
    for option in options:
        if option.casefold() == folded:
            return option
    starting = [o for o in options if o.casefold().startswith(folded)]
    if len(starting) == 1:
        return starting[0]
    near = difflib.get_close_matches(folded, options, n=1, cutoff=0.6)
    return near[0] if near else None


def language_suggestion(tag: str) -> str | None:
    """The canonical tag a mistaken one means: `pt_br` → `pt-BR`, `portuguese` → `pt`.

    None when `tag` is already right, or nothing real is near.
    """
    tag = tag.strip()
    if not tag or judge_language(tag) is None:
        return None
    for candidate in (tag, tag.replace("_", "-").replace(" ", "-")):
        verdict = judge_language(candidate)
        if verdict is None:
            return candidate
        if verdict[0] == "language-form":
            canonical = re.search(r"as '([^']+)'", verdict[1])
            if canonical and judge_language(canonical.group(1)) is None:
                return canonical.group(1)
    return _named(tag)


def _named(words: str) -> str | None:
    """The tag of a language named in English words (`Brazilian Portuguese` → `pt-BR`)."""
    if len(words) > 60 or not re.fullmatch(r"[A-Za-z][A-Za-z ()-]*", words):
        return None
    import langcodes  # slow to import: only once a tag was not understood

    try:
        found = langcodes.find(words).to_tag()
    except LookupError:
        return None
    return found if judge_language(found) is None else None


# The builder's check.js has the same two patterns (`minutesIn`), for the same message.
_MINUTES = re.compile(
    r"\s*([0-9]{1,3})\s*(?:m|mn|min|mins|minute|minutes|minutos|minuten|minuti)?\.?\s*", re.I
)
_HOURS = re.compile(r"\s*([0-9])\s*(?:h|hr|hrs|hour|hours|horas?|stunden?)\.?\s*", re.I)


def minutes_in(text: str) -> int | None:
    """The whole minutes a duration written as text says: `15 min` → 15, `1 hour` → 60."""
    if match := _MINUTES.fullmatch(text):
        return int(match.group(1))
    if match := _HOURS.fullmatch(text):
        return 60 * int(match.group(1))
    return None
