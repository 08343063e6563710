"""The `scenarios` command: a thin Click layer over the library.

Each command parses its options, calls one library function and renders the result. A
`UserError` raised anywhere below becomes its message and exit code here, at one boundary.
Exit codes: 0 fine, 1 problems found, 2 usage error.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from scenariokit import __version__
from scenariokit.errors import UserError
from scenariokit.repository import SCHEMA_FILE, default_paths, find_root


@dataclass(slots=True)
class Options:
    """What the group's options say, for every command."""

    root: Path | None

    def require_root(self) -> Path:
        """The repository, or a usage error that says how to name one."""
        if self.root is None:
            raise UserError(
                f"not inside a scenariokit repository (no {SCHEMA_FILE} in this folder or "
                "above): run the command there, or name it with --root DIR",
                exit_code=2,
            )
        return self.root


class _Group(click.Group):
    """Turns `UserError` into a message on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.secho(f"error: {exc}", err=True, fg="red")
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
    ctx.obj = Options(root=root.resolve() if root else find_root(Path.cwd()))


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
@click.option("--strict", is_flag=True, help="Fail on warnings too (exit 1).")
@click.pass_obj
def validate(options: Options, paths: tuple[Path, ...], output_format: str, strict: bool) -> None:
    """Check scenario files against the schema and the repository's rules.

    PATHS are files or folders (default: scenarios/ and templates/). Every problem in every
    file is reported, as path:line:column: severity: message [code]. Exit 0 when there is
    no error, 1 when there are errors (or warnings, with --strict), 2 on a usage error.

    \b
    Example:
      scenarios validate scenarios/restaurant/tapas-bar-madrid.yaml
      scenarios validate --format json > problems.json
    """
    from scenariokit.reporters import REPORTERS, TextReporter
    from scenariokit.validate import validate as run_validate

    root = options.root or (
        find_root(paths[0].parent if paths[0].is_file() else paths[0]) if paths else None
    )
    targets = list(paths) or default_paths(Options(root).require_root())
    report = run_validate(targets, root)
    reporter = (
        TextReporter(excerpts=sys.stdout.isatty(), colour=_wants_colour())
        if output_format == "text"
        else REPORTERS[output_format]()
    )
    click.echo(reporter.render(report), nl=False, color=_wants_colour())
    sys.exit(report.exit_code(strict=strict))


main = cli
