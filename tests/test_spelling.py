"""`validate --spelling`: misspelt target-language words, with the real Hunspell dictionaries.

Real files in real repositories, through the CLI and the installed script; the dictionaries
are Debian's (`.ci/run` installs them). Without pyenchant or the dictionaries these tests
skip, unless SCENARIOKIT_REQUIRE_SPELLING=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import (
    REPO,
    VALID_TEXT,
    diagnostics,
    dump,
    invoke,
    library_copy,
    make_repo,
    run_installed,
    valid_doc,
)

HOME = "scenarios/restaurant/tapas-bar-madrid.yaml"
# The Debian packages of the dictionaries the shipped library's languages need.
NEEDED = ("de_DE", "de_AT", "es_ES", "es_AR", "es_MX", "fr_FR", "it_IT", "pt_BR", "pt_PT", "ru_RU")
NEEDED_TOO = ("ar_EG",)


def _require_dictionaries() -> None:
    try:
        import enchant

        missing = [name for name in (*NEEDED, *NEEDED_TOO) if not enchant.dict_exists(name)]
    except Exception as exc:
        missing = [f"pyenchant ({exc})"]
    if missing:
        reason = f"spelling dictionaries not installed: {', '.join(missing)}"
        if os.environ.get("SCENARIOKIT_REQUIRE_SPELLING") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _dictionaries() -> None:
    _require_dictionaries()


def repo_with(tmp_path: Path, text: str, relative: str = HOME) -> Path:
    return make_repo(tmp_path, {relative: text})


def test_a_misspelt_word_is_a_warning_at_its_entry_naming_the_word(tmp_path: Path) -> None:
    text = VALID_TEXT.replace("¿Me cobra, por favor?", "¿Me cobra, por fabor?")
    root = repo_with(tmp_path, text)
    code, found = diagnostics("--root", root, "validate", "--spelling", root / HOME)
    assert code == 0
    [problem] = found
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "por fabor" in t)
    column = text.splitlines()[line - 1].index("¿") + 1
    assert (problem["line"], problem["column"]) == (line, column)
    assert problem["severity"] == "warning"
    assert problem["code"] == "misspelt"
    assert problem["pointer"] == "/phases/2/essential_phrases/0/text"
    assert "'fabor' is not in the es_ES dictionary" in problem["message"]
    assert "# spelling: fabor" in problem["message"]


def test_the_file_as_shipped_is_clean_and_spelling_is_opt_in(tmp_path: Path) -> None:
    root = repo_with(tmp_path, VALID_TEXT)
    assert diagnostics("--root", root, "validate", "--spelling") == (0, [])
    text = VALID_TEXT.replace("term: la barra", "term: la barrra")
    (root / HOME).write_text(text, encoding="utf-8")
    assert diagnostics("--root", root, "validate") == (0, [])  # not asked for
    code, found = diagnostics("--root", root, "validate", "--spelling", "--strict")
    assert code == 1
    assert [(d["code"], d["severity"]) for d in found] == [("misspelt", "error")]
    assert "'barrra'" in found[0]["message"]
    assert found[0]["pointer"] == "/phases/0/key_vocabulary/0/term"


def test_a_comment_allows_words_in_its_file_only(tmp_path: Path) -> None:
    """`# spelling: Word, Word`, in any case, anywhere in the file; another file still warns."""
    text = VALID_TEXT.replace("term: picante", "term: picante Txakoli Zumosol")
    other = text.replace("scenario_id: tapas-bar-madrid", "scenario_id: tapas-bar-sevilla")
    other = other.replace("title: Ordering Tapas in Madrid", "title: Tapas in Sevilla")
    allowed = "# spelling: zumosol\n#   spelling:   Bocata,  Txakoli\n" + text
    root = make_repo(
        tmp_path,
        {HOME: allowed, "scenarios/restaurant/tapas-bar-sevilla.yaml": other},
    )
    code, found = diagnostics("--root", root, "validate", "--spelling")
    assert code == 0
    assert [(Path(d["path"]).name, d["code"]) for d in found] == [
        ("tapas-bar-sevilla.yaml", "misspelt")
    ]
    assert "'Txakoli', 'Zumosol' are not in" in found[0]["message"]


@pytest.mark.parametrize(
    ("language", "right", "wrong"),
    [
        ("fr", "L'addition, s'il vous plaît ; peut-être aujourd’hui ?", "adition"),
        ("it", "Un'altra bottiglia dell'acqua, per favore.", "bottilia"),
        ("de-AT", "Ein Sackerl Marillen und zwei Paradeiser, bitte.", "Marilen"),
        ("pt-BR", "Você pode me passar o cardápio?", "cardapio"),
        ("pt-PT", "Pode trazer-me a ementa, se faz favor?", "ementta"),
        ("ru", "Счёт, пожалуйста. Можно оплатить картой?", "пожалуста"),
        ("es-AR", "¿Me traés la cuenta?", "cuennta"),
        ("ar", "الحساب من فضلك", "الحسابب"),
    ],
)
def test_each_language_reads_its_own_dictionary(
    tmp_path: Path, language: str, right: str, wrong: str
) -> None:
    """A region's dictionary for a tag with a region; apostrophes, hyphens kept in a word."""
    doc = valid_doc()
    doc["language"] = language
    for phase in doc["phases"]:
        phase["key_vocabulary"] = [{"term": right.split()[-1].strip("?.!"), "translation": "x"}]
        phase["essential_phrases"] = [{"text": right, "translation": "x"}]
    root = repo_with(tmp_path, dump(doc))
    _, found = diagnostics("--root", root, "validate", "--spelling")
    assert [d["message"] for d in found if d["code"] == "misspelt"] == []
    doc["phases"][1]["essential_phrases"][0]["text"] = f"{right} {wrong}"
    (root / HOME).write_text(dump(doc), encoding="utf-8")
    _, found = diagnostics("--root", root, "validate", "--spelling")
    assert [
        (d["pointer"], d["message"].split(": ")[1]) for d in found if d["code"] == "misspelt"
    ] == [
        (
            "/phases/1/essential_phrases/0/text",
            f"'{wrong}' is not in the {_name(language)} dictionary",
        )
    ]


def _name(language: str) -> str:
    return {
        "fr": "fr_FR",
        "it": "it_IT",
        "de-AT": "de_AT",
        "pt-BR": "pt_BR",
        "pt-PT": "pt_PT",
        "ru": "ru_RU",
        "es-AR": "es_AR",
        "ar": "ar_EG",
    }[language]


def test_a_language_without_a_dictionary_is_one_note_on_standard_error(tmp_path: Path) -> None:
    """Welsh (hunspell-cy is not installed): no warning, no traceback, one note for all files."""
    welsh = VALID_TEXT.replace("language: es", "language: cy")
    files = {HOME: welsh}
    for number in range(450):  # enough files for the check to fork its workers
        scenario_id = f"tapas-{number}"
        files[f"scenarios/restaurant/{scenario_id}.yaml"] = welsh.replace(
            "scenario_id: tapas-bar-madrid", f"scenario_id: {scenario_id}"
        ).replace("title: Ordering Tapas in Madrid", f"title: Tapas {number}")
    root = make_repo(tmp_path, files)
    result = run_installed("--root", root, "validate", "--spelling", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.endswith("0 errors, 0 warnings in 451 files\n")
    assert result.stderr.count("note:") == 1
    assert "note: cy not checked: no Hunspell dictionary for it is installed" in result.stderr
    assert "cy_GB" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_spell_checker_is_one_note_and_the_rest_of_the_check(tmp_path: Path) -> None:
    """pyenchant cannot find libenchant (a path to no library): the other rules still run."""
    text = VALID_TEXT.replace("term: la barra", "term: la barrra").replace(
        "estimated_duration: 15", "estimated_duration: 16"
    )
    root = repo_with(tmp_path, text)
    env = {**os.environ, "PYENCHANT_LIBRARY_PATH": str(tmp_path / "no-libenchant.so")}
    result = run_installed(
        "--root", root, "validate", "--spelling", "--format", "json", cwd=tmp_path, env=env
    )
    assert "duration-mismatch" in result.stdout
    assert "misspelt" not in result.stdout
    assert result.stderr.startswith("note: spelling not checked: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("language", "words"), [("ja", "すみませんんん"), ("zh-Hans", "你好吗吗"), ("ko", "안녕하세욬")]
)
def test_japanese_chinese_and_korean_are_not_checked(
    tmp_path: Path, language: str, words: str
) -> None:
    text = VALID_TEXT.replace("language: es", f"language: {language}")
    text = text.replace("text: ¿Lleva gluten?", f"text: {words}\n        reading: x")
    result = invoke("--root", repo_with(tmp_path, text), "validate", "--spelling")
    assert "misspelt" not in result.stdout
    assert result.stderr == ""


def test_every_language_of_the_shipped_library_has_its_dictionary(tmp_path: Path) -> None:
    """With .ci/run's dictionaries nothing is left unchecked for want of one: no note.

    The shipped library's words the dictionaries do not know are warnings only with
    --spelling (listed in the report of issue 17): `validate --strict` stays clean.
    """
    for folder in ("schemas", "scenarios", "templates"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    result = invoke("--root", tmp_path, "validate", "--spelling")
    assert result.stderr == ""
    codes = {line.rsplit("[", 1)[-1] for line in result.stdout.splitlines()[:-1]}
    assert codes <= {"misspelt]"}
    assert invoke("--root", tmp_path, "validate", "--strict").exit_code == 0


def test_the_shipped_library_is_clean_with_its_allowed_words(tmp_path: Path) -> None:
    """Every shipped file passes `--spelling --strict`; without its `# spelling:` line, not."""
    root = library_copy(tmp_path)
    result = run_installed("--root", root, "validate", "--spelling", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stderr == ""
    home = root / HOME
    home.write_text(home.read_text(encoding="utf-8").replace("# spelling: pónganos\n", ""))
    _, found = diagnostics("--root", root, "validate", "--spelling", home)
    assert [(d["code"], d["line"]) for d in found] == [("misspelt", 106)]


def test_single_letters_and_abbreviations_are_not_looked_up(tmp_path: Path) -> None:
    """A size (talla M) or an abbreviation in capitals (NIE, ITV) is no misspelling."""
    wrong = "¿Me cobra la talla M con el NIE, por fabor?"
    text = VALID_TEXT.replace("¿Me cobra, por favor?", wrong)
    _, found = diagnostics("--root", repo_with(tmp_path, text), "validate", "--spelling")
    assert [d["message"].split(": ")[1] for d in found] == [
        "'fabor' is not in the es_ES dictionary"
    ]
