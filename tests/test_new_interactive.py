"""Authoring that does not throw work away: `new`'s questions, did-you-mean, and quoting.

Interactive `new` checks each answer as it is given and asks again on a bad one; the
values given as options are checked the same way (a usage error naming the nearest good
value); and the quotes `validate` tells a contributor to put around a value are the ones
`fmt` writes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import VALID_TEXT, diagnostics, invoke, make_repo

# --- quoting: what validate suggests is what fmt writes ----------------------------------


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("language: es", "language: no", "wrong-type"),
        ("title: Ordering Tapas in Madrid", "title: 2024-05-01", "wrong-type"),
        ("title: Ordering Tapas in Madrid", "title: 2024-02-30", "yaml-value"),
    ],
)
def test_the_quoting_validate_suggests_is_the_quoting_fmt_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, code: str
) -> None:
    relative = "scenarios/restaurant/tapas-bar-madrid.yaml"
    root = make_repo(tmp_path, {relative: VALID_TEXT})
    monkeypatch.chdir(root)
    assert invoke("fmt", relative).exit_code == 0  # canonical first, then the mistake
    path = root / relative
    path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")
    _, found = diagnostics("validate", relative)
    (problem,) = [d for d in found if d["code"] == code]
    suggested = re.search(r"put it in quotes, ('[^']*'|\"[^\"]*\")", problem["message"])
    assert suggested, problem["message"]
    quoted = suggested.group(1)
    assert quoted == f"'{new.split(': ')[1]}'", problem["message"]
    key = new.split(":")[0]
    path.write_text(path.read_text("utf-8").replace(new, f"{key}: {quoted}", 1), "utf-8")
    assert invoke("fmt", "--check", relative).exit_code == 0  # fmt writes it just so
    code_after, _ = diagnostics("validate", relative)
    assert code_after == 0
