"""Generate a corpus of realistic scenario files for benchmarks.

    python bench/generate.py 2000 bench/corpus [--shape library|synthetic]

writes a repository (schemas/ and scenarios/<category>/<id>.yaml) of N valid files,
deterministic for a given N and seed. Two shapes:

- `library` (the default, since 2026-12-04): each file is a shipped scenario under a new id
  and title, taken in turn from the 100 of the starter library: its ten languages and
  scripts, readings, partner lines and notes, about 47 entries and 12 KB a file, as the
  library's own standard now writes them. The owner and `is_public` (nine in ten) vary.
- `synthetic`: the shape every figure before 2026-12-04 (evening) was measured on: about
  5.5 KB, 2 to 6 phases of four words and four phrases in six languages.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# libyaml's emitter when there is one: ten thousand 11 KB files take minutes in Python's.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SCHEMA = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
CATEGORIES = SCHEMA["properties"]["category"]["enum"]
LANGUAGES = ["es", "fr", "de", "it", "ja", "pt-BR"]
WORDS = {
    "es": [
        "la mesa",
        "la cuenta",
        "el camarero",
        "la reserva",
        "el billete",
        "la farmacia",
        "el andén",
        "la talla",
        "el probador",
        "la receta",
        "el mostrador",
        "la llave",
    ],
    "fr": [
        "la table",
        "l'addition",
        "le serveur",
        "la réservation",
        "le billet",
        "la pharmacie",
        "le quai",
        "la taille",
        "la cabine",
        "l'ordonnance",
        "le guichet",
        "la clé",
    ],
    "de": [
        "der Tisch",
        "die Rechnung",
        "der Kellner",
        "die Reservierung",
        "die Fahrkarte",
        "die Apotheke",
        "das Gleis",
        "die Größe",
        "die Umkleide",
        "das Rezept",
        "der Schalter",
        "der Schlüssel",
    ],
    "it": [
        "il tavolo",
        "il conto",
        "il cameriere",
        "la prenotazione",
        "il biglietto",
        "la farmacia",
        "il binario",
        "la taglia",
        "il camerino",
        "la ricetta",
        "lo sportello",
        "la chiave",
    ],
    "ja": [
        "テーブル",
        "お会計",
        "店員",
        "予約",
        "切符",
        "薬局",
        "ホーム",
        "サイズ",
        "試着室",
        "処方箋",
        "窓口",
        "鍵",
    ],
    "pt-BR": [
        "a mesa",
        "a conta",
        "o garçom",
        "a reserva",
        "a passagem",
        "a farmácia",
        "a plataforma",
        "o tamanho",
        "o provador",
        "a receita",
        "o balcão",
        "a chave",
    ],
}
GLOSSES = [
    "the table",
    "the bill",
    "the waiter",
    "the booking",
    "the ticket",
    "the pharmacy",
    "the platform",
    "the size",
    "the fitting room",
    "the prescription",
    "the counter",
    "the key",
]
# Readings of the Japanese words written with kanji (the others are in katakana).
READINGS = {
    "お会計": "おかいけい",
    "店員": "てんいん",
    "予約": "よやく",
    "切符": "きっぷ",
    "薬局": "やっきょく",
    "試着室": "しちゃくしつ",
    "処方箋": "しょほうせん",
    "窓口": "まどぐち",
    "鍵": "かぎ",
}
PHRASES = [
    ("¿Me puede ayudar, por favor?", "Could you help me, please?"),
    ("Quisiera reservar una mesa para dos.", "I'd like to book a table for two."),
    ("¿Cuánto cuesta?", "How much is it?"),
    (
        "No entiendo, ¿puede repetirlo más despacio?",
        "I don't understand; could you say it again more slowly?",
    ),
    ("¿Dónde está la estación?", "Where is the station?"),
    ("¿Aceptan tarjeta?", "Do you take cards?"),
    (
        "Perdone, creo que hay un error en la cuenta.",
        "Excuse me, I think there's a mistake in the bill.",
    ),
]


def scenario(index: int, rng: random.Random) -> dict[str, object]:
    """One realistic, valid scenario document."""
    language = rng.choice(LANGUAGES)
    category = CATEGORIES[index % len(CATEGORIES)]
    phase_count = rng.randint(2, 6)
    durations = [rng.randint(2, 8) for _ in range(phase_count)]
    words = WORDS[language]
    phases = []
    used: set[str] = set()
    for number in range(phase_count):
        picks = rng.sample(range(len(words)), 4)
        phrases = rng.sample(PHRASES, 4)
        phases.append(
            {
                "phase_id": f"step-{number + 1}",
                "name": f"Step {number + 1}: {GLOSSES[picks[0]]}",
                "description": "Greet the other person, say what you need and react to the answer "
                "politely, asking again when something is unclear.",
                "expected_duration_minutes": durations[number],
                "key_vocabulary": [
                    {"term": _unique(words[i], number, used)}
                    | ({"reading": READINGS[words[i]]} if words[i] in READINGS else {})
                    | {"translation": GLOSSES[i], "note": "common in everyday speech"}
                    for i in picks
                ],
                "essential_phrases": [{"text": t, "translation": e} for t, e in phrases],
                "learning_objectives": [
                    f"Use '{words[picks[0]]}' in a full sentence",
                    "Ask for clarification politely",
                ],
                "success_criteria": [
                    "The learner completes the exchange without switching to English"
                ],
                "cultural_notes": "Politeness formulas matter here; strangers are addressed "
                "formally at first.",
            }
        )
    return {
        "scenario_id": f"{category.replace('_', '-')}-{index:05d}",
        "title": f"{category.replace('_', ' ').title()} conversation {index}",
        "description": "A role-play practising everyday vocabulary and polite requests in a "
        "realistic situation, from greeting to goodbye.",
        "category": category,
        "difficulty": rng.choice(["beginner", "intermediate", "advanced"]),
        "estimated_duration": max(5, sum(durations)),
        "language": language,
        "user_role": "Learner",
        "ai_role": "Local speaker",
        "setting": "A typical situation in a busy city centre on a weekday afternoon.",
        "created_by": rng.choice(["maintainers", "octocat", "hubot", "monalisa"]),
        "is_system_scenario": False,
        "is_public": rng.random() > 0.1,
        "prerequisites": ["Numbers 1-20", "Basic greetings"],
        "learning_outcomes": ["Handle the situation politely", "Ask for clarification"],
        "vocabulary_focus": ["greetings", "requests", "numbers"],
        "cultural_context": "People often use the formal form of address with strangers.",
        "phases": phases,
    }


def library() -> list[dict[str, object]]:
    """The shipped scenarios, in id order: the models of the `library` shape."""
    paths = sorted((ROOT / "scenarios").rglob("*.yaml"), key=lambda p: p.stem)
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in paths]


def from_library(
    index: int, rng: random.Random, models: list[dict[str, object]]
) -> dict[str, object]:
    """A shipped scenario under a new id and title, owned by someone, public or not."""
    doc = copy.deepcopy(models[index % len(models)])
    doc.pop("derived_from", None)
    doc["scenario_id"] = f"{doc['scenario_id']}-{index:05d}"
    doc["title"] = f"{doc['title']} ({index})"
    doc["created_by"] = rng.choice(["maintainers", "octocat", "hubot", "monalisa"])
    doc["is_system_scenario"] = False
    doc["is_public"] = rng.random() > 0.1
    return doc


def _unique(term: str, phase: int, used: set[str]) -> str:
    """A term not used yet in this scenario (repeats would be warnings)."""
    if term in used:
        term = f"{term} ({phase + 1})"
    used.add(term)
    return term


def generate(count: int, out: Path, seed: int = 1, shape: str = "library") -> list[Path]:
    """Write `count` scenarios into a fresh repository at `out`; return their paths."""
    if out.exists():
        shutil.rmtree(out)
    (out / "schemas").mkdir(parents=True)
    shutil.copy(ROOT / "schemas" / "scenario.schema.json", out / "schemas")
    rng = random.Random(seed)
    models = library() if shape == "library" else []
    paths = []
    for index in range(count):
        doc = from_library(index, rng, models) if models else scenario(index, rng)
        if sum(p["expected_duration_minutes"] for p in doc["phases"]) != doc["estimated_duration"]:
            doc["phases"][0]["expected_duration_minutes"] += doc["estimated_duration"] - sum(
                p["expected_duration_minutes"] for p in doc["phases"]
            )
        path = out / "scenarios" / str(doc["category"]) / f"{doc['scenario_id']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(doc, Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", choices=["library", "synthetic"], default="library")
    args = parser.parse_args()
    written = generate(args.count, args.out, args.seed, args.shape)
    size = sum(p.stat().st_size for p in written)
    print(f"{len(written)} files, {size / len(written) / 1024:.1f} KB on average, in {args.out}")
