"""The site's search index: static, sharded files that `site/static/search.js` reads.

What the home page and a first search download is bounded however many scenarios there
are (issue 15; `bench/sizes.py` measures it: under 200 KB at 10,000). Scenarios are
numbered in id order (n); nothing a visitor fetches grows with their number but for bit
sets, one bit a scenario:

- `search/meta.json`: the count and each filter's values with their names (no author);
- `search/order/<p>.json`: scenarios in display order (title, then id), `PART` a file:
  the home page takes the first; a filter without words walks them, keeping those of
  its bit set (or lists the value's own few, see `summary_files`);
- `search/cards/<n>.json`: what a result card shows of scenario n (`card_files`); a page
  of results fetches 20 of these small files, with each one's `search/entries/<id>.json`;
- `search/filters/<filter>-<i>.json`: a filter value's scenarios as a bit set, so that
  a count under filters is exact without each scenario's values;
- `search/terms/<hex of a prefix>.json`: for a prefix of at most `NODE_POSTINGS`
  postings, a leaf: its words and where they occur, ranked from it alone; for a larger
  one, a node: its results aggregated and ranked (score, then number) in parts of
  `PART`, fetched as far as a page of results reaches, and its longer words split by one
  more character (see `_key_files`). A word's prefix is first three characters (two for
  CJK), then longer as the words under it grow;
- `search/keys/<byte>.json`: which prefixes have files, leaves and nodes, by their
  first byte, so that a word no scenario has costs no failing request.
Results that score alike come in id order (their numbers), not display order: a scenario's
title is then in no word file but those of its own words, so a new title rewrites the
files of the words it adds or drops, not of every word it has (a rebuild of one title took
2 to 3 s at 10,000 scenarios when ties followed titles; search.js sums several words'
scores and breaks ties by number too, with no file to fetch for it).
Not bounded: a search of several words of which one is a node reads all that node's
parts (the words' results must be summed), and a filter without words whose values
are common alone but rare together walks the display order further; both stay far
under the limit at 10,000.

What one scenario adds is bounded, whatever its file holds: at most `MAX_WORDS` words, the
heaviest (title, then vocabulary, description, translations and phrases), each cut to
`MAX_WORD_LENGTH` characters. So a scenario writes into at most `MAX_WORDS` shard files
and adds at most about 200 bytes a word; before the bound, one valid file of distinct CJK
characters made tens of thousands of shard files. Real content is indexed whole: a rich
scenario in a CJK language, where each pair of characters is a word, gives up to about 750
(a Korean one of four phases, 2026-12-04), far below the bound; the longest real word has
21 characters.
"""

from __future__ import annotations

import base64
import bisect
import operator
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache, partial
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import orjson

from scenariokit.check.languages import language_name, primary_language
from scenariokit.check.schema import choices
from scenariokit.entry_fields import phrase_fields, vocabulary_fields
from scenariokit.website.tokens import is_cjk, site_terms

if TYPE_CHECKING:
    from scenariokit.models import Scenario

# What one scenario contributes at most (see above); search.js cuts a query's words to the
# same length, which it reads from meta.json.
MAX_WORDS = 2000
MAX_WORD_LENGTH = 40
# How much a word counts, by where it occurs: the title first, then what names the
# scenario (its topic and language, roles, setting, phases) and its words; its notes last.
WEIGHTS = {
    "title": 10,
    "vocabulary": 4,
    "description": 3,
    "translation": 2,
    "phrases": 1,
    "notes": 1,
}


def shard_key(term: str) -> str:
    """The file a word lives in: hex of its first three characters (two for CJK)."""
    size = 2 if is_cjk(term) else 3
    return term[:size].encode("utf-8").hex()


def scenario_weights(doc: Scenario) -> dict[str, int]:
    """Each searchable word of a scenario and its weight (once per field it occurs in).

    Everything a learner may search by: the title; the topic's and the language's names,
    the roles, the setting, the phases' names and descriptions, the vocabulary's themes;
    words and phrases with their readings and translations; and last the notes,
    objectives, success criteria and cultural notes ("farmacia" is in the Roman
    pharmacy's cultural context only). A CJK run is indexed by its two-character pieces
    and by each of its characters, so that a single kanji (鳥) finds the words holding it
    (焼き鳥). At most `MAX_WORDS` words, each at most `MAX_WORD_LENGTH` long: the full build
    and the rebuild both index what this returns, so both apply the same bound.
    """
    fields: dict[str, list[str]] = defaultdict(list)
    fields["title"].append(doc["title"])
    fields["description"] += [
        doc.get("description", ""),
        doc["setting"],
        doc["user_role"],
        doc["ai_role"],
        doc["category"].replace("_", " "),
        language_name(doc["language"]),
        *doc.get("vocabulary_focus", []),
    ]
    fields["notes"] += [
        doc.get("cultural_context", ""),
        *doc.get("learning_outcomes", []),
        *doc.get("prerequisites", []),
    ]
    for phase in doc["phases"]:
        fields["description"] += [phase["name"], phase.get("description", "")]
        fields["notes"] += [
            phase.get("cultural_notes", ""),
            *phase["learning_objectives"],
            *phase.get("success_criteria", []),
        ]
        for field, entries in (
            ("vocabulary", [vocabulary_fields(e) for e in phase["key_vocabulary"]]),
            ("phrases", [phrase_fields(e) for e in phase["essential_phrases"]]),
        ):
            for text, translation, note, reading in entries:
                fields[field].append(text)
                if reading:  # found by how it reads, as by how it is written
                    fields[field].append(reading)
                if translation:
                    fields["translation"].append(translation)
                if note:
                    fields["notes"].append(note)
    weights: dict[str, int] = defaultdict(int)
    for field, texts in fields.items():
        weight = WEIGHTS[field]
        for word in set(chain.from_iterable(map(_indexed, texts))):
            weights[word] += weight
    return _heaviest(weights)  # in no order: the state keeps them with their keys sorted


@lru_cache(maxsize=1 << 14)
def _indexed(text: str) -> tuple[str, ...]:
    """The words of `text` the index holds, cut to `MAX_WORD_LENGTH`.

    A search's words, and each character of a CJK piece.
    Remembered like `tokens.site_terms`, which it calls: a scenario's texts recur across a
    library (its topic's and language's names, common words and phrases), and a full build
    of 2,000 scenarios spent a seventh of its time here before.
    """
    found = [term[:MAX_WORD_LENGTH] for term in site_terms(text)]
    if not text.isascii():
        found += [c for term in found if len(term) == 2 and is_cjk(term) for c in term]
    return tuple(found)


def entries_path(scenario_id: str) -> str:
    """Where a scenario's words and phrases are listed for the search's result cards."""
    return f"search/entries/{scenario_id}.json"


def search_entries(doc: Scenario) -> bytes:
    """`search/entries/<id>.json`: each word and phrase with its translation, in order.

    A result card shows the entries that hold the words searched for ("la cuenta — the
    bill"): search.js fetches this small file for the cards it shows, about 3 KB a
    scenario, where the whole API file is ten times that.
    """
    entries = [
        [text, translation or ""]
        for phase in doc["phases"]
        for text, translation, _, _ in [
            *(vocabulary_fields(e) for e in phase["key_vocabulary"]),
            *(phrase_fields(e) for e in phase["essential_phrases"]),
        ]
    ]
    return _dump(entries)


def _heaviest(weights: dict[str, int]) -> dict[str, int]:
    """The `MAX_WORDS` heaviest words, ties broken by the word.

    Deterministic, and a title's and the vocabulary's words outweigh those found only in
    phrases or translations, which a learner is less likely to search for.
    """
    if len(weights) <= MAX_WORDS:
        return dict(weights)
    kept = set(sorted(weights, key=lambda word: (-weights[word], word))[:MAX_WORDS])
    return {word: weight for word, weight in weights.items() if word in kept}


def display_key(card: dict[str, Any]) -> tuple[str, str]:
    """Where a scenario's card comes in display order: by title, then id.

    The one rule for the order of the listings (`pages.listing_pages`), the home page's
    and a filter's scenarios (`summary_files`).
    """
    return card["title"].casefold(), card["scenario_id"]


def word_groups(weights: dict[str, int]) -> list[dict[str, int]]:
    """A scenario's weights split by the group of their words' first character.

    The full build gathers the postings of one group at a time (`group_word_files`): a
    word's prefixes all start with its first character, so a group's files are whole,
    and at most about a tenth of the postings are held at once.
    """
    groups: list[dict[str, int]] = [{} for _ in range(WORD_GROUPS)]
    for word, weight in weights.items():
        groups[ord(word[0]) % WORD_GROUPS][word] = weight
    return groups


def group_word_files(
    weights: Iterable[dict[str, int]], count: int, listed: Listed
) -> Iterator[tuple[str, bytes]]:
    """One group's word files, as they are made; their leaves and nodes are added to `listed`.

    `weights` are every public scenario's weights in the group, in id order. A group's
    postings are gathered, its files made and given out, and let go: at 100,000 scenarios
    all the postings took 0.45 GB. Postings are C int arrays, not a dictionary per
    scenario (at 10,000 scenarios, 0.3 GB against 0.8). A group is whole (a word's
    prefixes all start with its first character), so groups can be made apart.
    """
    fresh = _postings(enumerate(weights))
    for root, words in _by_root(fresh.keys()).items():
        made, kinds = _key_files(root, {w: fresh.pop(w) for w in words}, count)
        yield from made.items()
        lead = listed.setdefault(shard_key(root)[:2], {"leaves": set(), "nodes": set()})
        for kind, keys in kinds.items():
            lead[kind] |= keys


def keys_files(found: Iterable[Listed]) -> dict[str, bytes]:
    """A full build's `search/keys/<lead>.json`, every lead byte's, from its groups' `listed`."""
    listed = _listed_keys(None, set())
    for some in found:
        for lead, kinds in some.items():
            for kind, keys in kinds.items():
                listed[lead][kind] |= keys
    return _keys_files(listed)


def word_files(
    changed: dict[int, tuple[dict[str, int], dict[str, int]]], count: int, site: Path
) -> dict[str, bytes | None]:
    """A rebuild's word files to write (None: to delete), patched as a full build makes them.

    `changed` maps a re-read scenario's number (its place in id order) to its old and new
    weights, both from `scenario_weights` (so bounded alike); their ids are the same as
    before (else the numbers move and it builds anew). Only the prefixes of words whose
    weight changed are patched (`_Patch`), so that a rebuild reads a node's ranked
    results, not every word under it, and the files equal a full build's.
    """
    fresh = _postings((n, changed[n][1]) for n in sorted(changed))
    words: set[str] = set()
    for old, new in changed.values():
        words.update(w for w, weight in new.items() if old.get(w) != weight)
        words.update(old.keys() - new.keys())
    roots = _by_root(words)
    listed = _listed_keys(site, {shard_key(root)[:2] for root in roots})
    patch = _Patch(site, changed, fresh, count, listed)
    for root, under in roots.items():
        patch.prefix(root, under)
    return patch.files | _keys_files(listed)


def _postings(weights: Iterable[tuple[int, dict[str, int]]]) -> dict[str, Postings]:
    """Each word's postings, from scenarios' weights by number (ascending)."""
    fresh: dict[str, Postings] = defaultdict(partial(array, "i"))
    for number, words in weights:
        for word, weight in words.items():
            pairs = fresh[word]
            pairs.append(number)
            pairs.append(weight)
    return fresh


def _by_root(words: Iterable[str]) -> dict[str, list[str]]:
    """Words by the prefix that names their key (`_root`), both in order (no set's order)."""
    roots: dict[str, list[str]] = defaultdict(list)
    for word in sorted(words):
        roots[_root(word)].append(word)
    return roots


def _keys_files(listed: Listed) -> dict[str, bytes]:
    """`search/keys/<lead>.json` for each lead byte in `listed` (see `_listed_keys`)."""
    return {
        f"search/keys/{lead}.json": _dump({k: sorted(kinds[k]) for k in sorted(kinds)})
        for lead, kinds in listed.items()
    }


# The prefixes (hex) that have word files, by lead byte and kind ("leaves", "nodes"): what
# `search/keys/<lead>.json` lists (`_listed_keys`).
Listed: TypeAlias = "dict[str, dict[str, set[str]]]"

# A word's postings, flat: number, weight, number, weight, … (numbers ascending), as C ints:
# 8 bytes a posting, where a list of (number, weight) pairs takes about 70 (a full build of
# 100,000 scenarios holds about 50 million).
Postings: TypeAlias = "array[int]"

# How many postings a word file holds at most before its words are split by a longer prefix
# (`_key_files`); how many results an aggregate's part, and the display order's, holds.
NODE_POSTINGS = 2000
PART = 1000
# How many groups of words a full build makes the word files of, one after the other (see
# `word_groups`): by first character modulo a prime, so that the most common initials of
# a language's words fall into different groups.
WORD_GROUPS = 17


def _root(word: str) -> str:
    """The prefix that names a word's key (`shard_key`): three characters, two for CJK."""
    return word[: 2 if is_cjk(word) else 3]


def _unhex(key: str) -> str:
    return bytes.fromhex(key).decode("utf-8")


def _hex(prefix: str) -> str:
    return prefix.encode("utf-8").hex()


def _leaf(under: dict[str, Postings]) -> bytes:
    """A leaf's file: each word's postings as they are (number, weight, …; in id order)."""
    return _dump({"words": {word: flat.tolist() for word, flat in under.items()}})


def _pairs(flat: Postings) -> list[tuple[int, int]]:
    """Postings as (number, weight) pairs."""
    it = iter(flat)
    return list(zip(it, it, strict=True))


def _flat(pairs: Iterable[tuple[int, int]]) -> Postings:
    return array("i", chain.from_iterable(pairs))


def _node(
    key: str, ranked: tuple[list[int], list[int]], postings: int, words: list[str], bits: str
) -> dict[str, bytes]:
    """A node's files: its results (numbers, and their scores), ranked, in parts of `PART`."""
    numbers, scores = ranked
    files = {}
    for i, start in enumerate(range(0, len(numbers), PART)):
        flat = [0] * (2 * len(numbers[start : start + PART]))
        flat[::2], flat[1::2] = numbers[start : start + PART], scores[start : start + PART]
        files[f"search/terms/{key}{f'-{i}' if i else ''}.json"] = _dump(
            flat
            if i
            else {
                "bits": bits,
                "count": len(numbers),
                "parts": -(-len(numbers) // PART),
                "postings": postings,
                "top": flat,
                "words": words,
            }
        )
    return files


def _key_files(
    root: str, postings: dict[str, Postings], size: int
) -> tuple[dict[str, bytes], dict[str, set[str]]]:
    """The files of the words under a prefix, and the prefixes (hex) of its leaves and nodes.

    A prefix whose words have at most `NODE_POSTINGS` postings is a leaf,
    `terms/<hex>.json`: `{"words": {word: [number, weight, ...]}}` (numbers ascending), so
    a search of a word in it ranks exactly, ties by number, from this one file. A larger
    prefix is a node: its results are aggregated (each scenario's score for the prefix,
    the sum of its words' weights), sorted by score, then number, and cut in parts of
    `PART`: `terms/<hex>.json` holds the count, the scenarios as a bit set (for exact
    counts under filters), the first part, the words under the prefix (for suggestions)
    and how many postings they have (for a rebuild);
    `terms/<hex>-<i>.json` the further parts, fetched only when the results reach them;
    `terms/<hex>-w.json` the postings of the word that is the prefix itself, which a
    search never reads (a rebuild does). Its longer words are split by one more
    character, each a leaf or a node again. So a search of a common word fetches one
    part, however many scenarios have it.
    """
    files: dict[str, bytes] = {}
    kinds: dict[str, set[str]] = {"leaves": set(), "nodes": set()}
    kept = {w: pairs for w, pairs in postings.items() if pairs}
    if kept:
        _visit(root, kept, size, files, kinds)
    return files, kinds


def _visit(
    prefix: str,
    under: dict[str, Postings],
    size: int,
    files: dict[str, bytes],
    kinds: dict[str, set[str]],
) -> dict[int, int] | None:
    """Make the files under `prefix` (`_key_files`); a node's scores (its parent sums them).

    A function of its own, not one nested in `_key_files`: a nested function that calls
    itself is a reference cycle, which kept each prefix's files alive until the cycle
    collector ran (0.4 GB of them at a time for 100,000 scenarios).
    """
    key = _hex(prefix)
    count = sum(map(len, under.values())) // 2
    if count <= NODE_POSTINGS:
        kinds["leaves"].add(key)
        files[f"search/terms/{key}.json"] = _leaf(under)
        return None
    kinds["nodes"].add(key)
    longer: dict[str, dict[str, Postings]] = defaultdict(dict)
    for word, pairs in sorted(under.items()):
        if len(word) > len(prefix):
            longer[word[: len(prefix) + 1]][word] = pairs
    # Summed from the children's sums (a node's), not again from every word below.
    scores: dict[int, int] = {}
    get = scores.get
    for child, below in sorted(longer.items()):
        summed = _visit(child, below, size, files, kinds)
        if summed is not None:
            for n, weight in summed.items():
                scores[n] = get(n, 0) + weight
        else:
            for flat in below.values():
                it = iter(flat)
                for n, weight in zip(it, it, strict=True):
                    scores[n] = get(n, 0) + weight
    if prefix in under:
        it = iter(under[prefix])
        for n, weight in zip(it, it, strict=True):
            scores[n] = get(n, 0) + weight
        files[f"search/terms/{key}-w.json"] = _dump({prefix: under[prefix].tolist()})
    # By score, then number: a stable sort by score of the numbers in order (faster than
    # one sort keyed by a tuple).
    ranked = sorted(scores)
    ranked.sort(key=scores.__getitem__, reverse=True)
    bits = bit_set(ranked, size)
    files.update(_node(key, (ranked, [scores[n] for n in ranked]), count, sorted(under), bits))
    return scores


class _Patch:
    """A rebuild's word files: the prefixes of changed words patched, as `_key_files` makes them.

    A leaf is read, patched and made again (it may become a node). A node's results are
    read (its parts), the changed scenarios taken out and put back with their new score
    at their place (score, then number: the others keep their order), and its
    count of postings patched from the changed scenarios' old and new words; only if it
    falls to a leaf's size is every file under it read. Its prefixes that hold no changed
    word are left as they are.
    """

    def __init__(
        self,
        site: Path,
        changed: dict[int, tuple[dict[str, int], dict[str, int]]],
        fresh: dict[str, Postings],
        size: int,
        listed: Listed,
    ) -> None:
        self.site, self.changed, self.size, self.listed = site, changed, size, listed
        self.files: dict[str, bytes | None] = {}
        self.fresh: dict[str, dict[str, Postings]] = defaultdict(dict)
        for word, pairs in fresh.items():  # by key, to find those under a prefix
            self.fresh[_root(word)][word] = pairs
        # Each key's prefixes that have files, and whether each is a leaf or a node.
        self.tree: dict[str, dict[str, str]] = defaultdict(dict)
        for kinds in listed.values():
            for kind, keys in kinds.items():
                for key in keys:
                    prefix = _unhex(key)
                    self.tree[_root(prefix)][prefix] = kind
        # For each prefix of a changed scenario's words: how many postings it gains (or
        # loses), and each changed scenario's new score for it (what a node needs).
        self.counts: dict[str, int] = defaultdict(int)
        self.scores: dict[str, dict[int, int]] = defaultdict(dict)
        for number, (old, new) in changed.items():
            for sign, weights in ((-1, old), (1, new)):
                for word, weight in weights.items():
                    for end in range(1, len(word) + 1):
                        self.counts[word[:end]] += sign
                        if sign > 0:
                            scores = self.scores[word[:end]]
                            scores[number] = scores.get(number, 0) + weight

    def _read(self, path: str) -> Any:
        return orjson.loads((self.site / path).read_bytes())

    def _set_kind(self, prefix: str, kind: str | None) -> None:
        """Record what `prefix` is now: a leaf, a node, or nothing (None)."""
        tree, kinds = self.tree[_root(prefix)], self.listed[_hex(prefix)[:2]]
        if prefix in tree:
            kinds[tree.pop(prefix)].discard(_hex(prefix))
        if kind is not None:
            tree[prefix] = kind
            kinds[kind].add(_hex(prefix))

    def prefix(self, prefix: str, words: list[str]) -> set[str]:
        """Patch the files under `prefix`, which holds the changed `words`; its words now."""
        key = _hex(prefix)
        if self.tree[_root(prefix)].get(prefix) != "nodes":
            return self._anew(prefix)
        head = self._read(f"search/terms/{key}.json")
        postings = head["postings"] + self.counts.get(prefix, 0)
        if postings <= NODE_POSTINGS:
            return self._anew(prefix)
        flat = head["top"]
        for i in range(1, head["parts"]):
            flat += self._read(f"search/terms/{key}-{i}.json")
        # Patched in place, not rebuilt: a node may rank every scenario.
        changed = self.changed
        numbers, points = flat[::2], flat[1::2]
        bits = bytearray(base64.b64decode(head["bits"]))
        for n in sorted(changed, reverse=True):
            if bits[n >> 3] & (1 << (n & 7)):
                i = numbers.index(n)
                del numbers[i], points[i]
                bits[n >> 3] &= ~(1 << (n & 7)) & 0xFF
        for n, score in sorted(self.scores.get(prefix, {}).items()):
            place = bisect.bisect(
                range(len(numbers)),
                (-score, n),
                key=lambda i: (-points[i], numbers[i]),
            )
            numbers.insert(place, n)
            points.insert(place, score)
            bits[n >> 3] |= 1 << (n & 7)
        longer: dict[str, list[str]] = defaultdict(list)
        for word in words:
            if len(word) > len(prefix):
                longer[word[: len(prefix) + 1]].append(word)
        names = {w for w in head["words"] if w != prefix and w[: len(prefix) + 1] not in longer}
        if prefix in words:  # the word that is the prefix itself: its postings patched
            own = f"search/terms/{key}-w.json"
            pairs = _pairs(self._read(own)[prefix]) if (self.site / own).exists() else []
            kept = [p for p in pairs if p[0] not in changed]
            now = sorted(kept + _pairs(self.fresh[_root(prefix)].get(prefix, _flat([]))))
            self.files[own] = _dump({prefix: _flat(now).tolist()}) if now else None
            names |= {prefix} if now else set()
        elif prefix in head["words"]:
            names.add(prefix)
        for child in sorted(longer):
            names |= self.prefix(child, longer[child])
        encoded = base64.b64encode(bytes(bits)).decode("ascii")
        made = _node(key, (numbers, points), postings, sorted(names), encoded)
        gone = {f"search/terms/{key}-{i}.json" for i in range(len(made), head["parts"])}
        self.files |= dict.fromkeys(sorted(gone)) | made
        return names

    def _anew(self, prefix: str) -> set[str]:
        """Make every file under `prefix` again from its words' postings, read back whole."""
        tree = self.tree[_root(prefix)]
        postings: dict[str, list[tuple[int, int]]] = {}
        old: set[str] = set()
        for below, kind in sorted(tree.items()):
            if not below.startswith(prefix):
                continue
            key = _hex(below)
            path = f"search/terms/{key}.json"
            old.add(path)
            if kind == "leaves":
                for word, flat in self._read(path)["words"].items():
                    postings[word] = _pairs(flat)
            else:
                parts = self._read(path)["parts"]
                old |= {f"search/terms/{key}-{i}.json" for i in range(1, parts)}
                own = f"search/terms/{key}-w.json"
                if (self.site / own).exists():
                    old.add(own)
                    for word, flat in self._read(own).items():
                        postings[word] = _pairs(flat)
            self._set_kind(below, None)
        for word, pairs in postings.items():
            postings[word] = [pair for pair in pairs if pair[0] not in self.changed]
        for word, flat in self.fresh[_root(prefix)].items():
            if word.startswith(prefix):
                postings[word] = postings.get(word, []) + _pairs(flat)
        made, kinds = _key_files(
            prefix, {word: _flat(sorted(ps)) for word, ps in postings.items() if ps}, self.size
        )
        for kind, keys in kinds.items():
            for key in keys:
                self._set_kind(_unhex(key), kind)
        self.files |= dict.fromkeys(sorted(old - made.keys())) | made
        return {word for word, ps in postings.items() if ps}


def _listed_keys(site: Path | None, leads: set[str]) -> Listed:
    """`search/keys/<lead byte>.json`: the prefixes that have a word file, leaves and nodes.

    search.js reads the list before it asks for a word's file, so a word no scenario has
    is known to be missing without a request that fails (and a 404 in the console), and a
    word's deepest prefix is found without trying each. Every lead byte has its list,
    empty or not (a full build makes them all); a rebuild reads and rewrites those of the
    keys it changes.
    """
    listed = {}
    for lead in LEAD_BYTES if site is None else sorted(leads):
        path = None if site is None else site / f"search/keys/{lead}.json"
        kinds = orjson.loads(path.read_bytes()) if path and path.exists() else {}
        listed[lead] = {kind: set(kinds.get(kind, [])) for kind in ("leaves", "nodes")}
    return listed


def bit_set(numbers: Iterable[int], size: int) -> str:
    """A set of scenario numbers as search.js reads it: base64 of a bit per scenario.

    Bit n is bit n % 8 of byte n // 8: 1.25 KB for 10,000 scenarios, where a list of the
    numbers would take up to 50.
    """
    return _base64(_bits(numbers, size))


def _bits(numbers: Iterable[int], size: int) -> bytearray:
    bits = bytearray((size + 7) // 8)
    for n in numbers:
        bits[n >> 3] |= 1 << (n & 7)
    return bits


def _base64(bits: bytes | bytearray) -> str:
    return base64.b64encode(bits).decode("ascii")


# The first bytes of the UTF-8 of a searchable word: a digit, a lower-case ASCII letter or
# the lead byte of any other character (what `tokens.terms` keeps is letters and digits).
LEAD_BYTES = [f"{b:02x}" for b in [*range(0x30, 0x3A), *range(0x61, 0x7B), *range(0xC2, 0xF5)]]
# A filter's value lists its scenarios in display order too when it has at most this many
# (an author's, a rare language's), so its listing needs no pass over the display order.
LISTED_VALUE = 1000
FILTERS = ("category", "difficulty", "language", "cefr", "duration", "created_by")


def card_files(cards: Iterable[tuple[int, dict[str, Any]]]) -> Iterator[tuple[str, bytes]]:
    """`search/cards/<n>.json`: what a result shows of scenario n (its number in id order).

    Its id, title, description, topic, level, language, minutes and CEFR level (or
    null), as values, not places in meta's lists: each file depends on its own card
    only, so a full build writes every one and a rebuild those of the scenarios it
    re-read (made one at a time, as they are written), and a page of results fetches 20
    files of about 250 bytes.
    """
    return (
        (
            f"search/cards/{n}.json",
            _dump(
                [
                    c["scenario_id"],
                    c["title"],
                    c.get("description") or "",
                    c["category"],
                    c["difficulty"],
                    c["language"],
                    c["estimated_duration"],
                    c["cefr"],
                ]
            ),
        )
        for n, c in cards
    )


def summary_files(cards: list[dict[str, Any]]) -> dict[str, bytes]:
    """The files that list and filter the scenarios, from their cards (`pages.card`).

    - `meta.json`: the count, and each filter's values with the names to show for them;
      its size grows with the number of values, not of scenarios (no author is in it);
    - `order/<p>.json`: the scenarios of display places p*PART … p*PART+PART-1;
    - `filters/<filter>-<i>.json`: the scenarios with value i of a filter (a duration's:
      those that take at most that long) as a bit set (`bit_set`) with their count, and
      in display order when they are few (`LISTED_VALUE`); `authors.json` the authors.
    They change only when a card does: both builds make them here, a rebuild only when a
    card changed.
    """
    values = {
        key: sorted({c[key] for c in cards if c[key] is not None})
        for key in ("category", "language", "created_by", "cefr", "estimated_duration")
    }
    present = {c["difficulty"] for c in cards}  # in the schema's order, easiest first
    values["difficulty"] = [d for d in choices("difficulty") if d in present]
    values["duration"] = values.pop("estimated_duration")
    position = {key: {v: i for i, v in enumerate(vs)} for key, vs in values.items()}
    names = {key: {c[key]: c[f"{key}_name"] for c in cards} for key in ("category", "language")}
    meta = {
        "count": len(cards),
        "part": PART,
        "word_length": MAX_WORD_LENGTH,
        "categories": values["category"],
        "category_names": [names["category"][v] for v in values["category"]],
        "difficulties": values["difficulty"],
        "difficulty_names": [d.capitalize() for d in values["difficulty"]],
        "languages": values["language"],
        "language_names": [names["language"][v] for v in values["language"]],
        # The filter "de" takes in de-AT: a tag matches its own value and its language's.
        "language_primaries": [primary_language(v) for v in values["language"]],
        "cefrs": values["cefr"],
        "durations": values["duration"],
    }
    order = sorted(range(len(cards)), key=lambda n: display_key(cards[n]))
    files = {"search/meta.json": _dump(meta), "search/authors.json": _dump(values["created_by"])}
    for start in range(0, max(len(cards), 1), PART):
        files[f"search/order/{start // PART}.json"] = _dump(order[start : start + PART])
    rank = [0] * len(cards)  # each scenario's place in display order
    for place, n in enumerate(order):
        rank[n] = place
    shown = [cards[n] for n in order]
    for key in FILTERS:
        field = "estimated_duration" if key == "duration" else key
        by_value: dict[Any, list[int]] = defaultdict(list)  # in display order
        for n, value in zip(order, map(operator.itemgetter(field), shown), strict=True):
            by_value[value].append(n)
        by_value.pop(None, None)
        members = defaultdict(list, {position[key][v]: ns for v, ns in by_value.items()})
        found = (
            _at_most(members, len(values[key]), len(cards), rank)
            if key == "duration"  # a duration's scenarios: those at most that long
            else ((members[i], bit_set(members[i], len(cards))) for i in range(len(values[key])))
        )
        name = "author" if key == "created_by" else key
        for i, (listed, bits) in enumerate(found):
            files[f"search/filters/{name}-{i}.json"] = _dump(
                {"count": len(listed), "bits": bits}
                | ({"order": listed} if len(listed) <= LISTED_VALUE else {})
            )
    return files


def _at_most(
    exact: dict[int, list[int]], values: int, size: int, rank: list[int]
) -> Iterator[tuple[Sequence[int], str]]:
    """Each duration's scenarios (those at most that long) and their bit set.

    From the scenarios of each exact duration (`exact`, by the duration's place): the
    union of those up to it, as an integer's bits, in display order (`rank`) only while
    they are few enough to be listed (beyond, a range stands for them: its length is
    their count). A pass over every scenario for each duration took most of the summary
    files' time.
    """
    bits = 0
    listed: Sequence[int] = []
    for i in range(values):
        some = exact[i]
        bits |= int.from_bytes(_bits(some, size), "little")
        if len(listed) + len(some) <= LISTED_VALUE:
            listed = sorted([*listed, *some], key=rank.__getitem__)
        else:
            listed = range(len(listed) + len(some))
        yield listed, _base64(bits.to_bytes((size + 7) // 8, "little"))


def _dump(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
