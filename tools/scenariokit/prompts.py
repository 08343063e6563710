"""The role-play prompt a learner copies into any AI chat (or hands to a human partner).

Composed from the scenario's roles, setting, phases, vocabulary and phrases, in English
(the language of the instructions), so the partner knows what to practise and when.
"""

from __future__ import annotations

from typing import Any

from scenariokit.entries import entry_fields


def roleplay_prompt(doc: dict[str, Any], language_name: str) -> str:
    """The prompt for `doc`, plain text."""
    lines = [
        f'Let\'s practise {language_name} with a role-play: "{doc["title"]}".',
        "",
        f"Setting: {doc['setting']}",
        f"You play: {doc['ai_role']}. I play: {doc['user_role']}.",
        f"My level: {doc['difficulty']}. Speak only {language_name}, at my level, and keep "
        "your turns short so that I do most of the talking.",
    ]
    if doc.get("description"):
        lines.append(f"What I want to do: {doc['description']}")
    lines += ["", f"The conversation has {len(doc['phases'])} phases:"]
    for number, phase in enumerate(doc["phases"], start=1):
        lines.append(
            f"{number}. {phase['name']}"
            + (f": {phase['description']}" if phase.get("description") else "")
        )
        lines.append(
            "   Words I should use: "
            + "; ".join(_entry(e, "term") for e in phase["key_vocabulary"])
        )
        lines.append(
            "   Phrases I should try: "
            + "; ".join(_entry(e, "text") for e in phase["essential_phrases"])
        )
        goals = phase.get("success_criteria") or phase["learning_objectives"]
        lines.append("   I succeed if: " + "; ".join(goals))
    if doc.get("cultural_context"):
        lines += ["", f"Cultural context: {doc['cultural_context']}"]
    lines += [
        "",
        "Start the conversation in character, one phase after the other. When I make a "
        "mistake, use the correct form naturally in your reply instead of interrupting. "
        "At the end, step out of the role and give me short feedback on each phase.",
    ]
    return "\n".join(lines)


def _entry(entry: str | dict[str, Any], key: str) -> str:
    text, translation, _ = entry_fields(entry, key)
    return f"{text} ({translation})" if translation else str(text)
