"""The one writer: every file a command writes goes through `canonical_text` and `write_file`.

The canonical layout is what `scenarios fmt` produces and `fmt --check` expects:
- keys in the schema's order (the order of its `properties`), unknown keys after them;
- block style everywhere, two spaces per level, list items indented under their key;
- one value per line, never folded (editors wrap; diffs stay one line per change);
- quotes only where YAML needs them, single quotes by preference, judged by YAML 1.1 rules
  (the rules PyYAML reads by), so `'no'` stays a string;
- first line: the editor modeline naming the schema by a path relative to the file.
Comments survive: ruamel.yaml keeps them attached to their keys and list items, and full-line
comments are re-indented to the line they precede. `emitter` writes the same layout for plain
data without ruamel.yaml (`canonical_keys` and `ITEM_KINDS` are shared), so `fmt` can tell
an already canonical file at a fraction of the cost.

A rewrite must never change what a file means: `format_text` re-reads its result and refuses
when the data differ. Writes are atomic (a temporary file, then a rename), and a new file
never replaces an existing one unless the caller says so. A rewritten file keeps its mode
(0644, 0664, 0755…); a new one gets what `open()` gives under the umask, not the 0600 of
`tempfile.mkstemp`. A folder on the way that is a file, and any error of the operating
system while staging, is a `UserError` and nothing is written.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import stat
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import FoldedScalarString

from scenariokit.check.schema import load_schema
from scenariokit.errors import UserError
from scenariokit.files.repository import SCHEMA_FILE, display_path

MODELINE_PREFIX = "# yaml-language-server: $schema="
_MODELINE = re.compile(r"^# yaml-language-server: \$schema=\S*\s*$")
_DIRECTIVE = "%YAML 1.1\n---\n"


@cache
def _key_orders() -> dict[str, list[str]]:
    """Canonical key order per kind of mapping, read from the schema."""
    schema = load_schema()
    definitions = schema["$defs"]
    return {
        "scenario": list(schema["properties"]),
        "phase": list(definitions["phase"]["properties"]),
        "vocabulary": list(definitions["vocabulary_entry"]["properties"]),
        "phrase": list(definitions["phrase_entry"]["properties"]),
    }


# Which kind of mapping a list's items are, by the list's key.
ITEM_KINDS = {"phases": "phase", "key_vocabulary": "vocabulary", "essential_phrases": "phrase"}


def canonical_keys(node: dict[Any, Any], kind: str | None) -> list[Any]:
    """`node`'s keys in canonical order: the schema's for its `kind`, then the others as written."""
    order = _key_orders().get(kind or "", [])
    return [k for k in order if k in node] + [k for k in node if k not in order]


def _yaml() -> YAML:
    emitter = YAML(typ="rt")
    emitter.version = (1, 1)  # quote what PyYAML would misread: 'no', 'on', '2024-05-01'
    emitter.indent(mapping=2, sequence=4, offset=2)
    emitter.width = 1 << 16
    emitter.allow_unicode = True
    emitter.preserve_quotes = False
    return emitter


def parse_round_trip(text: str) -> Any:
    """The document with its comments, for rewriting (the data come from `loader`)."""
    return _yaml().load(text)


def canonical_text(doc: Any, modeline: str) -> str:
    """The canonical YAML text of a scenario document (plain data or round-tripped)."""
    ordered = _ordered(doc, "scenario")
    stream = io.StringIO()
    _yaml().dump(ordered, stream)
    text = stream.getvalue().removeprefix(_DIRECTIVE)
    lines = [line for line in text.splitlines() if not _MODELINE.match(line)]
    return "\n".join([modeline, *_reindent_comments(lines)]) + "\n"


def format_text(text: str, modeline: str) -> str:
    """`text` in the canonical layout; `UserError` if that would change the data.

    ruamel.yaml, which keeps the comments, is stricter than libyaml in places (a tab inside
    a plain value) and builds some values itself (a date at the end of year 9999 with a
    time zone overflows): what it cannot read or build is left unchanged, with its reason,
    not a traceback.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        formatted = canonical_text(parse_round_trip(text), modeline)
        same = yaml.load(formatted, Loader=loader) == yaml.load(text, Loader=loader)
    except (RuamelError, yaml.YAMLError, ValueError, ArithmeticError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" on line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(
            f"the formatter cannot read this file ({problem}{where}): left unchanged"
        ) from None
    if not same:
        raise UserError(
            "formatting would change the data (an unusual YAML construct?): "
            "left unchanged; please report this file"
        )
    return formatted


def modeline_for(path: Path, root: Path) -> str:
    """`# yaml-language-server: $schema=../../schemas/scenario.schema.json` for `path`."""
    relative = os.path.relpath(root / SCHEMA_FILE, path.parent)
    return MODELINE_PREFIX + Path(relative).as_posix()


def _ordered(node: Any, kind: str | None) -> Any:
    """A copy of `node` in canonical order and block style, keeping attached comments."""
    if isinstance(node, dict):
        result = CommentedMap()
        comments = getattr(node, "ca", None)
        for key in canonical_keys(node, kind):
            result[key] = _ordered(node[key], ITEM_KINDS.get(str(key)))
            if comments is not None and key in comments.items:
                result.ca.items[key] = comments.items[key]
        if comments is not None:
            result.ca.comment = comments.comment
        result.fa.set_block_style()
        return result
    if isinstance(node, list):
        items = CommentedSeq(_ordered(item, kind) for item in node)
        comments = getattr(node, "ca", None)
        if comments is not None:
            items.ca.items.update(comments.items)
            items.ca.comment = comments.comment
        items.fa.set_block_style()
        return items
    if isinstance(node, FoldedScalarString):
        return str(node)  # folded text is one line of text: written as one line
    return node


def _reindent_comments(lines: list[str]) -> list[str]:
    """Indent each full-line comment like the line that follows it.

    ruamel.yaml writes a comment at the column it had in the source; after re-indentation
    that column no longer matches the content it belongs to.
    """
    result = list(lines)
    following = ""
    for index in range(len(result) - 1, -1, -1):
        stripped = result[index].lstrip()
        if stripped.startswith("#"):
            indent = len(following) - len(following.lstrip())
            result[index] = " " * indent + stripped
        elif stripped:
            following = result[index]
    return result


def write_file(path: Path, text: str, *, replace: bool = False) -> None:
    """Write `text` atomically; refuse to replace an existing file unless `replace`."""
    write_files([(path, text)], replace=replace)


def write_files(files: list[tuple[Path, str]], *, replace: bool = False) -> None:
    """Write several files all or nothing: each is staged beside its target, then renamed.

    A failure while staging (disk full, no permission, a folder on the way that is a file)
    removes what was staged and leaves every target as it was; only when all are staged
    are they renamed into place. A rewritten file keeps its mode; a new one gets what a
    plain `open()` gives under the umask.
    """
    try:
        # A link counts as a file, dangling or not: renaming over it would turn it into one.
        existing = [path for path, _ in files if path.is_symlink() or path.exists()]
    except OSError as exc:  # a name too long for the file system, a folder not searchable
        where = display_path(Path(exc.filename)) if exc.filename else "the files"
        raise UserError(f"cannot write {where}: {exc.strerror}; nothing was written") from None
    if existing and not replace:
        raise UserError(f"{display_path(existing[0])} already exists: nothing was written")
    for path in existing:
        if path.is_dir() and not path.is_symlink():
            raise UserError(f"{display_path(path)} is a folder, not a file: nothing was written")
    for path, _ in files:
        blocker = file_on_the_way(path)
        if blocker is not None:
            raise UserError(
                f"cannot write {display_path(path)}: {display_path(blocker)} is a file, not a "
                "folder; nothing was written"
            )
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            staged.append((_stage(path, text), path))
    except OSError as exc:
        _unstage(staged)
        where = display_path(Path(exc.filename)) if exc.filename else "the files"
        raise UserError(f"cannot write {where}: {exc.strerror}; nothing was written") from None
    except BaseException:
        _unstage(staged)
        raise
    if replace:
        _place_over(staged)
    else:
        _place_new(staged)


def _place_over(staged: list[tuple[Path, Path]]) -> None:
    """Rename staged files over their targets, all or none: a failure puts each back.

    Each file replaced is kept first, as a hard link beside it (renamed aside where the file
    system has none), until every rename is done; an error or Ctrl+C halfway restores the
    files already replaced and removes what was staged.
    """
    placed: list[tuple[Path, Path | None]] = []  # (target, its previous content kept)
    try:
        for temporary, path in staged:
            kept = None
            if os.path.lexists(path):
                kept = path.with_name(f".{path.name}.{secrets.token_hex(6)}.old")
                try:
                    os.link(path, kept, follow_symlinks=False)
                except OSError:  # no hard links here
                    path.replace(kept)
            placed.append((path, kept))
            temporary.replace(path)
    except BaseException:
        for path, kept in reversed(placed):
            if kept is not None:
                kept.replace(path)
                kept.unlink(missing_ok=True)  # a rename onto its own hard link does nothing
            else:
                path.unlink(missing_ok=True)
        _unstage(staged)
        raise
    for _, kept in placed:
        if kept is not None:
            kept.unlink(missing_ok=True)


def _place_new(staged: list[tuple[Path, Path]]) -> None:
    """Move staged files to where no file is, all or none: never over one that appeared.

    The look for existing files above came first; a file made since (another save of the
    builder, another program) must not be replaced either. A hard link fails on a name that
    exists, atomically, where a rename would replace it. A file system without hard links
    gets the rename, after that look.
    """
    placed: list[Path] = []
    try:
        for temporary, path in staged:
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise UserError(
                    f"{display_path(path)} already exists: nothing was written"
                ) from None
            except OSError:  # no hard links here
                temporary.replace(path)
            else:
                temporary.unlink()
            placed.append(path)
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        _unstage(staged)
        raise


def file_on_the_way(path: Path) -> Path | None:
    """The file that stands where a folder `path` needs should be (`scenarios/restaurant`).

    Checked before anything is written, so the refusal is clear and complete; from the
    nearest folder up, which is usually one look at a folder that exists.
    """
    for folder in path.parents:
        if folder.is_dir():
            return None
        if folder.exists() or folder.is_symlink():
            return folder
    return None


def _stage(path: Path, text: str) -> Path:
    """`text` in a new file beside `path`, synced, with the mode `path` has or would get.

    Created with mode 0666 so the umask applies, as to any file a program creates
    (`tempfile.mkstemp` would make it 0600, and that mode would stay after the rename).
    """
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        if mode is not None:
            os.fchmod(handle, mode)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _unstage(staged: list[tuple[Path, Path]]) -> None:
    for temporary, _ in staged:
        temporary.unlink(missing_ok=True)
