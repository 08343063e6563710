"""What `scenarios new` asks, and how each answer is judged as soon as it is given.

Every value `new` needs is one question (`Ask`): given as an option, it is judged at once;
not given, it is asked in a terminal, or taken from its default in a script. Each answer is
judged by the one check (`validate.check`) on a draft of the scenario holding the answers
so far, looking only at what it says of that answer's field: so `new` refuses a title,
id, language or login with `validate`'s own words, before anything is written and before
the next question. A bad answer is a `BadAnswer`, with the nearest good value when there is
one (`check/suggestions.py`: `hotel` → `hotel-check-in`, `pt_br` → `pt-BR`, a taken id →
the first free `<id>-2`, `15 min` → `15`): the command line asks again offering it, and a
script gets a usage error naming it. Defaults say where they come from (`author [mgarcia,
from git config github.user]`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from scenariokit.author.documents import NotFound, find_source, load_templates
from scenariokit.author.writer import canonical_text, modeline_for
from scenariokit.check.languages import judge_language
from scenariokit.check.schema import choices, slugify
from scenariokit.check.suggestions import closest, language_suggestion, minutes_in
from scenariokit.check.validate import check
from scenariokit.errors import UserError
from scenariokit.files.git import git_output
from scenariokit.files.repository import read_catalog

if TYPE_CHECKING:
    from scenariokit.author.create import NewScenario

# Stand-ins for what is not answered yet: a draft must be a whole scenario to be checked,
# and only the field just answered is looked at.
_DRAFT = {"title": "A new scenario", "scenario_id": "a-new-scenario", "created_by": "octocat"}
BLANK_DURATION = 10


class BadAnswer(UserError):
    """An answer that cannot be used: why, and the nearest good value if there is one."""

    def __init__(
        self, message: str, suggestion: str | None = None, *, told_later: bool = False
    ) -> None:
        super().__init__(message, exit_code=2)
        self.suggestion = suggestion
        # The check of the whole file says it again: a script, which is not asked again,
        # may leave it to that check, which tells every problem of the file at once.
        self.told_later = told_later


Judge = Callable[[str], None]


class Ask(Protocol):
    """How a command gets a value the user did not give as an option.

    Called with the value given (None if not), a prompt, the option's flag, a default and
    where it comes from (`why`), the allowed choices, and `judge`, which raises `BadAnswer`
    for a value that cannot be used; returns the value to use, or None when there is none.
    The command line asks in a terminal (again after a bad answer) and otherwise judges
    what was given and collects what is missing; the library never prompts, so it serves a
    script, the command line and a builder alike.
    """

    def __call__(
        self,
        value: str | None,
        prompt: str,
        flag: str,
        *,
        default: str | None = None,
        why: str | None = None,
        choices: list[str] | None = None,
        judge: Judge | None = None,
    ) -> str | None:
        """The value to use for `flag`."""


@dataclass(slots=True)
class Answers:
    """What `new` will make: the template (None for a blank skeleton) and the values."""

    template_name: str | None
    template: dict[str, Any] | None
    title: str | None
    scenario_id: str | None
    language: str | None
    author: str | None
    category: str | None
    difficulty: str | None
    duration: int | None


def ask_new(root: Path, given: NewScenario, ask: Ask) -> Answers:
    """Ask (or take from `given`, or default) every value `new` needs, judging each.

    Order: template, title, id, language, author, then category (blank only), difficulty
    and duration. A usage error (exit 2) when the template and blank are both asked for.
    """
    if given.template and given.blank:
        raise UserError("--template and --blank exclude each other", exit_code=2)
    names = [str(s.data.get("scenario_id")) for s in load_templates(root).sources]
    template_name: str | None = "blank" if given.blank else given.template
    template_name = ask(
        template_name,
        "Template (or 'blank')",
        "--template",
        choices=[*names, "blank"],
        judge=lambda answer: _template(root, answer, [*names, "blank"]),
    )
    template = (
        None if template_name in (None, "blank") else find_source(root, str(template_name)).data
    )
    draft = _Draft(root, template)
    title = ask(given.title, "Title", "--title", judge=draft.judge("title"))
    scenario_id = ask(
        given.scenario_id,
        "Id",
        "--id",
        default=slugify(title) if title else None,
        why="from the title",
        judge=draft.judge("scenario_id", _free_id(root)),
    )
    language = ask(
        given.language,
        "Language (BCP 47 tag)",
        "--language",
        default=template.get("language") if template else None,
        why="the template's",
        judge=draft.judge("language", first=judge_language_tag),
    )
    login, where = login_from_git(root) or (None, None)
    author = ask(
        given.author, "Your GitHub login", "--author", default=login, why=where,
        judge=draft.judge("created_by"),
    )  # fmt: skip
    category = given.category
    if template is None:
        category = ask(
            category,
            "Category",
            "--category",
            choices=choices("category"),
            judge=lambda answer: _one_of(answer, choices("category"), "category", "categories"),
        )
    difficulty = ask(
        given.difficulty,
        "Difficulty",
        "--difficulty",
        choices=choices("difficulty"),
        default=str(template["difficulty"]) if template else "beginner",
        why="the template's" if template else None,
        judge=lambda answer: _one_of(answer, choices("difficulty"), "difficulty", "levels"),
    )
    duration = ask(
        given.duration,
        "Duration in minutes",
        "--duration",
        default=str(template["estimated_duration"]) if template else str(BLANK_DURATION),
        why="the template's, spread over its phases" if template else None,
        judge=draft.judge_minutes,
    )
    return Answers(
        template_name,
        template,
        title,
        scenario_id,
        language,
        author,
        category,
        difficulty,
        int(duration) if duration and duration.isdigit() else None,
    )


def spread_minutes(doc: dict[str, Any], total: int) -> None:
    """Set `estimated_duration` to `total` and the phases' minutes in proportion, adding up.

    So the file does not start with a `duration-mismatch` warning: each phase keeps its
    share of the time (at least a minute), the rounding given to the largest remainders.
    Phases that do not all give a duration are left as they are.
    """
    doc["estimated_duration"] = total
    phases = doc.get("phases") or []
    minutes = [p.get("expected_duration_minutes") for p in phases if isinstance(p, dict)]
    if len(minutes) != len(phases) or not all(type(m) is int and m > 0 for m in minutes):
        return
    whole = sum(minutes)  # type: ignore[arg-type]
    shares = [total * m / whole for m in minutes]  # type: ignore[operator]
    spread = [max(1, int(share)) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: spread[i] - shares[i])
    for index in by_remainder[: max(0, total - sum(spread))]:
        spread[index] += 1
    for phase, share in zip(phases, spread, strict=True):
        phase["expected_duration_minutes"] = share


def login_from_git(root: Path) -> tuple[str, str] | None:
    """The author's GitHub login from git config, and where it was found, in words.

    `github.user`, else the login in a GitHub noreply `user.email`.
    """
    for key in ("github.user", "user.email"):
        value = _git_config(root, key)
        if key == "github.user" and value:
            return value, "from git config github.user"
        if value and value.endswith("@users.noreply.github.com"):
            return value.split("@", 1)[0].split("+")[-1], "from git config user.email"
    return None


def _git_config(root: Path, key: str) -> str | None:
    value = git_output(root, "config", "--get", key, timeout=10)
    return value.strip() or None if value else None


class _Draft:
    """The scenario as answered so far, to judge each answer by the one check."""

    def __init__(self, root: Path, template: dict[str, Any] | None) -> None:
        self.root = root
        self.template = template
        self.values: dict[str, Any] = {}

    def judge(
        self,
        key: str,
        fix: Callable[[str], str | None] | None = None,
        *,
        first: Judge | None = None,
    ) -> Judge:
        """A judge of answers for `key`, by the one check on the draft.

        `fix` gives the nearest good value of a bad answer; `first` judges an answer before
        the draft is (a language tag, in the words of its own verdict).
        """

        def judged(answer: str) -> None:
            if first:
                first(answer)
            problems = self._problems({key: answer}, f"/{key}")
            if problems:
                suggestion = fix(answer) if fix else None
                raise BadAnswer(_with_hint(problems[0], suggestion), suggestion, told_later=True)
            self.values[key] = answer

        return judged

    def judge_minutes(self, answer: str) -> None:
        """A duration: a whole number of minutes the schema allows (`15 min`: write 15)."""
        if not answer.strip().isdigit():
            minutes = minutes_in(answer)
            if minutes is not None:
                raise BadAnswer(f"write {minutes}: the duration is in whole minutes", str(minutes))
            raise BadAnswer(f"'{answer}' is not a number of minutes: write one, such as 15")
        problems = self._problems({"estimated_duration": int(answer)}, "/estimated_duration")
        if problems:
            raise BadAnswer(problems[0], told_later=True)

    def _problems(self, answer: dict[str, Any], pointer: str) -> list[str]:
        from scenariokit.author.create import blank_scenario, from_template, scenario_path

        values = {**_DRAFT, **self.values, **answer}
        if self.template is not None:
            values.setdefault("language", self.template.get("language"))
            doc = from_template(
                self.template,
                scenario_id=values["scenario_id"],
                title=values["title"],
                language=values["language"],
                author=values["created_by"],
            )
        else:
            doc = blank_scenario(
                scenario_id=values["scenario_id"],
                title=values["title"],
                language=values.get("language", "en"),
                author=values["created_by"],
                category="daily_life",
                difficulty="beginner",
            )
        if "estimated_duration" in answer:
            spread_minutes(doc, answer["estimated_duration"])
        path = scenario_path(self.root, doc)
        text = canonical_text(doc, modeline_for(path, self.root))
        return [
            d.message
            for d in check(path, read_catalog(self.root), text).diagnostics
            if d.severity == "error" and d.pointer == pointer
        ]


def judge_language_tag(tag: str) -> None:
    """A `BadAnswer` for a tag that names no language in canonical form (`pt_br`: `pt-BR`)."""
    verdict = judge_language(tag)
    if verdict is not None:
        suggestion = language_suggestion(tag)
        raise BadAnswer(_with_hint(verdict[1], suggestion), suggestion, told_later=not suggestion)


def _with_hint(message: str, suggestion: str | None) -> str:
    """`message`, and "did you mean" unless there is nothing to offer or it says so already."""
    if not suggestion or f"'{suggestion}'" in message:
        return message
    return f"{message.rstrip('.')}; did you mean '{suggestion}'?"


def _one_of(answer: str, allowed: list[str], what: str, plural: str) -> None:
    if answer in allowed:
        return
    near = closest(answer, allowed)
    if near:
        raise BadAnswer(f"no {what} '{answer}': did you mean '{near}'?", near)
    raise BadAnswer(f"no {what} '{answer}': the {plural} are {', '.join(allowed)}")


def _template(root: Path, answer: str, allowed: list[str]) -> None:
    """A template, 'blank', or any scenario to start from; why not, else (a link…)."""
    if answer in allowed:
        return
    try:
        find_source(root, answer)
    except NotFound:
        _one_of(answer, allowed, "template", "templates")


def _free_id(root: Path) -> Callable[[str], str | None]:
    """The nearest free id for a taken or malformed one: `<id>-2`, or the id as a slug."""

    def fix(answer: str) -> str | None:
        slug = slugify(answer)
        if len(slug) < 3:
            return None
        catalog = read_catalog(root)
        if slug != answer and not catalog.knows(slug):
            return slug
        for number in range(2, 100):
            candidate = f"{slug[:60]}-{number}"
            if not catalog.knows(candidate):
                return candidate
        return None

    return fix
