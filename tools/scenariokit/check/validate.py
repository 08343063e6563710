"""`scenarios validate`, and the one check every command runs on a file.

`check` is the only place a file becomes diagnostics: `validate`, `build` (and so `serve`),
`new`, `copy`, `import`, and the commands that list or export scenarios all call it, so
they cannot disagree about a file. Data flows one way: bytes or text → `loader` →
`schema` (structure) and `rules` (the repository's rules, those that read the catalog
of ids too) → findings → `positions` (line and column, only for files with findings). A
command that needs only the document (`fmt`, `review`, `import` reading its files back) reads it
through `load`, the check's first step, so a file that does not load is refused with the
same diagnostic everywhere. One file's failure never stops the others.

Files are independent once the catalog of ids is read, so a large run is split over the
machine's cores (`parallel`): parsing YAML is most of the work. One judgement is on the
repository rather than a file, and `validate` alone makes it: near-copies (`copies`), after
every file is checked, on the small fingerprints the workers return with its diagnostics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from scenariokit.check.copies import (
    Fingerprint,
    copy_diagnostics,
    fingerprint,
    fingerprint_each,
    locate_each,
    with_positions,
)
from scenariokit.check.diagnostics import Diagnostic, Finding, Report
from scenariokit.check.positions import SourceMap
from scenariokit.check.rules import rule_findings
from scenariokit.check.schema import schema_findings
from scenariokit.files.loader import (
    MAX_BYTES,
    LoadError,
    Source,
    decode,
    parse,
    read_raw,
    too_large,
)
from scenariokit.files.repository import (
    Catalog,
    Refused,
    default_paths,
    display_path,
    list_files,
    read_catalog,
)
from scenariokit.parallel import map_chunks

# Below this many files a second process costs more than it saves.
FILES_PER_PROCESS = 200


@dataclass(slots=True)
class Checked:
    """A file as checked: its diagnostics, and its document whenever it loaded.

    `conforms` says the document satisfies the schema, whatever the rules say: the shape
    the commands that read documents rely on (phases a list of mappings…). `raw` is the
    bytes the check read or was given (the build hashes them); None when it was given
    text, or could not read the file.
    """

    path: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: Source | None = None
    conforms: bool = False
    raw: bytes | None = None
    # Why its spelling was not checked, when it was asked for and could not be (`spelling`).
    spelling_note: str | None = None

    @property
    def valid(self) -> bool:
        """Loaded and without errors: what may be built or exported."""
        return self.source is not None and not any(d.severity == "error" for d in self.diagnostics)


def check(
    path: Path, catalog: Catalog, content: bytes | str | None = None, *, spelling: bool = False
) -> Checked:
    """The diagnostics of one file, sorted by position; the one check of every command.

    `content` is the file's bytes or text when the caller has them (the text a command is
    about to write, a blob from git); else the file at `path` is read. `catalog` holds the
    repository's ids (the names of its files), which `path` is judged against too.
    `spelling` adds the `misspelt` warnings (`validate --spelling` only: see `spelling`).
    """
    checked = load(path, content)
    if checked.source is not None:
        _judge(checked, checked.source, catalog, spelling=spelling)
    return checked


def load(path: Path, content: bytes | str | None = None) -> Checked:
    """The first step of `check`: the file read and parsed, or the diagnostic saying why not.

    Read through the loader's one capped reader (`read_raw`) unless `content` is given,
    which is held to the same limit; text only as UTF-8 (`decode`). The diagnostic carries
    the line it points at, for a reporter to show.
    """
    raw = content if isinstance(content, bytes) else None
    text = content if isinstance(content, str) else None
    try:
        if content is not None:
            _refuse_too_large(raw if raw is not None else str(text).encode())
        if text is None:
            raw = read_raw(path) if raw is None else raw
            text = decode(raw)
        return Checked(path, source=Source(path, text, parse(text)), raw=raw)
    except LoadError as error:
        exc = error
    except (ValueError, RecursionError):  # the loader's own guards missed it: still no crash
        exc = LoadError("yaml-syntax", "the file cannot be read as YAML")
    if text is None and raw is not None:
        text = raw.decode("utf-8", "replace")  # bytes that are not UTF-8 replaced
    if text is not None:
        exc.with_excerpt(text)
    return Checked(path, [load_diagnostic(exc, display_path(path))], raw=raw)


def _refuse_too_large(raw: bytes) -> None:
    """Content given rather than read is held to the limit `read_raw` holds a file to."""
    if len(raw) > MAX_BYTES:
        raise too_large(f"the file is {len(raw):,} bytes")


_FIX_WHAT_THE_SCHEMA_REFUSED = {"language-form"}


def _judge(checked: Checked, source: Source, catalog: Catalog, *, spelling: bool = False) -> None:
    """Judge a loaded document by the schema, then by the repository's rules.

    At most `MAX_PROBLEMS` diagnostics and a line counting the rest (`SourceMap.locate`).
    """
    source_map = SourceMap(source)
    findings = schema_findings(source.data, source_map)
    checked.conforms = not findings
    # One message per value: a value the schema rejects is not judged again by the rules
    # ("food" is not a category; "move the file to scenarios/food/" would mislead).
    flagged = {f.doc_path for f in findings if not f.not_shown}
    rules = rule_findings(source, catalog)
    # Unless the rule says how to write the value the schema refused: "write the language
    # tag as 'pt-BR', not 'pt_br'" in place of the pattern's "not valid here".
    better = {f.doc_path for f in rules if f.code in _FIX_WHAT_THE_SCHEMA_REFUSED} & flagged
    findings = [f for f in findings if f.doc_path not in better]
    findings += [f for f in rules if f.doc_path not in flagged or f.doc_path in better]
    if spelling:
        from scenariokit.check.spelling import spelling_findings

        misspelt, checked.spelling_note = spelling_findings(source.data, source.text)
        findings += [f for f in misspelt if f.doc_path not in flagged]
    if findings:
        checked.diagnostics = source_map.locate(findings, display_path(source.path))


def validate(paths: list[Path], root: Path | None, *, spelling: bool = False) -> Report:
    """Check the YAML files named or found below `paths`, against the repository at `root`.

    What the walk refuses (a link, a FIFO, a name not UTF-8) is reported as a file with an
    error of its own. Checking the whole repository (the default), the catalog takes the
    names this walk listed: the folders are walked once. `spelling` adds the `misspelt`
    warnings, and a note for each language it could not check.
    """
    listing = list_files(paths, root)
    whole = root is not None and _same_paths(paths, default_paths(root))
    catalog = read_catalog(root, [f.name for f in listing.files] if whole else None)
    files = listing.paths
    report = Report(files_checked=len(files) + len(listing.refused))
    report.diagnostics.extend(refusals(listing.refused))
    results = _check_all(files, catalog, spelling)
    prints = [p for _, _, p in results if p is not None]
    copies = copy_diagnostics(
        prints, catalog, _read, partial(_fingerprint_all, catalog=catalog), _locate_all
    )
    notes = set()
    for path, (diagnostics, note, _) in zip(files, results, strict=True):
        more = copies.get(path.absolute())
        report.diagnostics.extend(with_positions(diagnostics, more) if more else diagnostics)
        notes.add(note)
    report.notes = sorted(n for n in notes if n)
    return report


def _read(path: Path) -> Source | None:
    """A file loaded, or None: a near-copy read again to place its warnings (`copies`)."""
    return load(path).source


def _fingerprint_all(paths: list[Path], catalog: Catalog) -> list[Fingerprint | None]:
    """Sources and templates fingerprinted with their entries, on the cores worth it."""
    work = partial(fingerprint_each, catalog=catalog, read=_read)
    return map_chunks(work, paths, per_process=FILES_PER_PROCESS)


def _locate_all(items: list[tuple[Path, list[Finding]]]) -> list[list[Diagnostic]]:
    """Near-copies' findings placed, each file read again, on the cores worth it."""
    return map_chunks(partial(locate_each, read=_read), items, per_process=FILES_PER_PROCESS)


def _same_paths(paths: list[Path], others: list[Path]) -> bool:
    return {p.absolute() for p in paths} == {p.absolute() for p in others}


def refusals(refused: list[Refused]) -> list[Diagnostic]:
    """What the walk refused, as diagnostics: every command that reads files reports them."""
    return [load_diagnostic(r.problem, display_path(r.path)) for r in refused]


def load_diagnostic(exc: LoadError, shown: str) -> Diagnostic:
    """A file that could not be read as YAML, as a diagnostic."""
    return Diagnostic(
        shown, exc.line, exc.column, "error", exc.code, exc.message, excerpt=exc.excerpt
    )


def _check_all(
    files: list[Path], catalog: Catalog, spelling: bool
) -> list[tuple[list[Diagnostic], str | None, Fingerprint | None]]:
    """Diagnostics per file, its spelling note and its fingerprint (`copies`), in file order.

    On the cores worth it: a fingerprint is small, so it crosses between processes cheaply.
    """
    work = partial(_check_chunk, catalog=catalog, spelling=spelling)
    return map_chunks(work, files, per_process=FILES_PER_PROCESS)


def _check_chunk(
    files: Sequence[Path], catalog: Catalog, spelling: bool
) -> list[tuple[list[Diagnostic], str | None, Fingerprint | None]]:
    checked = (check(path, catalog, spelling=spelling) for path in files)
    return [
        (
            c.diagnostics,
            c.spelling_note,
            fingerprint(c.path, c.source.data, catalog) if c.source is not None else None,
        )
        for c in checked
    ]
