"""The `scenarios` command: a thin Click layer over the library.

Each command parses its options, calls one library function and renders the result. A
`UserError` raised anywhere below becomes its message and exit code here, at one boundary.
Exit codes: 0 fine, 1 problems found, 2 usage error.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scenariokit import __version__
from scenariokit.check.diagnostics import Diagnostic, Report, plural
from scenariokit.check.reporters import MAX_WARNINGS
from scenariokit.check.schema import choices
from scenariokit.errors import UserError
from scenariokit.escape import json_text, visible, visible_lines
from scenariokit.files.repository import SCHEMA_FILE, default_paths, display_path, find_root

if TYPE_CHECKING:
    from scenariokit.author.create import Created

CATEGORIES = choices("category")
DIFFICULTIES = choices("difficulty")


# Options several commands share.
_TABLE_OR_JSON = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for tools.",
)
_OUT = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="The build folder: scenarios.sqlite and site/.",
)


@dataclass(slots=True)
class Options:
    """What the group's options say, for every command."""

    root: Path | None
    # Whether --root named the repository (else it was found from the current folder).
    named: bool = False

    def require_root(self) -> Path:
        """The repository, or a usage error that says how to name one."""
        if self.root is None:
            raise UserError(
                f"not inside a scenariokit repository (no {SCHEMA_FILE} in this folder or "
                "above): run the command there, or name it with --root DIR",
                exit_code=2,
            )
        return self.root


# At exit, Python collects cycles once more, walking every object still alive (compiled
# templates, remembered words, a rebuild's rows): about 25 ms of a one-file rebuild of
# 10,000 scenarios. Frozen first, they are skipped; the memory goes back to the system
# with the process all the same.
atexit.register(gc.freeze)


class _Group(click.Group):
    """Turns `UserError` into a message on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.secho(f"error: {visible_lines(str(exc))}", err=True, fg="red")
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The repository (default: the nearest folder upward holding "
    "schemas/scenario.schema.json).",
)
@click.version_option(__version__, prog_name="scenarios")
@click.pass_context
def cli(ctx: click.Context, root: Path | None) -> None:
    """Author, check and publish role-play scenarios for language learners.

    \b
    Example:
      scenarios validate                  # every scenario and template
      scenarios validate --format github  # annotations on a pull request
    """
    if root is not None and not (root / SCHEMA_FILE).is_file():
        raise click.BadParameter(f"{root} holds no {SCHEMA_FILE}", param_hint="--root")
    found = root.resolve() if root else find_root(Path.cwd())
    ctx.obj = Options(root=found, named=root is not None)


def _wants_colour() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to anything."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for pull-request annotations.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option(
    "--strict-since",
    metavar="REV",
    help="Treat warnings as errors in the files changed since REV's merge base with HEAD "
    "(committed or not), as CI does with a pull request's base; other files' warnings stay "
    "warnings.",
)
@click.option(
    "--spelling",
    is_flag=True,
    help="Also warn on misspelt words and phrases (misspelt), with Hunspell's dictionaries.",
)
@click.option(
    "--errors-only", is_flag=True, help="Leave warnings out (still counted in the summary)."
)
@click.option(
    "--max-warnings",
    type=click.IntRange(min=0),
    default=MAX_WARNINGS,
    show_default=True,
    metavar="N",
    help="Warnings shown a file in text output, the rest counted; 0 shows them all.",
)
@click.pass_obj
def validate(
    options: Options,
    paths: tuple[Path, ...],
    output_format: str,
    strict: bool,
    strict_since: str | None,
    spelling: bool,
    errors_only: bool,
    max_warnings: int,
) -> None:
    """Check scenario files against the schema and the repository's rules.

    PATHS are files or folders (default: scenarios/ and templates/). Every problem in every
    file is reported, as path:line:column: severity: message [code]. Exit 0 when there is
    no error, 1 when there are errors (or warnings, with --strict), 2 on a usage error.
    Without --root, files are judged by the repository holding them (its ids and folders).
    At most 100 problems are shown a file, then one line counts the rest. Text lists a
    file's errors before its warnings; JSON lists everything, uncapped; GitHub annotates
    what a step displays (10 errors, 10 warnings), one annotation a file counting the rest,
    and lists every problem in the log.

    \b
    Example:
      scenarios validate scenarios/restaurant/tapas-bar-madrid.yaml
      scenarios validate --format json > problems.json
      scenarios validate --spelling scenarios/restaurant/
      scenarios validate --errors-only
    """
    from scenariokit.check.reporters import REPORTERS, TextReporter
    from scenariokit.check.validate import validate as run_validate

    root = _root_of_paths(options, paths)
    targets = list(paths) or default_paths(Options(root).require_root())
    changed = (
        _changed_files(root or Path.cwd(), strict_since) if strict_since and not strict else None
    )
    report = run_validate(targets, root, spelling=spelling)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if strict or changed is not None:
        report = report.strictly(changed)
    if errors_only:
        report = report.errors_only()
    reporter = (
        TextReporter(
            excerpts=sys.stdout.isatty(), colour=_wants_colour(), max_warnings=max_warnings
        )
        if output_format == "text"
        else REPORTERS[output_format]()
    )
    click.echo(reporter.render(report), nl=False, color=_wants_colour())
    sys.exit(report.exit_code())


def _changed_files(root: Path, since: str) -> Callable[[str], bool]:
    """Whether a reported path is one of the files changed since `since` (`--strict-since`).

    Why only those in CI: a warning in a file the pull request leaves alone is not its
    author's to fix, and can appear without anyone touching that file (a copy warns
    `unknown-source` once its source is removed, which the source's owner may do).
    """
    from scenariokit.files.git import changed_since

    changed = {os.path.realpath(root / name) for name in changed_since(root, since)}
    return lambda path: os.path.realpath(path) in changed


def _root(options: Options) -> Path:
    return options.require_root()


def _root_of_paths(options: Options, paths: tuple[Path, ...]) -> Path | None:
    """The repository whose catalog (ids, templates, folders) the named files are judged by.

    --root when given; else the repository holding the first path, so a file of another
    checkout is checked against its own ids, not those of the current folder's; else (a
    file outside any repository) the current folder's, if any.
    """
    if options.named or not paths:
        return options.root
    first = paths[0]
    return find_root(first if first.is_dir() else first.parent) or options.root


# --- authoring --------------------------------------------------------------------------------


@cli.command()
@_TABLE_OR_JSON
@click.pass_obj
def templates(options: Options, output_format: str) -> None:
    """List the templates a scenario can start from.

    \b
    Example:
      scenarios templates
      scenarios new --template restaurant-dining
    """
    from scenariokit.author.documents import load_templates
    from scenariokit.author.listing import summary, templates_table

    shelf = load_templates(_root(options))
    rows = [summary(s) for s in shelf.sources]
    _tell_refused(shelf.refused)
    if output_format == "json":
        click.echo(json_text(json.dumps(rows, indent=2, ensure_ascii=False, default=str)))
        sys.exit(1 if shelf.refused else 0)
    click.echo(templates_table(rows), nl=False)
    sys.exit(1 if shelf.refused else 0)


@cli.command()
@click.option("--template", "template_name", metavar="NAME", help="Start from this template.")
@click.option("--blank", is_flag=True, help="Start from an empty skeleton instead.")
@click.option(
    "--id",
    "scenario_id",
    metavar="ID",
    help="The new scenario's id (a slug; default: made from the title).",
)
@click.option("--title", help="Title shown to learners.")
@click.option(
    "--language",
    metavar="TAG",
    help="BCP 47 tag of the language learned (default: the template's).",
)
@click.option(
    "--author", metavar="LOGIN", help="Your GitHub login (default: git config github.user)."
)
@click.option("--category", metavar="NAME", help="Category (with --blank).")
@click.option(
    "--difficulty",
    metavar="LEVEL",
    help="beginner, intermediate or advanced (default: the template's; beginner with --blank).",
)
@click.option(
    "--duration",
    metavar="MINUTES",
    help="Whole minutes, 5 to 60, spread over the phases (default: the template's; 10).",
)
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask for what is missing (default: when stdin is a terminal).",
)
@click.pass_obj
def new(
    options: Options,
    template_name: str | None,
    blank: bool,
    scenario_id: str | None,
    title: str | None,
    language: str | None,
    author: str | None,
    category: str | None,
    difficulty: str | None,
    duration: str | None,
    interactive: bool | None,
) -> None:
    """Create scenarios/<category>/<id>.yaml from a template, or from scratch.

    Whatever is not given as an option is asked for when run in a terminal, each answer
    checked as it is given (a bad one is asked again, with the nearest good value offered);
    in a script or CI nothing is asked, and a missing or bad value is an error. An existing
    file is never overwritten. The new file validates; in another language than the template's, its
    vocabulary and phrases are marked TODO: for you to translate.

    \b
    Example:
      scenarios new --template restaurant-dining --id tapas-in-lyon \\
        --title "Tapas in Lyon" --language fr --author octocat
    """
    from scenariokit.author import create

    ask = _Asker(sys.stdin.isatty() if interactive is None else interactive)
    given = create.NewScenario(
        template_name, blank, scenario_id, title, language, author, category, difficulty, duration
    )
    root = _root(options)
    try:
        created = _usage(create.create_new, root, given, ask, ask.fail_if_missing)
    except (click.UsageError, click.Abort, UserError):
        ask.tell_answers()
        raise
    _next_steps(root, created)


@cli.command()
@click.argument("source_id")
@click.argument("new_id")
@click.option(
    "--author", metavar="LOGIN", help="The copy's owner (default: git config github.user)."
)
@click.option("--title", help="A new title (default: the source's).")
@click.option(
    "--language", metavar="TAG", help="Another language: entries are marked TODO: to translate."
)
@click.pass_obj
def duplicate(
    options: Options,
    source_id: str,
    new_id: str,
    author: str | None,
    title: str | None,
    language: str | None,
) -> None:
    """Copy a scenario (or template) under a new id and owner.

    The copy records where it came from (derived_from), is never a system scenario, and
    is a draft (is_public: false) until its author publishes it.

    \b
    Example:
      scenarios duplicate tapas-bar-madrid tapas-bar-sevilla --author octocat
    """
    from scenariokit.author import create

    root = _root(options)
    created = _usage(
        create.create_copy,
        root,
        source_id,
        new_id,
        author=author,
        title=title,
        language=language,
    )
    _next_steps(root, created)


def _usage(make: Callable[..., Created], *args: Any, **kwargs: Any) -> Created:
    """Call the library; its usage errors (exit 2) are told as Click tells them."""
    try:
        return make(*args, **kwargs)
    except UserError as exc:
        if exc.exit_code == 2:
            raise click.UsageError(str(exc)) from None
        raise


class _Asker:
    """Values from options, else from the user in a terminal, else their defaults.

    Each value is judged as it comes (`questions.Ask`): in a terminal a bad one is told and
    asked again, the nearest good value offered as the default; otherwise it is a usage
    error. The answers are kept, so a failure at the end shows the command that gives them
    all again (`tell_answers`).
    """

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.missing: list[str] = []
        self.answers: list[tuple[str, str]] = []

    def __call__(
        self,
        value: str | None,
        prompt: str,
        flag: str,
        *,
        default: str | None = None,
        why: str | None = None,
        choices: list[str] | None = None,
        judge: Callable[[str], None] | None = None,
    ) -> str | None:
        from scenariokit.author.questions import BadAnswer

        if value is None and not self.interactive:
            if default is None:
                self.missing.append(flag)
                return None
            value = default
        while True:
            if value is None:
                value = self._prompt(prompt, default, why, choices)
            try:
                if judge:
                    judge(value)
            except BadAnswer as bad:
                if not self.interactive and bad.told_later:
                    break  # the file's check tells it, with every other problem
                if not self.interactive:
                    raise click.UsageError(f"{flag}: {visible(str(bad))}") from None
                click.echo(f"  {visible(str(bad))}")
                if bad.suggestion:
                    default, why = bad.suggestion, "suggested"
                value = None
                continue
            break
        self.answers.append((flag, value))
        return value

    @staticmethod
    def _prompt(
        prompt: str, default: str | None, why: str | None, choices: list[str] | None
    ) -> str:
        text = prompt + (f" ({', '.join(choices)})" if choices else "")
        if default is not None:
            text += f" [{visible(default)}{f', {why}' if why else ''}]"
        return str(click.prompt(text, default=default, show_default=False)).strip()

    def fail_if_missing(self) -> None:
        if self.missing:
            raise click.UsageError(
                f"missing {', '.join(self.missing)}: stdin is not a terminal, so nothing is "
                "asked; pass them as options (or use --interactive)"
            )

    def tell_answers(self) -> None:
        """After a failure in a terminal, the command that gives every answer again."""
        if self.interactive and self.answers:
            words = ["scenarios", "new"]
            for flag, value in self.answers:
                words += ["--blank"] if (flag, value) == ("--template", "blank") else [flag, value]
            click.echo(f"Your answers, to run again: {visible(shlex.join(words))}", err=True)


def _near_copy(root: Path, path: Path) -> None:
    """Say so when the new file is still a near-copy of its source (check/copies.py)."""
    from scenariokit.check.validate import validate

    found = [d for d in validate([path], root).diagnostics if d.code == "near-copy"]
    if found:
        click.echo(
            "Not your own yet: `validate --strict` refuses it as a near-copy of its source "
            "until you change this:"
        )
        for diagnostic in found:
            click.echo(f"  - {visible(diagnostic.message)}")


def _next_steps(root: Path, created: Created) -> None:
    from scenariokit.check.languages import language_name

    path = created.path
    relative = visible(path.relative_to(root).as_posix())
    click.echo(f"Created {relative} from {visible(created.origin)}.")
    if created.untranslated:
        click.echo(
            f"{created.untranslated} vocabulary and phrase entries wait for their "
            f"{language_name(created.language)} wording (marked TODO:)."
        )
    if created.to_adapt:
        click.echo(
            f"Left to adapt, written for the source's language and country (marked "
            f"'TODO: adapt:'; rewrite each for {language_name(created.language)} and your "
            f"setting, then remove its marker): {plural(len(created.to_adapt), 'text')}"
        )
        for where in created.to_adapt:
            click.echo(f"  - {visible(where)}")
    _near_copy(root, path)
    click.echo(
        "Next steps:\n"
        f"  git switch -c add-{path.stem}\n"
        f"  $EDITOR {relative}\n"
        f"  scenarios validate --strict {relative}\n"
        f"  git add {relative} && git commit -m 'Add scenario {path.stem}'\n"
        f"  git push -u origin add-{path.stem}   # then open a pull request"
    )


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Only list the files that would change; exit 1 if any.")
@click.option(
    "--diff", is_flag=True, help="Show what would change, as a unified diff (implies --check)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="github: also annotate each file that would change, and each problem, on a pull request.",
)
@click.pass_obj
def fmt(
    options: Options, paths: tuple[Path, ...], check: bool, diff: bool, output_format: str
) -> None:
    """Rewrite files in the canonical layout (key order, indentation, quoting).

    PATHS are files or folders (default: scenarios/ and templates/). Comments are kept; the
    data never change. With --check or --diff nothing is written.

    \b
    Example:
      scenarios fmt
      scenarios fmt --check
      scenarios fmt --check --diff scenarios/restaurant/
    """
    from scenariokit.author.fmt import format_paths
    from scenariokit.check.reporters import GithubReporter, TextReporter
    from scenariokit.escape import workflow_command

    root = _root(options)
    check = check or diff
    github = output_format == "github"
    result = format_paths(list(paths) or default_paths(root), root, check=check, diff=diff)
    verb = "would reformat" if check else "reformatted"
    for path in result.changed:
        shown = display_path(path)
        click.echo(f"{verb} {visible(shown)}")
        if github and check:
            todo = (
                f"not in the canonical layout: run `scenarios fmt {shlex.quote(shown)}` and commit"
            )
            click.echo(workflow_command("error", todo, file=shown, title="not formatted"))
        if diff:
            click.echo(visible_lines(result.diffs[path]), nl=False)
    if result.problems:
        problems = Report(len(result.problems), result.problems)
        reporter = GithubReporter() if github else TextReporter()
        click.echo(reporter.render(problems), nl=False, err=not github)
    done = "would be reformatted" if check else "reformatted"
    todo = ": run `scenarios fmt` and commit" if check and result.changed else ""
    click.echo(
        f"{plural(len(result.changed), 'file')} {done}, "
        f"{plural(result.unchanged, 'file')} already formatted{todo}"
    )
    sys.exit(1 if result.problems or (check and result.changed) else 0)


@cli.command(name="list")
@click.option("--author", metavar="LOGIN", help="Only scenarios owned by LOGIN.")
@click.option(
    "--mine", is_flag=True, help="Only your scenarios: LOGIN from git config github.user."
)
@click.option("--category", type=click.Choice(CATEGORIES))
@click.option("--difficulty", type=click.Choice(DIFFICULTIES))
@click.option(
    "--language", metavar="TAG", help="Only this language: pt takes in pt-BR and pt-PT too."
)
@click.option("--public/--private", "public", default=None, help="Published ones, or drafts.")
@click.option(
    "--system/--user",
    "system",
    default=None,
    help="The maintainers' system scenarios, or contributors'.",
)
@_TABLE_OR_JSON
@click.pass_obj
def list_command(options: Options, /, output_format: str, mine: bool, **filters: Any) -> None:
    """List scenarios, filtered: mine, public, system, by language or level.

    \b
    Example:
      scenarios list --mine                    # my scenarios (git config github.user)
      scenarios list --author octocat          # octocat's scenarios
      scenarios list --public --language pt    # published Portuguese: pt, pt-BR, pt-PT
      scenarios list --system --format json
    """
    from scenariokit.author.documents import load_scenarios
    from scenariokit.author.listing import Filters, my_login, scenarios_table, summary, unlisted

    if mine and filters["author"]:
        raise click.UsageError("--mine and --author both name an owner: give one of them")
    if mine:
        filters["author"] = my_login(_root(options))
    shelf = load_scenarios(_root(options))
    chosen = Filters(**filters)
    rows = [summary(s) for s in shelf.sources if isinstance(s.data, dict) and chosen.match(s.data)]
    _tell_refused(shelf.refused)
    if shelf.unreadable:
        click.echo(unlisted(len(shelf.unreadable)), err=True)
    if output_format == "json":
        click.echo(json_text(json.dumps(rows, indent=2, ensure_ascii=False, default=str)))
        sys.exit(1 if shelf.refused else 0)
    click.echo(scenarios_table(rows), nl=False)
    click.echo(f"{plural(len(rows), 'scenario')}")
    sys.exit(1 if shelf.refused else 0)


@cli.command()
@_TABLE_OR_JSON
@click.pass_obj
def stats(options: Options, output_format: str) -> None:
    """Show the library's coverage: scenarios by language and topic, and what is missing.

    Each language's levels and CEFR levels, and its entries without a translation or a
    reading, its phases with fewer than five words or phrases or two partner lines: where
    the library needs help. Files that do not pass `validate` are not counted.

    \b
    Example:
      scenarios stats
      scenarios stats --format json
    """
    from scenariokit.author.documents import load_scenarios
    from scenariokit.author.stats import coverage, coverage_text
    from scenariokit.check.schema import is_valid

    shelf = load_scenarios(_root(options))
    docs = [s.data for s in shelf.sources if is_valid(s.data)]
    found = coverage(docs, skipped=len(shelf.sources) - len(docs) + len(shelf.unreadable))
    _tell_refused(shelf.refused)
    if output_format == "json":
        click.echo(json_text(json.dumps(found.as_json(), indent=2, ensure_ascii=False)))
    else:
        click.echo(coverage_text(found), nl=False)
    sys.exit(1 if shelf.refused else 0)


def _tell_refused(refused: list[Diagnostic]) -> None:
    """Each link, FIFO or device the walk refused, on stderr: the listing goes on without."""
    from scenariokit.check.reporters import TextReporter

    for d in refused:
        click.echo(TextReporter().headline(d), err=True)


@cli.command()
@click.argument("scenario_id")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
)
@click.pass_obj
def show(options: Options, scenario_id: str, output_format: str) -> None:
    """Print one scenario (or template): its file, or its data as JSON.

    Characters that hide text or act on a terminal are shown escaped (\\u202e); a valid
    file holds none, and is printed exactly as it is.

    \b
    Example:
      scenarios show tapas-bar-madrid
      scenarios show tapas-bar-madrid --format json
    """
    from scenariokit.author.documents import find_source

    source = find_source(_root(options), scenario_id)
    if output_format == "json":
        click.echo(json_text(json.dumps(source.data, indent=2, ensure_ascii=False, default=str)))
    else:
        click.echo(visible_lines(source.text), nl=False)


@cli.command()
@click.option(
    "--format", "output_format", type=click.Choice(["json"]), default="json", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of standard output (refuses an existing file).",
)
@click.option("--force", is_flag=True, help="Let -o replace an existing file.")
@click.pass_obj
def export(options: Options, output_format: str, output: Path | None, force: bool) -> None:
    """Export every scenario as one JSON document.

    \b
    Example:
      scenarios export -o scenarios.json
      scenarios import scenarios.json --dry-run    # in another repository
    """
    from scenariokit.author.transfer import export_document
    from scenariokit.author.writer import write_file

    text = json_text(json.dumps(export_document(_root(options)), indent=2, ensure_ascii=False))
    text += "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    write_file(output, text, replace=force)  # refuses an existing file without --force
    count = text.count('"scenario_id"')
    click.echo(f"Exported {plural(count, 'scenario')} to {output}", err=True)


@cli.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check everything and show what would be written.")
@click.option("--force", is_flag=True, help="Replace scenarios that already exist.")
@click.option(
    "--author",
    metavar="LOGIN",
    default="maintainers",
    show_default=True,
    help="Owner of rows that have none (the old app's system scenarios).",
)
@click.pass_obj
def import_command(options: Options, file: Path, dry_run: bool, force: bool, author: str) -> None:
    """Import scenarios from the old app's scenarios.json or from `scenarios export`.

    All or nothing: every row is checked, and every target path must be free (or --force),
    before any file is written; afterwards the files are read back and counted.

    FILE must be a regular file of at most 64 MiB (64 scenario files' worth); a FIFO, a
    device or a folder is refused without being read (exit 2).

    \b
    Example:
      scenarios import legacy/scenarios.json --dry-run
      scenarios import legacy/scenarios.json
    """
    from scenariokit.author.transfer import apply_import, plan_import, read_rows

    root = _root(options)
    plan = plan_import(read_rows(file), root, author=author, force=force)
    if not dry_run:
        apply_import(plan, force=force)  # all or nothing: each file is told once written
    verb = "would write" if dry_run else "wrote"
    for path, _ in plan.files:
        replaced = " (replacing it)" if path in plan.replaced else ""
        click.echo(f"{verb} {visible(path.relative_to(root).as_posix())}{replaced}")
    if dry_run:
        click.echo(
            f"Dry run: {plural(plan.scenarios, 'scenario')} with "
            f"{plural(plan.phases, 'phase')} would be imported; nothing was written."
        )
        return
    click.echo(
        f"Imported {plural(plan.scenarios, 'scenario')} with "
        f"{plural(plan.phases, 'phase')} (read back and verified)."
    )


# --- pull requests ---------------------------------------------------------------------------


@cli.command()
@click.option(
    "--base",
    required=True,
    metavar="REV",
    help="The branch the pull request goes into (in CI: origin/main).",
)
@click.option("--head", default="HEAD", show_default=True, metavar="REV")
@click.option("--author", required=True, metavar="LOGIN", help="Who opened the pull request.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "github"]),
    default="text",
    show_default=True,
)
@click.pass_obj
def review(options: Options, base: str, head: str, author: str, output_format: str) -> None:
    """Check a pull request's changes against the ownership rules, and summarise them.

    Contributors add only their own scenarios, change only theirs, never change an owner,
    never touch or create system scenarios; a file's owners in the base branch's CODEOWNERS
    may. Exit 1 when a rule is broken or a file that needs a maintainer (the tool, the
    schema, the workflows...) is changed by someone who does not own it; exit 2 when it
    cannot compare (no git repository, a revision not found). Needs the history of both
    branches (in CI: actions/checkout with fetch-depth: 0).

    \b
    Example:
      scenarios review --base origin/main --author octocat
      scenarios review --base origin/main --author octocat --format markdown
    """
    from scenariokit.review.codeowners import login_key
    from scenariokit.review.pull_request import review as run_review
    from scenariokit.review.report import as_github, as_markdown, as_text

    # A login is ASCII, without spaces (a bot's is `name[bot]`): an empty one owns nothing,
    # and every scenario would be judged someone else's.
    if login_key(author) is None or not author.isprintable() or " " in author:
        raise click.BadParameter(f"{visible(author)!r} is no GitHub login", param_hint="--author")
    # Any git checkout will do: a pull request that removes the schema is still reviewed.
    root = options.root or Path.cwd()
    result = run_review(root, base=base, head=head, author=author)
    render = {"text": as_text, "markdown": as_markdown, "github": as_github}[output_format]
    click.echo(render(result), nl=False)
    sys.exit(0 if result.passed else 1)


# --- compiling and publishing ---------------------------------------------------------------


@cli.command()
@_OUT
@click.option(
    "--base-url",
    default="/",
    show_default=True,
    help="Where the site is served: a path (/repo/) or a full URL "
    "(https://owner.github.io/repo/), for links; only a full URL gives sitemap.xml "
    "(a sitemap needs absolute addresses).",
)
@click.option(
    "--public-index",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write here an index of the public scenarios alone (no byte of a draft), "
    "to publish: OUT/scenarios.sqlite holds drafts too.",
)
@click.option(
    "--drafts", is_flag=True, help="Put the drafts on the site too, each marked as a draft."
)
@click.option(
    "--relative-links",
    is_flag=True,
    help="Link every page relative to itself (instead of --base-url), so the site opens "
    "from a folder or a zip's contents: index.html, from file://.",
)
@click.option(
    "--changes-since",
    metavar="REV",
    help="A preview: the home page lists the scenarios added, edited and removed since "
    "REV's merge base with HEAD (a pull request's base), with links to their pages.",
)
@click.pass_obj
def build(
    options: Options,
    out: Path,
    base_url: str,
    public_index: Path | None,
    drafts: bool,
    relative_links: bool,
    changes_since: str | None,
) -> None:
    """Compile the SQLite index and the static site.

    Validates first and stops on any error. Writes OUT/scenarios.sqlite (every scenario,
    drafts too) and OUT/site/ (public scenarios only), atomically; a rebuild re-renders
    only what changed. OUT must be new, empty or an earlier build's output, and never the
    repository or one of its folders.

    \b
    Example:
      scenarios build
      scenarios build --out public --base-url https://octocat.github.io/scenarios/
      scenarios build --public-index build/site/scenarios.sqlite
      scenarios build --out preview --drafts --relative-links --changes-since origin/main
    """
    from scenariokit.build.folder import waiting_message
    from scenariokit.build.outputs import BuildFailed
    from scenariokit.build.run import build as run_build
    from scenariokit.check.reporters import TextReporter

    if relative_links and base_url != "/":
        raise click.UsageError("--relative-links links pages to each other: leave out --base-url")
    root = _root(options)
    try:
        with contextlib.ExitStack() as bars:
            result = run_build(
                root,
                out,
                base_url=base_url,
                progress=_progress_bars(bars, _progress_from()) if sys.stderr.isatty() else None,
                waiting=lambda: click.echo(waiting_message(out), err=True),
                public_index=public_index,
                drafts=drafts,
                relative_links=relative_links,
                changes_since=changes_since,
            )
    except BuildFailed as failed:
        click.echo(
            TextReporter(excerpts=sys.stdout.isatty(), colour=_wants_colour()).render(
                failed.report
            ),
            nl=False,
            color=_wants_colour(),
        )
        raise
    for warning in result.warnings:
        click.echo(TextReporter().headline(warning), err=True)
    click.echo(
        f"Built {plural(result.scenarios, 'scenario')} "
        f"({result.public} {'on the site, drafts included' if drafts else 'public'}): "
        f"{plural(result.rendered, 'page')} rendered, {result.reused} unchanged; "
        f"{display_path(result.out / 'scenarios.sqlite')} and "
        f"{display_path(result.out / 'site')}/ (open it with `scenarios serve`)"
    )


# Items a stage of a build needs for a progress bar: a shorter one is over before a bar
# would help. `SCENARIOKIT_PROGRESS_FROM` sets another number (the tests see bars on a
# small build with it).
PROGRESS_FROM = 500


def _progress_from() -> int:
    """`SCENARIOKIT_PROGRESS_FROM` if it is a number, else `PROGRESS_FROM`."""
    configured = os.environ.get("SCENARIOKIT_PROGRESS_FROM", "")
    return int(configured) if configured.isdigit() else PROGRESS_FROM


def _progress_bars(
    bars: contextlib.ExitStack, minimum: int
) -> Callable[[str, int], Callable[[int], object]]:
    """A progress bar on stderr for each stage of a build of `minimum` items or more.

    Each bar ends when the next stage starts, so that no two share a line; `bars` ends the
    last one.
    """
    shown: list[contextlib.ExitStack] = []

    def start(label: str, total: int) -> Callable[[int], object]:
        while shown:
            shown.pop().close()
        if total < minimum:
            return lambda done: None
        stage = bars.enter_context(contextlib.ExitStack())
        shown.append(stage)
        bar = stage.enter_context(click.progressbar(length=total, label=label, file=sys.stderr))
        return bar.update

    return start


@cli.command()
@click.argument("query")
@click.option(
    "--language",
    metavar="TAG",
    help="Only scenarios in this language: pt takes in pt-BR and pt-PT too.",
)
@click.option("--category", type=click.Choice(CATEGORIES))
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@_OUT
@_TABLE_OR_JSON
@click.pass_obj
def search(
    options: Options,
    query: str,
    language: str | None,
    category: str | None,
    limit: int,
    out: Path,
    output_format: str,
) -> None:
    """Full-text search over the built index, best matches first.

    Every word must match (as a word or the start of one); titles weigh most, then
    vocabulary, descriptions and phrases. Accents are optional. Build first.

    \b
    Example:
      scenarios search tapas
      scenarios search "cuenta tarjeta" --language es
    """
    from dataclasses import asdict

    from scenariokit.author.listing import hits_table
    from scenariokit.build.sqlite_index import search as run_search

    index = (out if out.is_absolute() else Path.cwd() / out) / "scenarios.sqlite"
    if not index.is_file():
        raise UserError(f"no index at {display_path(index)}: run `scenarios build` first")
    hits = run_search(index, query, language=language, category=category, limit=limit)
    if output_format == "json":
        click.echo(json_text(json.dumps([asdict(h) for h in hits], indent=2, ensure_ascii=False)))
        return
    click.echo(hits_table(hits), nl=False)
    click.echo(f"{len(hits)} {'match' if len(hits) == 1 else 'matches'}")


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--drafts", is_flag=True, help="Show the drafts (is_public: false) too, marked as drafts."
)
@_OUT
@click.pass_obj
def serve(options: Options, port: int, drafts: bool, out: Path) -> None:
    """Build, serve the site on 127.0.0.1, and rebuild when a file changes.

    Only this machine can reach it. An open page reloads by itself after each rebuild. A
    build that fails prints its problems here, as `validate` does, and every page shows
    them (path:line:column) until a build succeeds again. Stop with Ctrl+C.

    \b
    Example:
      scenarios serve --port 8080
      scenarios serve --drafts            # see your drafts as they will look
    """
    from scenariokit.author.serve import serve as run_serve
    from scenariokit.check.reporters import TextReporter

    def say(message: str) -> None:
        click.echo(message, color=_wants_colour())
        sys.stdout.flush()  # a long-running command: show each line as it happens

    run_serve(
        _root(options),
        out,
        port=port,
        echo=say,
        poll_seconds=_poll_seconds(),
        reporter=TextReporter(excerpts=sys.stdout.isatty(), colour=_wants_colour()),
        drafts=drafts,
    )


def _poll_seconds() -> float:
    """`SCENARIOKIT_POLL_SECONDS` if it is a positive number, else once a second.

    For tests, which wait on each rebuild; an author saves a file once in a while.
    """
    try:
        seconds = float(os.environ.get("SCENARIOKIT_POLL_SECONDS", ""))
    except ValueError:
        return 1.0
    return seconds if 0 < seconds < 60 else 1.0


def main(*args: Any, **kwargs: Any) -> Any:
    """The `scenarios` command: `cli`, and what becomes of output that cannot be written.

    A standard stream the shell closed (`>&-`) is taken as the null device: Python then
    has no `sys.stdout`, and writing to it raised an AttributeError; what the user closed,
    they do not want to read. Output that cannot be written (a full disk, `> /dev/full`)
    stops the command with one line and exit 2 (not 1, which says errors were found in the
    files), where a traceback was; a closed pipe (`| head`) is Click's own, exit 1.
    """
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, _null_stream())
    try:
        return cli.main(*args, **kwargs)
    except OSError as exc:
        sys.stdout = _null_stream()  # what could not be written is not tried again at exit
        where = f" ({visible(str(exc.filename))})" if exc.filename else ""
        click.secho(f"error: the command stopped: {exc.strerror or exc}{where}", err=True)
        sys.exit(2)


def _null_stream() -> Any:
    """The null device as a text stream, open until the process ends (a standard stream)."""
    return Path(os.devnull).open("w", encoding="utf-8")
