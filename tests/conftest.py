"""Fixtures only; what the tests share otherwise is in `tests/helpers.py`, imported by name."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.helpers import CHROMIUM, CHROMIUM_FLAGS, VOICES, require_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page


# Linux's memory-backed folder: where the tests' temporary folders go when it is there.
MEMORY = Path("/dev/shm")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the cores, since the tests wait on subprocesses, git
    and the browser as much as they compute: the spare worker fills those waits."""
    return (os.cpu_count() or 1) + 1


def pytest_configure(config: pytest.Config) -> None:
    """Keep temporary folders in memory (TMPDIR=/dev/shm) where Linux offers it.

    The tests write tens of thousands of small files (each built site is over a thousand),
    and on a journalled disk creating them took the kernel as long as the tests' own work.
    The scripts and git the tests run inherit TMPDIR. A TMPDIR set already is left as it
    is; pyproject.toml keeps only the folders of failed tests.
    """
    if "TMPDIR" in os.environ or not MEMORY.is_dir() or not os.access(MEMORY, os.W_OK):
        return
    os.environ["TMPDIR"] = str(MEMORY)
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run (Debian's), launched when a test first asks."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab in a context of its own; `page.problems` collects what went wrong in it:
    console errors, uncaught exceptions and dialogs (an `alert` that hostile text ran)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(10_000)
    context.add_init_script(VOICES)
    tab = context.new_page()
    problems: list[str] = []
    tab.problems = problems  # type: ignore[attr-defined]

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    def dialog(shown: Dialog) -> None:
        problems.append(f"dialog: {shown.message}")
        shown.dismiss()

    tab.on("console", console)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("dialog", dialog)
    yield tab
    context.close()
