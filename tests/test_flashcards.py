"""Flashcards on the scenario pages and the Review page, in real headless Chromium.

The scheduling is ts-fsrs's (vendored unchanged); the clock is Playwright's, driven from
the test, never waited on. Progress lives in the browser's localStorage only.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "site" / "static" / "vendor" / "ts-fsrs"
PRACTICE = VENDOR.parents[1] / "practice"


def test_the_vendored_scheduler_is_the_published_one() -> None:
    """Every vendored file is listed in VENDOR.json with its hash: what the site serves is
    the npm tarball's ESM build, unchanged, beside its license."""
    vendor = json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))
    assert vendor["name"] == "ts-fsrs"
    assert vendor["license"] == "MIT"
    assert vendor["version"].startswith("5.")
    assert vendor["source"] == (
        f"https://registry.npmjs.org/ts-fsrs/-/ts-fsrs-{vendor['version']}.tgz"
    )
    present = {
        path.relative_to(VENDOR).as_posix()
        for path in VENDOR.rglob("*")
        if path.is_file() and path.name != "VENDOR.json"
    }
    assert set(vendor["files"]) == present == {"LICENSE", "dist/index.mjs"}
    for name, digest in vendor["files"].items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert "MIT License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")


IMPORT = re.compile(r"""^\s*(?:import|export)\b[^'"]*?\bfrom\s+["']([^"']+)["']""", re.M)


def test_the_flashcard_modules_import_only_files_that_are_there() -> None:
    """Each import of the practice modules and of the vendored build names a file beside
    them (relative, no package name and no other host): they load as static files."""
    checked = 0
    for path in [*PRACTICE.glob("*.js"), *VENDOR.rglob("*.mjs")]:
        for target in IMPORT.findall(path.read_text(encoding="utf-8")):
            assert target.startswith("."), (path, target)
            assert (path.parent / target).resolve().is_file(), (path, target)
            checked += 1
    assert checked >= 7  # the practice modules' own imports, at least
