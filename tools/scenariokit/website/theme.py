"""The site's theme: its Jinja2 environment, built in one place, and its static files.

Autoescaping is on for every template (a scenario's text can never become markup) and
undefined names fail the build instead of printing nothing (StrictUndefined).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2


def theme_dir() -> Path:
    """The `site/` folder: bundled in the installed package, or in the source checkout."""
    bundled = resources.files("scenariokit") / "site"
    if bundled.is_dir():
        return Path(str(bundled))
    return Path(__file__).resolve().parents[3] / "site"


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment over `site/templates` (Jinja2 loads only when a page renders).

    Compiled templates are kept in Jinja's bytecode cache (a folder of this user's own in
    the temporary directory, which Jinja checks): compiling them takes longer than a
    rebuild that changes one page spends on everything else it renders.
    """
    import jinja2

    class Environment(jinja2.Environment):
        """Looks `card.title` up as a dictionary's item first when the value is a dictionary.

        Jinja tries the attribute first, and each miss raises and catches an exception:
        eight per card, for thousands of cards on the listing pages (a large part of
        their time). No key of the dictionaries pages get (scenarios, cards, groups) is named like a
        dictionary's method, so what a template means stays the same. Rendering is faster with
        it at every size, but a whole build gains only at about 10,000 files, and little
        (bench/README.md, "Each optimisation, with and without").
        """

        def getattr(self, obj: Any, attribute: str) -> Any:
            if type(obj) is dict and attribute in obj:
                return obj[attribute]
            return super().getattr(obj, attribute)

    return Environment(
        loader=jinja2.FileSystemLoader(theme_dir() / "templates"),
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def static_files() -> list[Path]:
    """The theme's assets (CSS, JavaScript, vendored libraries in their folders), in order.

    Relative to `site/static/`, which the site serves as `assets/`.
    """
    static = theme_dir() / "static"
    return sorted(p.relative_to(static) for p in static.rglob("*") if p.is_file())


def fingerprint() -> str:
    """A hash of every theme file: a changed theme re-renders every page.

    Worked out again for each build, which costs little: `scenarios serve` rebuilds in one
    process when a theme file changes, and a remembered hash would leave its pages as they
    were.
    """
    digest = hashlib.sha256()
    folder = theme_dir()  # once: it resolves a real path
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
